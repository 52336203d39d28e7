"""Views call services one way (STYLE §11, issue 9 item 3): through `core.forms.attempt`, which runs the
service in a savepoint and shows a refusal next to the form field (or as a message when the view has
no form), and hands back the refusal for views that show a conflict their own way. No view opens a
transaction of its own on top of `AtomicWritesMiddleware` (ADR 20) and the services' own."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tukipolku"

# Functions imported from a services module that views may call directly, and why.
NOT_STATE_CHANGES = {
    "access_denied": "writes the refusal to the access log on the way to a 404: nothing for the user to correct",
    "meeting_time_is_ahead": "a check of a time (has the meeting begun?), no change",
    "days_waited": "a number for the page, no change",
    "receiving_team_candidates": "a read (choices of a form) kept with the handover services",
    "sending_contact_candidates": "a read (choices of a form) kept with the handover services",
    "receiving_nurse_candidates": "a read (choices of a form) kept with the handover services",
    "pathway_choices": "a read (the pathways a handover may open the episode on) kept with the handover services",
    "pathway_default": "a read (the preselected pathway) kept with the handover services",
    "pathway_correction_open": "a read (may the pathway still be corrected?) kept with the episode services",
    "pathway_correction_targets": "a read (choices of the correction form) kept with the episode services",
}
# Honest exceptions: (view module, service) and why.
EXCEPTIONS = {
    ("bulkexport/views.py", "export_request"): (
        "a FHIR endpoint answers a refusal as an OperationOutcome (400, 429), not a form message; the"
        " service opens its own transaction"
    ),
    ("bulkexport/views.py", "export_cancel"): (
        "the FHIR status URL's DELETE: no form, the service opens its own transaction"
    ),
    ("cases/views.py", "client_create"): (
        "IntakeView creates the client and opens the relationship as one unit, and answers a duplicate"
        " identity code with a link to the existing client (DuplicateClientError), not a plain form error"
    ),
}
ATOMIC_EXCEPTIONS = {"cases/views.py": "IntakeView: the client and the relationship are created together (above)"}


def _view_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*views*.py") if "tests" not in p.parts)


def _service_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(functions imported from a services module, names of imported services modules)."""
    functions: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            from_services = node.module.split(".")[-1] == "services" or ".services." in node.module
            for alias in node.names:
                if from_services:
                    functions.add(alias.asname or alias.name)
                elif alias.name == "services":
                    modules.add(alias.asname or alias.name)
    return functions, modules


def _called_name(call: ast.Call, functions: set[str], modules: set[str]) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id in functions:
        name = func.id
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
        name = func.attr
    else:
        return None
    return None if name[:1].isupper() else name  # input dataclasses and exceptions are not services


def _is_attempt(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "attempt"


def direct_service_calls(source: str) -> list[tuple[int, str]]:
    """Service calls outside `attempt(...)` and outside the helpers a view hands to `attempt`."""
    tree = ast.parse(source)
    functions, modules = _service_names(tree)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    handed = {
        n.args[1].id for n in ast.walk(tree) if _is_attempt(n) and len(n.args) > 1 and isinstance(n.args[1], ast.Name)
    }

    def wrapped(node: ast.AST) -> bool:
        while node in parents:
            node = parents[node]
            if _is_attempt(node) or (isinstance(node, ast.FunctionDef) and node.name in handed):
                return True
        return False

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _called_name(node, functions, modules)
            if name and name not in NOT_STATE_CHANGES and not wrapped(node):
                found.append((node.lineno, name))
    return found


def test_views__call_services_through_attempt():
    offenders = []
    for path in _view_modules():
        rel = path.relative_to(PACKAGE).as_posix()
        for line, name in direct_service_calls(path.read_text(encoding="utf-8")):
            if (rel, name) not in EXCEPTIONS:
                offenders.append(f"{rel}:{line} {name}")
    assert offenders == [], f"call these through core.forms.attempt(form_or_request, service, **kwargs): {offenders}"


def test_views__open_no_transaction_of_their_own():
    offenders = []
    for path in _view_modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel not in ATOMIC_EXCEPTIONS and "transaction.atomic" in path.read_text(encoding="utf-8"):
            offenders.append(rel)
    assert offenders == [], f"AtomicWritesMiddleware and the services' own transactions are enough: {offenders}"


def test_views__the_exceptions_are_still_needed():
    for rel, name in EXCEPTIONS:
        calls = direct_service_calls((PACKAGE / rel).read_text(encoding="utf-8"))
        assert name in {n for _line, n in calls}, f"drop ({rel}, {name}) from EXCEPTIONS"
    for rel in ATOMIC_EXCEPTIONS:
        assert "transaction.atomic" in (PACKAGE / rel).read_text(encoding="utf-8"), f"drop {rel}"


def test_views__the_check_catches_a_direct_call_and_accepts_attempt():
    source = """
from tukipolku.cases import services
from tukipolku.clients.services import client_create
from tukipolku.core.forms import attempt

def _helper(*, request):
    return services.episode_open(actor=request.user)

def post(request, form):
    services.episode_close(actor=request.user)
    client_create(actor=request.user)
    attempt(form, services.episode_reopen, actor=request.user)
    attempt(form, _helper, request=request)
    attempt(request, lambda: services.case_member_remove(actor=request.user))
    services.GoalInput(text="")
"""
    assert direct_service_calls(source) == [(10, "episode_close"), (11, "client_create")]
