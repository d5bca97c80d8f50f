"""Several app servers, one page cache: ``CACHE_URL=redis://...`` (Django's Redis
backend) against the Redis server at 127.0.0.1:6379, under a key prefix of
this run's own. CI (REQUIRE_REDIS=1) fails instead of skipping when it is down.
"""

import os
import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

from archive.caching import CACHE_ALIAS
from tests.factories import make_report, make_segment
from tests.test_settings import run_django

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = f"ra-scale-test-{uuid.uuid4().hex[:12]}"


def _redis_down_reason():
    try:
        import redis
    except ImportError:
        return "the redis package is not installed"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis does not answer at {REDIS_URL}: {error}"
    return None


REDIS_DOWN = _redis_down_reason()
if REDIS_DOWN and os.environ.get("REQUIRE_REDIS") == "1":
    raise RuntimeError(f"Redis required but unavailable: {REDIS_DOWN}")

SHARED = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    CACHE_ALIAS: {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": PREFIX,
    },
}


@pytest.fixture
def redis_keys():
    """The keys this test wrote; deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    yield lambda: list(client.scan_iter(f"{PREFIX}:*"))
    for key in client.scan_iter(f"{PREFIX}:*"):
        client.delete(key)


def app_server():
    """A fresh cache configuration, as another gunicorn process would have."""
    return override_settings(CACHES=SHARED)


@pytest.mark.skipif(REDIS_DOWN is not None, reason=REDIS_DOWN or "")
@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_by_one_server_is_served_by_another(
    client, django_assert_num_queries, redis_keys
):
    report = make_report("Rendered once")
    url = report.get_absolute_url()
    with app_server():
        from django.core.cache import caches

        first_server_cache = caches[CACHE_ALIAS]
        rendered = client.get(url)
    assert redis_keys(), "the page went to Redis"
    with app_server():
        assert caches[CACHE_ALIAS] is not first_server_cache
        with django_assert_num_queries(1):  # the key only: the page comes from Redis
            served = client.get(url)
    assert served.content == rendered.content


@pytest.mark.skipif(REDIS_DOWN is not None, reason=REDIS_DOWN or "")
@pytest.mark.django_db(transaction=True)
def test_a_save_through_one_server_shows_on_the_next_request_to_another(client, redis_keys):
    segment = make_segment(make_report("Edited"), text="The first wording.")
    url = segment.report.get_absolute_url()
    with app_server():
        assert "The first wording." in client.get(url).text
    segment.text = "The corrected wording."
    segment.save()
    with app_server():
        assert "The corrected wording." in client.get(url).text
        assert "Edited" in client.get(reverse("archive:report_list")).text


def test_cache_url_selects_the_redis_backend_and_its_absence_the_local_one():
    code = (
        "from django.conf import settings; c = settings.CACHES['public_pages']; "
        "print(c['BACKEND'], c.get('LOCATION'))"
    )
    shared = run_django({"SECRET_KEY": "x" * 50, "CACHE_URL": "redis://127.0.0.1:6379/3"}, code)
    assert shared.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/3",
    ]
    local = run_django({"SECRET_KEY": "x" * 50, "CACHE_URL": ""}, code)
    assert local.stdout.split()[0] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_cache_url_that_is_not_redis_refuses_to_start_in_one_line():
    result = run_django({"SECRET_KEY": "x" * 50, "CACHE_URL": "memcached://127.0.0.1:11211"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Refusing to start: CACHE_URL must be a redis:// URL, not 'memcached://127.0.0.1:11211'."
    ]
