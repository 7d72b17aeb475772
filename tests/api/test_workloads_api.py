"""The workloads endpoint: filters, the write-only token and the managed-field gate."""

import pytest
from rest_framework.test import APIClient

from tinyforge.workloads.models import Workload

FILE = "version: 1\ndeploy:\n  port: 9090\n"


@pytest.fixture
def api(db, django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_superuser("root", password="x"))
    return client


def raw_state(workload):
    row = Workload.objects.get(pk=workload.pk)
    return row.name, row.source_config, getattr(row.repo_token, "ciphertext", row.repo_token)


def test_list_filters(api, make_workload, gitops_workload):
    make_workload(name="image-app", source_type="image")
    gitops_workload(FILE, name="web")
    names = lambda query: [w["name"] for w in api.get(f"/api/v1/workloads/{query}")  # noqa: E731
                           .json()["results"]]
    assert names("?source_type=image") == ["image-app"]
    assert names("?gitops_enabled=true") == ["web"]
    assert names("?name=web") == ["web"]


def test_token_is_write_only(api, make_workload):
    workload = make_workload(token="tf_secret_token_value")
    body = api.get(f"/api/v1/workloads/{workload.pk}/").json()
    assert "repo_token" not in body
    assert body["has_repo_token"] is True
    assert "tf_secret_token_value" not in str(body)

    response = api.patch(f"/api/v1/workloads/{workload.pk}/", {"repo_token": "new_token"},
                         format="json")
    assert response.status_code == 200
    assert "new_token" not in response.content.decode()
    assert Workload.objects.get(pk=workload.pk).repo_token.reveal() == "new_token"

    api.patch(f"/api/v1/workloads/{workload.pk}/", {"repo_token": ""}, format="json")
    assert Workload.objects.get(pk=workload.pk).has_repo_token is False


def test_patch_merges_source_config(api, make_workload):
    workload = make_workload(port=8080, max_instances=2)
    response = api.patch(f"/api/v1/workloads/{workload.pk}/",
                         {"source_config": {"port": 8081, "max_instances": None}}, format="json")
    assert response.status_code == 200
    config = Workload.objects.get(pk=workload.pk).source_config
    assert config["port"] == 8081
    assert "max_instances" not in config


def test_patch_of_managed_field_is_rejected_entirely(api, gitops_workload):
    workload = gitops_workload(FILE)
    before = raw_state(workload)
    response = api.patch(f"/api/v1/workloads/{workload.pk}/", {
        "name": "renamed", "repo_token": "x", "source_config": {"port": 1, "build_context": "b"},
    }, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "code": "managed_fields",
        "detail": f"port is managed by .tinyforge.yml at commit {workload.repo.head()[:12]}; "
                  "change the file in the repository and sync instead.",
        "fields": ["port"], "path": ".tinyforge.yml", "commit_sha": workload.repo.head(),
    }
    assert raw_state(workload) == before


def test_patch_with_invalid_config_is_422(api, make_workload):
    workload = make_workload()
    before = raw_state(workload)
    response = api.patch(f"/api/v1/workloads/{workload.pk}/", {"source_config": {"port": 0}},
                         format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "field": "port", "line": None, "column": None,
        "message": "must be a whole number from 1 to 65535, got 0",
    }]
    assert raw_state(workload) == before


def test_patch_with_non_object_config_is_400(api, make_workload):
    workload = make_workload()
    before = raw_state(workload)
    response = api.patch(f"/api/v1/workloads/{workload.pk}/", {"source_config": [1]},
                         format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"source_config": ["Must be a JSON object."]}
    assert raw_state(workload) == before


def test_source_type_is_read_only(api, make_workload):
    workload = make_workload()
    api.patch(f"/api/v1/workloads/{workload.pk}/", {"source_type": "image"}, format="json")
    assert Workload.objects.get(pk=workload.pk).source_type == "dockerfile"


def test_list_query_count_is_constant(api, make_workload, django_assert_max_num_queries):
    for index in range(3):
        make_workload(name=f"few-{index}")
    with django_assert_max_num_queries(6) as few:
        api.get("/api/v1/workloads/")
    for index in range(40):
        make_workload(name=f"many-{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/workloads/")


def test_patch_of_read_only_or_unknown_field_is_rejected(api, gitops_workload):
    workload = gitops_workload(FILE)
    before = raw_state(workload)
    response = api.patch(f"/api/v1/workloads/{workload.pk}/",
                         {"gitops_enabled": False, "nmae": "x", "name": "renamed"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "gitops_enabled": ["This field is read-only."],
        "nmae": ["Unknown field; accepted fields are name, repo_token, source_config."],
    }
    assert raw_state(workload) == before


def test_last_sync_sha_is_null_before_any_sync(api, make_workload):
    workload = make_workload()
    body = api.get(f"/api/v1/workloads/{workload.pk}/").json()
    assert body["last_sync"] == {"at": None, "sha": None}
