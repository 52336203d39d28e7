"""Every state change of an episode. Each runs in one transaction and appends a domain event.

Callers (views) have fetched the episode through the access gate; services check the rules again
where a rule depends on the actor (STYLE.md §2).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access import cache as access_cache
from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.policy import can_change_episode, can_open_episode_in, can_record_follow_up, can_view_episode
from tukipolku.audit.choices import EventType
from tukipolku.audit.models import AuditEvent
from tukipolku.audit.services import event_record
from tukipolku.cases import registry
from tukipolku.cases.choices import (
    OUTCOMES_WITHOUT_FOLLOW_UP,
    AssignmentKind,
    EpisodeStatus,
    FollowUpSituation,
    FollowUpStatus,
    Outcome,
    RiskFactor,
    StepStatus,
)
from tukipolku.cases.models import SITUATION_FIELDS, Assignment, CaseTeamMember, Episode, FollowUp, StepRecord
from tukipolku.clients.models import Client
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import Team, TeamMembership
from tukipolku.core.permissions import PARTNER_PROFESSIONS, SOCIAL_PROFESSIONS, TEAM_PROFESSIONS
from tukipolku.core.text import bounded
from tukipolku.pathways.models import Pathway, PathwayStep, PathwayVersion
from tukipolku.pathways.selectors import pathway_list_available, pathway_version_current
from tukipolku.privacy.services import IntakeConsent, consent_record_at_intake, intake_consent_check


@dataclass(frozen=True)
class DoneByHandover:
    """Who did a step before the team took over: the escorted handover from `organisation`, opened `on`.
    Recorded on the step's event so that the history says so (cases knows no handover model)."""

    handover_id: int
    organisation: str
    on: datetime.date

    def payload(self) -> dict[str, Any]:
        return {"handover": self.handover_id, "organisation": self.organisation, "on": self.on.isoformat()}


def _step_payload(step: PathwayStep) -> dict[str, Any]:
    """How a step is remembered in an event: its number and its name in every language."""
    return {"order": step.order, "name": {"fi": step.name_fi, "sv": step.name_sv, "en": step.name_en}}


def _event(actor: Actor, verb: str, episode: Episode, target: Any = None, **payload: Any) -> None:
    event_record(
        actor=actor,
        verb=verb,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=target or episode,
        payload=payload,
    )


def _lock(episode: Episode) -> Episode:
    """Re-read the episode under a row lock so that concurrent step changes serialise.

    Only the episode row is locked (`of=("self",)`): PostgreSQL cannot lock the nullable side of the
    outer join to the current step.
    """
    return Episode.objects.select_for_update(of=("self",)).select_related("current_step").get(pk=episode.pk)


def _require_change(actor: Actor, episode: Episode) -> None:
    if not can_change_episode(actor=actor, episode=episode):
        raise ApplicationError(_("This client relationship cannot be changed."))


def _start_step(*, actor: Actor, episode: Episode, step: PathwayStep) -> StepRecord:
    actor = signed_in(actor)  # a signed-in user from here on
    today = timezone.localdate()
    due = today + datetime.timedelta(days=step.expected_duration_days)
    record = StepRecord.objects.create(episode=episode, step=step, started_by=actor, due_on=due)
    episode.current_step = step
    episode.current_step_due = due
    episode.save(update_fields=["current_step", "current_step_due", "updated_at"])
    return record


def _active_record(episode: Episode) -> StepRecord:
    record = episode.step_records.filter(status=StepStatus.ACTIVE).first()
    if record is None:  # the constraint allows at most one; an open episode always has one
        raise ApplicationError(_("This client relationship has no step in progress."))
    return record


def _end_record(record: StepRecord, *, actor: Actor, status: str, **fields: str) -> StepRecord:
    """Close the active step record with how it ended (completed, skipped, returned, closed)."""
    actor = signed_in(actor)  # a signed-in user from here on
    record.status = status
    record.ended_at = timezone.now()
    record.ended_by = actor
    for name, value in fields.items():
        setattr(record, name, value)
    record.save(update_fields=["status", "ended_at", "ended_by", *fields, "updated_at"])
    return record


