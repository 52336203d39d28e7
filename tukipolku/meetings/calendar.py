"""Calendar files (.ics, RFC 5545 / iTIP RFC 5546) for meeting invitations, built with `icalendar`.

Privacy (DESIGN principle 4, docs/modules/meetings.md): a calendar entry is copied into mail servers
and calendar systems outside Tukipolku (other organisations' Exchange, the client's own phone) where
our access gate and logs do not reach and from which it cannot be recalled. So the file names no
client and carries no case content: the summary is neutral ("Tukipolku meeting: <kind>"), and it has
the time, the place or video link and a link to the meeting page, which opens only through the gate.
The attendee list names the professionals; the client's address appears only in the client's own
invitation, never in the copies sent to others (being invited with a client would reveal who the
client is). The agenda, minutes and participants' notes stay in Tukipolku.

Times are written in Europe/Helsinki with a VTIMEZONE (the EU summer-time rule, so the entry stays
right in every year), so a meeting at 10:00 is at 10:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tukipolku.meetings.choices import InvitationMethod
from tukipolku.meetings.models import Meeting

TZID = "Europe/Helsinki"
HELSINKI = ZoneInfo(TZID)
PRODID = "-//Tukipolku//Meetings//FI"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str = ""  # empty for the client: the client is never named


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the meeting's whole life: calendars match updates and cancellations by it."""
    host = urlsplit(settings.TUKIPOLKU_SITE_URL).hostname or "tukipolku.invalid"
    return f"tukipolku-meeting-{meeting.pk}@{host}"


def meeting_link(meeting: Meeting) -> str:
    from django.urls import reverse

    path = reverse("meetings:detail", args=[meeting.episode_id, meeting.pk])
    return settings.TUKIPOLKU_SITE_URL.rstrip("/") + path


def neutral_summary(meeting: Meeting) -> str:
    """ "Tukipolku meeting: Network meeting with partners" – no name, no case content."""
    return _("Tukipolku meeting: %(kind)s") % {"kind": meeting.get_kind_display()}


def _vtimezone() -> icalendar.Timezone:
    """Europe/Helsinki: EET (UTC+2), EEST (UTC+3) from the last Sunday of March to the last of October."""
    tz = icalendar.Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    standard = icalendar.TimezoneStandard()
    standard.add("tzname", "EET")
    standard.add("dtstart", datetime.datetime(1970, 10, 25, 4, 0))  # noqa: DTZ001 – floating local time by RFC 5545
    standard.add("tzoffsetfrom", datetime.timedelta(hours=3))
    standard.add("tzoffsetto", datetime.timedelta(hours=2))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    daylight = icalendar.TimezoneDaylight()
    daylight.add("tzname", "EEST")
    daylight.add("dtstart", datetime.datetime(1970, 3, 29, 3, 0))  # noqa: DTZ001 – floating local time by RFC 5545
    daylight.add("tzoffsetfrom", datetime.timedelta(hours=2))
    daylight.add("tzoffsetto", datetime.timedelta(hours=3))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    tz.add_component(standard)
    tz.add_component(daylight)
    return tz


def _address(email: str, name: str = "", **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = icalendar.vText(name)
    for key, value in params.items():
        address.params[key.upper().replace("_", "-")] = icalendar.vText(value)
    return address


def build_ics(
    *,
    meeting: Meeting,
    method: str,
    sequence: int,
    attendees: Iterable[Attendee],
    with_link: bool = True,
    now: datetime.datetime | None = None,
) -> bytes:
    """The calendar file of one version of the meeting: REQUEST (invite or update) or CANCEL."""
    with translation.override(settings.LANGUAGE_CODE):
        summary = neutral_summary(meeting)
        lines = [_("Details and the agenda in Tukipolku (log in):"), meeting_link(meeting)] if with_link else []
        if meeting.video_link:
            lines = [_("Video link: %(link)s") % {"link": meeting.video_link}, *lines]
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(_vtimezone())
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    starts = meeting.starts_at.astimezone(HELSINKI)
    ends = (meeting.ends_at or meeting.starts_at + datetime.timedelta(hours=1)).astimezone(HELSINKI)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", summary)
    if meeting.location:
        event.add("location", meeting.location)
    elif meeting.video_link:
        event.add("location", meeting.video_link)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    elif with_link:
        event.add("url", meeting_link(meeting))  # the configured site address (TUKIPOLKU_SITE_URL)
    if lines:
        event.add("description", "\n".join(lines))
    event.add("class", "CONFIDENTIAL")
    event.add("transp", "OPAQUE")
    cancelled = method == InvitationMethod.CANCEL
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = meeting.organizer or meeting.recorded_by
    if organizer is not None and organizer.email:
        event.add("organizer", _address(organizer.email, organizer.display_name))
    for a in attendees:
        event.add(
            "attendee",
            _address(
                a.email, a.name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE", cutype="INDIVIDUAL"
            ),
        )
    cal.add_component(event)
    return cal.to_ical()
