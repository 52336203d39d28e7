"""Acceptance: the receiving team takes the person over and the client relationship opens.

The pathway and the steps the handover already did are found from the pathway data (the reasons a
pathway suits, `PathwayStep.handover_role`), never from a pathway's or step's code.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.policy import handover_is_receiver
from tukipolku.audit.choices import EventType
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, SpecialSituation
from tukipolku.cases.models import Episode
from tukipolku.cases.services import DoneByHandover
from tukipolku.core.dates import format_date
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import User
from tukipolku.handovers.choices import PREP_CHECKLIST, HandoverReason, HandoverStatus
from tukipolku.handovers.models import Handover
from tukipolku.handovers.services.common import detail_url, handover_event, lock, receiving_nurse_candidates
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.services import notify
from tukipolku.pathways.choices import HandoverRole
from tukipolku.pathways.models import Pathway
from tukipolku.pathways.selectors import pathway_list_available
from tukipolku.privacy import services as privacy_services
from tukipolku.privacy.choices import ConsentKind, DataCategory, Purpose

SITUATION_BY_REASON = {
    HandoverReason.EMPLOYMENT_ENDING: SpecialSituation.PARTIAL_ABILITY_UNEMPLOYED,
    HandoverReason.GRADUATING: SpecialSituation.GRADUATING_PARTIAL_ABILITY,
}


def pathway_choices(*, handover: Handover) -> list[Pathway]:
    """The pathways the receiving team may open the episode on: those available in its welfare region (ADR 11)."""
    return list(pathway_list_available().filter(region_id=handover.team.region_id))


def pathway_default(*, handover: Handover, choices: list[Pathway] | None = None) -> Pathway | None:
    """The pathway acceptance preselects: the first one whose data lists the handover's reason
    (`Pathway.handover_reasons`), else the region's pathway marked `opened_by_handover`, else the first."""
    choices = pathway_choices(handover=handover) if choices is None else choices
    for pathway in choices:
        if handover.reason in (pathway.handover_reasons or []):
            return pathway
    return next((p for p in choices if p.opened_by_handover), choices[0] if choices else None)


def _need_description(handover: Handover) -> str:
    parts = [
        _("Escorted handover from %(organisation)s: %(reason)s.")
        % {"organisation": handover.opened_by.organisation, "reason": handover.get_reason_display()},
        handover.background,
    ]
    return "\n".join(p for p in parts if p)


def _covered_steps(handover: Handover) -> dict[str, str]:
    """The parts of a pathway (`PathwayStep.handover_role`) that the handover has already done, each with what
    the handover recorded of it (who, when, what)."""
    facts = {
        "on": format_date(handover.opened_at),
        "by": handover.opened_by.display_name,
        "organisation": handover.opened_by.organisation,
        "agreed": format_date(handover.consent_on),
        "how": handover.get_consent_method_display().lower(),
        "reason": handover.get_reason_display(),
        "contact": handover.sending_contact.display_name,
        "team": handover.team.name,
    }
    covered: dict[str, str] = {
        HandoverRole.OPENING: _("Escorted handover opened on %(on)s by %(by)s; the person agreed on %(agreed)s.")
        % facts,
        HandoverRole.NEED_IDENTIFIED: _("%(by)s (%(organisation)s) identified the need on %(on)s: %(reason)s.") % facts,
        HandoverRole.CONTACT_PERSON_NAMED: _("Contact person named by the sending side: %(contact)s, %(organisation)s.")
        % facts,
        HandoverRole.CONSENT: _("The person was informed and agreed on %(agreed)s (%(how)s); recorded by %(by)s.")
        % facts,
        HandoverRole.REFERRAL: _("Referred to %(team)s by the escorted handover sent on %(on)s by %(by)s.") % facts,
    }
    if handover.info_sources:
        covered[HandoverRole.INFORMATION_GATHERED] = _("Information gathered from %(sources)s: %(summary)s") % {
            "sources": ", ".join(handover.info_source_labels()).lower(),
            "summary": handover.info_summary,
        }
    if handover.prep_met_on is not None:
        covered[HandoverRole.PREPARATORY_MEETING] = _(
            "Preparatory meeting held on %(on)s; %(done)s of %(total)s checklist items done."
        ) % {"on": format_date(handover.prep_met_on), "done": handover.checklist_done, "total": len(PREP_CHECKLIST)}
    if handover.transfer_recorded and handover.transfer_at is not None:
        covered[HandoverRole.TRANSFER_MEETING] = _("Transfer meeting held on %(on)s.") % {
            "on": format_date(handover.transfer_at)
        }
    return covered


def _complete_covered_steps(*, actor: Actor, episode: Episode, handover: Handover) -> Episode:
    """Mark done the first steps of the new episode that the handover already did, in order, each with what the
    handover recorded and as done by the handover; stop at the first step it did not do or whose completion
    check does not pass yet."""
    covered = _covered_steps(handover)
    done_by = DoneByHandover(
        handover_id=handover.pk,
        organisation=str(handover.opened_by.organisation or ""),
        on=timezone.localtime(handover.opened_at).date(),
    )
    while episode.current_step is not None and episode.current_step.handover_role in covered:
        try:
            episode = case_services.episode_step_complete(
                actor=actor,
                episode=episode,
                expected_step_id=episode.current_step.pk,
                output=covered[episode.current_step.handover_role],
                done_by_handover=done_by,
            )
        except ApplicationError:  # e.g. a step whose completion check wants a record of the team's first
            break
    return episode


