"""A request that cannot reach the database answers 503 with Retry-After and a translated page (issue 9).

Unit tests here (the error raised where it happens in real life, mocked); the real thing, a PostgreSQL
cluster restarted during a burst of writes, is tests/test_database_restart.py.
"""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from tukipolku.cases import views as case_views


@pytest.fixture
def browser():
    """The test client as a browser sees it: exceptions become the answer the server would give."""
    return Client(raise_request_exception=False)


def _broken(*args, **kwargs):
    raise OperationalError("terminating connection due to administrator command")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fi", "Palvelu on hetken poissa käytöstä"),
        ("sv", "Tjänsten är tillfälligt otillgänglig"),
        ("en", "Service temporarily unavailable"),
    ],
)
def test_session_middleware_losing_the_database__503_translated(browser, nurse, monkeypatch, language, text):
    """The finding: OperationalError while the session middleware loads the session answered 500."""
    browser.force_login(nurse)
    browser.cookies["django_language"] = language
    monkeypatch.setattr(SessionStore, "load", _broken)

    response = browser.get(reverse("cases:caseload"))

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert text in response.content.decode()
    assert f'lang="{language}"' in response.content.decode()


@pytest.mark.django_db
def test_view_losing_the_database__503(browser, nurse, monkeypatch):
    browser.force_login(nurse)
    monkeypatch.setattr(case_views.CaseloadView, "get", lambda *a, **k: _broken())

    response = browser.get(reverse("cases:caseload"))

    assert response.status_code == 503 and response["Retry-After"] == "10"


@pytest.mark.django_db
def test_closed_connection__503(browser, nurse, monkeypatch):
    browser.force_login(nurse)

    def closed(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(case_views.CaseloadView, "get", closed)

    assert browser.get(reverse("cases:caseload")).status_code == 503


@pytest.mark.django_db
def test_any_other_error__still_the_plain_500(browser, nurse, monkeypatch):
    browser.force_login(nurse)

    def bug(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(case_views.CaseloadView, "get", bug)

    response = browser.get(reverse("cases:caseload"))

    assert response.status_code == 500 and "Retry-After" not in response
