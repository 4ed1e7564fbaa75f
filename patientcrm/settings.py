"""PatientCRM settings: one module, read from the environment.

Nothing set gives the embedded default (SQLite, eager Celery, console e-mail,
DEBUG on). DEBUG=0 is production and refuses to start without SECRET_KEY and
ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set: {why}")
    return value


DEBUG = env_bool("DEBUG", True)
PRODUCTION = not DEBUG

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", "production (DEBUG=0) never runs on a default key")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production (DEBUG=0)")
else:
    SECRET_KEY = env_str(
        "SECRET_KEY", "embedded-default-insecure-key-only-for-development-and-tests-0123456789"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, with a site that keeps every ModelAdmin safe from junk input.
    "patientcrm.adminsite.PatientAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "profiles",
    "accounts",
    "shop",
    "surveys",
    "campaigns",
    "coupons",
    "feedback",
    "contacts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the session, a form or the database with the request's input.
    "patientcrm.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "profiles.middleware.VisitMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "patientcrm.urls"
WSGI_APPLICATION = "patientcrm.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "csp.context_processors.nonce",
                "shop.context_processors.cart",
                "surveys.context_processors.survey_invitation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        # A fresh PostgreSQL connection per request costs ~8x the throughput here:
        # keep connections open and check them before reuse.
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserIdOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Failed logins: 5 tries per user ID *and* address, then a short cool-off, so a
# stranger guessing from elsewhere cannot lock the real customer out for long.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Trust X-Forwarded-For only when told how many proxies stand in front of us.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en-gb"
# How a phone number without a country code is read (ISO 3166 code).
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "GB")
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Content Security Policy: no inline script anywhere ----------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws form controls and the menu icon with data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Security ------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The compose health check calls /healthz over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- E-mail --------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if env_str("EMAIL_BACKEND"):
    EMAIL_BACKEND = env_str("EMAIL_BACKEND")
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PatientCRM shop <shop@patientcrm.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------
# Rate limits count in the cache, so processes must share it in production: set
# CACHE_URL (Redis). Without it each process keeps its own memory cache, which is
# right for the embedded demo and for tests.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Celery --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A hung or absent broker must never hang a web request: short socket timeouts
# and a brief publish retry; the caller logs the failure and a sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    # Longer than the longest task (a full pattern recompute), so an unacked
    # task is not handed to a second worker while the first still runs it.
    "visibility_timeout": 60 * 60 * 2,
    "max_retries": 1,
}
# Every periodic job, in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "send-pending-welcome-emails": {
        "task": "accounts.tasks.send_pending_welcome_emails_task",
        "schedule": 5 * 60,
    },
    # Orders whose refresh task was lost (broker down at checkout) are caught here.
    "sweep-stale-buying-patterns": {
        "task": "shop.tasks.sweep_stale_patterns_task",
        "schedule": 60,
    },
    # Recency changes every day, so everybody is rescored nightly.
    "recompute-all-buying-patterns": {
        "task": "shop.tasks.recompute_all_patterns_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Orders arrive as touchpoints at any time; conversions are attributed hourly.
    # New mail in the customer-care mailbox becomes contact logs (off without a host).
    "ingest-contact-mail": {
        "task": "contacts.tasks.ingest_imap_task",
        "schedule": 5 * 60,
    },
    # Catch-up for tasks lost while the broker was down: essences and feedback replies.
    "sweep-contact-essences": {
        "task": "contacts.tasks.essence_sweep_task",
        "schedule": 5 * 60,
    },
    "send-pending-feedback-replies": {
        "task": "feedback.tasks.send_pending_feedback_replies_task",
        "schedule": 5 * 60,
    },
    # A campaign scheduled in the admin starts within a minute of its time.
    "send-due-campaigns": {
        "task": "campaigns.tasks.send_due_campaigns_task",
        "schedule": 60,
    },
    "attribute-campaign-conversions": {
        "task": "campaigns.tasks.attribute_conversions_task",
        "schedule": crontab(minute=40),
    },
    # After the conversions: a recipient who converted within the window is no "ignored".
    "record-ignored-campaign-recipients": {
        "task": "campaigns.tasks.record_ignored_task",
        "schedule": crontab(minute=50),
    },
}

# --- Logging -------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Eager tasks run inside the request or command: their "succeeded" lines are noise.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# --- PatientCRM ----------------------------------------------------------------
PRIVACY_POLICY_VERSION = "2026-12"
VISIT_INACTIVITY = timedelta(minutes=30)
# A shopper is invited to at most one new survey in this many days.
SURVEY_OFFER_INTERVAL_DAYS = env_int("SURVEY_OFFER_INTERVAL_DAYS", 30)
# Campaign e-mails link back here; tracked links and the unsubscribe link need it absolute.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# An order this many days after a customer first opened or clicked counts as a conversion.
CAMPAIGN_CONVERSION_WINDOW_DAYS = env_int("CAMPAIGN_CONVERSION_WINDOW_DAYS", 14)
# Recipients per Celery task when a campaign is sent.
CAMPAIGN_SEND_BATCH = env_int("CAMPAIGN_SEND_BATCH", 200)
# Dashboards never show a number covering fewer customers than this.
MIN_CELL_SIZE = 5

# --- Contact logs -------------------------------------------------------------------
# The customer-care mailbox, read every five minutes; empty host = no IMAP import.
CONTACTS_IMAP_HOST = env_str("CONTACTS_IMAP_HOST")
CONTACTS_IMAP_PORT = env_int("CONTACTS_IMAP_PORT", 993)
CONTACTS_IMAP_USER = env_str("CONTACTS_IMAP_USER")
CONTACTS_IMAP_PASSWORD = env_str("CONTACTS_IMAP_PASSWORD")
CONTACTS_IMAP_FOLDER = env_str("CONTACTS_IMAP_FOLDER", "INBOX")
CONTACTS_IMAP_BATCH = env_int("CONTACTS_IMAP_BATCH", 200)
CONTACTS_IMAP_TIMEOUT = env_int("CONTACTS_IMAP_TIMEOUT", 30)
