"""`CACHE_URL`: the cache several app processes share (lib/cache.py), on a real Redis server.

What must agree between app servers lives in it: the results page bodies and the throttles'
counts. A Redis that goes down must cost speed, never pages: each cache call then answers as
an empty cache would, and the outage is logged once.
"""

import logging

import pytest
import redis
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from assessments import services
from assessments.views import results as results_views
from devtools.services import RedisServer, redis_server
from lib import cache as shared_cache
from lib.cache import cache_from_url, is_shared
from tests.factories import answer_all, make_assessment, make_bank_version, make_respondent


def test_without_a_cache_url_each_process_keeps_its_own_cache():
    setting = cache_from_url("")
    assert setting["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert not is_shared(setting)


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://cache.example.com:6380/1", "unix:///run/r.sock"]
)
def test_a_redis_cache_url_selects_the_shared_cache_with_short_timeouts(url):
    setting = cache_from_url(url)
    assert setting["BACKEND"] == "lib.cache.ForgivingRedisCache"
    assert setting["LOCATION"] == url
    assert setting["OPTIONS"]["socket_timeout"] <= 1
    assert is_shared(setting)


def test_a_cache_url_of_another_kind_is_refused_with_what_is_accepted():
    with pytest.raises(ImproperlyConfigured, match="redis://"):
        cache_from_url("memcached://127.0.0.1:11211")


@pytest.fixture
def redis_cache(settings):
    """The default cache on a Redis server of the test's own, which the test may stop."""
    with redis_server() as server:
        settings.CACHES = {"default": cache_from_url(server.url)}
        shared_cache._Outage.down = False
        yield server
        caches["default"].close()
    shared_cache._Outage.down = False


@pytest.fixture
def renders(monkeypatch):
    calls = []
    original = results_views.results_context

    def counting(assessment):
        calls.append(assessment.pk)
        return original(assessment)

    monkeypatch.setattr(results_views, "results_context", counting)
    return calls


@pytest.fixture
def results_url(gtm_client):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    assessment = make_assessment(gtm_client, version=version, quarter=3, status="open")
    respondent = make_respondent(assessment, name="Mia Marketing")
    answer_all(respondent, "3")
    services.submit(respondent=respondent)
    return reverse("assessments:results", args=[gtm_client.workspace.slug, assessment.pk])


def _fresh_process_cache():
    """Forget this process's cache connections, as another app server would have none."""
    caches["default"].close()
    del caches["default"]


def test_a_results_body_rendered_by_one_server_is_served_by_another(
    client, owner, results_url, redis_cache, renders
):
    client.force_login(owner)
    assert client.get(results_url).status_code == 200
    stored = redis.Redis.from_url(redis_cache.url).keys("relay:*")
    assert stored, "the body went to Redis"

    _fresh_process_cache()
    page = client.get(results_url)
    assert page.status_code == 200 and b'id="detail-heading"' in page.content
    assert len(renders) == 1


def test_throttle_counts_are_kept_in_redis(client, owner, redis_cache, settings):
    settings.PASSWORD_RESETS_PER_EMAIL = 2
    for _ in range(2):
        _fresh_process_cache()
        assert _reset(client, owner.email).status_code == 302
    _fresh_process_cache()
    assert _reset(client, owner.email).status_code == 429


def _reset(client, email):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR="203.0.113.7")


def test_with_redis_down_pages_render_without_the_cache_and_the_outage_is_logged_once(
    client, owner, results_url, redis_cache, renders, caplog
):
    client.force_login(owner)
    assert client.get(results_url).status_code == 200
    redis_cache.stop()

    with caplog.at_level(logging.WARNING, logger="relay.cache"):
        for _ in range(3):
            page = client.get(results_url)
            assert page.status_code == 200 and b'id="detail-heading"' in page.content
    assert len(renders) == 4, "rendered anew while the cache is down"
    outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outages) == 1

    caplog.clear()
    back = RedisServer(port=redis_cache.port).start()  # back, empty, on the same address
    try:
        with caplog.at_level(logging.WARNING, logger="relay.cache"):
            client.get(results_url)
            client.get(results_url)
        assert any("answers again" in r.getMessage() for r in caplog.records)
        assert len(renders) == 5, "cached again once Redis answers"
    finally:
        back.stop()


def test_with_redis_down_throttles_let_people_through_rather_than_refuse_everyone(
    client, owner, redis_cache, settings
):
    settings.PASSWORD_RESETS_PER_EMAIL = 1
    redis_cache.stop()
    assert _reset(client, owner.email).status_code == 302
    assert _reset(client, owner.email).status_code == 302
