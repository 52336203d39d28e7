"""No personal identity codes in technical logs (ASVS 5.0 16.2.5): the masking filter and its wiring.

All codes are synthetic (test range 900–999, or the public examples of the identity-code spec).
"""

import io
import logging

import pytest
from django.conf import settings
from django.db import connection

from tukipolku.core.logging import MASK, IdentityCodeMaskFilter, mask_identity_codes

CODES = [
    "131052-308T",  # the public example of the spec
    "010594Y9032",  # a 2023 century sign
    "280200B901R",
    "010190+900R",  # 1800s
    "311299A999X",
    "010190-900a",  # lower case
    "010190\u2010900A",  # ‐ hyphen
    "010190\u2212900A",  # − minus sign
    "010190\u2013900A",  # – en dash
    "010190-999X",  # wrong check character: still personal data
]


@pytest.fixture
def root_output():
    """The output of the root logger's own configured handler (settings.LOGGING), redirected to a buffer."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if any(isinstance(f, IdentityCodeMaskFilter) for f in h.filters)]
    assert handlers, "the root logger has no handler with the masking filter"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.mark.parametrize("code", CODES)
def test_mask_identity_codes__masks_every_form(code):
    masked = mask_identity_codes(f"client {code} not found")

    assert masked == f"client {MASK} not found"


@pytest.mark.parametrize(
    "text",
    [
        "hetu=010190-900A&x=1",
        "%27010190-900A%27",  # glued to url-encoded quotes
        "['010190-900A', '131052-308T']",
        "x010190-900Ay",
    ],
)
def test_mask_identity_codes__masks_codes_glued_to_other_text(text):
    masked = mask_identity_codes(text)

    assert "010190-900A" not in masked and "131052-308T" not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "text",
    [
        "GET /episodes/123456/plan/ 200",
        "episode 1234567890 opened",
        "2026-11-22 21:15:39,204",
        "550e8400-e29b-41d4-a716-446655440000",
        "phone 040-1234567",
    ],
)
def test_mask_identity_codes__leaves_other_numbers_alone(text):
    assert mask_identity_codes(text) == text


def test_root_logger__masks_the_message(root_output):
    logging.getLogger("tukipolku.anything").warning("Client 131052-308T not found")

    out = root_output.getvalue()
    assert "131052-308T" not in out
    assert f"Client {MASK} not found" in out


def test_root_logger__masks_arguments_of_any_type(root_output):
    log = logging.getLogger("tukipolku.anything")

    log.warning("lookup %s by %r", "010594Y9032", {"q": "280200b901r"})
    log.error("form data: %(data)s", {"data": ["010190\u2013900A"]})

    out = root_output.getvalue()
    for code in ("010594Y9032", "280200b901r", "280200B901R", "010190\u2013900A"):
        assert code not in out
    assert out.count(MASK) == 3


def test_root_logger__masks_tracebacks(root_output):
    try:
        raise ValueError("no client with 131052-308T")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: /intake/")

    out = root_output.getvalue()
    assert "Traceback" in out and "ValueError" in out
    assert "131052-308T" not in out
    assert f"no client with {MASK}" in out


def test_root_logger__a_broken_format_string_is_still_masked():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "code %s %s", ("131052-308T",), None)

    assert IdentityCodeMaskFilter().filter(record) is True
    assert "131052-308T" not in repr(record.args) and "131052-308T" not in str(record.msg)


def test_logging_settings__every_handler_has_the_filter():
    config = settings.LOGGING

    assert config["filters"]["mask_identity_codes"]["()"] == "tukipolku.core.logging.IdentityCodeMaskFilter"
    assert config["handlers"], "no handlers configured"
    for name, handler in config["handlers"].items():
        assert "mask_identity_codes" in handler.get("filters", []), name


def test_logging_settings__django_logs_only_through_the_masked_handlers():
    """Django's default handlers (console in DEBUG, e-mail to admins) are removed: nothing bypasses the filter."""
    for name in ("django", "django.request", "django.security", "django.db.backends"):
        for handler in logging.getLogger(name).handlers:
            assert any(isinstance(f, IdentityCodeMaskFilter) for f in handler.filters), (name, handler)
    assert logging.getLogger("django").handlers == []


@pytest.mark.django_db
def test_sql_debug_log__query_parameters_are_masked(root_output):
    """With LOG_LEVEL=DEBUG and DEBUG on, Django logs every query with its parameters: the codes are masked."""
    from tukipolku.clients.models import Client

    sql_logger = logging.getLogger("django.db.backends")
    level = sql_logger.level
    sql_logger.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    try:
        Client.objects.filter(identity_code="131052-308T").exists()
    finally:
        connection.force_debug_cursor = False
        sql_logger.setLevel(level)

    out = root_output.getvalue()
    assert "clients_client" in out
    assert "131052-308T" not in out
    assert MASK in out


# One line per refusal (issue 9): a 4xx never writes a traceback --------------------------------------


@pytest.mark.django_db
def test_refusal__a_403_is_one_line_without_traceback_or_person(client, admin_user, root_output):
    """Any user could fill the logs by asking for pages they may not see: each refusal is one line."""
    client.force_login(admin_user)

    response = client.get("/caseload/")

    assert response.status_code == 403
    lines = root_output.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].endswith(" WARNING django.request Forbidden (Permission denied): /caseload/")  # no one named


@pytest.mark.django_db
def test_refusal__a_404_is_one_line_without_traceback(client, nurse, root_output):
    client.force_login(nurse)

    assert client.get("/episodes/987654321/").status_code == 404

    lines = root_output.getvalue().splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0], lines


def test_refusal__a_500_keeps_its_traceback(root_output):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=exc, extra={"status_code": 500})

    assert "Traceback" in root_output.getvalue()