def _move(
    *,
    actor: Actor,
    episode: Episode,
    status: str,
    verb: str,
    to: PathwayStep,
    extra: dict[str, Any] | None = None,
    **fields: str,
) -> Episode:
    """End the step in progress (completed, skipped or returned), start `to` and record the event (with
    `extra` in its payload)."""
    step = episode.current_step
    assert step is not None
    record = _end_record(_active_record(episode), actor=actor, status=status, **fields)
    _start_step(actor=actor, episode=episode, step=to)
    payload = {"step": _step_payload(step), "next_step": _step_payload(to), **fields, **(extra or {})}
    _event(actor, verb, episode, target=record, **payload)
    return episode


def _check_expected_step(episode: Episode, expected_step_id: int) -> None:
    if episode.current_step_id != expected_step_id:
        raise ConflictError(
            _("Someone else moved this client relationship to another step meanwhile. Check the page and try again.")
        )


@transaction.atomic
def episode_open(
    *,
    actor: Actor,
    client: Client,
    team: Team,
    pathway: Pathway,
    source: str,
    situations: Iterable[str],
    need_description: str,
    consent_on: datetime.date,
    consent_method: str,
    risk_factors: Iterable[str] = (),
    intake_consent: IntakeConsent | None = None,
) -> Episode:
    """Open a client relationship in a team on the newest published version of a pathway.

    The actor must be an active member of the team. The client's agreement to be taken to the team
    is required (recorded with date and method). The actor joins the client's team. What the client
    agreed to beyond the team's own work (`intake_consent`: sharing with partner kinds) is recorded as
    consents in the same transaction.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    if not can_open_episode_in(actor=actor, team_id=team.pk):
        raise ApplicationError(_("You can open client relationships only in your own team."), field="team")
    if consent_on > timezone.localdate():
        raise ApplicationError(_("The date of agreement cannot be in the future."), field="consent_on")
    if not need_description.strip():
        raise ApplicationError(_("Describe the need for support."), field="need_description")
    if intake_consent is not None:
        intake_consent_check(scope=intake_consent, valid_from=consent_on)
    version = pathway_version_current(pathway=pathway)
    if version is None or not pathway.is_active or pathway.region_id != team.region_id:
        # A team opens episodes only on the pathways of its own welfare region (ADR 11).
        raise ApplicationError(_("This pathway is not available."), field="pathway")
    if Episode.objects.filter(client=client, team=team, status=EpisodeStatus.OPEN).exists():
        raise ApplicationError(_("The client already has an open relationship with this team."))
    first_step = version.steps.order_by("order").first()
    if first_step is None:
        raise ApplicationError(_("This pathway has no steps."), field="pathway")
    chosen = set(situations)
    episode = Episode.objects.create(
        client=client,
        team=team,
        pathway_version=version,
        opened_by=actor,
        source=source,
        need_description=need_description.strip(),
        team_consent_on=consent_on,
        team_consent_method=consent_method,
        team_consent_recorded_by=actor,
        risk_factors=sorted({c for c in risk_factors if c in RiskFactor.values}),
        **{field: code in chosen for code, field in SITUATION_FIELDS.items()},
    )
    _start_step(actor=actor, episode=episode, step=first_step)
    CaseTeamMember.objects.create(episode=episode, user=actor, added_by=actor)
    _event(
        actor,
        EventType.EPISODE_OPENED,
        episode,
        pathway={"fi": pathway.name_fi, "sv": pathway.name_sv, "en": pathway.name_en},
        version=version.number,
        source=source,
        situations=sorted(chosen),
        risk_factors=episode.risk_factors,
        step=_step_payload(first_step),
    )
    if intake_consent is not None:
        consent_record_at_intake(
            actor=actor,
            client=client,
            episode_id=episode.pk,
            scope=intake_consent,
            valid_from=consent_on,
            given_how=consent_method,
            where=_("at the intake of the client relationship"),
        )
    access_cache.clear()  # what the access policy reads has changed within this request
    return episode


def _next_step(episode: Episode) -> PathwayStep | None:
    assert episode.current_step is not None
    return (
        PathwayStep.objects.filter(version_id=episode.pathway_version_id, order__gt=episode.current_step.order)
        .order_by("order")
        .first()
    )


@transaction.atomic
def episode_step_complete(
    *,
    actor: Actor,
    episode: Episode,
    expected_step_id: int,
    output: str,
    done_by_handover: DoneByHandover | None = None,
) -> Episode:
    """Mark the current step done, recording what it produced, and move to the next step.

    The step's completion check must pass. The last step is completed by closing the episode. With
    `done_by_handover` the step was done by the sending side of an escorted handover before the team took
    over (the accepting member records it); the history says so.
    """
    episode = _lock(episode)
    _require_change(actor, episode)
    _check_expected_step(episode, expected_step_id)
    step = episode.current_step
    assert step is not None
    if not output.strip():
        raise ApplicationError(_("Write what the step produced."), field="output")
    check = registry.completion_checks.get(step.completion_check)
    if check is not None and not check.passes(episode):
        raise ApplicationError(check.failure_message())
    following = _next_step(episode)
    if following is None:
        raise ApplicationError(_("This is the last step: close the client relationship with an outcome."))
    return _move(
        actor=actor,
        episode=episode,
        status=StepStatus.COMPLETED,
        verb=EventType.STEP_COMPLETED,
        to=following,
        extra={"done_by_handover": done_by_handover.payload()} if done_by_handover else None,
        output=output.strip(),
    )


@transaction.atomic
def episode_step_skip(*, actor: Actor, episode: Episode, expected_step_id: int, reason: str) -> Episode:
    """Move past the current step without doing it. A reason is required."""
    episode = _lock(episode)
    _require_change(actor, episode)
    _check_expected_step(episode, expected_step_id)
    step = episode.current_step
    assert step is not None
    if not reason.strip():
        raise ApplicationError(_("Give a reason for skipping the step."), field="reason")
    following = _next_step(episode)
    if following is None:
        raise ApplicationError(_("The last step cannot be skipped: close the client relationship instead."))
    return _move(
        actor=actor,
        episode=episode,
        status=StepStatus.SKIPPED,
        verb=EventType.STEP_SKIPPED,
        to=following,
        reason=reason.strip(),
    )


@transaction.atomic
def episode_step_return(
    *, actor: Actor, episode: Episode, expected_step_id: int, to_step_id: int, reason: str
) -> Episode:
    """Go back to an earlier step of the same pathway version. A reason is required."""
    episode = _lock(episode)
    _require_change(actor, episode)
    _check_expected_step(episode, expected_step_id)
    current = episode.current_step
    assert current is not None
    target = PathwayStep.objects.filter(
        pk=to_step_id, version_id=episode.pathway_version_id, order__lt=current.order
    ).first()
    if target is None:
        raise ApplicationError(_("Choose an earlier step of this pathway."), field="to_step")
    if not reason.strip():
        raise ApplicationError(_("Give a reason for going back."), field="reason")
    return _move(
        actor=actor,
        episode=episode,
        status=StepStatus.RETURNED,
        verb=EventType.STEP_RETURNED,
        to=target,
        reason=reason.strip(),
    )


def _eligible_member(user: Any, episode: Episode) -> bool:
    """Professionals of the episode team's organisation with an active team membership."""
    return (
        user.is_active
        and user.profession in TEAM_PROFESSIONS
        and TeamMembership.objects.active()
        .filter(user=user, team__organisation_id=episode.team.organisation_id)
        .exists()
    )


