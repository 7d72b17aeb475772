"""Admin actions: sync with a confirmation page, enable and disable, per-object permissions."""

import re

from django.contrib.messages import get_messages
from django.urls import reverse

from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload

from .conftest import DRIFTED, IN_SYNC

CHANGELIST = reverse("admin:workloads_workload_changelist")


def action_post(client, action, workloads, **extra):
    data = {"action": action, "_selected_action": [w.pk for w in workloads], "index": "0"}
    data.update(extra)
    return client.post(CHANGELIST, data, follow=True)


def hidden_inputs(html):
    return dict(re.findall(r'<input type="hidden" name="((?:sha|token)-\d+)" value="([^"]*)"',
                           html))


def confirm_post(client, workloads, page, **extra):
    data = {"action": "sync_from_repo", "_selected_action": [w.pk for w in workloads],
            "post": "yes", **hidden_inputs(page), **extra}
    return client.post(CHANGELIST, data, follow=True)


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def reload(workload):
    return Workload.objects.get(pk=workload.pk)


def test_sync_action_renders_confirmation(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    response = action_post(admin_client, "sync_from_repo", [workload])
    page = response.content.decode()

    assert response.status_code == 200
    assert "admin/gitops/sync_confirmation.html" in [t.name for t in response.templates]
    assert workload.repo.head()[:12] in page
    assert "<code>port</code>" in page
    assert "<code>9090</code>" in page
    assert "<code>8080</code>" in page
    assert hidden_inputs(page)[f"sha-{workload.pk}"] == workload.repo.head()
    assert hidden_inputs(page)[f"token-{workload.pk}"]
    assert reload(workload).source_config["port"] == 8080


def test_sync_action_confirm_applies(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    page = action_post(admin_client, "sync_from_repo", [workload]).content.decode()
    response = confirm_post(admin_client, [workload], page)

    sha = workload.repo.head()
    assert response.status_code == 200
    assert f"Synced {workload.name} to commit {sha[:12]}: 2 field(s) changed." in \
        message_texts(response)
    row = reload(workload)
    assert row.source_config["port"] == 9090
    assert row.source_config["max_instances"] == 3
    assert row.gitops_synced_sha == sha


def test_sync_action_conflict_when_repo_moved(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    page = action_post(admin_client, "sync_from_repo", [workload]).content.decode()
    old_sha = workload.repo.head()
    new_sha = workload.repo.commit({".tinyforge.yml": "version: 1\ndeploy:\n  port: 7000\n"})

    response = confirm_post(admin_client, [workload], page)

    assert message_texts(response) == [
        f"Conflict for {workload.name}, nothing applied: The branch moved from "
        f"{old_sha[:12]} to {new_sha[:12]} since the preview; review the new drift and sync "
        "again."
    ]
    assert reload(workload).source_config["port"] == 8080
    assert EventLog.objects.filter(action="gitops.sync_failed").count() == 1


def test_sync_action_conflict_when_managed_field_edited(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    page = action_post(admin_client, "sync_from_repo", [workload]).content.decode()
    row = reload(workload)
    row.source_config = {**row.source_config, "port": 8181}
    row.save()

    response = confirm_post(admin_client, [workload], page)

    assert message_texts(response) == [
        f"Conflict for {workload.name}, nothing applied: The repository or a managed field of "
        f"{workload.name} changed since the preview; review the new drift and sync again."
    ]
    assert reload(workload).source_config["port"] == 8181


def test_sync_action_lists_and_skips_unsyncable(admin_client, gitops_workload, make_workload):
    good = gitops_workload(IN_SYNC, name="good")
    missing = gitops_workload(None, name="missing")
    plain = make_workload(name="plain")

    page = action_post(admin_client, "sync_from_repo", [good, missing, plain]).content.decode()

    skipped = page[page.index("Skipped: these workloads cannot be synced"):]
    assert "missing" in skipped
    assert "plain" in skipped
    assert "GitOps is not enabled for this workload." in skipped
    assert set(hidden_inputs(page)) == {f"sha-{good.pk}", f"token-{good.pk}"}

    response = confirm_post(admin_client, [good, missing, plain], page)
    texts = message_texts(response)
    assert texts[0].startswith("Synced good to commit")
    assert "Skipped missing: it was not ready to sync on the confirmation page." in texts
    assert "Skipped plain: it was not ready to sync on the confirmation page." in texts
    assert reload(missing).gitops_synced_sha == ""


def test_sync_action_checks_object_permission(staff_client, gitops_workload):
    allowed = gitops_workload(DRIFTED, name="allowed")
    denied = gitops_workload(DRIFTED, name="denied")
    client = staff_client(object_perms=[("sync_gitops", allowed)])

    page = action_post(client, "sync_from_repo", [allowed, denied]).content.decode()
    assert f"sha-{allowed.pk}" in hidden_inputs(page)
    assert f"sha-{denied.pk}" not in hidden_inputs(page)

    forged = {f"sha-{denied.pk}": denied.repo.head()}
    response = confirm_post(client, [allowed, denied], page, **forged)
    texts = message_texts(response)
    assert "Skipped denied: you do not have permission to do this for it." in texts
    assert reload(allowed).source_config["port"] == 9090
    assert reload(denied).source_config["port"] == 8080


def test_actions_hidden_without_permission(staff_client, make_workload):
    make_workload()
    page = staff_client().get(CHANGELIST).content.decode()
    assert "sync_from_repo" not in page
    assert "enable_gitops" not in page


def test_actions_offered_with_object_permission(staff_client, make_workload):
    workload = make_workload()
    client = staff_client(object_perms=[("sync_gitops", workload)])
    page = client.get(CHANGELIST).content.decode()
    assert "sync_from_repo" in page
    assert "enable_gitops" not in page


def test_action_refused_without_any_permission(staff_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    client = staff_client()
    response = action_post(client, "sync_from_repo", [workload])
    assert "admin/gitops/sync_confirmation.html" not in [t.name for t in response.templates]
    assert reload(workload).source_config["port"] == 8080


def test_enable_and_disable_actions(admin_client, gitops_workload, make_workload):
    workload = gitops_workload(IN_SYNC, enabled=False)
    image = make_workload(name="img", source_type="image")

    response = action_post(admin_client, "enable_gitops", [workload, image])
    texts = message_texts(response)
    assert f"Enabled GitOps for {workload.name}." in texts
    assert ("GitOps is available for dockerfile and static workloads only, and img has "
            "source type image.") in texts
    assert reload(workload).gitops_enabled is True
    assert reload(image).gitops_enabled is False

    response = action_post(admin_client, "disable_gitops", [workload])
    assert message_texts(response) == [f"Disabled GitOps for {workload.name}."]
    assert reload(workload).gitops_enabled is False


def test_enable_action_checks_object_permission(staff_client, gitops_workload):
    allowed = gitops_workload(IN_SYNC, enabled=False, name="allowed")
    denied = gitops_workload(IN_SYNC, enabled=False, name="denied")
    client = staff_client(object_perms=[("manage_gitops", allowed)])
    response = action_post(client, "enable_gitops", [allowed, denied])
    assert "Skipped denied: you do not have permission to do this for it." in \
        message_texts(response)
    assert reload(allowed).gitops_enabled is True
    assert reload(denied).gitops_enabled is False
