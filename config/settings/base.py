"""Tukipolku settings. Everything lives here; production differs only by environment values.

Every variable is documented in `.env.example` and `docs/configuration.md`.
"""

from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env
from tukipolku.core.oidc import oidc_form_action_origin, oidc_providers

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - used only with DEBUG on

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "tukipolku.core",
    "tukipolku.audit",
    "tukipolku.access",
    "tukipolku.clients",
    "tukipolku.pathways",
    "tukipolku.cases",
    "tukipolku.plans",
    "tukipolku.meetings",
    "tukipolku.entries",
    "tukipolku.privacy",
    "tukipolku.notifications",
    "tukipolku.intake",
    "tukipolku.referrals",
    "tukipolku.handovers",
    "tukipolku.sweep",
    "tukipolku.oversight",
    "tukipolku.fhir",
    "tukipolku.imports",
    "tukipolku.bulkexport",
    "tukipolku.demo",
    "tukipolku.api",
    # The REST API (ADR 0015): DRF, its OpenAPI 3.1 schema and vendored docs page, OAuth 2.0 for systems.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "django_filters",
    # Login (ADR 0007). After our apps, so that tukipolku/core/templates overrides allauth's templates.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    # First: a request that cannot reach the database answers 503 (core/unavailable.py, with handler500).
    "tukipolku.core.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tukipolku.audit.middleware.AccessLogMiddleware",
    # The access policy's answers, remembered for this request only (access/cache.py).
    "tukipolku.access.cache.AccessCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "tukipolku.core.middleware.SessionRefreshMiddleware",
    "tukipolku.core.middleware.RequireMFAMiddleware",
    "tukipolku.core.middleware.NoStoreMiddleware",
    # Last, so that it hears a view's exception first: a write request (POST...) is one transaction,
    # rolled back on an exception or an error status; a read runs in autocommit (ADR 20).
    "tukipolku.core.middleware.AtomicWritesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tukipolku" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tukipolku.core.context_processors.navigation",
                "tukipolku.notifications.context_processors.notifications",
                "tukipolku.handovers.context_processors.navigation",
                "tukipolku.intake.context_processors.intake_queue",
            ],
            "string_if_invalid": "",
        },
    },
]

if not env.str("DATABASE_URL", default=""):
    import os

    os.environ.pop("DATABASE_URL", None)
