"""Server-side request forgery: repository URLs that must never produce a connection.

Each vector points at a real listener on 127.0.0.1 or ::1 where the URL
can carry its port, and the listeners must accept no connection. Vectors
beyond loopback (metadata, private ranges, public names) never leave the
machine either: the ``outbound`` fixture refuses and records any such
connection, and fails the test if one was tried.
"""

import pytest
from django.test import override_settings

from gitops import services
from gitops.status import Status
from tests.git.servers import CountingServer, ScriptedHandler, serving
from tests.hardening.forge import Forge, Listener, redirect_to
from tinyforge.git import FetchError, get_provider
from tinyforge.workloads.models import Workload

PROVIDERS = ("github", "gitlab", "gitea", "git")
PATH = "/acme/app"

# {port} is the IPv4 listener's port, {port6} the IPv6 listener's.
VECTORS = {
    "loopback": "https://127.0.0.1:{port}",
    "loopback_other_address": "https://127.0.0.2:{port}",
    "decimal": "https://2130706433:{port}",
    "octal": "https://0177.0.0.1:{port}",
    "hex_short": "https://0x7f.1:{port}",
    "hex_whole": "https://0x7f000001:{port}",
    "octal_whole": "https://017700000001:{port}",
    "short_form": "https://127.1:{port}",
    "zero_padded": "https://127.000.000.001:{port}",
    "ipv4_mapped": "https://[::ffff:127.0.0.1]:{port}",
    "ipv4_mapped_hex": "https://[::ffff:7f00:1]:{port}",
    "nat64": "https://[64:ff9b::7f00:1]:{port}",
    "sixtofour": "https://[2002:7f00:1::]:{port}",
    "teredo": "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{port}",
    "ipv6_loopback": "https://[::1]:{port6}",
    "ipv6_loopback_long": "https://[0:0:0:0:0:0:0:1]:{port6}",
    "unspecified": "https://0.0.0.0:{port}",
    "zero": "https://0:{port}",
    "ipv6_unspecified": "https://[::]:{port6}",
    "broadcast": "https://255.255.255.255:{port}",
    "multicast": "https://224.0.0.1:{port}",
    "metadata_aws": "https://169.254.169.254:{port}",
    "metadata_aws_ipv6": "https://[fd00:ec2::254]:{port}",
    "metadata_alibaba": "https://100.100.100.200:{port}",
    "metadata_oracle": "https://192.0.0.192:{port}",
    "metadata_azure": "https://168.63.129.16:{port}",
    "metadata_google_name": "https://metadata.google.internal:{port}",
    "private_10": "https://10.0.0.1:{port}",
    "private_192_168": "https://192.168.0.1:{port}",
    "shared_address_space": "https://100.64.0.1:{port}",
    "link_local_ipv6": "https://[fe80::1]:{port}",
    "unique_local_ipv6": "https://[fc00::1]:{port}",
    "localhost": "https://localhost:{port}",
    "localhost_uppercase": "https://LOCALHOST:{port}",
    "localhost_trailing_dot": "https://localhost.:{port}",
    "name_resolving_to_loopback": "https://loopback.example.com:{port}",
    "name_resolving_to_ipv6_loopback": "https://loopback6.example.com:{port6}",
    "name_resolving_to_mapped": "https://mapped.example.com:{port}",
    "name_resolving_to_private": "https://private.example.com:{port}",
    "name_resolving_to_metadata": "https://metadata.example.com:{port}",
    "name_with_public_and_private": "https://mixed.example.com:{port}",
    "name_resolving_to_nat64": "https://nat64.example.com:{port}",
    "userinfo": "https://github.com@127.0.0.1:{port}",
    "userinfo_with_port": "https://github.com:443@127.0.0.1:{port}",
    "userinfo_encoded_slash": "https://gitlab.example.com%2F@127.0.0.1:{port}",
    "fragment_before_at": "https://127.0.0.1:{port}#@github.com",
    "backslash_userinfo": "https://github.com\\@127.0.0.1:{port}",
    "backslash_after_host": "https://127.0.0.1:{port}\\@github.com",
    "percent_encoded_host": "https://%31%32%37.0.0.1:{port}",
    "fullwidth_digits": "https://\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11:{port}",
    "enclosed_digits": "https://\u2460\u2461\u2466.0.0.1:{port}",
    "idn_localhost": "https://\u24db\u24de\u24d2\u24d0\u24db\u24d7\u24de\u24e2\u24e3:{port}",
    "plain_http_loopback": "http://127.0.0.1:{port}",
    "plain_http_public": "http://github.com",
    "port_zero": "https://127.0.0.1:0",
    "port_out_of_range": "https://127.0.0.1:65536",
    "ftp_scheme": "ftp://127.0.0.1:{port}",
    "file_scheme": "file:///etc",
    "header_injection": "https://github.com/acme/app\r\nHost: 127.0.0.1:{port}\r\n",
}

