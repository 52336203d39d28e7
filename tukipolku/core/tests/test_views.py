import pytest
from django.urls import reverse

from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_home__anonymous_goes_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_home__professional_goes_to_caseload(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("home"))["Location"] == reverse("cases:caseload")


def test_home__administrator_goes_to_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_home__partner_staff_sees_no_client_data(client):
    partner = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=OrganisationFactory())
    client.force_login(partner)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:shared")
    assert "Nothing shared with you yet" in response.content.decode() or response.status_code == 200
    assert b"/episodes/" not in response.content
    assert client.get(reverse("cases:caseload")).status_code == 403


@pytest.mark.django_db
def test_login__wrong_password_shows_error_and_keeps_username(client, nurse):
    response = client.post(reverse("login"), {"login": "nurse", "password": "wrong"})
    assert response.status_code == 200
    assert b'value="nurse"' in response.content
    assert b"errorlist" in response.content


def test_session__idle_timeout_slides_but_not_on_every_request(client, nurse):
    from django.contrib.sessions.models import Session

    client.force_login(nurse)
    client.get(reverse("cases:caseload"))
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    client.get(reverse("cases:caseload"))
    assert Session.objects.get(session_key=key).expire_date == first  # no write within the minute
    session = client.session
    session["_refreshed_at"] = 0  # a minute and more ago
    session.save()
    saved = Session.objects.get(session_key=key).expire_date
    client.get(reverse("cases:caseload"))
    assert Session.objects.get(session_key=key).expire_date >= saved
    assert client.session["_refreshed_at"] > 0
