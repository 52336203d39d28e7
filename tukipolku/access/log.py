"""Fetch and check together, and log both outcomes: the helpers every read of client data goes through.

* `episode_get_for` fetches one episode, asks the policy, and either logs the read (access log; for
  partner staff also the disclosure log) or logs the refusal and answers 404 (403 for a read-only
  reader on a change page).
* `refuse_other_object`: an object id asked for under an episode the reader may see, but the object
  belongs elsewhere: logged against the client it belongs to, 404.
* `log_list` writes one access-log row per client a list shows (`log_listed`: for any kind of
  reader, with each episode's own ground and the disclosure rows); `log_episode_read` and
  `log_disclosure` are the single-read writers the case page and the partner list share.
* `log_rows` and `refuse_row` do the same for the client data that lives before an episode (a
  notification of need, a handover): one row per client shown, or the refusal and 404 (403).
* `refuse` answers 403 to a view's capability check, with the refusal in the same log.

The rows are written by `audit.AccessLogMiddleware` after the view (ADR 8); the grounds are
`choices.AccessGround` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn, Protocol

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from tukipolku.access.choices import AccessGround
from tukipolku.access.policy import EpisodeAccess, episode_access
from tukipolku.access.readers import AnyReader, account_of
from tukipolku.audit.choices import AccessAction, AccessOutcome
from tukipolku.audit.services import access_denied, access_record, disclosure_record
from tukipolku.cases.models import Episode
from tukipolku.privacy.choices import DataCategory


class ClientRow(Protocol):
    """A row that names a client (and maybe their episode): a notification of need, a handover."""

    @property
    def client_id(self) -> int: ...

    @property
    def episode_id(self) -> int | None: ...


def log_rows(
    *, actor: AnyReader, view: str, items: Sequence[ClientRow], basis: str, action: str, resource: str
) -> None:
    """One access-log row per client the rows name (a list, or one object read on `basis`)."""
    access_record(
        actor=account_of(actor),
        view=view,
        rows=[(item.client_id, item.episode_id) for item in items],
        action=action,
        basis=basis,
        resource=resource,
    )


def refuse_row(
    *, actor: AnyReader, view: str, item: ClientRow | None, reason: str, resource: str, forbidden: bool = False
) -> NoReturn:
    """Log a refused read of a row (against its client; `not_found` when there is none), then 404, or
    403 when `forbidden` (the reader sees the row but not this page of it)."""
    access_denied(
        actor=account_of(actor),
        view=view,
        client_id=item.client_id if item is not None else None,
        episode_id=item.episode_id if item is not None else None,
        reason="not_found" if item is None else reason,
        resource=resource,
    )
    if forbidden:
        raise PermissionDenied
    raise Http404


def log_list(
    *,
    actor: AnyReader,
    view: str,
    episodes: Sequence[Episode],
    action: str = AccessAction.LIST,
    basis: str = AccessGround.TEAM,
) -> None:
    """One access-log row per client a list (caseload, board, search) shows."""
    access_record(
        actor=account_of(actor),
        view=view,
        rows=[(e.client_id, e.pk) for e in episodes],
        action=action,
        basis=basis,
    )


def log_listed(
    *,
    actor: AnyReader,
    view: str,
    episodes: Sequence[Episode],
    refused: Sequence[Episode] = (),
    action: str = AccessAction.LIST,
    resource: str = "list",
) -> None:
    """A list (of the API, say) that shows these episodes, or their clients, to any kind of reader: one
    access-log row per episode on the ground the policy gives it, and for partner staff and system
    clients a disclosure row for the shared plan (or the first category they read). `refused`: the
    candidates read to decide (`policy.episode_candidate_q`) that the policy refused, logged as such."""
    by_ground: dict[str, list[Episode]] = {}
    for episode in episodes:
        access = episode_access(actor=actor, episode=episode)
        if access is None:
            continue
        by_ground.setdefault(access.basis, []).append(episode)
        if access.partner:
            shown = (
                [str(DataCategory.SHARED_PLAN)]
                if access.reads(DataCategory.SHARED_PLAN)
                else list(access.categories)[:1]
            )
            log_disclosure(actor=actor, view=view, episode=episode, access=access, categories=shown)
    for ground, rows in by_ground.items():
        log_list(actor=actor, view=view, episodes=rows, action=action, basis=ground)
    if refused:
        access_record(
            actor=account_of(actor),
            view=view,
            rows=[(e.client_id, e.pk) for e in refused],
            action=action,
            basis=AccessGround.NONE,
            outcome=AccessOutcome.DENIED,
            reason="no_consent",
            resource=resource,
        )


def episode_get_for(
    *,
    actor: AnyReader,
    episode_id: int,
    view: str,
    require: str | None = DataCategory.SHARED_PLAN,
    for_change: bool = False,
    open_only: bool = False,
) -> Episode:
    """Fetch one episode the actor may see and log the read; a refusal is logged too.

    `require` is the data category the page shows (None: the page shows what the actor may read of
    every category, like the case page). Missing and forbidden look the same (404). `for_change`: the
    page changes the episode, so readers who may only read (emergency access) are refused with 403.
    `open_only`: the page changes what only an open episode accepts (a meeting, a referral): on a
    closed episode it answers 404 and the refusal is logged as one (reason `closed`), never as a read.
    """
    episode = (
        Episode.objects.select_related(
            "client",
            "team",
            "team__organisation",
            "team__organisation__parent",
            "pathway_version",
            "pathway_version__pathway",
            "current_step",
        )
        .filter(pk=episode_id)
        .first()
    )
    access = episode_access(actor=actor, episode=episode) if episode is not None else None
    resource = require or "case"
    if episode is None or access is None or not access.reads(require):
        reason = "not_found" if episode is None else ("no_relationship" if access is None else "no_consent")
        _refuse(actor, view, episode, reason, resource)
        raise Http404
    if for_change and not access.can_change:
        _refuse(actor, view, episode, "read_only", resource)
        raise PermissionDenied
    if open_only and not episode.is_open:
        _refuse(actor, view, episode, "closed", resource)
        raise Http404
    log_episode_read(actor=actor, view=view, episode=episode, access=access, categories=[require] if require else None)
    return episode


def _refuse(actor: AnyReader, view: str, episode: Episode | None, reason: str, resource: str) -> None:
    access_denied(
        actor=account_of(actor),
        view=view,
        client_id=episode.client_id if episode is not None else None,
        episode_id=episode.pk if episode is not None else None,
        reason=reason,
        resource=resource,
    )


def refuse_other_object(
    *, actor: AnyReader, view: str, owner: tuple[int, int | None] | None, resource: str
) -> NoReturn:
    """An object id asked for through an episode the actor may see, but the object belongs to another
    episode (or does not exist): log the refusal against the client it belongs to, then 404.

    `owner` is the object's (client id, episode id), looked up by the caller without the scope."""
    access_denied(
        actor=account_of(actor),
        view=view,
        client_id=owner[0] if owner else None,
        episode_id=owner[1] if owner else None,
        reason="other_episode" if owner else "not_found",
        resource=resource,
    )
    raise Http404


