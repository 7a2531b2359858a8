"""Django's Redis cache with one Redis client per process and server, and `incr` in one round trip.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache call (sharing the
connection pool): a registration made five of them (rate limit, report version, ...). This client
keeps the one it built per connection pool. redis-py clients are safe to share between threads: each
command takes a connection from the pool.

Django's `incr` asks EXISTS, then INCRBY: two round trips on every rate-limited request
(django-ratelimit counts with `add` then `incr`), and a key that expires in between comes back from
INCRBY as a new key without an expiry, a counter that would never reset. Here one script does both,
atomically. `set_many` of keys that never expire is one MSET.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

# INCRBY only a key that exists; nil (None) otherwise.
INCR_EXISTING = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def set_many(self, data, timeout):
        if timeout is not None:
            return super().set_many(data, timeout)
        # Keys without expiry (the data versions, replaced on every registration): one MSET, not
        # Django's MULTI / MSET / EXEC pipeline, which only needs to be one for the EXPIREs.
        self.get_client(None, write=True).mset({k: self._serializer.dumps(v) for k, v in data.items()})

    def incr(self, key, delta):
        # redis-py's Script sends EVALSHA, and loads the script first where Redis lacks it.
        value = self.get_client(key, write=True).register_script(INCR_EXISTING)(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
