"""Every hardening test runs on loopback only, with an empty cache."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _loopback_only(outbound):
    yield outbound


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
