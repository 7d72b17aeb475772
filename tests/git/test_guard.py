"""The address policy: classification of resolved addresses and the allow-list."""

from ipaddress import ip_address

import pytest
from django.test import override_settings

from tinyforge.git import guard
from tinyforge.git.errors import AddressBlocked, InvalidLocation


def rule_for(address: str, host: str = "example.test") -> str | None:
    return guard.denial_rule(ip_address(address), host, guard.AllowList.from_settings())


@pytest.mark.parametrize(("address", "rule"), [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.1.1", "link_local"),
    ("fe80::1", "link_local"),
    ("100.64.0.1", "shared"),
    ("100.127.255.254", "shared"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("192.0.2.10", "documentation"),
    ("198.51.100.10", "documentation"),
    ("203.0.113.10", "documentation"),
    ("2001:db8::1", "documentation"),
    ("198.18.0.1", "benchmark"),
    ("198.19.255.1", "benchmark"),
    ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("100.100.100.200", "metadata"),
    ("192.0.0.192", "metadata"),
    ("168.63.129.16", "metadata"),
    # IPv6 forms that carry an IPv4 address are judged by that address.
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "metadata"),
    ("64:ff9b::7f00:1", "loopback"),
    ("64:ff9b::a9fe:a9fe", "metadata"),
    ("2002:7f00:1::", "loopback"),
    ("2002:a00:1::", "private"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"),  # Teredo, client 10.0.0.1
    ("::7f00:1", "reserved"),
])
def test_denied_addresses(address, rule):
    assert rule_for(address) == rule


@pytest.mark.parametrize("address", [
    "93.184.215.14", "140.82.112.3", "2606:4700::6810:84e5", "::ffff:93.184.215.14",
    "64:ff9b::5db8:d70e", "2002:5db8:d70e::1",
])
def test_public_addresses_allowed(address):
    assert rule_for(address) is None


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["10.0.0.0/8", "git.internal."])
def test_allow_list_networks_and_names():
    assert rule_for("10.2.3.4") is None
    assert rule_for("::ffff:10.2.3.4") is None
    assert rule_for("192.168.0.1") == "private"
    assert rule_for("192.168.0.1", host="GIT.INTERNAL") is None


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["0.0.0.0/0", "::/0", "git.internal"])
def test_allow_list_never_covers_always_denied():
    for address in ("169.254.169.254", "0.0.0.0", "::", "224.0.0.1", "ff02::1",
                    "255.255.255.255", "fd00:ec2::254"):
        assert rule_for(address, host="git.internal") is not None, address
    assert rule_for("127.0.0.1") is None


def test_host_with_any_denied_address_refused():
    with pytest.raises(AddressBlocked) as caught:
        guard.resolve_checked(guard.Origin("https", "mixed.example.com", 443))
    assert "mixed.example.com resolves to a private address" in caught.value.message


def test_nat64_of_private_address_refused():
    with pytest.raises(AddressBlocked) as caught:
        guard.resolve_checked(guard.Origin("https", "nat64.example.com", 443))
    assert "resolves to a private address" in caught.value.message


def test_unknown_host_reported():
    with pytest.raises(AddressBlocked) as caught:
        guard.resolve_checked(guard.Origin("https", "nowhere.invalid", 443))
    assert caught.value.message == "The host name nowhere.invalid could not be resolved."


def test_public_host_resolves_to_checked_addresses():
    addresses = guard.resolve_checked(guard.Origin("https", "api.github.com", 443))
    assert [sockaddr[0] for _family, sockaddr in addresses] == ["93.184.215.14"]


def test_check_url_returns_origin():
    origin = guard.check_url("https://GitHub.com./acme/app")
    assert origin == guard.Origin("https", "github.com", 443)
    assert str(origin) == "https://github.com"
    assert str(guard.Origin("http", "::1", 8080)) == "http://[::1]:8080"


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["git.internal"])
def test_plain_http_allowed_for_listed_name():
    assert guard.check_url("http://git.internal:3000/a/b").scheme == "http"
    with pytest.raises(AddressBlocked):
        guard.check_url("http://other.internal/a/b")


@pytest.mark.parametrize("url", [
    "https://user@github.com/", "https://github.com:0/", "https://github.com:70000/",
    "https:///path", "github.com/acme/app",
])
def test_check_url_rejects(url):
    with pytest.raises((InvalidLocation, AddressBlocked)):
        guard.check_url(url)