def _eligible_partner(user: Any) -> bool:
    """Partner staff with an organisation (consents name organisations): they may join a client's team
    and then see what the client's consents allow."""
    return bool(user.is_active and user.profession in PARTNER_PROFESSIONS and user.organisation_id)


def _ensure_member(*, actor: Actor, episode: Episode, user: Any, role_in_case: str = "") -> CaseTeamMember:
    actor = signed_in(actor)  # a signed-in user from here on
    member = episode.members.filter(user=user, removed_at__isnull=True).first()
    if member is not None:
        return member
    member = CaseTeamMember.objects.create(episode=episode, user=user, role_in_case=role_in_case, added_by=actor)
    _event(
        actor, EventType.TEAM_MEMBER_ADDED, episode, target=member, member=user.display_name, role=member.role_in_case
    )
    access_cache.clear()  # what the access policy reads has changed within this request
    return member


@transaction.atomic
def case_member_add(*, actor: Actor, episode: Episode, user: Any, role_in_case: str = "") -> CaseTeamMember:
    """Add a professional of the same organisation to the client's team."""
    episode = _lock(episode)
    _require_change(actor, episode)
    if not (_eligible_member(user, episode) or _eligible_partner(user)):
        raise ApplicationError(
            _("Only professionals of this organisation's teams and partner staff can join."), field="user"
        )
    if episode.members.filter(user=user, removed_at__isnull=True).exists():
        raise ApplicationError(_("This professional is already in the client's team."), field="user")
    return _ensure_member(actor=actor, episode=episode, user=user, role_in_case=role_in_case.strip())


