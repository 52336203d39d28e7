"""Bulk export (FHIR Bulk Data Access, `$export`): ask, run, cancel, expire.

* `export_request` records the request and queues `jobs.run_export_task` (the worker runs it).
* `export_run` (the task) walks the candidate client relationships a chunk at a time: the access
  policy decides each (`access.policy.episode_access`, the system reader's consent rule), the permitted
  ones are fetched with their relations and mapped to FHIR resources written straight into NDJSON
  files, and the chunk's access-log and disclosure rows are written together (`access.log.log_export`
  in an `audit.services.access_scope`, one insert per chain for the chunk). Memory stays flat: one
  chunk of rows at a time, the files written as they come.
* `export_cancel` stops a waiting or running export (or withdraws a finished one) and deletes its files.
* `exports_expire` (the sweep, every few minutes) deletes the files of expired exports, fails runs whose
  worker died, and forgets old finished jobs.

Nothing here names a client in a log line or an error: jobs hold counts and file names only.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access import cache as access_cache
from tukipolku.access.log import log_export
from tukipolku.access.policy import EpisodeAccess, episode_access, episode_candidate_q, preload_consents
from tukipolku.access.readers import AnyReader, ReaderKind, SystemReader, account_of, reader_kind
from tukipolku.audit.choices import Agent
from tukipolku.audit.services import access_scope
from tukipolku.bulkexport.choices import ACTIVE_STATUSES, ExportLevel, ExportStatus
from tukipolku.bulkexport.models import ExportFile, ExportJob
from tukipolku.bulkexport.resources import (
    EPISODE_PREFETCH,
    EPISODE_RELATIONS,
    PER_CLIENT,
    PER_ORGANISATION,
    RESOURCES,
    Emitted,
    types_for,
)
from tukipolku.bulkexport.writer import NdjsonWriter, job_directory, remove_directory
from tukipolku.cases.models import Episode
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import Team, User

logger = logging.getLogger(__name__)

VIEW = "bulkexport:run"
"""The access log's `view` for the rows an export writes."""


class ExportBusy(ApplicationError):
    """The requester already has as many exports waiting or running as allowed."""


# ---------------------------------------------------------------- request


def export_request(
    *,
    reader: AnyReader,
    level: str,
    team: Team | None = None,
    types: list[str] | None = None,
    since: datetime.datetime | None = None,
    request_url: str,
) -> ExportJob:
    """Record an export and queue its run. `types` are the `_type` asked for (None: every type of the
    level), `since` the `_since`. The caller has checked that the reader may ask (scope, the team)."""
    account = account_of(reader)
    if not isinstance(account, User) or not account.is_authenticated:
        raise ApplicationError(_("Sign in or use an access token to export."))
    unknown = sorted(set(types or []) - set(RESOURCES))
    if unknown:
        raise ApplicationError(_("These resource types cannot be exported: %(types)s.") % {"types": ", ".join(unknown)})
    if level == ExportLevel.GROUP and team is None:
        raise ApplicationError(_("A group export needs the group."))
    if since is not None and since > timezone.now():
        raise ApplicationError(_("The _since time is in the future."), field="_since")
    written = types_for(level=level, requested=types)
    if types and not written:
        raise ApplicationError(_("None of these resource types belong to this export."), field="_type")
    with transaction.atomic():
        # One lock per requester, so two simultaneous requests cannot both pass the limit.
        User.objects.select_for_update().filter(pk=account.pk).first()
        active = ExportJob.objects.filter(account=account, status__in=ACTIVE_STATUSES).count()
        if active >= settings.TUKIPOLKU_EXPORT_MAX_ACTIVE:
            raise ExportBusy(_("Wait for your earlier export to finish before asking for another."))
        system = reader if isinstance(reader, SystemReader) else None
        job = ExportJob.objects.create(
            account=account,
            reader_kind=reader_kind(reader),
            organisation_id=system.organisation_id if system else account.organisation_id,
            purposes=sorted(system.purposes) if system else [],
            level=level,
            team=team,
            types=written,
            since=since,
            request_url=request_url[:1000],
        )
        _enqueue(job)
    return job


def _enqueue(job: ExportJob) -> None:
    """Queue the run. With the database queue the task row commits with the job; otherwise (Redis, the
    immediate backend of the tests) the task is queued once the job has committed."""
    from django_tasks_db import DatabaseBackend

    from tukipolku.bulkexport.jobs import run_export_task

    if isinstance(run_export_task.get_backend(), DatabaseBackend):
        job.task_id = str(run_export_task.enqueue(job_id=str(job.pk)).id)[:64]
        job.save(update_fields=["task_id"])
        return

    def later() -> None:
        task_id = str(run_export_task.enqueue(job_id=str(job.pk)).id)[:64]
        ExportJob.objects.filter(pk=job.pk).update(task_id=task_id)

    transaction.on_commit(later)


