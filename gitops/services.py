"""The GitOps services: the only code that writes GitOps state.

The admin, the REST API and the management commands call these functions
and nothing below them. Network reads happen outside any transaction; every
write happens in one transaction that holds the workload's row lock.
"""

import copy
import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from gitops import statuscache
from gitops.drift import compute_drift
from gitops.errors import (
    FetchFailed,
    GitOpsError,
    InvalidConfig,
    InvalidPath,
    ManagedFieldsLocked,
    NoFile,
    NotEligible,
    NotEnabled,
    SyncConflict,
)
from gitops.export import render_spec
from gitops.fetch import RepoLocation, fetch_spec
from gitops.file_fields import set_path
from gitops.merge import changes as config_changes
from gitops.merge import merge_and_validate
from gitops.paths import DEFAULT_GITOPS_PATH, check_gitops_path
from gitops.plan import PlanError, build_plan
from gitops.status import DriftItem, FetchResult, FileError, GitOpsStatus, Status
from tinyforge.crypto import DecryptionError, reveal
from tinyforge.events.models import EventLog
from tinyforge.sources import get_path
from tinyforge.workloads.models import Workload

logger = logging.getLogger("gitops.services")

ELIGIBLE_SOURCE_TYPES = ("dockerfile", "static")

ENABLED = "gitops.enabled"
DISABLED = "gitops.disabled"
PATH_CHANGED = "gitops.path_changed"
SYNCED = "gitops.synced"
SYNC_FAILED = "gitops.sync_failed"


def is_eligible(workload: Workload) -> bool:
    return workload.source_type in ELIGIBLE_SOURCE_TYPES


def _not_eligible(workload: Workload) -> NotEligible:
    return NotEligible(_(
        "GitOps is available for dockerfile and static workloads only, and %(name)s has "
        "source type %(source)s."
    ) % {"name": workload.name, "source": workload.source_type})


# Enabling, disabling and the path ------------------------------------------------------


def configure_gitops(workload: Workload, *, actor, enabled: bool | None = None,
                     path: str | None = None) -> Workload:
    """Enable or disable GitOps and set the file path, recording an event per change.

    Raises NotEligible for image and compose workloads and InvalidPath for a
    path outside the rules; nothing is written when either is raised.
    """
    if enabled and not is_eligible(workload):
        raise _not_eligible(workload)
    if path is not None:
        problem = check_gitops_path(path)
        if problem is not None:
            raise InvalidPath(_("The GitOps path %(path)r is not valid: %(problem)s.") % {
                "path": path, "problem": problem,
            })

    with transaction.atomic():
        row = Workload.objects.select_for_update().get(pk=workload.pk)
        updates, events = {}, []
        if path is not None and path != row.gitops_path:
            updates["gitops_path"] = path
            events.append((PATH_CHANGED, {"before": row.gitops_path, "after": path}))
        if enabled is not None and enabled != row.gitops_enabled:
            updates["gitops_enabled"] = enabled
            events.append((ENABLED if enabled else DISABLED,
                           {"path": updates.get("gitops_path", row.gitops_path)}))
        if updates:
            Workload.objects.filter(pk=row.pk).update(**updates)
            for name, value in updates.items():
                setattr(row, name, value)
            for action, details in events:
                EventLog.record(action, actor=actor, workload=row, details=details)
    if updates:
        statuscache.forget(row.pk)
    _copy_gitops_columns(row, workload)
    return workload


def enable_gitops(workload: Workload, *, actor, path: str | None = None) -> Workload:
    return configure_gitops(workload, actor=actor, enabled=True, path=path)


def disable_gitops(workload: Workload, *, actor) -> Workload:
    return configure_gitops(workload, actor=actor, enabled=False)


def _copy_gitops_columns(source: Workload, target: Workload) -> None:
    for name in ("gitops_enabled", "gitops_path", "gitops_synced_at", "gitops_synced_sha",
                 "source_config"):
        setattr(target, name, getattr(source, name))


# Reading the status -------------------------------------------------------------------


@sensitive_variables()
def fetch_for(workload: Workload) -> FetchResult:
    """Fetch the workload's file, decrypting its token only for this call."""
    config = workload.source_config if isinstance(workload.source_config, dict) else {}
    try:
        token = reveal(workload.repo_token)
    except DecryptionError:
        return FetchResult(Status.FETCH_FAILED, message=_(
            "The repository token of %(name)s cannot be decrypted with the configured keys; "
            "set the token again or restore the old key to TINYFORGE_ENCRYPTION_KEYS."
        ) % {"name": workload.name})
    return fetch_spec(RepoLocation.from_config(config), workload.gitops_path, token)


