from __future__ import annotations

from dataclasses import dataclass

from tukipolku.access.actors import Actor
from tukipolku.access.choices import AccessGround
from tukipolku.access.log import log_disclosure
from tukipolku.access.policy import CategoryAccess, episode_access, readable_registers
from tukipolku.audit.choices import AccessAction
from tukipolku.audit.services import access_record
from tukipolku.cases.models import Episode
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry


@dataclass
class EntryListing:
    entries: list[Entry]
    # register → the ground on which it is shown (own register, team, consent, legal basis)
    grounds: dict[str, CategoryAccess]
    hidden: list[str]  # registers the reader may not read on this episode


def entry_list_for(*, actor: Actor, episode: Episode, view: str) -> EntryListing:
    """Entries of the registers the actor may read, newest first, for an episode already fetched
    through the gate. Registers read on the client's consent or a legal basis get their own access-log
    row, and for partner staff a disclosure-log row."""
    grounds = readable_registers(actor=actor, episode=episode)
    entries = list(
        Entry.objects.filter(episode=episode, register__in=list(grounds))
        .select_related("author")
        .order_by("-written_at", "-id")
    )
    access = episode_access(actor=actor, episode=episode)
    shown = {e.register for e in entries}
    for register in sorted(shown):
        ground = grounds[register]
        if ground.basis in (AccessGround.CONSENT, AccessGround.LEGAL_BASIS) and access is not None:
            access_record(
                actor=actor,
                view=view,
                rows=[(episode.client_id, episode.pk)],
                action=AccessAction.VIEW,
                basis=ground.basis,
                resource=f"entries:{register}",
                flagged=ground.basis == AccessGround.LEGAL_BASIS,
            )
            if access.partner:
                log_disclosure(actor=actor, view=view, episode=episode, access=access, categories=[ground.category])
    return EntryListing(entries=entries, grounds=grounds, hidden=[r for r in Register.values if r not in grounds])
