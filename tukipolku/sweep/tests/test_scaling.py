"""The sweep's work follows what is due, not the open relationships (issue 11, ADR 0019).

Its query count is the same with 2 or with 12 open relationships that have nothing due, and what it
reads from the episode row (the contact person, the last activity) is kept by the services and
recomputed by `episodes_refresh_followed`. The time on real sizes is bench/sweep.py's scaling mode.
"""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import open_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind
from tukipolku.cases.models import Episode
from tukipolku.sweep.services import run_sweep
from tukipolku.sweep.tests.conftest import add_action, days, today

pytestmark = pytest.mark.django_db


def quiet_episodes(n, nurse, team, satakunta):
    """Open relationships with nothing due: a contact person, activity today, an action due later."""
    for _ in range(n):
        e = open_episode(nurse, team, satakunta)
        case_services.assignment_set(actor=nurse, episode=e, kind=AssignmentKind.CONTACT_PERSON, user=nurse)
        add_action(e, nurse, today() + days(60))


def rerun_queries(when):
    run_sweep(today=when, deliver=False)  # stores what is new; the rerun below finds it all again
    with CaptureQueriesContext(connection) as ctx:
        result = run_sweep(today=when, deliver=False)
    sql = [q["sql"] for q in ctx.captured_queries]
    # No step reads every open episode's events or assignments: they read the episode row's columns.
    assert not [q for q in sql if "audit_auditevent" in q], "a step reads the domain events"
    assert not [q for q in sql if "cases_episode" in q and "cases_assignment" in q and "NOT" in q.upper()]
    return len(sql), result.counts


@override_settings(TUKIPOLKU_INACTIVITY_DAYS=30)
def test_sweep__queries_do_not_grow_with_open_relationships_that_have_nothing_due(
    episode, nurse, physician, manager, team, satakunta
):
    # Due: an overdue action, and the episode has no contact person and no activity for 40 days.
    add_action(episode, physician, today() - days(1))
    Episode.objects.filter(pk=episode.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=40))
    quiet_episodes(2, nurse, team, satakunta)
    small, small_counts = rerun_queries(today() + days(1))
    quiet_episodes(10, nurse, team, satakunta)
    big, big_counts = rerun_queries(today() + days(1))
    assert small_counts["overdue_actions"] == 1
    assert small_counts["no_contact_person"] == 1
    assert small_counts["inactive"] == 1
    assert big_counts == small_counts
    assert big == small


def test_contact_person__kept_on_the_episode_by_assignment_set(episode, nurse, physician):
    assert episode.contact_person_id is None
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=physician)
    assert Episode.objects.get(pk=episode.pk).contact_person_id == physician.pk
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=nurse)
    assert Episode.objects.get(pk=episode.pk).contact_person_id == nurse.pk


def test_last_activity__moves_with_each_event_of_the_episode_only(episode, nurse, team, satakunta):
    other = open_episode(nurse, team, satakunta)
    long_ago = timezone.now() - datetime.timedelta(days=50)
    Episode.objects.filter(pk__in=[episode.pk, other.pk]).update(last_activity_at=long_ago)
    event = event_record(actor=nurse, verb=EventType.PLAN_UPDATED, client_id=episode.client_id, episode_id=episode.pk)
    assert Episode.objects.get(pk=episode.pk).last_activity_at == event.occurred_at
    assert Episode.objects.get(pk=other.pk).last_activity_at == long_ago


def test_refresh_followed__recomputes_both_from_their_sources(episode, nurse, physician):
    case_services.assignment_set(actor=nurse, episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=physician)
    newest = Episode.objects.get(pk=episode.pk).last_activity_at
    Episode.objects.filter(pk=episode.pk).update(contact_person=None, last_activity_at=newest - days(100))
    assert case_services.episodes_refresh_followed(episode_ids=[episode.pk]) == 1
    refreshed = Episode.objects.get(pk=episode.pk)
    assert refreshed.contact_person_id == physician.pk
    assert refreshed.last_activity_at == newest