@transaction.atomic
def case_member_remove(*, actor: Actor, episode: Episode, member: CaseTeamMember) -> None:
    """Remove a professional from the client's team. The current contact person stays until replaced."""
    actor = signed_in(actor)  # a signed-in user from here on
    episode = _lock(episode)
    _require_change(actor, episode)
    if member.episode_id != episode.pk or member.removed_at is not None:
        raise ApplicationError(_("This professional is not in the client's team."))
    if episode.assignments.filter(user_id=member.user_id, ended_at__isnull=True).exists():
        raise ApplicationError(_("Name another contact person or own worker before removing this professional."))
    member.removed_at = timezone.now()
    member.removed_by = actor
    member.save(update_fields=["removed_at", "removed_by", "updated_at"])
    _event(actor, EventType.TEAM_MEMBER_REMOVED, episode, target=member, member=member.user.display_name)
    access_cache.clear()  # what the access policy reads has changed within this request


@transaction.atomic
def assignment_set(*, actor: Actor, episode: Episode, kind: str, user: Any, note: str = "") -> Assignment:
    """Name the contact person or the own worker. The previous one's period ends; history stays.

    The own worker (omatyöntekijä, SHL 42 §) must be a social-care professional (`SOCIAL_PROFESSIONS`).
    """
    actor = signed_in(actor)  # a signed-in user from here on
    episode = _lock(episode)
    _require_change(actor, episode)
    if kind not in AssignmentKind.values:
        raise ApplicationError(_("Unknown responsibility."), field="kind")
    if not _eligible_member(user, episode):
        raise ApplicationError(_("Only professionals of this organisation's teams can be named."), field="user")
    if kind == AssignmentKind.OWN_WORKER and user.profession not in SOCIAL_PROFESSIONS:
        raise ApplicationError(
            _(
                "The own worker must be a social-care professional (a social worker or a social instructor), "
                "as the Social Welfare Act requires."
            ),
            field="user",
        )
    current = episode.assignments.filter(kind=kind, ended_at__isnull=True).first()
    if current is not None and current.user_id == user.pk:
        raise ApplicationError(_("This professional already has this responsibility."), field="user")
    now = timezone.now()
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at", "updated_at"])
    _ensure_member(actor=actor, episode=episode, user=user)
    assignment = Assignment.objects.create(
        episode=episode, kind=kind, user=user, started_at=now, started_by=actor, note=note.strip()
    )
    if kind == AssignmentKind.CONTACT_PERSON:  # kept on the episode for the sweep (ADR 0019)
        Episode.objects.filter(pk=episode.pk).update(contact_person=user)  # not an edit of the episode
        episode.contact_person = user
    verb = EventType.CONTACT_PERSON_NAMED if kind == AssignmentKind.CONTACT_PERSON else EventType.OWN_WORKER_NAMED
    _event(
        actor,
        verb,
        episode,
        target=assignment,
        person=user.display_name,
        previous=current.user.display_name if current is not None else "",
    )
    return assignment


