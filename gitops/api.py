"""REST views of workloads and their GitOps state. Thin: the services do the work."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from guardian.shortcuts import get_objects_for_user
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gitops import services
from gitops.errors import GitOpsError
from gitops.schema import build_json_schema
from tinyforge.api import ActionPermission, ApiError, StrictFieldsMixin
from tinyforge.workloads.api import WorkloadFilter, WorkloadSerializer, merge_patch
from tinyforge.workloads.models import Workload

# HTTP status of each service error code.
HTTP_STATUS = {
    "not_eligible": 409,
    "invalid_path": 400,
    "gitops_disabled": 409,
    "conflict": 409,
    "managed_fields": 409,
    "no_file": 422,
    "invalid": 422,
    "fetch_failed": 502,
}


def api_error(error: GitOpsError) -> ApiError:
    extra = {}
    if getattr(error, "errors", None):
        extra["errors"] = [item.as_dict() for item in error.errors]
    for name in ("fields", "path", "commit_sha"):
        if name in error.details:
            value = error.details[name]
            extra[name] = list(value) if isinstance(value, tuple) else value
    return ApiError(HTTP_STATUS.get(error.code, 503), error.code, error.message, **extra)


class ErrorSerializer(serializers.Serializer):
    """Every error body: a stable ``code``, a ``detail`` for people, and extras by kind."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.JSONField(
        required=False,
        help_text=_("Per-field messages (400) or the file's errors with lines (422)."),
    )
    fields = serializers.ListField(child=serializers.CharField(), required=False)
    path = serializers.CharField(required=False)
    commit_sha = serializers.CharField(required=False, allow_null=True)


class FileErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    line = serializers.IntegerField(allow_null=True)
    column = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class DriftSerializer(serializers.Serializer):
    field = serializers.CharField()
    repo = serializers.JSONField(allow_null=True)
    live = serializers.JSONField(allow_null=True)
    in_sync = serializers.BooleanField()


class LastSyncSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="last_sync_at", allow_null=True)
    sha = serializers.CharField(source="last_sync_sha", allow_null=True)


class GitOpsStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    eligible = serializers.BooleanField()
    path = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["disabled", "ok", "no_file", "fetch_failed", "invalid"])
    error = serializers.CharField(source="message", allow_null=True)
    errors = FileErrorSerializer(many=True)
    commit_sha = serializers.CharField(allow_null=True)
    raw = serializers.CharField(allow_null=True, trim_whitespace=False)
    managed_fields = serializers.ListField(child=serializers.CharField())
    drift = DriftSerializer(many=True)
    in_sync = serializers.BooleanField(allow_null=True)
    last_sync = LastSyncSerializer(source="*")
    preview_token = serializers.CharField(allow_null=True)


class GitOpsSettingsSerializer(StrictFieldsMixin, serializers.Serializer):
    enabled = serializers.BooleanField()
    path = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                 max_length=1024)


class SyncOptionsSerializer(StrictFieldsMixin, serializers.Serializer):
    expected_sha = serializers.RegexField(
        r"^[0-9a-f]{7,64}$", required=False,
        error_messages={"invalid": _("Must be a hexadecimal commit SHA.")},
    )
    preview_token = serializers.CharField(required=False, max_length=128)
    dry_run = serializers.BooleanField(required=False, default=False)


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class SyncResultSerializer(serializers.Serializer):
    workload = serializers.CharField()
    commit_sha = serializers.CharField()
    dry_run = serializers.BooleanField()
    changes = ChangeSerializer(many=True)


# The exported .tinyforge.yml, described as the YAML mapping it is; its full rules
# are in the file's own JSON Schema at /api/v1/tinyforge.schema.json.
EXPORTED_FILE = {
    "type": "object",
    "required": ["version"],
    "properties": {"version": {"type": "integer", "enum": [1]}, "deploy": {"type": "object"}},
}

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 403, 404)}