def log_episode_read(
    *, actor: AnyReader, view: str, episode: Episode, access: EpisodeAccess, categories: list[str] | None = None
) -> None:
    """Access-log row for one episode read; for partner staff also a disclosure-log row per ground."""
    shown = categories if categories is not None else list(access.categories)
    access_record(
        actor=account_of(actor),
        view=view,
        rows=[(episode.client_id, episode.pk)],
        action=AccessAction.VIEW,
        basis=access.basis,
        resource=",".join(shown) if categories is not None else "case",
        flagged=access.flagged,
        reason=access.emergency_reason,
    )
    if access.partner:
        log_disclosure(actor=actor, view=view, episode=episode, access=access, categories=shown)


def log_disclosure(
    *, actor: AnyReader, view: str, episode: Episode, access: EpisodeAccess, categories: list[str]
) -> None:
    """Data shown to partner staff is disclosed to their organisation: one row per consent or grant."""
    grounds: dict[tuple[int | None, int | None], list[str]] = {}
    for category in categories:
        ground = access.categories.get(category)
        if ground is not None:
            grounds.setdefault((ground.consent_id, ground.grant_id), []).append(category)
    account = account_of(actor)
    for (consent_id, grant_id), cats in grounds.items():
        disclosure_record(
            actor=account,
            client_id=episode.client_id,
            episode_id=episode.pk,
            controller_organisation_id=episode.team.organisation_id,
            recipient_organisation_id=getattr(account, "organisation_id", None),
            recipient_user_id=account.pk if account is not None else None,
            categories=cats,
            view=view,
            basis=AccessGround.CONSENT if consent_id is not None else AccessGround.LEGAL_BASIS,
            consent_id=consent_id,
            grant_id=grant_id,
        )


def refuse(
    request: HttpRequest,
    *,
    reason: str = "role",
    resource: str = "page",
    client_id: int | None = None,
    episode_id: int | None = None,
) -> NoReturn:
    """403, with the refusal in the access log like the policy's (ASVS 16.3.2). The request comes
    first and positionally: views call it as `refuse(request, …)` like Django's shortcuts."""
    match = request.resolver_match
    access_denied(
        actor=request.user,
        view=match.view_name if match is not None else "",
        client_id=client_id,
        episode_id=episode_id,
        reason=reason,
        resource=resource,
    )
    raise PermissionDenied


def log_export(
    *,
    actor: AnyReader,
    view: str,
    reads: Sequence[tuple[Episode, EpisodeAccess]],
    categories: list[str],
    refused: Sequence[Episode] = (),
) -> None:
    """A bulk export wrote these clients' data: one access-log row (action `export`) per relationship
    and, for a reader outside the controller (partner staff, a system client), the disclosure rows of
    each. `refused`: candidates read to decide (`policy.episode_candidate_q`) that the policy refused,
    logged as refusals like a list's (`log_listed`). Inside a job's `audit.services.access_scope` the
    rows are written together when the scope flushes (one insert per log for a whole chunk, the hash
    chain kept)."""
    groups: dict[tuple[str, bool, str], list[tuple[int, int]]] = {}
    for episode, access in reads:
        key = (access.basis, access.flagged, access.emergency_reason)
        groups.setdefault(key, []).append((episode.client_id, episode.pk))
    account = account_of(actor)
    resource = ",".join(categories)
    for (basis, flagged, reason), rows in groups.items():
        access_record(
            actor=account,
            view=view,
            rows=rows,
            action=AccessAction.EXPORT,
            basis=basis,
            resource=resource,
            flagged=flagged,
            reason=reason,
        )
    for episode, access in reads:
        if access.partner:
            log_disclosure(actor=actor, view=view, episode=episode, access=access, categories=categories)
    if refused:
        access_record(
            actor=account,
            view=view,
            rows=[(e.client_id, e.pk) for e in refused],
            action=AccessAction.EXPORT,
            basis=AccessGround.NONE,
            outcome=AccessOutcome.DENIED,
            reason="no_consent",
            resource=resource,
        )
