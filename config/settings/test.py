"""Test settings: only overrides of base (STYLE.md §6)."""

import os

if not os.environ.get("DATABASE_URL"):
    os.environ.pop("DATABASE_URL", None)  # `DATABASE_URL=` means the SQLite default

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TUKIPOLKU_SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL", "saavutettavuus@tukipolku.example")

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Browser tests run over plain http, where browsers drop `__Host-` cookies (they must be Secure).
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Login (ADR 0007): two-factor off unless a test turns it on; no identity provider unless a test sets
# one; a per-process cache for the failed-login counters (cleared before each test in conftest.py).
TUKIPOLKU_REQUIRE_MFA = False
SOCIALACCOUNT_PROVIDERS = {}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Background tasks run in the test process when their transaction commits (tests that need the real
# database queue and worker say so).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