@extend_schema_view(
    list=extend_schema(summary=_("List the workloads you may view")),
    retrieve=extend_schema(summary=_("Read a workload")),
)
class WorkloadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Workloads the user may view, with their GitOps status, settings and sync."""

    serializer_class = WorkloadSerializer
    filterset_class = WorkloadFilter
    # Ids beyond a 64-bit integer never match, rather than overflowing the database driver.
    lookup_value_regex = r"[0-9]{1,18}"
    permission_classes = [ActionPermission]
    action_permissions = {
        "list": "workloads.view_workload",
        "retrieve": "workloads.view_workload",
        "partial_update": "workloads.change_workload",
        "gitops": {"GET": "workloads.view_workload", "PUT": "workloads.manage_gitops"},
        "gitops_export": "workloads.view_workload",
        "gitops_sync": "workloads.sync_gitops",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Workload.objects.none()
        return get_objects_for_user(
            self.request.user, "workloads.view_workload", klass=Workload.objects.order_by("name"),
        )

    @extend_schema(summary=_("Change a workload"), description=_(
        "Set the name, the repository token (write-only) or source_config fields. "
        "source_config is a JSON merge patch. A change to a field managed by the "
        "workload's .tinyforge.yml is rejected with 409 and nothing is applied."
    ), responses={200: WorkloadSerializer, 409: ErrorSerializer,
                              422: ErrorSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        workload = self.get_object()
        serializer = self.get_serializer(workload, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {name: data[name] for name in ("name", "repo_token") if name in data}
        source_config = None
        if "source_config" in data:
            source_config = merge_patch(workload.source_config, data["source_config"])
        try:
            row = services.edit_workload(workload, source_config=source_config,
                                         original_config=workload.source_config, fields=fields)
        except GitOpsError as error:
            raise api_error(error) from None
        return Response(self.get_serializer(row).data)

    @extend_schema(methods=["GET"], summary=_("Read the GitOps status"), description=_(
        "Fetch .tinyforge.yml at the branch's current commit and return the status, drift "
        "and the preview token to pass to a sync."
    ), responses={200: GitOpsStatusSerializer, **ERRORS})
    @extend_schema(methods=["PUT"], summary=_("Enable or disable GitOps and set the path"),
                   request=GitOpsSettingsSerializer,
                   responses={200: GitOpsStatusSerializer, 409: ErrorSerializer, **ERRORS})
    @action(detail=True, methods=["get", "put"], url_path="gitops")
    def gitops(self, request, pk=None):
        workload = self.get_object()
        if request.method == "PUT":
            settings = GitOpsSettingsSerializer(data=request.data)
            settings.is_valid(raise_exception=True)
            try:
                services.configure_gitops(
                    workload, actor=request.user, enabled=settings.validated_data["enabled"],
                    path=settings.validated_data.get("path"),
                )
            except GitOpsError as error:
                raise api_error(error) from None
        return Response(GitOpsStatusSerializer(services.get_status(workload)).data)

    @extend_schema(summary=_("Export the live config as .tinyforge.yml"), description=_(
        "A file to commit before enabling GitOps, so the first sync changes nothing."
    ), responses={(200, "application/yaml"): EXPORTED_FILE,
                              409: ErrorSerializer, **ERRORS})
    @action(detail=True, methods=["get"], url_path="gitops/export")
    def gitops_export(self, request, pk=None):
        workload = self.get_object()
        try:
            text = services.export_spec(workload)
        except GitOpsError as error:
            raise api_error(error) from None
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename=".tinyforge.yml"'
        return response

    @extend_schema(summary=_("Sync from the repository"), description=_(
        "Apply the declared fields of .tinyforge.yml. With expected_sha or preview_token, "
        "a repository that moved or a managed field changed since the preview is a 409 "
        "conflict; dry_run returns the changes and writes nothing."
    ), request=SyncOptionsSerializer, responses={
        200: SyncResultSerializer, 409: ErrorSerializer, 422: ErrorSerializer,
        502: ErrorSerializer, **ERRORS,
    })
    @action(detail=True, methods=["post"], url_path="gitops/sync")
    def gitops_sync(self, request, pk=None):
        workload = self.get_object()
        params = SyncOptionsSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            result = services.sync(workload, actor=request.user, **params.validated_data)
        except GitOpsError as error:
            raise api_error(error) from None
        return Response(SyncResultSerializer(result).data)


class FileSchemaView(APIView):
    """The JSON Schema of the .tinyforge.yml v1 file, for editors and CI checks."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(build_json_schema(), content_type="application/schema+json")
