"""Revocation takes effect on the very next request (ASVS 8.3.2, reliability.md §1.3 and §5.4).

Each test reads the client once in a logged-in browser session, takes the ground away, and sends
the next request from the same session: it is refused (or the data is gone), and the refusal is in
the access log of that request. The gate keeps nothing between requests, so there is no window.
"""

from __future__ import annotations

import datetime

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tests.access import world as W
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.cases.models import CaseTeamMember
from tukipolku.core.models import TeamMembership, User
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import ConsentKind, DataCategory, GivenHow, LegalBasis, Purpose
from tukipolku.privacy.models import Consent, EmergencyAccess

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tripwire(client):
    """These tests open their own browsers; asking for `client` turns the audit tripwire on (PostgreSQL)."""


def browser(user):
    c = HttpClient()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    c.force_login(user)
    return c


def logged_in(user):
    """A session opened through the login page: allauth tracks it, so it can be ended."""
    c = HttpClient()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = c.post(reverse("login"), {"login": user.username, "password": "test-password-123"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert UserSession.objects.filter(user=user).exists()
    return c


def detail(w):
    return reverse("cases:detail", args=[w.episode.pk])


def rows_of(response):
    return PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"])


def assert_hidden(response, w):
    """404, nothing of the client in the page, and a denied row for this request."""
    assert response.status_code == 404, response.status_code
    body = response.content.decode()
    assert not [t for t in W.client_texts(w.client, *W.markers()) if t in body]
    rows = rows_of(response)
    assert rows.filter(outcome="denied", client_id=w.client.pk).exists(), list(rows.values())
    assert not rows.filter(outcome="allowed", client_id=w.client.pk).exists()


def today():
    return timezone.localdate()


# ---------------------------------------------------------------- team and client's team


def test_revocation__membership_ended_hides_the_client_on_the_next_request(world):
    w = world
    social_worker = w.users["social_worker"]
    c = browser(social_worker)
    assert c.get(detail(w)).status_code == 200
    assert W.LAST_NAME in c.get(reverse("cases:caseload")).content.decode()

    # The end date arrives (no save, no signal: the date simply passes).
    TeamMembership.objects.filter(user=social_worker, team=w.team).update(ended_on=today())

    assert_hidden(c.get(detail(w)), w)
    caseload = c.get(reverse("cases:caseload"))
    assert caseload.status_code == 200
    assert W.LAST_NAME not in caseload.content.decode()
    assert not rows_of(caseload).filter(client_id=w.client.pk).exists()
    # The leftover row in the client's team grants nothing (zulip CVE-2024-27286).
    assert CaseTeamMember.objects.filter(episode=w.episode, user=social_worker, removed_at__isnull=True).exists()


def test_revocation__membership_ended_by_an_administrator_ends_the_session(world):
    w = world
    job_coach = w.users["job_coach"]
    c = logged_in(job_coach)
    assert c.get(detail(w)).status_code == 200

    membership = TeamMembership.objects.get(user=job_coach, team=w.team)
    membership.ended_on = today()
    membership.save()  # the signal ends the sessions of a user left without a team

    response = c.get(detail(w))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert W.LAST_NAME not in response.content.decode()


def test_revocation__removed_from_the_clients_team(world):
    w = world
    colleague = w.users["case_member"]
    c = browser(colleague)
    assert c.get(detail(w)).status_code == 200

    member = CaseTeamMember.objects.get(episode=w.episode, user=colleague, removed_at__isnull=True)
    response = browser(w.users["nurse"]).post(
        reverse("cases:team", args=[w.episode.pk]), {"op": "remove", "member": member.pk}
    )
    assert response.status_code == 302

    assert_hidden(c.get(detail(w)), w)
    assert W.LAST_NAME not in c.get(reverse("cases:caseload")).content.decode()


# ---------------------------------------------------------------- consents and prohibitions


def test_revocation__consent_withdrawn_hides_the_client_from_the_partner(world):
    w = world
    partner = w.users["partner_plan"]
    c = browser(partner)
    assert c.get(detail(w)).status_code == 200
    assert W.LAST_NAME in c.get(reverse("cases:shared")).content.decode()
    consent = Consent.objects.get(client=w.client, recipient_organisation=w.employment_org)

    response = browser(w.users["nurse"]).post(
        reverse("cases:consent_withdraw", args=[w.episode.pk, consent.pk]), {"withdraw-note": "Asiakas soitti."}
    )
    assert response.status_code == 302

    assert_hidden(c.get(detail(w)), w)
    assert c.get(reverse("plans:edit", args=[w.episode.pk])).status_code == 404
    shared = c.get(reverse("cases:shared"))
    assert W.LAST_NAME not in shared.content.decode()
    assert not rows_of(shared).filter(client_id=w.client.pk, outcome="allowed").exists()
    assert rows_of(shared).filter(client_id=w.client.pk, outcome="denied", reason="no_consent").exists()


def test_revocation__consent_withdrawn_takes_the_other_register_from_the_social_worker(world):
    w = world
    c = browser(w.users["social_worker"])
    before = c.get(detail(w))
    assert W.HEALTH_MARKER in before.content.decode()
    assert rows_of(before).filter(resource="entries:health", basis="consent").exists()

    privacy_services.consent_withdraw(actor=w.users["nurse"], consent=w.consent, episode_id=w.episode.pk)

    after = c.get(detail(w))
    assert after.status_code == 200  # the team's own data stays
    body = after.content.decode()
    assert W.HEALTH_MARKER not in body
    assert W.SOCIAL_MARKER in body
    assert not rows_of(after).filter(resource="entries:health").exists()


def _prohibit(w, organisation, categories):
    return privacy_services.consent_record(
        actor=w.users["nurse"],
        client=w.client,
        episode_id=w.episode.pk,
        kind=ConsentKind.PROHIBITION,
        recipient_organisation=organisation,
        recipient_kind="",
        categories=categories,
        purpose=Purpose.WORK_ABILITY,
        valid_from=today(),
        valid_until=None,
        given_how=GivenHow.WRITTEN,
    )


def test_revocation__prohibition_after_a_consent_hides_the_client_from_the_partner(world):
    w = world
    c = browser(w.users["partner_plan"])
    assert c.get(detail(w)).status_code == 200

    _prohibit(w, w.employment_org, [DataCategory.SHARED_PLAN])

    assert_hidden(c.get(detail(w)), w)


def test_revocation__prohibition_inside_the_organisation_hides_the_other_register(world):
    w = world
    c = browser(w.users["job_coach"])
    assert W.HEALTH_MARKER in c.get(detail(w)).content.decode()

    _prohibit(w, w.org, [DataCategory.HEALTH])

    after = c.get(detail(w))
    assert after.status_code == 200
    assert W.HEALTH_MARKER not in after.content.decode()
    assert W.SHARED_MARKER in after.content.decode()


# ---------------------------------------------------------------- legal basis and emergency access


def _grant_to_partner(w):
    return privacy_services.legal_basis_grant(
        actor=w.users["nurse"],
        client=w.client,
        episode_id=w.episode.pk,
        grantee=w.users["partner_none"],
        categories=[DataCategory.SHARED_PLAN],
        legal_basis=LegalBasis.ACT_381_2023,
        reason="Monialainen yhteispalvelu, asiakas ei tavoitettavissa.",
        valid_until=today() + datetime.timedelta(days=7),
    )


def test_revocation__legal_basis_grant_ended(world):
    w = world
    grant = _grant_to_partner(w)
    c = browser(w.users["partner_none"])
    first = c.get(detail(w))
    assert first.status_code == 200
    assert rows_of(first).filter(client_id=w.client.pk, outcome="allowed", flagged=True).exists()

    response = browser(w.users["nurse"]).post(reverse("cases:legal_basis_end", args=[w.episode.pk, grant.pk]))
    assert response.status_code == 302

    assert_hidden(c.get(detail(w)), w)


def test_revocation__legal_basis_grant_expired(world):
    w = world
    grant = _grant_to_partner(w)
    c = browser(w.users["partner_none"])
    assert c.get(detail(w)).status_code == 200

    type(grant).objects.filter(pk=grant.pk).update(valid_until=today() - datetime.timedelta(days=1))

    assert_hidden(c.get(detail(w)), w)


def test_revocation__emergency_access_expired(world):
    w = world
    c = browser(w.users["emergency"])
    assert c.get(detail(w)).status_code == 200

    EmergencyAccess.objects.filter(user=w.users["emergency"]).update(expires_at=timezone.now())

    assert_hidden(c.get(detail(w)), w)


def test_revocation__emergency_access_runs_out_while_the_clock_moves(world, monkeypatch):
    w = world
    EmergencyAccess.objects.filter(user=w.users["emergency"]).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    c = browser(w.users["emergency"])
    assert c.get(detail(w)).status_code == 200

    later = timezone.now() + datetime.timedelta(minutes=2)  # within the session's idle timeout
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert_hidden(c.get(detail(w)), w)


# ---------------------------------------------------------------- the account


def test_revocation__deactivated_account_is_sent_to_log_in(world):
    w = world
    nurse = w.users["nurse"]
    c = logged_in(nurse)
    assert c.get(detail(w)).status_code == 200

    nurse = User.objects.get(pk=nurse.pk)
    nurse.is_active = False
    nurse.save()

    response = c.get(detail(w))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not rows_of(response).filter(outcome="allowed").exists()
    assert not UserSession.objects.filter(user=nurse).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(nurse.pk)]


def test_revocation__deactivated_without_the_signal_is_still_refused(world):
    """A change made straight in the database (no signal, the session row stays) is refused too."""
    w = world
    c = browser(w.users["social_worker"])
    assert c.get(detail(w)).status_code == 200

    User.objects.filter(pk=w.users["social_worker"].pk).update(is_active=False)

    response = c.get(detail(w))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert W.LAST_NAME not in response.content.decode()


def test_revocation__partner_removed_from_the_clients_team(world):
    w = world
    partner = w.users["partner_health"]
    c = browser(partner)
    assert W.HEALTH_MARKER in c.get(detail(w)).content.decode()

    member = CaseTeamMember.objects.get(episode=w.episode, user=partner, removed_at__isnull=True)
    case_services.case_member_remove(actor=w.users["nurse"], episode=w.episode, member=member)

    assert_hidden(c.get(detail(w)), w)
