"""The second welfare region in the demo (ADR 11): a few clients of Pohjoisrannikko's own team, on its
own pathway, one of them shared with its employment services on the client's consent.

So that the separation of regions shows: the north-* users see these clients and nothing of the
first region's; the first region's users, administrator and data protection officer see nothing of
these. Made with the services, like a professional of the region would.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from tukipolku.cases import services as case_services
from tukipolku.cases.choices import ConsentMethod, IdentificationSource
from tukipolku.clients import services as client_services
from tukipolku.clients.models import Client
from tukipolku.core.models import TeamMembership, User
from tukipolku.demo.generator import identity_code_stream
from tukipolku.demo.generator.people import _random_name
from tukipolku.pathways.selectors import pathway_list_for
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory, GivenHow, Purpose

NEEDS = (
    "Pitkä sairausloma selkävaivan vuoksi, paluu kalatalouden töihin epävarma.",
    "Työttömyys jatkunut kaksi vuotta, toistuvia terveyskeskuskäyntejä.",
    "Opinnot keskeytyneet, jaksaminen heikentynyt.",
    "Kausityö päättyi, asiakas toivoo uutta alaa.",
)


def build_second_region_demo(*, users: dict[str, User], now: datetime.datetime, seed: int) -> list[Client]:
    """Open an episode for each of NEEDS in the north nurse's team; the first client consents to the
    region's employment services seeing the shared plan, and its coordinator joins the client's team."""
    nurse, partner = users["north-nurse"], users["north-employment"]
    team = TeamMembership.objects.filter(user=nurse).select_related("team").get().team
    pathway = pathway_list_for(actor=nurse).first()
    if pathway is None:
        return []
    rng = random.Random(f"north:{seed}")  # noqa: S311 – synthetic data, not security
    today = timezone.localdate(now)
    taken = set(Client.objects.values_list("identity_code", flat=True))
    codes = (c for c in identity_code_stream(seed=seed + 1, today=today) if c not in taken)
    clients = []
    for number, need in enumerate(NEEDS):
        first, last = _random_name(rng, female=number % 2 == 0)
        client = client_services.client_create(
            actor=nurse, identity_code=next(codes), first_names=first, last_name=last
        )
        episode = case_services.episode_open(
            actor=nurse,
            client=client,
            team=team,
            pathway=pathway,
            source=IdentificationSource.SOTE_APPOINTMENT if number % 2 else IdentificationSource.EMPLOYMENT_SERVICES,
            situations=[],
            need_description=need,
            consent_on=today - datetime.timedelta(days=7 * (number + 1)),
            consent_method=ConsentMethod.ORAL,
        )
        if number == 0:
            privacy_services.consent_record(
                actor=nurse,
                client=client,
                episode_id=episode.pk,
                kind="consent",
                recipient_organisation=partner.organisation,
                recipient_kind="",
                categories=[DataCategory.SHARED_PLAN],
                purpose=Purpose.EMPLOYMENT,
                valid_from=today - datetime.timedelta(days=7),
                valid_until=None,
                given_how=GivenHow.WRITTEN,
            )
            case_services.case_member_add(actor=nurse, episode=episode, user=partner)
        clients.append(client)
    return clients
