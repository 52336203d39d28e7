"""Clients and their episodes: pathway steps, case teams, assignments and situations."""

from __future__ import annotations

import datetime
from typing import Any

from tukipolku.audit.choices import EventType
from tukipolku.cases.choices import (
    OUTCOMES_WITHOUT_FOLLOW_UP,
    AssignmentKind,
    EpisodeStatus,
    FollowUpStatus,
    IdentificationSource,
    SpecialSituation,
    StepStatus,
)
from tukipolku.cases.models import SITUATION_FIELDS, Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients.choices import EmploymentStatus
from tukipolku.clients.models import Client
from tukipolku.core.choices import OrganisationKind, Profession
from tukipolku.demo import vocabulary as voc
from tukipolku.demo.generator.batch import _Sketch, _Visit
from tukipolku.demo.generator.consents import _ConsentRows
from tukipolku.demo.generator.distributions import (
    CONSENT_METHODS,
    EARLY_EXIT,
    EMPLOYMENT,
    EPISODE_COUNTS,
    FOLLOW_UP_MONTHS,
    HORIZON_DAYS,
    LANGUAGES,
    LAST_EPISODE_CLOSED,
    MUNICIPALITIES,
    OUTCOMES,
    SITUATION_BOOST,
    SITUATION_WEIGHTS,
    SOURCES,
    _pick,
)
from tukipolku.demo.generator.identity import birth_date_of
from tukipolku.demo.generator.pathways import _Pathway, _Step
from tukipolku.demo.generator.people import _Person, _random_name, _Staff
from tukipolku.demo.generator.plans import _PlanRows
from tukipolku.demo.generator.rows import _T_ASSIGNMENT, _T_CLIENT, _T_EPISODE, _T_MEMBER, _T_RECORD
from tukipolku.pathways.choices import CompletionCheck


