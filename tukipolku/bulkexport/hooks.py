"""The bulk export's sweep step: expired exports' files are deleted every sweep (sweep/registry.py)."""

from __future__ import annotations

import datetime

from tukipolku.sweep.registry import register_sweep_step


def _expire_step(today: datetime.date) -> int:
    from tukipolku.bulkexport.services import exports_expire

    return exports_expire()


def register() -> None:
    register_sweep_step("expired_exports", _expire_step)
