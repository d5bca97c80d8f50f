"""Settings for Report Archive, read from the environment.

Development defaults are safe to run locally; with DEBUG off the settings
refuse to start unless the variables production needs are set.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
RUNNING_TESTS = "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or RUNNING_TESTS):
        # One line, no traceback: the operator needs the fix, not a stack.
        sys.exit("Refusing to start: set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "reversion",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "archive",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RefuseNulMiddleware",
    # Compression (BREACH-safe) wraps everything that writes the body; ETags
    # and 304s are computed inside it, on the uncompressed body.
    "archive.middleware.CompressionMiddleware",
    "archive.middleware.CacheControlMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

SQLITE_PATH = BASE_DIR / "var" / "archive.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while a writer commits; IMMEDIATE transactions take
    # the write lock up front, so two writers queue on the busy timeout instead
    # of failing mid-transaction with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=30000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

# Read replicas (config/routers.py): public reads go to the replica, every
# write, the admin and anything inside a transaction to the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
ADMIN_PATH = "/admin/"
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # Under test the "replica" is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
    MIDDLEWARE_FIRST = ["config.routers.PrimaryForEditorsMiddleware"]
else:
    MIDDLEWARE_FIRST = []

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or RUNNING_TESTS
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

SITE_NAME = "Report Archive"
# The licence the open data (/data/, export_dataset) and the API are published under.
DATA_LICENSE = {
    "name": os.environ.get("DATA_LICENSE_NAME", "CC-BY-4.0"),
    "title": os.environ.get("DATA_LICENSE_TITLE", "Creative Commons Attribution 4.0"),
    "path": os.environ.get("DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"),
}
# Where /data/ serves the latest export_dataset snapshot from.
DATASET_DIR = Path(os.environ.get("DATASET_DIR", BASE_DIR / "var" / "dataset"))

# Importing at the desk (archive/admin/importing/): one upload holds at most this
# many transcripts (a .zip's members counted one by one) and this many bytes, sent
# and uncompressed alike. Between the preview and the import, the files wait in
# IMPORT_STAGING_DIR (a folder every app server shares) for IMPORT_STAGING_HOURS.
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("IMPORT_UPLOAD_MAX_BYTES", "10000000"))
IMPORT_UPLOAD_MAX_FILES = int(os.environ.get("IMPORT_UPLOAD_MAX_FILES", "200"))
IMPORT_STAGING_DIR = Path(os.environ.get("IMPORT_STAGING_DIR", BASE_DIR / "var" / "imports"))
IMPORT_STAGING_HOURS = int(os.environ.get("IMPORT_STAGING_HOURS", "24"))
# Django refuses a request of more files than this before any view sees it; the
# import view counts them itself, with a clear refusal, so it allows one more.
DATA_UPLOAD_MAX_NUMBER_FILES = max(100, IMPORT_UPLOAD_MAX_FILES + 1)

# The read-only JSON API (archive/api/): public, anonymous, JSON only.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "archive.api.http.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "archive.api.schema.ArchiveAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Report Archive API",
    "DESCRIPTION": "Read-only access to the public archive: reports, segments, speakers, "
    "organizations, topics, quotes and search. Lists use cursor pagination "
    "(`page_size` up to 200). Errors are RFC 9457 problem details.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

MIDDLEWARE = MIDDLEWARE_FIRST + MIDDLEWARE

# The public page cache (archive/caching.py). Per process by default: its keys
# hold the database's change counters, so no worker or server serves a stale
# page. CACHE_URL=redis://host:6379/0 shares one cache between every worker
# and app server (Django's built-in Redis backend), so a page rendered once is
# served by all of them.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
PUBLIC_PAGE_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "public-pages",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        sys.exit(f"Refusing to start: CACHE_URL must be a redis:// URL, not {CACHE_URL!r}.")
    PUBLIC_PAGE_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "TIMEOUT": 600,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "report-archive"),
    }
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": PUBLIC_PAGE_CACHE,
}

# --- Security ------------------------------------------------------------
# Production defaults: with DEBUG off every item below is on, so that
# `manage.py check --deploy` is clean. Each can be turned off from the
# environment for a setup that needs it (e.g. `make serve` on plain HTTP).
PRODUCTION = not (DEBUG or RUNNING_TESTS)

# TLS ends at a proxy in front of gunicorn; the proxy must set (overwrite)
# X-Forwarded-Proto, so Django knows the client spoke HTTPS.
if env_bool("SECURE_PROXY_SSL_HEADER", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off under pytest: the suite's test client speaks plain HTTP.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): everything from our own origin, no
# inline script or style. The admin of Django 5.2 runs under it unchanged.
# Fixtures and backups in JSON are read by archive/fixture_json.py: Django's
# format, also taking records made before the corrections log (migration 0010).
SERIALIZATION_MODULES = {"json": "archive.fixture_json"}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        # Recordings play in the report's page: from the site itself or over https.
        "media-src": ["'self'", "https:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one
# username from one address, that pair is locked for the cool-off period.
# Locking the pair, not the username alone, keeps a stranger from locking an
# editor out; not the address alone, so an office behind one NAT keeps working.
# Attempts live in the database, so every app server sees the same count.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware", "axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "archive.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind N proxies REMOTE_ADDR is the nearest proxy's, shared by everyone:
# TRUSTED_PROXY_COUNT=N makes the lockout count by the address the N-th
# proxy from the right appended to X-Forwarded-For (the one it saw).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "archive.lockout.client_ip"
