"""Demo escorted handovers (synthetic, deterministic): occupational and student health care (`occupational`,
`student`) have opened handovers to the demo team of `nurse`: one waits for acceptance after its
preparatory and transfer meetings, one has waited too long and is escalated to `manager`, and one was
accepted and opened a client relationship on the escorted handover pathway.

Everything goes through the real services (events, notifications, logs as in use); only the opening
times are moved back afterwards so that the waiting days and the escalation show.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from tukipolku.cases.choices import ConsentMethod
from tukipolku.clients.models import Client
from tukipolku.core.models import TeamMembership
from tukipolku.demo.generator import identity_code_stream
from tukipolku.handovers import services
from tukipolku.handovers.choices import HandoverReason, HandoverStatus, InformationSource, JobSearch
from tukipolku.handovers.models import Handover

SEED = 2026 + 7


def _code(codes: Any) -> str:
    for code in codes:
        if not Client.objects.filter(identity_code=code).exists():
            return str(code)
    raise RuntimeError("no identity code left")  # pragma: no cover – the stream is endless


def _open(sender: Any, team: Any, code: str, days_ago: int, **kw: Any) -> Handover:
    today = timezone.localdate()
    handover = services.handover_open(
        actor=sender,
        team=team,
        identity_code=code,
        sending_contact=sender,
        consent_on=today - datetime.timedelta(days=days_ago),
        consent_method=ConsentMethod.WRITTEN,
        **kw,
    )
    Handover.objects.filter(pk=handover.pk).update(opened_at=timezone.now() - datetime.timedelta(days=days_ago))
    handover.refresh_from_db()
    return handover


def _prepare(handover: Handover, sender: Any, days_ago: int, transfer_in_days: int) -> Handover:
    held = timezone.localdate() - datetime.timedelta(days=days_ago)
    return services.handover_prepare(
        actor=sender,
        handover=handover,
        expected_revision=handover.revision,
        prep_met_on=held,
        prep_agenda_agreed_on=held,
        prep_health_info_on=held,
        prep_rehabilitation_on=held,
        prep_statement_on=held + datetime.timedelta(days=1) if days_ago > 1 else None,
        prep_nurse_invited_on=held,
        prep_employment_invited_on=held,
        prep_time_place_agreed_on=held,
        prep_notes="Työkyky, kuntoutus tähän asti ja toiveet jatkosta. Työkykylausunto mukaan.",
        transfer_at=timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        + datetime.timedelta(days=transfer_in_days),
        transfer_place="Terveysasema, neuvotteluhuone 2",
    )


def build_handovers_demo(*, users: dict[str, Any], now: datetime.datetime) -> list[Handover]:
    """Three handovers to the team of `nurse`: waiting, escalated (to `manager`) and accepted."""
    nurse, occupational, student = users["nurse"], users["occupational"], users["student"]
    membership = TeamMembership.objects.filter(user=nurse).select_related("team").first()
    if membership is None:
        return []
    team = membership.team
    codes = identity_code_stream(seed=SEED, today=now.date())
    days = settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS

    # 1. Waiting: prepared, the transfer meeting recorded today, not yet accepted.
    waiting = _open(
        occupational,
        team,
        _code(codes),
        2,
        first_names="Jari Ilmari",
        last_name="Siirtola",
        phone="040 000 0101",
        reason=HandoverReason.EMPLOYMENT_ENDING,
        background="Sopivaa työtä ei löytynyt selkäleikkauksen jälkeen; työsuhde päättyy kuun lopussa.",
        escort_consent=True,
    )
    waiting = _prepare(waiting, occupational, 2, 0)
    waiting = services.handover_transfer(
        actor=occupational,
        handover=waiting,
        expected_revision=waiting.revision,
        transfer_at=timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(hours=1),
        transfer_place="Terveysasema, neuvotteluhuone 2",
        transfer_participants="Jari Siirtola\nOuti Kallio, työterveys\nSanna Lehtinen, työkykytiimi",
        own_view="Haluan kokeilla kevyempää työtä, aluksi osa-aikaisesti.",
        readiness="Valmis osa-aikatyöhön parin kuukauden kuluttua.",
        own_assessment="Nostaminen on vaikeaa, muuten jaksan hyvin.",
        work_ability_score=5,
        resources="Motivoitunut, hyvä tukiverkko. Ei raskaita nostoja.",
        skills="Varastotyötä 20 vuotta, trukkikortti, ammattitutkinto logistiikasta.",
        receiving_nurse=nurse,
        service_area="Pori pohjoinen",
        job_search=JobSearch.ALREADY,
        other_help="Kelan kuntoutusrahahakemus vireillä.",
    )

    # 2. Escalated: opened by student health care, waited past the set days.
    escalated = _open(
        student,
        team,
        _code(codes),
        days + 3,
        first_names="Ella Maria",
        last_name="Odottaja",
        reason=HandoverReason.GRADUATING,
        background="Valmistuu jouluna merkonomiksi; ahdistus vaikeuttaa työnhakua.",
        info_sources=[InformationSource.TEACHERS, InformationSource.CURATOR, InformationSource.STUDY_COUNSELLOR],
        info_summary="Opettajat ja kuraattori: poissaoloja jännittämisen vuoksi; opo ehdottaa tuettua työnhakua.",
    )
    _prepare(escalated, student, days + 2, 5)
    services.handovers_escalate(today=timezone.localdate())

    # 3. Accepted: the nurse accepted it; the client relationship is open on the escorted pathway.
    accepted = _open(
        occupational,
        team,
        _code(codes),
        20,
        first_names="Marko Juhani",
        last_name="Vaihtaja",
        reason=HandoverReason.EMPLOYMENT_ENDING,
        background="Työnantaja ei löytänyt sopivaa työtä polvivamman jälkeen.",
        escort_consent=True,
    )
    accepted = _prepare(accepted, occupational, 18, 0)
    accepted = services.handover_transfer(
        actor=occupational,
        handover=accepted,
        expected_revision=accepted.revision,
        transfer_at=timezone.localtime() - datetime.timedelta(days=14),
        transfer_place="Työterveysasema",
        own_view="Haluan pysyä työelämässä, vaikka entinen työ ei onnistu.",
        readiness="Valmis kouluttautumaan uuteen tehtävään.",
        work_ability_score=6,
        skills="Rakennusalan työt, B-ajokortti.",
        receiving_nurse=nurse,
        service_area="Pori keskusta",
        job_search=JobSearch.STARTED,
    )
    services.handover_accept(actor=nurse, handover=accepted, expected_status=HandoverStatus.OPEN)
    return [waiting, escalated, accepted]
