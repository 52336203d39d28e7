"""Checkpoints of the log chains, anchored outside the database (ASVS 16.4.3).

The hash chain (`chain.py`) shows a changed or removed row, but not the newest rows removed together
with a rewound chain head: to the database the shorter chain looks whole. So the head of each chain
(its row count and the hash of its newest row) is written, periodically, where a database owner
cannot reach it:

* a **write-once file** per checkpoint in TUKIPOLKU_AUDIT_ANCHOR_DIR, created with O_EXCL and mode
  0444, never overwritten (a second checkpoint of the same row count leaves the first file alone);
* an **e-mail** to TUKIPOLKU_AUDIT_ANCHOR_EMAIL (the data protection officer's address), which ends
  up in a mailbox outside the application's reach.

An `AuditCheckpoint` row records each checkpoint for bookkeeping. `audit_verify` compares the
chains with every anchor file (and row): a chain shorter than an anchor, or with another hash at the
anchored row, is a break. Rows appended after the newest anchor are covered by the next checkpoint:
the checkpoint interval is the window in which a cut goes unnoticed.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.audit import chain
from tukipolku.audit.chain import Anchor
from tukipolku.audit.models import AuditCheckpoint, ChainedModel, ChainHead, Disclosure, PersonalDataAccess

CHAINED_LOGS: tuple[type[ChainedModel], ...] = (PersonalDataAccess, Disclosure)
FILE_NAME = re.compile(r"(?P<chain>[a-z_.]+)\.(?P<rows>\d{12})\.json")


def anchor_dir() -> Path | None:
    configured = settings.TUKIPOLKU_AUDIT_ANCHOR_DIR
    return Path(configured) if configured else None


def _write_file(directory: Path, anchor: Anchor) -> str:
    """Create the anchor file once (O_EXCL, 0444); return its name, or "" when it exists already."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{anchor.chain}.{anchor.rows:012d}.json"
    content = {"chain": anchor.chain, "rows": anchor.rows, "last_hash": anchor.last_hash, "taken_at": anchor.taken_at}
    try:
        fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        return ""  # anchored already at this row count: the first file stands
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(content, f, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    return name


def _send(address: str, anchors: list[Anchor]) -> None:
    lines = [f"{a.chain} rows={a.rows} last_hash={a.last_hash} taken_at={a.taken_at}" for a in anchors]
    body = "\n\n".join(
        [
            _(
                "The access and disclosure logs of Tukipolku reached the points below. Keep this message: "
                "the nightly log check compares the logs with these points, and so can you."
            ),
            "\n".join(lines),
        ]
    )
    send_mail(_("Tukipolku log checkpoint"), body, None, [address])


def checkpoint_take() -> list[AuditCheckpoint]:
    """Anchor the head of every chained log that moved since its last checkpoint."""
    directory = anchor_dir()
    address = settings.TUKIPOLKU_AUDIT_ANCHOR_EMAIL
    taken_at = timezone.now()
    made: list[tuple[Anchor, str]] = []
    for model in CHAINED_LOGS:
        name = chain.chain_name(model)
        head = ChainHead.objects.filter(pk=name).first()  # one row, updated atomically by every append
        if head is None or head.rows == 0:
            continue
        last = AuditCheckpoint.objects.filter(chain=name).order_by("-rows", "-taken_at").first()
        if last is not None and last.rows == head.rows and last.last_hash == head.last_hash:
            continue
        anchor = Anchor(name, head.rows, head.last_hash, taken_at.isoformat(timespec="seconds"), "")
        made.append((anchor, _write_file(directory, anchor) if directory is not None else ""))
    if made and address:
        _send(address, [a for a, _file in made])
    return [
        AuditCheckpoint.objects.create(
            taken_at=taken_at,
            chain=a.chain,
            rows=a.rows,
            last_hash=a.last_hash,
            file_name=file_name,
            emailed_to=address,
        )
        for a, file_name in made
    ]


def anchors_for(model: type[ChainedModel]) -> tuple[list[Anchor], list[str]]:
    """The anchors of the model's chain: the files (if a directory is set) and the checkpoint rows.

    Returns the anchors and the problems met while reading them (an unreadable file is a problem:
    an anchor must never silently stop counting)."""
    name = chain.chain_name(model)
    found: list[Anchor] = []
    problems: list[str] = []
    directory = anchor_dir()
    if directory is not None and directory.is_dir():
        for path in sorted(directory.iterdir()):
            match = FILE_NAME.fullmatch(path.name)
            if match is None or match["chain"] != name:
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                found.append(Anchor(name, int(data["rows"]), str(data["last_hash"]), str(data["taken_at"]), path.name))
            except (OSError, ValueError, KeyError, TypeError):
                problems.append(f"anchor file {path.name} cannot be read")
    for row in AuditCheckpoint.objects.filter(chain=name).order_by("rows"):
        taken_at = row.taken_at.isoformat(timespec="seconds")
        found.append(Anchor(name, row.rows, row.last_hash, taken_at, "checkpoint row"))
    return found, problems
