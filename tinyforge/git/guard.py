"""The address policy for every outbound connection of the git layer.

A URL passes two checks. :func:`check_url` reads it with urllib3's parser,
the parser that later connects, and rejects what must never be fetched.
:func:`resolve_checked` resolves the host once and classifies every address
``getaddrinfo`` returns. If any address is denied, the host is rejected.
Otherwise callers connect to exactly those addresses. Only resolver results
are classified, so odd IPv4 notations such as ``127.1``, ``2130706433`` or
``0x7f.1`` are judged by the address they resolve to.

``ipaddress`` properties such as ``is_global`` differ between Python
versions and miss NAT64, 6to4 and multicast cases, so the policy is an
explicit list of networks.
"""

import ipaddress
import socket
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_network

from django.utils.translation import gettext as _
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from tinyforge.git import config
from tinyforge.git.errors import AddressBlocked, InvalidLocation

IPAddress = IPv4Address | IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}

# Denied even when an allow-listed network covers them.
ALWAYS_DENIED = [
    (ip_network("169.254.169.254/32"), "metadata"),
    (ip_network("fd00:ec2::254/128"), "metadata"),
    (ip_network("100.100.100.200/32"), "metadata"),
    (ip_network("192.0.0.192/32"), "metadata"),
    (ip_network("168.63.129.16/32"), "metadata"),
    (ip_network("0.0.0.0/8"), "unspecified"),
    (ip_network("::/128"), "unspecified"),
    (ip_network("224.0.0.0/4"), "multicast"),
    (ip_network("ff00::/8"), "multicast"),
    (ip_network("255.255.255.255/32"), "broadcast"),
]

# Denied unless the host name or an allow-listed network allows them.
DENIED = [
    (ip_network("127.0.0.0/8"), "loopback"),
    (ip_network("::1/128"), "loopback"),
    (ip_network("10.0.0.0/8"), "private"),
    (ip_network("172.16.0.0/12"), "private"),
    (ip_network("192.168.0.0/16"), "private"),
    (ip_network("fc00::/7"), "private"),
    (ip_network("169.254.0.0/16"), "link_local"),
    (ip_network("fe80::/10"), "link_local"),
    (ip_network("fec0::/10"), "link_local"),
    (ip_network("100.64.0.0/10"), "shared"),
    (ip_network("240.0.0.0/4"), "reserved"),
    (ip_network("192.0.0.0/24"), "reserved"),
    (ip_network("192.88.99.0/24"), "reserved"),
    (ip_network("100::/64"), "reserved"),
    (ip_network("64:ff9b:1::/48"), "reserved"),
    (ip_network("::/96"), "reserved"),
    (ip_network("192.0.2.0/24"), "documentation"),
    (ip_network("198.51.100.0/24"), "documentation"),
    (ip_network("203.0.113.0/24"), "documentation"),
    (ip_network("2001:db8::/32"), "documentation"),
    (ip_network("198.18.0.0/15"), "benchmark"),
]

_NAT64 = ip_network("64:ff9b::/96")


def describe_rule(rule: str) -> str:
    """Name a denial rule for a message, such as 'a private address'."""
    return {
        "metadata": _("a cloud metadata address"),
        "unspecified": _("an unspecified address (0.0.0.0/8 or ::)"),
        "multicast": _("a multicast address"),
        "broadcast": _("the broadcast address"),
        "loopback": _("a loopback address"),
        "private": _("a private address"),
        "link_local": _("a link-local address"),
        "shared": _("a shared (carrier-grade NAT) address"),
        "reserved": _("a reserved address"),
        "documentation": _("a documentation (TEST-NET) address"),
        "benchmark": _("a benchmarking address"),
    }[rule]


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port of a URL: redirects and credentials never cross one."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == DEFAULT_PORTS.get(self.scheme):
            return f"{self.scheme}://{host}"
        return f"{self.scheme}://{host}:{self.port}"