class _Generator(_PlanRows, _ConsentRows):
    """Builds all rows of a batch of clients: clients, episodes and everything in them."""

    # -- clients

    def client(self) -> None:
        rng = self.rng
        code = next(self.codes)
        female = int(code[7:10]) % 2 == 0
        language = _pick(rng, LANGUAGES)
        first, last = _random_name(rng, female, language)
        client_id = self._id(Client)
        municipality = _pick(rng, MUNICIPALITIES)
        email = ""
        if rng.random() < 0.4:
            email = f"{first.split()[0]}.{last}{rng.randint(1, 99)}@example.com".lower()
            email = email.translate(str.maketrans("äöåé", "aoae"))
        staff = self.staffs[0] if len(self.staffs) == 1 else rng.choices(self.staffs, cum_weights=self.staff_cum)[0]
        sketches = self._sketches(_pick(rng, EPISODE_COUNTS))
        created = self.dt(sketches[0].visits[0].start - 0.001)
        employment_status = _pick(rng, EMPLOYMENT)
        self.rows[Client].append(
            (
                client_id,
                created,
                created,
                code,
                first,
                last,
                birth_date_of(code),
                language,
                "",
                email,
                municipality,
                employment_status,
            )
        )
        for n, sketch in enumerate(sketches):
            self._episode(client_id, staff, sketch, first_of_client=n == 0, employment_status=employment_status)

    def _sketches(self, count: int) -> list[_Sketch]:
        """Decide each episode's pathway, steps and durations, then place them on the calendar."""
        rng = self.rng
        sketches = []
        for n in range(count):
            closed = n < count - 1 or rng.random() < LAST_EPISODE_CLOSED
            pathway = (
                self.pathways[0]
                if len(self.pathways) == 1
                else rng.choices(self.pathways, cum_weights=self.pathway_cum)[0]
            )
            sketches.append(self._sketch(pathway, closed))
        gaps = [rng.uniform(14, 120) for _ in range(count - 1)]
        end_offset = rng.uniform(3, 300) if sketches[-1].closed else 0.0
        total = sum(v.days for s in sketches for v in s.visits) + sum(gaps)
        available = HORIZON_DAYS - end_offset - 1
        scale = min(1.0, available / total)
        t = self.today_ord - end_offset - total * scale - 1e-4
        for n, sketch in enumerate(sketches):
            for visit in sketch.visits:
                visit.start = t
                t += visit.days * scale
                visit.end = t
            if n < len(gaps):
                t += gaps[n] * scale
        return sketches

    def _sketch(self, pathway: _Pathway, closed: bool) -> _Sketch:
        rng = self.rng
        steps = pathway.steps
        last = len(steps) - 1
        outcome = ""
        if closed:
            outcomes = self.pending_outcomes
            outcome = outcomes.pop() if outcomes else _pick(rng, OUTCOMES)
            end = rng.randint(0, last - 1) if outcome in EARLY_EXIT and rng.random() < 0.7 else last
        else:
            indexes = self.pending_steps[pathway.code]
            end = indexes.pop() if indexes else rng.choices(range(len(steps)), cum_weights=pathway.open_cum)[0]
        visits: list[_Visit] = []
        back = rng.randint(2, end - 1) if end >= 3 and rng.random() < 0.04 else -1
        for i in range(end):
            step = steps[i]
            if i == back:
                visits.append(_Visit(i, StepStatus.RETURNED, step.days * rng.uniform(0.2, 0.8)))
                visits.append(_Visit(i - 1, StepStatus.COMPLETED, steps[i - 1].days * rng.uniform(0.2, 0.6)))
            if i > 0 and step.check == CompletionCheck.NONE and rng.random() < 0.07:
                visits.append(_Visit(i, StepStatus.SKIPPED, rng.uniform(0.2, 5)))
            else:
                factor = min(3.0, max(0.15, rng.lognormvariate(-0.1, 0.5)))
                visits.append(_Visit(i, StepStatus.COMPLETED, step.days * factor))
        days = steps[end].days
        if not closed:
            visits.append(_Visit(end, StepStatus.ACTIVE, days * rng.uniform(0.02, 1.35)))
        elif end == last:
            visits.append(_Visit(end, StepStatus.COMPLETED, days * rng.uniform(0.3, 1.5)))
        else:
            visits.append(_Visit(end, StepStatus.CLOSED, days * rng.uniform(0.1, 1.0)))
        return _Sketch(pathway, closed, outcome, visits)

    # -- episodes

    def _episode(  # noqa: PLR0915  # one episode's timeline written in order; pieces would pass a dozen locals
        self, client_id: int, staff: _Staff, sk: _Sketch, *, first_of_client: bool, employment_status: str
    ) -> None:
        rng, rows, dt, date, event = self.rng, self.rows, self.dt, self.date, self.event
        self.episodes += 1
        pathway, steps, visits = sk.pathway, sk.pathway.steps, sk.visits
        episode_id = self._id(Episode)
        t_open, t_end = visits[0].start, visits[-1].end
        span = t_end - t_open
        final = visits[-1]
        reached = final.index
        opener = rng.choice(staff.openers)

        # Responsibilities: contact person (with history), own worker.
        cp_index = pathway.index_of(CompletionCheck.CONTACT_PERSON, 2)
        contacts: list[tuple[_Person, float, float | None]] = []
        chance = 0.92 if reached > cp_index else 0.4 if reached == cp_index else 0.04
        if rng.random() < chance:
            visit = next((v for v in visits if v.index == cp_index), None)
            t_cp = (
                self.between(visit.start + (visit.end - visit.start) * 0.2, visit.end)
                if visit
                else self.between(t_open, t_end)
            )
            person = staff.contact_person(rng)
            if rng.random() < 0.15 and len(staff.people) > 1:
                t_change = self.between(t_cp + (t_end - t_cp) * 0.3, t_cp + (t_end - t_cp) * 0.9)
                other = rng.choice([p for p in staff.people if p.id != person.id])
                contacts = [(person, t_cp, t_change), (other, t_change, None)]
            else:
                contacts = [(person, t_cp, None)]
        own_worker = None
        if staff.social and rng.random() < 0.12:
            own_worker = (rng.choice(staff.social), self.between(t_open + span * 0.05, t_open + span * 0.5))
        contact = contacts[-1][0] if contacts else None

        # The client's team: the opener, the responsible people, others up to 2–4.
        added: dict[int, tuple[_Person, float]] = {opener.id: (opener, t_open)}
        for person, t, _ended in contacts:
            added.setdefault(person.id, (person, t))
        if own_worker is not None:
            added.setdefault(own_worker[0].id, own_worker)
        want = rng.randint(2, 4)
        if len(added) < want:
            for person in rng.sample(staff.people, min(len(staff.people), want + 2)):
                if len(added) >= want:
                    break
                if person.id not in added:
                    added[person.id] = (person, self.between(t_open + span * 0.02, t_open + span * 0.35))
        members = [p for p, _t in added.values()]
        by_profession = {p.profession: p for p in members}
        lead = contact or opener

        def actor_for(step: _Step) -> int:
            return (by_profession.get(step.role) or lead).id

        # Episode.
        source = _pick(rng, SOURCES)
        situations = self._situations(source)
        outcome = sk.outcome
        closed_by = (contact or by_profession.get(Profession.CASE_COORDINATOR) or opener) if sk.closed else None
        detail = rng.choice(voc.OUTCOME_DETAILS[outcome]) if sk.closed else ""
        outcome_on = max(date(t_open), date(t_end) - datetime.timedelta(days=rng.randint(0, 7))) if sk.closed else None
        active_due = date(final.start) + datetime.timedelta(days=steps[final.index].days) if not sk.closed else None
        opened = dt(t_open)
        rows[Episode].append(
            (
                episode_id,
                opened,
                dt(t_end),
                client_id,
                staff.team_id,
                pathway.version_id,
                EpisodeStatus.CLOSED if sk.closed else EpisodeStatus.OPEN,
                None if sk.closed else steps[final.index].id,
                active_due,
                opened,
                opener.id,
                source,
                *(s in situations for s in SITUATION_FIELDS),
                rng.choice(voc.NEED_DESCRIPTIONS),
                date(t_open) - datetime.timedelta(days=rng.randint(0, 10)),
                _pick(rng, CONSENT_METHODS),
                opener.id,
                outcome,
                outcome_on,
                detail,
                dt(t_end) if sk.closed else None,
                closed_by.id if closed_by else None,
            )
        )
        if first_of_client:
            event(t_open - 0.001, opener.id, EventType.CLIENT_CREATED, client_id, None, _T_CLIENT, client_id, {})
        event(
            t_open,
            opener.id,
            EventType.EPISODE_OPENED,
            client_id,
            episode_id,
            _T_EPISODE,
            episode_id,
            {
                "pathway": pathway.names,
                "version": pathway.version_number,
                "source": source,
                "situations": sorted(situations),
                "step": steps[0].payload,
            },
        )

        # Step records and transitions.
        for n, visit in enumerate(visits):
            step = steps[visit.index]
            record_id = self._id(StepRecord)
            actor = actor_for(step)
            started = dt(visit.start)
            due = date(visit.start) + datetime.timedelta(days=step.days)
            status, output, reason = visit.status, "", ""
            if status == StepStatus.COMPLETED:
                output = (
                    (detail or rng.choice(voc.STEP_OUTPUTS["closing"]))
                    if visit is final
                    else rng.choice(voc.STEP_OUTPUTS.get(step.code, voc.GENERIC_OUTPUT))
                )
            elif status == StepStatus.SKIPPED:
                reason = rng.choice(voc.SKIP_REASONS)
            elif status == StepStatus.RETURNED:
                reason = rng.choice(voc.RETURN_REASONS)
            if status == StepStatus.ACTIVE:
                rows[StepRecord].append(
                    (record_id, started, started, episode_id, step.id, status, started, actor, due, None, None, "", "")
                )
                continue
            ended = dt(visit.end)
            ender = closed_by.id if visit is final and closed_by else actor
            rows[StepRecord].append(
                (
                    record_id,
                    started,
                    ended,
                    episode_id,
                    step.id,
                    status,
                    started,
                    actor,
                    due,
                    ended,
                    ender,
                    output,
                    reason,
                )
            )
            if visit is not final:
                following = steps[visits[n + 1].index]
                payload: dict[str, Any] = {"step": step.payload, "next_step": following.payload}
                if status == StepStatus.COMPLETED:
                    verb, payload["output"] = EventType.STEP_COMPLETED, output
                else:
                    verb = EventType.STEP_SKIPPED if status == StepStatus.SKIPPED else EventType.STEP_RETURNED
                    payload["reason"] = reason
                event(visit.end, ender, verb, client_id, episode_id, _T_RECORD, record_id, payload)

        # Case team members and responsibilities.
        for person, t in added.values():
            member_id = self._id(CaseTeamMember)
            at = dt(t)
            role = ""  # blank: shown as the profession in the reader's language
            rows[CaseTeamMember].append((member_id, at, at, episode_id, person.id, role, at, opener.id, None, None))
            if person is not opener:
                event(
                    t,
                    opener.id,
                    EventType.TEAM_MEMBER_ADDED,
                    client_id,
                    episode_id,
                    _T_MEMBER,
                    member_id,
                    {"member": person.name, "role": role},
                )
        previous: _Person | None = None
        for person, t_start, t_stop in contacts:
            self._assignment(
                client_id,
                episode_id,
                AssignmentKind.CONTACT_PERSON,
                person,
                t_start,
                t_stop,
                (previous or opener).id,
                previous.name if previous else "",
            )
            previous = person
        if own_worker is not None:
            self._assignment(
                client_id, episode_id, AssignmentKind.OWN_WORKER, own_worker[0], own_worker[1], None, opener.id, ""
            )

        self._plan_and_meetings(client_id, episode_id, sk, members, lead, t_open, t_end)
        self._entries(client_id, episode_id, members, t_open, t_end)
        targeted: set[str] = set()
        if employment_status == EmploymentStatus.EMPLOYED or source == IdentificationSource.OCCUPATIONAL_HEALTH:
            targeted.add(OrganisationKind.OCCUPATIONAL_HEALTH)
        if (
            employment_status == EmploymentStatus.STUDENT
            or source == IdentificationSource.STUDENT_HEALTH
            or SpecialSituation.GRADUATING_PARTIAL_ABILITY in situations
        ):
            targeted.add(OrganisationKind.STUDENT_HEALTH)
        self._privacy(client_id, episode_id, staff, sk, opener, lead, t_open, t_end, outcome_on, targeted)

        if sk.closed:
            assert outcome_on is not None and closed_by is not None
            follow_ups = []
            if outcome not in OUTCOMES_WITHOUT_FOLLOW_UP:
                owner = contact or closed_by
                closed = dt(t_end)
                for months in _pick(rng, FOLLOW_UP_MONTHS):
                    due_on = outcome_on + datetime.timedelta(days=round(months * 30.44))
                    status = FollowUpStatus.DUE
                    if due_on < self.today:
                        r = rng.random()
                        status = FollowUpStatus.DONE if r < 0.8 else FollowUpStatus.CANCELLED if r < 0.85 else status
                    rows[FollowUp].append(
                        (closed, closed, episode_id, due_on, owner.id, status, rng.choice(voc.FOLLOW_UP_NOTES))
                    )
                    follow_ups.append({"due_on": due_on.isoformat(), "owner": owner.name})
            event(
                t_end,
                closed_by.id,
                EventType.EPISODE_CLOSED,
                client_id,
                episode_id,
                _T_EPISODE,
                episode_id,
                {
                    "outcome": outcome,
                    "outcome_on": outcome_on.isoformat(),
                    "detail": detail,
                    "step": steps[final.index].payload,
                    "follow_ups": follow_ups,
                },
            )

    def _situations(self, source: str) -> list[str]:
        rng = self.rng
        count = rng.choices((0, 1, 2), cum_weights=(35, 80, 100))[0]
        if not count:
            return []
        weights = dict(SITUATION_WEIGHTS)
        boosted = SITUATION_BOOST.get(source)
        if boosted is not None:
            weights[boosted] += 60
        chosen: list[str] = []
        while len(chosen) < count:
            s = rng.choices(list(weights), weights=list(weights.values()))[0]
            if s not in chosen:
                chosen.append(str(s))
        return chosen

    def _assignment(
        self,
        client_id: int,
        episode_id: int,
        kind: str,
        person: _Person,
        start: float,
        stop: float | None,
        by: int,
        previous: str,
    ) -> None:
        assignment_id = self._id(Assignment)
        started = self.dt(start)
        ended = self.dt(stop) if stop is not None else None
        note = "Vastuu siirtyi toiselle ammattilaiselle." if stop is not None else ""
        self.rows[Assignment].append(
            (assignment_id, started, ended or started, episode_id, kind, person.id, started, by, ended, note)
        )
        verb = EventType.CONTACT_PERSON_NAMED if kind == AssignmentKind.CONTACT_PERSON else EventType.OWN_WORKER_NAMED
        self.event(
            start,
            by,
            verb,
            client_id,
            episode_id,
            _T_ASSIGNMENT,
            assignment_id,
            {"person": person.name, "previous": previous},
        )
