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
from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.totp.internal import auth as totp
from allauth.mfa.utils import decrypt
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.db import transaction
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


# One code, one use (RFC 6238 §5.2) ------------------------------------------------------------------
# allauth remembers used codes in the cache for one period only, and not the code that activated the
# app: with a tolerance of one step either way, a code seen once could log in again for up to 90
# seconds, in any worker. We remember the last time step used per authenticator, in the database, and
# accept only later steps.

TOTP_STEP_KEY = "last_used_step"
"""`Authenticator.data` key: the newest time step (Unix time // period) whose code was accepted."""
TOTP_ACTIVATION_STEP_SESSION_KEY = "tukipolku.mfa.totp.activation_step"


def totp_step_of(secret: str, code: str) -> int | None:
    """The time step within the tolerance window whose code `code` is, or None."""
    for step in totp.yield_hotp_counters_from_time():
        if compare_user_code(actual=code, expected=totp.format_hotp_value(totp.hotp_value(secret, step))):
            return step
    return None


def totp_use_step(*, authenticator: Authenticator, step: int) -> bool:
    """Record `step` as used by `authenticator`; False if it or a later step was used already."""
    with transaction.atomic():
        locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        last = locked.data.get(TOTP_STEP_KEY)
        if last is not None and step <= int(last):
            return False
        locked.data[TOTP_STEP_KEY] = step
        locked.save(update_fields=["data"])
        authenticator.data = locked.data
    return True


class _CodeUsedOnceMixin:
    """An authenticator-app code is accepted once: a step at or before the last used one is refused."""

    authenticator: Authenticator

    def clean_code(self) -> str:
        code: str = super().clean_code()  # type: ignore[misc]
        if self.authenticator.type == Authenticator.Type.TOTP:
            secret = decrypt(self.authenticator.data["secret"])
            step = totp_step_of(secret, code)
            if step is None or not totp_use_step(authenticator=self.authenticator, step=step):
                raise get_mfa_adapter().validation_error("incorrect_code")
        return code


class MFAAuthenticateForm(_CodeUsedOnceMixin, AllauthAuthenticateForm):
    """The login's second step (`MFA_FORMS["authenticate"]`)."""


class MFAReauthenticateForm(_CodeUsedOnceMixin, AllauthReauthenticateForm):
    """The code asked again before a sensitive change (`MFA_FORMS["reauthenticate"]`)."""


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """Activation remembers the step of the code it was shown, so that code cannot log in afterwards
    (`record_activation_step` stores it on the new authenticator)."""

    def clean_code(self) -> str:
        code: str = super().clean_code()
        step = totp_step_of(self.secret, code)
        if step is not None:
            context.request.session[TOTP_ACTIVATION_STEP_SESSION_KEY] = step
        return code


def record_activation_step(*, instance: Authenticator, created: bool, **kwargs: Any) -> None:
    """Receiver of `post_save` of a new authenticator app: its activation code counts as used."""
    request = getattr(context, "request", None)
    if not created or instance.type != Authenticator.Type.TOTP or request is None:
        return
    step = request.session.pop(TOTP_ACTIVATION_STEP_SESSION_KEY, None)
    if step is not None:
        totp_use_step(authenticator=instance, step=int(step))


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
