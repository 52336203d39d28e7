"""State changes of escorted handovers. Each runs in one transaction and appends a domain event.

The flow: the sending side opens a handover (the person's consent is required), records the
preparatory meeting's checklist and the transfer meeting; a member of the receiving team accepts it,
which opens the client's episode on the escorted handover pathway with the receiving nurse as the
contact person and keeps the sending contact person in the client's team. A handover not accepted in
`TUKIPOLKU_HANDOVER_ESCALATION_DAYS` days escalates to the team's managers (`handovers_escalate`, a
sweep step).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.choices import AccessGround
from tukipolku.audit.choices import AccessAction, EventType
from tukipolku.audit.services import access_record, event_record
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, ConsentMethod, EpisodeStatus, IdentificationSource, SpecialSituation
from tukipolku.cases.models import Episode
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.clients.services import client_create
from tukipolku.core.choices import Profession, TeamRole
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import Team, TeamMembership, User
from tukipolku.core.permissions import TEAM_PROFESSIONS
from tukipolku.handovers.choices import PREP_CHECKLIST, HandoverReason, HandoverStatus, JobSearch
from tukipolku.handovers.models import WAS_MAX, WAS_MIN, Handover
from tukipolku.handovers.permissions import (
    RECEIVING_NURSE_PROFESSIONS,
    SENDING_PROFESSIONS,
    can_send_handovers,
    is_receiver,
    is_sender,
)
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.findings import Finding
from tukipolku.notifications.services import notify, notify_findings
from tukipolku.pathways.choices import HandoverRole
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_list_available
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import ConsentKind, DataCategory, Purpose

SITUATION_BY_REASON = {
    HandoverReason.EMPLOYMENT_ENDING: SpecialSituation.PARTIAL_ABILITY_UNEMPLOYED,
    HandoverReason.GRADUATING: SpecialSituation.GRADUATING_PARTIAL_ABILITY,
}

PREP_FIELDS = ("prep_met_on", *(name for name, _code in PREP_CHECKLIST), "prep_notes", "transfer_at", "transfer_place")
TRANSFER_FIELDS = (
    "transfer_at",
    "transfer_place",
    "transfer_participants",
    "own_view",
    "readiness",
    "own_assessment",
    "work_ability_score",
    "resources",
    "skills",
    "receiving_nurse",
    "service_area",
    "job_search",
    "job_search_note",
    "other_help",
)


def detail_url(handover_id: int) -> str:
    """The handover's page: an id only, no personal data."""
    return reverse("handovers:detail", args=[handover_id])


def _event(actor: Any, verb: str, handover: Handover, **payload: Any) -> None:
    event_record(
        actor=actor,
        verb=verb,
        client_id=handover.client_id,
        episode_id=handover.episode_id,
        target=handover,
        payload=payload,
    )


def _lock(handover: Handover) -> Handover:
    return Handover.objects.select_for_update(of=("self",)).select_related("team").get(pk=handover.pk)


def team_members(team_id: int, *, role: str | None = None) -> list[int]:
    """Ids of the team's active professionals (managers only, with `role`)."""
    qs = TeamMembership.objects.active().filter(
        team_id=team_id, user__is_active=True, user__profession__in=TEAM_PROFESSIONS
    )
    if role is not None:
        qs = qs.filter(role=role)
    return sorted(set(qs.values_list("user_id", flat=True)))


def receiving_nurse_candidates(team_id: int) -> Any:
    """Who can be named the receiving nurse: active (public health) nurses of the receiving team."""
    ids = TeamMembership.objects.active().filter(team_id=team_id).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True, profession__in=RECEIVING_NURSE_PROFESSIONS).order_by(
        "last_name", "first_name"
    )


def sending_contact_candidates(actor: Any) -> Any:
    """The sending contact person: occupational or student health staff of the actor's organisation."""
    return User.objects.filter(
        organisation_id=actor.organisation_id, is_active=True, profession__in=SENDING_PROFESSIONS
    ).order_by("last_name", "first_name")


def receiving_team_candidates() -> Any:
    return Team.objects.filter(is_active=True).select_related("organisation").order_by("name")


