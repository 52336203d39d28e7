"""The scopes a system client may ask for are the ones it was granted (`SystemClient.scopes`); a
token request without `scope` gets all of them (django-oauth-toolkit's SCOPES_BACKEND_CLASS)."""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import SettingsScopes


class SystemClientScopes(SettingsScopes):
    def _granted(self, application: Any) -> list[str]:
        client = getattr(application, "system_client", None) if application is not None else None
        if client is None or not client.is_active:
            return []
        return list(client.scopes)

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if application is None:
            return super().get_available_scopes(application, request, *args, **kwargs)
        known = set(super().get_available_scopes(application, request))
        return [s for s in self._granted(application) if s in known]

    def get_default_scopes(self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any) -> list[str]:
        return self.get_available_scopes(application, request)
