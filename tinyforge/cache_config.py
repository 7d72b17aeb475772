"""Build the ``CACHES["default"]`` entry from a cache URL."""

from urllib.parse import urlsplit

import environ

BUILTIN_REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"

# django-environ maps these schemes to django-redis whenever that package is
# importable (django-environ 0.14, environ/compat.py), so a stray install would
# silently switch backends. Tinyforge always uses Django's own Redis backend.
REDIS_SCHEMES = frozenset({"redis", "rediss", "rediscache"})


def cache_config_from_url(url: str, *, key_prefix: str) -> dict:
    """Parse ``url`` with django-environ and set ``key_prefix`` as the cache's KEY_PREFIX.

    ``redis://``, ``rediss://`` and ``rediscache://`` URLs select
    ``django.core.cache.backends.redis.RedisCache``. A ``key_prefix`` in the URL's
    query string is replaced by ``key_prefix``.
    """
    scheme = urlsplit(url).scheme
    backend = BUILTIN_REDIS_BACKEND if scheme in REDIS_SCHEMES else None
    config = environ.Env.cache_url_config(url, backend=backend)
    config["KEY_PREFIX"] = key_prefix
    if config["BACKEND"] in ("django.core.cache.backends.locmem.LocMemCache",
                             "django.core.cache.backends.filebased.FileBasedCache"):
        # Django's default of 300 entries would evict the GitOps status, ETag
        # and file caches of a few hundred workloads; each entry is small.
        config.setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)
    return config
