"""Reads of the FHIR facade, every one through `tukipolku.access` and logged like a page.

* A read (`resource_get_for`) finds the object's client relationship, asks the policy for the
  episode and the data category of the type, and writes the access-log row (for partner staff and
  system clients also the disclosure row), or the refusal and 404: a hidden client and a missing one
  answer the same.
* A search (`resource_search_for`) keeps only objects of episodes the policy shows the reader
  (`episode_visible_q`), checks each shown one again for the type's data category, and logs every
  client shown (`log_listed`: the access-log rows and the disclosures).
* Types without client data (Practitioner, PractitionerRole, Organization) are bounded by the
  reader's welfare region and not logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from tukipolku.access.log import episode_get_for, log_listed, refuse_other_object
from tukipolku.access.policy import EpisodeAccess, episode_access, episode_visible_q
from tukipolku.access.readers import AnyReader, ReaderKind, SystemReader, account_of, reader_kind
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.services import access_denied
from tukipolku.cases.models import Episode
from tukipolku.core.models import Organisation, User
from tukipolku.fhir.kinds import KINDS, REGION_LOOKUP, Kind
from tukipolku.fhir.search import pk_of

_EPISODE_FETCH = ("client", "team", "team__organisation", "team__organisation__parent")


@dataclass
class Found:
    """What a search found: the objects to show (in order) and whether more rows follow."""

    objects: list[Model]
    more: bool


def region_of(*, reader: AnyReader) -> int | None:
    """The welfare region a reader reads in: a user's organisation's, a system client's organisation's."""
    if isinstance(reader, SystemReader):
        return Organisation.objects.filter(pk=reader.organisation_id).values_list("region_id", flat=True).first()
    if isinstance(reader, User):
        return reader.region_id
    return None


def _readable(kind: Kind, access: EpisodeAccess | None) -> bool:
    return access is not None and access.reads(kind.require) and (kind.partners or not access.partner)


def _refuse(reader: AnyReader, view: str, kind: Kind, client_id: int, episode_id: int | None, reason: str) -> None:
    access_denied(
        actor=account_of(reader),
        view=view,
        client_id=client_id,
        episode_id=episode_id,
        reason=reason,
        resource=kind.require,
    )
    raise Http404


def _client_episodes(
    reader: AnyReader, kind: Kind, client_ids: Iterable[int]
) -> dict[int, tuple[Episode, EpisodeAccess]]:
    """For each client, an episode that opens this type to the reader (the newest first); one query."""
    chosen: dict[int, tuple[Episode, EpisodeAccess]] = {}
    episodes = (
        Episode.objects.select_related(*_EPISODE_FETCH).filter(client_id__in=set(client_ids)).order_by("-opened_at")
    )
    for episode in episodes:
        if episode.client_id in chosen:
            continue
        access = episode_access(actor=reader, episode=episode)
        if access is not None and _readable(kind, access):
            chosen[episode.client_id] = (episode, access)
    return chosen


def resource_get_for(*, reader: AnyReader, kind: Kind, raw_id: str, view: str) -> Model:
    """One resource the reader may read, logged; 404 (with the refusal logged) otherwise."""
    pk = pk_of(raw_id, prefix=kind.prefix)
    if not kind.client_data:
        queryset = kind.queryset()
        region = REGION_LOOKUP.get(kind.name)
        if region is not None:
            queryset = queryset.filter(**{region: region_of(reader=reader)})
        found = queryset.filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise Http404
        return found
    if pk is None:
        refuse_other_object(actor=reader, view=view, owner=None, resource=kind.require)
    if kind.episode is not None:
        owner = kind.queryset().filter(pk=pk).values_list(kind.episode, flat=True).first()
        if owner is None:
            refuse_other_object(actor=reader, view=view, owner=None, resource=kind.require)
        episode_get_for(actor=reader, episode_id=owner, view=view, require=kind.require)
        found = kind.queryset().filter(pk=pk).first()
        if found is None:  # deleted meanwhile
            raise Http404
        return found
    client_id = kind.queryset().filter(pk=pk).values_list(kind.client or "pk", flat=True).first()
    if client_id is None:
        refuse_other_object(actor=reader, view=view, owner=None, resource=kind.require)
    chosen = _client_episodes(reader, kind, [client_id]).get(client_id)
    if chosen is None:
        _refuse(reader, view, kind, client_id, None, "no_relationship")
        raise Http404  # pragma: no cover - _refuse raises
    episode, _access = chosen
    log_listed(actor=reader, view=view, episodes=[episode], action=AccessAction.VIEW, resource=kind.require)
    found = kind.queryset().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _visible(reader: AnyReader, kind: Kind, queryset: QuerySet[Any]) -> QuerySet[Any]:
    visible = Episode.objects.filter(episode_visible_q(reader))
    if kind.episode is not None:
        return queryset.filter(**{f"{kind.episode}__in": visible.values("pk")})
    if kind.client is not None:
        return queryset.filter(Exists(visible.filter(client_id=OuterRef(kind.client))))
    region = REGION_LOOKUP.get(kind.name)
    return queryset.filter(**{region: region_of(reader=reader)}) if region is not None else queryset


def resource_search_for(*, reader: AnyReader, kind: Kind, filters: Q, count: int, offset: int, view: str) -> Found:
    """One page of a search: the objects the reader may read, in id order, logged."""
    if not kind.partners and reader_kind(reader) in (ReaderKind.PARTNER, ReaderKind.SYSTEM):
        return Found([], more=False)  # a type partners and systems never read: nothing is read
    queryset = _visible(reader, kind, kind.queryset().filter(filters)).order_by("pk")
    rows = list(queryset[offset : offset + count])
    # Whether a next page exists, without reading (and so having to log) its first client.
    more = queryset[offset + count :].exists()
    if not kind.client_data:
        return Found(rows, more)
    shown: list[Model] = []
    episodes: dict[int, Episode] = {}
    if kind.episode is not None:
        ids = {_path(row, kind.episode) for row in rows}
        by_id = {e.pk: e for e in Episode.objects.select_related(*_EPISODE_FETCH).filter(pk__in=ids)}
        for row in rows:
            episode = by_id.get(_path(row, kind.episode))
            if episode is not None and _readable(kind, episode_access(actor=reader, episode=episode)):
                shown.append(row)
                episodes[episode.pk] = episode
    else:
        lookup = kind.client or "pk"
        chosen = _client_episodes(reader, kind, [_path(row, lookup) for row in rows])
        for row in rows:
            found = chosen.get(_path(row, lookup))
            if found is not None:
                shown.append(row)
                episodes[found[0].pk] = found[0]
    if episodes:
        log_listed(
            actor=reader, view=view, episodes=list(episodes.values()), action=AccessAction.SEARCH, resource=kind.require
        )
    return Found(shown, more)


def _path(obj: Any, lookup: str) -> Any:
    """`plan__episode_id` → obj.plan.episode_id."""
    for part in lookup.split("__"):
        obj = getattr(obj, part)
    return obj


def fetch_included(*, kind_name: str, ids: Iterable[int], reader: AnyReader) -> list[Model]:
    """Resources named by an `_include` of results already read and logged: the client of those
    episodes, their goals, and the professionals and organisations of the reader's region."""
    kind = KINDS[kind_name]
    queryset = kind.queryset().filter(pk__in=set(ids))
    region = REGION_LOOKUP.get(kind.name)
    if region is not None:
        queryset = queryset.filter(**{region: region_of(reader=reader)})
    return list(queryset.order_by("pk"))
