"""Reading back what an export wrote."""

from __future__ import annotations

import json
from typing import Any

from tukipolku.bulkexport.models import ExportJob
from tukipolku.bulkexport.writer import job_directory


def lines(job: ExportJob, resource_type: str) -> list[dict[str, Any]]:
    path = job_directory(job.pk) / f"{resource_type}.ndjson"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def ids(job: ExportJob, resource_type: str) -> set[str]:
    return {r["id"] for r in lines(job, resource_type)}
