"""Audit rows are append-only: written once, never changed or deleted through the ORM."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError

from tukipolku.audit.choices import AccessAction, EventType
from tukipolku.audit.models import AuditEvent, PersonalDataAccess
from tukipolku.audit.selectors import event_list_for_episode
from tukipolku.audit.services import access_record, event_record


@pytest.fixture
def event(nurse, episode):
    return event_record(
        actor=nurse, verb=EventType.ENTRY_WRITTEN, client_id=episode.client_id, episode_id=episode.pk, payload={"a": 1}
    )


@pytest.fixture
def access(nurse, episode):
    access_record(actor=nurse, view="cases:detail", rows=[(episode.client_id, episode.pk)], basis="team_membership")
    return PersonalDataAccess.objects.get(user=nurse)


@pytest.mark.django_db
def test_audit_event__an_existing_row_cannot_be_saved_again(event):
    event.verb = EventType.EPISODE_CLOSED
    event.payload = {"a": 2}

    with pytest.raises(RuntimeError, match="append-only"):
        event.save()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.verb, stored.payload) == (EventType.ENTRY_WRITTEN, {"a": 1})


@pytest.mark.django_db
def test_audit_event__a_row_read_from_the_database_cannot_be_saved(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    stored.client_id = 999

    with pytest.raises(RuntimeError):
        stored.save(update_fields=["client_id"])

    assert AuditEvent.objects.get(pk=event.pk).client_id == event.client_id


@pytest.mark.django_db
def test_audit_event__a_row_cannot_be_deleted(event):
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_audit_event__bulk_update_and_delete_are_refused(event):
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).update(verb=EventType.EPISODE_CLOSED)
    with pytest.raises(RuntimeError):
        AuditEvent.objects.all().delete()
    event.payload = {"a": 3}
    with pytest.raises(RuntimeError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["payload"])

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.verb, stored.payload) == (EventType.ENTRY_WRITTEN, {"a": 1})


@pytest.mark.django_db
def test_personal_data_access__rows_cannot_be_changed_or_deleted(access):
    access.view = "somewhere:else"

    with pytest.raises(RuntimeError):
        access.save()
    with pytest.raises(RuntimeError):
        access.delete()
    with pytest.raises(RuntimeError):
        PersonalDataAccess.objects.filter(pk=access.pk).update(basis="none")
    with pytest.raises(RuntimeError):
        PersonalDataAccess.objects.filter(pk=access.pk).delete()

    stored = PersonalDataAccess.objects.get(pk=access.pk)
    assert (stored.view, stored.basis) == ("cases:detail", "team_membership")


@pytest.mark.django_db
def test_audit_rows__keep_their_actor_from_being_deleted(nurse, event, access):
    with pytest.raises(ProtectedError):
        nurse.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert PersonalDataAccess.objects.filter(pk=access.pk).exists()


@pytest.mark.django_db
def test_audit_rows__new_rows_can_still_be_written(nurse, episode):
    before = AuditEvent.objects.count()

    event_record(actor=nurse, verb=EventType.PLAN_UPDATED, episode_id=episode.pk)
    AuditEvent.objects.create(verb=EventType.PATHWAY_PUBLISHED)
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                user=nurse, client_id=1, view="x", action=AccessAction.LIST, basis="b", outcome="allowed"
            ),
            PersonalDataAccess(
                user=nurse, client_id=2, view="x", action=AccessAction.LIST, basis="b", outcome="allowed"
            ),
        ]
    )

    assert AuditEvent.objects.count() == before + 2
    assert PersonalDataAccess.objects.filter(view="x").count() == 2


@pytest.mark.django_db
def test_event_record__anonymous_actor_is_stored_as_no_actor(episode):
    stored = event_record(actor=AnonymousUser(), verb=EventType.CLIENT_CREATED, client_id=episode.client_id)

    assert stored.actor is None


@pytest.mark.django_db
def test_access_record__one_row_per_distinct_client_and_episode(nurse):
    access_record(
        actor=nurse,
        view="cases:caseload",
        rows=[(1, 10), (1, 10), (1, 11), (2, None)],
        action=AccessAction.LIST,
        basis="b",
    )
    access_record(actor=nurse, view="cases:caseload", rows=[], basis="b")

    rows = sorted(PersonalDataAccess.objects.values_list("client_id", "episode_id"), key=str)
    assert rows == sorted([(1, 10), (1, 11), (2, None)], key=str)


@pytest.mark.django_db
def test_event_list_for_episode__newest_first(nurse, episode):
    first = event_record(actor=nurse, verb=EventType.PLAN_UPDATED, episode_id=episode.pk)
    second = event_record(actor=nurse, verb=EventType.PLAN_AGREED, episode_id=episode.pk)
    event_record(actor=nurse, verb=EventType.PLAN_AGREED, episode_id=episode.pk + 1)

    events = list(event_list_for_episode(episode_id=episode.pk))

    assert events[:2] == [second, first]
    assert {e.episode_id for e in events} == {episode.pk}
