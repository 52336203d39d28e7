"""Background jobs are named the same way in every module: they live in `jobs.py`, named `<verb>_<noun>_task`
(STYLE §4, §10), and jobs queued under an old path still run after the rename (migrations `*_job_paths`)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.test import override_settings
from django_tasks.base import Task

PACKAGE = Path(__file__).resolve().parents[2] / "tukipolku"
JOB_NAME = re.compile(r"^[a-z]+(_[a-z]+)+_task$")


def _is_task_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return (isinstance(target, ast.Name) and target.id == "task") or (
        isinstance(target, ast.Attribute) and target.attr == "task"
    )


def _jobs_by_file() -> dict[Path, list[str]]:
    found: dict[Path, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(_is_task_decorator(d) for d in node.decorator_list):
                found.setdefault(path, []).append(node.name)
    return found


def test_jobs__live_in_jobs_py_and_are_named_verb_noun_task():
    found = _jobs_by_file()
    assert found, "no background jobs found"
    for path, names in found.items():
        where = path.relative_to(PACKAGE)
        assert path.name == "jobs.py", f"{where}: background jobs belong in the module's jobs.py"
        for name in names:
            assert JOB_NAME.match(name), f"{where}: {name} is not named <verb>_<noun>_task"
    assert not list(PACKAGE.glob("*/tasks.py")), "tasks.py is jobs.py now"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("migration", "old", "new"),
    [
        (
            "tukipolku.sweep.migrations.0003_job_paths",
            "tukipolku.sweep.tasks.sweep",
            "tukipolku.sweep.jobs.run_sweep_task",
        ),
        (
            "tukipolku.notifications.migrations.0003_job_paths",
            "tukipolku.notifications.tasks.deliver_emails",
            "tukipolku.notifications.jobs.deliver_emails_task",
        ),
    ],
)
def test_job_paths__a_job_queued_under_the_old_path_runs_after_the_migration(migration, old, new):
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        job = importlib.import_module(new.rsplit(".", 1)[0])
        result = getattr(job, new.rsplit(".", 1)[1]).enqueue()
        DBTaskResult.objects.filter(pk=result.id).update(task_path=old)

        importlib.import_module(migration).forwards(django_apps, None)

        row = DBTaskResult.objects.get(pk=result.id)
        assert row.task_path == new
        assert isinstance(row.task, Task)

        importlib.import_module(migration).backwards(django_apps, None)
        assert DBTaskResult.objects.get(pk=result.id).task_path == old
