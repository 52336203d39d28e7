"""Strong login (ADR 0007): Argon2, allauth login and throttling, two-factor authentication, session
lifetime, sessions ended with access, and the optional OpenID Connect login."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal import auth as totp
from allauth.socialaccount.models import SocialAccount, SocialLogin
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from config.settings import base as base_settings
from tukipolku.core import services
from tukipolku.core.auth import LoginForm, MFAAdapter, SocialAccountAdapter, totp_use_step
from tukipolku.core.middleware import LOGIN_AT_KEY
from tukipolku.core.models import TeamMembership
from tukipolku.core.oidc import OIDC_PROVIDER_ID, oidc_form_action_origin, oidc_providers
from tukipolku.core.tests.factories import TeamFactory, UserFactory

PASSWORD = "test-password-123"
IDP = oidc_providers(
    name="Hyvinvointialueen tunnistus",
    server_url="https://idp.example.fi/realms/staff",
    client_id="tukipolku",
    secret="client-secret",
)


def log_in(client, username="nurse", password=PASSWORD):
    return client.post(reverse("login"), {"login": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def totp_code(secret: str, offset: int = 0) -> str:
    counter = int(time.time()) // 30 + offset
    return totp.format_hotp_value(totp.hotp_value(secret, counter))


def activate_totp(client) -> str:
    """Activate an authenticator app for the logged-in user through allauth's page; returns the secret."""
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[totp.SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


# Argon2 ---------------------------------------------------------------------------------------------


def test_password_hashers__argon2_first_and_pbkdf2_still_verifies():
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base_settings.PASSWORD_HASHERS
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        assert make_password("a-long-test-password").startswith("argon2$")
        old = make_password("a-long-test-password", hasher="pbkdf2_sha256")
        assert check_password("a-long-test-password", old)


@pytest.mark.django_db
def test_password_hashers__user_password_set_with_base_settings_is_argon2():
    user = UserFactory()
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        user.set_password("a-long-test-password")
        assert user.password.startswith("argon2$")
        assert user.check_password("a-long-test-password")


# Login through allauth ------------------------------------------------------------------------------


def test_login__page_at_login_with_our_layout(client, db):
    assert reverse("login") == "/login/"
    page = client.get("/login/").content.decode()
    with translation.override("fi"):
        assert translation.gettext("Log in to Tukipolku") in page
    assert 'name="login"' in page and 'name="password"' in page
    assert 'name="remember"' not in page  # no "remember me"
    assert "placeholder" not in page
    assert "/accounts/password/reset/" not in page
    assert "<script>" not in page and "style=" not in page


@override_settings(DEBUG=True)
def test_login__demo_hint_only_in_debug(client, db):
    assert b"demo-tukipolku-2026" in client.get("/login/").content


def test_login__allauth_login_address_leads_to_ours(client, db):
    response = client.get("/accounts/login/?next=/board/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/board/"


def test_login__right_password_logs_in_and_follows_next(client, nurse):
    response = client.post("/login/?next=/board/", {"login": "nurse", "password": PASSWORD, "next": "/board/"})

    assert response.status_code == 302 and response["Location"] == "/board/"
    assert logged_in(client)
    assert LOGIN_AT_KEY in client.session  # the absolute lifetime starts


def test_login__logged_in_user_goes_home(client, nurse):
    log_in(client)
    assert client.get("/login/")["Location"] == reverse("home")


def test_logout__post_to_logout_ends_the_session(client, nurse):
    log_in(client)

    response = client.post(reverse("logout"))

    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not logged_in(client)


def test_signup__closed(client, db):
    from tukipolku.core.models import User

    before = User.objects.count()
    response = client.post("/accounts/signup/", {"username": "intruder", "password1": "a-long-test-password"})

    assert response.status_code == 200
    assert User.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/password/reset/", "/accounts/3rdparty/"])
def test_accounts__pages_we_do_not_offer_are_404(client, nurse, path):
    client.force_login(nurse)
    assert client.get(path).status_code == 404


def test_login_form__no_placeholders_no_remember_me(db):
    form = LoginForm()
    assert "remember" not in form.fields
    assert all("placeholder" not in f.widget.attrs for f in form.fields.values())


# Throttled failed logins ----------------------------------------------------------------------------


def test_login__after_five_failures_even_the_right_password_is_refused(client, nurse):
    for _ in range(5):
        response = log_in(client, password="wrong-password")
        assert response.status_code == 200 and not logged_in(client)

    response = log_in(client)

    assert response.status_code == 200
    assert not logged_in(client)
    with translation.override("fi"):
        message = translation.gettext("Too many failed login attempts. Try again later.")
    assert message != "Too many failed login attempts. Try again later."  # translated
    assert message in response.content.decode()


def test_login__failures_of_one_user_do_not_lock_another(client, nurse, physician):
    for _ in range(5):
        log_in(client, password="wrong-password")

    log_in(client, username="physician")

    assert logged_in(client)


def test_login__a_successful_login_does_not_count_as_failure(client, nurse):
    for _ in range(4):
        log_in(client, password="wrong-password")
    log_in(client)
    client.post(reverse("logout"))

    log_in(client)

    assert logged_in(client)


# Idle timeout and absolute lifetime -----------------------------------------------------------------


def test_session__cookie_ends_with_the_browser_and_idle_timeout_holds(client, nurse, settings):
    log_in(client)
    session = Session.objects.get(session_key=client.session.session_key)

    assert client.session.get_expire_at_browser_close()
    left = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < left <= settings.SESSION_COOKIE_AGE


def test_session__ends_at_the_absolute_lifetime(client, nurse, settings):
    log_in(client)
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - settings.TUKIPOLKU_SESSION_ABSOLUTE_SECONDS - 1
    session.save()

    response = client.get(reverse("cases:caseload"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/caseload/"
    assert not logged_in(client)
    assert client.get(reverse("cases:caseload"))["Location"].startswith(reverse("login"))


def test_session__within_the_absolute_lifetime_stays(client, nurse, settings):
    log_in(client)
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - settings.TUKIPOLKU_SESSION_ABSOLUTE_SECONDS + 120
    session.save()

    assert client.get(reverse("cases:caseload")).status_code == 200


def test_session__htmx_request_past_the_lifetime_gets_a_full_page_redirect(client, nurse, settings):
    client.force_login(nurse)
    session = client.session
    session[LOGIN_AT_KEY] = 0
    session.save()

    response = client.get(reverse("cases:caseload"), headers={"HX-Request": "true"})

    assert response.status_code == 204 and response["HX-Redirect"] == reverse("login")


# Two-factor authentication --------------------------------------------------------------------------


@pytest.mark.parametrize(("debug", "required"), [("false", "True"), ("true", "False")])
def test_mfa__required_by_default_without_debug_and_off_in_the_demo(debug, required):
    env = {
        **os.environ,
        "DEBUG": debug,
        "SECRET_KEY": "settings-check-" + "x" * 40,
        "ALLOWED_HOSTS": "tukipolku.example",
    }
    env.pop("TUKIPOLKU_REQUIRE_MFA", None)
    code = "from config.settings import base; print(base.TUKIPOLKU_REQUIRE_MFA)"
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", code], env=env, cwd=base_settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == required


def test_mfa__required_professional_without_totp_is_sent_to_activation(client, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)

    response = client.get(reverse("cases:caseload"))

    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("cases:board"))["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_activate_totp")
    htmx = client.get(reverse("cases:caseload"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_mfa__language_switch_and_logout_stay_open(client, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)

    assert client.post(reverse("set_language"), {"language": "sv", "next": "/"})["Location"] == "/"
    client.post(reverse("logout"))

    assert not logged_in(client)


def test_mfa__after_activating_totp_the_caseload_opens(client, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)

    activate_totp(client)

    assert Authenticator.objects.filter(user=nurse, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("cases:caseload")).status_code == 200


def test_mfa__wrong_activation_code_is_refused(client, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[totp.SECRET_SESSION_KEY]
    valid = {totp_code(secret, offset) for offset in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=nurse).exists()
    assert client.get(reverse("cases:caseload"))["Location"] == reverse("mfa_activate_totp")


def test_mfa__login_with_totp_asks_the_code_and_refuses_a_wrong_one(client, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)
    secret = activate_totp(client)
    client.post(reverse("logout"))

    response = log_in(client)

    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert not logged_in(client)
    assert client.get(reverse("cases:caseload"))["Location"].startswith(reverse("login"))
    valid = {totp_code(secret, offset) for offset in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
    refused = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert refused.status_code == 200 and not logged_in(client)
    with translation.override("fi"):
        assert translation.gettext("Incorrect code.") in refused.content.decode()

    accepted = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, 1)})

    assert accepted.status_code == 302 and logged_in(client)
    assert client.get(reverse("cases:caseload")).status_code == 200


def test_mfa__login_with_totp_is_asked_even_when_not_required(client, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)
    activate_totp(client)
    client.post(reverse("logout"))
    settings.TUKIPOLKU_REQUIRE_MFA = False

    assert log_in(client)["Location"] == reverse("mfa_authenticate")


def test_mfa__cannot_deactivate_while_required(nurse, settings):
    authenticator = Authenticator.objects.create(user=nurse, type=Authenticator.Type.TOTP, data={"secret": "X"})
    settings.TUKIPOLKU_REQUIRE_MFA = True
    assert not MFAAdapter().can_delete_authenticator(authenticator)
    settings.TUKIPOLKU_REQUIRE_MFA = False
    assert MFAAdapter().can_delete_authenticator(authenticator)


# Sessions end with access ---------------------------------------------------------------------------


def test_sessions__deactivated_user_is_sent_to_login(client, nurse):
    log_in(client)
    assert client.get(reverse("cases:caseload")).status_code == 200

    nurse.is_active = False
    nurse.save()

    assert not UserSession.objects.filter(user=nurse).exists()
    response = client.get(reverse("cases:caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sessions__ending_the_only_membership_sends_to_login(client, nurse, team):
    log_in(client)
    key = client.session.session_key
    membership = TeamMembership.objects.get(user=nurse, team=team)

    membership.ended_on = timezone.localdate()
    membership.save()

    assert not Session.objects.filter(session_key=key).exists()
    response = client.get(reverse("cases:caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sessions__deleting_the_only_membership_sends_to_login(client, nurse, team):
    log_in(client)

    TeamMembership.objects.get(user=nurse, team=team).delete()

    assert client.get(reverse("cases:caseload"))["Location"].startswith(reverse("login"))


def test_sessions__ending_one_of_two_memberships_keeps_the_session(client, nurse, team):
    TeamMembership.objects.create(team=TeamFactory(organisation=team.organisation), user=nurse)
    log_in(client)

    TeamMembership.objects.filter(user=nurse, team=team).update(ended_on=timezone.localdate())
    membership = TeamMembership.objects.get(user=nurse, team=team)
    membership.save()

    assert client.get(reverse("cases:caseload")).status_code == 200


def test_sessions__membership_ending_in_the_future_keeps_the_session(client, nurse, team):
    log_in(client)
    membership = TeamMembership.objects.get(user=nurse, team=team)

    membership.ended_on = timezone.localdate() + datetime.timedelta(days=7)
    membership.save()

    assert client.get(reverse("cases:caseload")).status_code == 200


def test_sessions__only_this_users_sessions_end(client, nurse, physician):
    other = client.__class__()
    log_in(other, username="physician")
    log_in(client)

    assert services.user_sessions_end(user_id=nurse.pk) == 1

    assert other.get(reverse("cases:caseload")).status_code == 200
    assert client.get(reverse("cases:caseload")).status_code == 302


def test_sessions__user_sees_and_ends_own_sessions(client, nurse):
    other_browser = client.__class__(headers={"user-agent": "Toinen selain"})
    log_in(other_browser)
    log_in(client)

    page = client.get(reverse("usersessions_list")).content.decode()
    assert "Toinen selain" in page
    assert reverse("usersessions_list") in client.get(reverse("cases:caseload")).content.decode()  # user menu

    client.post(reverse("usersessions_list"))

    assert other_browser.get(reverse("cases:caseload")).status_code == 302
    assert client.get(reverse("cases:caseload")).status_code == 200


# OpenID Connect -------------------------------------------------------------------------------------


def test_oidc_providers__empty_without_server_url():
    assert oidc_providers(name="X", server_url="", client_id="", secret="") == {}
    assert oidc_form_action_origin({}) == ""


def test_oidc_providers__built_from_environment_values_with_pkce():
    app = IDP["openid_connect"]["APPS"][0]

    assert app["provider_id"] == OIDC_PROVIDER_ID
    assert app["name"] == "Hyvinvointialueen tunnistus"
    assert app["client_id"] == "tukipolku" and app["secret"] == "client-secret"
    assert app["settings"]["server_url"] == "https://idp.example.fi/realms/staff"
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert oidc_form_action_origin(IDP) == "https://idp.example.fi"


def test_oidc_provider__uses_pkce_and_a_timeout(rf, settings, db):
    from allauth.socialaccount.adapter import get_adapter

    settings.SOCIALACCOUNT_PROVIDERS = IDP
    provider = get_adapter().get_provider(rf.get("/"), OIDC_PROVIDER_ID)

    assert provider.name == "Hyvinvointialueen tunnistus"
    assert provider.get_pkce_params()["code_challenge_method"] == "S256"
    assert get_adapter().get_requests_session().request.keywords["timeout"] == 10


def test_oidc_providers__refuses_incomplete_or_plain_http_configuration():
    with pytest.raises(ImproperlyConfigured):
        oidc_providers(name="X", server_url="https://idp.example.fi", client_id="", secret="")
    with pytest.raises(ImproperlyConfigured):
        oidc_providers(name="X", server_url="http://idp.example.fi", client_id="c", secret="s")


def test_login_page__no_provider_button_without_configuration(client, db):
    assert b"/accounts/oidc/" not in client.get("/login/").content


def test_login_page__provider_button_when_configured(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = IDP

    page = client.get("/login/").content.decode()

    assert f'action="/accounts/oidc/{OIDC_PROVIDER_ID}/login/?process=login"' in page
    assert "Hyvinvointialueen tunnistus" in page


def _sociallogin(rf, settings, claims: dict, process: str = "login"):
    settings.SOCIALACCOUNT_PROVIDERS = IDP
    request = rf.get("/accounts/oidc/idp/login/callback/")
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    account = SocialAccount(provider=OIDC_PROVIDER_ID, uid=claims["sub"], extra_data={"userinfo": claims})
    sociallogin = SocialLogin(account=account, email_addresses=[])
    sociallogin.state = {"process": process}
    return request, sociallogin


def test_oidc_adapter__unknown_identity_is_refused(rf, settings, db):
    request, sociallogin = _sociallogin(
        rf, settings, {"sub": "abc-1", "email": "nobody@hyvinvointialue.example", "email_verified": True}
    )

    with translation.override("en"), pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(request, sociallogin)

    assert refused.value.response["Location"] == reverse("login")
    assert "No Tukipolku user matches" in str(next(iter(get_messages(request))))
    assert not SocialAccount.objects.exists()


def test_oidc_adapter__unverified_email_is_refused(rf, settings, nurse):
    nurse.email = "sirkka@hyvinvointialue.example"
    nurse.save()
    request, sociallogin = _sociallogin(rf, settings, {"sub": "abc-2", "email": nurse.email, "email_verified": False})

    with translation.override("en"), pytest.raises(ImmediateHttpResponse):
        SocialAccountAdapter().pre_social_login(request, sociallogin)

    assert "no verified e-mail address" in str(next(iter(get_messages(request))))
    assert not SocialAccount.objects.exists()


def test_oidc_adapter__inactive_user_is_not_linked(rf, settings, db):
    UserFactory(email="left@hyvinvointialue.example", is_active=False)
    request, sociallogin = _sociallogin(
        rf, settings, {"sub": "abc-3", "email": "left@hyvinvointialue.example", "email_verified": True}
    )

    with pytest.raises(ImmediateHttpResponse):
        SocialAccountAdapter().pre_social_login(request, sociallogin)


def test_oidc_adapter__known_identity_is_linked_by_sub(rf, settings, nurse):
    nurse.email = "Sirkka.Salminen@hyvinvointialue.example"
    nurse.save()
    claims = {"sub": "abc-4", "email": "sirkka.salminen@hyvinvointialue.example", "email_verified": True}
    request, sociallogin = _sociallogin(rf, settings, claims)

    SocialAccountAdapter().pre_social_login(request, sociallogin)

    link = SocialAccount.objects.get()
    assert (link.provider, link.uid, link.user) == (OIDC_PROVIDER_ID, "abc-4", nurse)
    # Next time the link is found by provider and sub, whatever the e-mail claim says now.
    request, again = _sociallogin(rf, settings, {**claims, "email": "changed@example.fi", "email_verified": False})
    again.lookup()
    assert again.is_existing and again.user == nurse
    SocialAccountAdapter().pre_social_login(request, again)  # no refusal


def test_oidc_adapter__connecting_while_logged_in_is_refused(rf, settings, nurse):
    request, sociallogin = _sociallogin(
        rf, settings, {"sub": "abc-5", "email": "x@hyvinvointialue.example", "email_verified": True}, "connect"
    )

    with pytest.raises(ImmediateHttpResponse):
        SocialAccountAdapter().pre_social_login(request, sociallogin)


@pytest.mark.parametrize("target", ["0", "board", "//evil.example/", "https://evil.example/"])
def test_login__next_that_is_no_path_here_goes_home(client, nurse, target):
    """allauth follows `next` only when core.http allows it, like every other redirect."""
    response = client.post(reverse("login"), {"login": "nurse", "password": PASSWORD, "next": target})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert logged_in(client)


# One code, one use (issue 9) -----------------------------------------------------------------------


def test_mfa__the_activation_code_cannot_log_in_but_a_fresh_one_can(client, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[totp.SECRET_SESSION_KEY]
    activation_code = totp_code(secret)
    assert client.post(reverse("mfa_activate_totp"), {"code": activation_code}).status_code == 302
    client.post(reverse("logout"))
    log_in(client)

    replayed = client.post(reverse("mfa_authenticate"), {"code": activation_code})

    assert replayed.status_code == 200 and not logged_in(client)
    fresh = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, 1)})
    assert fresh.status_code == 302 and logged_in(client)


def test_mfa__a_login_code_is_used_once_even_in_another_worker(client, nurse, settings):
    """allauth's memory of used codes is the cache: another worker, or 30 s later, it is gone."""
    settings.TUKIPOLKU_REQUIRE_MFA = True
    log_in(client)
    secret = activate_totp(client)
    client.post(reverse("logout"))
    code = totp_code(secret, 1)
    log_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    cache.clear()  # another process: nothing of allauth's cache

    log_in(client)
    replayed = client.post(reverse("mfa_authenticate"), {"code": code})

    assert replayed.status_code == 200 and not logged_in(client)


def test_totp_use_step__only_later_steps(nurse):
    authenticator = Authenticator.objects.create(user=nurse, type=Authenticator.Type.TOTP, data={"secret": "X"})

    assert totp_use_step(authenticator=authenticator, step=100)
    assert not totp_use_step(authenticator=authenticator, step=100)
    assert not totp_use_step(authenticator=authenticator, step=99)
    assert totp_use_step(authenticator=authenticator, step=101)
    assert Authenticator.objects.get(pk=authenticator.pk).data == {"secret": "X", "last_used_step": 101}


# A cache every worker shares (issue 9) ------------------------------------------------------------

DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tukipolku_cache"}}


def test_cache_table__made_by_the_migrations(db):
    assert "tukipolku_cache" in connection.introspection.table_names()


def test_login__failures_are_counted_in_the_shared_database_cache(client, nurse):
    """With the production default every worker reads and writes the same counters: the database."""
    with override_settings(CACHES=DATABASE_CACHE):  # Django's test signals rebuild the cache objects
        try:
            for _ in range(5):
                log_in(client, password="wrong-password")
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM tukipolku_cache")
                assert cursor.fetchone()[0] >= 1

            log_in(client)

            assert not logged_in(client)
        finally:
            cache.clear()


@pytest.mark.parametrize("target", ["0", "board", "//evil.example/", "https://evil.example/"])
def test_language__next_that_is_no_path_here_goes_home(client, db, target):
    response = client.post(reverse("set_language"), {"language": "sv", "next": target})

    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["django_language"].value == "sv"
