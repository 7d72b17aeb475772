"""The change page: GitOps panel per state, settings, download, typed form and the gate."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from gitops import services
from tests.formdata import workload_form_data
from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload

from .conftest import DRIFTED, IN_SYNC, INVALID


def change_url(workload):
    return reverse("admin:workloads_workload_change", args=[workload.pk])


def reload(workload):
    return Workload.objects.get(pk=workload.pk)


def input_tag(page, name):
    """Return the rendered visible input of a form field."""
    match = re.search(rf'<input (?:(?!type="hidden")[^>])*name="{name}"[^>]*>', page)
    assert match, f"no visible input named {name}"
    return match.group(0)


def page_of(client, workload):
    response = client.get(change_url(workload))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("file_text", "summary", "label"), [
    (IN_SYNC, "in_sync", "In sync"),
    (DRIFTED, "drifted", "Drifted"),
    (None, "no_file", "No file"),
    (INVALID, "invalid", "Invalid"),
])
def test_panel_shows_status_pill(admin_client, gitops_workload, file_text, summary, label):
    page = page_of(admin_client, gitops_workload(file_text))
    assert f'data-status="{summary}">{label}</span>' in page


def test_panel_disabled_state(admin_client, gitops_workload):
    page = page_of(admin_client, gitops_workload(IN_SYNC, enabled=False))
    assert 'data-status="disabled">Disabled</span>' in page
    assert "gitops-sync-now" not in page


def test_panel_fetch_failed_shows_message_and_next_step(admin_client, gitops_workload):
    workload = gitops_workload(IN_SYNC, repo_url="file:///nonexistent/tinyforge-repo")
    page = page_of(admin_client, workload)
    assert 'data-status="fetch_failed">Fetch failed</span>' in page
    assert "Check the repository URL, branch and token below" in page


def test_panel_drift_table_and_preview(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    page = page_of(admin_client, workload)
    assert "Drift: repository → live" in page
    assert '<td class="gitops-drift__repo"><code>9090</code></td>' in page
    assert '<td class="gitops-drift__live"><code>8080</code></td>' in page
    assert 'id="gitops-line-3" value="3"><code>  port: 9090</code>' in page
    assert workload.repo.head()[:12] in page
    assert 'id="gitops-sync-now"' in page


def test_panel_highlights_error_lines(admin_client, gitops_workload):
    page = page_of(admin_client, gitops_workload(INVALID))
    assert 'id="gitops-line-4" value="4" class="gitops-file__error">' in page
    assert 'href="#gitops-line-4">line 4, column' in page
    assert "must be a whole number from 1 to 100, got 500" in page


def test_settings_form_enables_and_sets_path(admin_client, gitops_workload):
    workload = gitops_workload(IN_SYNC, enabled=False)
    url = reverse("admin:workloads_workload_gitops_settings", args=[workload.pk])
    response = admin_client.post(url, {"enabled": "on", "path": "deploy/app.yml"})
    assert response.status_code == 302
    row = reload(workload)
    assert row.gitops_enabled is True
    assert row.gitops_path == "deploy/app.yml"
    assert [e.action for e in EventLog.objects.filter(workload=workload).order_by("id")] == [
        "gitops.path_changed", "gitops.enabled",
    ]


def test_settings_form_rejects_bad_path(admin_client, gitops_workload):
    workload = gitops_workload(IN_SYNC)
    url = reverse("admin:workloads_workload_gitops_settings", args=[workload.pk])
    response = admin_client.post(url, {"enabled": "on", "path": "../x.yml"}, follow=True)
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(texts) == 1
    assert texts[0].startswith("The GitOps path '../x.yml' is not valid")
    assert reload(workload).gitops_path == ".tinyforge.yml"


def test_settings_form_needs_manage_permission(staff_client, gitops_workload):
    workload = gitops_workload(IN_SYNC)
    client = staff_client()
    url = reverse("admin:workloads_workload_gitops_settings", args=[workload.pk])
    assert client.post(url, {"path": ".tinyforge.yml"}).status_code == 403
    assert reload(workload).gitops_enabled is True
    assert 'id="gitops-settings"' not in page_of(client, workload)


def test_settings_form_with_object_permission(staff_client, gitops_workload):
    workload = gitops_workload(IN_SYNC)
    client = staff_client(object_perms=[("manage_gitops", workload)])
    url = reverse("admin:workloads_workload_gitops_settings", args=[workload.pk])
    assert client.post(url, {"path": ".tinyforge.yml"}).status_code == 302
    assert reload(workload).gitops_enabled is False


def test_download_exports_live_config(admin_client, gitops_workload):
    workload = gitops_workload(IN_SYNC)
    response = admin_client.get(
        reverse("admin:workloads_workload_gitops_export", args=[workload.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename=".tinyforge.yml"'
    assert response.content.decode() == services.export_spec(workload)
    assert "port: 8080" in response.content.decode()


def test_typed_form_renders_fields_not_json(admin_client, make_workload):
    page = page_of(admin_client, make_workload())
    assert 'name="config__port"' in page
    assert 'name="config__resources__cpu_limit"' in page
    assert 'name="initial-config__port"' in page
    assert 'name="source_config"' not in page


def test_typed_form_saves_changed_fields(admin_client, make_workload):
    workload = make_workload()
    config = {**workload.source_config, "port": 9000, "resources": {"cpu_limit": 0.5}}
    response = admin_client.post(change_url(workload), workload_form_data(workload, config))
    assert response.status_code == 302
    row = reload(workload)
    assert row.source_config["port"] == 9000
    assert row.source_config["resources"] == {"cpu_limit": 0.5}


def test_add_form_creates_workload(admin_client):
    data = {
        "name": "new-site", "source_type": "static", "new_secret": "",
        "config__provider": "github", "config__repo_url": "https://github.com/acme/site",
        "config__branch": "main", "config__publish_dir": "public",
        "env-TOTAL_FORMS": "0", "env-INITIAL_FORMS": "0",
        "faces-TOTAL_FORMS": "0", "faces-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:workloads_workload_add"), data)
    assert response.status_code == 302
    assert Workload.objects.get(name="new-site").source_config == {
        "provider": "github", "repo_url": "https://github.com/acme/site", "branch": "main",
        "publish_dir": "public",
    }


def test_managed_fields_render_locked(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    page = page_of(admin_client, workload)
    sha = workload.repo.head()[:12]
    port = input_tag(page, "config__port")
    assert 'value="8080"' in port
    assert " disabled " in port
    assert f"Managed by .tinyforge.yml at commit {sha}." in page
    assert " disabled " not in input_tag(page, "config__branch")
    assert " disabled " not in input_tag(page, "config__healthcheck")


def test_forged_post_to_managed_field_is_rejected(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = reload(workload)
    config = {**workload.source_config, "port": 7000, "dockerfile_path": "docker/Dockerfile"}
    response = admin_client.post(change_url(workload), workload_form_data(workload, config))

    page = response.content.decode()
    assert response.status_code == 200
    assert "port is managed by .tinyforge.yml at commit" in page
    assert "This field is managed by the repository file." in page
    after = reload(workload)
    assert after.source_config == before.source_config
    assert after.updated_at == before.updated_at


def test_fail_closed_banner_and_lock(admin_client, gitops_workload):
    workload = gitops_workload(IN_SYNC, repo_url="file:///nonexistent/tinyforge-repo")
    page = page_of(admin_client, workload)
    assert "Every field that .tinyforge.yml may declare is locked" in page
    assert "disable GitOps for this workload" in page
    for name in ("port", "healthcheck", "max_instances", "resources__cpu_limit"):
        assert " disabled " in input_tag(page, f"config__{name}")
    assert " disabled " not in input_tag(page, "config__repo_url")

    config = {**workload.source_config, "healthcheck": "/other"}
    response = admin_client.post(change_url(workload), workload_form_data(workload, config))
    assert "cannot be changed here while .tinyforge.yml cannot be read" in \
        response.content.decode()
    assert reload(workload).source_config["healthcheck"] == "/healthz"


def test_save_keeps_sync_that_landed_meanwhile(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    shown = dict(reload(workload).source_config)
    services.sync(workload, actor="someone-else")
    edited = {**shown, "dockerfile_path": "docker/Dockerfile"}

    data = workload_form_data(workload, edited, shown=shown, omit=("port", "max_instances"))
    response = admin_client.post(change_url(workload), data)

    assert response.status_code == 302
    row = reload(workload)
    assert row.source_config["port"] == 9090
    assert row.source_config["max_instances"] == 3
    assert row.source_config["dockerfile_path"] == "docker/Dockerfile"


def test_unmanaged_field_save_with_gitops(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    config = {**workload.source_config, "healthcheck": "/ready"}
    data = workload_form_data(workload, config, omit=("port", "max_instances"))
    assert admin_client.post(change_url(workload), data).status_code == 302
    assert reload(workload).source_config["healthcheck"] == "/ready"
    assert reload(workload).source_config["port"] == 8080
