"""The sending side's part of an escorted handover: opening it, the preparatory meeting, the transfer meeting.

Only occupational and student health care staff open handovers; only the sending side (opener, sending
contact person) changes one, while it is open, with the row locked and the revision compared.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import can_send_handovers, handover_is_sender
from tukipolku.audit.choices import AccessAction, EventType
from tukipolku.audit.services import access_record
from tukipolku.cases.choices import ConsentMethod, IdentificationSource
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.clients.services import client_create
from tukipolku.core.choices import Profession
from tukipolku.core.exceptions import ApplicationError, ConflictError
from tukipolku.core.models import Team
from tukipolku.handovers.choices import PREP_CHECKLIST, HandoverReason, HandoverStatus, InformationSource, JobSearch
from tukipolku.handovers.models import WAS_MAX, WAS_MIN, Handover
from tukipolku.handovers.services.common import (
    detail_url,
    handover_event,
    lock,
    receiving_nurse_candidates,
    sending_contact_candidates,
    team_members,
)
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.services import notify

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


def _find_or_create_client(
    *, actor: Actor, code: str, first_names: str, last_name: str, phone: str, email: str
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
    actor: Actor,
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
    info_sources: list[str] | None = None,
    info_summary: str = "",
) -> Handover:
    """Open an escorted handover to a work ability support team.

    Only occupational and student health care staff open handovers; the sending contact person is of
    the same organisation. The person's consent to the handover (date and how) is required. The
    receiving team's members are notified. For a graduating student the sending side also says whom it
    gathered information from (teachers, curator, study psychologist, study counsellor) and what it shows
    (the Rauma model's step 2); for another reason these are not asked and not kept.
    """
    actor = signed_in(actor)  # a signed-in user from here on
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
    if sending_contact is None or not sending_contact_candidates(actor=actor).filter(pk=sending_contact.pk).exists():
        raise ApplicationError(
            _("The sending contact person must be occupational or student health care staff of your organisation."),
            field="sending_contact",
        )
    if consent_on > timezone.localdate():
        raise ApplicationError(_("The date of agreement cannot be in the future."), field="consent_on")
    if consent_method not in ConsentMethod.values:
        raise ApplicationError(_("Choose how the person agreed."), field="consent_method")
    sources, summary = _graduating_information(reason, info_sources or [], info_summary)
    client = _find_or_create_client(
        actor=actor,
        code=code,
        first_names=first_names.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
    )
    if Handover.objects.filter(
        Q(opened_by__organisation_id=actor.organisation_id), client=client, team=team, status=HandoverStatus.OPEN
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
        info_sources=sources,
        info_summary=summary,
    )
    handover_event(
        actor=actor,
        verb=EventType.HANDOVER_OPENED,
        handover=handover,
        team=team.name,
        organisation=str(actor.organisation),
        reason=reason,
        consent_on=consent_on.isoformat(),
        consent_method=consent_method,
    )
    notify(
        recipients=team_members(team_id=team.pk),
        kind=NotificationKind.HANDOVER_RECEIVED,
        key=f"handover_received:{handover.pk}",
        object_id=handover.pk,
        url=detail_url(handover_id=handover.pk),
    )
    return handover


def _graduating_information(reason: str, sources: list[str], summary: str) -> tuple[list[str], str]:
    """What a graduating student's handover says of the information gathered; nothing for another reason."""
    if reason != HandoverReason.GRADUATING:
        return [], ""
    if not sources or any(s not in InformationSource.values for s in sources):
        raise ApplicationError(_("Choose whom information was gathered from."), field="info_sources")
    if not summary.strip():
        raise ApplicationError(_("Write what the gathered information shows."), field="info_summary")
    return [s for s in InformationSource.values if s in sources], summary.strip()


def _require_editable(actor: Actor, handover: Handover, expected_revision: int) -> None:
    if not handover.is_open:
        raise ConflictError(_("The receiving team has accepted this handover: it can no longer be changed here."))
    if not handover_is_sender(actor=actor, handover=handover):
        raise ApplicationError(_("Only the sending side can change the handover."))
    if handover.revision != expected_revision:
        raise ConflictError(
            _("Someone else changed this handover meanwhile. Check the page and enter your changes again.")
        )


def _apply(actor: Actor, handover: Handover, part: str, values: dict[str, Any], extra: list[str]) -> Handover:
    changed = [name for name, value in values.items() if getattr(handover, name) != value]
    for name, value in values.items():
        setattr(handover, name, value)
    handover.revision += 1
    handover.save(update_fields=[*values, *extra, "revision", "updated_at"])
    handover_event(actor=actor, verb=EventType.HANDOVER_UPDATED, handover=handover, part=part, fields=changed)
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
def handover_prepare(*, actor: Actor, handover: Handover, expected_revision: int, **values: Any) -> Handover:
    """Record the preparatory meeting: when it was held, the checklist items with the dates they were
    done, notes, and the agreed time and place of the transfer meeting. The sending side only, while
    the handover is open."""
    handover = lock(handover=handover)
    _require_editable(actor, handover, expected_revision)
    unknown = set(values) - set(PREP_FIELDS)
    if unknown:
        raise ValueError(f"not preparatory fields: {sorted(unknown)}")
    for name in ("prep_met_on", *(n for n, _c in PREP_CHECKLIST)):
        _not_future(values.get(name), name)
    return _apply(actor, handover, "preparation", {k: _text(v) for k, v in values.items()}, [])


def validate_work_ability_score(*, value: Any) -> int | None:
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
def handover_transfer(*, actor: Actor, handover: Handover, expected_revision: int, **values: Any) -> Handover:
    """Record the transfer meeting (siirtopalaveri): when and where, who took part, the person's own
    view, the topics, the work ability score (0–10), the receiving nurse of the receiving team, the
    service area, job search and other help secured. The sending side only, while open."""
    handover = lock(handover=handover)
    _require_editable(actor, handover, expected_revision)
    unknown = set(values) - set(TRANSFER_FIELDS)
    if unknown:
        raise ValueError(f"not transfer meeting fields: {sorted(unknown)}")
    values = {k: _text(v) for k, v in values.items()}
    if not values.get("transfer_at"):
        raise ApplicationError(_("Enter the date and time of the transfer meeting."), field="transfer_at")
    if values["transfer_at"] > timezone.now():
        raise ApplicationError(transfer_ahead_message(), field="transfer_at")
    values["work_ability_score"] = validate_work_ability_score(value=values.get("work_ability_score"))
    nurse = values.get("receiving_nurse")
    if nurse is not None and not receiving_nurse_candidates(team_id=handover.team_id).filter(pk=nurse.pk).exists():
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
