"""The audit log over REST: read-only, filterable by workload, action and time."""

import django_filters
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


class EventLogFilter(django_filters.FilterSet):
    workload = django_filters.NumberFilter(field_name="workload_id", min_value=1,
                                           max_value=2**63 - 1)
    workload_name = django_filters.CharFilter()
    action = django_filters.CharFilter()
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = EventLog
        fields = ["workload", "workload_name", "action", "since", "until"]


class EventLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Audit events, newest first.

    A user with the global ``events.view_eventlog`` permission sees every
    event; others see the events of the workloads they may view.
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
