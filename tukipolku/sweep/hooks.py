"""The sweep's own steps and unfinished checks, registered like any other module's (sweep/registry.py)."""

from __future__ import annotations

from tukipolku.sweep import steps
from tukipolku.sweep.registry import register_sweep_step, register_unfinished_check


def register() -> None:
    register_sweep_step("overdue_actions", steps.step_overdue_actions)
    register_sweep_step("no_contact_person", steps.step_no_contact_person)
    register_sweep_step("inactive", steps.step_inactive)
    register_sweep_step("follow_ups_due", steps.step_follow_ups_due)
    register_unfinished_check("no_contact_person", steps.NO_CONTACT_CHECK)
    register_unfinished_check("inactive", steps.INACTIVE_CHECK)
    register_unfinished_check("overdue_actions", steps.OVERDUE_ACTIONS_CHECK)
