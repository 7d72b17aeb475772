"""Admin pages of the core platform. GitOps extends WorkloadAdmin from its own app."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tinyforge.workloads.forms import WorkloadAdminForm, WorkloadEnvForm
from tinyforge.workloads.models import PublicFace, Workload, WorkloadEnv


class WorkloadEnvInline(admin.TabularInline):
    model = WorkloadEnv
    form = WorkloadEnvForm
    extra = 0


class PublicFaceInline(admin.TabularInline):
    model = PublicFace
    extra = 0


class WorkloadAdmin(admin.ModelAdmin):
    form = WorkloadAdminForm
    list_display = ["name", "source_type", "repository", "token_set", "updated_at"]
    list_filter = ["source_type"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [WorkloadEnvInline, PublicFaceInline]

    @admin.display(description=_("repository"))
    def repository(self, obj):
        return (obj.source_config or {}).get("repo_url", "") if isinstance(
            obj.source_config, dict
        ) else ""

    @admin.display(description=_("token"), boolean=True)
    def token_set(self, obj):
        return obj.has_repo_token


@admin.register(PublicFace)
class PublicFaceAdmin(admin.ModelAdmin):
    list_display = ["hostname", "path_prefix", "target_port", "workload"]
    list_select_related = ["workload"]
    search_fields = ["hostname", "workload__name"]


admin.site.register(Workload, WorkloadAdmin)
admin.site.site_header = _("Tinyforge")
admin.site.site_title = _("Tinyforge")
admin.site.index_title = _("Control plane")
