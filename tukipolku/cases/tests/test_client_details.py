"""Editing the client's details through the gate: allowed and denied, address protection (turvakielto),
the history of changes, concurrent edits, bad input kept next to the field, the access log and the
audit event."""

import pytest
from django.urls import reverse
from django.utils import translation

from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.clients.models import Client, ClientChange
from tukipolku.clients.services import StaleClientError, client_details_update
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory

ADDRESS = "Kauppakatu 5 B 12"


def details_post(client_obj, **overrides):
    data = {
        "revision": str(client_obj.revision),
        "first_names": client_obj.first_names,
        "last_name": client_obj.last_name,
        "language": client_obj.language,
        "phone": client_obj.phone,
        "email": client_obj.email,
        "street_address": client_obj.street_address,
        "postal_code": client_obj.postal_code,
        "post_office": client_obj.post_office,
        "municipality": client_obj.municipality,
    }
    if client_obj.address_protected:
        data["address_protected"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def url(episode):
    return reverse("cases:client_details", args=[episode.pk])


@pytest.fixture
def protected(episode, nurse, social_worker):
    """The client's address is protected; the social worker is their contact person."""
    c = episode.client
    c.street_address, c.postal_code, c.post_office, c.municipality = ADDRESS, "28100", "Pori", "Pori"
    c.address_protected = True
    c.save()
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=social_worker)
    return c


# ------------------------------------------------------------------ allowed


@pytest.mark.django_db
def test_client_details__team_member_changes_names_and_contact_details(client, nurse, episode):
    client.force_login(nurse)
    c = episode.client

    assert client.get(url(episode)).status_code == 200
    response = client.post(
        url(episode),
        details_post(c, first_names="Aino Maria", phone="040 111 2222", email="aino@example.fi", language="sv"),
    )

    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.first_names, c.phone, c.email, c.language, c.revision) == (
        "Aino Maria",
        "040 111 2222",
        "aino@example.fi",
        "sv",
        1,
    )
    change = ClientChange.objects.get()
    assert (change.changed_by, change.episode_id) == (nurse, episode.pk)
    assert set(change.fields) == {"first_names", "phone", "email", "language"}
    event = AuditEvent.objects.get(verb=EventType.CLIENT_DETAILS_CHANGED)
    assert (event.client_id, event.episode_id, event.actor) == (c.pk, episode.pk, nurse)
    assert set(event.payload["fields"]) == {"first_names", "phone", "email", "language"}
    assert "040 111 2222" not in str(event.payload)  # the event names fields, never values
    assert PersonalDataAccess.objects.filter(client_id=c.pk, view="cases:client_details", outcome="allowed").exists()


@pytest.mark.django_db
def test_client_details__history_shows_who_when_which_fields_and_earlier_values(client, nurse, episode):
    client.force_login(nurse)
    c = episode.client
    old_phone = c.phone or "–"
    client.post(url(episode), details_post(c, phone="040 999 8888"))

    with translation.override("en"):
        page = client.get(url(episode), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "History of changes" in page
    assert nurse.display_name in page
    assert f"before</span> {old_phone}" in page


@pytest.mark.django_db
def test_client_details__nothing_changed_writes_no_history(client, nurse, episode):
    client.force_login(nurse)

    response = client.post(url(episode), details_post(episode.client))

    assert response.status_code == 302
    assert not ClientChange.objects.exists()
    assert not AuditEvent.objects.filter(verb=EventType.CLIENT_DETAILS_CHANGED).exists()


# ------------------------------------------------------------------ denied


@pytest.mark.django_db
def test_client_details__other_organisation_gets_404_and_a_denied_row(client, outsider, episode):
    client.force_login(outsider)
    before = episode.client.phone

    assert client.get(url(episode)).status_code == 404
    assert client.post(url(episode), details_post(episode.client, phone="050 000 0000")).status_code == 404

    episode.client.refresh_from_db()
    assert episode.client.phone == before
    assert PersonalDataAccess.objects.filter(user=outsider, outcome="denied", view="cases:client_details").count() == 2


@pytest.mark.django_db
def test_client_details__partner_staff_and_administrator_get_403(client, admin_user, episode):
    org = OrganisationFactory(kind=OrganisationKind.EMPLOYMENT_SERVICES)
    partner = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=org)
    for user in (partner, admin_user):
        client.force_login(user)
        assert client.get(url(episode)).status_code == 403
        assert client.post(url(episode), details_post(episode.client, phone="050 000 0000")).status_code == 403
    assert not ClientChange.objects.exists()


