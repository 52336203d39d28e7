"""The access package's public functions are keyword-only when they take more than one argument
(docs/modules/access.md): a call names what it passes, so an actor and an episode cannot swap.
`refuse(request, …)` keeps the request first, like Django's shortcuts."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
POSITIONAL_FIRST = {("log.py", "refuse")}


def test_access_package__public_functions_with_several_arguments_are_keyword_only():
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            positional = [a.arg for a in node.args.posonlyargs + node.args.args]
            allowed = 1 if (path.name, node.name) in POSITIONAL_FIRST or len(positional) == 1 else 0
            if len(positional) > allowed and (len(positional) + len(node.args.kwonlyargs)) > 1:
                offenders.append(f"{path.name}:{node.name}({', '.join(positional)})")
    assert offenders == []