@transaction.atomic
def episode_close(
    *,
    actor: Actor,
    episode: Episode,
    outcome: str,
    outcome_on: datetime.date,
    outcome_detail: str = "",
    follow_ups: Iterable[tuple[datetime.date, Any]] = (),
    confirm_early: bool = False,
) -> Episode:
    """Close the relationship with an outcome and the agreed follow-up (who and when).

    Refused without an outcome, and without a follow-up unless the outcome makes one impossible.
    Closing before the pathway's last step (steps left undone) needs `confirm_early`: the user has
    been shown which steps are not done and what closing means.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    episode = _lock(episode)
    _require_change(actor, episode)
    if outcome not in Outcome.values:
        raise ApplicationError(_("Choose the outcome."), field="outcome")
    if outcome_on > timezone.localdate():
        raise ApplicationError(_("The outcome date cannot be in the future."), field="outcome_on")
    if outcome_on < timezone.localtime(episode.opened_at).date():
        raise ApplicationError(_("The outcome date cannot be before the relationship was opened."), field="outcome_on")
    follow_ups = list(follow_ups)
    if not follow_ups and outcome not in OUTCOMES_WITHOUT_FOLLOW_UP:
        raise ApplicationError(_("Agree on a follow-up: who and when."), field="follow_up")
    for due_on, _owner in follow_ups:
        if due_on <= outcome_on:
            raise ApplicationError(_("A follow-up must be after the outcome date."), field="follow_up")
    record = _active_record(episode)
    is_last = not PathwayStep.objects.filter(
        version_id=episode.pathway_version_id, order__gt=record.step.order
    ).exists()
    if not is_last and not confirm_early:
        raise ApplicationError(
            _("Steps of the pathway are not done yet. Confirm that the relationship is closed before its end."),
            field="confirm_early",
        )
    if is_last:
        _end_record(record, actor=actor, status=StepStatus.COMPLETED, output=outcome_detail.strip())
    else:
        _end_record(record, actor=actor, status=StepStatus.CLOSED)
    episode.status = EpisodeStatus.CLOSED
    episode.outcome = outcome
    episode.outcome_on = outcome_on
    episode.outcome_detail = outcome_detail.strip()
    episode.closed_at = timezone.now()
    episode.closed_by = actor
    episode.current_step = None
    episode.current_step_due = None
    episode.save(
        update_fields=[
            "status",
            "outcome",
            "outcome_on",
            "outcome_detail",
            "closed_at",
            "closed_by",
            "current_step",
            "current_step_due",
            "updated_at",
        ]
    )
    FollowUp.objects.bulk_create(FollowUp(episode=episode, due_on=d, owner=o) for d, o in follow_ups)
    _event(
        actor,
        EventType.EPISODE_CLOSED,
        episode,
        outcome=outcome,
        outcome_on=outcome_on.isoformat(),
        detail=episode.outcome_detail,
        step=_step_payload(record.step),
        follow_ups=[{"due_on": d.isoformat(), "owner": o.display_name} for d, o in follow_ups],
    )
    return episode


@transaction.atomic
def episode_reopen(*, actor: Actor, episode: Episode, reason: str) -> Episode:
    """Reopen a closed relationship at the step where it was closed. A reason is required."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if episode.is_open or not can_view_episode(actor=actor, episode=episode):
        raise ApplicationError(_("Only a closed client relationship can be reopened."))
    if not reason.strip():
        raise ApplicationError(_("Give a reason for reopening."), field="reason")
    if Episode.objects.filter(client_id=episode.client_id, team_id=episode.team_id, status=EpisodeStatus.OPEN).exists():
        raise ApplicationError(_("The client already has an open relationship with this team."))
    last = episode.step_records.select_related("step").order_by("-started_at", "-id").first()
    assert last is not None
    previous_outcome = episode.outcome
    episode.status = EpisodeStatus.OPEN
    episode.outcome = ""
    episode.outcome_on = None
    episode.outcome_detail = ""
    episode.closed_at = None
    episode.closed_by = None
    episode.save(
        update_fields=["status", "outcome", "outcome_on", "outcome_detail", "closed_at", "closed_by", "updated_at"]
    )
    episode.follow_ups.filter(status=FollowUpStatus.DUE).update(status=FollowUpStatus.CANCELLED)
    _start_step(actor=actor, episode=episode, step=last.step)
    _event(
        actor,
        EventType.EPISODE_REOPENED,
        episode,
        reason=reason.strip(),
        previous_outcome=previous_outcome,
        step=_step_payload(last.step),
    )
    return episode


# ---------------------------------------------------------------- follow-up after closing


