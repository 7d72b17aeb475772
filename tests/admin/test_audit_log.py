"""The audit log pages: read-only, filterable, with readable per-field changes."""

from django.urls import reverse

from gitops import services
from tinyforge.events.models import EventLog

from .conftest import DRIFTED


def test_audit_list_shows_field_changes(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    services.sync(workload, actor="alice")
    page = admin_client.get(reverse("admin:events_eventlog_changelist")).content.decode()
    assert "<code>port</code>: 8080 → 9090" in page
    assert "<code>max_instances</code>: 1 → 3" in page


def test_audit_list_filters_by_action(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    services.sync(workload, actor="alice")
    url = reverse("admin:events_eventlog_changelist")
    page = admin_client.get(url, {"action": "gitops.enabled"}).content.decode()
    assert "gitops.enabled" in page
    assert "8080 → 9090" not in page
    assert admin_client.get(url, {"actor": "alice"}).status_code == 200


def test_audit_detail_shows_change_table(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    services.sync(workload, actor="alice")
    event = EventLog.objects.get(action="gitops.synced")
    response = admin_client.get(reverse("admin:events_eventlog_change", args=[event.pk]))
    page = response.content.decode()
    assert "<tr><td><code>port</code></td><td>8080</td><td>9090</td></tr>" in page
    assert 'name="_save"' not in page
