"""How referrals plug into cases and the sweep: the caseload's next-action source, the case page
section, history lines, the participation source that lets the recipient organisation's partner staff
read what the consent allows while the referral is open, and the sweep step for overdue referrals."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tukipolku.access.actors import Actor
from tukipolku.access.policy import can_send_referral, can_update_referral_status, episode_access
from tukipolku.audit.choices import EventType
from tukipolku.cases import registry
from tukipolku.cases.choices import AssignmentKind, EpisodeStatus
from tukipolku.cases.models import Assignment, Episode
from tukipolku.cases.presentation import choice_label
from tukipolku.core.dates import format_date
from tukipolku.notifications.choices import NotificationKind
from tukipolku.notifications.findings import Finding
from tukipolku.notifications.services import notify_findings
from tukipolku.privacy.choices import category_labels
from tukipolku.referrals.choices import OPEN_STATUSES, ReferralKind, ReferralStatus
from tukipolku.referrals.models import Referral
from tukipolku.referrals.selectors import referral_list_for_episode
from tukipolku.referrals.services import team_url
from tukipolku.sweep.registry import UnfinishedCheck, register_sweep_step, register_unfinished_check

CHUNK = 2000

# ---------------------------------------------------------------- caseload: the next open item


def _earliest_due() -> Subquery:
    return Subquery(
        Referral.objects.filter(episode=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by("due_on")
        .values("due_on")[:1]
    )


def _earliest_items(episode_ids: list[int]) -> dict[int, registry.NextItem]:
    """The open referral of each episode due first: one row per episode, one query."""
    rows = (
        Referral.objects.filter(episode_id__in=episode_ids, status__in=OPEN_STATUSES)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("episode_id")], order_by=[F("due_on").asc(), F("id").asc()]),
        )
        .filter(rank=1)
        .values("episode_id", "due_on", "kind", "sent_by__first_name", "sent_by__last_name", "sent_by__username")
    )
    return {
        r["episode_id"]: registry.NextItem(
            episode_id=r["episode_id"],
            due_on=r["due_on"],
            title=_("Referral: %(kind)s") % {"kind": choice_label(ReferralKind, r["kind"])},
            owner_name=f"{r['sent_by__first_name']} {r['sent_by__last_name']}".strip() or r["sent_by__username"],
        )
        for r in rows
    }


# ---------------------------------------------------------------- the case page


def _section(actor: Actor, episode: Episode) -> dict[str, Any]:
    access = episode_access(actor=actor, episode=episode)
    partner = access is not None and access.partner
    referrals = referral_list_for_episode(actor=actor, episode=episode, partner=partner)
    today = timezone.localdate()
    return {
        "rows": [
            {
                "referral": r,
                "overdue": r.is_overdue(today),
                "can_update": not partner and can_update_referral_status(actor=actor, referral=r),
            }
            for r in referrals
        ],
        "partner": partner,
        "can_send": not partner and can_send_referral(actor=actor, episode=episode),
    }


# ---------------------------------------------------------------- participation (the access gate)


def _participating(user: Any) -> Any:
    """Open referrals sent to the user's organisation make its partner staff participants of the
    episode: the gate then shows them what the client's consents allow for their organisation. A
    referral addressed to a named person makes only that person a participant."""
    if not getattr(user, "organisation_id", None):
        return Referral.objects.none().values("episode_id")
    return Referral.objects.filter(
        Q(recipient_user__isnull=True) | Q(recipient_user_id=user.pk),
        recipient_organisation_id=user.organisation_id,
        status__in=OPEN_STATUSES,
    ).values("episode_id")


# ---------------------------------------------------------------- the sweep: overdue referrals


def overdue_referrals(today: datetime.date) -> Iterator[Finding]:
    """Open referrals past their due date (due today is not yet overdue) in open episodes → the sender
    and the episode's contact person. A new due date would make a new finding."""
    rows = (
        Referral.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today, episode__status=EpisodeStatus.OPEN)
        .values_list("pk", "episode_id", "due_on", "sent_by_id")
        .order_by("episode_id", "pk")
    )
    batch: list[tuple[int, int, datetime.date, int]] = []

    def flush() -> Iterator[Finding]:
        contacts: dict[int, set[int]] = defaultdict(set)
        for episode_id, user_id in Assignment.objects.filter(
            episode_id__in={b[1] for b in batch}, kind=AssignmentKind.CONTACT_PERSON, ended_at__isnull=True
        ).values_list("episode_id", "user_id"):
            contacts[episode_id].add(user_id)
        for pk, episode_id, due_on, sender_id in batch:
            for recipient in sorted({sender_id} | contacts.get(episode_id, set())):
                yield Finding(
                    kind=NotificationKind.REFERRAL_OVERDUE,
                    key=f"referral_overdue:{pk}:{due_on.isoformat()}",
                    recipient_id=recipient,
                    episode_id=episode_id,
                    object_id=pk,
                    due_on=due_on,
                    url=team_url_for(episode_id, pk),
                )

    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def team_url_for(episode_id: int, referral_id: int) -> str:
    return team_url(referral=Referral(pk=referral_id, episode_id=episode_id))