def _locked_follow_up(*, actor: Actor, episode: Episode, follow_up_id: int, expected_status: str) -> FollowUp:
    """The follow-up under a row lock, checked against the status the form was loaded with."""
    if not can_record_follow_up(actor=actor, episode=episode):
        raise ApplicationError(_("You cannot record follow-ups of this client."))
    follow_up = FollowUp.objects.select_for_update().filter(pk=follow_up_id, episode_id=episode.pk).first()
    if follow_up is None:
        raise ApplicationError(_("This follow-up does not exist."))
    if follow_up.status != expected_status or follow_up.status != FollowUpStatus.DUE:
        raise ConflictError(
            _("This follow-up was already recorded or cancelled, perhaps by someone else. Check the page.")
        )
    return follow_up


@transaction.atomic
def follow_up_record(
    *,
    actor: Actor,
    episode: Episode,
    follow_up_id: int,
    expected_status: str,
    situation: str,
    situation_on: datetime.date,
    note: str = "",
) -> FollowUp:
    """Record the client's situation at a follow-up agreed at closing; the follow-up is then done.

    Allowed on a closed episode (`can_record_follow_up`). The status the form carried must still be
    current: a second submit or a colleague's recording meanwhile is refused, never overwritten.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    follow_up = _locked_follow_up(
        actor=actor, episode=episode, follow_up_id=follow_up_id, expected_status=expected_status
    )
    if situation not in FollowUpSituation.values:
        raise ApplicationError(_("Choose the client's situation."), field="situation")
    if situation_on > timezone.localdate():
        raise ApplicationError(_("The date cannot be in the future."), field="situation_on")
    if episode.outcome_on is not None and situation_on < episode.outcome_on:
        raise ApplicationError(
            _("The date cannot be before the outcome date of the relationship."), field="situation_on"
        )
    follow_up.status = FollowUpStatus.DONE
    follow_up.situation = situation
    follow_up.situation_on = situation_on
    follow_up.note = bounded(note, limit=300, field="note")
    follow_up.recorded_at = timezone.now()
    follow_up.recorded_by = actor
    follow_up.save(
        update_fields=["status", "situation", "situation_on", "note", "recorded_at", "recorded_by", "updated_at"]
    )
    _event(
        actor,
        EventType.FOLLOW_UP_RECORDED,
        episode,
        target=follow_up,
        status=FollowUpStatus.DONE,
        due_on=follow_up.due_on.isoformat(),
        situation=situation,
        situation_on=situation_on.isoformat(),
        note=follow_up.note,
    )
    return follow_up


@transaction.atomic
def follow_up_cancel(
    *, actor: Actor, episode: Episode, follow_up_id: int, expected_status: str, reason: str
) -> FollowUp:
    """Cancel a follow-up that will not be done (for example the client cannot be reached any more, or
    a new relationship has started). A reason is required."""
    actor = signed_in(actor)  # a signed-in user from here on
    follow_up = _locked_follow_up(
        actor=actor, episode=episode, follow_up_id=follow_up_id, expected_status=expected_status
    )
    if not reason.strip():
        raise ApplicationError(_("Give a reason for cancelling the follow-up."), field="reason")
    follow_up.status = FollowUpStatus.CANCELLED
    follow_up.note = bounded(reason, limit=300, field="reason")
    follow_up.recorded_at = timezone.now()
    follow_up.recorded_by = actor
    follow_up.save(update_fields=["status", "note", "recorded_at", "recorded_by", "updated_at"])
    _event(
        actor,
        EventType.FOLLOW_UP_RECORDED,
        episode,
        target=follow_up,
        status=FollowUpStatus.CANCELLED,
        due_on=follow_up.due_on.isoformat(),
        reason=follow_up.note,
    )
    return follow_up


# ---------------------------------------------------------------- correcting the pathway or the starting step

TEAM_STEP_MOVES = (EventType.STEP_COMPLETED, EventType.STEP_SKIPPED, EventType.STEP_RETURNED)


def pathway_correction_open(*, episode: Episode) -> bool:
    """Whether the pathway or the starting step may still be corrected: the episode is open and the team has
    not itself completed, skipped or gone back a step (steps an escorted handover did at acceptance do not
    count). Once the team has worked on the pathway, its record stands and the usual step moves apply."""
    if not episode.is_open:
        return False
    moves = AuditEvent.objects.filter(episode_id=episode.pk, verb__in=TEAM_STEP_MOVES)
    return not moves.exclude(payload__has_key="done_by_handover").exists()


def pathway_correction_targets(*, episode: Episode) -> list[PathwayVersion]:
    """The versions an episode may be corrected to: the newest published version of each pathway available to
    the team's welfare region (ADR 11), and the version the episode is on."""
    pathways = pathway_list_available().filter(region_id=episode.team.region_id)
    versions = [v for v in (pathway_version_current(pathway=p) for p in pathways) if v is not None]
    if all(v.pk != episode.pathway_version_id for v in versions):
        versions.insert(0, episode.pathway_version)
    return versions