def make_preview_token(commit_sha: str, workload: Workload, managed_fields) -> str:
    """Fingerprint the commit and the live values of the managed fields.

    The repository settings and the path are part of it, so a preview made
    against another repository or file never matches.
    """
    config = workload.source_config
    material = {
        "sha": commit_sha,
        "repo": RepoLocation.from_config(config).__dict__,
        "path": workload.gitops_path,
        "live": {name: get_path(config, name, None) for name in managed_fields},
    }
    encoded = json.dumps(material, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:40]


def _merge_errors(field_errors, spec, source) -> tuple[FileError, ...]:
    """Point merged-config errors at the file's lines where the file declares the field."""
    result = []
    for error in field_errors:
        if source.accepts_from_file(error.field):
            dotted = f"deploy.{error.field}"
            line, column = (spec.position(dotted) or (None, None)) if spec else (None, None)
            result.append(FileError(dotted, line, column, error.message))
        else:
            result.append(FileError(error.field or None, None, None, error.message))
    return tuple(result)


def get_status(workload: Workload) -> GitOpsStatus:
    """Read the file and describe the workload's GitOps state; fills the status cache."""
    base = {
        "workload_id": workload.pk,
        "enabled": workload.gitops_enabled,
        "eligible": is_eligible(workload),
        "path": workload.gitops_path,
        "last_sync_at": workload.gitops_synced_at,
        "last_sync_sha": workload.gitops_synced_sha or None,
        "checked_at": timezone.now(),
    }
    if not workload.gitops_enabled or not is_eligible(workload):
        return GitOpsStatus(status=Status.DISABLED, **base)

    fetched = fetch_for(workload)
    status = _status_from_fetch(workload, fetched, base)
    statuscache.remember(status)
    return status


def _status_from_fetch(workload: Workload, fetched: FetchResult, base: dict) -> GitOpsStatus:
    source = workload.source
    all_file_fields = tuple(config_field.path for config_field in source.file_fields)
    common = {**base, "commit_sha": fetched.commit_sha, "raw": fetched.raw}

    if fetched.status is Status.NO_FILE:
        return GitOpsStatus(status=Status.NO_FILE, message=fetched.message, **common)
    if fetched.status is not Status.OK:
        # The file cannot be used, so every field it could declare stays locked.
        return GitOpsStatus(status=fetched.status, message=fetched.message,
                            errors=fetched.errors, locked_fields=all_file_fields, **common)

    try:
        plan = build_plan(fetched.spec, workload.source_type)
    except PlanError as error:
        errors = tuple(FileError(e.field, e.line, e.column, e.message) for e in error.errors)
        return GitOpsStatus(status=Status.INVALID, errors=errors, locked_fields=all_file_fields,
                            message=_("The file declares fields this workload does not accept."),
                            **common)

    managed = tuple(plan.managed_fields)
    live = workload.source_config if isinstance(workload.source_config, dict) else {}
    drift = tuple(DriftItem(entry.field, entry.repo, entry.live, entry.in_sync)
                  for entry in compute_drift(plan, live))
    merged = merge_and_validate(live, plan, source)
    if not merged.valid:
        return GitOpsStatus(
            status=Status.INVALID, managed_fields=managed, locked_fields=managed, drift=drift,
            errors=_merge_errors(merged.errors, fetched.spec, source), plan=plan,
            message=_("The config merged from the file is not valid, so it cannot be synced."),
            **common,
        )
    return GitOpsStatus(
        status=Status.OK, managed_fields=managed, locked_fields=managed, drift=drift, plan=plan,
        preview_token=make_preview_token(fetched.commit_sha, workload, managed), **common,
    )


# Syncing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    """Result of a sync: the commit and the field changes it applied, or would apply."""

    workload: str
    commit_sha: str
    changes: list = field(default_factory=list)
    dry_run: bool = False


def _settings_snapshot(workload: Workload) -> tuple:
    config = workload.source_config if isinstance(workload.source_config, dict) else {}
    token = workload.repo_token
    return (
        RepoLocation.from_config(config), workload.gitops_enabled, workload.gitops_path,
        getattr(token, "ciphertext", token),
    )