def step_overdue_referrals(today: datetime.date) -> int:
    return notify_findings(findings=overdue_referrals(today))


def _overdue_details(ids: Sequence[int], today: datetime.date) -> dict[int, str]:
    rows = (
        Referral.objects.filter(episode_id__in=ids, status__in=OPEN_STATUSES, due_on__lt=today)
        .values("episode_id")
        .annotate(n=Count("pk"), oldest=Min("due_on"))
        .order_by()
    )
    return {
        r["episode_id"]: ngettext("%(n)d overdue, due %(date)s", "%(n)d overdue, the oldest due %(date)s", r["n"])
        % {"n": r["n"], "date": format_date(r["oldest"])}
        for r in rows
    }


OVERDUE_REFERRALS_CHECK = UnfinishedCheck(
    label=gettext_lazy("Overdue referrals"),
    episodes_q=lambda today: Q(
        pk__in=Referral.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).values("episode_id")
    ),
    details=_overdue_details,
    order=35,
)


# ---------------------------------------------------------------- history lines


def _describe_sent(p: dict[str, Any]) -> str:
    text = _("%(kind)s → %(recipient)s, due %(due)s.") % {
        "kind": choice_label(ReferralKind, p.get("kind")),
        "recipient": p.get("recipient", ""),
        "due": format_date(p.get("due_on")),
    }
    if p.get("categories"):
        text += " " + _("Sent: %(categories)s.") % {"categories": ", ".join(category_labels(p["categories"]))}
    return text


def _describe_status(p: dict[str, Any]) -> str:
    text = _("%(kind)s: %(from)s → %(status)s") % {
        "kind": choice_label(ReferralKind, p.get("kind")),
        "from": choice_label(ReferralStatus, p.get("from")),
        "status": choice_label(ReferralStatus, p.get("status")),
    }
    if p.get("on_behalf"):
        text += " " + _("(recorded by the team)")
    return text


def register() -> None:
    registry.register_next_action_source(
        "referrals", registry.NextActionSource(earliest_due=_earliest_due, earliest_items=_earliest_items)
    )
    # Partners see only referrals to their own organisation; the section filters its own content.
    registry.register_case_section(
        "referrals",
        registry.CaseSection(order=25, template="referrals/_case_section.html", context=_section, category=None),
    )
    registry.register_event_describer(EventType.REFERRAL_SENT, _describe_sent)
    registry.register_event_describer(EventType.REFERRAL_STATUS_CHANGED, _describe_status)
    registry.register_participation_source("referrals", _participating)
    register_sweep_step("referrals", step_overdue_referrals)
    register_unfinished_check("overdue_referrals", OVERDUE_REFERRALS_CHECK)
