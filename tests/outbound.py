"""A resolver and socket layer that keep a test on this machine.

:func:`keep_on_loopback` patches ``socket.getaddrinfo`` to answer fixed
addresses for test host names (and numeric hosts only, so no DNS query
leaves the machine), and patches ``socket.socket.connect``, ``connect_ex``
and ``socket.create_connection`` to refuse and record any address outside
the loopback range. It also refuses to start git with a remote that is not
pinned to a loopback address. The ``outbound`` fixture in ``tests/conftest.py``
wraps it and fails the test if anything tried to reach beyond loopback, so
even a broken guard sends no packet.
"""

import ipaddress
import socket
import subprocess
from urllib.parse import urlsplit

PUBLIC_TEST_ADDRESS = "93.184.215.14"

# Addresses the test resolver returns; every other name is unknown.
TEST_HOSTS = {
    "api.github.com": [PUBLIC_TEST_ADDRESS],
    "github.com": [PUBLIC_TEST_ADDRESS],
    "ghe.example.com": [PUBLIC_TEST_ADDRESS],
    "gitlab.example.com": [PUBLIC_TEST_ADDRESS],
    "gitea.example.com": [PUBLIC_TEST_ADDRESS],
    "git.example.com": [PUBLIC_TEST_ADDRESS],
    "localhost": ["127.0.0.1"],
    "loopback.example.com": ["127.0.0.1"],
    "private.example.com": ["10.0.0.7"],
    "metadata.example.com": ["169.254.169.254"],
    "mixed.example.com": [PUBLIC_TEST_ADDRESS, "10.1.2.3"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "nat64.example.com": ["64:ff9b::a00:1"],
}


def is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


class Outbound:
    """The non-loopback connection attempts the patched socket layer refused.

    ``hosts`` starts as a copy of :data:`TEST_HOSTS`; a test may add names.
    """

    def __init__(self):
        self.refused: list = []
        self.hosts: dict[str, list[str]] = {name: list(v) for name, v in TEST_HOSTS.items()}


def keep_on_loopback(monkeypatch):
    """Patch the resolver, the socket layer and git's start; yield the refused attempts."""
    record = Outbound()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create_connection = socket.create_connection
    real_popen = subprocess.Popen

    def fake_getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name in record.hosts:
            answers = []
            for address in record.hosts[name]:
                answers += real_getaddrinfo(
                    address, port, family, type, proto, flags | socket.AI_NUMERICHOST
                )
            return answers
        try:
            return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        except socket.gaierror:
            raise socket.gaierror(
                socket.EAI_NONAME, f"test resolver: unknown host {host!r}"
            ) from None

    def allowed(address) -> bool:
        if isinstance(address, str | bytes):
            return True  # A Unix socket path.
        return is_loopback(str(address[0]))

    def fake_connect(self, address):
        if not allowed(address):
            record.refused.append(address)
            raise ConnectionRefusedError(f"test guard: connection to {address!r} refused")
        return real_connect(self, address)

    def fake_connect_ex(self, address):
        if not allowed(address):
            record.refused.append(address)
            return 111
        return real_connect_ex(self, address)

    def fake_create_connection(address, *args, **kwargs):
        if not is_loopback(address[0]) and address[0] != "localhost":
            record.refused.append(address)
            raise ConnectionRefusedError(f"test guard: connection to {address!r} refused")
        return real_create_connection(address, *args, **kwargs)

    def checked_popen(arguments, *args, **kwargs):
        if isinstance(arguments, list | tuple) and str(arguments[0]).endswith("git"):
            pinned_loopback = set()
            for argument in arguments:
                if str(argument).startswith("http.curloptResolve="):
                    host, _port, addresses = argument.split("=", 1)[1].split(":", 2)
                    if all(is_loopback(a) for a in addresses.split(",")):
                        pinned_loopback.add(host)
            for argument in arguments:
                text = str(argument)
                if text.startswith(("http://", "https://")):
                    host = urlsplit(text).hostname or ""
                    if not is_loopback(host) and host not in pinned_loopback:
                        record.refused.append(text)
                        raise PermissionError(f"test guard: git remote {text!r} refused")
        return real_popen(arguments, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", fake_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", fake_connect_ex)
    monkeypatch.setattr(socket, "create_connection", fake_create_connection)
    monkeypatch.setattr(subprocess, "Popen", checked_popen)
    yield record
    assert record.refused == [], f"something tried to reach beyond loopback: {record.refused}"
