"""Settings for the Technical Guidelines portal.

One module for every environment: values come from environment variables (see README.md),
with safe local defaults (DEBUG on, a SQLite file in the project folder).
"""

import datetime
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from guidelines_portal.env import env_bool, env_int, env_list, env_secret_file, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

# The key itself, or the file that holds it (SECRET_KEY_FILE: `make run` generates one in
# .secret_key on the first run, mode 0600; a mounted secret elsewhere). Never a default
# with DEBUG off: a file is read only when the environment names it.
SECRET_KEY = env_str("SECRET_KEY") or env_secret_file("SECRET_KEY_FILE")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE name a file holding it)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # modeltranslation patches models before the admin and our apps' ready() run.
    "modeltranslation",
    # Before the admin: our ready() registers versioned models (both languages, no derived
    # fields) before the admin's autodiscovery would register them its own way.
    "modules",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "reversion",
    "reversion_compare",
    "csp",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "feedback",
    "alerts",
    "api",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # backup codes (stored as digests: accounts.services)
    "axes",
    "accounts",
    # Operations commands (backup, restore) live in the project package.
    "guidelines_portal",
]

MIDDLEWARE = [
    # Outermost: the API's documents vary by encoding only (api.middleware).
    "api.middleware.DocumentVary",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Published pages, as files, before sessions and sign-in (guidelines_portal.page_store).
    "guidelines_portal.page_store.middleware.StoredPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale, so its refusal is in the reader's language.
    "guidelines_portal.middleware.RequestHygieneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guidelines_portal.urls"
# Staff sign in through the back office (previews redirect there too).
LOGIN_URL = "admin:login"
# Where a sign-in ends when its "next" is missing or unsafe: the back office, not Django's
# default /accounts/profile/ (which does not exist here).
LOGIN_REDIRECT_URL = "admin:index"
# The largest upload (multipart request) accepted, refused on its declared length before it is
# read: the XLIFF import takes files of up to 2 MB, plus the form around them.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 2 * 1024 * 1024 + 64 * 1024)
WSGI_APPLICATION = "guidelines_portal.wsgi.application"

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
                "modules.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock at the start of a transaction instead of failing half-way
    # ("database is locked") when several server processes write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Cache: local memory per process by default; Redis (CACHE_URL=redis://host:6379/0) shares it
# between server processes and hosts, which rate limits and comparisons need in production.
# What is made from published editions, which never change (search results, fragments of
# reading pages), has an alias of its own, "published": a flood of different searches fills
# and culls that one, never the rate-limit counters in "default".
CACHE_URL = env_str("CACHE_URL")
CACHES: dict[str, dict[str, Any]]
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": prefix,
        }
        for alias, prefix in (("default", "tg2370"), ("published", "tg2370-published"))
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must start with redis:// or rediss://")
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "published": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "published",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Staff sign-in (accounts app; see README, Security) ---
# django-axes refuses a sign-in before checking the password once one username has failed
# AXES_FAILURE_LIMIT times from one address: the pair, so a stranger typing someone's name
# (or none) locks only themselves out, never the editor at their desk.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "guidelines_portal.abuse.client_ip_address"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False  # the accounts app logs sign-in events itself, without the form data
# Password attempts per client address (any usernames) per window, across processes.
LOGIN_RATE_LIMIT = env_int("LOGIN_RATE_LIMIT", 30)
LOGIN_RATE_WINDOW = env_int("LOGIN_RATE_WINDOW", 900)
# Failed sign-ins for one account (from any addresses) per LOGIN_RATE_WINDOW before every
# further one is logged as an ERROR, for alerting: guessing spread over many addresses.
LOGIN_ACCOUNT_ALERT = env_int("LOGIN_ACCOUNT_ALERT", 20)
# Two-step codes tried per account per LOGIN_RATE_WINDOW (a new app has no throttle yet).
TWO_STEP_RATE_LIMIT = env_int("TWO_STEP_RATE_LIMIT", 10)
# Every staff sign-in is confirmed with a code from an authenticator app (TOTP), set up at
# the first sign-in. Turn off only on a developer's machine (STAFF_TWO_FACTOR=0).
STAFF_TWO_FACTOR = env_bool("STAFF_TWO_FACTOR", default=True)
# An authenticator app is set up only after opening a set-up link (manage.py staff_setup_link,
# printed by create_editor), valid this many hours and once: a password alone, stolen before
# its owner's first sign-in, cannot enrol the thief's phone.
STAFF_SETUP_LINK_HOURS = env_int("STAFF_SETUP_LINK_HOURS", 72)
# Backup codes made at a time (each works once), for a sign-in without the phone; a staff
# member makes new ones, or a new authenticator app, themselves (accounts.views).
BACKUP_CODE_COUNT = 10
# How long a password confirmation lets a staff member change their second factor.
SECOND_FACTOR_CHANGE_MINUTES = 10
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "TG-2370 guidelines portal")
# Nobody, not even a superuser, can read another person's secret key in the back office.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A wrong code doubles the wait before the next try (1 s, 2 s, 4 s, ...).
OTP_TOTP_THROTTLE_FACTOR = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English is the source text, Russian its translation.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["guidelines_portal.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "static/"
# collectstatic writes here (elsewhere for a test server of its own).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise before any
# session or sign-in middleware: a browser's icon request beside a sign-in must not carry the
# session cookie through the application (it could answer with the key the sign-in replaced).
WHITENOISE_ROOT = BASE_DIR / "site_root"
# Generated files (edition PDFs) are written here; never served from MEDIA_URL directly.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# `manage.py backup` writes here unless told --output (see README, Backup and restore).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Generated PDFs in shared storage for several hosts: MEDIA_STORAGE=s3 puts them in a
# private bucket of any S3-compatible service (django-storages); the site still serves them.
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "s3":
    S3_BUCKET = env_str("S3_BUCKET")
    if not S3_BUCKET:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": env_str("S3_PREFIX", "media"),
            # Unset: the instance's role or the standard AWS_* environment variables.
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY") or None,
            "secret_key": env_str("S3_SECRET_KEY") or None,
            "default_acl": None,  # the bucket's own policy: private
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE != "local":
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")

# Published pages stored once and served like files (guidelines_portal.page_store), in the
# default storage above: under MEDIA_ROOT/pages/, or in the bucket for several hosts.
# Off by default with DEBUG, so that a developer's template edits show at once.
PAGE_STORE = env_bool("PAGE_STORE", default=not DEBUG)
# Pages are kept per release of the code; unset, a fingerprint of the code and templates.
PAGE_STORE_RELEASE = env_str("PAGE_STORE_RELEASE")
# Each server process keeps the most read pages in memory, up to this size.
PAGE_STORE_MEMORY_BYTES = env_int("PAGE_STORE_MEMORY_MB", 64) * 1024 * 1024
# From a bucket, each process checks at most this often which generation is current.
PAGE_STORE_STATE_SECONDS = env_int("PAGE_STORE_STATE_SECONDS", 2)
# Cache-Control max-age: "current" addresses follow each new edition; an edition's own
# addresses change only with notices and corrections.
PAGE_STORE_MAX_AGE = env_int("PAGE_STORE_MAX_AGE", 60)
PAGE_STORE_MAX_AGE_EDITION = env_int("PAGE_STORE_MAX_AGE_EDITION", 24 * 3600)

# E-mail: printed to the console locally; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "guidelines-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# For the file backend (benchmarks): where messages are written instead of sent.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None
# Links in e-mail (tracking pages, the back office) start with this.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Searches per client address per window (full-text search is the costliest public page).
SEARCH_RATE_LIMIT = env_int("SEARCH_RATE_LIMIT", 60)
SEARCH_RATE_WINDOW = env_int("SEARCH_RATE_WINDOW", 60)
# The read-only JSON API (/api/v1/) has the same limits as search unless told otherwise.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", SEARCH_RATE_LIMIT)
API_RATE_WINDOW = env_int("API_RATE_WINDOW", SEARCH_RATE_WINDOW)

# The section of the glossary annex: the tables of its sub-sections define the terms marked
# in the text (modules.glossary).
GLOSSARY_SECTION_KEY = env_str("GLOSSARY_SECTION_KEY", "annex-glossary")

# Readers' e-mail alerts: subscription requests per client address per window, and
# domains refused as throw-away mailboxes besides the well-known ones (alerts.disposable).
ALERTS_RATE_LIMIT = env_int("ALERTS_RATE_LIMIT", 10)
ALERTS_RATE_WINDOW = env_int("ALERTS_RATE_WINDOW", 3600)
ALERTS_REFUSED_DOMAINS = env_list("ALERTS_REFUSED_DOMAINS", [])

# Feedback: contributors' tracking links stay valid this long after the last e-mail that
# carried them; each address (IP and e-mail) may send this many comments per window.
FEEDBACK_TRACKING_DAYS = env_int("FEEDBACK_TRACKING_DAYS", 730)
FEEDBACK_RATE_LIMIT = env_int("FEEDBACK_RATE_LIMIT", 10)
FEEDBACK_RATE_WINDOW = env_int("FEEDBACK_RATE_WINDOW", 3600)
# Editors hear of new feedback: everyone who may triage it, or FEEDBACK_NOTIFY_EMAILS.
FEEDBACK_NOTIFY_EDITORS = env_bool("FEEDBACK_NOTIFY_EDITORS", default=True)
FEEDBACK_NOTIFY_EMAILS = env_list("FEEDBACK_NOTIFY_EMAILS", [])
# Daily digests of new comments are due from this hour (TIME_ZONE) each day.
FEEDBACK_DIGEST_HOUR = env_int("FEEDBACK_DIGEST_HOUR", 6)

# --- HTTP security (production defaults when DEBUG is off; see README, Production) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and monitors probe the application port over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
# How many reverse proxies of ours stand in front of the application and append to
# X-Forwarded-For; 0 trusts REMOTE_ADDR only. Client addresses feed rate limits and lockouts.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if env_bool("BEHIND_TLS_PROXY", default=False):
    # The reverse proxy terminates TLS and says so in this header (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# __Host- cookies: only over HTTPS, only for this exact host, never for a parent domain.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the form, never the cookie
# A refused form gets a page in the reader's language saying how to send it again.
CSRF_FAILURE_VIEW = "guidelines_portal.errors.csrf_failure"
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Staff sessions (readers have none) end after this much inactivity.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 3600)
SESSION_SAVE_EVERY_REQUEST = True

