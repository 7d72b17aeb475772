"""Fixtures that keep every git test on this machine.

``outbound`` (from ``tests/conftest.py``) is active for every test here: the
resolver answers fixed addresses for test names, and any connection beyond
loopback is refused, recorded and fails the test.
"""

import pytest
import responses
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _loopback_only(outbound):
    yield outbound


@pytest.fixture
def mocked():
    """Mock the forge APIs with ``responses``; the address guard still runs first."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()
