"""REST serializers and filters of workloads. The GitOps app adds its gate and actions."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinyforge.api import StrictFieldsMixin
from tinyforge.workloads.models import Workload


class WorkloadLastSyncSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="gitops_synced_at", allow_null=True)
    sha = serializers.SerializerMethodField()

    def get_sha(self, workload) -> str | None:
        return workload.gitops_synced_sha or None


class WorkloadSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A workload. ``repo_token`` is write-only: send a token to set it, "" to clear it."""

    repo_token = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=True,
        style={"input_type": "password"},
        help_text=_("Write-only. A new token replaces the stored one; an empty string clears it."),
    )
    has_repo_token = serializers.BooleanField(read_only=True)
    source_config = serializers.JSONField(
        help_text=_("On PATCH, a JSON merge patch: listed keys are set, null removes a key."),
    )
    gitops_enabled = serializers.BooleanField(read_only=True)
    gitops_path = serializers.CharField(read_only=True)
    last_sync = WorkloadLastSyncSerializer(source="*", read_only=True)

    class Meta:
        model = Workload
        fields = [
            "id", "name", "source_type", "source_config", "repo_token", "has_repo_token",
            "gitops_enabled", "gitops_path", "last_sync", "created_at", "updated_at",
        ]
        read_only_fields = ["source_type", "created_at", "updated_at"]

    def validate_source_config(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Must be a JSON object."))
        return value


class WorkloadFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    source_type = django_filters.ChoiceFilter(choices=Workload.SourceType.choices)
    gitops_enabled = django_filters.BooleanFilter()

    class Meta:
        model = Workload
        fields = ["name", "source_type", "gitops_enabled"]


def merge_patch(target: object, patch: object) -> object:
    """Apply a JSON merge patch (RFC 7396): keys are set, None removes, objects merge."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
