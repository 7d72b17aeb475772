"""The audit log in the admin: read-only for everyone, superusers included."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tinyforge.events.models import EventLog


def _field_changes(event) -> list[tuple[str, str, str]]:
    """Return the ``details.changes`` entries of an event as (field, before, after) text."""
    details = event.details if isinstance(event.details, dict) else {}
    changes = details.get("changes")
    if not isinstance(changes, list):
        return []
    rows = []
    for change in changes:
        if isinstance(change, dict):
            rows.append((str(change.get("field", "")), _display(change.get("before")),
                         _display(change.get("after"))))
    return rows


def _display(value) -> str:
    if value is None:
        return str(_("not set"))
    if value == "":
        return '""'
    return str(value)


@admin.register(EventLog)
class EventLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "workload_name", "actor", "changes_summary"]
    list_filter = ["action", "actor", "created_at"]
    search_fields = ["workload_name", "actor", "action"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at", "actor", "actor_user", "action", "workload", "workload_name",
        "changes_table", "details",
    ]

    @admin.display(description=_("changes"))
    def changes_summary(self, obj):
        return format_html_join(
            mark_safe("<br>"), "<code>{}</code>: {} → {}", _field_changes(obj),
        )

    @admin.display(description=_("field changes"))
    def changes_table(self, obj):
        rows = _field_changes(obj)
        if not rows:
            return _("No field changes.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            _("Field"), _("Before"), _("After"),
            format_html_join("", "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                             rows),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
