"""The demo shows the privacy features: consents in realistic shares, partners who see clients on
consent, the nurse's hidden and shown social-care register, and a review queue for the data
protection officer, with an access log whose hash chain holds."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from tukipolku.access.policy import can_view_episode, episode_access, readable_registers, visible_episodes
from tukipolku.audit import chain
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, Disclosure, PersonalDataAccess
from tukipolku.cases.choices import EpisodeStatus
from tukipolku.cases.models import CaseTeamMember, Episode
from tukipolku.cases.selectors import client_find_for, partner_episodes_for
from tukipolku.core.choices import OrganisationKind
from tukipolku.core.models import User
from tukipolku.core.permissions import PARTNER_PROFESSIONS, can_review_access, can_share_on_legal_basis, is_partner
from tukipolku.demo.generator import DPO_GROUP, OVERRIDE_GROUP
from tukipolku.entries.models import Entry
from tukipolku.privacy.choices import ConsentKind
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant
from tukipolku.privacy.selectors import review_queue


@pytest.fixture
def demo(shipped_pathways):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _recipient_kind(consent):
    return consent.recipient_organisation.kind if consent.recipient_organisation_id else consent.recipient_kind


@pytest.mark.django_db
def test_load_demo__privacy_showcase(demo):
    # Consents in the shares the generator aims at (per open episode, as recorded in it).
    open_ids = set(Episode.objects.filter(status=EpisodeStatus.OPEN).values_list("pk", flat=True))
    consents = {c.pk: c for c in Consent.objects.select_related("recipient_organisation")}
    kinds_by_episode: dict[int, set[str]] = {}
    for episode_id, consent_id in AuditEvent.objects.filter(verb=EventType.CONSENT_RECORDED).values_list(
        "episode_id", "target_id"
    ):
        kinds_by_episode.setdefault(episode_id, set()).add(_recipient_kind(consents[consent_id]))
    share = Counter(k for e in open_ids for k in kinds_by_episode.get(e, ()))
    assert 0.8 <= share[OrganisationKind.WELFARE_REGION] / len(open_ids) <= 0.95
    assert 0.3 <= share[OrganisationKind.EMPLOYMENT_SERVICES] / len(open_ids) <= 0.5
    assert 0.12 <= share[OrganisationKind.KELA] / len(open_ids) <= 0.3
    assert share[OrganisationKind.OCCUPATIONAL_HEALTH] and share[OrganisationKind.STUDENT_HEALTH]
    episodes = Episode.objects.count()
    withdrawn = Consent.objects.filter(withdrawn_at__isnull=False).count()
    assert 0.02 <= withdrawn / episodes <= 0.09
    prohibitions = Consent.objects.filter(kind=ConsentKind.PROHIBITION).count()
    assert 0.01 <= prohibitions / episodes <= 0.07
    expired = [c for c in consents.values() if c.valid_until is not None and not c.is_in_force()]
    assert expired
    assert Consent.objects.filter(recipient_kind=OrganisationKind.STUDENT_HEALTH).exists()

    # Partners see their clients on consent; a few are refused where the consent was withdrawn.
    employment = User.objects.get(username="employment")
    shared = partner_episodes_for(actor=employment)
    assert len(shared) >= 3
    assert all(not access.can_change for access in (row.access for row in shared))
    assert any(row.access.categories["shared_plan"].consent_id for row in shared)
    for login in ("kela", "occupational", "student"):
        user = User.objects.get(username=login)
        assert is_partner(user) and partner_episodes_for(actor=user), login
    refused = [
        m
        for m in CaseTeamMember.objects.filter(user__profession__in=PARTNER_PROFESSIONS).select_related(
            "user__organisation", "episode__team__organisation"
        )
        if episode_access(actor=m.user, episode=m.episode) is None
        and any(
            c.withdrawn_at is not None and c.covers_recipient(m.user.organisation)
            for c in consents.values()
            if c.client_id == m.episode.client_id
        )
    ]
    assert refused
    assert PersonalDataAccess.objects.filter(
        outcome="denied", user__profession__in=PARTNER_PROFESSIONS, reason="no_relationship"
    ).exists()

    # The nurse: a client whose social-care entries are hidden (no consent), one where they are shown.
    nurse = User.objects.get(username="nurse")
    with_social = Episode.objects.filter(
        pk__in=Entry.objects.filter(register="social").values("episode_id"), status=EpisodeStatus.OPEN
    ).select_related("client", "team__organisation__parent")
    registers = {
        e: readable_registers(actor=nurse, episode=e) for e in with_social if can_view_episode(actor=nurse, episode=e)
    }
    hidden = [
        e
        for e, readable in registers.items()
        if "social" not in readable
        and not any(c.is_in_force() and c.covers_recipient(e.team.organisation) for c in e.client.consents.all())
    ]
    shown = [e for e, readable in registers.items() if "social" in readable and readable["social"].basis == "consent"]
    assert hidden and shown

    # The data protection officer reviews; sees no client.
    dpo = User.objects.get(username="dpo")
    assert can_review_access(dpo) and not dpo.is_staff and not dpo.is_superuser
    assert list(dpo.groups.values_list("name", flat=True)) == [DPO_GROUP]
    assert not visible_episodes(dpo).exists()
    assert all(episode_access(actor=dpo, episode=e) is None for e in Episode.objects.all()[:50])
    assert client_find_for(actor=dpo, query="Virtanen") == ([], None)
    for login in ("physician", "socialworker", "physician2"):
        user = User.objects.get(username=login)
        assert can_share_on_legal_basis(user) and user.groups.filter(name=OVERRIDE_GROUP).exists(), login
    for login in ("nurse", "employment", "dpo", "admin"):
        assert not can_share_on_legal_basis(User.objects.get(username=login)), login
    grants, accesses = review_queue()
    assert grants and accesses
    assert LegalBasisGrant.objects.filter(reviewed_at__isnull=False).exists()
    assert EmergencyAccess.objects.filter(reviewed_at__isnull=False).exists()
    assert LegalBasisGrant.objects.filter(ended_at__isnull=False).exists()
    for grant in LegalBasisGrant.objects.all():
        assert grant.granted_by.has_perm("privacy.add_legalbasisgrant")
        assert AuditEvent.objects.filter(verb=EventType.LEGAL_BASIS_GRANTED, target_id=grant.pk).count() == 1
        assert PersonalDataAccess.objects.filter(user=grant.grantee, client_id=grant.client_id, flagged=True).exists()
    for access in EmergencyAccess.objects.select_related("user"):
        # A professional of the same sote-centre, outside the client's team.
        assert Episode.objects.filter(client=access.client, team__organisation=access.user.organisation).exists()
        assert not Episode.objects.filter(client=access.client, team__memberships__user=access.user).exists()
        assert PersonalDataAccess.objects.filter(
            user=access.user, client_id=access.client_id, flagged=True, basis="emergency_access"
        ).exists()
    assert Disclosure.objects.filter(basis="legal_basis").exists() and Disclosure.objects.filter(basis="consent")

    # Every log row went through the hash chain (also those the reads above just wrote).
    assert list(chain.verify(PersonalDataAccess)) == []
    assert list(chain.verify(Disclosure)) == []
    assert "Privacy in the demo" in demo
