"""One way to plug in (ADR 0004): a module's `hooks.py` has a `register()` that its `AppConfig.ready()` calls,
and importing a hooks module registers nothing by itself."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

PACKAGE = Path(__file__).resolve().parents[2] / "tukipolku"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _hooks_modules() -> list[Path]:
    return sorted(PACKAGE.glob("*/hooks.py"))


def test_hooks__each_has_a_register_function_and_no_registration_at_import():
    assert _hooks_modules(), "no hooks.py found"
    for path in _hooks_modules():
        tree = _tree(path)
        names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert "register" in names, f"{path.relative_to(PACKAGE)} has no register()"
        calls = [node.lineno for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
        assert not calls, f"{path.relative_to(PACKAGE)} calls something at import (lines {calls}); do it in register()"


def test_hooks__ready_only_calls_the_modules_register():
    """Every app whose `ready()` plugs something in does it through `hooks.register()`, nothing else."""
    for config in apps.get_app_configs():
        if not config.name.startswith("tukipolku."):
            continue
        app_dir = Path(config.path)
        ready = next(
            (
                node
                for cls in _tree(app_dir / "apps.py").body
                if isinstance(cls, ast.ClassDef)
                for node in cls.body
                if isinstance(node, ast.FunctionDef) and node.name == "ready"
            ),
            None,
        )
        has_hooks = (app_dir / "hooks.py").exists()
        if ready is None:
            assert not has_hooks, f"{config.name} has hooks.py but its AppConfig has no ready()"
            continue
        source = ast.unparse(ready)
        assert has_hooks, f"{config.name}.ready() plugs in without a hooks.py"
        assert f"from {config.name} import hooks" in source and "hooks.register()" in source, config.name
        statements = [n for n in ready.body if not isinstance(n, ast.Expr) or not isinstance(n.value, ast.Constant)]
        assert len(statements) == 2, f"{config.name}.ready() does more than call hooks.register()"


def test_hooks__register_twice_changes_nothing():
    """`register()` fills dictionaries by name: calling it again (tests, a reloaded app) adds no duplicates."""
    from tukipolku.cases import registry as case_registry
    from tukipolku.sweep import registry as sweep_registry

    before = (
        dict(sweep_registry.sweep_steps),
        dict(sweep_registry.unfinished_checks),
        dict(case_registry.case_sections),
    )
    for config in apps.get_app_configs():
        if config.name.startswith("tukipolku.") and (Path(config.path) / "hooks.py").exists():
            config.ready()
    after = (
        dict(sweep_registry.sweep_steps),
        dict(sweep_registry.unfinished_checks),
        dict(case_registry.case_sections),
    )
    assert [sorted(d) for d in after] == [sorted(d) for d in before]
