"""GitOps endpoints: every status code, with the database unchanged after each rejection."""

import pytest
from rest_framework.test import APIClient

from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload

DRIFTED = "version: 1\ndeploy:\n  port: 9090\n  max_instances: 3\n"


@pytest.fixture
def api(db, django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_superuser("root", password="x"))
    return client


def state(workload):
    row = Workload.objects.get(pk=workload.pk)
    return (row.name, row.source_config, row.gitops_enabled, row.gitops_path,
            row.gitops_synced_sha, getattr(row.repo_token, "ciphertext", row.repo_token),
            EventLog.objects.filter(action="gitops.synced").count())


def gitops_url(workload, suffix=""):
    return f"/api/v1/workloads/{workload.pk}/gitops/{suffix}"


def test_status_body(api, gitops_workload):
    workload = gitops_workload(DRIFTED)
    body = api.get(gitops_url(workload)).json()
    assert body == {
        "enabled": True, "eligible": True, "path": ".tinyforge.yml", "status": "ok",
        "error": None, "errors": [], "commit_sha": workload.repo.head(), "raw": DRIFTED,
        "managed_fields": ["port", "max_instances"],
        "drift": [
            {"field": "port", "repo": 9090, "live": 8080, "in_sync": False},
            {"field": "max_instances", "repo": 3, "live": 1, "in_sync": False},
        ],
        "in_sync": False, "last_sync": {"at": None, "sha": None},
        "preview_token": body["preview_token"],
    }
    assert len(body["preview_token"]) == 40


def test_sync_returns_changes(api, gitops_workload):
    workload = gitops_workload(DRIFTED)
    status = api.get(gitops_url(workload)).json()
    response = api.post(gitops_url(workload, "sync/"), {
        "expected_sha": status["commit_sha"], "preview_token": status["preview_token"],
    }, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "workload": workload.name, "commit_sha": status["commit_sha"], "dry_run": False,
        "changes": [{"field": "port", "before": 8080, "after": 9090},
                    {"field": "max_instances", "before": 1, "after": 3}],
    }
    assert api.get(gitops_url(workload)).json()["in_sync"] is True


def test_dry_run_changes_nothing(api, gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), {"dry_run": True}, format="json")
    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert state(workload) == before


def test_moved_branch_is_409(api, gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), {"expected_sha": "a" * 40},
                        format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["commit_sha"] == workload.repo.head()
    assert state(workload) == before


def test_stale_preview_token_is_409(api, gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), {"preview_token": "stale"},
                        format="json")
    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert state(workload) == before


def test_invalid_file_is_422_with_errors(api, gitops_workload):
    workload = gitops_workload("version: 1\ndeploy:\n  port: 010\n")
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), {}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [(error["field"], error["line"]) for error in body["errors"]] == [("deploy.port", 3)]
    assert state(workload) == before


def test_merged_config_invalid_is_422(api, gitops_workload):
    workload = gitops_workload("version: 1\ndeploy:\n  deploy_strategy: blue-green\n",
                               healthcheck="")
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert response.json()["errors"][0]["field"] == "deploy.healthcheck"
    assert state(workload) == before


def test_fetch_failure_is_502(api, gitops_workload, tmp_path):
    workload = gitops_workload(DRIFTED)
    row = Workload.objects.get(pk=workload.pk)
    row.source_config = {**row.source_config, "repo_url": (tmp_path / "gone").as_uri()}
    row.save()
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (502, "fetch_failed")
    assert state(workload) == before


def test_disabled_gitops_is_409(api, gitops_workload):
    workload = gitops_workload(DRIFTED, enabled=False)
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "gitops_disabled"
    assert state(workload) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"expected_sha": "not-hex"}, "expected_sha"),
    ({"dry_run": "maybe"}, "dry_run"),
])
def test_bad_sync_body_is_400(api, gitops_workload, body, field):
    workload = gitops_workload(DRIFTED)
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
    assert state(workload) == before


def test_put_enables_and_sets_path(api, gitops_workload):
    workload = gitops_workload(None, enabled=False)
    workload.repo.commit({"deploy/app.yml": DRIFTED})
    response = api.put(gitops_url(workload), {"enabled": True, "path": "deploy/app.yml"},
                       format="json")
    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["path"]) == (True, "deploy/app.yml")
    assert response.json()["status"] == "ok"


def test_put_invalid_path_is_400(api, gitops_workload):
    workload = gitops_workload(DRIFTED, enabled=False)
    before = state(workload)
    response = api.put(gitops_url(workload), {"enabled": True, "path": "../x.yml"},
                       format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_path")
    assert state(workload) == before


def test_enable_image_workload_is_409(api, make_workload):
    workload = make_workload(source_type="image")
    response = api.put(gitops_url(workload), {"enabled": True}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_eligible")
    assert Workload.objects.get(pk=workload.pk).gitops_enabled is False


def test_export_returns_yaml_file(api, gitops_workload):
    workload = gitops_workload(None)
    response = api.get(gitops_url(workload, "export/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename=".tinyforge.yml"'
    assert response.content.decode().count("port: 8080") == 1


def test_file_schema_is_public_json_schema(db):
    response = APIClient().get("/api/v1/tinyforge.schema.json")
    assert response.status_code == 200
    assert response.json()["properties"]["version"]["const"] == 1


@pytest.mark.parametrize(("body", "errors"), [
    ({"dryrun": True}, {"dryrun": ["Unknown field; accepted fields are dry_run, expected_sha, "
                                   "preview_token."]}),
    ({"dry_run": True, "force": 1}, {"force": ["Unknown field; accepted fields are dry_run, "
                                               "expected_sha, preview_token."]}),
])
def test_unknown_sync_option_is_rejected_and_nothing_synced(api, gitops_workload, body, errors):
    workload = gitops_workload(DRIFTED)
    before = state(workload)
    response = api.post(gitops_url(workload, "sync/"), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert state(workload) == before


def test_unknown_settings_field_is_rejected(api, gitops_workload):
    workload = gitops_workload(DRIFTED, enabled=False)
    before = state(workload)
    response = api.put(gitops_url(workload), {"enabled": True, "pth": "x.yml"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["pth"]
    assert state(workload) == before
