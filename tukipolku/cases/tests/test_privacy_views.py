"""Consents page, legal-basis sharing, emergency access and the partner list over HTTP: allowed and
denied cases, bad input kept and explained next to the field."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, TeamFactory, UserFactory, member
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, LegalBasis, Purpose
from tukipolku.privacy.models import Consent, EmergencyAccess, LegalBasisGrant
from tukipolku.privacy.tests.helpers import consent_for


@pytest.fixture
def employment_org(db):
    return OrganisationFactory(name="Kaupungin työllisyyspalvelut", kind=OrganisationKind.EMPLOYMENT_SERVICES)


@pytest.fixture
def partner(employment_org):
    return UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org)


def consent_post(org, **overrides):
    data = {
        "consent-kind": ConsentKind.CONSENT,
        "consent-recipient_organisation": org.pk,
        "consent-recipient_kind": "",
        "consent-categories": [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        "consent-purpose": Purpose.EMPLOYMENT,
        "consent-purpose_details": "Työnhaun tuki",
        "consent-valid_from": timezone.localdate().strftime("%d.%m.%Y"),
        "consent-valid_until": "",
        "consent-given_how": GivenHow.WRITTEN,
        "consent-given_note": "Lomake arkistossa",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_consents_page__team_member_records_a_consent(client, nurse, episode, employment_org):
    client.force_login(nurse)
    url = reverse("cases:consents", args=[episode.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, consent_post(employment_org))

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.recipient_organisation, consent.categories, consent.recorded_by) == (
        employment_org,
        [DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT],
        nurse,
    )
    assert employment_org.name in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "kept"),
    [
        ({"consent-categories": []}, "categories", "Työnhaun tuki"),
        ({"consent-recipient_organisation": ""}, "recipient_organisation", "Työnhaun tuki"),
        ({"consent-valid_until": "1.1.2000"}, "valid_until", "1.1.2000"),
        ({"consent-valid_from": "31.2.2026"}, "valid_from", "31.2.2026"),
        ({"consent-given_how": GivenHow.ORAL, "consent-given_note": ""}, "given_note", "Työnhaun tuki"),
    ],
)
def test_consents_page__bad_input_is_explained_next_to_the_field_and_kept(
    client, nurse, episode, employment_org, overrides, field, kept
):
    client.force_login(nurse)
    response = client.post(reverse("cases:consents", args=[episode.pk]), consent_post(employment_org, **overrides))

    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_consent-{field}_error"' in body or f"consent-{field}" in body
    assert response.context["consent_form"].errors.get(field) or response.context["consent_form"].errors
    assert kept in body
    assert not Consent.objects.exists()


@pytest.mark.django_db
def test_consents_page__other_teams_professional_gets_404_and_a_denied_row(client, outsider, episode, employment_org):
    client.force_login(outsider)
    url = reverse("cases:consents", args=[episode.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, consent_post(employment_org)).status_code == 404
    assert not Consent.objects.exists()
    assert PersonalDataAccess.objects.filter(user=outsider, outcome="denied", client_id=episode.client_id).count() == 2


@pytest.mark.django_db
def test_consents_page__partner_cannot_open_or_record(client, nurse, partner, episode, employment_org):
    case_services.case_member_add(actor=nurse, episode=episode, user=partner)
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
    client.force_login(partner)
    url = reverse("cases:consents", args=[episode.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, consent_post(employment_org)).status_code == 403
    assert Consent.objects.count() == 1


@pytest.mark.django_db
def test_withdraw__applies_at_once_and_cannot_reach_another_clients_consent(
    client, nurse, team, satakunta, episode, employment_org
):
    mine = consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org)
    other_episode = open_episode(nurse, team, satakunta)
    theirs = consent_for(other_episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org)
    client.force_login(nurse)

    probe = client.post(reverse("cases:consent_withdraw", args=[episode.pk, theirs.pk]), {"withdraw-note": "x"})
    done = client.post(reverse("cases:consent_withdraw", args=[episode.pk, mine.pk]), {"withdraw-note": "Puhelu"})

    assert probe.status_code == 404
    assert done.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.withdrawn_at is not None and mine.withdrawal_note == "Puhelu"
    assert theirs.withdrawn_at is None


@pytest.mark.django_db
def test_legal_basis__only_authorised_users_see_and_use_the_form(client, nurse, physician, partner, episode):
    case_services.case_member_add(actor=nurse, episode=episode, user=partner)
    url = reverse("cases:legal_basis", args=[episode.pk])
    data = {
        "grant-grantee": partner.pk,
        "grant-categories": [DataCategory.SHARED_PLAN],
        "grant-legal_basis": LegalBasis.ACT_381_2023,
        "grant-reason": "Monialainen yhteispalvelu, asiakas ei tavoitettavissa.",
        "grant-valid_until": timezone.localdate().strftime("%d.%m.%Y"),
    }
    client.force_login(nurse)
    assert "grant-legal_basis" not in client.get(reverse("cases:consents", args=[episode.pk])).content.decode()
    assert client.post(url, data).status_code == 403

    physician.user_permissions.add(Permission.objects.get(codename="add_legalbasisgrant"))
    client.force_login(physician)
    assert "grant-legal_basis" in client.get(reverse("cases:consents", args=[episode.pk])).content.decode()
    short = client.post(url, {**data, "grant-reason": "lyhyt"})
    assert short.status_code == 400 and "lyhyt" in short.content.decode()
    assert client.post(url, data).status_code == 302
    assert LegalBasisGrant.objects.get().grantee == partner


@pytest.mark.django_db
def test_emergency__only_after_an_identity_code_lookup_and_with_a_reason(client, org, episode):
    colleague = member(TeamFactory(organisation=org, name="Toinen tiimi"), profession=Profession.NURSE)
    client.force_login(colleague)
    url = reverse("cases:emergency", args=[episode.client_id])

    assert client.get(url).status_code == 404  # not looked up in this session
    client.post(reverse("cases:intake"), {"q": episode.client.identity_code})
    assert client.get(url).status_code == 200
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 400 and not EmergencyAccess.objects.exists()

    response = client.post(url, {"reason": "Asiakas soitti kriisissä, tiimi ei tavoitettavissa."})

    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[episode.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Asiakas soitti kriisissä" in page
    assert 'action="/episodes/' not in page or "step/" not in page  # read only: no step forms
    assert PersonalDataAccess.objects.filter(user=colleague, basis="emergency_access", flagged=True).exists()


@pytest.mark.django_db
def test_partner_home__lists_only_consented_clients(client, nurse, team, satakunta, partner, employment_org):
    shared = open_episode(nurse, team, satakunta)
    hidden = open_episode(nurse, team, satakunta)
    for e in (shared, hidden):
        case_services.case_member_add(actor=nurse, episode=e, user=partner)
    consent_for(shared, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
    client.force_login(partner)

    body = client.get(reverse("cases:shared")).content.decode()

    assert shared.client.full_name in body
    assert hidden.client.full_name not in body
    assert client.get(reverse("cases:detail", args=[shared.pk])).status_code == 200
    assert client.get(reverse("cases:detail", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("plans:edit", args=[shared.pk])).status_code == 200
    assert client.post(reverse("cases:step", args=[shared.pk]), {}).status_code == 403


@pytest.mark.django_db
def test_partner_case_page__no_identity_code_no_history_no_other_registers(
    client, nurse, social_worker, partner, episode, employment_org
):
    from tukipolku.entries import services as entry_services
    from tukipolku.entries.choices import Register

    entry_services.entry_write(actor=nurse, episode=episode, register=Register.HEALTH, text="Terveysmerkintä X")
    entry_services.entry_write(actor=social_worker, episode=episode, register=Register.SOCIAL, text="Sosiaali Y")
    entry_services.entry_write(actor=nurse, episode=episode, register=Register.SHARED, text="Yhteinen Z")
    case_services.case_member_add(actor=nurse, episode=episode, user=partner)
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
    client.force_login(partner)

    body = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()

    assert "Yhteinen Z" in body
    assert "Terveysmerkintä X" not in body and "Sosiaali Y" not in body
    assert episode.client.identity_code not in body and episode.client.masked_identity_code not in body
    assert 'id="history-h"' not in body


@pytest.mark.django_db
def test_prohibition_is_shown_as_such(client, nurse, episode, employment_org):
    consent_for(episode, nurse, [DataCategory.HEALTH], recipient=employment_org, kind=ConsentKind.PROHIBITION)
    client.force_login(nurse)
    body = client.get(reverse("cases:consents", args=[episode.pk])).content.decode()
    assert "badge-danger" in body


@pytest.mark.django_db
def test_team_page__tells_what_each_partner_member_sees(client, nurse, partner, episode, employment_org):
    case_services.case_member_add(actor=nurse, episode=episode, user=partner)
    client.force_login(nurse)
    url = reverse("cases:team", args=[episode.pk])

    assert "partner-none" in client.get(url).content.decode()  # no consent yet: sees nothing
    consent_for(episode, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
    body = client.get(url).content.decode()
    assert employment_org.name in body
    assert "partner-sees" in body and "partner-none" not in body


@pytest.mark.django_db
def test_board__an_identity_code_in_the_name_filter_is_refused_not_searched(client, nurse, episode):
    client.force_login(nurse)
    response = client.get(reverse("cases:board"), {"name": episode.client.identity_code})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert (
        not PersonalDataAccess.objects.filter(view="cases:board", client_id=episode.client_id)
        .exclude(outcome="allowed")
        .exists()
    )


@pytest.mark.django_db
def test_partner_home__queries_do_not_grow_with_the_clients(client, nurse, team, satakunta, partner, employment_org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def share(n):
        for _ in range(n):
            e = open_episode(nurse, team, satakunta)
            case_services.case_member_add(actor=nurse, episode=e, user=partner)
            consent_for(e, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:shared")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(partner)
    count()  # the first request after login refreshes the session
    share(2)
    few = count()
    share(6)
    assert count() == few
