"""Reads of spreadsheet imports. An import is its uploader's alone, and only while they may still
import into its team; it holds no client data beyond the rows of its dry run (names as typed, the
birth-date part of identity codes), and those only until it is written, discarded or expires."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from tukipolku.access.actors import Actor, User
from tukipolku.access.choices import AccessGround
from tukipolku.access.log import refuse_row
from tukipolku.access.policy import can_import_into, import_team_ids
from tukipolku.access.readers import account_of
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.services import access_record
from tukipolku.core.models import Team
from tukipolku.imports.choices import ImportStatus, RowOutcome
from tukipolku.imports.models import ImportBatch

ROWS_PER_PAGE = 100


def import_teams_for(*, actor: Actor) -> QuerySet[Team]:
    """The teams the actor may import into, by name."""
    return Team.objects.filter(pk__in=import_team_ids(actor)).order_by("name")


def import_list_for(*, actor: Actor) -> list[ImportBatch]:
    """The actor's own imports, the newest first (the last 20)."""
    if not isinstance(actor, User):
        return []
    return list(ImportBatch.objects.filter(uploaded_by=actor).select_related("team")[:20])


def import_get_for(*, actor: Actor, batch_id: int, view: str) -> ImportBatch:
    """One of the actor's imports; 404 when missing, someone else's, or its team is no longer theirs
    (the refusal is logged like any other)."""
    batch = ImportBatch.objects.select_related("team", "uploaded_by").filter(pk=batch_id).first()
    if (
        batch is None
        or not isinstance(actor, User)
        or batch.uploaded_by_id != actor.pk
        or not can_import_into(actor=actor, team_id=batch.team_id)
    ):
        refuse_row(actor=actor, view=view, item=None, reason="not_found", resource="import")
    return batch


def import_rows_for(
    *, actor: Actor, batch: ImportBatch, view: str, outcome: str = "", page_number: str | None = None
) -> Page:
    """One page of the dry run's rows of an import (the caller fetched it with `import_get_for`), all
    or of one outcome. A row that matched an existing client tells that the person is a client: the
    page logs a read of each such client (ground: identity code)."""
    rows = batch.rows.all()
    if outcome in RowOutcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows.order_by("number"), ROWS_PER_PAGE).get_page(page_number)
    matched = [r.client_id for r in page.object_list if r.client_id is not None]
    if matched:
        access_record(
            actor=account_of(actor),
            view=view,
            rows=[(client_id, None) for client_id in matched],
            action=AccessAction.LIST,
            basis=AccessGround.IDENTITY_CODE,
            resource="import",
        )
    return page


def import_earlier(*, batch: ImportBatch) -> ImportBatch | None:
    """An earlier import of the same file into the same team that was written, if any."""
    return (
        ImportBatch.objects.filter(file_hash=batch.file_hash, team_id=batch.team_id, status=ImportStatus.COMMITTED)
        .exclude(pk=batch.pk)
        .order_by("-committed_at")
        .first()
    )
