"""The one outbound HTTP client of the git layer.

Every request goes through :class:`HttpClient`, which

- checks the URL and resolves its host once with :mod:`tinyforge.git.guard`,
  then connects to exactly the checked addresses, while urllib3 keeps the
  original host name for SNI, certificate checks and the Host header;
- ignores proxies, ``.netrc`` and other environment settings, and keeps no
  cookies;
- follows at most three redirects, each within the original origin (scheme,
  host and port), so headers that carry a token never reach another origin;
- applies the connect and read timeouts to every socket operation and a
  total deadline to the whole request, body included. A watchdog shuts the
  socket down when the deadline passes, so even a server that trickles one
  byte at a time is cut off;
- reads bodies as a stream and stops at a byte limit counted after
  decompression, with or without Content-Length.
"""

import contextvars
import http.cookiejar
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from tinyforge.git import config, guard
from tinyforge.git.errors import ProviderError, Timeout, UpstreamError

logger = logging.getLogger("tinyforge.git.http")

USER_AGENT = "Tinyforge-GitOps/1 (+https://github.com/tinyforge)"
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_SIZE = 16_384

# Test seam: the path of a PEM file of extra trusted CA certificates. None
# means the system's default trust store (certifi, through requests).
CA_BUNDLE: str | None = None

# Addresses checked by GuardedAdapter.send for (host, port), so the
# connection connects to them without resolving the name again.
_checked_addresses: contextvars.ContextVar[dict] = contextvars.ContextVar("checked_addresses")
_current_deadline: contextvars.ContextVar["Deadline | None"] = contextvars.ContextVar(
    "current_deadline", default=None
)


