"""Run a check or a sync over many workloads, with fetches in parallel threads.

Writes stay serialized per workload by the row lock that ``services.sync``
takes; the threads only overlap the network waits.
"""

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import close_old_connections, connections

from gitops import services
from gitops.errors import (
    FetchFailed,
    GitOpsError,
    InvalidConfig,
    NoFile,
    NotEligible,
    NotEnabled,
    SyncConflict,
)
from gitops.status import Status
from tinyforge.workloads.models import Workload


class Mode(StrEnum):
    SYNC = "sync"
    DRY_RUN = "dry_run"
    CHECK = "check"


class Outcome(StrEnum):
    """Result status of one workload, as ``gitops_sync`` reports it."""

    SYNCED = "synced"
    IN_SYNC = "in_sync"
    DRIFTED = "drifted"
    SKIPPED = "skipped"
    NO_FILE = "no_file"
    FETCH_FAILED = "fetch_failed"
    INVALID = "invalid"
    CONFLICT = "conflict"

    @property
    def failed(self) -> bool:
        return self in FAILURES


FAILURES = frozenset({Outcome.NO_FILE, Outcome.FETCH_FAILED, Outcome.INVALID, Outcome.CONFLICT})

_ERROR_OUTCOMES = {
    NoFile: Outcome.NO_FILE,
    FetchFailed: Outcome.FETCH_FAILED,
    InvalidConfig: Outcome.INVALID,
    SyncConflict: Outcome.CONFLICT,
    NotEnabled: Outcome.SKIPPED,
    NotEligible: Outcome.SKIPPED,
}

_STATUS_OUTCOMES = {
    Status.NO_FILE: Outcome.NO_FILE,
    Status.FETCH_FAILED: Outcome.FETCH_FAILED,
    Status.INVALID: Outcome.INVALID,
}


@dataclass
class WorkloadResult:
    workload: str
    status: Outcome
    commit_sha: str | None = None
    changes: list = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        return {"workload": self.workload, "status": self.status.value,
                "commit_sha": self.commit_sha, "changes": self.changes, "error": self.error}


def run_one(workload: Workload, mode: Mode, *, actor: str,
            expected_sha: str | None = None) -> WorkloadResult:
    """Check or sync one workload and describe the outcome, failures included."""
    if not workload.gitops_enabled or not services.is_eligible(workload):
        reason = ("GitOps is not enabled" if services.is_eligible(workload)
                  else f"source type {workload.source_type} cannot use GitOps")
        return WorkloadResult(workload.name, Outcome.SKIPPED, error=reason)

    if mode is Mode.CHECK:
        status = services.get_status(workload)
        if status.status is Status.OK:
            outcome = Outcome.IN_SYNC if status.in_sync else Outcome.DRIFTED
            changes = [{"field": item.field, "before": item.live, "after": item.repo}
                       for item in status.drift if not item.in_sync]
            return WorkloadResult(workload.name, outcome, status.commit_sha, changes)
        return WorkloadResult(workload.name, _STATUS_OUTCOMES[status.status], status.commit_sha,
                              error=_error_text(status.message, status.errors))

    try:
        result = services.sync(workload, actor=actor, expected_sha=expected_sha,
                               dry_run=mode is Mode.DRY_RUN)
    except GitOpsError as error:
        outcome = _ERROR_OUTCOMES.get(type(error), Outcome.CONFLICT)
        return WorkloadResult(workload.name, outcome, error.details.get("commit_sha"),
                              error=_error_text(error.message, getattr(error, "errors", ())))
    if not result.changes:
        outcome = Outcome.IN_SYNC
    else:
        outcome = Outcome.DRIFTED if mode is Mode.DRY_RUN else Outcome.SYNCED
    return WorkloadResult(workload.name, outcome, result.commit_sha, result.changes)


def _error_text(message, errors) -> str | None:
    """Join a message and its per-line errors into one line, for text and JSON output."""
    details = []
    for error in errors:
        position = ":".join(str(part) for part in (error.line, error.column) if part is not None)
        field = f"{error.field}: " if error.field else ""
        details.append(f"{position} {field}{error.message}".strip())
    head = (message or "").rstrip(".")
    if not details:
        return message or None
    return f"{head}: {'; '.join(details)}" if head else "; ".join(details)


def _run_in_thread(workload, mode, actor, expected_sha) -> WorkloadResult:
    try:
        close_old_connections()
        return run_one(workload, mode, actor=actor, expected_sha=expected_sha)
    finally:
        connections.close_all()


def run_many(workloads: Iterable[Workload], mode: Mode, *, actor: str, jobs: int = 8,
             expected_sha: str | None = None,
             on_result: Callable[[WorkloadResult], None] | None = None
             ) -> Iterator[WorkloadResult]:
    """Yield one result per workload, in input order, running up to ``jobs`` at once.

    At most ``2 * jobs`` workloads are in flight, so a streamed queryset of
    any size is read a chunk at a time.
    """
    if jobs <= 1:
        for workload in workloads:
            result = run_one(workload, mode, actor=actor, expected_sha=expected_sha)
            if on_result:
                on_result(result)
            yield result
        return

    pending: deque[Future] = deque()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="gitops") as pool:
        for workload in workloads:
            pending.append(pool.submit(_run_in_thread, workload, mode, actor, expected_sha))
            while len(pending) >= 2 * jobs:
                result = pending.popleft().result()
                if on_result:
                    on_result(result)
                yield result
        while pending:
            result = pending.popleft().result()
            if on_result:
                on_result(result)
            yield result


def summarize(results: Iterable[WorkloadResult]) -> dict[str, int]:
    return dict(Counter(result.status.value for result in results))
