"""Django's Redis cache, keeping one Redis client per connection pool.

Django's RedisCacheClient builds a new ``redis.Redis`` object for every cache call (a dict of about
170 response callbacks each time): about 0.2 ms of CPU per call, which was as much as the status
page's database query (issue 17). A ``redis.Redis`` object is safe to share between threads (it
takes a connection from its pool per command), and Django keeps one cache object per thread anyway,
so the client is built once per pool and reused. Everything else is Django's.

settings.CACHES uses it whenever CACHE_URL names Redis (``rediscache://…``).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
