"""Production security settings and headers (ASVS 5.0 3.3–3.4, 14.3.2; research/reliability.md §3).

The test settings switch off what plain-http tests cannot use (Secure cookies, `__Host-` names, the
https redirect), so the production values are computed in a subprocess with `config.settings.base`
and production-like environment values, exactly as `make checks` does.
"""

import json
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.urls import reverse

from config.env import BASE_DIR

ONE_YEAR = 365 * 24 * 3600

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "production-like-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
    "ALLOWED_HOSTS": "tukipolku.example,testserver",
    "TUKIPOLKU_SITE_URL": "https://tukipolku.example",
    "TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL": "saavutettavuus@tukipolku.example",
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DATABASE_URL": "sqlite://:memory:",
}


def _run_production(args: list[str], **extra: str) -> subprocess.CompletedProcess:
    """Run python with only the production-like environment (none of the test settings' values)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(BASE_DIR), "LANG": "C.UTF-8", **PRODUCTION_ENV, **extra}
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


_PROBE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client

    # A page that needs login: answered by a redirect, without templates or the database.
    response = Client().get("/caseload/", secure=True)
    names = [
        "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_NAME", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
        "SESSION_COOKIE_PATH", "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_PATH", "CSRF_COOKIE_DOMAIN",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "MIDDLEWARE", "CONTENT_SECURITY_POLICY",
        "CACHES",
    ]
    print(json.dumps({
        "settings": {n: getattr(settings, n) for n in names},
        "status": response.status_code,
        "headers": dict(response.headers),
    }))
    """
)


@pytest.fixture(scope="module")
def production():
    """Settings and a response computed with DEBUG off and the production settings module."""
    result = _run_production(["-c", _PROBE])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ production settings


def test_check_deploy__clean_with_production_values():
    result = _run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


@pytest.mark.parametrize("cache_url", ["locmemcache://", "dummycache://"])
def test_check_deploy__fails_on_a_cache_of_one_process(cache_url):
    """Login throttling counts in the cache: per process, 3 workers allow 15 wrong passwords, not 5."""
    result = _run_production(["manage.py", "check", "--deploy"], CACHE_URL=cache_url)

    assert result.returncode != 0
    assert "tukipolku.E001" in result.stdout + result.stderr


def test_check_deploy__a_redis_cache_is_shared():
    result = _run_production(["manage.py", "check", "--deploy"], CACHE_URL="redis://127.0.0.1:6379/1")

    assert "tukipolku.E001" not in result.stdout + result.stderr


def test_check_deploy__fails_without_the_site_address():
    """E-mails and calendar invitations link to TUKIPOLKU_SITE_URL; production has no default for it."""
    result = _run_production(["manage.py", "check", "--deploy"], TUKIPOLKU_SITE_URL="")

    assert result.returncode != 0
    assert "tukipolku.E002" in result.stdout + result.stderr


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://tukipolku.example"])
def test_check_deploy__warns_of_a_loopback_or_plain_http_site_address(url):
    result = _run_production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], TUKIPOLKU_SITE_URL=url)

    assert result.returncode != 0
    assert "tukipolku.W002" in result.stdout + result.stderr


def test_make_run__sets_the_demo_site_address():
    """`make run` (DEMO_ENV) gives the demo's links its own address, and `make checks` a production one."""
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    demo_env = next(line for line in makefile.splitlines() if line.startswith("DEMO_ENV :="))

    assert "TUKIPOLKU_SITE_URL=http://127.0.0.1:8000" in demo_env
    assert "TUKIPOLKU_SITE_URL=https://" in makefile.split("\nchecks:")[1].split("\nsecurity:")[0]


def test_production__the_default_cache_is_the_shared_database_table(production):
    assert production["settings"]["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert production["settings"]["CACHES"]["default"]["LOCATION"] == "tukipolku_cache"


def test_production__debug_off_and_https_only(production):
    s = production["settings"]

    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_production__cookies_secure_httponly_and_host_prefixed(production):
    s = production["settings"]

    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert s["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert s["CSRF_COOKIE_NAME"] == "__Host-csrftoken"


def test_production__cookies_meet_the_host_prefix_rules(production):
    """Browsers keep a `__Host-` cookie only when it is Secure, has path / and no Domain."""
    s = production["settings"]

    for kind in ("SESSION", "CSRF"):
        assert s[f"{kind}_COOKIE_NAME"].startswith("__Host-")
        assert s[f"{kind}_COOKIE_SECURE"] is True
        assert s[f"{kind}_COOKIE_PATH"] == "/"
        assert s[f"{kind}_COOKIE_DOMAIN"] is None


def test_production__headers_of_a_response(production):
    headers = production["headers"]

    assert production["status"] == 302  # to the login page
    assert int(headers["Strict-Transport-Security"].split("max-age=")[1].split(";")[0]) >= ONE_YEAR
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    _assert_strict_csp(headers["Content-Security-Policy"])


def test_production__csp_middleware_and_policy(production):
    s = production["settings"]
    directives = s["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]

    assert "csp.middleware.CSPMiddleware" in s["MIDDLEWARE"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)


def test_csp_report_uri__taken_from_the_environment():
    probe = "import django; django.setup(); from django.conf import settings as s; print(s.CONTENT_SECURITY_POLICY)"
    env_probe = f"import os; os.environ['CSP_REPORT_URI'] = 'https://csp.example/report'; {probe}"

    result = _run_production(["-c", env_probe])

    assert result.returncode == 0, result.stderr
    assert "'report-uri': ['https://csp.example/report']" in result.stdout


# ------------------------------------------------------------------ headers under the test settings


def _assert_strict_csp(policy: str) -> None:
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_headers__anonymous_login_page(client):
    response = client.get(reverse("login"), secure=True)

    assert response.status_code == 200
    _assert_strict_csp(response["Content-Security-Policy"])
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert int(response["Strict-Transport-Security"].split("max-age=")[1].split(";")[0]) >= ONE_YEAR


@pytest.mark.parametrize("name", ["caseload", "board", "intake", "detail", "plan", "meeting_new"])
def test_headers__logged_in_pages_are_not_cached_and_carry_the_csp(client, nurse, episode, name):
    urls = {
        "caseload": reverse("cases:caseload"),
        "board": reverse("cases:board"),
        "intake": reverse("cases:intake"),
        "detail": reverse("cases:detail", args=[episode.pk]),
        "plan": reverse("plans:edit", args=[episode.pk]),
        "meeting_new": reverse("meetings:create", args=[episode.pk]),
    }
    client.force_login(nurse)

    response = client.get(urls[name])

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    _assert_strict_csp(response["Content-Security-Policy"])
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_headers__admin_is_not_cached_and_carries_the_csp(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    _assert_strict_csp(response["Content-Security-Policy"])


def test_test_settings__plain_http_cookie_names():
    """Over plain http browsers drop `__Host-` cookies, so the test settings keep Django's names."""
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert settings.CSRF_COOKIE_NAME == "csrftoken"
