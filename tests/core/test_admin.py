"""Core admin pages: lists, write-only secrets and the read-only audit log."""

import pytest
from django.urls import reverse

from tests.formdata import workload_form_data
from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload, WorkloadEnv


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(user)
    return client


def change_form_data(workload, **overrides):
    return workload_form_data(workload, **overrides)


def test_changelist_lists_workloads(admin_client, make_workload):
    make_workload(name="shop-api")
    response = admin_client.get(reverse("admin:workloads_workload_changelist"))
    assert response.status_code == 200
    assert b"shop-api" in response.content


def test_change_page_never_renders_token(admin_client, make_workload):
    workload = make_workload(token="ghp_never_shown")
    WorkloadEnv.objects.create(
        workload=workload, key="DB_PASSWORD", is_secret=True, secret_value="pg_never_shown",
    )
    response = admin_client.get(reverse("admin:workloads_workload_change", args=[workload.pk]))
    assert response.status_code == 200
    assert b"ghp_never_shown" not in response.content
    assert b"pg_never_shown" not in response.content
    assert b"fernet:" not in response.content
    assert b"A token is stored." in response.content


def test_empty_token_input_keeps_stored_token(admin_client, make_workload):
    workload = make_workload(token="ghp_keep")
    response = admin_client.post(
        reverse("admin:workloads_workload_change", args=[workload.pk]), change_form_data(workload),
    )
    assert response.status_code == 302
    assert Workload.objects.get(pk=workload.pk).repo_token.reveal() == "ghp_keep"


def test_new_token_replaces_and_clear_removes(admin_client, make_workload):
    workload = make_workload(token="ghp_old")
    url = reverse("admin:workloads_workload_change", args=[workload.pk])
    admin_client.post(url, change_form_data(workload, new_secret="ghp_new"))
    assert Workload.objects.get(pk=workload.pk).repo_token.reveal() == "ghp_new"
    admin_client.post(url, change_form_data(workload, clear_secret="on"))
    assert Workload.objects.get(pk=workload.pk).repo_token == ""


def test_invalid_source_config_is_rejected_with_field_message(admin_client, make_workload):
    workload = make_workload()
    before = Workload.objects.get(pk=workload.pk).source_config
    response = admin_client.post(
        reverse("admin:workloads_workload_change", args=[workload.pk]),
        change_form_data(workload, config={**before, "port": 70000}),
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 65535." in response.content.decode()
    assert Workload.objects.get(pk=workload.pk).source_config == before


def test_audit_log_is_read_only_for_superusers(admin_client, make_workload):
    event = EventLog.record("gitops.enabled", actor="system", workload=make_workload())
    assert admin_client.get(reverse("admin:events_eventlog_add")).status_code == 403
    delete = admin_client.post(reverse("admin:events_eventlog_delete", args=[event.pk]))
    assert delete.status_code == 403
    change = admin_client.get(reverse("admin:events_eventlog_change", args=[event.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert EventLog.objects.filter(pk=event.pk).exists()
