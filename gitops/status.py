"""Typed values that describe a workload's GitOps state. No I/O."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """Result of reading a workload's ``.tinyforge.yml``."""

    DISABLED = "disabled"
    OK = "ok"
    NO_FILE = "no_file"
    FETCH_FAILED = "fetch_failed"
    INVALID = "invalid"


@dataclass(frozen=True)
class FileError:
    """One problem with the file or with the config merged from it."""

    field: str | None
    line: int | None
    column: int | None
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "line": self.line, "column": self.column,
                "message": self.message}


@dataclass(frozen=True)
class FetchResult:
    """The file as read at one commit: parsed, or the reason it could not be used."""

    status: Status
    commit_sha: str | None = None
    raw: str | None = None
    spec: object | None = None
    errors: tuple[FileError, ...] = ()
    message: str | None = None


@dataclass(frozen=True)
class DriftItem:
    field: str
    repo: object
    live: object
    in_sync: bool


@dataclass(frozen=True)
class GitOpsStatus:
    """Everything an admin needs to judge a workload's GitOps state before a sync.

    ``managed_fields`` are the fields the file declares. ``locked_fields`` are
    the fields edits must leave alone: the managed ones, or every field the
    source accepts from the file when the file cannot be read (fail closed).
    """

    workload_id: int
    enabled: bool
    eligible: bool
    path: str
    status: Status
    commit_sha: str | None = None
    raw: str | None = None
    message: str | None = None
    errors: tuple[FileError, ...] = ()
    managed_fields: tuple[str, ...] = ()
    locked_fields: tuple[str, ...] = ()
    drift: tuple[DriftItem, ...] = ()
    preview_token: str | None = None
    last_sync_at: datetime | None = None
    last_sync_sha: str | None = None
    checked_at: datetime | None = None
    plan: object | None = field(default=None, repr=False, compare=False)

    @property
    def in_sync(self) -> bool | None:
        """True when every declared field matches; None when there is nothing to compare."""
        if self.status is not Status.OK:
            return None
        return all(item.in_sync for item in self.drift)

    @property
    def summary(self) -> str:
        """One word for lists and monitoring: in_sync, drifted, or the status value."""
        if self.status is Status.OK:
            return "in_sync" if self.in_sync else "drifted"
        return self.status.value
