"""Reads of escorted handovers. Every handover shown is written to the access log; every refusal too.

A handover is client data before the client has an episode: the sending side and the receiving
team's active members see it (`permissions.py`); anyone else gets a 404 that is logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from tukipolku.access.actors import Actor
from tukipolku.access.choices import AccessGround
from tukipolku.access.log import log_rows, refuse_row
from tukipolku.access.policy import active_team_ids, can_send_handovers, handover_basis, handover_on_side
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.models import AuditEvent
from tukipolku.cases.presentation import describe_event
from tukipolku.handovers.choices import HandoverStatus
from tukipolku.handovers.models import Handover
from tukipolku.handovers.services import days_waited

LIST_LIMIT = 100
RESOURCE = "handover"

_RELATED = (
    "team",
    "team__organisation",
    "opened_by",
    "opened_by__organisation",
    "sending_contact",
    "receiving_nurse",
    "accepted_by",
)


def _qs() -> QuerySet[Handover]:
    return Handover.objects.select_related(*_RELATED)


def handover_get_for(*, actor: Actor, handover_id: int, view: str, side: str | None = None) -> Handover:
    """One handover the actor may see, its read logged. Missing and forbidden look the same (404).

    `side` (`AccessGround.HANDOVER_SENDER` or `AccessGround.HANDOVER_RECEIVING_TEAM`): the page is for
    that side only. The other side sees the handover but gets 403 here, logged as a refusal, and no
    read is logged (nothing is shown).
    """
    handover = _qs().select_related("client").filter(pk=handover_id).first()
    basis = handover_basis(actor=actor, handover=handover) if handover is not None else None
    if handover is None or basis is None:
        refuse_row(actor=actor, view=view, item=handover, reason="no_relationship", resource=RESOURCE)
    if side is not None and not handover_on_side(actor=actor, handover=handover, side=side):
        refuse_row(actor=actor, view=view, item=handover, reason="role", resource=RESOURCE, forbidden=True)
    log_rows(actor=actor, view=view, items=[handover], basis=basis, action=AccessAction.VIEW, resource=RESOURCE)
    return handover


@dataclass
class HandoverRow:
    handover: Handover
    days_waited: int

    @property
    def escalated(self) -> bool:
        return self.handover.escalated_at is not None and self.handover.is_open


def _rows(handovers: list[Handover]) -> list[HandoverRow]:
    today = timezone.localdate()
    return [HandoverRow(h, days_waited(handover=h, today=today)) for h in handovers]


def handover_list_sent(*, actor: Actor, view: str = "handovers:list") -> list[HandoverRow]:
    """The sending side's handovers (opened by the actor or naming them the sending contact person):
    open ones first, then the newest accepted ones."""
    if not can_send_handovers(actor):
        return []
    handovers = list(
        _qs()
        .filter(Q(opened_by=actor) | Q(sending_contact=actor))
        .order_by("-status", "-opened_at", "-pk")[:LIST_LIMIT]  # descending status: "open" first
    )
    log_rows(
        actor=actor,
        view=view,
        items=handovers,
        basis=AccessGround.HANDOVER_SENDER,
        action=AccessAction.LIST,
        resource=RESOURCE,
    )
    return _rows(handovers)


def handover_list_incoming(
    *, actor: Actor, view: str = "handovers:list"
) -> tuple[list[HandoverRow], list[HandoverRow]]:
    """Handovers to the actor's teams: those waiting for acceptance (oldest first: the longest wait on
    top) and the newest accepted ones."""
    teams = active_team_ids(actor)
    if not teams:
        return [], []
    waiting = list(_qs().filter(team_id__in=teams, status=HandoverStatus.OPEN).order_by("opened_at", "pk")[:LIST_LIMIT])
    accepted = list(
        _qs()
        .filter(team_id__in=teams, status=HandoverStatus.ACCEPTED)
        .order_by("-accepted_at", "-pk")[: LIST_LIMIT // 4]
    )
    log_rows(
        actor=actor,
        view=view,
        items=[*waiting, *accepted],
        basis=AccessGround.HANDOVER_RECEIVING_TEAM,
        action=AccessAction.LIST,
        resource=RESOURCE,
    )
    return _rows(waiting), _rows(accepted)


def handover_for_episode(*, episode_id: int) -> list[Handover]:
    """The handovers accepted into an episode, for its case page (the caller has passed the gate)."""
    return list(_qs().filter(episode_id=episode_id).order_by("-accepted_at", "-pk"))


def handover_history(*, handover: Handover) -> list[tuple[AuditEvent, str]]:
    """The handover's own events with their lines, oldest first (the caller has fetched it through
    `handover_get_for`)."""
    events = (
        AuditEvent.objects.filter(
            client_id=handover.client_id, target_type=Handover._meta.label_lower, target_id=handover.pk
        )
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    return [(e, describe_event(e)) for e in events]


def handover_queryset_for(*, actor: Actor) -> QuerySet[Handover]:
    """Every handover the actor may see, on either side (the sending side's own, the actor's teams'),
    newest first: for a paged list, which logs the rows it shows with `handover_rows_log`."""
    q = Q(team_id__in=active_team_ids(actor))
    if can_send_handovers(actor):
        q |= Q(opened_by=actor) | Q(sending_contact=actor)
    return _qs().filter(q).order_by("-opened_at", "-pk")


def handover_rows_log(*, actor: Actor, view: str, handovers: list[Handover]) -> None:
    """One access-log row per handover listed, with the side the actor sees it on."""
    by_basis: dict[str, list[Handover]] = {}
    for h in handovers:
        basis = handover_basis(actor=actor, handover=h)
        if basis is not None:
            by_basis.setdefault(basis, []).append(h)
    for basis, items in by_basis.items():
        log_rows(actor=actor, view=view, items=items, basis=basis, action=AccessAction.LIST, resource=RESOURCE)
