"""How imports plug into the sweep: each sweep deletes the files and dry-run rows of imports past
their time (24 hours after upload or commit), so an uploaded spreadsheet is not kept longer than needed."""

from __future__ import annotations

import datetime

from tukipolku.imports.services import import_purge_expired
from tukipolku.sweep.registry import register_sweep_step


def step_purge_imports(today: datetime.date) -> int:
    """The sweep step: purge expired imports (the date is not needed: expiry is a moment)."""
    return import_purge_expired()


def register() -> None:
    register_sweep_step("imports_expired", step_purge_imports)
