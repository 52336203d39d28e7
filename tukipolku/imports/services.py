"""State changes of spreadsheet imports (docs/import.md): upload, choose columns, the dry run, the
commit (all or nothing, or only the valid rows), discard and expiry.

Who may import into which team is the access policy's `import_team_ids` / `can_import_into`. The
dry run and the commit run in the task worker (`jobs.py`, ADR 0009) and read the client register by
identity code: each client they find is logged as a read by the uploader (ground: identity code).
Every record a commit creates gets the same domain event as when created by hand
(`writing.write_chunk`). Identity codes are never logged, never in a URL, never in a message."""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import active_team_ids, can_import_into
from tukipolku.audit.choices import AccessAction, Agent
from tukipolku.audit.services import access_record, access_scope
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import Team
from tukipolku.imports.choices import ACTIVE_STATUSES, ImportStatus, RowOutcome
from tukipolku.imports.columns import BY_KEY, REQUIRED, guess_mapping
from tukipolku.imports.models import ImportBatch, ImportRow
from tukipolku.imports.reading import FileProblem, inspect, rows
from tukipolku.imports.validation import Checked, Checker
from tukipolku.imports.writing import Written, write_chunk, write_rows

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000
KEEP_FOR = datetime.timedelta(hours=24)


def _max_bytes() -> int:
    return int(settings.TUKIPOLKU_IMPORT_MAX_BYTES)


class _Rollback(Exception):
    """The commit found a row that had become invalid: nothing is written."""


def _stale() -> ConflictError:
    return ConflictError(_("This import was changed in another window meanwhile. Check the page and try again."))


def _lock(batch: ImportBatch, expected_revision: int, statuses: tuple[str, ...]) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.revision != expected_revision or locked.status not in statuses:
        raise _stale()
    return locked


def _delete_file(batch: ImportBatch) -> None:
    if batch.file:
        batch.file.delete(save=False)
        batch.file = ""