def _find_or_create_client(
    *, actor: Any, code: str, first_names: str, last_name: str, phone: str, email: str
) -> Client:
    """The person in the client register. An existing row is linked, not shown: the handover keeps the
    names the sending side typed. The lookup by identity code is logged like a search."""
    existing = Client.objects.filter(identity_code=code).first()
    if existing is not None:
        access_record(
            actor=actor,
            view="handovers:create",
            rows=[(existing.pk, None)],
            action=AccessAction.SEARCH,
            basis=AccessGround.IDENTITY_CODE,
            resource="handover",
        )
        return existing
    return client_create(
        actor=actor, identity_code=code, first_names=first_names, last_name=last_name, phone=phone, email=email
    )


@transaction.atomic
def handover_open(
    *,
    actor: Any,
    identity_code: str,
    first_names: str,
    last_name: str,
    phone: str = "",
    email: str = "",
    team: Team,
    reason: str,
    sending_contact: Any,
    consent_on: datetime.date,
    consent_method: str,
    escort_consent: bool = False,
    background: str = "",
) -> Handover:
    """Open an escorted handover to a work ability support team.

    Only occupational and student health care staff open handovers; the sending contact person is of
    the same organisation. The person's consent to the handover (date and how) is required. The
    receiving team's members are notified.
    """
    if not can_send_handovers(actor):
        raise ApplicationError(_("Only occupational and student health care staff can open escorted handovers."))
    code = identity.normalize(identity_code)
    if not identity.is_valid(code):
        raise ApplicationError(_("Enter a valid Finnish personal identity code."), field="identity_code")
    if not first_names.strip():
        raise ApplicationError(_("Enter the first names."), field="first_names")
    if not last_name.strip():
        raise ApplicationError(_("Enter the last name."), field="last_name")
    if not team.is_active:
        raise ApplicationError(_("Choose an active team."), field="team")
    if reason not in HandoverReason.values:
        raise ApplicationError(_("Choose the reason for the handover."), field="reason")
    if sending_contact is None or not sending_contact_candidates(actor).filter(pk=sending_contact.pk).exists():
        raise ApplicationError(
            _("The sending contact person must be occupational or student health care staff of your organisation."),
            field="sending_contact",
        )
    if consent_on > timezone.localdate():
        raise ApplicationError(_("The date of agreement cannot be in the future."), field="consent_on")
    if consent_method not in ConsentMethod.values:
        raise ApplicationError(_("Choose how the person agreed."), field="consent_method")
    client = _find_or_create_client(
        actor=actor,
        code=code,
        first_names=first_names.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
    )
    if Handover.objects.filter(
        client=client, team=team, status=HandoverStatus.OPEN, opened_by__organisation_id=actor.organisation_id
    ).exists():
        raise ApplicationError(_("Your organisation already has an open handover of this person to this team."))
    source = (
        IdentificationSource.STUDENT_HEALTH
        if actor.profession == Profession.STUDENT_HEALTH
        else IdentificationSource.OCCUPATIONAL_HEALTH
    )
    handover = Handover.objects.create(
        client=client,
        team=team,
        first_names=first_names.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        reason=reason,
        source=source,
        background=background.strip(),
        opened_by=actor,
        sending_contact=sending_contact,
        consent_on=consent_on,
        consent_method=consent_method,
        escort_consent=escort_consent,
    )
    _event(
        actor,
        EventType.HANDOVER_OPENED,
        handover,
        team=team.name,
        organisation=str(actor.organisation),
        reason=reason,
        consent_on=consent_on.isoformat(),
        consent_method=consent_method,
    )
    notify(
        recipients=team_members(team.pk),
        kind=NotificationKind.HANDOVER_RECEIVED,
        key=f"handover_received:{handover.pk}",
        object_id=handover.pk,
        url=detail_url(handover.pk),
    )
    return handover


def _require_editable(actor: Any, handover: Handover, expected_revision: int) -> None:
    if not handover.is_open:
        raise ConflictError(_("The receiving team has accepted this handover: it can no longer be changed here."))
    if not is_sender(actor, handover):
        raise ApplicationError(_("Only the sending side can change the handover."))
    if handover.revision != expected_revision:
        raise ConflictError(
            _("Someone else changed this handover meanwhile. Check the page and enter your changes again.")
        )


def _apply(actor: Any, handover: Handover, part: str, values: dict[str, Any], extra: list[str]) -> Handover:
    changed = [name for name, value in values.items() if getattr(handover, name) != value]
    for name, value in values.items():
        setattr(handover, name, value)
    handover.revision += 1
    handover.save(update_fields=[*values, *extra, "revision", "updated_at"])
    _event(actor, EventType.HANDOVER_UPDATED, handover, part=part, fields=changed)
    return handover


