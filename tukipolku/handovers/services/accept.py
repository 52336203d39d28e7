"""Acceptance: the receiving team takes the person over and the client relationship opens.

The pathway and the steps the handover already did are found from the pathway data (the reasons a
pathway suits, `PathwayStep.handover_role`), never from a pathway's or step's code.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.policy import handover_is_receiver
from tukipolku.audit.choices import EventType
from tukipolku.cases import services as case_services
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus, SpecialSituation
from tukipolku.cases.models import Episode
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
    handover = lock(handover)
    if handover.status != expected_status or not handover.is_open:
        accepted_by = User.objects.filter(pk=handover.accepted_by_id or 0).first()
        raise ConflictError(
            _("This handover has already been accepted by %(person)s.")
            % {"person": accepted_by.display_name if accepted_by else _("someone else")}
        )
    if not handover_is_receiver(actor=actor, handover=handover):
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
    if nurse is None or not receiving_nurse_candidates(team_id=team.pk).filter(pk=nurse.pk).exists():
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
    handover_event(
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
        url=detail_url(handover_id=handover.pk),
    )
    return episode
