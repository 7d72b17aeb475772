"""Shared parts of every provider: input checks, redaction, caching and HTTP status handling."""

import json
import logging
import re
import weakref
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from tinyforge.git import cache, guard
from tinyforge.git.config import CONFIG_FILE_MAX_BYTES
from tinyforge.git.errors import (
    AuthFailed,
    FileNotFound,
    InvalidLocation,
    NotARegularFile,
    ProviderError,
    RateLimited,
    TooLarge,
    UpstreamError,
)
from tinyforge.git.http import HttpClient, HttpResponse
from tinyforge.git.redact import Redactor, live_tokens
from tinyforge.sources.fields import check_branch, is_control_or_bidi

logger = logging.getLogger("tinyforge.git")

SHA_PATTERN = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# Metadata responses (commit JSON, error bodies) larger than this are not parsed.
METADATA_MAX_BYTES = 262_144
MAX_PATH_BYTES = 255
MAX_BRANCH_LENGTH = 255


class _Token:
    """The plain token, kept out of ``repr`` and error reports."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value

    def __repr__(self) -> str:
        return "<token>" if self.value else "<no token>"


def call_redacted(redactor, operation, *args, **kwargs):
    """Run ``operation`` and re-raise any ProviderError redacted, without its chained causes."""
    try:
        return operation(*args, **kwargs)
    except ProviderError as error:
        failure = error
    logger.debug("%s failed: %s", getattr(operation, "__qualname__", "operation"),
                 type(failure).__name__)
    # Raised outside the except block, so neither __cause__ nor __context__ is set.
    raise failure.redacted(redactor) from None


def check_path(path: str) -> None:
    """Reject a path that is not a plain relative path of a file inside the repository."""
    segments = path.split("/")
    problem = None
    if not path or len(path.encode("utf-8", errors="surrogatepass")) > MAX_PATH_BYTES:
        problem = _("must be a relative path of 1 to %(max)d bytes") % {"max": MAX_PATH_BYTES}
    elif path.startswith("-"):
        problem = _("must not start with '-'")
    elif any(segment in ("", ".", "..") for segment in segments):
        problem = _("must not contain empty, '.' or '..' segments, or a leading or trailing '/'")
    elif any(mark in path for mark in ("\\", "://", "?", "#", "%")):
        problem = _("must not contain '\\', '://', '?', '#' or '%'")
    elif any(is_control_or_bidi(char) for char in path):
        problem = _("must not contain control or bidirectional formatting characters")
    if problem:
        raise InvalidLocation(_("The file path %(path)r %(problem)s.") % {
            "path": path, "problem": problem,
        })


def checked_branch(branch: str) -> str:
    problem = check_branch(branch) if isinstance(branch, str) else _("must be a string")
    if problem is None and len(branch) > MAX_BRANCH_LENGTH:
        problem = _("must be at most %(max)d characters long") % {"max": MAX_BRANCH_LENGTH}
    if problem:
        raise InvalidLocation(_("The branch %(branch)r %(problem)s.") % {
            "branch": branch, "problem": problem,
        })
    return branch


def checked_sha(sha: str) -> str:
    normalized = sha.lower() if isinstance(sha, str) else ""
    if not SHA_PATTERN.fullmatch(normalized):
        raise InvalidLocation(
            _("%(sha)r is not a commit SHA; expected 40 hexadecimal characters.") % {"sha": sha}
        )
    return normalized


class Provider(ABC):
    """Read one file of a repository at a commit.

    Subclasses implement ``_resolve_ref`` and ``_download_file``. The public
    methods check their arguments, use the content cache and redact every
    error, so a subclass may raise any ``ProviderError`` with plain text.
    """

    name = ""
    display_name = ""

    @sensitive_variables()
    def __init__(self, repo_url: str, token: str = ""):
        self.repo_url = repo_url
        self._token = _Token(token or "")
        self._redactor = Redactor(token or "")
        self.credential = cache.credential_digest(token or "")
        live_tokens.add(token or "")
        weakref.finalize(self, live_tokens.discard, token or "")

    def __repr__(self) -> str:
        # repo_url cannot carry credentials: every provider rejects URL userinfo.
        has_token = bool(self._token.value)
        return f"<{type(self).__name__} repo_url={self.repo_url!r} has_token={has_token}>"

    @sensitive_variables()
    def resolve_ref(self, branch: str) -> str:
        """Return the 40-hex SHA of the commit that ``branch`` points to now."""
        return call_redacted(self._redactor, self._resolve_checked, branch)

    @sensitive_variables()
    def download_file(
        self, path: str, sha: str, *, max_bytes: int = CONFIG_FILE_MAX_BYTES
    ) -> bytes:
        """Return the bytes of the regular file at ``path`` in commit ``sha``.

        Raises ``FileNotFound`` when the commit has no entry at ``path``,
        ``TooLarge`` past ``max_bytes``, and another ``FetchError`` otherwise.
        A result, or the absence of the file, is cached per commit, so the
        same file at the same SHA is downloaded once.
        """
        return call_redacted(self._redactor, self._download_cached, path, sha, max_bytes)

    def _resolve_checked(self, branch: str) -> str:
        sha = self._resolve_ref(checked_branch(branch)).lower()
        if not SHA_PATTERN.fullmatch(sha):
            raise UpstreamError(
                _("%(provider)s returned something other than a commit SHA for branch %(branch)r.")
                % {"provider": self.display_name, "branch": branch}
            )
        return sha

    def _download_cached(self, path: str, sha: str, max_bytes: int) -> bytes:
        check_path(path)
        sha = checked_sha(sha)
        cached = cache.get_content(self.name, self.repo_url, sha, path)
        if cached == cache.MISSING:
            raise self.file_not_found(path, sha)
        if isinstance(cached, bytes):
            if len(cached) > max_bytes:
                raise self.too_large(path, max_bytes)
            return cached
        try:
            content = self._download_file(path, sha, max_bytes)
        except FileNotFound:
            cache.store_content(self.name, self.repo_url, sha, path, None)
            raise
        cache.store_content(self.name, self.repo_url, sha, path, content)
        return content

    @abstractmethod
    def _resolve_ref(self, branch: str) -> str: ...

    @abstractmethod
    def _download_file(self, path: str, sha: str, max_bytes: int) -> bytes: ...

    def file_not_found(self, path: str, sha: str) -> FileNotFound:
        return FileNotFound(
            _("%(path)s does not exist in %(repo)s at commit %(sha)s.")
            % {"path": path, "repo": self.repo_label, "sha": sha[:12]}
        )

    def too_large(self, path: str, max_bytes: int) -> TooLarge:
        return TooLarge(
            _("%(path)s is larger than %(max)d bytes, the limit for this file.")
            % {"path": path, "max": max_bytes},
            limit=max_bytes,
        )

    @property
    def repo_label(self) -> str:
        return self.repo_url


def retry_time(response: HttpResponse) -> datetime | None:
    """Read when to retry from Retry-After (seconds or a date), or a rate-limit reset epoch."""
    now = datetime.now(UTC)
    retry_after = response.header("Retry-After").strip()
    if retry_after.isdigit():
        return now + timedelta(seconds=int(retry_after))
    if retry_after:
        try:
            return parsedate_to_datetime(retry_after).astimezone(UTC)
        except (TypeError, ValueError):
            pass  # Not a date either; fall through to the reset headers.
    for name in ("X-RateLimit-Reset", "RateLimit-Reset"):
        reset = response.header(name).strip()
        if reset.isdigit():
            value = int(reset)
            # GitHub and GitLab send an epoch; a small value is a delay in seconds.
            if value < 1_000_000_000:
                return now + timedelta(seconds=value)
            return datetime.fromtimestamp(value, UTC)
    return None


class HttpProvider(Provider):
    """A provider that reads through a forge's REST API with the guarded HTTP client."""

    @sensitive_variables()
    def __init__(self, repo_url: str, token: str = ""):
        super().__init__(repo_url, token)
        self.http = HttpClient()

    @abstractmethod
    def auth_headers(self) -> dict[str, str]: ...

    def base_headers(self) -> dict[str, str]:
        return {}

    def get(self, url: str, *, accept: str, max_bytes: int = METADATA_MAX_BYTES,
            conditional: bool = False) -> HttpResponse:
        """Send a GET with the token; with ``conditional``, revalidate a stored ETag."""
        headers = {**self.base_headers(), "Accept": accept, **self.auth_headers()}
        stored = cache.get_validated(url, accept, self.credential) if conditional else None
        if stored:
            headers["If-None-Match"] = stored["etag"]
        response = self.http.get(url, headers=headers, max_bytes=max_bytes)
        if stored and response.status == 304:
            response.status = 200
            response.body = stored["body"]
            response.headers.update(stored["headers"])
            response.revalidated = True
            return response
        etag = response.header("ETag")
        if conditional and response.status == 200 and etag and not response.truncated:
            kept_headers = {"Content-Type": response.header("Content-Type")}
            cache.store_validated(url, accept, self.credential, etag, response.body, kept_headers)
        return response

    def file_content(self, response: HttpResponse, path: str, max_bytes: int) -> bytes:
        """Return the body of a 200 raw-file response, or raise TooLarge if it was cut.

        An HTML page is an error: the raw APIs serve a file's bytes as text or
        octet-stream, so HTML comes from a login page or a proxy in front of
        the forge, not from the repository.
        """
        if response.content_type == "text/html":
            raise self.unexpected(response, _("reading %(path)s") % {"path": path})
        if response.truncated:
            raise self.too_large(path, max_bytes)
        return response.body

    def raise_for_common_status(self, response: HttpResponse) -> None:
        """Raise for 401, rate limiting and 5xx, which mean the same on every forge."""
        status = response.status
        if status == 401:
            raise AuthFailed(
                _("%(provider)s rejected the repository token (HTTP 401); set a valid token for "
                  "%(repo)s.") % {"provider": self.display_name, "repo": self.repo_label}
            )
        if self.is_rate_limited(response):
            retry_after = retry_time(response)
            when = retry_after.strftime("%Y-%m-%d %H:%M:%S UTC") if retry_after else None
            message = (
                _("%(provider)s rate limit reached; try again after %(when)s.")
                % {"provider": self.display_name, "when": when}
                if when else
                _("%(provider)s rate limit reached; try again later.")
                % {"provider": self.display_name}
            )
            raise RateLimited(message, retry_after=retry_after)
        if status >= 500:
            raise UpstreamError(
                _("%(provider)s returned a server error (HTTP %(status)d); try again later.")
                % {"provider": self.display_name, "status": status}
            )

    def is_rate_limited(self, response: HttpResponse) -> bool:
        if response.status == 429:
            return True
        if response.status != 403:
            return False
        return (response.header("X-RateLimit-Remaining").strip() == "0"
                or bool(response.header("Retry-After").strip()))

    def unexpected(self, response: HttpResponse, what: str) -> UpstreamError:
        if response.content_type.startswith("text/html"):
            detail = _("an HTML page")
        else:
            detail = _("HTTP %(status)d") % {"status": response.status}
        return UpstreamError(
            _("%(provider)s answered %(detail)s while %(what)s; check the repository URL and "
              "try again.") % {"provider": self.display_name, "detail": detail, "what": what}
        )


