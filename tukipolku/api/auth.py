"""Who calls the API: a system client with a bearer token (OAuth 2.0 client credentials) or a
signed-in professional with their session; and the reader the access policy answers for them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from rest_framework import exceptions
from rest_framework.request import Request

from tukipolku.access.readers import AnyReader, SystemReader
from tukipolku.api.models import SystemClient
from tukipolku.core.models import User

READER_ATTRIBUTE = "reader"


def system_reader(client: SystemClient) -> SystemReader:
    """The access policy's reader for a system client: its account, organisation and purposes."""
    return SystemReader(
        account=client.account, organisation_id=client.organisation_id, purposes=frozenset(client.purposes)
    )


class SystemClientAuthentication(OAuth2Authentication):
    """A bearer token of a system client: answers (its service account, the token) and puts the
    client's `SystemReader` on the request (`reader_of`). A token of an inactive client, of an
    application that is not a system client, or of a deactivated account is refused (401)."""

    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[User, AccessToken] | None:
        found = super().authenticate(request)
        if found is None:
            return None
        token = found[1]
        client = (
            SystemClient.objects.select_related("account", "organisation")
            .filter(application_id=token.application_id)
            .first()
        )
        if client is None or not client.is_active or not client.account.is_active:
            raise exceptions.AuthenticationFailed(_("This system client is not in use."))
        reader = system_reader(client)
        setattr(request._request, READER_ATTRIBUTE, reader)  # the HttpRequest under DRF's
        request._request.system_client = client
        return client.account, token


def system_client_of(request: Request | HttpRequest) -> SystemClient | None:
    """The system client that sent this request with its token, or None (a session)."""
    raw = request._request if isinstance(request, Request) else request
    found: Any = getattr(raw, "system_client", None)
    return found if isinstance(found, SystemClient) else None


def reader_of(request: Request | HttpRequest) -> AnyReader:
    """The reader the access policy answers: a system client's `SystemReader` for a bearer token,
    the signed-in user for a staff session (or the anonymous user, who gets nothing)."""
    raw = request._request if isinstance(request, Request) else request
    reader: Any = getattr(raw, READER_ATTRIBUTE, None)
    if isinstance(reader, SystemReader):
        return reader
    return request.user