@dataclass(frozen=True)
class AllowList:
    """Operator-allowed host names and networks from ``TINYFORGE_GIT_ALLOWED_HOSTS``."""

    names: frozenset[str]
    networks: tuple

    @classmethod
    def from_settings(cls) -> "AllowList":
        names, networks = set(), []
        for entry in config.current().allowed_hosts:
            entry = entry.strip()
            if not entry:
                continue
            try:
                networks.append(ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(normalize_host(entry))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return normalize_host(host) in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def normalize_host(host: str) -> str:
    return host.strip().lower().rstrip(".").strip("[]")


def _has_control_characters(text: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in text)


def check_url(url: str) -> Origin:
    """Reject a URL that must never be fetched and return its origin.

    Raises ``InvalidLocation`` for a malformed URL and ``AddressBlocked`` for
    a scheme the policy forbids. Addresses are checked later, when the host
    is resolved.
    """
    if _has_control_characters(url) or "\\" in url:
        raise InvalidLocation(_("The URL must not contain control characters or backslashes."))
    scheme, separator, rest = url.partition("://")
    if not separator:
        raise InvalidLocation(_("%(url)r is not an absolute URL.") % {"url": url})
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        raise InvalidLocation(
            _("The URL must not contain a user name or token; store the token separately.")
        )
    host_part = authority.rsplit(":", 1)[0] if not authority.endswith("]") else authority
    if "%" in host_part or not host_part.isascii():
        raise InvalidLocation(
            _("The host %(host)r must be plain ASCII without '%%'; write an IDN in its "
              "xn-- form.") % {"host": host_part}
        )
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise InvalidLocation(_("%(url)r is not a valid URL.") % {"url": url}) from None
    scheme = (parsed.scheme or "").lower()
    if scheme not in DEFAULT_PORTS:
        raise AddressBlocked(
            _("Only https:// URLs can be fetched, got %(scheme)s://.") % {"scheme": scheme}
        )
    if not parsed.host:
        raise InvalidLocation(_("%(url)r does not name a host.") % {"url": url})
    port = DEFAULT_PORTS[scheme] if parsed.port is None else parsed.port
    if not 0 < port < 65536:
        raise InvalidLocation(_("%(port)d is not a valid port.") % {"port": port})
    origin = Origin(scheme, normalize_host(parsed.host), port)
    allow = AllowList.from_settings()
    if scheme == "http" and not allow.allows_name(origin.host) and not allow.networks:
        raise _plain_http_blocked(origin.host)
    return origin


def _plain_http_blocked(host: str) -> AddressBlocked:
    return AddressBlocked(
        _("Plain http:// is allowed only to hosts listed in TINYFORGE_GIT_ALLOWED_HOSTS; "
          "use https:// for %(host)s, or ask an operator to list it.") % {"host": host}
    )


def embedded_ipv4(address: IPAddress) -> list[IPv4Address]:
    """Return the IPv4 addresses an IPv6 address carries (mapped, NAT64, 6to4, Teredo)."""
    if not isinstance(address, IPv6Address):
        return []
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _NAT64:
        return [IPv4Address(int(address) & 0xFFFF_FFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    return []


def denial_rule(address: IPAddress, host: str, allow: AllowList) -> str | None:
    """Return the rule that denies connecting to ``address`` for ``host``, or None."""
    candidates = [address, *embedded_ipv4(address)]
    for candidate in candidates:
        for network, rule in ALWAYS_DENIED:
            if candidate in network:
                return rule
    if allow.allows_name(host) or any(allow.allows_address(c) for c in candidates):
        return None
    for candidate in candidates:
        for network, rule in DENIED:
            if candidate in network:
                return rule
    return None


def resolve(host: str, port: int) -> list[tuple[int, tuple]]:
    """Resolve ``host`` with getaddrinfo and return (family, sockaddr) pairs, without duplicates."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressBlocked(
            _("The host name %(host)s could not be resolved.") % {"host": host}
        ) from None
    results = []
    for family, _type, _proto, _name, sockaddr in answers:
        if family in (socket.AF_INET, socket.AF_INET6) and (family, sockaddr) not in results:
            results.append((family, sockaddr))
    return results


def resolve_checked(origin: Origin) -> list[tuple[int, tuple]]:
    """Resolve the origin's host once and return its addresses if the policy allows all.

    Raises ``AddressBlocked`` naming the rule when any address is denied, so
    a host with one public and one private address is refused.
    """
    allow = AllowList.from_settings()
    addresses = resolve(origin.host, origin.port)
    if not addresses:
        raise AddressBlocked(_("%(host)s has no IP address.") % {"host": origin.host})
    for _family, sockaddr in addresses:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        rule = denial_rule(address, origin.host, allow)
        if rule in ("metadata", "unspecified", "multicast", "broadcast"):
            raise AddressBlocked(
                _("%(host)s resolves to %(rule)s, which is never allowed.")
                % {"host": origin.host, "rule": describe_rule(rule)}
            )
        if rule is not None:
            raise AddressBlocked(
                _("%(host)s resolves to %(rule)s; an operator can allow it with "
                  "TINYFORGE_GIT_ALLOWED_HOSTS.")
                % {"host": origin.host, "rule": describe_rule(rule)}
            )
    if origin.scheme == "http" and not allow.allows_name(origin.host):
        for _family, sockaddr in addresses:
            if not allow.allows_address(ipaddress.ip_address(sockaddr[0].split("%", 1)[0])):
                raise _plain_http_blocked(origin.host)
    return addresses
