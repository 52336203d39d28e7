"""Demo meetings: a few upcoming meetings of the demo nurse's team with partner participants.

Scheduled through the real service (meetings/services/), so they have invitations, notifications
for the invited users and events in the case history. Partners are invited only to clients whose
consents let their organisation see the shared plan, so `employment` and `kela` can open them. The
demo marks the invitations sent (loading the demo sends no e-mail); a meeting scheduled in the app
sends its invitations through the worker as usual. Synthetic and deterministic (ordered by id).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from tukipolku.access import consent as privacy
from tukipolku.cases.choices import EpisodeStatus
from tukipolku.cases.models import Episode
from tukipolku.core.models import TeamMembership, User
from tukipolku.meetings import services
from tukipolku.meetings.choices import InvitationStatus, MeetingKind
from tukipolku.meetings.models import Invitation, Meeting
from tukipolku.meetings.selectors import agenda_from_step
from tukipolku.privacy.choices import DataCategory

HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class _Plan:
    partner: str  # demo login
    kind: str
    days_ahead: int
    hour: int
    location: str
    video_link: str = ""
    outside: tuple[tuple[str, str, str], ...] = ()
    client: bool = False


PLANS = (
    _Plan("employment", MeetingKind.JOINT, 2, 9, "Sote-keskus, neuvotteluhuone 2", client=True),
    _Plan(
        "employment",
        MeetingKind.NETWORK,
        6,
        13,
        "",
        video_link="https://video.example/tukipolku-verkosto",
        outside=(("Pekka Työnantaja", "Rakennus Oy Esimerkki", "pekka.tyonantaja@esimerkki.example"),),
    ),
    _Plan("kela", MeetingKind.NETWORK, 9, 10, "Kelan toimisto, neuvotteluhuone Aalto", client=True),
    _Plan(
        "employment",
        MeetingKind.JOINT,
        14,
        14,
        "Sote-keskus, huone 114",
        outside=(("Anna Opinto-ohjaaja", "Satakunnan ammattiopisto", "anna.ohjaaja@oppilaitos.example"),),
        client=True,
    ),
)


def _shared_with(user: User, episodes: list[Episode]) -> list[Episode]:
    """Episodes whose client's consents let the user's organisation see the shared plan."""
    consents = privacy.consents_by_client(client_ids=[e.client_id for e in episodes])
    grants = privacy.grants_by_client(grantee=user, client_ids=[e.client_id for e in episodes])
    return [
        e
        for e in episodes
        if DataCategory.SHARED_PLAN
        in privacy.permits(
            categories=[DataCategory.SHARED_PLAN],
            recipient=user.organisation,
            consents=consents.get(e.client_id, []),
            grants=grants.get(e.client_id, []),
        )
    ]


def build_meetings_demo(*, users: dict[str, User], now: datetime.datetime | None = None) -> list[Meeting]:
    """Schedule the demo's upcoming meetings; returns them (none when no suitable client is found)."""
    now = now or timezone.now()
    nurse, physician = users["nurse"], users["physician"]
    team_id = TeamMembership.objects.filter(user=nurse).values_list("team_id", flat=True).first()
    if team_id is None:
        return []
    episodes = list(
        Episode.objects.filter(
            team_id=team_id,
            status=EpisodeStatus.OPEN,
            members__user=nurse,
            members__removed_at__isnull=True,
        )
        .select_related("client", "current_step", "team__organisation")
        .order_by("pk")
        .distinct()[:400]
    )
    used: set[int] = set()
    meetings: list[Meeting] = []
    for plan in PLANS:
        partner = users.get(plan.partner)
        if partner is None:
            continue
        candidates = [e for e in _shared_with(partner, episodes) if e.pk not in used]
        if plan.client:
            candidates = [e for e in candidates if e.client.email] or candidates
        if not candidates:
            continue
        episode = candidates[0]
        used.add(episode.pk)
        day = timezone.localtime(now, HELSINKI).date() + datetime.timedelta(days=plan.days_ahead)
        starts = datetime.datetime(day.year, day.month, day.day, plan.hour, tzinfo=HELSINKI)
        meeting = services.meeting_schedule(
            actor=nurse,
            episode=episode,
            data=services.MeetingInput(
                kind=plan.kind,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                location=plan.location,
                video_link=plan.video_link,
                agenda=agenda_from_step(episode=episode),
                users=[nurse, physician, partner],
                outside=[services.OutsideParticipant(n, o, e) for n, o, e in plan.outside],
                client_takes_part=plan.client or plan.kind == MeetingKind.JOINT,
                invite_client=bool(plan.client and episode.client.email),
            ),
        )
        meetings.append(meeting)
    Invitation.objects.filter(meeting__in=meetings, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.SENT, sent_at=now
    )
    return meetings
