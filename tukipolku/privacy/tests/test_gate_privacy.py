"""The privacy rules of the access gate: registers, consents, prohibitions, purposes, legal-basis
grants, emergency access and partner staff, each with allowed and denied cases."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.http import Http404
from django.utils import timezone

from tukipolku.access import log as access_log
from tukipolku.access import policy
from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.cases import selectors
from tukipolku.cases import services as case_services
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import User
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory, member
from tukipolku.entries import services as entry_services
from tukipolku.entries.choices import Register
from tukipolku.entries.selectors import entry_list_for
from tukipolku.privacy import services
from tukipolku.privacy.choices import ConsentKind, DataCategory, LegalBasis, Purpose
from tukipolku.privacy.models import EmergencyAccess
from tukipolku.privacy.tests.helpers import consent_for, consent_for_team


def fresh(user):
    """The user as the next request sees them (nothing remembered by the gate)."""
    return User.objects.get(pk=user.pk)


def today():
    return timezone.localdate()


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def partner(employment_org):
    return UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org, username="tyollisyys")


@pytest.fixture
def partner_in_team(partner, nurse, episode):
    case_services.case_member_add(actor=nurse, episode=episode, user=partner)
    return partner


@pytest.fixture
def entries(nurse, social_worker, episode):
    return {
        Register.HEALTH: entry_services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text="T"),
        Register.SOCIAL: entry_services.entry_write(
            actor=social_worker, episode=episode, register=Register.SOCIAL, text="S"
        ),
        Register.SHARED: entry_services.entry_write(actor=nurse, episode=episode, register=Register.SHARED, text="Y"),
    }


def registers_read(user, episode):
    return {e.register for e in entry_list_for(actor=fresh(user), episode=episode, view="test").entries}


# ---------------------------------------------------------------- registers


@pytest.mark.django_db
def test_registers__each_profession_reads_its_own_register_and_the_shared_one(
    nurse, social_worker, team, episode, entries
):
    coach = member(team, profession=Profession.JOB_COACH)

    assert registers_read(nurse, episode) == {Register.HEALTH, Register.SHARED}
    assert registers_read(social_worker, episode) == {Register.SOCIAL, Register.SHARED}
    assert registers_read(coach, episode) == {Register.SHARED}


@pytest.mark.django_db
def test_registers__consent_for_the_team_organisation_opens_the_other_register_and_is_logged(
    nurse, social_worker, episode, entries
):
    consent = consent_for_team(episode, nurse, [DataCategory.SOCIAL])

    assert registers_read(nurse, episode) == {Register.HEALTH, Register.SOCIAL, Register.SHARED}
    assert registers_read(social_worker, episode) == {Register.SOCIAL, Register.SHARED}  # health not consented
    row = PersonalDataAccess.objects.get(user=nurse, resource="entries:social")
    assert (row.basis, row.client_id, row.flagged) == ("consent", episode.client_id, False)
    grounds = policy.readable_registers(actor=fresh(nurse), episode=episode)
    assert grounds[Register.SOCIAL].consent_id == consent.pk


@pytest.mark.django_db
def test_registers__consent_naming_the_parent_welfare_region_covers_its_centres(nurse, org, episode, entries):
    region = OrganisationFactory(name="Hyvinvointialue", kind=OrganisationKind.WELFARE_REGION)
    org.parent = region
    org.save()

    consent_for(episode, nurse, [DataCategory.SOCIAL], recipient=region)

    assert Register.SOCIAL in registers_read(nurse, episode)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    ["withdrawn", "expired", "not_yet_valid", "other_organisation", "prohibition", "other_category"],
)
def test_registers__consent_that_does_not_apply_keeps_the_register_hidden(nurse, episode, entries, change):
    kwargs = {}
    if change == "expired":
        kwargs = {"valid_from": today() - datetime.timedelta(days=30), "valid_until": today() - datetime.timedelta(1)}
    if change == "not_yet_valid":
        kwargs = {"valid_from": today() + datetime.timedelta(days=1)}
    if change == "other_organisation":
        consent_for(episode, nurse, [DataCategory.SOCIAL], recipient=OrganisationFactory())
    elif change == "other_category":
        consent_for_team(episode, nurse, [DataCategory.EMPLOYMENT])
    else:
        consent = consent_for_team(episode, nurse, [DataCategory.SOCIAL], **kwargs)
        if change == "withdrawn":
            services.consent_withdraw(actor=nurse, consent=consent, episode_id=episode.pk)
        if change == "prohibition":
            consent_for_team(episode, nurse, [DataCategory.SOCIAL], kind=ConsentKind.PROHIBITION)

    assert Register.SOCIAL not in registers_read(nurse, episode)
    assert not PersonalDataAccess.objects.filter(resource="entries:social").exists()


@pytest.mark.django_db
def test_registers__nobody_writes_to_another_professions_register(nurse, social_worker, episode):
    consent_for_team(episode, nurse, [DataCategory.SOCIAL, DataCategory.HEALTH])

    with pytest.raises(ApplicationError):
        entry_services.entry_write(actor=fresh(nurse), episode=episode, register=Register.SOCIAL, text="x")
    with pytest.raises(ApplicationError):
        entry_services.entry_write(actor=fresh(social_worker), episode=episode, register=Register.HEALTH, text="x")
    assert policy.writable_registers(actor=fresh(nurse), episode=episode) == [Register.HEALTH, Register.SHARED]


# ---------------------------------------------------------------- partner staff


@pytest.mark.django_db
def test_partner__in_the_team_without_consent_sees_nothing(partner_in_team, episode):
    assert not policy.can_view_episode(actor=fresh(partner_in_team), episode=episode)
    assert selectors.partner_episodes_for(actor=fresh(partner_in_team)) == []
    with pytest.raises(Http404):
        access_log.episode_get_for(
            actor=fresh(partner_in_team), episode_id=episode.pk, view="cases:detail", require=None
        )
    denied = PersonalDataAccess.objects.get(user=partner_in_team, view="cases:detail")
    assert (denied.outcome, denied.client_id, denied.reason) == ("denied", episode.client_id, "no_relationship")
    # The list read the client's consents to decide, so it logs the refusal too.
    listed = PersonalDataAccess.objects.get(user=partner_in_team, view="cases:partner_home")
    assert (listed.outcome, listed.client_id, listed.reason) == ("denied", episode.client_id, "no_consent")


@pytest.mark.django_db
def test_partner__consent_for_their_organisation_shows_only_its_categories_and_logs_a_disclosure(
    partner_in_team, nurse, employment_org, episode, entries
):
    consent = consent_for(
        episode,
        nurse,
        [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        recipient=employment_org,
        purpose=Purpose.EMPLOYMENT,
    )
    actor = fresh(partner_in_team)

    access = policy.episode_access(actor=actor, episode=episode)

    assert access is not None and access.partner and not access.can_change
    assert set(access.categories) == {DataCategory.SHARED_PLAN}
    assert registers_read(partner_in_team, episode) == {Register.SHARED}
    access_log.episode_get_for(actor=actor, episode_id=episode.pk, view="cases:detail", require=None)
    disclosure = Disclosure.objects.get(view="cases:detail")
    assert (disclosure.recipient_organisation_id, disclosure.consent_id, disclosure.basis) == (
        employment_org.pk,
        consent.pk,
        "consent",
    )
    assert disclosure.controller_organisation_id == episode.team.organisation_id
    assert [r.client.pk for r in (x.episode for x in selectors.partner_episodes_for(actor=fresh(partner_in_team)))] == [
        episode.client_id
    ]


@pytest.mark.django_db
def test_partner__consent_for_the_kind_of_organisation_counts(partner_in_team, nurse, episode):
    consent_for(
        episode,
        nurse,
        [DataCategory.SHARED_PLAN],
        recipient_kind=OrganisationKind.EMPLOYMENT_SERVICES,
        purpose=Purpose.EMPLOYMENT,
    )
    assert policy.can_view_episode(actor=fresh(partner_in_team), episode=episode)


@pytest.mark.django_db
def test_partner__consent_for_a_purpose_their_organisation_does_not_serve_does_not_count(
    partner_in_team, nurse, employment_org, episode
):
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.BENEFITS)
    assert not policy.can_view_episode(actor=fresh(partner_in_team), episode=episode)


@pytest.mark.django_db
def test_partner__not_in_the_team_sees_nothing_even_with_consent(partner, nurse, employment_org, episode):
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org)
    assert not policy.can_view_episode(actor=fresh(partner), episode=episode)


@pytest.mark.django_db
def test_partner__meeting_participant_is_in_reach(partner, nurse, employment_org, episode):
    from tukipolku.meetings import services as meeting_services
    from tukipolku.meetings.choices import MeetingKind

    meeting_services.meeting_record(
        actor=nurse, episode=episode, kind=MeetingKind.NETWORK, starts_at=timezone.now(), participants=[nurse, partner]
    )
    assert not policy.can_view_episode(actor=fresh(partner), episode=episode)
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org)
    assert policy.can_view_episode(actor=fresh(partner), episode=episode)


@pytest.mark.django_db
def test_partner__withdrawal_takes_effect_on_the_next_request(partner_in_team, nurse, employment_org, episode):
    consent = consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org)
    assert policy.can_view_episode(actor=fresh(partner_in_team), episode=episode)

    services.consent_withdraw(actor=nurse, consent=consent, episode_id=episode.pk, note="Asiakas soitti.")

    assert not policy.can_view_episode(actor=fresh(partner_in_team), episode=episode)


@pytest.mark.django_db
def test_partner__prohibition_wins_over_a_consent(partner_in_team, nurse, employment_org, episode):
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN, DataCategory.HEALTH], recipient=employment_org)
    consent_for(episode, nurse, [DataCategory.HEALTH], recipient=employment_org, kind=ConsentKind.PROHIBITION)

    access = policy.episode_access(actor=fresh(partner_in_team), episode=episode)

    assert access is not None and set(access.categories) == {DataCategory.SHARED_PLAN}


# ---------------------------------------------------------------- sharing on a legal basis


@pytest.fixture
def authorised_physician(physician):
    physician.user_permissions.add(Permission.objects.get(codename="add_legalbasisgrant"))
    return fresh(physician)


@pytest.mark.django_db
def test_legal_basis__only_authorised_users_may_share_without_consent(nurse, partner_in_team, episode):
    with pytest.raises(ApplicationError):
        services.legal_basis_grant(
            actor=nurse,
            client=episode.client,
            episode_id=episode.pk,
            grantee=partner_in_team,
            categories=[DataCategory.SHARED_PLAN],
            legal_basis=LegalBasis.ACT_381_2023,
            reason="Monialainen yhteispalvelu.",
            valid_until=today(),
        )


@pytest.mark.django_db
def test_legal_basis__grant_opens_the_categories_and_flags_the_reads(authorised_physician, partner_in_team, episode):
    grant = services.legal_basis_grant(
        actor=authorised_physician,
        client=episode.client,
        episode_id=episode.pk,
        grantee=partner_in_team,
        categories=[DataCategory.SHARED_PLAN],
        legal_basis=LegalBasis.ACT_381_2023,
        reason="Monialainen yhteispalvelu 381/2023.",
        valid_until=today() + datetime.timedelta(days=7),
    )
    actor = fresh(partner_in_team)
    access_log.episode_get_for(actor=actor, episode_id=episode.pk, view="cases:detail", require=None)

    row = PersonalDataAccess.objects.get(user=partner_in_team, outcome="allowed")
    assert row.flagged
    assert Disclosure.objects.get().grant_id == grant.pk

    services.legal_basis_end(actor=authorised_physician, grant=grant)
    assert not policy.can_view_episode(actor=fresh(partner_in_team), episode=episode)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("reason", {"reason": "lyhyt"}),
        ("valid_until", {"valid_until": datetime.date(2000, 1, 1)}),
        ("valid_until", {"valid_until": datetime.date(2100, 1, 1)}),
        ("legal_basis", {"legal_basis": "nonsense"}),
        ("categories", {"categories": []}),
    ],
)
def test_legal_basis__bad_input_is_refused_on_the_field(authorised_physician, partner_in_team, episode, field, kwargs):
    params = {
        "actor": authorised_physician,
        "client": episode.client,
        "episode_id": episode.pk,
        "grantee": partner_in_team,
        "categories": [DataCategory.SHARED_PLAN],
        "legal_basis": LegalBasis.ACT_381_2023,
        "reason": "Monialainen yhteispalvelu.",
        "valid_until": today(),
    }
    params.update(kwargs)
    with pytest.raises(ApplicationError) as exc:
        services.legal_basis_grant(**params)
    assert exc.value.field == field


# ---------------------------------------------------------------- emergency access


@pytest.fixture
def colleague_elsewhere(org):
    """A nurse of another team of the same organisation."""
    from tukipolku.core.tests.factories import TeamFactory

    return member(TeamFactory(organisation=org, name="Toinen tiimi"), profession=Profession.PUBLIC_HEALTH_NURSE)


@pytest.mark.django_db
def test_emergency__opens_read_only_for_a_while_and_flags_every_read(colleague_elsewhere, episode):
    assert not policy.can_view_episode(actor=fresh(colleague_elsewhere), episode=episode)

    services.emergency_access_open(actor=colleague_elsewhere, client=episode.client, reason="Asiakas päivystyksessä.")

    actor = fresh(colleague_elsewhere)
    access = policy.episode_access(actor=actor, episode=episode)
    assert access is not None and access.emergency and not policy.can_change_episode(actor=actor, episode=episode)
    access_log.episode_get_for(actor=actor, episode_id=episode.pk, view="cases:detail", require=None)
    row = PersonalDataAccess.objects.get(user=colleague_elsewhere, outcome="allowed")
    assert (row.basis, row.flagged, row.reason) == ("emergency_access", True, "Asiakas päivystyksessä.")

    EmergencyAccess.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert not policy.can_view_episode(actor=fresh(colleague_elsewhere), episode=episode)


@pytest.mark.django_db
def test_emergency__does_not_reach_another_organisations_clients(outsider, episode):
    services.emergency_access_open(actor=outsider, client=episode.client, reason="Yritän nähdä tiedot.")
    assert not policy.can_view_episode(actor=fresh(outsider), episode=episode)


@pytest.mark.django_db
def test_emergency__needs_a_reason(colleague_elsewhere, episode):
    with pytest.raises(ApplicationError) as exc:
        services.emergency_access_open(actor=colleague_elsewhere, client=episode.client, reason="  ")
    assert exc.value.field == "reason"
    assert not EmergencyAccess.objects.exists()
