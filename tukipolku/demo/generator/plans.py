"""Plans with their goals and actions, meetings with participants and decisions, and entries."""

from __future__ import annotations

import datetime
from typing import Any

from tukipolku.audit.choices import EventType
from tukipolku.core.permissions import HEALTH_PROFESSIONS, SOCIAL_PROFESSIONS
from tukipolku.demo import vocabulary as voc
from tukipolku.demo.generator.batch import _Batch, _Sketch
from tukipolku.demo.generator.distributions import (
    AGREEMENT_METHODS,
    CLOSED_GOAL_STATUSES,
    GOAL_DOMAINS,
    GOOD_OUTCOMES,
    MEETING_KINDS,
    _pick,
)
from tukipolku.demo.generator.people import _Person, _random_name
from tukipolku.demo.generator.rows import _T_ENTRY, _T_MEETING, _T_PLAN
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry
from tukipolku.meetings.choices import MeetingKind
from tukipolku.meetings.models import Decision, Meeting, Participant
from tukipolku.pathways.choices import CompletionCheck
from tukipolku.plans.choices import ActionSource, ActionStatus, GoalStatus
from tukipolku.plans.models import Action, Goal, Plan, PlanVersion


class _PlanRows(_Batch):
    """An episode's plan versions, goals, actions, meetings and entries."""

    def _action_status(self, t_created: float, t_end: float, closed: bool) -> tuple[datetime.date, str, float | None]:
        """Due date, status and completion time of an action created at `t_created`."""
        rng = self.rng
        created_on = self.date(t_created)
        if closed:
            done = rng.random() < 0.8
            due = created_on + datetime.timedelta(days=rng.randint(7, 60))
            return (
                due,
                ActionStatus.DONE if done else ActionStatus.CANCELLED,
                (self.between(t_created, t_end) if done else None),
            )
        r = rng.random()
        if r < 0.35:
            t_done = self.between(t_created, t_end)
            return self.date(t_done) + datetime.timedelta(days=rng.randint(-5, 20)), ActionStatus.DONE, t_done
        if r < 0.4:
            return created_on + datetime.timedelta(days=rng.randint(7, 60)), ActionStatus.CANCELLED, None
        due = max(created_on + datetime.timedelta(days=3), self.today + datetime.timedelta(days=rng.randint(-25, 60)))
        return due, ActionStatus.OPEN, None

    def _plan_and_meetings(  # noqa: PLR0915  # the plan and its meetings share one timeline, read in order
        self,
        client_id: int,
        episode_id: int,
        sk: _Sketch,
        members: list[_Person],
        lead: _Person,
        t_open: float,
        t_end: float,
    ) -> None:
        rng, rows, dt, date = self.rng, self.rows, self.dt, self.date
        pathway, visits = sk.pathway, sk.visits
        reached = visits[-1].index
        closed = sk.closed
        span = t_end - t_open

        def window(index: int) -> tuple[float, float] | None:
            visit = next((v for v in visits if v.index == index), None)
            return (visit.start, visit.end) if visit is not None else None

        # Meetings first: their decisions may add actions (and plan versions).
        kinds_needed: list[tuple[str, tuple[float, float] | None]] = []
        meeting_index = pathway.index_of(CompletionCheck.MEETING, -1)
        joint_index = pathway.index_of(CompletionCheck.JOINT_MEETING, -1)
        if 0 <= meeting_index < reached:
            kinds_needed.append((MeetingKind.TEAM, window(meeting_index)))
        if 0 <= joint_index < reached:
            kinds_needed.append((MeetingKind.JOINT, window(joint_index)))
        count = max(len(kinds_needed), rng.choices((0, 1, 2, 3), cum_weights=(20, 60, 88, 100))[0])
        while len(kinds_needed) < count:
            kinds_needed.append((_pick(rng, MEETING_KINDS), None))
        meeting_actions: list[tuple[float, str, int, _Person, _Person]] = []  # time, title, meeting, owner, recorder
        for kind, span_window in kinds_needed:
            a, b = span_window or (t_open, t_end)
            t = self.between(a + (b - a) * 0.1, b)
            meeting_id = self._id(Meeting)
            client_took_part = kind == MeetingKind.JOINT or (kind == MeetingKind.NETWORK and rng.random() < 0.5)
            people = rng.sample(members, min(len(members), rng.randint(2, 4)))
            starts = dt(t)
            rows[Meeting].append(
                (
                    meeting_id,
                    starts,
                    starts,
                    episode_id,
                    kind,
                    starts,
                    rng.choice(voc.MEETING_LOCATIONS),
                    client_took_part,
                    rng.choice(voc.MEETING_AGENDAS),
                    rng.choice(voc.MEETING_MINUTES),
                    people[0].id,
                )
            )
            rows[Participant].extend((meeting_id, p.id, "", "") for p in people)
            if kind != MeetingKind.TEAM and rng.random() < 0.5:
                organisation, role = rng.choice(voc.OUTSIDE_PARTICIPANTS)
                first, last = _random_name(rng, rng.random() < 0.7)
                rows[Participant].append((meeting_id, None, f"{first.split()[0]} {last}, {role}", organisation))
            decisions = rng.sample(voc.DECISIONS, rng.randint(0, 2))
            with_action = 0
            for text in decisions:
                if rng.random() < 0.5:
                    meeting_actions.append((t, text, meeting_id, rng.choice(members), people[0]))
                    with_action += 1
                else:
                    rows[Decision].append((meeting_id, text, None))
            self.event(
                t,
                people[0].id,
                EventType.MEETING_RECORDED,
                client_id,
                episode_id,
                _T_MEETING,
                meeting_id,
                {
                    "kind": kind,
                    "starts_at": starts.isoformat(),
                    "client_participated": client_took_part,
                    "actions": with_action,
                },
            )

        # The plan: versions at the plan step and later, plus one per action from a meeting decision.
        plan_window = window(pathway.index_of(CompletionCheck.PLAN, 2))
        t_plan = (
            plan_window[0] + (plan_window[1] - plan_window[0]) * 0.3
            if plan_window
            else self.between(t_open + span * 0.05, t_open + span * 0.5)
        )
        base_times = [t_plan, *sorted(self.between(t_plan, t_end) for _ in range(rng.randint(0, 2)))]
        versions: list[tuple[float, tuple[float, str, int, _Person, _Person] | None]] = sorted(
            [(t, None) for t in base_times] + [(m[0], m) for m in meeting_actions], key=lambda v: v[0]
        )
        plan_id = self._id(Plan)
        domains = rng.sample(GOAL_DOMAINS, rng.randint(1, 4))
        goals: list[tuple[Any, ...]] = []  # id, created t, domain, description, client wording, target, status
        for domain in domains:
            t = base_times[0] if rng.random() < 0.7 else rng.choice(base_times)
            if closed:
                status = _pick(rng, CLOSED_GOAL_STATUSES[sk.outcome in GOOD_OUTCOMES])
            else:
                status = GoalStatus.IN_PROGRESS if rng.random() < 0.6 else GoalStatus.OPEN
            wording = rng.choice(voc.CLIENT_WORDINGS[domain]) if rng.random() < 0.45 else ""
            goal_id = self._id(Goal)
            target = date(t) + datetime.timedelta(days=rng.randint(60, 300))
            goals.append((goal_id, t, domain, rng.choice(voc.GOALS[domain]), wording, target, status))
            at = dt(t)
            rows[Goal].append((goal_id, at, at, plan_id, domain, goals[-1][3], wording, target, status))
        actions: list[tuple[Any, ...]] = []  # id, created t, goal id, title, owner, due, status
        owners = [lead, *members]
        for title in rng.sample(voc.ACTIONS, max(1, rng.randint(1, 5) - len(meeting_actions))):
            t = rng.choice(base_times)
            due, status, t_done = self._action_status(t, t_end, closed)
            linked_goal = rng.choice(goals)[0] if rng.random() < 0.8 else None
            owner = rng.choice(owners)
            action_id = self._id(Action)
            at = dt(t)
            rows[Action].append(
                (
                    action_id,
                    at,
                    dt(t_done) if t_done else at,
                    plan_id,
                    linked_goal,
                    title,
                    owner.id,
                    due,
                    status,
                    ActionSource.PLAN,
                    dt(t_done) if t_done else None,
                )
            )
            actions.append((action_id, t, linked_goal, title, owner, due, status))
        for t, title, meeting_id, owner, _recorder in meeting_actions:
            due, status, t_done = self._action_status(t, t_end, closed)
            action_id = self._id(Action)
            at = dt(t)
            rows[Action].append(
                (
                    action_id,
                    at,
                    dt(t_done) if t_done else at,
                    plan_id,
                    None,
                    title,
                    owner.id,
                    due,
                    status,
                    ActionSource.MEETING,
                    dt(t_done) if t_done else None,
                )
            )
            rows[Decision].append((meeting_id, title, action_id))
            actions.append((action_id, t, None, title, owner, due, status))

        summary = rng.choice(voc.PLAN_SUMMARIES)
        review = date(versions[-1][0]) + datetime.timedelta(days=rng.choice((60, 90, 120))) if not closed else None
        agreed_index = pathway.index_of(CompletionCheck.PLAN_AGREED, 4)
        last_number = len(versions)
        agree_number, agree_by = 0, t_end
        agreed_window = window(agreed_index)
        if reached > agreed_index and agreed_window is not None and rng.random() < 0.95:
            # The step that checks the agreement was completed: the agreement came before its end.
            agree_by = agreed_window[1]
            agree_number = sum(1 for t, _m in versions if t < agree_by)
        elif rng.random() < 0.25:
            agree_number = last_number if rng.random() < 0.7 else rng.randint(1, last_number)
        creator = lead
        for number, (t, from_meeting) in enumerate(versions, start=1):
            is_last = number == last_number
            creator = from_meeting[4] if from_meeting else rng.choice(owners)
            snapshot: dict[str, Any] = {
                "summary": summary,
                "next_review_on": review.isoformat() if review and is_last else None,
                "goals": [
                    {
                        "id": g[0],
                        "domain": g[2],
                        "description": g[3],
                        "client_wording": g[4],
                        "target_on": g[5].isoformat(),
                        "status": g[6] if is_last else GoalStatus.OPEN,
                    }
                    for g in goals
                    if g[1] <= t
                ],
                "actions": [
                    {
                        "id": a[0],
                        "goal_id": a[2],
                        "title": a[3],
                        "owner": a[4].name,
                        "due_on": a[5].isoformat(),
                        "status": a[6] if is_last else ActionStatus.OPEN,
                    }
                    for a in actions
                    if a[1] <= t
                ],
            }
            agreed_on, method, recorder = None, "", None
            if number == agree_number:
                t_next = min(versions[number][0] if number < last_number else t_end, agree_by)
                t_agreed = self.between(t, t_next)
                agreed_on, method, recorder = date(t_agreed), _pick(rng, AGREEMENT_METHODS), lead.id
            rows[PlanVersion].append((plan_id, number, snapshot, dt(t), creator.id, agreed_on, method, recorder))
            if from_meeting:
                payload: dict[str, Any] = {
                    "revision": number,
                    "added_action": from_meeting[1],
                    "source": ActionSource.MEETING,
                }
            else:
                payload = {"revision": number, "goals": len(snapshot["goals"]), "actions": len(snapshot["actions"])}
            self.event(t, creator.id, EventType.PLAN_UPDATED, client_id, episode_id, _T_PLAN, plan_id, payload)
            if agreed_on is not None:
                self.event(
                    t_agreed,
                    lead.id,
                    EventType.PLAN_AGREED,
                    client_id,
                    episode_id,
                    _T_PLAN,
                    plan_id,
                    {"revision": number, "method": method, "agreed_on": agreed_on.isoformat()},
                )
        rows[Plan].append(
            (plan_id, dt(versions[0][0]), dt(versions[-1][0]), episode_id, last_number, summary, review, creator.id)
        )

    def _entries(self, client_id: int, episode_id: int, members: list[_Person], t_open: float, t_end: float) -> None:
        rng = self.rng
        for _ in range(rng.choices((0, 1, 2, 3, 4), cum_weights=(15, 40, 70, 88, 100))[0]):
            author = rng.choice(members)
            if rng.random() < 0.25:
                register = Register.SHARED
            elif author.profession in HEALTH_PROFESSIONS:
                register = Register.HEALTH
            elif author.profession in SOCIAL_PROFESSIONS:
                register = Register.SOCIAL
            else:
                register = Register.SHARED
            t = self.between(t_open, t_end)
            reference = ""
            if register == Register.HEALTH and rng.random() < 0.4:
                reference = f"{rng.choice(voc.EHR_SYSTEMS)}: käynti {self.date(t):%d.%m.%Y}"
            entry_id = self._id(Entry)
            self.rows[Entry].append(
                (entry_id, episode_id, register, rng.choice(voc.ENTRIES[register]), reference, author.id, self.dt(t))
            )
            self.event(
                t, author.id, EventType.ENTRY_WRITTEN, client_id, episode_id, _T_ENTRY, entry_id, {"register": register}
            )