def transfer_ahead_message() -> str:
    """The one refusal of a transfer meeting recorded before its time (form and service)."""
    return _(
        "The transfer meeting is still ahead: record it here once it has been held. Its agreed time goes in the "
        "preparatory meeting."
    )


def _not_future(value: datetime.date | None, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ApplicationError(_("A checklist date cannot be in the future."), field=field)


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@transaction.atomic
def handover_prepare(*, actor: Any, handover: Handover, expected_revision: int, **values: Any) -> Handover:
    """Record the preparatory meeting: when it was held, the checklist items with the dates they were
    done, notes, and the agreed time and place of the transfer meeting. The sending side only, while
    the handover is open."""
    handover = _lock(handover)
    _require_editable(actor, handover, expected_revision)
    unknown = set(values) - set(PREP_FIELDS)
    if unknown:
        raise ValueError(f"not preparatory fields: {sorted(unknown)}")
    for name in ("prep_met_on", *(n for n, _c in PREP_CHECKLIST)):
        _not_future(values.get(name), name)
    return _apply(actor, handover, "preparation", {k: _text(v) for k, v in values.items()}, [])


def validate_work_ability_score(value: Any) -> int | None:
    """The work ability score (WAS, työkykypistemäärä): one whole number from 0 to 10, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not WAS_MIN <= value <= WAS_MAX:
        raise ApplicationError(
            _("The work ability score is a whole number from %(min)s to %(max)s.") % {"min": WAS_MIN, "max": WAS_MAX},
            field="work_ability_score",
        )
    return value


@transaction.atomic
def handover_transfer(*, actor: Any, handover: Handover, expected_revision: int, **values: Any) -> Handover:
    """Record the transfer meeting (siirtopalaveri): when and where, who took part, the person's own
    view, the topics, the work ability score (0–10), the receiving nurse of the receiving team, the
    service area, job search and other help secured. The sending side only, while open."""
    handover = _lock(handover)
    _require_editable(actor, handover, expected_revision)
    unknown = set(values) - set(TRANSFER_FIELDS)
    if unknown:
        raise ValueError(f"not transfer meeting fields: {sorted(unknown)}")
    values = {k: _text(v) for k, v in values.items()}
    if not values.get("transfer_at"):
        raise ApplicationError(_("Enter the date and time of the transfer meeting."), field="transfer_at")
    if values["transfer_at"] > timezone.now():
        raise ApplicationError(transfer_ahead_message(), field="transfer_at")
    values["work_ability_score"] = validate_work_ability_score(values.get("work_ability_score"))
    nurse = values.get("receiving_nurse")
    if nurse is not None and not receiving_nurse_candidates(handover.team_id).filter(pk=nurse.pk).exists():
        raise ApplicationError(
            _("The receiving nurse must be a public health nurse of the receiving team."), field="receiving_nurse"
        )
    job_search = values.get("job_search") or ""
    if job_search and job_search not in JobSearch.values:
        raise ApplicationError(_("Choose whether job search was started."), field="job_search")
    if job_search == JobSearch.NOT_STARTED and not values.get("job_search_note"):
        raise ApplicationError(_("Write why job search was not started."), field="job_search_note")
    if job_search != JobSearch.NOT_STARTED:
        values["job_search_note"] = ""
    handover.transfer_recorded_at = handover.transfer_recorded_at or timezone.now()
    return _apply(actor, handover, "transfer", values, ["transfer_recorded_at"])


def escorted_pathway() -> Pathway | None:
    """The pathway marked in its data as opened by escorted handovers (`Pathway.opened_by_handover`) when
    it is available; until then the first available pathway."""
    available = pathway_list_available()
    return available.filter(opened_by_handover=True).first() or available.first()


def _need_description(handover: Handover) -> str:
    parts = [
        _("Escorted handover from %(organisation)s: %(reason)s.")
        % {"organisation": handover.opened_by.organisation, "reason": handover.get_reason_display()},
        handover.background,
    ]
    return "\n".join(p for p in parts if p)


def _covered_steps(handover: Handover) -> dict[str, str]:
    """The parts of a pathway (`PathwayStep.handover_role`) that the handover has already done, with what
    they produced. The transfer meeting step may also need a meeting record (its completion check)."""
    fmt = "%d.%m.%Y"
    covered: dict[str, str] = {
        HandoverRole.OPENING: _("Escorted handover opened on %(on)s by %(by)s; the person agreed on %(agreed)s.")
        % {
            "on": timezone.localtime(handover.opened_at).strftime(fmt),
            "by": handover.opened_by.display_name,
            "agreed": handover.consent_on.strftime(fmt),
        }
    }
    if handover.prep_met_on is not None:
        covered[HandoverRole.PREPARATORY_MEETING] = _(
            "Preparatory meeting held on %(on)s; %(done)s of %(total)s checklist items done."
        ) % {"on": handover.prep_met_on.strftime(fmt), "done": handover.checklist_done, "total": len(PREP_CHECKLIST)}
    if handover.transfer_recorded and handover.transfer_at is not None:
        covered[HandoverRole.TRANSFER_MEETING] = _("Transfer meeting held on %(on)s.") % {
            "on": timezone.localtime(handover.transfer_at).strftime(fmt)
        }
    return covered


def _complete_covered_steps(*, actor: Any, episode: Episode, handover: Handover) -> Episode:
    """Mark done the first steps of the new episode that the handover already did, in order; stop at the
    first step it did not do or whose completion check does not pass yet."""
    covered = _covered_steps(handover)
    while episode.current_step is not None and episode.current_step.handover_role in covered:
        try:
            episode = case_services.episode_step_complete(
                actor=actor,
                episode=episode,
                expected_step_id=episode.current_step.pk,
                output=covered[episode.current_step.handover_role],
            )
        except ApplicationError:  # e.g. the transfer meeting step wants a meeting record first
            break
    return episode


@transaction.atomic
def handover_accept(*, actor: Any, handover: Handover, expected_status: str) -> Episode:
    """Accept the handover: the receiving team takes responsibility.

    Opens the client's episode in the team on the escorted handover pathway (or links the open one),
    names the receiving nurse the contact person, keeps the sending contact person in the client's
    team (what they see is decided by the client's consents: with `escort_consent` a consent to
    follow the shared plan is recorded for their organisation) and tells the sending side. A second
    accept is refused: the row is locked and the expected status compared.
    """
    handover = _lock(handover)
    if handover.status != expected_status or not handover.is_open:
        accepted_by = User.objects.filter(pk=handover.accepted_by_id or 0).first()
        raise ConflictError(
            _("This handover has already been accepted by %(person)s.")
            % {"person": accepted_by.display_name if accepted_by else _("someone else")}
        )
    if not is_receiver(actor, handover):
        raise ApplicationError(_("Only members of the receiving team can accept the handover."))
    client = handover.client
    team = handover.team
    episode = Episode.objects.filter(client=client, team=team, status=EpisodeStatus.OPEN).first()
    new = episode is None
    if episode is None:
        pathway = escorted_pathway()
        if pathway is None:
            raise ApplicationError(_("No pathway is available for new client relationships."))
        episode = case_services.episode_open(
            actor=actor,
            client=client,
            team=team,
            pathway=pathway,
            source=handover.source,
            situations=[SITUATION_BY_REASON[HandoverReason(handover.reason)]],
            need_description=_need_description(handover),
            consent_on=handover.consent_on,
            consent_method=handover.consent_method,
        )
    if new:
        episode = _complete_covered_steps(actor=actor, episode=episode, handover=handover)
    contact = episode.assignments.filter(kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True).first()
    nurse = handover.receiving_nurse
    if nurse is None or not receiving_nurse_candidates(team.pk).filter(pk=nurse.pk).exists():
        nurse = actor
    if contact is None or (new and contact.user_id != nurse.pk):
        case_services.assignment_set(
            actor=actor,
            episode=episode,
            kind=AssignmentKind.CONTACT_PERSON,
            user=nurse,
            note=_("Receiving nurse of the escorted handover"),
        )
    sender = handover.sending_contact
    organisation = sender.organisation
    if handover.escort_consent and organisation is not None:
        privacy_services.consent_record(
            actor=actor,
            client=client,
            episode_id=episode.pk,
            kind=ConsentKind.CONSENT,
            recipient_organisation=organisation,
            recipient_kind="",
            categories=[DataCategory.SHARED_PLAN],
            purpose=Purpose.WORK_ABILITY,
            purpose_details=_("Escorted handover: the sending contact person follows the shared plan."),
            valid_from=handover.consent_on,
            valid_until=None,
            given_how=handover.consent_method,
            given_note=_("Given in the escorted handover to %(person)s.") % {"person": sender.display_name},
        )
    if sender.is_active and not episode.members.filter(user=sender, removed_at__isnull=True).exists():
        case_services.case_member_add(
            actor=actor,
            episode=episode,
            user=sender,
            role_in_case=_("Sending contact person (escorted handover)"),
        )
    handover.status = HandoverStatus.ACCEPTED
    handover.accepted_at = timezone.now()
    handover.accepted_by = actor
    handover.episode = episode
    handover.revision += 1
    handover.save(update_fields=["status", "accepted_at", "accepted_by", "episode", "revision", "updated_at"])
    _event(
        actor,
        EventType.HANDOVER_ACCEPTED,
        handover,
        organisation=str(organisation or ""),
        sender=sender.display_name,
        reason=handover.reason,
        opened_on=timezone.localtime(handover.opened_at).date().isoformat(),
        escalated=handover.escalated_at is not None,
        new_episode=new,
        receiving_nurse=nurse.display_name,
    )
    notify(
        recipients=[handover.opened_by_id, handover.sending_contact_id],
        kind=NotificationKind.HANDOVER_ACCEPTED,
        key=f"handover_accepted:{handover.pk}",
        object_id=handover.pk,
        url=detail_url(handover.pk),
    )
    return episode


# ---------------------------------------------------------------- escalation (a sweep step)


def escalation_cutoff(today: datetime.date) -> datetime.datetime:
    """Handovers opened before this moment have waited the set number of days on `today`."""
    days = settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS
    start = today - datetime.timedelta(days=days - 1)
    return timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))


def days_waited(handover: Handover, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return (today - timezone.localtime(handover.opened_at).date()).days


def handovers_escalate(today: datetime.date) -> int:
    """The sweep step: open handovers not accepted within the set days escalate to the receiving team's
    managers (to every active member when the team has no manager). Each is marked `escalated_at`
    once (with an event by the system); every run hands the same findings in, and the notification
    key (`handover_not_accepted:<id>`) makes each reach each manager once. Returns how many findings
    there were."""
    cutoff = escalation_cutoff(today)
    days = settings.TUKIPOLKU_HANDOVER_ESCALATION_DAYS
    overdue = Handover.objects.filter(status=HandoverStatus.OPEN, opened_at__lt=cutoff)
    with transaction.atomic():
        fresh = list(
            overdue.filter(escalated_at__isnull=True)
            .select_for_update(skip_locked=True)
            .only("pk", "client_id", "team_id", "opened_at", "episode_id", "status")
            .order_by("pk")
        )
        now = timezone.now()
        for handover in fresh:
            handover.escalated_at = now
            handover.save(update_fields=["escalated_at", "updated_at"])
            _event(None, EventType.HANDOVER_ESCALATED, handover, days=days)
    rows = list(overdue.values_list("pk", "team_id", "opened_at").order_by("pk"))
    if not rows:
        return 0
    # The team's managers; a team without one escalates to all its active members, so that the
    # handover still reaches someone who can act.
    managers: dict[int, list[int]] = {}
    members: dict[int, list[int]] = {}
    for team_id, user_id, role in (
        TeamMembership.objects.active(today)
        .filter(team_id__in={t for _pk, t, _at in rows}, user__is_active=True)
        .values_list("team_id", "user_id", "role")
    ):
        members.setdefault(team_id, []).append(user_id)
        if role == TeamRole.MANAGER:
            managers.setdefault(team_id, []).append(user_id)
    for team_id, team_members in members.items():
        managers.setdefault(team_id, team_members)

    def findings() -> Iterator[Finding]:
        for pk, team_id, opened_at in rows:
            due = timezone.localtime(opened_at).date() + datetime.timedelta(days=days)
            for user_id in managers.get(team_id, []):
                yield Finding(
                    kind=NotificationKind.HANDOVER_NOT_ACCEPTED,
                    key=f"handover_not_accepted:{pk}",
                    recipient_id=user_id,
                    object_id=pk,
                    due_on=due,
                    url=detail_url(pk),
                )

    return notify_findings(findings())
