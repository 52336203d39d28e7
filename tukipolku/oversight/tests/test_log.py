"""The access and disclosure log search: filters, the client chosen by identity code in a POST (only
the internal id reaches a URL), pages of 100, and access-log rows for every client shown."""

import datetime
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from tukipolku.audit.choices import AccessOutcome
from tukipolku.clients.tests.factories import ClientFactory, make_identity_code
from tukipolku.oversight.selectors import HELSINKI
from tukipolku.oversight.tests.helpers import browser_as, disclosure_rows, log_rows, review_rows

pytestmark = pytest.mark.django_db

LOG = "/oversight/log/"


def hours(n):
    return datetime.timedelta(hours=n)


@pytest.fixture
def two_clients(nurse, physician):
    now = timezone.now()
    a, b = ClientFactory(last_name="Aaltonen"), ClientFactory(last_name="Bäckman")
    log_rows(nurse, a.pk, [now - hours(1), now - hours(2)])
    log_rows(physician, b.pk, [now - hours(3)], flagged=True, basis="legal_basis")
    log_rows(nurse, b.pk, [now - hours(4)], outcome=AccessOutcome.DENIED, basis="none", reason="no_relationship")
    return a, b


def _urls_in(body):
    return re.findall(r'(?:href|action|src|formaction)="([^"]*)"', body)


def test_log__opening_the_page_shows_no_client(reviewer, two_clients):
    response = browser_as(reviewer).get(LOG)

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert review_rows(reviewer) == []


def test_log__lists_rows_with_every_column(reviewer, nurse, two_clients):
    a, _b = two_clients
    response = browser_as(reviewer).get(LOG, {"user": nurse.pk})

    rows = response.context["rows"]
    assert [r.client.name for r in rows] == [a.full_name, a.full_name, _b.full_name]
    first = rows[0]
    assert first.user_name == nurse.display_name
    assert first.profession == "Public health nurse"
    assert first.organisation == "Testikeskus"
    assert first.what == "Case page: client relationship"
    assert first.action == "Viewed" and first.basis == "Member of the client's team" and first.outcome == "allowed"
    denied = rows[2]
    assert denied.outcome_label == "Denied" and denied.reason == "No client relationship"
    body = response.content.decode()
    local = timezone.localtime(first.at, HELSINKI)
    assert f"{local:%-d.%-m.%Y %H:%M}" in body  # Finnish time


def test_log__filters_by_outcome_flagged_and_period(reviewer, nurse, two_clients):
    c = browser_as(reviewer)
    assert [r.outcome for r in c.get(LOG, {"outcome": "denied"}).context["rows"]] == ["denied"]
    assert [r.flagged for r in c.get(LOG, {"flagged": "on"}).context["rows"]] == [True]
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    future = c.get(LOG, {"since": f"{tomorrow:%d.%m.%Y}"})
    assert future.context["rows"] == []
    bad = c.get(LOG, {"since": "2.1.2025", "until": "1.1.2025"})
    assert bad.context["filter_form"].errors["until"] == ["The end date cannot be before the start date."]
    assert bad.context["rows"] == []


def test_log__client_found_by_identity_code_only_internal_id_in_url(reviewer, nurse, two_clients):
    _a, b = two_clients
    c = browser_as(reviewer)

    response = c.post(LOG, {"identity_code": f" {b.identity_code.lower()} ", "user": str(nurse.pk), "outcome": ""})

    assert response.status_code == 302
    location = response["Location"]
    assert parse_qs(urlparse(location).query) == {"client": [str(b.pk)], "user": [str(nurse.pk)]}
    assert b.identity_code not in location and b.identity_code[:6] not in location
    page = c.get(location)
    assert [r.client.client_id for r in page.context["rows"]] == [b.pk]  # the nurse's denied read of b
    body = page.content.decode()
    assert b.full_name in body
    assert b.identity_code not in body
    for url in _urls_in(body):
        assert b.identity_code not in url and b.identity_code[:6] not in url


