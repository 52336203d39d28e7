"""The review queue: exceptional accesses with who, whose data, when, why and how many pages were
opened under them; recording a review; denied attempts grouped by user."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tukipolku.audit.choices import AccessAction, AccessOutcome, EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.clients.tests.factories import ClientFactory
from tukipolku.core.tests.factories import UserFactory
from tukipolku.oversight import selectors
from tukipolku.oversight.tests.helpers import browser_as, log_rows, review_rows
from tukipolku.privacy.choices import ReviewOutcome

pytestmark = pytest.mark.django_db


def minutes(n):
    return datetime.timedelta(minutes=n)


def test_review_queue__shows_who_whose_when_why_and_pages_opened(reviewer, emergency, grant, colleague, partner):
    client_obj = emergency.client
    # Flagged pages under the emergency access; one before it opened and one unflagged do not count.
    log_rows(
        colleague, client_obj.pk, [emergency.opened_at + minutes(1), emergency.opened_at + minutes(2)], flagged=True
    )
    log_rows(colleague, client_obj.pk, [emergency.opened_at - minutes(5)], flagged=True)
    log_rows(colleague, client_obj.pk, [emergency.opened_at + minutes(3)], flagged=False)
    log_rows(partner, client_obj.pk, [grant.granted_at + minutes(1)], flagged=True)

    response = browser_as(reviewer).get(reverse("oversight:review"))

    assert response.status_code == 200
    emergency_item, _form = response.context["emergency"][0]
    grant_item, _form = response.context["grants"][0]
    assert emergency_item.pages_opened == 2
    assert grant_item.pages_opened == 1
    body = response.content.decode()
    assert client_obj.full_name in body
    assert client_obj.birth_date.strftime("%-d.%-m.%Y") in body
    assert colleague.display_name in body and partner.display_name in body
    assert emergency.reason in body and grant.reason in body
    assert "Social Welfare Act 1301/2014 § 41" in body
    assert client_obj.identity_code not in body


def test_review_queue__writes_one_access_row_per_client_shown(reviewer, emergency, grant, team, nurse, satakunta):
    from conftest import open_episode
    from tukipolku.privacy import services as privacy_services

    other = open_episode(nurse, team, satakunta, client=ClientFactory())
    privacy_services.emergency_access_open(actor=nurse, client=other.client, reason="Tarvitsen tiedot heti nyt.")

    browser_as(reviewer).get(reverse("oversight:review"))

    rows = review_rows(reviewer)
    assert sorted(r.client_id for r in rows) == sorted({emergency.client_id, other.client_id})
    assert {(r.view, r.action, r.outcome, r.resource) for r in rows} == {
        ("oversight:review", "view", "allowed", "review_queue")
    }


def test_review_record__stores_outcome_and_event(reviewer, emergency):
    c = browser_as(reviewer)
    response = c.post(
        reverse("oversight:review_emergency", args=[emergency.pk]),
        {f"e{emergency.pk}-outcome": ReviewOutcome.QUESTIONABLE, f"e{emergency.pk}-note": "Kysytään perustelu."},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("oversight:review")
    emergency.refresh_from_db()
    assert emergency.review_outcome == ReviewOutcome.QUESTIONABLE
    assert emergency.reviewed_by == reviewer
    assert emergency.review_note == "Kysytään perustelu."
    assert AuditEvent.objects.filter(verb=EventType.ACCESS_REVIEWED, actor=reviewer, target_id=emergency.pk).exists()
    page = c.get(reverse("oversight:review")).content.decode()
    assert "The review is recorded." in page
    assert "No emergency accesses await review." in page


def test_review_record__refuses_a_second_review(reviewer, grant):
    c = browser_as(reviewer)
    url = reverse("oversight:review_grant", args=[grant.pk])
    c.post(url, {f"g{grant.pk}-outcome": ReviewOutcome.APPROPRIATE})

    response = c.post(url, {f"g{grant.pk}-outcome": ReviewOutcome.MISUSE, f"g{grant.pk}-note": "Väärinkäyttö."})

    grant.refresh_from_db()
    assert grant.review_outcome == ReviewOutcome.APPROPRIATE
    assert response.status_code == 302
    assert "Someone has already reviewed this." in c.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(verb=EventType.ACCESS_REVIEWED).count() == 1


def test_review_record__note_required_unless_appropriate_error_next_to_field(reviewer, emergency):
    response = browser_as(reviewer).post(
        reverse("oversight:review_emergency", args=[emergency.pk]), {f"e{emergency.pk}-outcome": ReviewOutcome.MISUSE}
    )

    assert response.status_code == 400
    item, form = response.context["emergency"][0]
    assert item.pk == emergency.pk
    assert form.errors["note"] == ["Write what needs to be clarified."]
    assert form["outcome"].value() == ReviewOutcome.MISUSE  # what was chosen stays
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    emergency.refresh_from_db()
    assert emergency.reviewed_at is None


def test_review_record__outcome_is_required(reviewer, grant):
    response = browser_as(reviewer).post(reverse("oversight:review_grant", args=[grant.pk]), {})

    assert response.status_code == 400
    _item, form = response.context["grants"][0]
    assert "outcome" in form.errors


def test_review_queue__reviewed_are_shown_only_when_asked(reviewer, emergency, colleague, episode):
    from tukipolku.privacy import services as privacy_services

    privacy_services.review_record(actor=reviewer, item=emergency, outcome=ReviewOutcome.APPROPRIATE, note="")
    newer = privacy_services.emergency_access_open(
        actor=colleague, client=episode.client, reason="Toinen kerta, asiakas soitti uudelleen."
    )
    c = browser_as(reviewer)

    default = c.get(reverse("oversight:review"))
    both = c.get(reverse("oversight:review") + "?reviewed=1")

    assert [i.pk for i, _f in default.context["emergency"]] == [newer.pk]
    assert [i.pk for i, _f in both.context["emergency"]] == [newer.pk, emergency.pk]  # unreviewed first
    assert both.context["emergency"][1][1] is None  # no form for a reviewed one
    assert "Reviewed by Tiina Tietosuojavastaava" in both.content.decode()


def test_denied_attempts__grouped_by_user_with_counts(reviewer, nurse, outsider):
    now = timezone.now()
    clients = [ClientFactory() for _ in range(3)]
    for c in clients:
        log_rows(outsider, c.pk, [now - minutes(10), now - minutes(5)], outcome=AccessOutcome.DENIED, basis="none")
    log_rows(nurse, clients[0].pk, [now - minutes(1)], outcome=AccessOutcome.DENIED, basis="none")
    log_rows(nurse, clients[0].pk, [now - datetime.timedelta(days=31)], outcome=AccessOutcome.DENIED, basis="none")
    log_rows(nurse, clients[1].pk, [now], outcome=AccessOutcome.ALLOWED)
    # A list leaving out clients the reader does not reach is not an attempt.
    log_rows(nurse, clients[2].pk, [now], outcome=AccessOutcome.DENIED, basis="none", action=AccessAction.LIST)

    summary = selectors.denied_attempts_by_user(since=now - datetime.timedelta(days=30), region_id=None)

    assert [(s.user_name, s.attempts, s.clients, s.repeated) for s in summary] == [
        (outsider.display_name, 6, 3, True),
        (nurse.display_name, 1, 1, False),
    ]
    body = browser_as(reviewer).get(reverse("oversight:review")).content.decode()
    assert outsider.display_name in body and "repeated" in body
    for c in clients:  # no client data in the summary
        assert c.full_name not in body


def test_denied_attempts__anonymous_attempts_have_their_own_line(reviewer):
    log_rows(None, None, [timezone.now()], outcome=AccessOutcome.DENIED, basis="none")
    UserFactory()

    summary = selectors.denied_attempts_by_user(since=timezone.now() - datetime.timedelta(days=1), region_id=None)

    assert [(s.user_name, s.attempts) for s in summary] == [("Not logged in", 1)]
