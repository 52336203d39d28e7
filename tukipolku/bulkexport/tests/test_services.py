"""The export's run, as a staff member's reader (the system client's are in test_system.py): what goes in
the files, what the access log gets, `_type` and `_since`, cancel, failure, expiry, the limit."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit import chain
from tukipolku.audit.choices import AccessAction, Agent
from tukipolku.audit.models import PersonalDataAccess
from tukipolku.bulkexport import resources, services
from tukipolku.bulkexport.choices import ExportLevel, ExportStatus
from tukipolku.bulkexport.models import ExportJob
from tukipolku.bulkexport.services import ExportBusy, export_cancel, export_request, export_run, exports_expire
from tukipolku.bulkexport.tests.helpers import ids, lines
from tukipolku.bulkexport.writer import job_directory
from tukipolku.clients.models import Client
from tukipolku.core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def _request(reader, **kw) -> ExportJob:
    params = {"level": ExportLevel.PATIENT, "request_url": "http://testserver/fhir/Patient/$export"}
    params.update(kw)
    return export_request(reader=reader, **params)


@pytest.fixture
def three(nurse, team, other_team, satakunta):
    """Two clients of the nurse's team and one of another organisation's team."""
    from tukipolku.core.tests.factories import member

    ours = [open_episode(nurse, team, satakunta), open_episode(nurse, team, satakunta)]
    stranger = member(other_team)
    theirs = open_episode(stranger, other_team, satakunta)
    return ours, theirs


def test_export_run__writes_the_readers_clients_only(nurse, three):
    ours, theirs = three
    job = export_run(job_id=_request(nurse).pk)

    assert job.status == ExportStatus.COMPLETED
    assert ids(job, "Patient") == {str(e.client_id) for e in ours}
    assert ids(job, "EpisodeOfCare") == {str(e.pk) for e in ours}
    assert str(theirs.client_id) not in ids(job, "Patient")
    assert {f.resource_type: f.count for f in job.files.all()} == {"Patient": 2, "EpisodeOfCare": 2, "CareTeam": 2}
    assert job.clients_exported == 2 and job.resources == 6
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=24)
    assert not ids(job, "Organization")  # a patient-level export has no organisations


def test_export_run__one_access_log_row_per_relationship_exported_and_the_chain_holds(nurse, three):
    ours, theirs = three
    job = export_run(job_id=_request(nurse).pk)

    rows = PersonalDataAccess.objects.filter(request_id=job.pk.hex)
    assert sorted(r.client_id for r in rows) == sorted(e.client_id for e in ours)
    assert {(r.action, r.agent, r.user_id, r.outcome, r.view) for r in rows} == {
        (AccessAction.EXPORT, Agent.SYSTEM, nurse.pk, "allowed", "bulkexport:run")
    }
    assert not PersonalDataAccess.objects.filter(client_id=theirs.client_id, action=AccessAction.EXPORT).exists()
    assert list(chain.verify(PersonalDataAccess)) == []


def test_export_run__a_client_with_two_relationships_is_one_patient(nurse, team, satakunta):
    from tukipolku.core.models import TeamMembership
    from tukipolku.core.tests.factories import TeamFactory

    second_team = TeamFactory(organisation=team.organisation)
    TeamMembership.objects.create(team=second_team, user=nurse)
    first = open_episode(nurse, team, satakunta)
    second = open_episode(nurse, second_team, satakunta, client=first.client)
    job = export_run(job_id=_request(nurse).pk)

    assert [p["id"] for p in lines(job, "Patient")] == [str(first.client_id)]
    assert ids(job, "EpisodeOfCare") == {str(first.pk), str(second.pk)}
    assert job.clients_exported == 1


def test_export_run__system_level_adds_the_organisations(nurse, team, three):
    job = export_run(job_id=_request(nurse, level=ExportLevel.SYSTEM).pk)
    assert ids(job, "Organization") == {str(team.organisation_id)}


def test_export_run__type_limits_the_files(nurse, three):
    job = export_run(job_id=_request(nurse, types=["Patient"]).pk)
    assert [f.resource_type for f in job.files.all()] == ["Patient"]
    assert not lines(job, "EpisodeOfCare")


def test_export_run__since_writes_only_what_changed(nurse, three):
    ours, _theirs = three
    since = timezone.now()
    Client.objects.filter(pk=ours[0].client_id).update(updated_at=since + datetime.timedelta(seconds=1))
    job = export_run(job_id=_request(nurse, since=since).pk)

    assert ids(job, "Patient") == {str(ours[0].client_id)}
    assert not lines(job, "EpisodeOfCare")
    # Only the client whose data went out is in the access log.
    assert list(PersonalDataAccess.objects.filter(request_id=job.pk.hex).values_list("client_id", flat=True)) == [
        ours[0].client_id
    ]


def test_export_run__small_chunks_give_the_same_files_and_progress(nurse, three, settings):
    settings.TUKIPOLKU_EXPORT_CHUNK_SIZE = 1
    job = export_run(job_id=_request(nurse).pk)
    assert job.status == ExportStatus.COMPLETED
    assert job.episodes_total == job.episodes_checked == 2
    assert job.percent == 100
    assert len(lines(job, "Patient")) == 2


def test_export_request__refuses_bad_parameters(nurse, team):
    with pytest.raises(ApplicationError):
        _request(nurse, types=["Observation"])
    with pytest.raises(ApplicationError):
        _request(nurse, since=timezone.now() + datetime.timedelta(hours=1))
    with pytest.raises(ApplicationError):
        _request(nurse, level=ExportLevel.GROUP, team=None)
    with pytest.raises(ApplicationError):
        _request(nurse, level=ExportLevel.PATIENT, types=["Organization"])
    assert not ExportJob.objects.exists()


def test_export_request__at_most_two_waiting_or_running_per_requester(nurse, django_capture_on_commit_callbacks):
    _request(nurse)
    _request(nurse)
    with pytest.raises(ExportBusy):
        _request(nurse)
    assert ExportJob.objects.count() == 2


def test_export_request__queues_the_run_and_it_runs_once_committed(nurse, three, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(nurse)
    job.refresh_from_db()
    assert job.status == ExportStatus.COMPLETED and job.task_id
    assert export_run(job_id=job.pk) is None  # a second run of the same job does nothing


def test_export_cancel__before_the_run_it_never_runs(nurse, three):
    job = _request(nurse)
    export_cancel(job=job)
    assert export_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == ExportStatus.CANCELLED
    assert not job_directory(job.pk).exists()


def test_export_cancel__while_running_stops_at_the_next_chunk_and_deletes_the_files(
    nurse, three, settings, monkeypatch
):
    settings.TUKIPOLKU_EXPORT_CHUNK_SIZE = 1
    job = _request(nurse)
    real = services._write_chunk

    def write_then_cancel(run, permitted):
        out = real(run, permitted)
        export_cancel(job=run.job)
        return out

    monkeypatch.setattr(services, "_write_chunk", write_then_cancel)
    done = export_run(job_id=job.pk)
    assert done.status == ExportStatus.CANCELLED
    assert done.episodes_checked == 0  # stopped after the first chunk: its progress was not recorded
    assert not job_directory(job.pk).exists()


def test_export_cancel__a_finished_export_loses_its_files(nurse, three):
    job = export_run(job_id=_request(nurse).pk)
    assert job_directory(job.pk).exists()
    export_cancel(job=job)
    job.refresh_from_db()
    assert job.status == ExportStatus.CANCELLED and not job.files.exists()
    assert not job_directory(job.pk).exists()


def test_export_run__a_failure_fails_the_job_without_files(nurse, three, monkeypatch):
    def broken(client):
        raise ValueError("boom")

    monkeypatch.setitem(
        resources.RESOURCES,
        "Patient",
        resources.ResourceKind("Patient", resources.PER_CLIENT, broken),
    )
    job = export_run(job_id=_request(nurse).pk)
    assert job.status == ExportStatus.FAILED
    assert job.error == "ValueError"
    assert not job_directory(job.pk).exists()


def test_exports_expire__deletes_expired_files_and_fails_stalled_runs(nurse, three):
    done = export_run(job_id=_request(nurse).pk)
    stalled = _request(nurse)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    ExportJob.objects.filter(pk=stalled.pk).update(status=ExportStatus.RUNNING, heartbeat_at=long_ago)

    assert exports_expire() == 0 + 1  # the finished one is still in time; the stalled one fails
    later = done.expires_at + datetime.timedelta(seconds=1)
    assert exports_expire(now=later) == 1
    done.refresh_from_db()
    stalled.refresh_from_db()
    assert done.status == ExportStatus.EXPIRED and not done.files.exists()
    assert not job_directory(done.pk).exists()
    assert stalled.status == ExportStatus.FAILED and stalled.error == "worker stopped"
    assert exports_expire(now=later) == 0  # idempotent


def test_exports_expire__is_a_sweep_step(nurse, three):
    from tukipolku.sweep.registry import sweep_steps

    done = export_run(job_id=_request(nurse).pk)
    ExportJob.objects.filter(pk=done.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert sweep_steps["expired_exports"](timezone.localdate()) == 1
