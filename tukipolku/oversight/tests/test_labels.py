"""Every code the application writes into the access log has a label in every language.

The views, resources and refusal reasons are found, not listed by hand: the views from the URLconf
(every page behind `CapabilityView` logs its refusals under its URL name) and from the source (the
view names, resources and reasons passed to the log writers), so a new logging view without a label
fails here. Its Finnish label must differ from the raw code: a missing translation shows as the code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from django.utils.timezone import now

from tukipolku.access.choices import AccessGround
from tukipolku.core.views import CapabilityView
from tukipolku.oversight import labels
from tukipolku.oversight.presentation import Labels
from tukipolku.oversight.tests.helpers import browser_as, log_rows

SOURCE = Path(labels.__file__).resolve().parents[1]
CODE = re.compile(r"[a-z_]+(:[a-z_]+)?")
NAVIGATION = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
"""Calls whose first argument is a URL name to go to, not a view that logs."""


def _url_names(patterns: list, namespace: str = "") -> Iterator[tuple[str, object]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from _url_names(pattern.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace:
            yield f"{namespace}:{pattern.name}", pattern.callback


URL_NAMES = dict(_url_names(get_resolver().url_patterns))


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(SOURCE).parts):
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _strings(node: ast.AST) -> Iterator[str]:
    """A literal code, or each branch of a conditional one (`"a" if x else ("b" if y else "c")`)."""
    if isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
        yield node.value


def _defaults(func: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> Iterator[str]:
    args = func.args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    for arg, default in pairs:
        if arg.arg == name:
            yield from _strings(default)


def logged_codes() -> dict[str, set[str]]:
    """What the source writes as `view`, `resource` and refusal `reason` into the access log."""
    found: dict[str, set[str]] = {"view": set(), "resource": set(), "reason": set(), "basis": set()}
    # Pages behind CapabilityView log a refusal under their URL name (core.views.refuse).
    for name, callback in URL_NAMES.items():
        view_class = getattr(callback, "view_class", None)
        if isinstance(view_class, type) and issubclass(view_class, CapabilityView):
            found["view"].add(name)
    for _path, tree in _modules():
        navigation: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in NAVIGATION and node.args:
                navigation.add(id(node.args[0]))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in found:
                        found[keyword.arg].update(_strings(keyword.value))
                if any(word in _name(node.func) for word in ("refuse", "denied")):
                    for arg in node.args:  # a reason given by position: _refuse(actor, view, need, "not_sender")
                        found["reason"].update(s for s in _strings(arg) if ":" not in s)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for kind in found:
                    found[kind].update(_defaults(node, kind))
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target = node.targets[0].id
                if target == "view_name" or target.endswith("_VIEW"):
                    found["view"].update(_strings(node.value))
                elif target == "RESOURCE" or target.endswith("_RESOURCE"):
                    found["resource"].update(_strings(node.value))
            elif isinstance(node, ast.Constant) and node.value in URL_NAMES and id(node) not in navigation:
                found["view"].add(node.value)  # a URL name given to a log writer: _episode(r, pk, "meetings:held")
    # Resources written as data categories (`health,social`) are labelled by DataCategory.
    found["resource"] -= set(labels.DataCategory.values)
    return found


CODES = logged_codes()
TABLES = {
    "view": labels.VIEW_LABELS,
    "resource": labels.RESOURCE_LABELS,
    "reason": labels.REASON_LABELS,
    "ground": {ground.value: ground.label for ground in AccessGround},
}


def test_discovery_finds_the_views_of_the_issue():
    """The raw names the data protection officer saw (issue 9) are among the discovered views."""
    assert {
        "meetings:schedule",
        "meetings:held",
        "meetings:ics",
        "referrals:create",
        "referrals:received",
        "referrals:received_detail",
        "sweep:notifications",
    } <= CODES["view"]
    assert {"handover", "referral", "meeting"} <= CODES["resource"]
    assert {"role", "no_consent", "not_sender"} <= CODES["reason"]


@pytest.mark.parametrize("kind", ["view", "resource", "reason"])
def test_every_logged_code_has_a_label(kind):
    missing = sorted(code for code in CODES[kind] if code not in TABLES[kind] and code not in labels.SILENT_RESOURCES)

    assert missing == [], f"add a label to oversight/labels.py for these {kind}s: {missing}"


def test_every_logged_ground_is_in_the_vocabulary():
    """A ground written as a bare string must be one of AccessGround's values, or it has no label."""
    assert CODES["basis"] - set(AccessGround.values) == set()


@pytest.mark.parametrize("kind", ["view", "resource", "reason", "ground"])
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_label_is_translated(kind, language):
    with translation.override("en"):
        english = {code: str(label) for code, label in TABLES[kind].items()}
    with translation.override(language):
        untranslated = sorted(code for code, label in TABLES[kind].items() if str(label) in (code, english[code]))

    assert untranslated == [], f"no {language} translation for these {kind} labels: {untranslated}"


def test_grounds_are_labelled_in_the_log():
    with translation.override("fi"):
        assert Labels().basis(AccessGround.EMERGENCY) == str(AccessGround.EMERGENCY.label) != "emergency_access"


def test_closed_episode_refusal_has_a_label():
    """The access gate refuses changes to a closed client relationship with the reason `closed`."""
    with translation.override("fi"):
        assert labels.reason_label("closed") != "closed"


def test_unknown_code_is_shown_as_stored():
    assert labels.view_label("retired:view") == "retired:view"
    assert labels.resource_label("referral,mystery") == "referral, mystery"


@pytest.mark.django_db
def test_log_search_names_the_page_in_finnish(reviewer, nurse, episode):
    log_rows(nurse, episode.client_id, [now()], view="meetings:schedule", resource="meeting")
    browser = browser_as(reviewer)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"

    response = browser.get("/oversight/log/", {"user": nurse.pk})

    assert response.status_code == 200
    body = response.content.decode()
    assert "meetings:schedule" not in body
    with translation.override("fi"):
        assert Labels().what("meetings:schedule", "meeting") in body
