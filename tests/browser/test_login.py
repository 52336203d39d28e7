"""Logging in (ADR 0007): the page at two widths, keyboard only, and two-factor authentication."""

import time

import pytest
from allauth.mfa.totp.internal import auth as totp

from tests.browser.conftest import axe_violations, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def totp_code(secret: str, offset: int = 0) -> str:
    return totp.format_hotp_value(totp.hotp_value(secret, int(time.time()) // 30 + offset))


def assert_accessible(page, name: str) -> None:
    violations = axe_violations(page)
    shot(page, name)
    assert violations == [], f"{name}: {violations}"


def test_login_page__narrow_and_wide_and_accessible(page, nurse):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/login/")
    assert page.get_by_role("heading", name="Log in to Tukipolku").is_visible()
    assert_accessible(page, "login-01-page-375")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Username").fill("nurse")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Username").input_value() == "nurse"
    assert_accessible(page, "login-02-wrong-password-1280")

    login(page, "nurse")
    assert page.url.endswith("/caseload/")


def test_login__keyboard_only(page, nurse):
    page.goto("/login/")
    page.evaluate("document.activeElement.blur()")
    for _ in range(12):  # from the top of the page: skip link, language switch, then the form
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "login":
            break
    assert page.evaluate("document.activeElement.name") == "login"

    page.keyboard.type("nurse")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type("test-password-123")
    page.keyboard.press("Enter")
    page.wait_for_url("**/caseload/")

    assert page.get_by_role("heading", name="My caseload").is_visible()


def test_two_factor__required_activation_then_code_at_login(page, nurse, settings):
    settings.TUKIPOLKU_REQUIRE_MFA = True
    login(page, "nurse")

    # Without an authenticator app, every page leads to its activation.
    assert "/accounts/2fa/totp/activate/" in page.url
    page.goto("/caseload/")
    assert "/accounts/2fa/totp/activate/" in page.url
    assert page.get_by_role("heading", name="Activate an authenticator app").is_visible()
    assert_accessible(page, "login-03-activate-totp")
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "login-04-activate-totp-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    secret = page.locator("code.secret").inner_text().strip()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    assert_accessible(page, "login-05-recovery-codes")

    page.goto("/caseload/")
    assert page.url.endswith("/caseload/")
    page.get_by_role("link", name="Your sessions").click()
    page.wait_for_load_state()
    assert "This session" in page.content()
    assert_accessible(page, "login-06-sessions")

    page.get_by_role("button", name="Log out", exact=True).first.click()
    page.wait_for_load_state()
    login(page, "nurse")
    assert "/accounts/2fa/authenticate/" in page.url
    assert_accessible(page, "login-07-code-asked")
    page.get_by_label("Code").fill(totp_code(secret, 1))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    assert page.url.endswith("/caseload/")
