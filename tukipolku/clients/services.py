"""State changes of clients. The caller (cases) has checked that the actor works with clients."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.clients import identity
from tukipolku.clients.models import Client
from tukipolku.core.exceptions import ApplicationError


class DuplicateClientError(ApplicationError):
    """A client with this identity code exists already; `existing` is offered instead."""

    def __init__(self, existing: Client) -> None:
        super().__init__(_("A client with this identity code already exists."), field="identity_code")
        self.existing = existing


@transaction.atomic
def client_create(
    *,
    actor: Any,
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
