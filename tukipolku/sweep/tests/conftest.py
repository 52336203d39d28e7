"""Fixtures of the sweep's tests: a team manager, plan actions, dates."""

import datetime

import pytest
from django.utils import timezone

from tukipolku.cases.choices import AssignmentKind
from tukipolku.cases.models import Assignment, Episode
from tukipolku.core.choices import Profession, TeamRole
from tukipolku.core.tests.factories import member
from tukipolku.plans.models import Action, Plan


def days(n):
    return datetime.timedelta(days=n)


def today():
    return timezone.localdate()


@pytest.fixture
def manager(team):
    return member(team, profession=Profession.TEAM_MANAGER, role=TeamRole.MANAGER, username="manager")


def add_action(episode, owner, due_on, *, status="open", title="Soita työkykykoordinaattorille"):
    plan, _ = Plan.objects.get_or_create(episode=episode)
    return Action.objects.create(plan=plan, title=title, owner=owner, due_on=due_on, status=status)


def name_contact(episode, user):
    """As `cases.services.assignment_set` does for a contact person: the assignment, and the episode's
    `contact_person` that the sweep reads."""
    assignment = Assignment.objects.create(
        episode=episode, kind=AssignmentKind.CONTACT_PERSON, user=user, started_by=user
    )
    Episode.objects.filter(pk=episode.pk).update(contact_person=user)
    return assignment


def with_email(*users):
    """The factories make users without an e-mail address: give these one."""
    for u in users:
        u.email = f"{u.username}@example.test"
        u.save(update_fields=["email"])
    return users
