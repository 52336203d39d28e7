from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tukipolku.access.choices import AccessGround
from tukipolku.access.log import log_disclosure
from tukipolku.access.policy import CategoryAccess, episode_access, readable_registers
from tukipolku.access.readers import AnyReader, account_of
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


def entry_list_for(*, actor: AnyReader, episode: Episode, view: str) -> EntryListing:
    """Entries of the registers the actor may read, newest first, for an episode already fetched
    through the gate. Registers read on the client's consent or a legal basis get their own access-log
    row, and for partner staff a disclosure-log row."""
    grounds = readable_registers(actor=actor, episode=episode)
    entries = list(entry_queryset_for(episode=episode, registers=list(grounds)))
    entry_registers_log(actor=actor, episode=episode, view=view, registers={e.register for e in entries})
    return EntryListing(entries=entries, grounds=grounds, hidden=[r for r in Register.values if r not in grounds])


def entry_queryset_for(*, episode: Episode, registers: list[str]) -> QuerySet[Entry]:
    """The episode's entries of these registers (the caller asked the policy which), newest first."""
    return (
        Entry.objects.filter(episode=episode, register__in=registers)
        .select_related("author")
        .order_by("-written_at", "-id")
    )


def entry_registers_log(*, actor: AnyReader, episode: Episode, view: str, registers: set[str]) -> None:
    """Log the registers shown that the actor reads on the client's consent or a legal basis (one
    access-log row each; partner staff and system clients also a disclosure-log row). The episode's own
    read is logged by the gate."""
    grounds = readable_registers(actor=actor, episode=episode)
    access = episode_access(actor=actor, episode=episode)
    for register in sorted(registers & set(grounds)):
        ground = grounds[register]
        if ground.basis in (AccessGround.CONSENT, AccessGround.LEGAL_BASIS) and access is not None:
            access_record(
                actor=account_of(actor),
                view=view,
                rows=[(episode.client_id, episode.pk)],
                action=AccessAction.VIEW,
                basis=ground.basis,
                resource=f"entries:{register}",
                flagged=ground.basis == AccessGround.LEGAL_BASIS,
            )
            if access.partner:
                log_disclosure(actor=actor, view=view, episode=episode, access=access, categories=[ground.category])
