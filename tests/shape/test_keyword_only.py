"""Public services and selectors take keyword-only arguments (STYLE §4 and §11, issue 9 item 3):
`def plan_goal_add(*, actor, plan, …)`. A call then names what it passes, and an argument added later
cannot silently shift the others. Helpers that are not part of a module's interface start with `_`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tukipolku"
PATTERNS = ("*/services.py", "*/services/*.py", "*/selectors.py", "*/selectors/*.py")

# owned by a parallel change; remove when it lands
EXEMPT: tuple[str, ...] = ()


def _interface_files() -> list[Path]:
    files = {path for pattern in PATTERNS for path in PACKAGE.glob(pattern)}
    return sorted(p for p in files if not p.relative_to(PACKAGE).as_posix().startswith(EXEMPT))


def _positional(tree: ast.Module) -> list[str]:
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            a = node.args
            names = [x.arg for x in [*a.posonlyargs, *a.args]] + ([f"*{a.vararg.arg}"] if a.vararg else [])
            if names:
                found.append(f"{node.name}({', '.join(names)})")
    return found


def test_keyword_only__public_services_and_selectors_take_keyword_arguments():
    offenders = {}
    for path in _interface_files():
        found = _positional(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            offenders[path.relative_to(PACKAGE).as_posix()] = found
    assert offenders == {}, f"make these keyword-only (def name(*, …)) or private (_name): {offenders}"


def test_keyword_only__the_check_sees_the_modules_and_catches_a_positional_parameter():
    files = {p.relative_to(PACKAGE).as_posix() for p in _interface_files()}
    assert {"cases/services.py", "meetings/services/scheduling.py", "oversight/selectors.py"} <= files
    tree = ast.parse("def case_open(actor, *, client): ...\ndef _helper(x): ...\ndef ok(*, actor): ...")
    assert _positional(tree) == ["case_open(actor)"]
