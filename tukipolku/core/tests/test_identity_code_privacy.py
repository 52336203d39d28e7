"""Identity codes never travel in URLs or log lines (ASVS 5.0 14.2.1 and 16.2.5).

Searching by identity code is a POST (cases.views.IntakeView); no URL pattern takes a code; the
redirects after intake carry only ids; and the whole intake flow logs nothing that holds the code.
"""

import datetime
import logging
import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tukipolku.clients.models import Client
from tukipolku.clients.tests.factories import make_identity_code

CODE_SHAPES = [
    "131052-308T",
    "010594Y9032",
    "280200B901R",
    "010190-900a",
    "010190\u2212900A",
    "010190 - 900A",
    "010190900A",  # typed without the sign
]


def _walk(patterns, prefix=""):
    """(route text, pattern) for every URL pattern of the project, nested includes flattened."""
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _own(pattern: URLPattern) -> bool:
    module = getattr(pattern.callback, "__module__", "") or ""
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None:
        module = view_class.__module__
    return module.startswith(("tukipolku.", "config."))


def _converters(pattern: URLPattern):
    return getattr(pattern.pattern, "converters", {})


def test_url_patterns__none_of_ours_can_take_an_identity_code():
    """Every parameter of our own URLs is an id: its converter cannot match anything shaped like a code."""
    checked = 0
    for route, pattern in _walk(get_resolver().url_patterns):
        if not _own(pattern):
            continue
        checked += 1
        assert not re.search(r"hetu|identity|ssn|pic\b", route, re.I), route
        for name, converter in _converters(pattern).items():
            for code in CODE_SHAPES:
                assert re.fullmatch(converter.regex, code) is None, (route, name, code)
        if not _converters(pattern):  # a regex route (re_path) with groups must not take free text either
            for group in re.findall(r"\(\?P<\w+>([^)]*)\)", str(pattern.pattern)):
                assert group in (r"\d+", "[0-9]+", "[0-9]{1,18}"), (route, group)  # digits (the API's ids)
                for code in CODE_SHAPES:
                    assert re.fullmatch(group, code) is None, (route, group, code)
    assert checked >= 10, "the walk found too few of our own URLs"


def test_url_patterns__third_party_parameters_are_not_named_after_identity_codes():
    """Admin and login routes take object ids, tokens and keys: none is an identity-code parameter."""
    for route, pattern in _walk(get_resolver().url_patterns):
        for name in _converters(pattern):
            assert not re.search(r"hetu|identity|ssn", name, re.I), (route, name)


def test_admin__never_searches_or_filters_clients_by_identity_code():
    """The admin's search box and filters are GET: searching by identity code there would put it in the URL."""
    for model, model_admin in admin.site._registry.items():
        for field in (*model_admin.search_fields, *[str(f) for f in model_admin.list_filter]):
            assert "identity_code" not in field, (model, field)
    assert Client not in admin.site._registry or not admin.site._registry[Client].search_fields


# ------------------------------------------------------------------ the intake flow


def _episode_fields(team, pathway):
    return {
        "ep-team": str(team.pk),
        "ep-pathway": str(pathway.pk),
        "ep-source": "employment_services",
        "ep-situations": ["long_unemployment"],
        "ep-need_description": "Pitkittynyt työttömyys.",
        "ep-consent_given": "on",
        "ep-consent_on": timezone.localdate().isoformat(),
        "ep-consent_method": "oral",
    }


def _client_fields(code):
    return {
        "cl-identity_code": code,
        "cl-first_names": "Tiina",
        "cl-last_name": "Testinen",
        "cl-language": "fi",
        "cl-employment_status": "unemployed",
    }


def _urls_in(body: str) -> list[str]:
    return re.findall(r'(?:href|action|src|hx-[a-z-]+|formaction|content)="([^"]*)"', body)


def _without_code(text: str, code: str) -> bool:
    squeezed = text.upper().replace("%2D", "-").replace("%2B", "+")
    return code not in squeezed and code[:6] + code[7:] not in squeezed


@pytest.fixture
def code():
    return make_identity_code(datetime.date(1979, 3, 14), 947)


def test_intake_search__code_stays_out_of_urls_headers_and_logs(client, nurse, satakunta, code, caplog):
    client.force_login(nurse)
    caplog.set_level(logging.DEBUG)

    response = client.post(reverse("cases:intake"), {"q": f" {code.lower()} "})

    assert response.status_code == 200  # the result is rendered in place: no redirect to a URL with the code
    assert not response.has_header("Location")
    assert response.wsgi_request.get_full_path() == reverse("cases:intake")
    for name, value in response.headers.items():
        assert _without_code(value, code), name
    for url in _urls_in(response.content.decode()):
        assert _without_code(url, code), url
    for record in caplog.records:
        assert _without_code(record.getMessage(), code), record.getMessage()


def test_intake_search__a_code_in_the_query_string_is_ignored(client, nurse, code):
    client.force_login(nurse)

    response = client.get(reverse("cases:intake"), {"q": code})

    body = response.content.decode()
    assert response.status_code == 200
    search_box = re.search(r'<input[^>]*name="q"[^>]*>', body)
    assert search_box is not None and code not in search_box.group(0)  # not taken as a search
    assert 'name="cl-identity_code"' not in body  # no result section, no prefilled new-client form


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_intake_new__redirect_carries_only_the_episode_id(client, nurse, team, satakunta, code, caplog, htmx):
    client.force_login(nurse)
    caplog.set_level(logging.DEBUG)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(
        reverse("cases:intake_new"),
        {**_client_fields(code.lower()), **_episode_fields(team, satakunta)},
        headers=headers,
    )

    target = response["HX-Location"] if htmx else response["Location"]
    assert response.status_code == (204 if htmx else 302)
    assert re.fullmatch(r"/episodes/\d+/", target), target
    for name, value in response.headers.items():
        assert _without_code(value, code), name
    for record in caplog.records:
        assert _without_code(record.getMessage(), code), record.getMessage()
    assert Client.objects.get().identity_code == code


def test_intake_new__a_bad_code_is_not_logged(client, nurse, team, satakunta, caplog):
    client.force_login(nurse)
    caplog.set_level(logging.DEBUG)
    typed = "010190-999X"  # wrong check character

    response = client.post(reverse("cases:intake_new"), {**_client_fields(typed), **_episode_fields(team, satakunta)})

    assert response.status_code == 400
    assert all(typed not in record.getMessage() for record in caplog.records)
