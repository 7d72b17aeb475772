"""Loopback stand-ins for GitHub, GitLab and Gitea, with faults injected per step.

:class:`Forge` answers the two requests a fetch makes, resolving the branch
and downloading the file, the way each forge's REST API does. A test may
replace the answer of either step with a fault from :data:`FAULTS`.
:class:`Listener` is a bare TCP listener that only counts accepted
connections, for requests that must never arrive.
"""

import json
import socket
import struct
import threading
import time
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from tests.git.servers import CountingServer, ScriptedHandler, serving

SHA = "a" * 40
OWNER, REPO = "acme", "app"
HTTP_PROVIDERS = ("github", "gitlab", "gitea")

# The prefix of every request a forge's REST API receives for acme/app.
API_PREFIX = {
    "github": f"/api/v3/repos/{OWNER}/{REPO}",
    "gitlab": f"/api/v4/projects/{OWNER}%2F{REPO}",
    "gitea": f"/api/v1/repos/{OWNER}/{REPO}",
}
# Where each forge serves a file's content, after API_PREFIX.
FILE_ROUTE = {"github": "/contents/", "gitlab": "/repository/files/", "gitea": "/raw/"}
RESOLVE_ROUTE = {"github": "/commits/", "gitlab": "/repository/commits/", "gitea": "/branches/"}


def step_of(provider: str, path: str) -> str:
    """Classify a request path as 'resolve', 'download' or 'other'."""
    if provider not in API_PREFIX:
        return "other"
    rest = urlsplit(path).path.removeprefix(API_PREFIX[provider])
    if rest.startswith(RESOLVE_ROUTE[provider]):
        return "resolve"
    if rest.startswith(FILE_ROUTE[provider]):
        return "download"
    return "other"


def file_path_of(provider: str, path: str) -> str:
    """Return the repository file path a download request names, decoded."""
    rest = urlsplit(path).path.removeprefix(API_PREFIX[provider] + FILE_ROUTE[provider])
    if provider == "gitlab":
        rest = rest.removesuffix("/raw")
    return unquote(rest)


class Forge:
    """Answers of one forge for acme/app at :data:`SHA`, with an optional fault per step."""

    def __init__(self, provider: str, file_bytes: bytes = b"version: 1\ndeploy: {}\n"):
        self.provider = provider
        self.file_bytes = file_bytes
        self.faults: dict[str, object] = {}
        self.stop = threading.Event()

    def respond(self, handler) -> None:
        step = step_of(self.provider, handler.path)
        fault = self.faults.get(step) or self.faults.get("any")
        if fault is not None:
            fault(handler, self)
        elif step == "resolve":
            self.answer_resolve(handler)
        elif step == "download":
            self.answer_download(handler)
        else:
            handler.send_body(200, b'{"full_name": "acme/app"}',
                              {"Content-Type": "application/json"})

    def answer_resolve(self, handler) -> None:
        if self.provider == "github":
            handler.send_body(200, SHA.encode(), {"Content-Type": "application/vnd.github.sha"})
            return
        entry = {"id": SHA} if self.provider == "gitlab" else {"commit": {"id": SHA}}
        handler.send_body(200, json.dumps(entry).encode(), {"Content-Type": "application/json"})

    def answer_download(self, handler) -> None:
        content_type = ("application/vnd.github.raw+json" if self.provider == "github"
                        else "text/plain; charset=utf-8")
        handler.send_body(200, self.file_bytes, {"Content-Type": content_type})


@contextmanager
def forge_server(provider: str, file_bytes: bytes | None = None):
    """Serve a :class:`Forge` on 127.0.0.1; yields (forge, server)."""
    forge = Forge(provider) if file_bytes is None else Forge(provider, file_bytes)
    server = CountingServer(ScriptedHandler, forge.respond)
    try:
        with serving(server):
            yield forge, server
    finally:
        forge.stop.set()


def repo_url(server) -> str:
    return f"{server.url}/{OWNER}/{REPO}"


# Faults ------------------------------------------------------------------------------


def reset(handler, forge) -> None:
    """Close the connection with a TCP RST before any response."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def stall(handler, forge) -> None:
    """Send nothing until the test ends."""
    forge.stop.wait(10)
    handler.close_connection = True


def slow_body(handler, forge) -> None:
    """Promise a large body and trickle one byte every 0.1 s, under any read timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", "60000")
    handler.end_headers()
    started = time.monotonic()
    try:
        while not forge.stop.is_set() and time.monotonic() - started < 10:
            handler.wfile.write(b"#")
            handler.wfile.flush()
            forge.stop.wait(0.1)
    except OSError:
        pass  # The client gave up, as it should.
    handler.close_connection = True


def truncated_body(handler, forge) -> None:
    """Announce 1000 bytes, send 10 and close."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(b'{"id": "aa')
    handler.wfile.flush()
    handler.close_connection = True


def html_page(handler, forge) -> None:
    """Answer 200 with a login page, as a proxy in front of the forge might."""
    handler.send_body(200, b"<!doctype html><html><body>Sign in</body></html>",
                      {"Content-Type": "text/html; charset=utf-8"})


def redirect_loop(handler, forge) -> None:
    handler.send_body(302, b"", {"Location": handler.path})


def status(code: int, headers: dict | None = None, body: bytes = b'{"message": "error"}'):
    def fault(handler, forge) -> None:
        handler.send_body(code, body, {"Content-Type": "application/json", **(headers or {})})
    fault.__name__ = f"status_{code}"
    return fault


def redirect_to(location: str):
    def fault(handler, forge) -> None:
        handler.send_body(302, b"", {"Location": location})
    return fault


FAULTS = {
    "connection_reset": reset,
    "stall": stall,
    "slow_body": slow_body,
    "truncated_body": truncated_body,
    "html_content_type": html_page,
    "redirect_loop": redirect_loop,
    "server_error_500": status(500),
    "bad_gateway_502": status(502, body=b"<html>bad gateway</html>"),
    "unavailable_503": status(503, {"Retry-After": "30"}),
    "rate_limited_429": status(429, {"Retry-After": "120"}),
}


class Listener:
    """A TCP listener on ``host`` that accepts and counts connections, and sends nothing."""

    def __init__(self, host: str = "127.0.0.1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.bind((host, 0))
        self.socket.listen(16)
        self.socket.settimeout(0.05)
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.socket.close()
