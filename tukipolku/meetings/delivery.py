"""Sending meeting invitations by e-mail, each exactly once per participant and sequence.

`invitations_deliver` takes one pending `Invitation` at a time under a row lock (`SKIP LOCKED`: two
workers never take the same row), sends it and marks it sent in the same transaction. A retried or
repeated task finds nothing pending and sends nothing; a crash before the commit leaves the row
pending for the next run (the notification sweep runs this too). The only window for a second copy
is between the mail server accepting the message and our commit, as with notifications (ADR 0009).

Privacy: subject, body and calendar file name no client and hold no case content (see calendar.py);
the client's own address is used only for the client's own invitation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tukipolku.meetings.calendar import HELSINKI, Attendee, build_ics, meeting_link
from tukipolku.meetings.choices import InvitationMethod, InvitationStatus
from tukipolku.meetings.models import Invitation, Meeting, Participant

logger = logging.getLogger(__name__)


def participant_address(participant: Participant, meeting: Meeting) -> str:
    """Where this participant's invitations go: the user's, the outside person's or the client's e-mail."""
    if participant.user_id is not None:
        user = participant.user
        return user.email if user is not None and user.is_active else ""
    if participant.is_client:
        return meeting.episode.client.email or ""
    return participant.email


def professional_attendees(meeting: Meeting, participants: list[Participant]) -> list[Attendee]:
    """The attendee list every copy shows: the professionals (users and outside persons), never the client."""
    out = []
    for p in participants:
        if p.removed_at is not None or p.is_client:
            continue
        address = participant_address(p, meeting)
        if address:
            out.append(Attendee(email=address, name=p.user.display_name if p.user is not None else p.name))
    return out


@dataclass
class Message:
    subject: str
    body: str
    ics: bytes
    method: str


def invitation_message(invitation: Invitation, meeting: Meeting, participants: list[Participant]) -> Message:
    """The e-mail of one invitation: neutral subject and body, and the calendar file."""
    participant = next(p for p in participants if p.pk == invitation.participant_id)
    address = participant_address(participant, meeting)
    is_user = participant.user_id is not None
    if participant.removed_at is not None:
        attendees = (
            [Attendee(email=address)]
            if participant.is_client
            else [Attendee(email=address, name=participant.user.display_name if participant.user else participant.name)]
        )
    else:
        attendees = professional_attendees(meeting, participants)
        if participant.is_client:
            attendees.append(Attendee(email=address))  # only in the client's own copy, unnamed
    ics = build_ics(
        meeting=meeting,
        method=invitation.method,
        sequence=invitation.sequence,
        attendees=attendees,
        with_link=is_user,
    )
    organizer = meeting.organizer or meeting.recorded_by
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "meeting": meeting,
            "cancel": invitation.method == InvitationMethod.CANCEL,
            "removed": participant.removed_at is not None and meeting.status != "cancelled",
            "changed": invitation.sequence > 0,
            "starts": timezone.localtime(meeting.starts_at, HELSINKI),
            "ends": timezone.localtime(meeting.ends_at, HELSINKI) if meeting.ends_at else None,
            "link": meeting_link(meeting) if is_user else "",
            "organizer": organizer,
            "for_client": participant.is_client,
        }
        subject = " ".join(render_to_string("meetings/email/invitation_subject.txt", context).split())
        body = render_to_string("meetings/email/invitation_body.txt", context)
    return Message(subject=subject, body=body, ics=ics, method=invitation.method)


def _email(invitation: Invitation, message: Message, to: str) -> EmailMessage:
    domain = urlsplit(settings.TUKIPOLKU_SITE_URL).hostname or "localhost"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[to],
        # Stable per invitation: a mail system that sees it twice can tell it is the same message.
        headers={
            "Message-ID": (
                f"<meeting-{invitation.meeting_id}-{invitation.participant_id}-{invitation.sequence}@{domain}>"
            )
        },
    )
    name = "cancel.ics" if message.method == InvitationMethod.CANCEL else "invite.ics"
    email.attach(name, message.ics.decode("utf-8"), f"text/calendar; method={message.method}")
    return email


def invitations_deliver(*, meeting_id: int | None = None, limit: int | None = None) -> int:
    """Send every pending invitation (of one meeting, or all) once; returns how many were sent."""
    sent = 0
    done: set[int] = set()
    while limit is None or sent < limit:
        with transaction.atomic():
            qs = (
                Invitation.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=InvitationStatus.PENDING)
                .exclude(pk__in=done)
                .order_by("id")
            )
            if meeting_id is not None:
                qs = qs.filter(meeting_id=meeting_id)
            invitation = qs.first()
            if invitation is None:
                break
            done.add(invitation.pk)
            status = _deliver_one(invitation)
            invitation.status = status
            if status == InvitationStatus.SENT:
                invitation.sent_at = timezone.now()
                sent += 1
            invitation.save(update_fields=["status", "sent_at"])
    return sent


def _deliver_one(invitation: Invitation) -> str:
    if Invitation.objects.filter(participant_id=invitation.participant_id, sequence__gt=invitation.sequence).exists():
        return InvitationStatus.SUPERSEDED  # a newer version for this participant follows
    meeting = Meeting.objects.select_related("episode__client", "organizer", "recorded_by").get(
        pk=invitation.meeting_id
    )
    participants = list(meeting.participants.select_related("user"))
    participant = next(p for p in participants if p.pk == invitation.participant_id)
    address = participant_address(participant, meeting)
    if not address:
        return InvitationStatus.NO_ADDRESS
    message = invitation_message(invitation, meeting, participants)
    _email(invitation, message, address).send()
    return InvitationStatus.SENT


def download_ics(meeting: Meeting, participants: list[Any]) -> bytes:
    """The calendar file offered on the meeting page: the current version, professionals as attendees."""
    method = InvitationMethod.CANCEL if meeting.is_cancelled else InvitationMethod.REQUEST
    return build_ics(
        meeting=meeting,
        method=method,
        sequence=meeting.sequence,
        attendees=professional_attendees(meeting, participants),
    )
