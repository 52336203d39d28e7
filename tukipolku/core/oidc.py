"""The optional OpenID Connect login, built from environment values by the settings (ADR 0007).

Pure functions without Django imports beyond the exception: `config/settings/base.py` calls them
before the apps are loaded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

OIDC_PROVIDER_ID = "idp"
"""The provider id in URLs (`/accounts/oidc/idp/login/`) and in `SocialAccount.provider`."""


def oidc_providers(*, name: str, server_url: str, client_id: str, secret: str) -> dict[str, Any]:
    """`SOCIALACCOUNT_PROVIDERS` for one OpenID Connect identity provider, or `{}` when none is set.

    `server_url` is the issuer: its `/.well-known/openid-configuration` gives the endpoints. The
    authorisation code flow runs with PKCE; identities are linked to users by the
    `sub` claim (`SocialAccount(provider, uid)`), see `tukipolku.core.auth.SocialAccountAdapter`.
    """
    server_url = server_url.strip()
    if not server_url:
        return {}
    if not client_id:
        raise ImproperlyConfigured("OIDC_CLIENT_ID must be set when OIDC_SERVER_URL is set.")
    if urlsplit(server_url).scheme != "https" and urlsplit(server_url).hostname not in {"localhost", "127.0.0.1"}:
        raise ImproperlyConfigured("OIDC_SERVER_URL must be an https:// address.")
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": OIDC_PROVIDER_ID,
                    "name": name.strip() or "OpenID Connect",
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {
                        "server_url": server_url,
                        "oauth_pkce_enabled": True,
                        "uid_field": "sub",
                    },
                }
            ],
        }
    }


def oidc_form_action_origin(providers: dict[str, Any]) -> str:
    """The identity provider's origin (`https://idp.example`), or "" when no provider is set."""
    for app in providers.get("openid_connect", {}).get("APPS", []):
        parts = urlsplit(app["settings"]["server_url"])
        return f"{parts.scheme}://{parts.netloc}"
    return ""