def _open_episode(*, actor: Actor, handover: Handover, pathway: Pathway | None) -> Episode:
    """Open the client's episode in the receiving team on the chosen pathway (the default for the reason when
    none is chosen) and mark done the steps the handover did."""
    choices = pathway_choices(handover=handover)
    chosen = pathway or pathway_default(handover=handover, choices=choices)
    if chosen is None:
        raise ApplicationError(_("No pathway is available for new client relationships."))
    if chosen not in choices:
        raise ApplicationError(_("Choose one of your region's pathways."), field="pathway")
    episode = case_services.episode_open(
        actor=actor,
        client=handover.client,
        team=handover.team,
        pathway=chosen,
        source=handover.source,
        situations=[SITUATION_BY_REASON[HandoverReason(handover.reason)]],
        need_description=_need_description(handover),
        consent_on=handover.consent_on,
        consent_method=handover.consent_method,
    )
    return _complete_covered_steps(actor=actor, episode=episode, handover=handover)


def _name_contact_person(*, actor: Actor, episode: Episode, handover: Handover, new: bool) -> Any:
    """The receiving nurse (else the accepter) becomes the contact person of a new episode, or of a linked one
    without a contact person. Returns who it is."""
    actor = signed_in(actor)  # a signed-in user from here on
    contact = episode.assignments.filter(kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True).first()
    nurse = handover.receiving_nurse
    if nurse is None or not receiving_nurse_candidates(team_id=handover.team_id).filter(pk=nurse.pk).exists():
        nurse = actor
    if contact is None or (new and contact.user_id != nurse.pk):
        case_services.assignment_set(
            actor=actor,
            episode=episode,
            kind=AssignmentKind.CONTACT_PERSON,
            user=nurse,
            note=_("Receiving nurse of the escorted handover"),
        )
    return nurse


def _keep_sender(*, actor: Actor, episode: Episode, handover: Handover) -> None:
    """The sending contact person joins the client's team; with `escort_consent` a consent for their
    organisation to follow the shared plan is recorded."""
    sender = handover.sending_contact
    organisation = sender.organisation
    if handover.escort_consent and organisation is not None:
        privacy_services.consent_record(
            actor=actor,
            client=handover.client,
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


@transaction.atomic
def handover_accept(
    *, actor: Actor, handover: Handover, expected_status: str, pathway: Pathway | None = None
) -> Episode:
    """Accept the handover: the receiving team takes responsibility.

    Opens the client's episode in the team on `pathway` (one of the region's available pathways; by default
    the one whose data suits the handover's reason) or links the client's open episode in the team; marks
    done the steps the handover already did; names the receiving nurse the contact person, keeps the
    sending contact person in the client's team and tells the sending side. A second accept is refused:
    the row is locked and the expected status compared.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    handover = lock(handover=handover)
    if handover.status != expected_status or not handover.is_open:
        accepted_by = User.objects.filter(pk=handover.accepted_by_id or 0).first()
        raise ConflictError(
            _("This handover has already been accepted by %(person)s.")
            % {"person": accepted_by.display_name if accepted_by else _("someone else")}
        )
    if not handover_is_receiver(actor=actor, handover=handover):
        raise ApplicationError(_("Only members of the receiving team can accept the handover."))
    episode = Episode.objects.filter(client=handover.client, team=handover.team, status=EpisodeStatus.OPEN).first()
    new = episode is None
    if episode is None:
        episode = _open_episode(actor=actor, handover=handover, pathway=pathway)
    nurse = _name_contact_person(actor=actor, episode=episode, handover=handover, new=new)
    _keep_sender(actor=actor, episode=episode, handover=handover)
    handover.status = HandoverStatus.ACCEPTED
    handover.accepted_at = timezone.now()
    handover.accepted_by = actor
    handover.episode = episode
    handover.revision += 1
    handover.save(update_fields=["status", "accepted_at", "accepted_by", "episode", "revision", "updated_at"])
    handover_event(
        actor=actor,
        verb=EventType.HANDOVER_ACCEPTED,
        handover=handover,
        organisation=str(handover.sending_contact.organisation or ""),
        sender=handover.sending_contact.display_name,
        reason=handover.reason,
        opened_on=timezone.localtime(handover.opened_at).date().isoformat(),
        escalated=handover.escalated_at is not None,
        new_episode=new,
        receiving_nurse=nurse.display_name,
        pathway=str(episode.pathway_version.pathway.code),
    )
    notify(
        recipients=[handover.opened_by_id, handover.sending_contact_id],
        kind=NotificationKind.HANDOVER_ACCEPTED,
        key=f"handover_accepted:{handover.pk}",
        object_id=handover.pk,
        url=detail_url(handover_id=handover.pk),
    )
    return episode
