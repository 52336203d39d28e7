"""State changes of clients. The caller (cases) has checked that the actor works with clients."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tukipolku.access.actors import Actor, signed_in
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.clients import identity
from tukipolku.clients.constants import ADDRESS_FIELDS, EDITABLE_FIELDS
from tukipolku.clients.models import Client, ClientChange
from tukipolku.core.exceptions import ApplicationError, ConflictError


class DuplicateClientError(ApplicationError):
    """A client with this identity code exists already; `existing` is offered instead."""

    def __init__(self, existing: Client) -> None:
        super().__init__(_("A client with this identity code already exists."), field="identity_code")
        self.existing = existing


@transaction.atomic
def client_create(
    *,
    actor: Actor,
    identity_code: str,
    first_names: str,
    last_name: str,
    language: str = "fi",
    phone: str = "",
    email: str = "",
    municipality: str = "",
    employment_status: str = "unknown",
) -> Client:
    """Create a client. Raises DuplicateClientError when the identity code is taken."""
    code = identity.normalize(identity_code)
    if not identity.is_valid(code):
        raise ApplicationError(_("Enter a valid Finnish personal identity code."), field="identity_code")
    existing = Client.objects.filter(identity_code=code).first()
    if existing is not None:
        raise DuplicateClientError(existing)
    client = Client.objects.create(
        identity_code=code,
        first_names=first_names.strip(),
        last_name=last_name.strip(),
        birth_date=identity.birth_date(code),
        language=language,
        phone=phone.strip(),
        email=email.strip(),
        municipality=municipality.strip(),
        employment_status=employment_status,
    )
    event_record(actor=actor, verb=EventType.CLIENT_CREATED, client_id=client.pk, target=client)
    return client


class StaleClientError(ConflictError):
    """Someone else saved the client's details after this form was opened."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed the client's details while you were editing. Nothing was saved. "
                "What you typed is kept; the saved details are listed above the form. Save again to replace them."
            )
        )


@transaction.atomic
def client_details_update(
    *,
    actor: Actor,
    client: Client,
    expected_revision: int,
    values: dict[str, Any],
    may_see_address: bool,
    episode_id: int | None = None,
) -> list[str]:
    """Change the client's names, contact details, language of service and address protection.

    The caller (cases) has checked that the actor may change a relationship of the client, and tells
    whether they may see a protected address (`may_see_address`). Without that right, while the
    address is protected, the address fields are left as they are and the protection cannot be
    lifted (turning it on only narrows access, so anyone who may edit may do that).

    Refuses with StaleClientError when the details were saved since `expected_revision` (the row is
    locked, so two saves cannot both pass). Writes one ClientChange with the earlier values and one
    audit event naming the changed fields (no values). Returns the changed field names.
    """
    actor = signed_in(actor)  # a signed-in user from here on
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if locked.revision != expected_revision:
        raise StaleClientError
    hidden = locked.address_protected and not may_see_address
    changed: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        if name not in values or (hidden and name in ADDRESS_FIELDS):
            continue
        new = values[name]
        if isinstance(new, str):
            new = new.strip()
        if name == "address_protected" and hidden and not new:
            raise ApplicationError(
                _("Only the client's contact person or own worker can lift the address protection."),
                field="address_protected",
            )
        if new != getattr(locked, name):
            changed[name] = getattr(locked, name)
            setattr(locked, name, new)
    if not changed:
        return []
    locked.revision += 1
    locked.save(update_fields=[*changed, "revision", "updated_at"])
    ClientChange.objects.create(
        client=locked, changed_by=actor, episode_id=episode_id, fields=list(changed), old_values=changed
    )
    event_record(
        actor=actor,
        verb=EventType.CLIENT_DETAILS_CHANGED,
        client_id=locked.pk,
        episode_id=episode_id,
        target=locked,
        payload={"fields": list(changed)},
    )
    for name in (*changed, "revision", "updated_at"):
        setattr(client, name, getattr(locked, name))
    return list(changed)
