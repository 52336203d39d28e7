"""The sweep's own steps: overdue plan actions, open episodes with no contact person, episodes with no
activity for TUKIPOLKU_INACTIVITY_DAYS, follow-ups after closing that are due.

Each step is one set-based query over what is due (on an index), turned into `Finding`s with stable
keys, handed to `notify_findings` (batched, idempotent). Registered in `SweepConfig.ready()`; the
referrals and handovers modules register their own steps. The same conditions, as filters on
`Episode`, feed the manager's "unfinished processes" page (`UnfinishedCheck`s at the end).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, DateTimeField, Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, FollowUpStatus
from tukipolku.cases.models import Assignment, Episode, FollowUp
from tukipolku.core.choices import TeamRole
from tukipolku.core.dates import format_date
from tukipolku.core.models import TeamMembership
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.findings import Finding
from tukipolku.notifications.services import notify_findings
from tukipolku.plans.choices import ActionStatus
from tukipolku.plans.models import Action, Plan
from tukipolku.sweep.registry import UnfinishedCheck

CHUNK = 2000  # rows fetched from the server-side cursor at a time


def _chunks(rows: Iterable[tuple[Any, ...]], size: int = CHUNK) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def case_url(episode_id: int, anchor: str = "") -> str:
    """The case page of an episode (the gate decides what the reader sees there); no personal data."""
    url = reverse("cases:detail", args=[episode_id])
    return f"{url}#{anchor}" if anchor else url


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def managers_by_team(team_ids: set[int] | None = None, *, today: datetime.date | None = None) -> dict[int, list[int]]:
    """Active managers (TeamMembership role MANAGER, active user) of the given teams, by team id."""
    qs = TeamMembership.objects.active(on=today).filter(role=TeamRole.MANAGER, user__is_active=True)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    out: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in qs.values_list("team_id", "user_id").order_by("team_id", "user_id"):
        out[team_id].append(user_id)
    return out


def _inactive_cutoff(today: datetime.date) -> datetime.datetime:
    """Episodes whose last activity is before this have had none for TUKIPOLKU_INACTIVITY_DAYS days."""
    return _day_start(today - datetime.timedelta(days=settings.TUKIPOLKU_INACTIVITY_DAYS - 1))


# ---------------------------------------------------------------- the sweep's steps


def overdue_actions(today: datetime.date) -> Iterator[Finding]:
    """Open plan actions past their due date (due today is not yet overdue) in open episodes → the
    action's owner. A new due date makes a new finding.

    The due actions come from the partial index of open actions by due date alone; their episodes are
    then read by primary key, a chunk at a time. One join would let the planner hash every plan of the
    installation, a cost that grows with the open relationships rather than with what is due."""
    rows = (
        Action.objects.filter(status=ActionStatus.OPEN, due_on__lt=today)
        .values_list("pk", "owner_id", "due_on", "plan_id")
        .order_by()
    )
    for chunk in _chunks(rows.iterator(chunk_size=CHUNK)):
        episode_of = dict(
            Plan.objects.filter(pk__in={r[3] for r in chunk}, episode__status=EpisodeStatus.OPEN).values_list(
                "pk", "episode_id"
            )
        )
        for pk, owner_id, due_on, plan_id in chunk:
            episode_id = episode_of.get(plan_id)
            if episode_id is None:  # the episode is closed
                continue
            yield Finding(
                kind=NotificationKind.ACTION_OVERDUE,
                key=f"action_overdue:{pk}:{due_on.isoformat()}",
                recipient_id=owner_id,
                episode_id=episode_id,
                object_id=pk,
                due_on=due_on,
                url=case_url(episode_id, "plan"),
            )


def episodes_without_contact(today: datetime.date) -> Iterator[Finding]:
    """Open episodes with no current contact person, opened before today (a day to name one) → the
    team's managers, or the opener when the team has no manager. The key carries the date since when
    nobody has been named, so losing a contact person later notifies again.

    Read on the partial index of open episodes without a contact person (`Episode.contact_person`,
    ADR 0019): the time follows the episodes found, not all the open ones."""
    last_ended = Subquery(
        Assignment.objects.filter(episode=OuterRef("pk"), kind=AssignmentKind.CONTACT_PERSON)
        .order_by("-ended_at")
        .values("ended_at")[:1]
    )
    rows = list(
        Episode.objects.filter(status=EpisodeStatus.OPEN, contact_person__isnull=True, opened_at__lt=_day_start(today))
        .annotate(since=Coalesce(last_ended, F("opened_at"), output_field=DateTimeField()))
        .values_list("pk", "team_id", "opened_by_id", "since")
        .order_by()
    )
    managers = managers_by_team({r[1] for r in rows}, today=today)
    for pk, team_id, opened_by_id, since in rows:
        for user_id in managers.get(team_id) or [opened_by_id]:
            yield Finding(
                kind=NotificationKind.NO_CONTACT_PERSON,
                key=f"no_contact_person:{pk}:{_local_date(since).isoformat()}",
                recipient_id=user_id,
                episode_id=pk,
                url=case_url(pk),
            )


def inactive_episodes(today: datetime.date) -> Iterator[Finding]:
    """Open episodes with nothing recorded for TUKIPOLKU_INACTIVITY_DAYS days → the contact person, else
    the team's managers, else the opener. The key carries the date of the last activity.

    Read on the partial index of open episodes by last activity (`Episode.last_activity_at`, the newest
    domain event or the opening, ADR 0019): the time follows the inactive episodes, not all open ones."""
    rows = list(
        Episode.objects.filter(status=EpisodeStatus.OPEN, last_activity_at__lt=_inactive_cutoff(today))
        .values_list("pk", "team_id", "opened_by_id", "contact_person_id", "last_activity_at")
        .order_by()
    )
    managers = managers_by_team({r[1] for r in rows if r[3] is None}, today=today)
    for pk, team_id, opened_by_id, contact, last in rows:
        recipients = [contact] if contact else managers.get(team_id) or [opened_by_id]
        last_day = _local_date(last)
        for user_id in recipients:
            yield Finding(
                kind=NotificationKind.INACTIVE,
                key=f"inactive:{pk}:{last_day.isoformat()}",
                recipient_id=user_id,
                episode_id=pk,
                due_on=last_day + datetime.timedelta(days=settings.TUKIPOLKU_INACTIVITY_DAYS),
                url=case_url(pk),
            )


def follow_ups_due(today: datetime.date) -> Iterator[Finding]:
    """Follow-ups agreed at closing that are due (due today counts) → the follow-up's owner."""
    rows = (
        FollowUp.objects.filter(status=FollowUpStatus.DUE, due_on__lte=today)
        .values_list("pk", "owner_id", "due_on", "episode_id")
        .order_by()
    )
    for pk, owner_id, due_on, episode_id in rows.iterator(chunk_size=CHUNK):
        yield Finding(
            kind=NotificationKind.FOLLOW_UP_DUE,
            key=f"follow_up_due:{pk}:{due_on.isoformat()}",
            recipient_id=owner_id,
            episode_id=episode_id,
            object_id=pk,
            due_on=due_on,
            url=case_url(episode_id),
        )


