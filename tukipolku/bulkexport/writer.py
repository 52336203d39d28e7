"""NDJSON files of one export, written as the resources come (one line each, nothing held in memory).

Each job has its own directory under `TUKIPOLKU_EXPORT_DIR` (named by the job's random id), one file
per resource type, readable by the application's user only.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings

BUFFER = 1 << 16


def job_directory(job_id: object) -> Path:
    return Path(settings.TUKIPOLKU_EXPORT_DIR) / str(job_id)


def remove_directory(job_id: object) -> None:
    """Delete a job's files (after a cancel, a failure or the expiry); nothing there is fine too."""
    shutil.rmtree(job_directory(job_id), ignore_errors=True)


@dataclass
class Written:
    resource_type: str
    name: str
    count: int
    size: int


class NdjsonWriter:
    """Streams resources into `<directory>/<ResourceType>.ndjson`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._files: dict[str, IO[bytes]] = {}
        self._counts: dict[str, int] = {}

    def _file(self, resource_type: str) -> IO[bytes]:
        handle = self._files.get(resource_type)
        if handle is None:
            path = self.directory / f"{resource_type}.ndjson"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            handle = self._files[resource_type] = os.fdopen(fd, "wb", buffering=BUFFER)
            self._counts[resource_type] = 0
        return handle

    def write(self, resource: dict[str, Any]) -> None:
        resource_type = resource["resourceType"]
        line = json.dumps(resource, ensure_ascii=False, separators=(",", ":"), default=str)
        self._file(resource_type).write(line.encode() + b"\n")
        self._counts[resource_type] += 1

    def close(self) -> list[Written]:
        """Flush and close every file; what was written, per type."""
        out = []
        for resource_type, handle in self._files.items():
            handle.close()
            name = f"{resource_type}.ndjson"
            out.append(
                Written(resource_type, name, self._counts[resource_type], (self.directory / name).stat().st_size)
            )
        self._files = {}
        return out

    def discard(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files = {}
        shutil.rmtree(self.directory, ignore_errors=True)
