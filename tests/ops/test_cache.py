"""CACHE_URL selects the cache; a Redis URL gives one cache shared by every app process."""

import socket
import uuid

import environ
import pytest
import redis
from django.conf import settings

from tests.manage_process import production_env, run_manage
from tinyforge.cache_config import BUILTIN_REDIS_BACKEND, cache_config_from_url

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_redis_url_selects_builtin_backend():
    config = cache_config_from_url(REDIS_URL, key_prefix="tinyforge")

    assert config == {
        "BACKEND": BUILTIN_REDIS_BACKEND,
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "tinyforge",
    }


def test_redis_url_ignores_installed_django_redis(monkeypatch):
    # django-environ picks this backend whenever django-redis is importable.
    monkeypatch.setitem(environ.Env.CACHE_SCHEMES, "redis", "django_redis.cache.RedisCache")

    config = cache_config_from_url(REDIS_URL, key_prefix="tinyforge")

    assert config["BACKEND"] == BUILTIN_REDIS_BACKEND


@pytest.mark.parametrize(("url", "location"), [
    ("rediss://127.0.0.1:6380/1", "rediss://127.0.0.1:6380/1"),
    ("rediscache://127.0.0.1:6379/2", "redis://127.0.0.1:6379/2"),
    ("redis:///run/redis/redis.sock", "unix:///run/redis/redis.sock"),
])
def test_redis_url_variants_select_builtin_backend(url, location):
    config = cache_config_from_url(url, key_prefix="tinyforge")

    assert config["BACKEND"] == BUILTIN_REDIS_BACKEND
    assert config["LOCATION"] == location


def test_redis_url_options_keep_builtin_spelling():
    # Django's RedisCache passes OPTIONS to redis-py, whose keywords are lower case.
    config = cache_config_from_url(f"{REDIS_URL}?health_check_interval=30", key_prefix="tinyforge")

    assert config["OPTIONS"] == {"health_check_interval": 30}


def test_key_prefix_replaces_one_in_url():
    config = cache_config_from_url(f"{REDIS_URL}?key_prefix=other", key_prefix="tinyforge")

    assert config["KEY_PREFIX"] == "tinyforge"


def test_default_cache_is_local_memory():
    config = cache_config_from_url("locmemcache://tinyforge", key_prefix="tinyforge")

    assert config == {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tinyforge",
        "KEY_PREFIX": "tinyforge",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }


def test_settings_key_prefix_defaults_to_tinyforge():
    assert settings.CACHES["default"]["KEY_PREFIX"] == "tinyforge"


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not reachable on 127.0.0.1:6379")
def test_redis_cache_shared_between_processes(tmp_path):
    # A prefix of its own keeps this test apart from anything else in Redis.
    key_prefix = f"tinyforge-test-{uuid.uuid4().hex}"
    env = production_env(
        CACHE_URL=REDIS_URL,
        TINYFORGE_CACHE_PREFIX=key_prefix,
        DATABASE_URL=f"sqlite:///{tmp_path / 'tinyforge.sqlite3'}",
    )
    client = redis.Redis.from_url(REDIS_URL)
    stored_key = f"{key_prefix}:1:shared-value"
    try:
        writer = run_manage("shell", "--no-imports", "-c", (
            "from django.core.cache import caches\n"
            "cache = caches['default']\n"
            "cache.set('shared-value', 'written by the first process', 60)\n"
            "print(f'{type(cache).__module__}.{type(cache).__name__}')\n"
        ), **env)
        assert writer.returncode == 0, writer.stderr
        assert writer.stdout.strip() == BUILTIN_REDIS_BACKEND
        assert client.exists(stored_key) == 1

        reader = run_manage("shell", "--no-imports", "-c", (
            "from django.core.cache import caches\n"
            "print(caches['default'].get('shared-value'))\n"
        ), **env)
        assert reader.returncode == 0, reader.stderr
        assert reader.stdout.strip() == "written by the first process"
    finally:
        client.delete(stored_key)
        client.close()
