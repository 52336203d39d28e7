"""The import pages through the test client: allowed and denied for each, the whole flow (upload,
columns, dry run, commit) with the jobs run as the worker would, and bad input answered with a
message, never a 500. On PostgreSQL the audit tripwire checks the reads of each request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from tukipolku.cases.models import Episode
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import OrganisationFactory, UserFactory
from tukipolku.imports import services
from tukipolku.imports.choices import ImportStatus
from tukipolku.imports.models import ImportBatch
from tukipolku.imports.tests.helpers import code, csv_bytes, upload

pytestmark = pytest.mark.django_db


def browser(user=None):
    c = HttpClient()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def partner(db):
    return UserFactory(
        profession=Profession.EMPLOYMENT_COORDINATOR, organisation=OrganisationFactory(), username="partner"
    )


@pytest.fixture
def batch(nurse, team, satakunta):
    data = csv_bytes([[code(i), f"Testinen{i}", "Aino", "15.1.2026", "Pori", ""] for i in range(3)])
    return services.import_upload(actor=nurse, team=team, upload=upload(data))


def _upload(c, team, data, name="asiakkaat.csv"):
    return c.post(reverse("imports:list"), {"team": team.pk, "file": upload(data, name)})


# ------------------------------------------------------------------ allowed and denied


def test_list__team_professional_sees_the_page(nurse, team):
    response = browser(nurse).get(reverse("imports:list"))
    assert response.status_code == 200
    assert b"Download the template" in response.content


@pytest.mark.parametrize("who", ["partner", "nobody"])
def test_list__partner_and_user_without_team_get_403(who, partner, db):
    user = partner if who == "partner" else UserFactory(profession=Profession.NURSE, username="lonely")
    assert browser(user).get(reverse("imports:list")).status_code == 403


def test_list__anonymous_is_sent_to_login(db):
    response = browser().get(reverse("imports:list"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_template__downloads_with_the_headings(nurse, team, kind):
    response = browser(nurse).get(reverse(f"imports:template_{kind}"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{kind}"')
    if kind == "csv":
        assert response.content.startswith("\ufeffIdentity code;".encode())


def test_template__unknown_kind_is_404(nurse, team):
    assert browser(nurse).get("/import/template.xls").status_code == 404


def test_template__partner_403(partner):
    assert browser(partner).get(reverse("imports:template_csv")).status_code == 403


@pytest.mark.parametrize("name", ["imports:detail", "imports:columns"])
def test_someone_elses_import__404(name, batch, physician, outsider):
    assert browser(physician).get(reverse(name, args=[batch.pk])).status_code == 404
    assert browser(outsider).get(reverse(name, args=[batch.pk])).status_code == 404


@pytest.mark.parametrize("name", ["imports:commit", "imports:discard"])
def test_someone_elses_import__post_404(name, batch, physician):
    response = browser(physician).post(reverse(name, args=[batch.pk]), {"revision": batch.revision})
    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UPLOADED


def test_ended_membership__import_pages_are_403(batch, nurse):
    nurse.memberships.update(ended_on="2000-01-01")
    assert browser(nurse).get(reverse("imports:detail", args=[batch.pk])).status_code == 403


# ------------------------------------------------------------------ the flow


def test_flow__upload_columns_dry_run_commit(nurse, team, satakunta, django_capture_on_commit_callbacks):
    c = browser(nurse)
    data = csv_bytes(
        [[code(i), f"Testinen{i}", "Aino", "15.1.2026", "Pori", ""] for i in range(3)]
        + [["010190-999X", "Väärä", "Tunnus", "15.1.2026", "Pori", ""]]
    )
    response = _upload(c, team, data)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:columns", args=[batch.pk])

    page = c.get(response["Location"])
    assert page.status_code == 200 and b"Henkil\xc3\xb6tunnus" in page.content

    form = {"revision": batch.revision, "identity_code": "0", "last_name": "1", "first_names": "2", "start_date": "3"}
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("imports:columns", args=[batch.pk]), form)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED

    page = c.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Import the 3 valid rows" in page
    assert "check character" in page
    assert code(0) not in page and "010190-999X" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("imports:commit", args=[batch.pk]), {"revision": batch.revision, "mode": "valid"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Episode.objects.filter(team=team, client__last_name__startswith="Testinen").count() == 3
    assert "3 client relationships" in c.get(reverse("imports:detail", args=[batch.pk])).content.decode()


def test_columns__a_required_field_not_chosen_is_a_message(batch, nurse):
    response = browser(nurse).post(
        reverse("imports:columns", args=[batch.pk]), {"revision": batch.revision, "identity_code": "0"}
    )
    assert response.status_code == 400
    assert b"Choose a column for" in response.content


def test_columns__an_index_outside_the_file_is_a_message(batch, nurse):
    response = browser(nurse).post(
        reverse("imports:columns", args=[batch.pk]),
        {"revision": batch.revision, "identity_code": "99", "last_name": "1", "first_names": "2", "start_date": "3"},
    )
    assert response.status_code == 400


def test_progress__htmx_poll_while_running_and_refresh_when_done(batch, nurse):
    c = browser(nurse)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKING, total_rows=10, done_rows=4)
    url = reverse("imports:detail", args=[batch.pk]) + "?progress=1"
    response = c.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b'<progress id="import-bar" max="10" value="4"' in response.content
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKED)
    assert c.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_commit__stale_revision_is_a_message_not_a_500(batch, nurse):
    response = browser(nurse).post(reverse("imports:commit", args=[batch.pk]), {"revision": "x"}, follow=True)
    assert response.status_code == 200
    assert b"changed in another window" in response.content


def test_upload__bad_file_is_a_message(nurse, team):
    response = _upload(browser(nurse), team, b"\xd0\xcf\x11\xe0" + b"\x00" * 50, name="vanha.xls")
    assert response.status_code == 400
    assert b"old Excel format" in response.content
    assert not ImportBatch.objects.exists()


def test_upload__into_a_team_not_ones_own_is_refused(nurse, team, other_team):
    response = _upload(browser(nurse), other_team, csv_bytes([]))
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_discard__deletes(batch, nurse):
    response = browser(nurse).post(reverse("imports:discard", args=[batch.pk]), {"revision": batch.revision})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