def split_repo_url(repo_url: str, display_name: str, *, owner_and_name: bool = False
                   ) -> tuple[str, list[str]]:
    """Return ``scheme://host[:port]`` and the path segments of a forge repository URL.

    A trailing ``/`` and a ``.git`` suffix are dropped, so both the web URL
    and the clone URL of a repository work. With ``owner_and_name`` the path
    must be exactly OWNER/REPO.
    """
    origin = guard.check_url(repo_url)
    path = urlsplit(repo_url).path.rstrip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    segments = [unquote(segment) for segment in path.split("/") if segment]
    wrong_length = len(segments) != 2 if owner_and_name else len(segments) < 2
    if wrong_length or urlsplit(repo_url).query or urlsplit(repo_url).fragment:
        raise InvalidLocation(
            _("%(url)r is not a %(provider)s repository URL; use https://HOST/OWNER/REPO.")
            % {"url": repo_url, "provider": display_name}
        )
    return str(origin), segments


def not_a_regular_file(path: str, kind: str | None) -> NotARegularFile:
    """Build the error for a directory, submodule or symbolic link at ``path``."""
    kinds = {
        "directory": _("a directory"),
        "submodule": _("a submodule"),
        "symlink": _("a symbolic link"),
    }
    return NotARegularFile(
        _("%(path)s is %(kind)s, not a regular file; set the path of the configuration file "
          "itself.") % {"path": path, "kind": kinds.get(kind, _("not a regular file"))}
    )


def json_body(response: HttpResponse):
    """Parse a JSON body, or return None when it is cut off or not JSON."""
    if response.truncated:
        return None
    try:
        return json.loads(response.body)
    except ValueError:
        return None