FORM_RENDERER = "tukipolku.core.forms.FormRenderer"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# No request-wide transaction (ADR 20): a write request (POST...) is one transaction through
# `AtomicWritesMiddleware`, and services open their own; a page that only reads runs in autocommit, so
# no connection sits "idle in transaction" while the page is rendered. The access-log rows are written
# after the view in their own transaction, so refused requests are logged too (audit/middleware.py).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Persistent connections: a worker thread keeps its connection this many seconds instead of opening
# one per request (0 = a new connection per request). Ignored with the pool below.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=300))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # psycopg's connection pool, per process: `DATABASE_POOL_MAX_SIZE` connections shared by the
    # process's threads (docs/deployment.md, "Database connections"). 0 = no pool (CONN_MAX_AGE).
    _pool_max = env.int("DATABASE_POOL_MAX_SIZE", default=0)
    if _pool_max > 0:
        _pg_options["pool"] = {
            "min_size": min(env.int("DATABASE_POOL_MIN_SIZE", default=1), _pool_max),
            "max_size": _pool_max,
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections (Django requires 0)
    # Prepared statements: psycopg prepares a query after it has run this many times on a connection,
    # and PostgreSQL then skips planning it. It needs server-side parameter binding (the same SQL text
    # for every value) and a connection that lives (CONN_MAX_AGE or the pool); empty = off (Django's
    # default). With PgBouncer in transaction mode, set it only with PgBouncer 1.21+ and
    # `max_prepared_statements` > 0.
    _prepare = env.str("DATABASE_PREPARE_THRESHOLD", default="")
    if _prepare:
        _pg_options["server_side_binding"] = True
        _pg_options["prepare_threshold"] = int(_prepare)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login (ADR 0007): django-allauth does username + password login, failed-login throttling, TOTP
# two-factor authentication, the user's own session list and the optional OpenID Connect login.
# Argon2 hashes passwords; PBKDF2 still verifies older hashes (upgraded to Argon2 at the next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Failed-login counters and used TOTP codes live in the cache: every worker and host must share it, or
# each process counts on its own. The default is the database (the table of migration core 0004);
# CACHE_URL=redis://… puts it in Redis. `check --deploy` fails on a per-process cache (core/checks.py).
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://tukipolku_cache")}
ACCOUNT_ADAPTER = "tukipolku.core.auth.AccountAdapter"  # no self sign-up: administrators create users
ACCOUNT_FORMS = {"login": "tukipolku.core.auth.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a password reset never mails an address that has no account
ACCOUNT_SESSION_REMEMBER = False  # no "remember me": the cookie ends with the browser, the idle timeout holds
# Failed logins: 5 per user name in 5 minutes; 20 per address (a welfare region's staff may share one
# NAT address, so a lower per-address limit would lock out a whole office).
# Accessibility feedback (core/accessibility.py, a public form): 5 messages an hour per address.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/5m/ip,5/5m/key", "accessibility_feedback": "5/h/ip"}
# Behind the TLS proxy the client address is the last X-Forwarded-For hop the proxy added.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_PROXY", default=False) else 0
)
MFA_ADAPTER = "tukipolku.core.auth.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tukipolku"
MFA_TOTP_TOLERANCE = 1  # accept the previous and next 30-second code too (clock drift, slow typing)
# Each code is used once: the forms remember the last used time step per authenticator (core/auth.py).
MFA_FORMS = {
    "activate_totp": "tukipolku.core.auth.ActivateTOTPForm",
    "authenticate": "tukipolku.core.auth.MFAAuthenticateForm",
    "reauthenticate": "tukipolku.core.auth.MFAReauthenticateForm",
}
# Team professionals must use TOTP in production; `make run` (DEBUG on) leaves it off for the demo.
TUKIPOLKU_REQUIRE_MFA = env.bool("TUKIPOLKU_REQUIRE_MFA", default=not DEBUG)
# A session ends after this long however active it is (the idle timeout is SESSION_COOKIE_AGE).
TUKIPOLKU_SESSION_ABSOLUTE_SECONDS = env.int("TUKIPOLKU_SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
# Optional OpenID Connect login, configured only by the environment; never creates users.
SOCIALACCOUNT_ADAPTER = "tukipolku.core.auth.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = oidc_providers(
    name=env.str("OIDC_PROVIDER_NAME", default=""),
    server_url=env.str("OIDC_SERVER_URL", default=""),
    client_id=env.str("OIDC_CLIENT_ID", default=""),
    secret=env.str("OIDC_CLIENT_SECRET", default=""),
)
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10  # seconds, for every call to the identity provider
SOCIALACCOUNT_STORE_TOKENS = False

# Languages: Finnish first, then Swedish and English. Dates are shown the Finnish way in all three
# (d.m.yyyy, 24-hour clock) through the format modules in tukipolku/core/formats/.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tukipolku" / "locale"]
FORMAT_MODULE_PATH = ["tukipolku.core.formats"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "tukipolku" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tukipolku@localhost")
if env.str("EMAIL_FILE_PATH", default=""):  # with the file-based e-mail backend (the sweep's crash test)
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")

SESSION_COOKIE_AGE = env.int("TUKIPOLKU_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False  # the age above is an idle timeout: SessionRefreshMiddleware slides it
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
if not DEBUG:  # `__Host-`: the browser keeps the cookie only if Secure, path /, no Domain (ASVS 3.3.3)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None

# Content-Security-Policy (django-csp 4): only our own static files; no inline script or style, no
# eval, no framing. Templates must not use <script> blocks, style="" or on*="" attributes (htmx's
# inline indicator style is switched off in base.html; its CSS is in app.css).
_CSP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": [csp.SELF],
    "script-src": [csp.SELF],
    "style-src": [csp.SELF],
    "img-src": [csp.SELF, "data:"],
    "form-action": [csp.SELF],
    "frame-ancestors": [csp.NONE],
    "base-uri": [csp.SELF],
    "object-src": [csp.NONE],
}
_CSP_REPORT_URI = env.str("CSP_REPORT_URI", default="")  # where browsers POST violation reports
if _CSP_REPORT_URI:
    _CSP_DIRECTIVES["report-uri"] = [_CSP_REPORT_URI]
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

# Application settings
TUKIPOLKU_CASELOAD_PAGE_SIZE = env.int("TUKIPOLKU_CASELOAD_PAGE_SIZE", default=50)
# Spreadsheet imports (docs/import.md): where uploaded files wait for their commit (shared by the web
# processes and the task worker; files are deleted at commit, discard or after 24 hours) and the
# largest file accepted.
TUKIPOLKU_IMPORT_DIR = env.str("TUKIPOLKU_IMPORT_DIR", default=str(BASE_DIR / "tmp" / "imports"))
TUKIPOLKU_IMPORT_MAX_BYTES = env.int("TUKIPOLKU_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
TUKIPOLKU_BOARD_CARDS_PER_STEP = env.int("TUKIPOLKU_BOARD_CARDS_PER_STEP", default=25)
# Break-the-glass access to a client outside one's teams lasts this long (reviewed afterwards).
TUKIPOLKU_EMERGENCY_ACCESS_MINUTES = env.int("TUKIPOLKU_EMERGENCY_ACCESS_MINUTES", default=120)

# Coordination and the sweep (issue 4, ADR 0009)
TUKIPOLKU_SWEEP_INTERVAL_MINUTES = env.int("TUKIPOLKU_SWEEP_INTERVAL_MINUTES", default=15)
TUKIPOLKU_INACTIVITY_DAYS = env.int("TUKIPOLKU_INACTIVITY_DAYS", default=30)  # an open episode with no activity
TUKIPOLKU_HANDOVER_ESCALATION_DAYS = env.int("TUKIPOLKU_HANDOVER_ESCALATION_DAYS", default=7)  # not accepted → manager
# The address users open Tukipolku at: the links in e-mails and calendar invitations. With DEBUG off it
# has no default (the deploy check, core/checks.py, fails without it); `make run` sets the demo's.
TUKIPOLKU_SITE_URL = env.str("TUKIPOLKU_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
# Where the accessibility statement's feedback form sends its e-mail (core/accessibility.py); empty:
# the page shows no form (`check --deploy` warns). The demo uses a local address.
TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL = env.str(
    "TUKIPOLKU_ACCESSIBILITY_FEEDBACK_EMAIL", default="saavutettavuus@localhost" if DEBUG else ""
)
# Checkpoints of the audit log chains, anchored outside the database (tukipolku/audit/anchors.py):
# write-once files in this directory and/or an e-mail to this address (the data protection officer's).
TUKIPOLKU_AUDIT_ANCHOR_DIR = env.str("TUKIPOLKU_AUDIT_ANCHOR_DIR", default="")
TUKIPOLKU_AUDIT_ANCHOR_EMAIL = env.str("TUKIPOLKU_AUDIT_ANCHOR_EMAIL", default="")
TUKIPOLKU_SWEEP_BATCH_SIZE = env.int("TUKIPOLKU_SWEEP_BATCH_SIZE", default=1000)  # notifications per transaction
# Test only: seconds to sleep after each committed batch or e-mail (the crash test kills a worker between them).
TUKIPOLKU_SWEEP_BATCH_PAUSE = env.float("TUKIPOLKU_SWEEP_BATCH_PAUSE", default=0.0)

# The REST API /api/v1/ (ADR 0015, docs/api.md). System clients get tokens with the OAuth 2.0
# client-credentials grant at /o/token/; staff may call it with their session.
TUKIPOLKU_API_SESSION_RATE = env.str("TUKIPOLKU_API_SESSION_RATE", default="600/min")  # per signed-in user
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tukipolku.api.auth.SystemClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tukipolku.api.permissions.IsReader", "tukipolku.api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "tukipolku.api.pagination.CursorPage",
    "DEFAULT_THROTTLE_CLASSES": ["tukipolku.api.throttling.SystemClientThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tukipolku.api.problems.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tukipolku API",
    "DESCRIPTION": "REST API of Tukipolku, the client information system of work ability support teams. "
    "See docs/api.md: OAuth 2.0 client credentials at /o/token/, RFC 9457 problem details, cursor "
    "pagination, ETag/If-Match, Idempotency-Key. Identity codes travel only in request bodies.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tukipolku.api.openapi.problem_media_types",
    ],
    "ENUM_NAME_OVERRIDES": {
        # Choice sets that share a field name (status, kind) across the coordination resources.
        "MeetingStatusEnum": "tukipolku.meetings.choices.MeetingStatus",
        "MeetingKindEnum": "tukipolku.meetings.choices.MeetingKind",
        "ReferralStatusEnum": "tukipolku.referrals.choices.ReferralStatus",
        "ReferralKindEnum": "tukipolku.referrals.choices.ReferralKind",
        "HandoverStatusEnum": "tukipolku.handovers.choices.HandoverStatus",
        "NeedStatusEnum": "tukipolku.intake.choices.NeedStatus",
        "EpisodeStatusEnum": "tukipolku.cases.choices.EpisodeStatus",
        "ActionStatusEnum": "tukipolku.plans.choices.ActionStatus",
        "GoalStatusEnum": "tukipolku.plans.choices.GoalStatus",
    },
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # named: api.SystemClient links to it
OAUTH2_PROVIDER = {
    "SCOPES": {
        "api.read": "Read the REST API",
        "api.write": "Write through the REST API",
        "fhir.read": "Read the FHIR interface",
        "fhir.write": "Write through the FHIR interface",
        "export": "Bulk export",
        "import": "Import",
    },
    "SCOPES_BACKEND_CLASS": "tukipolku.api.scopes.SystemClientScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("TUKIPOLKU_API_TOKEN_SECONDS", default=3600),
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # The OAuth 2.0 Security BCP (RFC 9700) in full: no implicit or password grant, no plain PKCE, tokens
    # never accepted in a URL, `iss` in authorisation responses, tokens stored hashed, refresh-token
    # replay revokes the family. System clients only use client credentials, so nothing is lost.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# FHIR bulk export (`$export`, tukipolku/bulkexport/): where the NDJSON files are written (outside the
# web root; served only to the system that asked), how long they are kept, how many client
# relationships are checked per chunk, how many exports one requester may have waiting or running,
# when a run without progress counts as stopped, and when finished jobs are forgotten.
TUKIPOLKU_EXPORT_DIR = env.str("TUKIPOLKU_EXPORT_DIR", default=str(BASE_DIR / "tmp" / "exports"))
TUKIPOLKU_EXPORT_KEEP_HOURS = env.int("TUKIPOLKU_EXPORT_KEEP_HOURS", default=24)
TUKIPOLKU_EXPORT_CHUNK_SIZE = env.int("TUKIPOLKU_EXPORT_CHUNK_SIZE", default=1000)
TUKIPOLKU_EXPORT_MAX_ACTIVE = env.int("TUKIPOLKU_EXPORT_MAX_ACTIVE", default=2)
TUKIPOLKU_EXPORT_STALL_MINUTES = env.int("TUKIPOLKU_EXPORT_STALL_MINUTES", default=30)
TUKIPOLKU_EXPORT_FORGET_DAYS = env.int("TUKIPOLKU_EXPORT_FORGET_DAYS", default=90)

# Background tasks: the Django Tasks API. The database backend needs no other service (the worker is
# `manage.py db_worker`); TASKS_BACKEND=rq puts the queue in Redis (REDIS_URL; worker:
# `manage.py rqworker --job-class django_tasks_rq.Job default`: without that job class RQ cannot call a task).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler masks personal identity codes in messages, arguments and tracebacks (ASVS 16.2.5),
    # and writes a refused request (4xx) as one line without a traceback.
    "filters": {
        "mask_identity_codes": {"()": "tukipolku.core.logging.IdentityCodeMaskFilter"},
        "one_line_per_refusal": {"()": "tukipolku.core.logging.OneLinePerRefusalFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_per_refusal", "mask_identity_codes"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (console in DEBUG, mail_admins) are dropped: its records propagate to the
        # masked root handler, and tracebacks, which can hold personal data, are never e-mailed.
        "django": {"handlers": []},
        # Request logs would carry query strings; identity codes never travel in URLs, but keep it quiet.
        "django.server": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
}

# The OpenID Connect button posts to us and is redirected to the identity provider: browsers check
# that redirect against the CSP form-action, so the provider's origin is allowed there.
if _oidc_origin := oidc_form_action_origin(SOCIALACCOUNT_PROVIDERS):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_oidc_origin)
