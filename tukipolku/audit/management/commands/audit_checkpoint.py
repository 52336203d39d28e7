"""Anchor the heads of the access- and disclosure-log chains outside the database now.

    manage.py audit_checkpoint

Writes a write-once file per moved chain to TUKIPOLKU_AUDIT_ANCHOR_DIR and/or e-mails the heads to
TUKIPOLKU_AUDIT_ANCHOR_EMAIL (`tukipolku/audit/anchors.py`). The sweep's scheduler does the same in
the background every slot; run this by hand before a maintenance break or a backup.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tukipolku.audit.anchors import anchor_dir, checkpoint_take


class Command(BaseCommand):
    help = "Anchor the heads of the audit log chains in TUKIPOLKU_AUDIT_ANCHOR_DIR and/or by e-mail."

    def handle(self, *args: Any, **options: Any) -> None:
        if anchor_dir() is None and not settings.TUKIPOLKU_AUDIT_ANCHOR_EMAIL:
            raise CommandError("Set TUKIPOLKU_AUDIT_ANCHOR_DIR or TUKIPOLKU_AUDIT_ANCHOR_EMAIL: nowhere to anchor.")
        made = checkpoint_take()
        if options["verbosity"] < 1:
            return
        for c in made:
            where = ", ".join(w for w in (c.file_name, c.emailed_to) if w)
            self.stdout.write(self.style.SUCCESS(f"{c.chain}: anchored at {c.rows} rows, hash {c.last_hash} ({where})"))
        if not made:
            self.stdout.write("No log moved since the last checkpoint: nothing to anchor.")
