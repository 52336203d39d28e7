"""AtomicWritesMiddleware (ADR 20): a read runs in autocommit, a write request is one transaction that
keeps nothing when the view fails or answers an error."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tukipolku.access import log as access_log
from tukipolku.audit.choices import AccessOutcome, EventType
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.audit.services import event_record
from tukipolku.cases import case_page, services


@pytest.mark.django_db(transaction=True)
def test_read_page__runs_outside_a_transaction(client, nurse, episode, monkeypatch):
    seen = []
    real = case_page.selectors.episode_detail

    def spy(**kwargs):
        seen.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(case_page.selectors, "episode_detail", spy)
    client.force_login(nurse)

    response = client.get(reverse("cases:detail", args=[episode.pk]))

    assert response.status_code == 200
    assert seen == [False]  # no transaction held while the page is built and rendered
    assert PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"], outcome="allowed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_write_request__runs_in_one_transaction(client, nurse, episode, monkeypatch):
    seen = []
    real = access_log.episode_get_for

    def spy(**kwargs):
        seen.append(connection.in_atomic_block)
        return real(**kwargs)

    monkeypatch.setattr(access_log, "episode_get_for", spy)
    client.force_login(nurse)
    step = episode.current_step

    response = client.post(
        reverse("cases:step", args=[episode.pk]),
        {"action": "complete", "complete-step_id": step.pk, "complete-output": "Tavoitteet kirjattu."},
    )

    assert response.status_code in (302, 303)
    assert seen == [True]
    assert AuditEvent.objects.filter(episode_id=episode.pk, verb=EventType.STEP_COMPLETED).exists()


@pytest.mark.django_db(transaction=True)
def test_failing_post__rolls_back_everything_it_wrote(nurse, episode, monkeypatch):
    """A service that wrote and then failed unexpectedly (not a refusal): nothing stays, the read is logged."""

    def write_then_fail(**kwargs):
        event_record(actor=nurse, verb=EventType.ENTRY_WRITTEN, client_id=episode.client_id, episode_id=episode.pk)
        raise RuntimeError("the service failed half-way")

    monkeypatch.setattr(services, "episode_step_complete", write_then_fail)
    client = Client(raise_request_exception=False)
    client.force_login(nurse)
    before = AuditEvent.objects.count()

    response = client.post(
        reverse("cases:step", args=[episode.pk]),
        {"action": "complete", "complete-step_id": episode.current_step_id, "complete-output": "Kirjattu."},
    )

    assert response.status_code == 500
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(verb=EventType.ENTRY_WRITTEN).exists()
    (row,) = PersonalDataAccess.objects.filter(request_id=response["X-Request-ID"])
    assert row.outcome == AccessOutcome.ALLOWED  # the read before the failure is still logged


@pytest.mark.django_db(transaction=True)
def test_post_answering_an_error__keeps_nothing_it_wrote(client, nurse, episode, monkeypatch):
    real = access_log.episode_get_for

    def write_then_fetch(**kwargs):
        event_record(actor=nurse, verb=EventType.ENTRY_WRITTEN, client_id=episode.client_id, episode_id=episode.pk)
        return real(**kwargs)

    monkeypatch.setattr(access_log, "episode_get_for", write_then_fetch)
    client.force_login(nurse)

    response = client.post(reverse("cases:step", args=[episode.pk]), {"action": "nonsense"})

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(verb=EventType.ENTRY_WRITTEN).exists()


@pytest.mark.django_db(transaction=True)
def test_refused_post__is_rolled_back_before_the_error_page(client, outsider, episode, monkeypatch):
    """The 404 page reads the database (navigation): it runs after the rollback, so it renders."""
    real = access_log.episode_get_for

    def write_then_refuse(**kwargs):
        event_record(actor=outsider, verb=EventType.ENTRY_WRITTEN, client_id=episode.client_id)
        return real(**kwargs)

    monkeypatch.setattr(access_log, "episode_get_for", write_then_refuse)
    client.force_login(outsider)

    response = client.post(reverse("cases:step", args=[episode.pk]), {"action": "complete"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(actor=outsider).exists()
    assert not connection.in_atomic_block