@pytest.mark.django_db
def test_client_details__anonymous_is_sent_to_log_in(client, episode):
    response = client.get(url(episode))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# ------------------------------------------------------------------ bad input, concurrency


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_names", "A" * 121, "Ensure this value has at most 120 characters"),
        ("last_name", "", "This field is required"),
        ("email", "not-an-address", "Enter a valid email address"),
        ("phone", "call me", "Enter a phone number"),
        ("postal_code", "2810", "A postal code is five digits"),
        ("language", "xx", "Select a valid choice"),
    ],
)
def test_client_details__bad_input_is_explained_next_to_the_field_and_kept(
    client, nurse, episode, field, value, message
):
    client.force_login(nurse)

    with translation.override("en"):
        response = client.post(url(episode), details_post(episode.client, **{field: value}), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in e for e in form.errors[field])
    assert form[field].value() == value
    assert not ClientChange.objects.exists()


@pytest.mark.django_db
def test_client_details__a_save_over_a_newer_version_is_refused_and_the_input_kept(
    client, nurse, social_worker, episode
):
    c = episode.client
    opened = details_post(c)  # the nurse opens the form at revision 0
    client_details_update(
        actor=social_worker, client=c, expected_revision=0, values={"phone": "040 222 3333"}, may_see_address=True
    )
    client.force_login(nurse)

    with translation.override("en"):
        response = client.post(url(episode), {**opened, "phone": "040 444 5555"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed the client" in page
    assert "040 222 3333" in page  # what the other person saved
    assert response.context["form"]["phone"].value() == "040 444 5555"  # what this user typed
    c.refresh_from_db()
    assert c.phone == "040 222 3333"
    # A deliberate second save goes against the current version.
    second = client.post(url(episode), {**opened, "revision": str(c.revision), "phone": "040 444 5555"})
    assert second.status_code == 302
    c.refresh_from_db()
    assert c.phone == "040 444 5555"


@pytest.mark.django_db
def test_client_details_update__refuses_a_stale_revision(nurse, episode):
    client_details_update(
        actor=nurse, client=episode.client, expected_revision=0, values={"phone": "040 1"}, may_see_address=True
    )
    with pytest.raises(StaleClientError):
        client_details_update(
            actor=nurse, client=episode.client, expected_revision=0, values={"phone": "040 2"}, may_see_address=True
        )


# ------------------------------------------------------------------ address protection


@pytest.mark.django_db
def test_address_protection__contact_person_sees_and_changes_the_address(client, social_worker, episode, protected):
    client.force_login(social_worker)

    page = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    assert ADDRESS in page
    response = client.post(url(episode), details_post(protected, street_address="Itsenäisyydenkatu 1"))

    assert response.status_code == 302
    protected.refresh_from_db()
    assert protected.street_address == "Itsenäisyydenkatu 1"
    history = client.get(url(episode)).content.decode()
    assert ADDRESS in history  # the earlier value, for the one who may see it


@pytest.mark.django_db
def test_address_protection__rest_of_team_sees_the_mark_never_the_address(
    client, nurse, social_worker, episode, protected
):
    client_details_update(
        actor=social_worker,
        client=protected,
        expected_revision=protected.revision,
        values={"street_address": "Itsenäisyydenkatu 1"},
        may_see_address=True,
    )
    client.force_login(nurse)

    with translation.override("en"):
        for page_url in (
            reverse("cases:detail", args=[episode.pk]),
            url(episode),
            reverse("cases:team", args=[episode.pk]),
            reverse("plans:edit", args=[episode.pk]),
        ):
            page = client.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
            assert "Address protected (turvakielto)" in page, page_url
            assert ADDRESS not in page and "Itsenäisyydenkatu" not in page and "28100" not in page, page_url
        form = client.get(url(episode)).context["form"]
    assert "street_address" not in form.fields


@pytest.mark.django_db
def test_address_protection__others_cannot_change_the_address_or_lift_the_protection(client, nurse, episode, protected):
    client.force_login(nurse)

    # A crafted post with the address is ignored: the fields are not on this reader's form.
    sneaky = details_post(protected, street_address="Väärä katu 1")
    client.post(url(episode), sneaky)
    protected.refresh_from_db()
    assert protected.street_address == ADDRESS

    lift = details_post(protected, address_protected=None)
    lift.pop("address_protected", None)
    with translation.override("en"):
        response = client.post(url(episode), lift, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Only the client's contact person or own worker" in response.context["form"].errors["address_protected"][0]
    protected.refresh_from_db()
    assert protected.address_protected


@pytest.mark.django_db
def test_address_protection__any_editor_may_turn_it_on(client, nurse, episode):
    client.force_login(nurse)

    response = client.post(url(episode), details_post(episode.client, address_protected="on"))

    assert response.status_code == 302
    assert Client.objects.get(pk=episode.client_id).address_protected


@pytest.mark.django_db
def test_meeting_form__help_links_to_the_client_details_page(client, nurse, episode):
    Client.objects.filter(pk=episode.client_id).update(email="")
    client.force_login(nurse)

    page = client.get(reverse("meetings:schedule", args=[episode.pk])).content.decode()

    assert f'href="{url(episode)}"' in page
