"""Each HTTP provider against a loopback forge that misbehaves, one fault at a time.

Every fault must end as ``fetch_failed`` with a plain message, within the
configured timeouts: connect and read 0.5 s, 1.5 s for a whole request.
"""

import time

import pytest
from django.test import override_settings

from gitops.fetch import RepoLocation, fetch_spec
from gitops.status import Status
from tests.hardening.forge import FAULTS, HTTP_PROVIDERS, forge_server, repo_url

TOTAL_TIMEOUT = 1.5
# Slack for thread scheduling on a loaded machine; a blowup takes far longer.
MARGIN = 1.5

SHORT_TIMEOUTS = override_settings(
    TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"],
    TINYFORGE_GIT_CONNECT_TIMEOUT=0.5,
    TINYFORGE_GIT_READ_TIMEOUT=0.5,
    TINYFORGE_GIT_TOTAL_TIMEOUT=TOTAL_TIMEOUT,
)

# Words that show an exception or a traceback leaked into a message.
NOT_PLAIN = ("Traceback", "Error(", "Exception", "<", "object at 0x", "HTTPConnection",
             "urllib3", "requests.")


def assert_plain(message):
    assert message, "the failure has no message"
    for word in NOT_PLAIN:
        assert word not in message, f"{word!r} in {message!r}"


@SHORT_TIMEOUTS
@pytest.mark.parametrize("step", ["resolve", "download"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
def test_fault_gives_fetch_failed(provider, fault, step):
    with forge_server(provider) as (forge, server):
        forge.faults[step] = FAULTS[fault]
        location = RepoLocation(provider, repo_url(server), "main")
        started = time.monotonic()
        result = fetch_spec(location, ".tinyforge.yml", "")
        elapsed = time.monotonic() - started

    assert result.status is Status.FETCH_FAILED, result
    assert_plain(result.message)
    # Resolving and downloading are two requests, each under the total deadline.
    requests = 1 if step == "resolve" else 2
    assert elapsed < requests * TOTAL_TIMEOUT + MARGIN


@SHORT_TIMEOUTS
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
def test_forge_without_faults_gives_ok(provider):
    with forge_server(provider) as (_forge, server):
        result = fetch_spec(RepoLocation(provider, repo_url(server), "main"), ".tinyforge.yml",
                            "")
    assert result.status is Status.OK, result
