"""Scope checks: a view names the OAuth 2.0 scopes its calls need (`required_scopes`, or per action
`required_scopes_by_action`). A staff session passes them: scopes limit what a system was granted,
and the access policy still decides per client and reader."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


def _scopes_of(view: Any) -> list[str]:
    by_action: dict[str, Iterable[str]] = getattr(view, "required_scopes_by_action", {}) or {}
    action = getattr(view, "action", None)
    if action is not None and action in by_action:
        return list(by_action[action])
    return list(getattr(view, "required_scopes", []) or [])


class HasScope(BasePermission):
    """The token carries every scope the view requires (403 otherwise); a session passes."""

    message = _("The access token does not have the scope this call needs.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, AccessToken):
            return True
        return bool(token.allow_scopes(_scopes_of(view)))


class IsReader(BasePermission):
    """Someone the policy can answer for: a signed-in user or a system client (401 otherwise)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)