def test_log__unknown_or_invalid_identity_code_error_next_to_field(reviewer):
    c = browser_as(reviewer)

    invalid = c.post(LOG, {"identity_code": "010190-999X"})
    unknown = c.post(LOG, {"identity_code": make_identity_code(datetime.date(1990, 1, 1), 999)})

    assert invalid.status_code == unknown.status_code == 400
    assert "Invalid identity code: " in invalid.context["find_form"].errors["identity_code"][0]
    assert unknown.context["find_form"].errors["identity_code"] == ["No client has this identity code."]
    assert not invalid.has_header("Location")


def test_log__writes_one_row_per_client_shown(reviewer, two_clients):
    a, b = two_clients

    browser_as(reviewer).get(LOG, {"outcome": ""})

    rows = review_rows(reviewer)
    assert sorted(r.client_id for r in rows) == sorted([a.pk, b.pk])
    assert {(r.view, r.basis, r.action, r.resource) for r in rows} == {
        ("oversight:log", "data_protection_review", "view", "access_log")
    }


def test_log__pages_of_100(reviewer, nurse):
    client_obj = ClientFactory()
    start = timezone.now() - hours(300)
    log_rows(nurse, client_obj.pk, [start + hours(i) for i in range(130)])
    c = browser_as(reviewer)

    first = c.get(LOG, {"client": client_obj.pk, "user": nurse.pk})
    second = c.get(LOG, {"client": client_obj.pk, "user": nurse.pk, "page": 2})

    assert len(first.context["rows"]) == 100 and len(second.context["rows"]) == 30
    assert first.context["page"].paginator.count == 130
    assert f"client={client_obj.pk}" in first.content.decode()  # the pagination link keeps the filter


def test_log__disclosure_tab(reviewer, nurse, partner, episode):
    now = timezone.now()
    disclosure_rows(
        partner,
        episode.client_id,
        [now - hours(1)],
        controller_organisation_id=episode.team.organisation_id,
        recipient_organisation_id=partner.organisation_id,
        recipient_user_id=partner.pk,
        categories=["shared_plan", "health"],
        consent_id=7,
    )
    response = browser_as(reviewer).get(LOG, {"tab": "disclosures"})

    rows = response.context["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert row.recipient_organisation == "TE-palvelut"
    assert row.recipient_user == partner.display_name
    assert row.controller == "Testikeskus"
    assert row.categories == "Shared plan and coordination, Health care data"
    assert row.basis == "The client's consent" and row.consent_id == 7
    assert row.client.name == episode.client.full_name
    assert "consent no. 7" in response.content.decode()
    assert [r.resource for r in review_rows(reviewer)] == ["disclosure_log"]


def test_log__filters_by_ground_with_its_label(reviewer, nurse, physician, two_clients):
    c = browser_as(reviewer)
    rows = c.get(LOG, {"ground": "legal_basis"}).context["rows"]
    assert [(r.user_name, r.basis) for r in rows] == [(physician.display_name, "Legal basis without consent")]
    refused = c.get(LOG, {"ground": "none"}).context["rows"]
    assert [r.basis for r in refused] == ["No basis: refused"]
    page = c.get(LOG, {"ground": "team_membership"})
    assert [r.basis for r in page.context["rows"]] == ["Member of the client's team"] * 2
    assert page.context["filter_form"].query() == "ground=team_membership"
    # Every ground of the one vocabulary is a choice of the filter, by its label.
    body = c.get(LOG).content.decode()
    assert '<option value="referral_recipient">Recipient of the referral</option>' in body
    assert c.get(LOG, {"ground": "made_up"}).context["rows"] == []


def test_log__disclosure_tab_filters_by_ground(reviewer, partner, episode):
    now = timezone.now()
    common = {
        "controller_organisation_id": episode.team.organisation_id,
        "recipient_organisation_id": partner.organisation_id,
        "recipient_user_id": partner.pk,
        "categories": ["health"],
    }
    disclosure_rows(partner, episode.client_id, [now - hours(1)], consent_id=7, **common)
    disclosure_rows(partner, episode.client_id, [now - hours(2)], basis="legal_basis", **common)
    rows = browser_as(reviewer).get(LOG, {"tab": "disclosures", "ground": "legal_basis"}).context["rows"]
    assert [r.basis for r in rows] == ["Legal basis without consent"]