# ---------------------------------------------------------------- cancel


def export_cancel(*, job: ExportJob) -> ExportJob:
    """Cancel a waiting or running export, or withdraw a finished one: its files are deleted and its
    status URL answers 404 from now on. A running export stops at its next chunk."""
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status in (ExportStatus.CANCELLED, ExportStatus.EXPIRED):
            return locked
        locked.status = ExportStatus.CANCELLED
        locked.finished_at = locked.finished_at or timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        locked.files.all().delete()
    remove_directory(locked.pk)
    return locked


# ---------------------------------------------------------------- run


def reader_for(*, job: ExportJob) -> AnyReader:
    """The reader the export reads as: the system client (its account, organisation and purposes as
    granted when it asked) or the staff member."""
    if job.reader_kind == ReaderKind.SYSTEM:
        return SystemReader(
            account=job.account, organisation_id=job.organisation_id or 0, purposes=frozenset(job.purposes)
        )
    return job.account


def _candidates(job: ExportJob, reader: AnyReader) -> QuerySet[Episode]:
    """The relationships the export considers (`access.policy.episode_candidate_q`: a staff member's
    visible ones; a system client's those a consent row names its organisation for); the policy decides
    each of them."""
    episodes = Episode.objects.filter(episode_candidate_q(reader))
    if job.level == ExportLevel.GROUP:
        episodes = episodes.filter(team_id=job.team_id or 0)
    return episodes