# Content-Security-Policy (django-csp 4): no inline or foreign script, no plugin, no <base>,
# no framing; styles may be inline (the admin's own templates use style attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Background tasks (edition PDFs, feedback e-mail): django-tasks. By default its database
# backend, whose worker is `manage.py db_worker --queue-name default,email` (make run starts
# one beside the server). On several hosts, TASKS_BACKEND=django_tasks_rq.RQBackend queues on
# Redis (RQ_URL) and the worker is `manage.py rqworker default email --job-class
# django_tasks_rq.Job --with-scheduler` (the scheduler runs delayed retries).
TASKS_BACKEND = env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
# Queues: "default" (edition PDFs) and "email" (feedback e-mail, feedback.tasks).
TASK_QUEUES = ["default", "email"]
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": TASK_QUEUES}}
RQ_QUEUES = {
    name: {
        "URL": env_str("RQ_URL") or CACHE_URL or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": 1800,  # a long edition's PDF takes minutes
    }
    for name in TASK_QUEUES
}
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # rqworker and the queue pages
# A PDF that fails to build is retried this many times, then shown to editors as failed.
PDF_MAX_ATTEMPTS = env_int("PDF_MAX_ATTEMPTS", 3)

# Demonstration content is labelled on every page while this is on.
PORTAL_DEMO_CONTENT = env_bool("PORTAL_DEMO_CONTENT", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Tokens of tracking and set-up links never reach the logs with the path they are in.
    "filters": {"secret_paths": {"()": "guidelines_portal.log_filters.RedactSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Security events (sign-ins, lockouts, two-step codes, permission denials, rate-limit
        # and honeypot hits): always kept, whatever LOG_LEVEL says. See accounts.security_events.
        "guidelines_portal.security": {"level": "INFO"},
        # WeasyPrint reports every layout step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # django-axes narrates every sign-in at INFO; lockouts reach the security log above.
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["secret_paths"]},
        "django.server": {"handlers": ["console"], "filters": ["secret_paths"], "propagate": False},
    },
}