class Deadline:
    """A total time limit that shuts down every watched socket when it passes."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self._watched: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self.expires_at - time.monotonic())

    def watch(self, target) -> None:
        """Shut ``target`` (a socket or a connection with ``.sock``) down at the deadline."""
        with self._lock:
            self._watched.append(target)
            expired = self.expired
        if expired:
            _shut_down(target)

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._watched.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            watched = list(self._watched)
        for target in watched:
            _shut_down(target)


def _shut_down(target) -> None:
    sock = target if isinstance(target, socket.socket) else getattr(target, "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # Already closed or never connected: nothing is left to interrupt.


class _GuardedConnectionMixin:
    """Connect only to addresses the policy accepted, and stay under the request deadline."""

    scheme = "http"

    def _new_conn(self) -> socket.socket:
        origin = guard.Origin(self.scheme, guard.normalize_host(self._dns_host), self.port)
        addresses = _checked_addresses.get({}).get((origin.host, origin.port))
        if addresses is None:
            addresses = guard.resolve_checked(origin)
        deadline = _current_deadline.get()
        failure: OSError | None = None
        for family, sockaddr in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            if deadline is not None:
                deadline.watch(sock)
            try:
                for option in self.socket_options or ():
                    sock.setsockopt(*option)
                if isinstance(self.timeout, int | float):
                    sock.settimeout(self.timeout)
                sock.connect(sockaddr)
            except TimeoutError as error:
                sock.close()
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                ) from error
            except OSError as error:
                sock.close()
                failure = error
                continue
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")

    def request(self, *args, **kwargs):
        deadline = _current_deadline.get()
        if deadline is not None:
            deadline.watch(self)
        return super().request(*args, **kwargs)

    def connect(self) -> None:
        deadline = _current_deadline.get()
        if deadline is not None:
            deadline.watch(self)
        super().connect()


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    scheme = "http"


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    scheme = "https"


class _GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter that checks each request's host and pins the checked addresses."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPConnectionPool,
            "https": _GuardedHTTPSConnectionPool,
        }

    def send(self, request, *args, **kwargs):
        origin = guard.check_url(request.url)
        addresses = guard.resolve_checked(origin)
        checked = {**_checked_addresses.get({}), (origin.host, origin.port): addresses}
        reset_token = _checked_addresses.set(checked)
        try:
            return super().send(request, *args, **kwargs)
        finally:
            _checked_addresses.reset(reset_token)

    def proxy_manager_for(self, *args, **kwargs):
        raise RuntimeError("the git HTTP client never uses a proxy")


@dataclass
class HttpResponse:
    """A response whose body was read up to a byte limit."""

    status: int
    headers: CaseInsensitiveDict
    body: bytes
    # True when the body was longer than the limit. ``body`` then contains at
    # most the first ``max_bytes`` bytes, or nothing when Content-Length showed it.
    truncated: bool
    url: str
    # True when a 304 response was replaced by the cached response.
    revalidated: bool = False
    elapsed: float = field(default=0.0, compare=False)

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def content_type(self) -> str:
        return self.header("Content-Type").split(";", 1)[0].strip().lower()


def make_session() -> requests.Session:
    """Build a session with no environment settings, no cookies and the guarded adapter."""
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.headers["User-Agent"] = USER_AGENT
    adapter = GuardedAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class HttpClient:
    """Send GET requests through the guarded session; used by every HTTP provider."""

    def __init__(self):
        self._session: requests.Session | None = None

    def __repr__(self) -> str:
        return "<HttpClient>"

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def get(self, url: str, *, headers: dict | None = None, max_bytes: int) -> HttpResponse:
        """Send a GET request and read the body up to ``max_bytes`` decoded bytes.

        Raises ``AddressBlocked``, ``InvalidLocation``, ``Timeout`` or
        ``UpstreamError``; an HTTP error status is returned, not raised.
        """
        if self._session is None:
            self._session = make_session()
        settings = config.current()
        origin = guard.check_url(url)
        deadline = Deadline(settings.total_timeout)
        reset_token = _current_deadline.set(deadline)
        started = time.monotonic()
        try:
            response = self._follow(url, origin, dict(headers or {}), max_bytes, settings)
        except ProviderError:
            raise
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            failure = _translate(error, origin, settings, deadline)
        else:
            failure = None
            if deadline.expired:
                failure = _deadline_passed(origin, settings)
        finally:
            deadline.cancel()
            _current_deadline.reset(reset_token)
        if failure is not None:
            raise failure
        response.elapsed = time.monotonic() - started
        logger.debug("GET %s returned %s in %.3f s", url, response.status, response.elapsed)
        return response

    def _follow(self, url, origin, headers, max_bytes, settings) -> HttpResponse:
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._session.get(
                url, headers=headers, timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=False, stream=True, proxies={}, verify=CA_BUNDLE or True,
            )
            with response:
                location = response.headers.get("Location")
                if response.status_code in REDIRECT_STATUSES and location:
                    url = _same_origin_target(url, location, origin)
                    continue
                body, truncated = read_capped(response.raw, response.headers, max_bytes)
                return HttpResponse(
                    response.status_code, response.headers, body, truncated, url
                )
        raise UpstreamError(
            _("%(origin)s redirected more than %(count)d times; Tinyforge stops there.")
            % {"origin": origin, "count": MAX_REDIRECTS}
        )


def _same_origin_target(url: str, location: str, origin: guard.Origin) -> str:
    target = urljoin(url, location)
    try:
        target_origin = guard.check_url(target)
    except ProviderError:
        target_origin = None
    if target_origin != origin:
        parts = urlsplit(target)
        shown = f"{parts.scheme}://{parts.hostname or ''}"
        raise UpstreamError(
            _("%(origin)s redirected to %(target)s, another origin; Tinyforge follows redirects "
              "only within one scheme, host and port. Update the repository URL to the new "
              "location.") % {"origin": origin, "target": shown}
        )
    return target


def read_capped(raw, headers, max_bytes: int) -> tuple[bytes, bool]:
    """Read a decoded body up to ``max_bytes``; return it and whether it was longer.

    A plain (not content-encoded) body whose Content-Length is over the limit
    is refused before any byte is read.
    """
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    length = headers.get("Content-Length", "").strip()
    if encoding in ("", "identity") and length.isdigit() and int(length) > max_bytes:
        return b"", True
    chunks, total = [], 0
    for chunk in raw.stream(CHUNK_SIZE, decode_content=True):
        total += len(chunk)
        if total > max_bytes:
            chunks.append(chunk[: len(chunk) - (total - max_bytes)])
            return b"".join(chunks), True
        chunks.append(chunk)
    return b"".join(chunks), False


def _deadline_passed(origin, settings) -> Timeout:
    return Timeout(
        _("The request to %(origin)s did not finish within %(seconds)g seconds "
          "(TINYFORGE_GIT_TOTAL_TIMEOUT).") % {"origin": origin, "seconds": settings.total_timeout}
    )


def _translate(error: Exception, origin, settings, deadline: Deadline) -> ProviderError:
    """Turn a requests, urllib3 or socket error into a typed error that names no URL path."""
    if deadline.expired:
        return _deadline_passed(origin, settings)
    if isinstance(error, requests.ConnectTimeout | ConnectTimeoutError):
        return Timeout(
            _("Connecting to %(origin)s timed out after %(seconds)g seconds "
              "(TINYFORGE_GIT_CONNECT_TIMEOUT).")
            % {"origin": origin, "seconds": settings.connect_timeout}
        )
    if isinstance(error, requests.ReadTimeout | urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return Timeout(
            _("%(origin)s sent no data for %(seconds)g seconds (TINYFORGE_GIT_READ_TIMEOUT).")
            % {"origin": origin, "seconds": settings.read_timeout}
        )
    if isinstance(error, requests.exceptions.SSLError | urllib3.exceptions.SSLError):
        return UpstreamError(
            _("The TLS connection to %(origin)s failed: %(reason)s.")
            % {"origin": origin, "reason": _tls_reason(error)}
        )
    if isinstance(error, requests.ConnectionError) and _is_connect_failure(error):
        return UpstreamError(
            _("Could not connect to %(origin)s; check that the server is running and reachable.")
            % {"origin": origin}
        )
    return UpstreamError(
        _("The connection to %(origin)s failed while reading the response (%(kind)s).")
        % {"origin": origin, "kind": type(error).__name__}
    )


def _is_connect_failure(error: Exception) -> bool:
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)


def _tls_reason(error: Exception) -> str:
    text = str(error)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return _("the server certificate could not be verified")
    if "hostname" in text.lower() and "match" in text.lower():
        return _("the server certificate does not match the host name")
    return _("the TLS handshake did not complete")