def _client_chunks(episodes: QuerySet[Episode], size: int) -> Iterator[list[int]]:
    """The candidates' client ids in order, `size` at a time (every relationship of a client in one chunk)."""
    last = 0
    while True:
        ids = list(
            episodes.filter(client_id__gt=last)
            .order_by("client_id")
            .values_list("client_id", flat=True)
            .distinct()[:size]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


@dataclass
class _Run:
    job: ExportJob
    reader: AnyReader
    writer: NdjsonWriter
    kinds: list[str]
    checked: int = 0
    clients: int = 0
    resources: int = 0
    organisations: set[int] = field(default_factory=set)


def _decide(run: _Run, light: list[Episode]) -> tuple[dict[int, EpisodeAccess], list[Episode]]:
    """The policy's answer for each candidate relationship of a chunk: those whose data of every
    requested type the reader may read, and those refused."""
    with access_cache.scope():
        preload_consents(actor=run.reader, client_ids={e.client_id for e in light})
        permitted: dict[int, EpisodeAccess] = {}
        refused: list[Episode] = []
        for episode in light:
            access = episode_access(actor=run.reader, episode=episode)
            if access is not None and all(access.reads(RESOURCES[t].category) for t in run.kinds):
                permitted[episode.pk] = access
            else:
                refused.append(episode)
        return permitted, refused


def _write(run: _Run, emitted: Emitted) -> bool:
    """Write the resources changed since `_since` (all without it); whether any was written."""
    since = run.job.since
    wrote = False
    for resource, changed in emitted:
        if since is None or (changed is not None and changed >= since):
            run.writer.write(resource)
            run.resources += 1
            wrote = True
    return wrote


def _write_chunk(run: _Run, permitted: dict[int, EpisodeAccess]) -> list[tuple[Episode, EpisodeAccess]]:
    """Map and write the permitted relationships' resources; returns those whose data went out."""
    full = (
        Episode.objects.filter(pk__in=list(permitted))
        .select_related(*EPISODE_RELATIONS)
        .prefetch_related(*EPISODE_PREFETCH)
        .order_by("client_id", "pk")
    )
    reads: list[tuple[Episode, EpisodeAccess]] = []
    previous_client = None
    for episode in full:
        wrote = False
        for name in run.kinds:
            kind = RESOURCES[name]
            if kind.per == PER_ORGANISATION:
                organisation = episode.team.organisation
                if organisation.pk not in run.organisations:  # an organisation is nobody's personal data
                    run.organisations.add(organisation.pk)
                    _write(run, kind.emit(organisation))
                continue
            if kind.per == PER_CLIENT:
                if episode.client_id == previous_client:
                    continue
                emitted = kind.emit(episode.client)
            else:
                emitted = kind.emit(episode)
            wrote = _write(run, emitted) or wrote
        if wrote:
            if episode.client_id != (reads[-1][0].client_id if reads else None):
                run.clients += 1
            reads.append((episode, permitted[episode.pk]))
        previous_client = episode.client_id
    return reads


def export_run(*, job_id: str | uuid.UUID) -> ExportJob | None:
    """Run one export (the worker calls this through `jobs.run_export_task`). A job that is no longer
    waiting (cancelled, or taken by another worker) is left alone."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.ACCEPTED).update(
        status=ExportStatus.RUNNING, started_at=now, heartbeat_at=now, transaction_time=now
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("account").get(pk=job_id)
    reader = reader_for(job=job)
    run = _Run(job=job, reader=reader, writer=NdjsonWriter(job_directory(job.pk)), kinds=list(job.types))
    try:
        _run_chunks(run)
    except _Cancelled:
        run.writer.discard()
        return ExportJob.objects.get(pk=job.pk)
    except Exception as exc:
        run.writer.discard()
        logger.error("bulk export %s failed: %s", job.pk, type(exc).__name__)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=type(exc).__name__
        )
        return ExportJob.objects.get(pk=job.pk)
    return _finish(run)


class _Cancelled(Exception):
    pass


def _run_chunks(run: _Run) -> None:
    job = run.job
    candidates = _candidates(job, run.reader)
    if isinstance(run.reader, SystemReader) and not run.reader.account.is_active:
        candidates = candidates.none()  # the system client was switched off after it asked
    total = candidates.count()
    ExportJob.objects.filter(pk=job.pk).update(episodes_total=total)
    size = settings.TUKIPOLKU_EXPORT_CHUNK_SIZE
    with access_scope(request_id=job.pk.hex, agent=Agent.SYSTEM) as log_rows:
        for client_ids in _client_chunks(candidates, size):
            light = list(
                candidates.filter(client_id__in=client_ids)
                .select_related("team")
                .only("id", "client_id", "team_id", "status", "team__id", "team__organisation_id")
            )
            permitted, refused = _decide(run, light)
            reads = _write_chunk(run, permitted) if permitted else []
            if reads or refused:
                log_export(actor=run.reader, view=VIEW, reads=reads, categories=_categories(run), refused=refused)
                log_rows.flush()
            run.checked += len(light)
            moved = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                episodes_checked=run.checked,
                clients_exported=run.clients,
                resources=run.resources,
                heartbeat_at=timezone.now(),
            )
            if not moved:
                raise _Cancelled


def _categories(run: _Run) -> list[str]:
    return sorted({RESOURCES[t].category for t in run.kinds if RESOURCES[t].per != PER_ORGANISATION})


def _finish(run: _Run) -> ExportJob:
    written = run.writer.close()
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=run.job.pk)
        if job.status != ExportStatus.RUNNING:  # cancelled after the last chunk
            remove_directory(job.pk)
            return job
        ExportFile.objects.bulk_create(
            ExportFile(job=job, resource_type=w.resource_type, name=w.name, count=w.count, size=w.size) for w in written
        )
        job.status = ExportStatus.COMPLETED
        job.finished_at = now
        job.expires_at = now + datetime.timedelta(hours=settings.TUKIPOLKU_EXPORT_KEEP_HOURS)
        job.episodes_checked = run.checked
        job.clients_exported = run.clients
        job.resources = run.resources
        job.save()
    return job


# ---------------------------------------------------------------- expiry


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their expiry (their status URL answers 410 Gone), fail runs whose
    worker stopped beating, and forget finished jobs after `TUKIPOLKU_EXPORT_FORGET_DAYS`. Returns how
    many jobs changed. Idempotent: the sweep runs it every few minutes."""
    now = now or timezone.now()
    changed = 0
    for job_id in ExportJob.objects.filter(status=ExportStatus.COMPLETED, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            if ExportJob.objects.filter(pk=job_id, status=ExportStatus.COMPLETED).update(status=ExportStatus.EXPIRED):
                ExportFile.objects.filter(job_id=job_id).delete()
                changed += 1
        remove_directory(job_id)
    stalled_before = now - datetime.timedelta(minutes=settings.TUKIPOLKU_EXPORT_STALL_MINUTES)
    stalled = list(
        ExportJob.objects.filter(status=ExportStatus.RUNNING, heartbeat_at__lt=stalled_before).values_list(
            "pk", flat=True
        )
    )
    for job_id in stalled:
        if ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING, heartbeat_at__lt=stalled_before).update(
            status=ExportStatus.FAILED, finished_at=now, error="worker stopped"
        ):
            changed += 1
            remove_directory(job_id)
    never_started = now - datetime.timedelta(hours=settings.TUKIPOLKU_EXPORT_KEEP_HOURS)
    changed += ExportJob.objects.filter(status=ExportStatus.ACCEPTED, requested_at__lt=never_started).update(
        status=ExportStatus.FAILED, finished_at=now, error="never started"
    )
    forget_before = now - datetime.timedelta(days=settings.TUKIPOLKU_EXPORT_FORGET_DAYS)
    _total, per_model = (
        ExportJob.objects.exclude(status__in=ACTIVE_STATUSES).filter(requested_at__lt=forget_before).delete()
    )
    return changed + per_model.get(ExportJob._meta.label, 0)
