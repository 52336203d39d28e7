"""Each finding of the sweep: who is told, when, and what is ignored."""

import pytest
from django.core import mail
from django.test import override_settings

from conftest import open_episode
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import FollowUpStatus, Outcome
from tukipolku.cases.models import FollowUp
from tukipolku.core.choices import Profession
from tukipolku.core.tests.factories import member
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.models import Notification
from tukipolku.sweep import steps
from tukipolku.sweep.tests.conftest import add_action, days, name_contact, today

pytestmark = pytest.mark.django_db


def findings(gen):
    return sorted(gen, key=lambda f: (f.key, f.recipient_id))


# ---------------------------------------------------------------- overdue actions


def test_overdue_actions__due_yesterday_is_found_due_today_is_not(episode, nurse, physician):
    late = add_action(episode, physician, today() - days(1))
    add_action(episode, nurse, today())
    found = findings(steps.overdue_actions(today()))
    assert [(f.recipient_id, f.object_id, f.kind) for f in found] == [
        (physician.pk, late.pk, NotificationKind.ACTION_OVERDUE)
    ]
    assert found[0].key == f"action_overdue:{late.pk}:{late.due_on.isoformat()}"
    assert found[0].episode_id == episode.pk
    assert found[0].url == f"/episodes/{episode.pk}/#plan"
    assert found[0].due_on == late.due_on


def test_overdue_actions__done_and_cancelled_are_ignored(episode, nurse):
    add_action(episode, nurse, today() - days(3), status="done")
    add_action(episode, nurse, today() - days(3), status="cancelled")
    assert findings(steps.overdue_actions(today())) == []


def test_overdue_actions__closed_episode_is_ignored(episode, nurse):
    add_action(episode, nurse, today() - days(3))
    case_services.episode_close(
        confirm_early=True, actor=nurse, episode=episode, outcome=Outcome.DECEASED, outcome_on=today(), follow_ups=[]
    )
    assert findings(steps.overdue_actions(today())) == []


def test_overdue_actions__a_new_due_date_notifies_again(episode, nurse):
    action = add_action(episode, nurse, today() - days(5))
    steps.step_overdue_actions(today())
    action.due_on = today() - days(1)
    action.save()
    steps.step_overdue_actions(today())
    assert Notification.objects.filter(recipient=nurse, kind=NotificationKind.ACTION_OVERDUE).count() == 2


# ---------------------------------------------------------------- no contact person


def test_no_contact__managers_are_told_from_the_day_after_opening(episode, manager):
    assert findings(steps.episodes_without_contact(today())) == []  # opened today: a day to name one
    found = findings(steps.episodes_without_contact(today() + days(1)))
    assert [(f.recipient_id, f.episode_id, f.kind) for f in found] == [
        (manager.pk, episode.pk, NotificationKind.NO_CONTACT_PERSON)
    ]
    assert found[0].key == f"no_contact_person:{episode.pk}:{today().isoformat()}"


def test_no_contact__opener_is_told_when_the_team_has_no_manager(episode, nurse):
    found = findings(steps.episodes_without_contact(today() + days(1)))
    assert [f.recipient_id for f in found] == [nurse.pk]


def test_no_contact__ended_manager_membership_does_not_count(episode, nurse, manager):
    manager.memberships.update(ended_on=today())
    found = findings(steps.episodes_without_contact(today() + days(1)))
    assert [f.recipient_id for f in found] == [nurse.pk]


def test_no_contact__episode_with_contact_or_closed_is_ignored(episode, nurse, team, satakunta, manager):
    name_contact(episode, nurse)
    other = open_episode(nurse, team, satakunta)
    case_services.episode_close(
        confirm_early=True, actor=nurse, episode=other, outcome=Outcome.MOVED_AWAY, outcome_on=today()
    )
    assert findings(steps.episodes_without_contact(today() + days(1))) == []


# ---------------------------------------------------------------- no activity


@override_settings(TUKIPOLKU_INACTIVITY_DAYS=30)
def test_inactive__after_the_set_days_the_contact_person_is_told(episode, nurse, physician, manager):
    name_contact(episode, physician)
    assert findings(steps.inactive_episodes(today() + days(29))) == []
    found = findings(steps.inactive_episodes(today() + days(30)))
    assert [(f.recipient_id, f.kind) for f in found] == [(physician.pk, NotificationKind.INACTIVE)]
    assert found[0].key == f"inactive:{episode.pk}:{today().isoformat()}"
    assert found[0].due_on == today() + days(30)


@override_settings(TUKIPOLKU_INACTIVITY_DAYS=30)
def test_inactive__without_contact_the_managers_are_told(episode, manager):
    found = findings(steps.inactive_episodes(today() + days(30)))
    assert [f.recipient_id for f in found] == [manager.pk]


@override_settings(TUKIPOLKU_INACTIVITY_DAYS=30)
def test_inactive__a_closed_episode_is_ignored(episode, nurse):
    case_services.episode_close(
        confirm_early=True, actor=nurse, episode=episode, outcome=Outcome.MOVED_AWAY, outcome_on=today()
    )
    assert findings(steps.inactive_episodes(today() + days(60))) == []


# ---------------------------------------------------------------- follow-ups


def test_follow_up__due_today_is_found_tomorrow_is_not(episode, nurse, physician):
    case_services.episode_close(
        confirm_early=True,
        actor=nurse,
        episode=episode,
        outcome=Outcome.OPEN_LABOUR_MARKET,
        outcome_on=today(),
        follow_ups=[(today() + days(90), physician)],
    )
    fu = FollowUp.objects.get(episode=episode)
    assert findings(steps.follow_ups_due(today() + days(89))) == []
    found = findings(steps.follow_ups_due(today() + days(90)))
    assert [(f.recipient_id, f.object_id, f.kind) for f in found] == [
        (physician.pk, fu.pk, NotificationKind.FOLLOW_UP_DUE)
    ]
    fu.status = FollowUpStatus.DONE
    fu.save()
    assert findings(steps.follow_ups_due(today() + days(90))) == []


# ---------------------------------------------------------------- managers


def test_managers_by_team__only_active_managers(team, other_team, manager, nurse):
    other_manager = member(other_team, profession=Profession.TEAM_MANAGER, role="manager")
    manager.is_active = False
    manager.save()
    assert steps.managers_by_team({team.pk, other_team.pk}) == {other_team.pk: [other_manager.pk]}
    assert mail.outbox == []