def step_overdue_actions(today: datetime.date) -> int:
    return notify_findings(findings=overdue_actions(today))


def step_no_contact_person(today: datetime.date) -> int:
    return notify_findings(findings=episodes_without_contact(today))


def step_inactive(today: datetime.date) -> int:
    return notify_findings(findings=inactive_episodes(today))


def step_follow_ups_due(today: datetime.date) -> int:
    return notify_findings(findings=follow_ups_due(today))


# ---------------------------------------------------------------- the manager's page (live checks)


def _no_contact_details(ids: Sequence[int], today: datetime.date) -> dict[int, str]:
    rows = Episode.objects.filter(pk__in=ids, contact_person__isnull=True).values_list("pk", flat=True)
    return {pk: str(_("Nobody named")) for pk in rows}


def _inactive_details(ids: Sequence[int], today: datetime.date) -> dict[int, str]:
    rows = Episode.objects.filter(pk__in=ids, last_activity_at__lt=_inactive_cutoff(today)).values_list(
        "pk", "last_activity_at"
    )
    return {pk: str(_("Last activity %(date)s") % {"date": format_date(_local_date(last))}) for pk, last in rows}


def _overdue_details(ids: Sequence[int], today: datetime.date) -> dict[int, str]:
    rows = (
        Action.objects.filter(plan__episode_id__in=ids, status=ActionStatus.OPEN, due_on__lt=today)
        .values("plan__episode_id")
        .annotate(n=Count("pk"), oldest=Min("due_on"))
        .order_by()
    )
    return {
        r["plan__episode_id"]: ngettext("%(n)d overdue, due %(date)s", "%(n)d overdue, the oldest due %(date)s", r["n"])
        % {"n": r["n"], "date": format_date(r["oldest"])}
        for r in rows
    }


NO_CONTACT_CHECK = UnfinishedCheck(
    label=_("No contact person"),
    episodes_q=lambda today: Q(contact_person__isnull=True),
    details=_no_contact_details,
    order=10,
)

INACTIVE_CHECK = UnfinishedCheck(
    label=_("No activity"),
    episodes_q=lambda today: Q(last_activity_at__lt=_inactive_cutoff(today)),
    details=_inactive_details,
    order=20,
)

OVERDUE_ACTIONS_CHECK = UnfinishedCheck(
    label=_("Overdue actions"),
    episodes_q=lambda today: Q(
        Exists(Action.objects.filter(plan__episode_id=OuterRef("pk"), status=ActionStatus.OPEN, due_on__lt=today))
    ),
    details=_overdue_details,
    order=30,
)
