"""Settings for `make bench-web`: the real settings, a separate SQLite file, a hello view."""

import os
import warnings

os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")

from config.settings import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "scripts.bench_urls"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": True}

# The bench serves no static files: WhiteNoise need not warn that none were collected.
warnings.filterwarnings("ignore", message="No directory at")

# The bench serves plain HTTP on loopback, as `make serve` does: no HTTPS redirect.
SECURE_SSL_REDIRECT = False
