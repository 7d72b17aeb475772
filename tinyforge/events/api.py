"""The audit log over REST: read-only, filterable by workload, action and time."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from guardian.shortcuts import get_objects_for_user
from rest_framework import serializers, viewsets

from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload


class EventLogSerializer(serializers.ModelSerializer):
    workload = serializers.PrimaryKeyRelatedField(read_only=True)
    details = serializers.JSONField(read_only=True)

    class Meta:
        model = EventLog
        fields = ["id", "created_at", "actor", "action", "workload", "workload_name", "details"]


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date and time, converted to UTC.

    A time such as 0001-01-01T00:00+23:59 parses but falls before year 1 in
    UTC, which the database layer cannot convert. PostgreSQL also rejects
    offsets beyond 15:59, which Python accepts, so the value is sent in UTC.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                raise ValidationError(
                    _("Enter a date and time between the years 1 and 9999 in UTC."),
                    code="invalid",
                ) from None
        return value


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class EventLogFilter(django_filters.FilterSet):
    workload = django_filters.NumberFilter(field_name="workload_id", min_value=1,
                                           max_value=2**63 - 1)
    workload_name = django_filters.CharFilter()
    action = django_filters.CharFilter()
    since = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = EventLog
        fields = ["workload", "workload_name", "action", "since", "until"]


class EventLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Audit events, newest first.

    A user with the global ``events.view_eventlog`` permission gets every
    event. Other users get the events of the workloads they may view.
    """

    serializer_class = EventLogSerializer
    filterset_class = EventLogFilter
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EventLog.objects.none()
        events = EventLog.objects.all()
        user = self.request.user
        if user.has_perm("events.view_eventlog"):
            return events
        visible = get_objects_for_user(user, "workloads.view_workload", klass=Workload)
        return events.filter(workload__in=visible.values("pk"))
