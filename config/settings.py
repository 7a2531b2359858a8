"""Settings for Pilots: one module, driven by environment variables.

Every variable is documented in `.env.example`. Defaults suit development (`make run`): SQLite, console
email, local-memory cache. Production sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and HTTPS.
"""

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import bootstrap_wrapper
import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# pytest (or PILOTS_TESTING=1) gets development-safe defaults without DEBUG.
TESTING = env_bool("PILOTS_TESTING") or "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for local development)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, whose forms it extends
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_countries",
    "phonenumber_field",
    "simple_history",
    "csp",
    # pilots before django_tasks_db: its `db_worker` command (pilots.worker) replaces the original.
    "partners",
    "pilots",
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",  # registers its cache checks
    "axes",  # login throttling
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "pilots.i18n.middleware.PageLanguageMiddleware",  # cohort language when none was chosen
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "pilots.cache_control.PrivatePagesMiddleware",  # no-store on staff, report, export, admin pages
    "axes.middleware.AxesMiddleware",  # last: turns a refused sign-in into the lockout page
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out account or address first
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Database: DATABASE_URL, or an embedded SQLite file. SQLite runs in WAL mode with IMMEDIATE
# transactions so that concurrent writers queue for the lock instead of failing mid-transaction.
SQLITE_PATH = BASE_DIR / os.environ.get("SQLITE_NAME", "db.sqlite3")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A kept connection that the server dropped is replaced at the start of a request, not
        # discovered by a failing query in the middle of one.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# How long a registration waits for a cohort's row lock before telling the teacher to try again.
