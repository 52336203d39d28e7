"""Referral pages over HTTP: the permission matrix (team member, another team, partner of the
recipient organisation, partner of another organisation, partner after consent withdrawal,
anonymous, administrator), bad input kept, stale status forms, and constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.models import Disclosure, PersonalDataAccess
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import DataCategory, Purpose
from tukipolku.privacy.tests.helpers import consent_for
from tukipolku.referrals.choices import ReferralStatus
from tukipolku.referrals.models import Referral
from tukipolku.referrals.tests.conftest import send

pytestmark = pytest.mark.django_db


def send_post(org, **overrides):
    data = {
        "kind": "employment_services",
        "recipient_organisation": org.pk if org else "",
        "recipient_user": "",
        "recipient_name": "",
        "reason": "Työnhaun tuki, asiakas toivoo palkkatukityötä.",
        "categories": [DataCategory.SHARED_PLAN],
        "due_on": (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d.%m.%Y"),
        "note": "Soita asiakkaalle aamupäivisin.",
    }
    data.update(overrides)
    return data


def status_post(status, expected, note=""):
    return {"status-status": status, "status-expected_status": expected, "status-note": note}


# ---------------------------------------------------------------- sending (the team)


def test_create__team_member_sends_with_what_the_consent_allows(
    client, nurse, episode, employment_org, partner, consent
):
    client.force_login(nurse)
    url = reverse("referrals:create", args=[episode.pk])

    page = client.get(url + f"?recipient_organisation={employment_org.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="health" id="id_categories_1" disabled' in body  # no consent: shown disabled
    assert 'value="shared_plan" id="id_categories_0">' in body

    response = client.post(url, send_post(employment_org))
    assert response.status_code == 302
    assert response["Location"].endswith("#referrals")
    referral = Referral.objects.get()
    assert (referral.recipient_organisation, referral.categories, referral.sent_by) == (
        employment_org,
        [DataCategory.SHARED_PLAN],
        nurse,
    )
    assert Disclosure.objects.filter(recipient_organisation_id=employment_org.pk, view="referrals:create").count() == 1
    case_page = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    assert employment_org.name in case_page


def test_create__htmx_returns_the_categories_for_the_chosen_organisation(
    client, nurse, episode, employment_org, kela_org, consent
):
    client.force_login(nurse)
    url = reverse("referrals:create", args=[episode.pk])

    response = client.get(url, {"recipient_organisation": kela_org.pk}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.count(" disabled") == len(DataCategory.values)
    assert "shared_plan" in body


@pytest.mark.parametrize(
    ("overrides", "field", "kept"),
    [
        ({"categories": [DataCategory.HEALTH]}, "categories", "palkkatukityötä"),
        ({"reason": ""}, "reason", "aamupäivisin"),
        ({"due_on": "31.2.2026"}, "due_on", "31.2.2026"),
        ({"due_on": "1.1.2000"}, "due_on", "1.1.2000"),
        ({"recipient_organisation": ""}, "recipient_organisation", "palkkatukityötä"),
        ({"recipient_name": "Joku muu"}, "recipient_name", "Joku muu"),
    ],
)
def test_create__bad_input_is_explained_next_to_the_field_and_kept(
    client, nurse, episode, employment_org, consent, overrides, field, kept
):
    client.force_login(nurse)
    response = client.post(reverse("referrals:create", args=[episode.pk]), send_post(employment_org, **overrides))

    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    assert kept in response.content.decode()
    assert not Referral.objects.exists()


def test_create__check_button_shows_the_consent_and_sends_nothing(client, nurse, episode, employment_org, consent):
    client.force_login(nurse)
    response = client.post(reverse("referrals:create", args=[episode.pk]), send_post(employment_org, check="1"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "palkkatukityötä" in body
    assert 'value="employment" id="id_categories_3">' in body
    assert not Referral.objects.exists()


def test_create__denied(client, episode, outsider, partner, admin_user, employment_org, consent):
    url = reverse("referrals:create", args=[episode.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, send_post(employment_org)).status_code == 404
    assert PersonalDataAccess.objects.filter(user=outsider, outcome="denied", client_id=episode.client_id).count() == 2

    for user in (partner, admin_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, send_post(employment_org)).status_code == 403
    assert not Referral.objects.exists()


def test_create__closed_episode_is_404_logged_as_a_refusal(client, nurse, episode, employment_org, consent):
    from tukipolku.cases.choices import Outcome

    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.MOVED_AWAY,
        outcome_on=timezone.localdate(),
        follow_ups=[],
    )
    client.force_login(nurse)
    url = reverse("referrals:create", args=[episode.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, send_post(employment_org)).status_code == 404
    rows = PersonalDataAccess.objects.filter(view="referrals:create", client_id=episode.client_id)
    assert [(r.outcome, r.reason) for r in rows] == [("denied", "closed")] * 2
    assert not Referral.objects.exists()


# ---------------------------------------------------------------- the team's detail page


def test_team_detail__outside_recipient_status_recorded_by_the_team(client, nurse, episode):
    referral = send(nurse, episode, recipient_name="Keskussairaalan fysiatrian poliklinikka", categories=[])
    client.force_login(nurse)
    url = reverse("referrals:detail", args=[episode.pk, referral.pk])

    assert "fysiatrian" in client.get(url).content.decode()
    response = client.post(url, status_post("received", "sent"))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_team_detail__stale_status_is_reported_not_overwritten(client, nurse, physician, episode):
    referral = send(nurse, episode, recipient_name="Ulkopuolinen", categories=[])
    client.force_login(physician)
    url = reverse("referrals:detail", args=[episode.pk, referral.pk])
    assert client.post(url, status_post("received", "sent")).status_code == 302

    client.force_login(nurse)
    response = client.post(url, status_post("declined", "sent", "Ei tarvetta"))
    assert response.status_code == 409
    assert "Ei tarvetta" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_team_detail__partner_managed_referral_cannot_be_updated_by_the_team(client, nurse, episode, referral):
    client.force_login(nurse)
    url = reverse("referrals:detail", args=[episode.pk, referral.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["status_form"] is None
    assert client.post(url, status_post("done", "sent")).status_code == 403


def test_team_detail__denied(client, nurse, team, satakunta, episode, outsider, partner, admin_user, referral):
    url = reverse("referrals:detail", args=[episode.pk, referral.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(partner)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 403
    # Another client's referral through this episode: 404, logged against its own client.
    other = open_episode(nurse, team, satakunta)
    client.force_login(nurse)
    assert client.get(reverse("referrals:detail", args=[other.pk, referral.pk])).status_code == 404
    assert PersonalDataAccess.objects.filter(
        user=nurse, outcome="denied", client_id=episode.client_id, reason="other_episode"
    ).exists()


# ---------------------------------------------------------------- the recipient organisation


def test_received__partner_of_the_recipient_sees_and_updates(client, nurse, episode, partner, referral):
    client.force_login(partner)
    listing = client.get(reverse("referrals:received"))
    assert listing.status_code == 200
    assert episode.client.full_name in listing.content.decode()

    url = reverse("referrals:received_detail", args=[referral.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "palkkatukimahdollisuuksien" in body
    assert Disclosure.objects.filter(view="referrals:received_detail", recipient_user_id=partner.pk).count() == 1

    assert client.post(url, status_post("received", "sent")).status_code == 302
    assert client.post(url, status_post("done", "received", "Asiakas ohjattu työvalmentajalle")).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DONE
    assert list(referral.status_changes.values_list("status", flat=True)) == ["sent", "received", "done"]

    client.force_login(nurse)
    team_page = client.get(reverse("referrals:detail", args=[episode.pk, referral.pk])).content.decode()
    assert "Asiakas ohjattu työvalmentajalle" in team_page


def test_received__open_referral_lets_the_partner_open_the_case_page_until_done(client, episode, partner, referral):
    client.force_login(partner)
    assert client.get(reverse("cases:detail", args=[episode.pk])).status_code == 200
    client.post(reverse("referrals:received_detail", args=[referral.pk]), status_post("done", "sent"))
    assert client.get(reverse("cases:detail", args=[episode.pk])).status_code == 404


def test_received__partner_of_another_organisation_gets_404(client, episode, kela_partner, referral):
    client.force_login(kela_partner)
    assert episode.client.full_name not in client.get(reverse("referrals:received")).content.decode()
    url = reverse("referrals:received_detail", args=[referral.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, status_post("received", "sent")).status_code == 404
    assert (
        PersonalDataAccess.objects.filter(
            user=kela_partner, outcome="denied", client_id=episode.client_id, reason="not_recipient"
        ).count()
        == 2
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_received__after_consent_withdrawn_shows_no_content(client, nurse, episode, partner, referral, consent):
    privacy_services.consent_withdraw(actor=nurse, consent=consent, episode_id=episode.pk, note="Peruttu")
    client.force_login(partner)

    listing = client.get(reverse("referrals:received")).content.decode()
    assert episode.client.full_name not in listing
    page = client.get(reverse("referrals:received_detail", args=[referral.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert episode.client.full_name not in body
    assert "palkkatukimahdollisuuksien" not in body
    assert not Disclosure.objects.filter(recipient_user_id=partner.pk).exists()
    assert (
        PersonalDataAccess.objects.filter(
            user=partner, client_id=episode.client_id, outcome="denied", reason="no_consent"
        ).count()
        == 2
    )
    # The recipient can still close it.
    response = client.post(
        reverse("referrals:received_detail", args=[referral.pk]), status_post("declined", "sent", "Suostumus peruttu")
    )
    assert response.status_code == 302


def test_received__withdrawn_category_is_named_and_hidden(client, nurse, episode, employment_org, partner, consent):
    referral = send(nurse, episode, employment_org, categories=[DataCategory.SHARED_PLAN, DataCategory.EMPLOYMENT])
    privacy_services.consent_withdraw(actor=nurse, consent=consent, episode_id=episode.pk, note="Peruttu")
    consent_for(episode, nurse, [DataCategory.EMPLOYMENT], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
    client.force_login(partner)

    page = client.get(reverse("referrals:received_detail", args=[referral.pk]))
    assert page.context["item"].shown == [DataCategory.EMPLOYMENT]
    assert page.context["item"].withdrawn == [DataCategory.SHARED_PLAN]
    assert page.context["plan"] is None


def test_received__denied_for_team_members_admins_and_anonymous(client, nurse, admin_user, referral):
    for url in (reverse("referrals:received"), reverse("referrals:received_detail", args=[referral.pk])):
        client.logout()
        assert client.get(url)["Location"].startswith(reverse("login"))
        for user in (nurse, admin_user):
            client.force_login(user)
            assert client.get(url).status_code == 403


# ---------------------------------------------------------------- overdue and query counts


def test_case_page_and_caseload_show_an_overdue_referral(client, nurse, episode, referral):
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=nurse)
    Referral.objects.filter(pk=referral.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(nurse)

    case_page = client.get(reverse("cases:detail", args=[episode.pk]))
    section = next(s for s in case_page.context["sections"] if s["name"] == "referrals")
    assert section["context"]["rows"][0]["overdue"] is True
    assert 'class="is-overdue"' in case_page.content.decode()
    caseload = client.get(reverse("cases:caseload"))
    row = next(r for r in caseload.context["rows"] if r.episode.pk == episode.pk)
    assert row.overdue and row.next_due == referral.due_on - datetime.timedelta(days=16)
    assert "Referral" in row.next_title or "Lähete" in row.next_title


def test_case_page__empty_state_points_to_further_examinations(client, nurse, episode):
    client.force_login(nurse)
    body = client.get(reverse("cases:detail", args=[episode.pk])).content.decode()
    assert reverse("referrals:create", args=[episode.pk]) in body


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_received_list__constant_queries(client, nurse, team, satakunta, episode, employment_org, partner, referral):
    client.force_login(partner)
    url = reverse("referrals:received")
    client.get(url)
    few, response = _count(client, url)
    assert len(response.context["items"]) == 1
    for _ in range(4):
        other = open_episode(nurse, team, satakunta)
        consent_for(other, nurse, [DataCategory.SHARED_PLAN], recipient=employment_org, purpose=Purpose.EMPLOYMENT)
        send(nurse, other, employment_org)
    many, response = _count(client, url)
    assert len(response.context["items"]) == 5
    assert many == few
    listed = PersonalDataAccess.objects.filter(user=partner, view="referrals:received", action="list")
    assert listed.values("client_id").distinct().count() == 5


def test_case_page__referral_section_constant_queries(client, nurse, episode, employment_org, referral):
    client.force_login(nurse)
    url = reverse("cases:detail", args=[episode.pk])
    client.get(url)
    few, _r = _count(client, url)
    for i in range(4):
        send(nurse, episode, recipient_name=f"Ulkopuolinen {i}", categories=[])
    many, response = _count(client, url)
    section = next(s for s in response.context["sections"] if s["name"] == "referrals")
    assert len(section["context"]["rows"]) == 5
    assert many == few


@pytest.mark.django_db
def test_a_referral_to_a_named_person_is_theirs_only(client, nurse, episode, employment_org, partner, consent):
    """Addressed to one person of the organisation: their colleagues neither list it nor read the client."""
    from tukipolku.core.choices import Profession
    from tukipolku.core.tests.factories import UserFactory

    colleague = UserFactory(profession=Profession.EMPLOYMENT_COORDINATOR, organisation=employment_org)
    referral = send(nurse, episode, employment_org, recipient_user=partner)

    client.force_login(colleague)
    assert client.get(reverse("referrals:received_detail", args=[referral.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[episode.pk])).status_code == 404
    client.force_login(partner)
    assert client.get(reverse("referrals:received_detail", args=[referral.pk])).status_code == 200