# Where an allow-listed loopback forge redirects; none of these may be followed.
REDIRECT_TARGETS = {
    "other_loopback_port": "http://127.0.0.1:{port}/",
    "localhost": "http://localhost:{port}/",
    "ipv6_loopback": "http://[::1]:{port6}/",
    "decimal_loopback": "http://2130706433:{port}/",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "metadata_name": "http://metadata.google.internal/computeMetadata/v1/",
    "private": "http://10.0.0.1/",
    "https_upgrade": "https://127.0.0.1:{port}/",
}

NOT_PLAIN = ("Traceback", "Error(", "Exception", "object at 0x", "urllib3", "requests.")


@pytest.fixture
def listeners(outbound):
    outbound.hosts["metadata.google.internal"] = ["169.254.169.254"]
    outbound.hosts["loopback6.example.com"] = ["::1"]
    ipv4, ipv6 = Listener("127.0.0.1"), Listener("::1")
    yield ipv4, ipv6
    ipv4.close()
    ipv6.close()
    assert (ipv4.accepted, ipv6.accepted) == (0, 0), "a listener accepted a connection"


def url_of(template, listeners):
    ipv4, ipv6 = listeners
    return template.format(port=ipv4.port, port6=ipv6.port) + PATH


def assert_plain(message):
    assert message
    for word in NOT_PLAIN:
        assert word not in message, f"{word!r} in {message!r}"


def make_gitops_workload(make_workload, provider, url):
    workload = make_workload(provider=provider, repo_url=url, branch="main")
    Workload.objects.filter(pk=workload.pk).update(gitops_enabled=True)
    workload.refresh_from_db()
    return workload


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("vector", sorted(VECTORS))
def test_vector_refused_by_provider(listeners, provider, vector):
    with pytest.raises(FetchError) as caught:
        get_provider(provider, url_of(VECTORS[vector], listeners), "").resolve_ref("main")
    assert caught.value.status == "fetch_failed"
    assert_plain(caught.value.message)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("vector", sorted(VECTORS))
def test_vector_gives_fetch_failed_status(listeners, make_workload, provider, vector):
    workload = make_gitops_workload(make_workload, provider, url_of(VECTORS[vector], listeners))

    status = services.get_status(workload)

    assert status.status is Status.FETCH_FAILED
    assert_plain(status.message)


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"])
@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("target", sorted(REDIRECT_TARGETS))
def test_redirect_from_allowed_host_not_followed(listeners, make_workload, provider, target):
    forge = Forge(provider)
    forge.faults["any"] = redirect_to(REDIRECT_TARGETS[target].format(
        port=listeners[0].port, port6=listeners[1].port))
    with serving(CountingServer(ScriptedHandler, forge.respond)) as server:
        workload = make_gitops_workload(make_workload, provider, f"{server.url}{PATH}")
        status = services.get_status(workload)

    assert status.status is Status.FETCH_FAILED
    assert_plain(status.message)
    assert server.accepted >= 1, "the allow-listed server was never asked"
