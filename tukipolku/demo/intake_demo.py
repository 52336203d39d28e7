"""Demo notifications of need (synthetic, deterministic): partner staff (`employment`, `student`,
`occupational`) have sent notifications to the demo team of `nurse`; some wait in the team's intake
queue, some are accepted (an episode is open) and some declined with a reason the sender sees.

Everything goes through the real services, so the events, notifications and logs are as in use.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from tukipolku.cases.choices import ConsentMethod, EpisodeStatus
from tukipolku.cases.models import Episode
from tukipolku.clients.models import Client
from tukipolku.core.models import TeamMembership
from tukipolku.demo.generator import identity_code_stream
from tukipolku.intake import services
from tukipolku.intake.choices import NeedStatus
from tukipolku.intake.models import NeedNotification
from tukipolku.pathways.models import Pathway


@dataclass(frozen=True)
class _Sample:
    """One notification; the names are used only when the demo has no suitable client to notify."""

    sender: str
    first_names: str
    last_name: str
    situations: tuple[str, ...]
    risks: tuple[str, ...]
    done: str
    need: str
    days_ago: int
    decision: str = NeedStatus.WAITING
    pathway: str = "satakunta"
    reason: str = ""


SAMPLES: tuple[_Sample, ...] = (
    _Sample(
        "employment",
        "Jari Olavi",
        "Kivimäki",
        ("long_unemployment",),
        ("long_unemployment", "chronic_illness"),
        "Kaksi työkokeilua, molemmat keskeytyivät polvikipujen vuoksi.",
        "Työttömyys on kestänyt 18 kuukautta. Asiakas haluaa takaisin varastotyöhön, mutta polvet eivät kestä.",
        1,
    ),
    _Sample(
        "student",
        "Ella",
        "Rinne",
        ("graduating_partial_ability",),
        ("mental_health_or_substance", "transition_point"),
        "Opintopsykologin käynnit keväällä, Kelan kuntoutusraha opintojen ajan.",
        "Valmistuu jouluna. Ahdistus vaikeuttaa työnhakua; tarvitsee tuen siirtymään työelämään.",
        3,
    ),
    _Sample(
        "occupational",
        "Markku",
        "Salo",
        ("partial_ability_unemployed",),
        ("repeated_sick_leave",),
        "Työterveysneuvottelu, osasairauspäiväraha, sopivaa työtä ei löytynyt.",
        "Työsuhde päättyy työkyvyn vuoksi kuun lopussa. Tarvitsee saattaen vaihtaen -siirron sote-keskukseen.",
        6,
    ),
    _Sample(
        "employment",
        "Tuula Annikki",
        "Heino",
        ("jobseeker_illness",),
        ("chronic_illness", "life_management"),
        "Työllisyyspalvelujen työkykykartoitus aloitettu.",
        "Diabetes todettu työnhaun aikana, arki ei ole hallinnassa. Toivoo terveystarkastusta.",
        12,
        NeedStatus.ACCEPTED,
        "satakunta",
    ),
    _Sample(
        "student",
        "Oskari",
        "Lehto",
        ("graduating_partial_ability",),
        ("transition_point",),
        "Opinto-ohjaajan tapaamiset.",
        "Valmistuu keväällä, selkäsairaus rajoittaa alan töitä.",
        20,
        NeedStatus.ACCEPTED,
        "eura",
    ),
    _Sample(
        "occupational",
        "Pirjo",
        "Mattila",
        (),
        ("repeated_sick_leave",),
        "",
        "Toistuvia sairauslomia selkäkivun vuoksi.",
        9,
        NeedStatus.DECLINED,
        reason="Asiakas on työsuhteessa: työterveyshuolto jatkaa työkyvyn tukea. Ota yhteyttä, jos työsuhde päättyy.",
    ),
    _Sample(
        "employment",
        "Kalle",
        "Nurmi",
        ("long_unemployment",),
        ("mental_health_or_substance",),
        "Ohjattu A-klinikalle.",
        "Päihdeongelma ja pitkä työttömyys.",
        15,
        NeedStatus.DECLINED,
        reason="Asiakas on jo päihdepalvelujen asiakkaana; palaamme asiaan, kun hoito on alkanut. Soita meille.",
    ),
)


def build_intake_demo(*, users: dict[str, Any], now: datetime.datetime, seed: int) -> list[NeedNotification]:
    """Send the sample notifications to the team of `nurse` and decide the decided ones."""
    nurse = users["nurse"]
    team = TeamMembership.objects.filter(user=nurse).select_related("team").first()
    if team is None:
        return []
    rng = random.Random(f"intake:{seed}")  # noqa: S311 – synthetic data, not security
    # The notified people are demo clients with no open relationship in the team (someone whose earlier
    # relationship closed, or a client of the other centre), so the demo's client count stays; new
    # synthetic people only when there are too few.
    busy = Episode.objects.filter(team=team.team, status=EpisodeStatus.OPEN).values("client_id")
    known = list(
        Client.objects.exclude(pk__in=busy).order_by("pk").values_list("identity_code", "first_names", "last_name")
    )
    people = rng.sample(known, len(SAMPLES)) if len(known) >= len(SAMPLES) else []
    codes = identity_code_stream(seed=seed + 4, today=now.date())
    pathways = {p.code: p for p in Pathway.objects.filter(code__in={s.pathway for s in SAMPLES})}
    deciders = [users[name] for name in ("nurse", "coordinator", "socialworker") if name in users]
    made: list[NeedNotification] = []
    for index, sample in enumerate(SAMPLES):
        code, first_names, last_name = people[index] if people else (next(codes), sample.first_names, sample.last_name)
        need = services.need_send(
            actor=users[sample.sender],
            team=team.team,
            identity_code=code,
            first_names=first_names,
            last_name=last_name,
            phone=f"040 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            language="fi",
            situations=sample.situations,
            risk_factors=sample.risks,
            done_so_far=sample.done,
            need_description=sample.need,
            consent_given=True,
            consent_on=(now - datetime.timedelta(days=sample.days_ago + 1)).date(),
            consent_method=rng.choice([ConsentMethod.ORAL, ConsentMethod.WRITTEN]),
        )
        decider = deciders[len(made) % len(deciders)]
        if sample.decision == NeedStatus.ACCEPTED:
            try:
                services.need_accept(
                    actor=decider, need=need, expected_status=NeedStatus.WAITING, pathway=pathways.get(sample.pathway)
                )
            except services.OpenEpisodeExistsError:
                services.need_accept(
                    actor=decider, need=need, expected_status=NeedStatus.WAITING, pathway=None, link_existing=True
                )
        elif sample.decision == NeedStatus.DECLINED:
            services.need_decline(actor=decider, need=need, expected_status=NeedStatus.WAITING, reason=sample.reason)
        # Age the notification: sent some days ago; a declined one was decided a day later (an
        # accepted one today, when its client relationship was opened).
        sent_at = now - datetime.timedelta(days=sample.days_ago, hours=rng.randint(1, 8))
        NeedNotification.objects.filter(pk=need.pk).update(sent_at=sent_at)
        NeedNotification.objects.filter(pk=need.pk, status=NeedStatus.DECLINED).update(
            decided_at=F("sent_at") + datetime.timedelta(days=1)
        )
        made.append(need)
    return made
