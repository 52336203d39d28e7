"""How django-allauth logs our users in (ADR 0007): adapters and the login form.

* Nobody signs up: administrators create users (`AccountAdapter`).
* Two-factor authentication cannot be switched off while it is required (`MFAAdapter`).
* An OpenID Connect identity never creates a user. The first login links it to the one active user
  with the e-mail address the identity provider vouches for (`email_verified`); afterwards the
  link is the provider and the `sub` claim, kept in allauth's `SocialAccount(provider, uid)`.
"""

from __future__ import annotations

import time
from typing import Any, NoReturn

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tukipolku.core.http import is_safe_path
from tukipolku.core.models import User


class AccountAdapter(DefaultAccountAdapter):
    """Username and password login only; accounts are created and passwords set in the administration."""

    QUIET_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """No "you have logged in/out" notices: the page itself shows it."""
        if message_template in self.QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A login in the last `ACCOUNT_REAUTHENTICATION_TIMEOUT` seconds counts as a fresh password
        check: right after logging in, a user activates the authenticator app and sees the recovery
        codes without typing the password again. Later, allauth asks for it as usual."""
        request = context.request
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            records = get_authentication_records(request, user)
            if records and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def is_safe_url(self, url: str) -> bool:
        """A `next` after login or logout is a path on this site, checked like every other (core.http)."""
        return is_safe_path(url, request=context.request)


class LoginForm(AllauthLoginForm):
    """allauth's login form without placeholders (the labels are visible) and with focus on the user
    name. (No "forgot your password?" link: see templates/account/password_reset_help_text.html.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["autofocus"] = True


class MFAAdapter(DefaultMFAAdapter):
    """While `TUKIPOLKU_REQUIRE_MFA` is on, nobody can deactivate their authenticator app.

    Lost phone: an administrator deletes the user's authenticator in the administration, and the
    user activates a new one at the next login.
    """

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if settings.TUKIPOLKU_REQUIRE_MFA and authenticator.type == Authenticator.Type.TOTP:
            return False
        return super().can_delete_authenticator(authenticator)


def identity_claims(sociallogin: SocialLogin) -> dict[str, Any]:
    """The identity provider's claims about the person: ID token, overridden by the userinfo answer."""
    data = sociallogin.account.extra_data or {}
    claims: dict[str, Any] = {}
    for part in ("id_token", "userinfo"):
        if isinstance(data.get(part), dict):
            claims.update(data[part])
    return claims or dict(data)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect login for existing, active users only."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Link a first-time identity to a user by its verified e-mail address, or refuse the login.

        An identity linked before (`is_existing`: found by provider and `sub`) logs in as its user;
        allauth refuses inactive users.
        """
        provider = sociallogin.account.get_provider(request).name
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            self._refuse(request, _("Identity provider accounts are linked by e-mail address at login only."))
        if sociallogin.is_existing:
            return
        claims = identity_claims(sociallogin)
        email = str(claims.get("email") or "").strip()
        if not email or claims.get("email_verified") not in (True, "true"):
            self._refuse(
                request,
                _(
                    "Your %(provider)s account has no verified e-mail address, so it cannot be linked to "
                    "a Tukipolku user. Log in with your user name and password, or ask an administrator."
                )
                % {"provider": provider},
            )
        users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
        if len(users) != 1:
            self._refuse(
                request,
                _(
                    "No Tukipolku user matches your %(provider)s account. Ask an administrator to create "
                    "your user or to correct its e-mail address."
                )
                % {"provider": provider},
            )
        sociallogin.connect(request, users[0])

    def _refuse(self, request: HttpRequest, message: str) -> NoReturn:
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect(settings.LOGIN_URL))
