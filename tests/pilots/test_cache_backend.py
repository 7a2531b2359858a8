"""The project's Redis cache (production, REDIS_URL): `incr` as Django's, in one round trip, and a
counter keeps its expiry; keys that never expire are written with one command."""

import os

import pytest
import redis

from pilots.cache_backend import RedisCache

URL = os.environ.get("PILOTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis at {URL}")
    backend = RedisCache(URL, {"KEY_PREFIX": "pilots-test-incr"})
    backend.clear()
    yield backend
    backend.clear()


def _commands(backend, monkeypatch):
    sent = []
    client = backend._cache.get_client(write=True)
    real = client.execute_command
    monkeypatch.setattr(client, "execute_command", lambda *args, **kw: sent.append(args[0]) or real(*args, **kw))
    return sent


def test_incr_counts_up_in_one_round_trip_and_keeps_the_expiry(cache, monkeypatch):
    cache.add("rate:127.0.0.1", 0, 60)
    assert cache.incr("rate:127.0.0.1") == 1  # the first may load the script into Redis
    sent = _commands(cache, monkeypatch)
    assert [cache.incr("rate:127.0.0.1") for _ in range(3)] == [2, 3, 4]
    assert len(sent) == 3  # one command each (Django's client sends EXISTS, then INCRBY)
    assert cache.get("rate:127.0.0.1") == 4
    key = cache.make_and_validate_key("rate:127.0.0.1")
    assert 0 < redis.Redis.from_url(URL).ttl(key) <= 60


def test_incr_of_a_missing_key_raises_as_django_s_and_creates_nothing(cache):
    with pytest.raises(ValueError):
        cache.incr("rate:203.0.113.9")
    assert cache.get("rate:203.0.113.9") is None
    cache.set("rate:203.0.113.9", 5)
    assert cache.incr("rate:203.0.113.9", 10) == 15


def test_set_many_without_expiry_is_one_command_and_with_one_keeps_it(cache, monkeypatch):
    raw = redis.Redis.from_url(URL)
    cache.set("version:old", "x", 30)
    sent = _commands(cache, monkeypatch)
    cache.set_many({"version:old": "a", "version:new": "b"}, None)
    assert sent == ["MSET"]  # Django's client wraps it in MULTI ... EXEC
    assert cache.get_many(["version:old", "version:new"]) == {"version:old": "a", "version:new": "b"}
    assert raw.ttl(cache.make_and_validate_key("version:old")) == -1  # no expiry left over
    cache.set_many({"version:timed": "c"}, 60)
    assert 0 < raw.ttl(cache.make_and_validate_key("version:timed")) <= 60