def sync(workload: Workload, *, actor, expected_sha: str | None = None,
         preview_token: str | None = None, dry_run: bool = False) -> SyncResult:
    """Apply the file's declared fields to the live config in one transaction.

    Raises a GitOpsError subclass on every expected failure and re-raises any
    other exception unchanged. Apart from a dry run, every failure is recorded
    as a ``gitops.sync_failed`` event and nothing else is written.
    """
    try:
        return _sync(workload, actor=actor, expected_sha=expected_sha,
                     preview_token=preview_token, dry_run=dry_run)
    except GitOpsError as error:
        if not dry_run:
            _record_failure(workload, actor, error)
        raise
    except DatabaseError as error:
        failure = GitOpsError(_("The database rejected the sync: %(error)s") % {
            "error": type(error).__name__,
        })
        if not dry_run:
            _record_failure(workload, actor, failure)
        raise failure from error
    except Exception as error:
        # A bug in any step must still leave an audit record of the failed
        # sync; the error itself propagates unchanged.
        if not dry_run:
            _record_failure(workload, actor, GitOpsError(_(
                "The sync failed with an unexpected %(error)s; the server log has the details."
            ) % {"error": type(error).__name__}))
        raise


def _sync(workload, *, actor, expected_sha, preview_token, dry_run) -> SyncResult:
    current = Workload.objects.get(pk=workload.pk)
    if not is_eligible(current):
        raise _not_eligible(current)
    if not current.gitops_enabled:
        raise NotEnabled(_("GitOps is not enabled for %(name)s.") % {"name": current.name})
    snapshot = _settings_snapshot(current)

    # 1. Read the file, outside any transaction.
    fetched = fetch_for(current)
    if fetched.status is Status.NO_FILE:
        raise NoFile(fetched.message, commit_sha=fetched.commit_sha)
    if fetched.status is Status.FETCH_FAILED:
        raise FetchFailed(fetched.message)
    if fetched.status is Status.INVALID:
        raise InvalidConfig(fetched.message, errors=fetched.errors,
                            commit_sha=fetched.commit_sha)

    # 2. Refuse when the repository moved since the preview.
    if expected_sha and fetched.commit_sha != expected_sha:
        raise SyncConflict(_(
            "The branch moved from %(expected)s to %(actual)s since the preview; review the "
            "new drift and sync again."
        ) % {"expected": expected_sha[:12], "actual": fetched.commit_sha[:12]},
            commit_sha=fetched.commit_sha)
    try:
        plan = build_plan(fetched.spec, current.source_type)
    except PlanError as error:
        raise InvalidConfig(
            _("The file declares fields this workload does not accept."),
            errors=[FileError(e.field, e.line, e.column, e.message) for e in error.errors],
            commit_sha=fetched.commit_sha,
        ) from None

    # 3. Merge and write under the row lock, in one transaction.
    with transaction.atomic():
        row = Workload.objects.select_for_update().get(pk=current.pk)
        if _settings_snapshot(row) != snapshot:
            raise SyncConflict(_(
                "The repository or GitOps settings of %(name)s changed while the file was "
                "read; sync again."
            ) % {"name": row.name}, commit_sha=fetched.commit_sha)
        current_token = make_preview_token(fetched.commit_sha, row, plan.managed_fields)
        if preview_token and preview_token != current_token:
            raise SyncConflict(_(
                "The repository or a managed field of %(name)s changed since the preview; "
                "review the new drift and sync again."
            ) % {"name": row.name}, commit_sha=fetched.commit_sha)

        live = row.source_config if isinstance(row.source_config, dict) else {}
        merged = merge_and_validate(live, plan, row.source)
        if not merged.valid:
            raise InvalidConfig(
                _("The config merged from the file is not valid, so it was not synced."),
                errors=_merge_errors(merged.errors, fetched.spec, row.source),
                commit_sha=fetched.commit_sha,
            )
        changes = config_changes(live, merged.config, plan.managed_fields)
        result = SyncResult(row.name, fetched.commit_sha, changes, dry_run)
        if dry_run:
            return result

        row.source_config = merged.config
        row.gitops_synced_at = timezone.now()
        row.gitops_synced_sha = fetched.commit_sha
        row.save(update_fields=["source_config", "gitops_synced_at", "gitops_synced_sha",
                                "updated_at"])
        EventLog.record(SYNCED, actor=actor, workload=row, details={
            "commit_sha": fetched.commit_sha, "path": row.gitops_path, "changes": changes,
        })
    # The file's fields now match the live config at this commit.
    statuscache.store(row.pk, "in_sync", fetched.commit_sha, row.gitops_synced_at)
    _copy_gitops_columns(row, workload)
    return result


def _record_failure(workload: Workload, actor, error: GitOpsError) -> None:
    details = {"code": error.code, "reason": error.message}
    if error.details.get("commit_sha"):
        details["commit_sha"] = error.details["commit_sha"]
    errors = getattr(error, "errors", ())
    if errors:
        details["errors"] = [item.as_dict() for item in errors]
    try:
        EventLog.record(SYNC_FAILED, actor=actor, workload=workload, details=details)
    except DatabaseError:
        logger.exception("could not record a failed sync", extra={"workload": workload.name})


