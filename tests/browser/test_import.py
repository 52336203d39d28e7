"""Spreadsheet import in a real browser (issue 13, part 5): the team's nurse downloads nothing, uploads
her own sheet (Finnish headings, one refused row), checks the guessed columns, sees the dry run row by
row, imports only the valid rows and sees what was created; the progress bar of a running import.
Every page passes axe at 1280 px and has no horizontal scroll at 375 px; no identity code ever appears
in a URL."""

import pytest

from tests.browser.conftest import axe_violations, login, shot
from tukipolku.cases.models import Episode
from tukipolku.imports.choices import ImportStatus
from tukipolku.imports.models import ImportBatch
from tukipolku.imports.tests.helpers import code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.TUKIPOLKU_IMPORT_DIR = str(tmp_path / "imports")


def check_page(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, f"import-{name}")
    assert violations == [], f"{name}: {violations}"
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, f"import-{name}-375")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scroll at 375 px"


def sheet() -> bytes:
    rows = [
        "Henkilötunnus;Sukunimi;Etunimet;Asiakkuus alkoi;Kotikunta;Vastuutyöntekijä",
        f"{code(0)};Virtanen;Aino Maria;15.1.2026;Pori;nurse",
        f"{code(1)};Nieminen;Eino;2026-02-01;Rauma;",
        f"{code(2)};Lahtinen;Saara;3.3.2026;Eura;",
        "010190-999X;Väärä;Tunnus;3.3.2026;Pori;",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def test_nurse_imports_her_teams_sheet(page, team, nurse, satakunta):
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))

    login(page, "nurse")
    page.get_by_role("link", name="Import clients").first.click()
    page.wait_for_load_state()
    check_page(page, "01-upload")
    assert page.get_by_role("link", name="Download the template (XLSX)").is_visible()

    page.get_by_label("File").set_input_files({"name": "asiakkaat.csv", "mimeType": "text/csv", "buffer": sheet()})
    page.get_by_role("button", name="Upload and choose the columns").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Choose the columns").is_visible()
    # Guessed from the Finnish headings; the user checks them.
    assert page.get_by_label("Identity code").input_value() == "0"
    assert page.get_by_label("Start date").input_value() == "3"
    assert page.get_by_label("Contact person").input_value() == "5"
    check_page(page, "02-columns")

    page.get_by_role("button", name="Check the rows").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "New client and client relationship: 3" in body
    assert "Refused: 1" in body
    assert "check character" in body
    assert "Virtanen Aino Maria" in body
    assert Episode.objects.count() == 0  # the dry run writes nothing
    check_page(page, "03-dry-run")

    page.get_by_role("button", name="Import the 3 valid rows").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="What was imported").is_visible()
    assert "3 new clients, 3 client relationships, 1 contact persons named" in page.locator("main").inner_text()
    assert Episode.objects.filter(team=team).count() == 3
    check_page(page, "04-imported")

    assert not [u for u in urls if any(c in u.upper() for c in (code(0), code(1), code(2), "010190-999X"))]


def test_progress_bar_while_the_worker_checks(page, team, nurse, satakunta):
    login(page, "nurse")
    page.get_by_role("link", name="Import clients").first.click()
    page.get_by_label("File").set_input_files({"name": "asiakkaat.csv", "mimeType": "text/csv", "buffer": sheet()})
    page.get_by_role("button", name="Upload and choose the columns").click()
    page.wait_for_load_state()
    batch = ImportBatch.objects.get()
    # As the task worker leaves it halfway through a large file.
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKING, total_rows=200_000, done_rows=84_000)
    page.goto(f"/import/{batch.pk}/")
    bar = page.locator("progress#import-bar")
    assert bar.get_attribute("value") == "84000"
    check_page(page, "05-progress")
    # The worker finishes: the next poll reloads the page with the result.
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.CHECKED, done_rows=200_000)
    page.wait_for_selector("text=What the import would do", timeout=5000)
