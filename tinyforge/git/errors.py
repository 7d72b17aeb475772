"""Exceptions raised by the git providers and the outbound HTTP client.

Every exception carries ``message``, a plain sentence for the admin that has
already passed redaction by the time it leaves a provider, and ``status``,
the fetch status a caller should record. ``FileNotFound`` is the only
exception that means "the ref exists and the file does not".
"""

from datetime import datetime


class ProviderError(Exception):
    """Base class of every error a provider raises on purpose."""

    status = "fetch_failed"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def redacted(self, redactor) -> "ProviderError":
        """Return a copy whose message passed ``redactor``, with no traceback or chained cause."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.message = redactor(self.message)
        clone.args = (clone.message,)
        return clone


class FileNotFound(ProviderError):
    """Raised when the commit exists but has no entry at the requested path."""

    status = "no_file"


class FetchError(ProviderError):
    """Raised for every failure other than a missing file."""


class InvalidLocation(FetchError):
    """Raised when the provider name, repository URL, branch, path or SHA is not acceptable."""


class RefNotFound(FetchError):
    """Raised when the repository exists but the branch or commit does not."""


class RepoNotFoundOrNoAccess(FetchError):
    """Raised when the repository does not exist or the token cannot read it.

    GitHub, GitLab and Gitea return 404 for a private repository the token
    cannot read, so the two cases cannot be distinguished.
    """


class AuthFailed(FetchError):
    """Raised when the server rejects the token (HTTP 401 or a git authentication failure)."""


class RateLimited(FetchError):
    """Raised when the server rate-limits the client; ``retry_after`` is the time to retry."""

    def __init__(self, message: str, retry_after: datetime | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class NotARegularFile(FetchError):
    """Raised when the path names a directory, a submodule or a symbolic link."""


class TooLarge(FetchError):
    """Raised when a response body is larger than the limit, in decoded bytes.

    Its status is ``invalid``, because an oversize configuration file is a
    problem with the file, not with fetching it.
    """

    status = "invalid"

    def __init__(self, message: str, limit: int = 0):
        super().__init__(message)
        self.limit = limit


class AddressBlocked(FetchError):
    """Raised when the address policy forbids a URL or the addresses its host resolves to."""


class Timeout(FetchError):
    """Raised when a connection, a read or the whole request takes longer than allowed."""


class UpstreamError(FetchError):
    """Raised for a server error, an unexpected response or a failed connection."""
