"""The workload admin with GitOps: list columns, actions, the change-page panel and the gate.

The core platform registers a plain WorkloadAdmin; this module replaces it
with a subclass, because the core never imports the GitOps app. Every GitOps
read and write goes through ``gitops.services``.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import get_objects_for_user

from gitops import services, statuscache
from gitops.errors import GitOpsError, InvalidConfig, ManagedFieldsLocked, SyncConflict
from gitops.forms import (
    GitOpsSettingsForm,
    config_fields_for,
    form_field_name,
    workload_form_class,
)
from gitops.panel import drift_rows, panel_context, status_label
from gitops.status import Status
from tinyforge.api import user_has_perm
from tinyforge.sources import SOURCE_TYPES
from tinyforge.workloads.admin import WorkloadAdmin
from tinyforge.workloads.models import Workload

SYNC_PERMISSION = "workloads.sync_gitops"
MANAGE_PERMISSION = "workloads.manage_gitops"

# Sent by the panel's "Sync now" button, so the action returns to the change page.
RETURN_TO_CHANGE = "_gitops_return"


class GateRejected(Exception):
    """Raised from save_model when the services reject an edit, to re-render the form."""

    def __init__(self, error: GitOpsError):
        super().__init__(error.message)
        self.error = error


def short_sha(sha: str | None) -> str:
    return (sha or "")[:12]


class GitOpsWorkloadAdmin(WorkloadAdmin):
    list_display = [
        "name", "source_type", "gitops_badge", "gitops_status", "gitops_last_sync", "repository",
        "token_set", "updated_at",
    ]
    list_filter = ["source_type", "gitops_enabled"]
    search_fields = ["name"]
    actions = ["sync_from_repo", "enable_gitops", "disable_gitops"]
    change_form_template = "admin/gitops/workload_change_form.html"

    class Media:
        css = {"all": ["gitops/admin.css"]}

    # Permissions ------------------------------------------------------------------------

    def _has_gitops_permission(self, request, perm: str, obj=None) -> bool:
        """Check ``perm`` globally, on ``obj``, or, without an object, on any workload."""
        if obj is not None:
            return user_has_perm(request.user, perm, obj)
        cache = request.__dict__.setdefault("_gitops_any_perm", {})
        if perm not in cache:
            cache[perm] = request.user.has_perm(perm) or get_objects_for_user(
                request.user, perm, klass=Workload, accept_global_perms=False,
            ).exists()
        return cache[perm]

    def has_sync_gitops_permission(self, request, obj=None) -> bool:
        return self._has_gitops_permission(request, SYNC_PERMISSION, obj)

    def has_manage_gitops_permission(self, request, obj=None) -> bool:
        return self._has_gitops_permission(request, MANAGE_PERMISSION, obj)

    def _split_by_permission(self, request, queryset, perm: str) -> list:
        """Return the workloads the user may act on; report the others as skipped."""
        allowed = []
        for workload in queryset:
            if user_has_perm(request.user, perm, workload):
                allowed.append(workload)
            else:
                self.message_user(request, _(
                    "Skipped %(name)s: you do not have permission to do this for it."
                ) % {"name": workload.name}, messages.WARNING)
        return allowed

    # Changelist --------------------------------------------------------------------------

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)  # evaluates and caches the page's queryset
        known = statuscache.recall_many([row.pk for row in rows])
        for row in rows:
            row.gitops_known_status = known.get(row.pk)
        return changelist

    @admin.display(description=gettext_lazy("GitOps"), ordering="gitops_enabled")
    def gitops_badge(self, obj):
        if not obj.gitops_enabled:
            return ""
        return format_html('<span class="gitops-badge">{}</span>', _("GitOps"))

    @admin.display(description=gettext_lazy("GitOps status"))
    def gitops_status(self, obj):
        if not obj.gitops_enabled:
            return ""
        known = getattr(obj, "gitops_known_status", None)
        if known is None:
            return format_html('<span class="gitops-pill gitops-pill--unknown">{}</span>',
                               _("unknown"))
        age = timezone.now() - known.checked_at
        return format_html(
            '<span class="gitops-pill gitops-pill--{}">{}</span> '
            '<span class="gitops-age">{}</span>',
            known.summary, status_label(known.summary), _("checked %(age)s ago") % {
                "age": _format_age(age.total_seconds()),
            },
        )

    @admin.display(description=gettext_lazy("last sync"), ordering="gitops_synced_at")
    def gitops_last_sync(self, obj):
        if not obj.gitops_synced_at:
            return ""
        return format_html(
            '{} <code class="gitops-sha">{}</code>',
            timezone.localtime(obj.gitops_synced_at).strftime("%Y-%m-%d %H:%M"),
            short_sha(obj.gitops_synced_sha),
        )

    # Actions -----------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Sync from repo"), permissions=["sync_gitops"])
    def sync_from_repo(self, request, queryset):
        workloads = self._split_by_permission(request, queryset, SYNC_PERMISSION)
        if request.POST.get("post") == "yes":
            return self._apply_syncs(request, workloads)
        if not workloads:
            return None
        return self._render_sync_confirmation(request, workloads)

    def _render_sync_confirmation(self, request, workloads):
        rows = []
        for workload in workloads:
            status = services.get_status(workload)
            rows.append({
                "workload": workload,
                "status": status,
                "summary": status.summary,
                "label": status_label(status.summary),
                "reason": _skip_reason(status),
                "drift": drift_rows(status.drift, drifted_only=True),
            })
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sync from repo"),
            "opts": self.model._meta,
            "media": self.media,
            "rows": rows,
            "syncable": [row for row in rows if row["reason"] is None],
            "skipped": [row for row in rows if row["reason"] is not None],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "return_to_change": request.POST.get(RETURN_TO_CHANGE, ""),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/gitops/sync_confirmation.html", context)

    def _apply_syncs(self, request, workloads):
        for workload in workloads:
            expected_sha = request.POST.get(f"sha-{workload.pk}")
            if not expected_sha:
                self.message_user(request, _(
                    "Skipped %(name)s: it was not ready to sync on the confirmation page."
                ) % {"name": workload.name}, messages.WARNING)
                continue
            try:
                result = services.sync(
                    workload, actor=request.user, expected_sha=expected_sha,
                    preview_token=request.POST.get(f"token-{workload.pk}") or None,
                )
            except SyncConflict as error:
                self.message_user(request, _("Conflict for %(name)s, nothing applied: "
                                             "%(error)s") % {"name": workload.name,
                                                             "error": error.message},
                                  messages.ERROR)
            except GitOpsError as error:
                self.message_user(request, _("Sync of %(name)s failed: %(error)s") % {
                    "name": workload.name, "error": error.message,
                }, messages.ERROR)
            else:
                self.message_user(request, _(
                    "Synced %(name)s to commit %(sha)s: %(count)d field(s) changed."
                ) % {"name": workload.name, "sha": short_sha(result.commit_sha),
                     "count": len(result.changes)}, messages.SUCCESS)
        if request.POST.get(RETURN_TO_CHANGE) and len(workloads) == 1:
            return HttpResponseRedirect(self._change_url(workloads[0]))
        return None

    @admin.action(description=gettext_lazy("Enable GitOps"), permissions=["manage_gitops"])
    def enable_gitops(self, request, queryset):
        self._configure_each(request, queryset, enabled=True)

    @admin.action(description=gettext_lazy("Disable GitOps"), permissions=["manage_gitops"])
    def disable_gitops(self, request, queryset):
        self._configure_each(request, queryset, enabled=False)

    def _configure_each(self, request, queryset, *, enabled: bool) -> None:
        for workload in self._split_by_permission(request, queryset, MANAGE_PERMISSION):
            try:
                services.configure_gitops(workload, actor=request.user, enabled=enabled)
            except GitOpsError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            template = (_("Enabled GitOps for %(name)s.") if enabled
                        else _("Disabled GitOps for %(name)s."))
            self.message_user(request, template % {"name": workload.name}, messages.SUCCESS)

    # Change page -------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/gitops/settings/",
                 self.admin_site.admin_view(self.gitops_settings_view),
                 name="{}_{}_gitops_settings".format(*info)),
            path("<path:object_id>/gitops/export/",
                 self.admin_site.admin_view(self.gitops_export_view),
                 name="{}_{}_gitops_export".format(*info)),
            *super().get_urls(),
        ]

    def _change_url(self, workload) -> str:
        return reverse("admin:workloads_workload_change", args=[workload.pk],
                       current_app=self.admin_site.name)

    def _get_permitted_object(self, request, object_id, perm: str | None = None):
        workload = get_object_or_404(Workload, pk=object_id)
        if not self.has_view_or_change_permission(request, workload):
            raise PermissionDenied
        if perm is not None and not user_has_perm(request.user, perm, workload):
            raise PermissionDenied
        return workload

    def gitops_settings_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        workload = self._get_permitted_object(request, object_id, MANAGE_PERMISSION)
        form = GitOpsSettingsForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("The GitOps settings were not valid."), messages.ERROR)
            return HttpResponseRedirect(self._change_url(workload))
        try:
            services.configure_gitops(
                workload, actor=request.user, enabled=form.cleaned_data["enabled"],
                path=form.cleaned_data["path"] or services.DEFAULT_GITOPS_PATH,
            )
        except GitOpsError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, _("Saved the GitOps settings of %(name)s.") % {
                "name": workload.name,
            }, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(workload))

    def gitops_export_view(self, request, object_id):
        workload = self._get_permitted_object(request, object_id)
        try:
            text = services.export_spec(workload)
        except GitOpsError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(self._change_url(workload))
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename=".tinyforge.yml"'
        return response

    def _request_status(self, request, obj):
        """Read the status once per request: the form's lock and the panel share it."""
        if obj is None or not services.is_eligible(obj) or not obj.gitops_enabled:
            return None
        cache = request.__dict__.setdefault("_gitops_status", {})
        if obj.pk not in cache:
            cache[obj.pk] = services.get_status(obj)
        return cache[obj.pk]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The typed fields belong to one source type, so the type is fixed after creation.
            readonly.append("source_type")
        return readonly

    def _source_types(self, obj) -> tuple:
        return (obj.source_type,) if obj is not None else SOURCE_TYPES

    def get_fieldsets(self, request, obj=None):
        config_names = [form_field_name(config_field.path)
                        for config_field in config_fields_for(self._source_types(obj))]
        return [
            (None, {"fields": ["name", "source_type"]}),
            (_("Source config"), {"fields": config_names}),
            (_("Repository token"), {"fields": ["new_secret", "clear_secret"]}),
            (_("Timestamps"), {"fields": ["created_at", "updated_at"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        status = self._request_status(request, obj)
        kwargs["form"] = workload_form_class(
            self._source_types(obj),
            locked=status.locked_fields if status is not None else (),
            status=status,
            rejection=request.__dict__.get("_gitops_rejection"),
        )
        return super().get_form(request, obj, change, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if object_id is not None and request.method in ("GET", "POST"):
            workload = self.get_object(request, object_id)
            if workload is not None and self.has_view_or_change_permission(request, workload):
                extra_context.update(self._panel(request, workload))
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except GateRejected as rejected:
            # The transaction of the first attempt rolled back; render the form
            # again with the services' error on the fields it names.
            request._gitops_rejection = rejected.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def _panel(self, request, workload) -> dict:
        status = self._request_status(request, workload)
        return panel_context(
            workload, status,
            can_manage=user_has_perm(request.user, MANAGE_PERMISSION, workload),
            can_sync=user_has_perm(request.user, SYNC_PERMISSION, workload),
            settings_form=GitOpsSettingsForm(initial={
                "enabled": workload.gitops_enabled, "path": workload.gitops_path,
            }),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = {}
        if "name" in form.changed_data:
            fields["name"] = obj.name
        if form.secret_change() is not None:
            fields["repo_token"] = obj.repo_token
        current = Workload.objects.get(pk=obj.pk)
        # The status was read when the request started, before the admin opened
        # its transaction, so the gate does not fetch while the row is locked.
        status = self._request_status(request, obj)
        lock = (status, status.locked_fields) if status is not None else None
        try:
            saved = services.edit_workload(
                current, source_config=form.proposed_config,
                original_config=form.original_config, fields=fields, lock=lock,
            )
        except (ManagedFieldsLocked, InvalidConfig) as error:
            raise GateRejected(error) from error
        obj.source_config = saved.source_config
        obj.updated_at = saved.updated_at


def _skip_reason(status) -> str | None:
    """Say why a workload cannot be synced from the confirmation page, or None."""
    if status.status is Status.OK:
        return None
    if status.status is Status.DISABLED:
        return _("GitOps is not enabled for this workload.")
    return status.message or status_label(status.summary)


def _format_age(seconds: float) -> str:
    if seconds < 60:
        return _("%(count)d s") % {"count": max(int(seconds), 0)}
    if seconds < 3600:
        return _("%(count)d min") % {"count": int(seconds // 60)}
    if seconds < 86400:
        return _("%(count)d h") % {"count": int(seconds // 3600)}
    return _("%(count)d d") % {"count": int(seconds // 86400)}


admin.site.unregister(Workload)
admin.site.register(Workload, GitOpsWorkloadAdmin)