# The read-only gate -------------------------------------------------------------------


def _leaf_paths(config: object, prefix: str = "") -> dict[str, object]:
    if not isinstance(config, dict):
        return {prefix: config} if prefix else {}
    leaves = {}
    for key, value in config.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            leaves.update(_leaf_paths(value, path))
        else:
            leaves[path] = value
    return leaves


_ABSENT = object()


def changed_paths(original: dict, proposed: dict) -> list[str]:
    """List the dotted leaves that differ between two configs, added and removed ones too."""
    before, after = _leaf_paths(original or {}), _leaf_paths(proposed or {})
    return sorted(
        path for path in before.keys() | after.keys()
        if before.get(path, _ABSENT) != after.get(path, _ABSENT)
        or type(before.get(path)) is not type(after.get(path))
    )


def _overlaps(path: str, locked: str) -> bool:
    return path == locked or path.startswith(locked + ".") or locked.startswith(path + ".")


def _set_leaf(config: dict, path: str, value: object) -> None:
    if value is not _ABSENT:
        set_path(config, path, copy.deepcopy(value))
        return
    *parents, leaf = path.split(".")
    parent = get_path(config, ".".join(parents), None) if parents else config
    if isinstance(parent, dict):
        parent.pop(leaf, None)


def locked_fields(workload: Workload) -> tuple[GitOpsStatus | None, tuple[str, ...]]:
    """Return the status read for the gate and the fields an edit must not change."""
    if not workload.gitops_enabled or not is_eligible(workload):
        return None, ()
    status = get_status(workload)
    return status, status.locked_fields


def edit_workload(workload: Workload, *, source_config: dict | None = None,
                  original_config: dict | None = None, fields: dict | None = None,
                  lock: tuple | None = None) -> Workload:
    """Save an edit made in the admin or the API, through the read-only gate.

    ``original_config`` is the config the editor started from: the form as
    shown, or the row as read. Only the leaves the editor changed are
    applied, onto the row re-read under its lock, so a sync that landed
    meanwhile is kept. A change to a locked field raises ManagedFieldsLocked
    and nothing at all is written, other fields included.

    ``lock`` is a ``locked_fields(workload)`` result read earlier; callers that
    run inside a transaction pass it so no fetch happens while they hold it.
    """
    fields = dict(fields or {})
    changed = []
    if source_config is not None:
        start = workload.source_config if original_config is None else original_config
        changed = changed_paths(start, source_config)
        if changed:
            status, locked = lock if lock is not None else locked_fields(workload)
            blocked = sorted({path for path in changed for name in locked
                              if _overlaps(path, name)})
            if blocked:
                fail_closed = bool(status) and status.status is not Status.OK \
                    and not status.managed_fields
                raise ManagedFieldsLocked(
                    blocked, workload.gitops_path, status.commit_sha if status else None,
                    fail_closed=fail_closed,
                    file_invalid=fail_closed and status.status is Status.INVALID,
                )

    with transaction.atomic():
        row = Workload.objects.select_for_update().get(pk=workload.pk)
        update_fields = []
        if changed:
            config = copy.deepcopy(row.source_config) if isinstance(row.source_config, dict) \
                else {}
            after = _leaf_paths(source_config)
            for path in changed:
                _set_leaf(config, path, after.get(path, _ABSENT))
            row.source_config = config
            update_fields.append("source_config")
        for name, value in fields.items():
            setattr(row, name, value)
            update_fields.append(name)
        if not update_fields:
            return row
        errors = row.source.validate(row.source_config) if "source_config" in update_fields \
            or "source_type" in update_fields else []
        if errors:
            raise InvalidConfig(
                _("The source config is not valid."),
                errors=[FileError(error.field or None, None, None, error.message)
                        for error in errors],
            )
        row.save(update_fields=[*update_fields, "updated_at"])
    return row


# Export -------------------------------------------------------------------------------


def export_spec(workload: Workload) -> str:
    """Render a .tinyforge.yml from the live config, to commit and adopt with zero drift."""
    if not is_eligible(workload):
        raise _not_eligible(workload)
    return render_spec(workload.source_config or {}, workload.source_type)


__all__ = [
    "DEFAULT_GITOPS_PATH",
    "SyncResult",
    "configure_gitops",
    "disable_gitops",
    "edit_workload",
    "enable_gitops",
    "export_spec",
    "get_status",
    "is_eligible",
    "locked_fields",
    "sync",
]
