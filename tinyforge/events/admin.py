"""The audit log in the admin: read-only for everyone, superusers included."""

from django.contrib import admin

from tinyforge.events.models import EventLog


@admin.register(EventLog)
class EventLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "workload_name", "actor"]
    list_filter = ["action", "created_at"]
    search_fields = ["workload_name", "actor", "action"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at", "actor", "actor_user", "action", "workload", "workload_name", "details",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
