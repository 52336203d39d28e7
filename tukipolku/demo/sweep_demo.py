"""The sweep in the demo: run it once after loading, so that `make run` opens with notifications
(the nurse's overdue actions, the manager's clients without a contact person) and a recorded run.

The e-mails of this first run go nowhere (the dummy backend): the demo users' addresses are
synthetic. The worker started by `make run` sends later ones to the configured backend.
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import override_settings

from tukipolku.sweep.services import run_sweep


def build_sweep_demo(*, log: Callable[[str], object]) -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        result = run_sweep(trigger="demo")
    found = ", ".join(f"{name} {n}" for name, n in result.counts.items() if n)
    log(f"Sweep: {found or 'nothing due'}.")
