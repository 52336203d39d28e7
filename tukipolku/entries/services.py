from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor, signed_in
from tukipolku.access.policy import can_change_episode, writable_registers
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.cases.models import Episode
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.permissions import HEALTH_PROFESSIONS, SOCIAL_PROFESSIONS
from tukipolku.entries.choices import Register
from tukipolku.entries.models import Entry


def default_register_for(*, user: Any) -> str:
    """A new entry goes to the author's own register unless they choose the shared one."""
    if user.profession in HEALTH_PROFESSIONS:
        return Register.HEALTH
    if user.profession in SOCIAL_PROFESSIONS:
        return Register.SOCIAL
    return Register.SHARED


@transaction.atomic
def entry_write(*, actor: Actor, episode: Episode, register: str, text: str, ehr_reference: str = "") -> Entry:
    """Write a short entry on the episode in the chosen register."""
    actor = signed_in(actor)  # a signed-in user from here on
    if not can_change_episode(actor=actor, episode=episode):
        raise ApplicationError(_("This client relationship cannot be changed."))
    if register not in Register.values:
        raise ApplicationError(_("Choose the register."), field="register")
    if register not in writable_registers(actor=actor, episode=episode):
        raise ApplicationError(_("Your profession does not write to this register."), field="register")
    if not text.strip():
        raise ApplicationError(_("Write the entry."), field="text")
    entry = Entry.objects.create(
        episode=episode, register=register, text=text.strip(), ehr_reference=ehr_reference.strip(), author=actor
    )
    event_record(
        actor=actor,
        verb=EventType.ENTRY_WRITTEN,
        client_id=episode.client_id,
        episode_id=episode.pk,
        target=entry,
        payload={"register": register},
    )
    return entry
