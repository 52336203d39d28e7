"""Creating and changing system clients of the API (an administrator's command or the admin)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application

from tukipolku.access import cache
from tukipolku.access.actors import Actor
from tukipolku.api.choices import Scope
from tukipolku.api.models import SystemClient
from tukipolku.audit.choices import EventType
from tukipolku.audit.services import event_record
from tukipolku.core.exceptions import ApplicationError
from tukipolku.core.models import Organisation, User
from tukipolku.privacy.choices import Purpose

MAX_REQUESTS_PER_MINUTE = 100_000


@dataclass(frozen=True)
class NewSystemClient:
    """A created client with its credentials: the secret is stored hashed and shown only this once."""

    system_client: SystemClient
    client_id: str
    client_secret: str


def _checked(*, purposes: list[str], scopes: list[str], requests_per_minute: int) -> None:
    unknown = sorted(set(purposes) - set(Purpose.values))
    if unknown:
        raise ApplicationError(_("Unknown purpose: %(value)s") % {"value": ", ".join(unknown)}, field="purposes")
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ApplicationError(_("Unknown scope: %(value)s") % {"value": ", ".join(unknown)}, field="scopes")
    if not 1 <= requests_per_minute <= MAX_REQUESTS_PER_MINUTE:
        raise ApplicationError(
            _("Requests per minute must be between 1 and %(max)s.") % {"max": MAX_REQUESTS_PER_MINUTE},
            field="requests_per_minute",
        )


def system_client_create(
    *,
    actor: Actor | None,
    name: str,
    organisation: Organisation,
    purposes: list[str],
    scopes: list[str],
    requests_per_minute: int = 120,
) -> NewSystemClient:
    """A confidential OAuth 2.0 client (client-credentials grant) for another system, with its service
    account (no password, no profession, in the organisation). Returns the secret once."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the system client a name."), field="name")
    _checked(purposes=purposes, scopes=scopes, requests_per_minute=requests_per_minute)
    secret = secrets.token_urlsafe(40)
    with transaction.atomic():
        account = User(
            username=f"system-{slugify(name)[:40]}-{secrets.token_hex(4)}",
            first_name=name[:150],
            profession="",
            organisation=organisation,
        )
        account.set_unusable_password()
        account.save()
        application = Application.objects.create(
            name=name[:255],
            user=account,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
        )
        client = SystemClient.objects.create(
            application=application,
            organisation=organisation,
            account=account,
            purposes=sorted(set(purposes)),
            scopes=sorted(set(scopes)),
            requests_per_minute=requests_per_minute,
        )
        event_record(
            actor=actor,
            verb=EventType.SYSTEM_CLIENT_CREATED,
            target=client,
            payload={"organisation": organisation.pk, "purposes": client.purposes, "scopes": client.scopes},
        )
    return NewSystemClient(system_client=client, client_id=application.client_id, client_secret=secret)


def system_client_change(
    *,
    actor: Actor | None,
    client: SystemClient,
    is_active: bool,
    purposes: list[str],
    scopes: list[str],
    requests_per_minute: int,
) -> SystemClient:
    """Change what a system client may do. Switching it off or taking scopes away revokes its tokens
    at once (it asks for a new token with what it still has)."""
    _checked(purposes=purposes, scopes=scopes, requests_per_minute=requests_per_minute)
    with transaction.atomic():
        locked = SystemClient.objects.select_for_update().get(pk=client.pk)
        narrowed = (locked.is_active and not is_active) or bool(set(locked.scopes) - set(scopes))
        narrowed = narrowed or bool(set(locked.purposes) - set(purposes))
        locked.is_active = is_active
        locked.purposes = sorted(set(purposes))
        locked.scopes = sorted(set(scopes))
        locked.requests_per_minute = requests_per_minute
        locked.save(update_fields=["is_active", "purposes", "scopes", "requests_per_minute"])
        User.objects.filter(pk=locked.account_id).update(is_active=is_active)
        if narrowed:
            AccessToken.objects.filter(application_id=locked.application_id).delete()
        event_record(
            actor=actor,
            verb=EventType.SYSTEM_CLIENT_CHANGED,
            target=locked,
            payload={"active": is_active, "purposes": locked.purposes, "scopes": locked.scopes},
        )
    cache.clear()
    return locked
