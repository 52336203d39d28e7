"""Redirect targets are checked once (core.http): a path on this site, or the fallback."""

import pytest
from django.test import RequestFactory

from tukipolku.core.http import is_safe_path, safe_next


@pytest.mark.parametrize("url", ["/", "/caseload/", "/episodes/3/?tab=plan#plan", "/login/?next=/board/"])
def test_is_safe_path__paths_on_this_site(url):
    assert is_safe_path(url, request=RequestFactory().get("/"))


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "0",
        "cases:caseload",
        "caseload/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "http://testserver/caseload/",  # even this host: a path is enough, and no scheme change
        "javascript:alert(1)",
        " /caseload/",
        "/\x00/evil",
    ],
)
def test_is_safe_path__anything_else_is_refused(url):
    assert not is_safe_path(url, request=RequestFactory().get("/"))


def test_safe_next__falls_back():
    request = RequestFactory().get("/")
    assert safe_next(request, "0", fallback="/caseload/") == "/caseload/"
    assert safe_next(request, None, fallback="/caseload/") == "/caseload/"
    assert safe_next(request, "/board/", fallback="/caseload/") == "/board/"
