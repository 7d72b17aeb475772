"""The last known GitOps status of each workload, kept in Django's cache.

Every status read fills it (the admin panel, the API, ``gitops_sync --check``)
so lists can show a status without contacting a git provider.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

# Kept for a week: a list then shows "unknown" rather than a status that old.
TIMEOUT_SECONDS = 7 * 24 * 3600


def _key(workload_id: int) -> str:
    return f"gitops:last-status:{workload_id}"


@dataclass(frozen=True)
class KnownStatus:
    summary: str
    commit_sha: str | None
    checked_at: datetime


def remember(status) -> None:
    """Store the summary of a status just read."""
    store(status.workload_id, status.summary, status.commit_sha, status.checked_at)


def store(workload_id: int, summary: str, commit_sha: str | None, checked_at: datetime) -> None:
    cache.set(_key(workload_id), {
        "summary": summary, "commit_sha": commit_sha, "checked_at": checked_at,
    }, TIMEOUT_SECONDS)


def forget(workload_id: int) -> None:
    cache.delete(_key(workload_id))


def recall_many(workload_ids) -> dict[int, KnownStatus]:
    """Return the known statuses of many workloads in one cache round trip."""
    keys = {_key(workload_id): workload_id for workload_id in workload_ids}
    found = cache.get_many(list(keys))
    return {keys[key]: KnownStatus(**value) for key, value in found.items()}