def _version_payload(version: PathwayVersion, step: PathwayStep | None) -> dict[str, Any]:
    pathway = version.pathway
    return {
        "pathway": {"fi": pathway.name_fi, "sv": pathway.name_sv, "en": pathway.name_en},
        "version": version.number,
        "step": _step_payload(step) if step is not None else None,
    }


@transaction.atomic
def episode_pathway_correct(
    *,
    actor: Actor,
    episode: Episode,
    pathway_version: PathwayVersion,
    step: PathwayStep,
    reason: str,
    expected_step_id: int,
    expected_version_id: int,
) -> Episode:
    """Correct the pathway and/or the current step of an episode opened on the wrong one (a handover accepted
    on the wrong pathway, a step the sending side had already done). A team member (the one who may change the
    episode), while `pathway_correction_open`; a reason is required. The step in progress ends as corrected,
    `step` starts on `pathway_version`, and the event `pathway_corrected` records the old and the new pathway
    and step with the reason. A stale form (another step or version meanwhile) is a conflict."""
    episode = _lock(episode)
    _require_change(actor, episode)
    if episode.current_step_id != expected_step_id or episode.pathway_version_id != expected_version_id:
        raise ConflictError(_("Someone else changed the pathway or the step meanwhile. Check the page and try again."))
    if not pathway_correction_open(episode=episode):
        raise ApplicationError(
            _("The team has already moved on along the pathway: use the step actions instead of a correction.")
        )
    if not reason.strip():
        raise ApplicationError(_("Give a reason for the correction."), field="reason")
    if pathway_version.pk not in {v.pk for v in pathway_correction_targets(episode=episode)}:
        raise ApplicationError(_("This pathway is not available."), field="step")
    if step.version_id != pathway_version.pk:
        raise ApplicationError(_("Choose a step of the chosen pathway."), field="step")
    if pathway_version.pk == episode.pathway_version_id and step.pk == episode.current_step_id:
        raise ApplicationError(_("Choose another pathway or step than the current one."), field="step")
    old = _version_payload(episode.pathway_version, episode.current_step)
    _end_record(_active_record(episode), actor=actor, status=StepStatus.CORRECTED, reason=reason.strip())
    episode.pathway_version = pathway_version
    episode.save(update_fields=["pathway_version", "updated_at"])
    record = _start_step(actor=actor, episode=episode, step=step)
    _event(
        actor,
        EventType.PATHWAY_CORRECTED,
        episode,
        target=record,
        old=old,
        new=_version_payload(pathway_version, step),
        reason=reason.strip(),
    )
    return episode


def episodes_refresh_followed(*, episode_ids: Iterable[int] | None = None) -> int:
    """Recompute what the sweep reads from the episode row (ADR 0019) from its sources: the current
    contact person from the assignments, the last activity from the domain events (or the opening).
    For data written around the services (the synthetic generator's COPY, the demo's backdated
    events, a restore); the services keep both up to date themselves. Returns the rows updated."""
    latest = Subquery(
        AuditEvent.objects.filter(episode_id=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    )
    contact = Subquery(
        Assignment.objects.filter(
            episode=OuterRef("pk"), kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True
        ).values("user_id")[:1]
    )
    qs = Episode.objects.all()
    if episode_ids is not None:
        qs = qs.filter(pk__in=list(episode_ids))
    return qs.update(
        contact_person=contact,
        last_activity_at=Coalesce(latest, F("opened_at"), output_field=DateTimeField()),
    )
