"""Template context of the GitOps panel on the workload change page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from gitops import services
from gitops.status import Status


def status_label(summary: str) -> str:
    """Return the translated label of a status summary such as ``in_sync``."""
    labels = {
        "in_sync": _("In sync"),
        "drifted": _("Drifted"),
        "no_file": _("No file"),
        "fetch_failed": _("Fetch failed"),
        "invalid": _("Invalid"),
        "disabled": _("Disabled"),
    }
    return labels.get(summary, _("Unknown"))


def display_value(value) -> str:
    """Write a config value for the drift view; a missing value reads "not set"."""
    if value is None:
        return _("not set")
    if value == "":
        return '""'
    return str(value)


def drift_rows(drift, *, drifted_only: bool = False) -> list[dict]:
    return [
        {"field": item.field, "repo": display_value(item.repo), "live": display_value(item.live),
         "in_sync": item.in_sync}
        for item in drift if not (drifted_only and item.in_sync)
    ]


def _next_step(status, path: str) -> str:
    if status.status is Status.FETCH_FAILED:
        return _(
            "Check the repository URL, branch and token below and that Tinyforge can reach "
            "the repository, then reload this page. Until the file can be read, every field "
            "it may declare stays locked; disable GitOps to edit them."
        )
    if status.status is Status.INVALID:
        return _("Fix the errors in %(path)s, commit, and reload this page.") % {"path": path}
    if status.status is Status.NO_FILE:
        return _(
            "Commit a file at %(path)s; download .tinyforge.yml to start from the live config."
        ) % {"path": path}
    return ""


def _preview_lines(raw: str | None, errors) -> list[dict]:
    if raw is None:
        return []
    error_lines = {error.line for error in errors if error.line}
    return [
        {"number": number, "text": text, "has_error": number in error_lines}
        for number, text in enumerate(raw.splitlines(), start=1)
    ]


def panel_context(workload, status, *, can_manage: bool, can_sync: bool,
                  settings_form) -> dict:
    """Build the ``gitops`` context of the change page; ``status`` is None when disabled."""
    summary = status.summary if status is not None else "disabled"
    context = {
        "eligible": services.is_eligible(workload),
        "enabled": workload.gitops_enabled,
        "path": workload.gitops_path,
        "summary": summary,
        "label": status_label(summary),
        "can_manage": can_manage,
        "can_sync": can_sync and status is not None and status.status is Status.OK,
        "settings_form": settings_form,
        "last_sync_at": workload.gitops_synced_at,
        "last_sync_sha": workload.gitops_synced_sha,
        "settings_url": reverse("admin:workloads_workload_gitops_settings",
                                args=[workload.pk]),
        "export_url": reverse("admin:workloads_workload_gitops_export", args=[workload.pk]),
        "changelist_url": reverse("admin:workloads_workload_changelist"),
    }
    if status is not None:
        context.update({
            "status": status,
            "message": status.message,
            "next_step": _next_step(status, workload.gitops_path),
            "commit_sha": status.commit_sha,
            "drift": drift_rows(status.drift),
            "errors": status.errors,
            "preview": _preview_lines(status.raw, status.errors),
            "managed_fields": status.managed_fields,
        })
    return {"gitops": context}