PILOTS_LOCK_TIMEOUT_MS = int(os.environ.get("PILOTS_LOCK_TIMEOUT_MS", "5000"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Internationalisation: English for regional work, and the three pilot countries' languages.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("km", _("Khmer")),
    ("th", _("Thai")),
    ("vi", _("Vietnamese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"  # all three countries are UTC+7; the database stores UTC
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# Static files: Bootstrap comes from the bootstrap-wrapper package, never a CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", str(bootstrap_wrapper.get_bootstrap_dir())),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PHONENUMBER_DEFAULT_FORMAT = "E164"

# Email: console in development, SMTP (EMAIL_URL-style variables) in production, locmem in tests.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pilots <pilots@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Cache: Redis when REDIS_URL is set (shared by every server process), else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "pilots.cache_backend.RedisCache",  # one Redis client per process
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "pilots"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks: the database backend in production (run `manage.py db_worker`, supervised: see
# the README); the immediate backend for `make run` and tests. With the database backend a task is
# enqueued in the transaction of the change it belongs to; the immediate backend runs it after commit.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG or TESTING
            else "pilots.tasks_backend.DatabaseBackend",
        )
    }
}

# Security. Production (DEBUG off) is HTTPS-only; SECURE_SSL_REDIRECT can be turned off behind a
# proxy that already redirects.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content Security Policy (django-csp 4): everything from our own origin only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Logging: to the console; personal data of teachers is never logged (no request bodies, and
# registration URLs carry no personal data).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# Uploaded spreadsheets wait here (mode 0700) between the preview and the confirmed import.
PILOTS_IMPORT_DIR = Path(os.environ.get("PILOTS_IMPORT_DIR", Path(tempfile.gettempdir()) / "pilots-imports"))

# Registration: how many registration POSTs one IP address may make (django-ratelimit syntax).
PILOTS_REGISTRATION_RATE = os.environ.get("PILOTS_REGISTRATION_RATE", "20/h")
# Seconds a fragment of the public cohort pages stays cached (keyed by language and data version, so
# a registration shows at once; this bounds how late a registration window opening or closing shows).
PILOTS_PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PILOTS_PUBLIC_PAGE_CACHE_SECONDS", "30"))
# Version of the privacy notice teachers consent to; bump when its text changes.
PILOTS_PRIVACY_NOTICE_VERSION = "2024-11"

# Registration. The rate limit counts in the default cache. django-ratelimit knows only
# memcached and django-redis by name: Django's own RedisCache counts atomically too (SET NX + INCRBY),
# so its "not officially supported" warning is silenced. The local-memory cache counts atomically
# but only inside one process: fine for `make run` and tests; its error (E003) is silenced there,
# and `manage.py check --deploy` warns (pilots.W001) when production runs without REDIS_URL.
RATELIMIT_USE_CACHE = "default"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# The client's address for rate limits comes from the one function that knows the proxies in front
# (PILOTS_PROXY_COUNT, see "Doors" below).
RATELIMIT_IP_META_KEY = "pilots.client_ip.client_ip"
# Absolute address used in emails for the teacher's "My registration" link.
PILOTS_SITE_URL = os.environ.get("PILOTS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Emails that fail (mail server down) are retried by the task worker this many times in all, the
# first retry after PILOTS_EMAIL_RETRY_SECONDS, each next one waiting twice as long.
PILOTS_EMAIL_MAX_ATTEMPTS = int(os.environ.get("PILOTS_EMAIL_MAX_ATTEMPTS", "5"))
PILOTS_EMAIL_RETRY_SECONDS = float(os.environ.get("PILOTS_EMAIL_RETRY_SECONDS", "120"))
# Registering again re-sends the status link, but not within this many seconds of the last email
# about the same enrolment (a double click, a retried request, a form submitted twice).
PILOTS_LINK_EMAIL_COOLDOWN = int(os.environ.get("PILOTS_LINK_EMAIL_COOLDOWN", "120"))
# Task workers write a heartbeat this often; a RUNNING task whose worker has not been seen for
# PILOTS_WORKER_STALE_AFTER seconds is queued again (our tasks are safe to run twice).
PILOTS_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("PILOTS_WORKER_HEARTBEAT_SECONDS", "5"))
PILOTS_WORKER_STALE_AFTER = float(os.environ.get("PILOTS_WORKER_STALE_AFTER", "60"))
# The reports' covering indexes (INCLUDE columns) are a PostgreSQL feature; SQLite builds them as
# plain indexes, which is fine for `make run`.
if not IS_POSTGRES:
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Doors: proxies, login throttling, status links, logs -------------------------------------

# How many trusted reverse proxies stand in front of the site; 0: none, the client's address is
# REMOTE_ADDR. Every rate limit and the login throttling take the address from pilots.client_ip.
PILOTS_PROXY_COUNT = int(os.environ.get("PILOTS_PROXY_COUNT", "0"))

# Login throttling (django-axes) on the staff sign-in and the admin's: after AXES_FAILURE_LIMIT wrong
# passwords for one account (from any address), or from one address (for any account), sign-in is
# refused for AXES_COOLOFF_TIME, and each refused attempt starts the pause again. Counted in Redis
# when REDIS_URL is set (shared by every process, expires on its own), else in the database.
AXES_FAILURE_LIMIT = int(os.environ.get("PILOTS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("PILOTS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "pilots.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "pilots.login_throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"
# The attempt log keeps no request data (it could hold a `next` address).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "next"]

# The "My registration" link works until this many days after its cohort's end (or after it was
# sent, for a link sent later); then the page offers a fresh one by email.
PILOTS_STATUS_LINK_DAYS = int(os.environ.get("PILOTS_STATUS_LINK_DAYS", "90"))
# Requests for fresh links: per address and per email (django-ratelimit syntax).
PILOTS_LINK_REQUEST_RATE = os.environ.get("PILOTS_LINK_REQUEST_RATE", "10/h")
PILOTS_LINK_REQUEST_EMAIL_RATE = os.environ.get("PILOTS_LINK_REQUEST_EMAIL_RATE", "3/h")

# Status-link tokens never reach a log: every handler redacts them from request paths and referrers.
LOGGING["filters"] = {"redact_tokens": {"()": "pilots.log_redaction.RedactTokensFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["redact_tokens"]
# Django's own handlers for "django" and "django.server" (DEFAULT_LOGGING) would print unredacted
# lines: those loggers hand their records to the root's filtered console instead.
LOGGING["loggers"]["django"] = {"handlers": [], "level": "INFO", "propagate": True}
LOGGING["loggers"]["django.server"] = {"handlers": [], "level": "INFO", "propagate": True}

# Teachers' data rights (pilots.privacy). Due dates of data requests per country: days to
# acknowledge (working days: no weekend, no PublicHoliday of the country) and calendar days to act,
# per request kind or by default. Thailand's PDPA: 30 days. Vietnam (Law 91/2025, Decree 356/2025):
# an answer within 2 working days, withdrawal of consent within 15 days; the 15 days for the other
# kinds are a conservative default to be checked against the decree. Cambodia has no law in force:
# the Thai and Vietnamese baseline, whichever is stricter. "" (a teacher of no known country) takes
# the strictest of the three.
PILOTS_PRIVACY_DEADLINES = {
    "VN": {"acknowledge_working_days": 2, "days": {"withdrawal": 15}, "default_days": 15},
    "TH": {"acknowledge_working_days": None, "days": {}, "default_days": 30},
    "KH": {"acknowledge_working_days": 2, "days": {"withdrawal": 15}, "default_days": 30},
    "": {"acknowledge_working_days": 2, "days": {"withdrawal": 15}, "default_days": 15},
}
# Staff are reminded of an open data request this many days before it is due (remind_data_requests).
PILOTS_PRIVACY_REMIND_DAYS = int(os.environ.get("PILOTS_PRIVACY_REMIND_DAYS", "3"))
# Who receives those reminders when a request has no handler yet (comma-separated addresses).
PILOTS_PRIVACY_EMAILS = [a for a in os.environ.get("PILOTS_PRIVACY_EMAILS", "").split(",") if a]
# Retention when a programme sets none: months after its last cohort ends, and months after the
# cohort for applications that were rejected, withdrawn or left on the waiting list.
PILOTS_RETENTION_MONTHS_AFTER_LAST_COHORT = int(os.environ.get("PILOTS_RETENTION_MONTHS_AFTER_LAST_COHORT", "60"))
PILOTS_RETENTION_MONTHS_UNPLACED = int(os.environ.get("PILOTS_RETENTION_MONTHS_UNPLACED", "12"))

# JSON API (pilots.api, /api/v1/). django-ninja builds the OpenAPI schema; "ninja" is installed so
# that its docs page uses the Swagger UI files shipped in the package (our static files, no CDN).
INSTALLED_APPS += ["ninja", "corsheaders"]
# CORS: partners' and ministries' own sites may read the public endpoints from the browser (open
# trainings); nothing else, no cookies, no credentials. django-cors-headers answers the preflight
# and sets Vary: Origin; placed before CommonMiddleware as it asks.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "corsheaders.middleware.CorsMiddleware"
)
CORS_URLS_REGEX = r"^/api/v1/public/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Content-Language", "Retry-After"]
# Requests per token (partners' dashboards, staff tools) and per IP address on the public
# endpoints, counted in the default cache (Redis with REDIS_URL), django-ratelimit syntax.
PILOTS_API_TOKEN_RATE = os.environ.get("PILOTS_API_TOKEN_RATE", "120/m")
PILOTS_API_PUBLIC_RATE = os.environ.get("PILOTS_API_PUBLIC_RATE", "300/m")

# Check-in: the code on the staff screen changes every this many seconds.
PILOTS_CHECKIN_WINDOW_SECONDS = int(os.environ.get("PILOTS_CHECKIN_WINDOW_SECONDS", "30"))

# Translated content (pilots/translation.py): one column per language; a page shows the reader's
# language and falls back to English, which the templates mark with lang="en".
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "km", "th", "vi")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# A refused form (expired CSRF token, cookies blocked) explained in the teacher's language.
CSRF_FAILURE_VIEW = "pilots.views.csrf_failure"
# Date formats of our readers where Django's differ (Vietnamese "ngày" in lower case...).
FORMAT_MODULE_PATH = ["pilots.formats"]

# ---------------------------------------------------------------------------------------------------
# Production stack (deploy/, README "Running in production"): the proxy in front, sessions in Redis,
# the read replica, the health probes and JSON-line logs.

# PILOTS_PROXY_COUNT (above, with the login throttling) is 1 behind the stack's nginx.
# Behind nginx, with CSRF's Referer check on HTTPS, the Host header nginx passes on is the origin.
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST")
# Load balancers and supervisors probe the app servers over plain HTTP on their private port.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Sessions: the database by default; "django.contrib.sessions.backends.cache" (Redis only) or
# "...cached_db" (Redis, written through to the database) keep app servers stateless and fast.
SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "django.contrib.sessions.backends.db")
if SESSION_ENGINE.endswith((".cache", ".cached_db")) and not REDIS_URL and not (DEBUG or TESTING):
    raise ImproperlyConfigured(
        "SESSION_ENGINE keeps sessions in the cache, but REDIS_URL is not set: each process would "
        "keep its own sessions and users would be logged out at random. Set REDIS_URL."
    )

# Read replica: reports and exports read from it (pilots/db_router.py), except for a user who has
# just written (pinned to the primary for PILOTS_PRIMARY_PIN_SECONDS) and while it lags more than
# PILOTS_REPLICA_MAX_LAG_SECONDS or does not answer (then the primary serves, and /readyz warns).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
PILOTS_READ_REPLICA = ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that is down must cost a report seconds, not a minute.
        DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    PILOTS_READ_REPLICA = "replica"
elif TESTING:
    # Tests of the router switch PILOTS_READ_REPLICA on against this mirror of the test database.
    DATABASES["replica"] = {**DATABASES["default"]}
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["pilots.db_router.ReplicaRouter"]
PILOTS_REPLICA_NAMESPACES = ["reports"]
PILOTS_PRIMARY_PIN_SECONDS = int(os.environ.get("PILOTS_PRIMARY_PIN_SECONDS", "15"))
PILOTS_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("PILOTS_REPLICA_MAX_LAG_SECONDS", "30"))
PILOTS_REPLICA_CHECK_SECONDS = float(os.environ.get("PILOTS_REPLICA_CHECK_SECONDS", "5"))
MIDDLEWARE.append("pilots.db_router.ReadYourWritesMiddleware")

# /readyz warns about each worker id in PILOTS_WORKER_NAMES (`db_worker --worker-id`; if empty, about
# all workers together) whose heartbeat is older than PILOTS_WORKER_STALE_AFTER (above).
PILOTS_WORKER_NAMES = env_list("PILOTS_WORKER_NAMES")

# Logs: JSON lines in production (LOG_FORMAT=json, the default with DEBUG off), plain text in
# development; the teacher's status token is redacted from every record (pilots/json_logging.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {
        "json": {
            "()": "pilots.json_logging.RedactingJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    }
    LOGGING["handlers"]["console"]["formatter"] = "json"