@transaction.atomic
def import_upload(*, actor: Actor, team: Team, upload: UploadedFile) -> ImportBatch:
    """Keep an uploaded CSV or XLSX file for an import into `team`, read its headings and guess which
    column is which. Refuses a file that is too big or cannot be read as a spreadsheet."""
    actor = signed_in(actor)  # a signed-in user from here on
    if not can_import_into(actor=actor, team_id=team.pk):
        raise ApplicationError(_("You may import only into your own teams."), field="team")
    size = upload.size or 0
    if size == 0:
        raise ApplicationError(_("The file is empty."), field="file")
    if size > _max_bytes():
        raise ApplicationError(
            _("The file is too big: at most %(mb)s MB. Split it into several files.") % {"mb": _max_bytes() // 2**20},
            field="file",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    try:
        shape = inspect(upload.file)  # type: ignore[arg-type]  # an uploaded file always has one
    except FileProblem:
        raise
    except Exception as exc:
        log.warning("import file could not be read: %s", type(exc).__name__)
        raise FileProblem(_("The file cannot be read as a spreadsheet. Save it as CSV or XLSX and try again.")) from exc
    headers = shape.headers or []
    batch = ImportBatch(
        uploaded_by=actor,
        team=team,
        file_name=(upload.name or "")[-200:],
        file_hash=digest.hexdigest(),
        file_size=size,
        kind=shape.kind,
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        headers=[h[:200] for h in headers][:200],
        mapping=guess_mapping(headers),
        language=(get_language() or "fi")[:10],
        total_rows=shape.rows,
        expires_at=timezone.now() + KEEP_FOR,
    )
    upload.seek(0)
    batch.file.save(f"{uuid.uuid4().hex}.{shape.kind}", File(upload.file), save=False)
    batch.save()
    return batch


def _check_mapping(batch: ImportBatch, mapping: dict[str, int]) -> dict[str, int]:
    clean: dict[str, int] = {}
    for key, index in mapping.items():
        if key not in BY_KEY:
            continue
        if not 0 <= int(index) < len(batch.headers):
            raise ApplicationError(_("Choose the columns from the file's headings."))
        clean[key] = int(index)
    missing = [str(BY_KEY[k].label) for k in REQUIRED if k not in clean]
    if missing:
        raise ApplicationError(_("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)})
    taken: dict[int, str] = {}
    for key, index in clean.items():
        if index in taken:
            raise ApplicationError(
                _("Column “%(heading)s” is chosen for both %(a)s and %(b)s.")
                % {"heading": batch.headers[index], "a": BY_KEY[taken[index]].label, "b": BY_KEY[key].label}
            )
        taken[index] = key
    return clean


@transaction.atomic
def import_map(*, actor: Actor, batch: ImportBatch, mapping: dict[str, int], expected_revision: int) -> ImportBatch:
    """Save which column is which and start the dry run in the task worker."""
    signed_in(actor)
    statuses = (ImportStatus.UPLOADED, ImportStatus.CHECKED)
    locked = _lock(batch, expected_revision, statuses)
    locked.mapping = _check_mapping(locked, mapping)
    locked.status = ImportStatus.CHECKING
    locked.revision += 1
    locked.done_rows = 0
    locked.counts = {}
    locked.problem = ""
    locked.language = (get_language() or "fi")[:10]
    locked.save(
        update_fields=["mapping", "status", "revision", "done_rows", "counts", "problem", "language", "updated_at"]
    )
    ImportRow.objects.filter(batch=locked).delete()
    batch_id = locked.pk
    transaction.on_commit(lambda: _enqueue("check", batch_id))
    return locked


def _enqueue(what: str, batch_id: int) -> None:
    from tukipolku.imports.jobs import check_import_task, commit_import_task

    (check_import_task if what == "check" else commit_import_task).enqueue(batch_id)


@contextmanager
def _opened(batch: ImportBatch) -> Iterator[IO[bytes]]:
    batch.file.open("rb")
    try:
        yield batch.file.file
    finally:
        batch.file.close()


def _chunks(batch: ImportBatch, checker: Checker, stream: IO[bytes]) -> Iterator[list[Checked]]:
    chunk: list[Checked] = []
    for row in rows(stream, kind=batch.kind, encoding=batch.encoding, delimiter=batch.delimiter or ","):
        if row.problem:
            checked = Checked(row.number, messages=[row.problem], outcome=RowOutcome.ERROR)
        else:
            checked = checker.check_row(row.number, row.cells)
        chunk.append(checked)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _log_found(batch: ImportBatch, client_ids: list[int], view: str) -> None:
    if client_ids:
        access_record(
            actor=batch.uploaded_by,
            view=view,
            rows=[(cid, None) for cid in client_ids],
            action=AccessAction.SEARCH,
            basis=AccessGround.IDENTITY_CODE,
            resource="client",
        )


def _checker(batch: ImportBatch) -> Checker:
    return Checker(actor=batch.uploaded_by, default_team=batch.team, mapping=batch.mapping)


def _fail(batch_id: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED, problem=message, updated_at=timezone.now()
    )


def import_check(*, batch_id: int) -> dict[str, int]:
    """The dry run (a job): check every row and record what it would do, a chunk at a time, with the
    progress on the batch. Writes nothing but the batch and its rows."""
    batch = ImportBatch.objects.select_related("uploaded_by", "team__organisation").get(pk=batch_id)
    if batch.status != ImportStatus.CHECKING:
        return {}
    counts = dict.fromkeys(RowOutcome.values, 0)
    done = 0
    with translation.override(batch.language), access_scope(agent=Agent.SYSTEM) as scope:
        try:
            checker = _checker(batch)
            with _opened(batch) as stream:
                for chunk in _chunks(batch, checker, stream):
                    _log_found(batch, checker.resolve_chunk(chunk), "imports:check")
                    scope.flush()  # the access-log rows of each chunk at once: memory stays flat
                    write_rows(
                        ImportRow,
                        [
                            {
                                "batch_id": batch_id,
                                "number": r.number,
                                "outcome": r.outcome,
                                "masked_code": r.masked_code,
                                "name": r.name,
                                "team_name": r.team.name if r.team else "",
                                "start_on": r.start_on,
                                "messages": r.messages,
                                "client_id": r.client_id,
                            }
                            for r in chunk
                        ],
                    )
                    for r in chunk:
                        counts[r.outcome] += 1
                    done += len(chunk)
                    ImportBatch.objects.filter(pk=batch_id).update(
                        done_rows=done, total_rows=max(done, batch.total_rows), counts=counts
                    )
        except FileProblem as exc:
            _fail(batch_id, exc.message)
            return counts
        except Exception as exc:
            log.exception("import check failed: %s", type(exc).__name__)
            _fail(batch_id, _("The file could not be checked. Try again, or save it as CSV UTF-8."))
            raise
    ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.CHECKING).update(
        status=ImportStatus.CHECKED, done_rows=done, total_rows=done, counts=counts, updated_at=timezone.now()
    )
    return counts


@transaction.atomic
def import_commit(*, actor: Actor, batch: ImportBatch, only_valid: bool, expected_revision: int) -> ImportBatch:
    """Ask for the checked import to be written: all rows (refused while any row is refused) or only
    the valid ones. The task worker writes it (`import_write`)."""
    signed_in(actor)
    locked = _lock(batch, expected_revision, (ImportStatus.CHECKED,))
    if not can_import_into(actor=actor, team_id=locked.team_id):
        raise ApplicationError(_("You may import only into your own teams."))
    errors = int(locked.counts.get(RowOutcome.ERROR, 0))
    if errors and not only_valid:
        raise ApplicationError(
            _(
                "%(count)s rows are refused. Correct them in the file and upload it again, "
                "or import only the valid rows."
            )
            % {"count": errors}
        )
    writable = int(locked.counts.get(RowOutcome.NEW_CLIENT, 0)) + int(locked.counts.get(RowOutcome.NEW_RELATIONSHIP, 0))
    if not writable:
        raise ApplicationError(_("There is nothing to import: every row is already imported or refused."))
    locked.status = ImportStatus.COMMITTING
    locked.only_valid = only_valid
    locked.revision += 1
    locked.done_rows = 0
    locked.problem = ""
    locked.save(update_fields=["status", "only_valid", "revision", "done_rows", "problem", "updated_at"])
    batch_id = locked.pk
    transaction.on_commit(lambda: _enqueue("commit", batch_id))
    return locked


class _Progress:
    """The commit's progress, written on its own connection (PostgreSQL) so that the page sees it
    while the one transaction of the commit is still open. Best effort: a failure only stops the bar."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.conn: Any = None
        if connection.vendor == "postgresql":
            try:
                self.conn = type(connection)(dict(connection.settings_dict), "imports_progress")
                with self.conn.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '1s'")
            except Exception:
                self.conn = None

    def update(self, done: int) -> None:
        if self.conn is None:
            return
        try:
            with self.conn.cursor() as cursor:
                cursor.execute("UPDATE imports_importbatch SET done_rows = %s WHERE id = %s", [done, self.batch_id])
        except Exception:
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None


def import_write(*, batch_id: int) -> dict[str, int]:
    """The commit (a job): check every row again against the database as it is now and write the
    valid ones in one transaction. All or nothing unless `only_valid`: one refused row then writes
    nothing, and the import goes back to checked with the reason."""
    batch = ImportBatch.objects.select_related("uploaded_by", "team__organisation").get(pk=batch_id)
    if batch.status != ImportStatus.COMMITTING:
        return {}
    written = Written()
    counts = dict.fromkeys(RowOutcome.values, 0)
    progress = _Progress(batch_id)
    actor_teams = active_team_ids(batch.uploaded_by)
    try:
        with translation.override(batch.language), access_scope(agent=Agent.SYSTEM), transaction.atomic():
            checker = _checker(batch)
            done = 0
            with _opened(batch) as stream:
                for chunk in _chunks(batch, checker, stream):
                    _log_found(batch, checker.resolve_chunk(chunk), "imports:commit")
                    for r in chunk:
                        counts[r.outcome] += 1
                    if counts[RowOutcome.ERROR] and not batch.only_valid:
                        raise _Rollback
                    good = [r for r in chunk if r.outcome in (RowOutcome.NEW_CLIENT, RowOutcome.NEW_RELATIONSHIP)]
                    part, _created = write_chunk(
                        actor_id=batch.uploaded_by.pk,
                        actor_team_ids=actor_teams,
                        batch_id=batch_id,
                        rows=good,
                        member_names=checker.member_names,
                    )
                    written.add(part)
                    done += len(chunk)
                    progress.update(done)
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportStatus.COMMITTED,
                done_rows=done,
                total_rows=done,
                counts=counts,
                created=written.as_dict(),
                committed_at=timezone.now(),
                expires_at=timezone.now() + KEEP_FOR,
                updated_at=timezone.now(),
            )
    except _Rollback:
        with translation.override(batch.language):
            message = _(
                "Nothing was imported: a row became invalid after the check (for example, someone opened the "
                "same client relationship meanwhile). The rows are checked again below."
            )
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.CHECKING, problem=message, done_rows=0)
        ImportRow.objects.filter(batch_id=batch_id).delete()
        progress.close()
        import_check(batch_id=batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(problem=message)
        return {}
    except FileProblem as exc:
        progress.close()
        _fail(batch_id, exc.message)
        return {}
    except Exception as exc:
        progress.close()
        log.exception("import commit failed: %s", type(exc).__name__)
        with translation.override(batch.language):
            message = _(
                "Nothing was imported: the import failed. Try again; if it fails again, tell the administrator."
            )
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportStatus.CHECKED, problem=message)
        raise
    progress.close()
    batch.refresh_from_db()
    _delete_file(batch)
    batch.save(update_fields=["file", "updated_at"])
    ImportRow.objects.filter(batch_id=batch_id).exclude(outcome=RowOutcome.ERROR).delete()
    return written.as_dict()


@transaction.atomic
def import_discard(*, actor: Actor, batch: ImportBatch, expected_revision: int) -> None:
    """Drop an import that has not been written: the file and the rows are deleted at once."""
    signed_in(actor)
    locked = _lock(batch, expected_revision, (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED))
    _delete_file(locked)
    locked.status = ImportStatus.DISCARDED
    locked.revision += 1
    locked.save(update_fields=["file", "status", "revision", "updated_at"])
    ImportRow.objects.filter(batch=locked).delete()


def import_purge_expired() -> int:
    """Delete the files and rows of imports past their time (24 hours after upload or commit)."""
    now = timezone.now()
    purged = 0
    for batch in ImportBatch.objects.filter(expires_at__lt=now).exclude(file="").iterator():
        with transaction.atomic():
            _delete_file(batch)
            if batch.status in ACTIVE_STATUSES and batch.status not in (ImportStatus.CHECKING, ImportStatus.COMMITTING):
                batch.status = ImportStatus.EXPIRED
            batch.save(update_fields=["file", "status", "updated_at"])
            purged += 1
    ImportRow.objects.filter(batch__expires_at__lt=now).delete()
    return purged
