"""Authorization matrix: every user kind against every endpoint and method.

Workload A carries the per-object grants; workload B shows that a grant on A
gives nothing on B.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

FILE = "version: 1\ndeploy:\n  port: 9090\n"

USERS = ["anonymous", "no_perms", "viewer", "manager_a", "syncer_a", "staff", "superuser"]

# (endpoint, method, workload) -> expected status per user, in USERS order.
MATRIX = {
    ("list", "GET", None): [401, 200, 200, 200, 200, 200, 200],
    ("detail", "GET", "A"): [401, 404, 200, 200, 200, 200, 200],
    ("detail", "PATCH", "A"): [401, 404, 403, 403, 403, 200, 200],
    ("detail", "PUT", "A"): [401, 405, 405, 405, 405, 405, 405],
    ("detail", "DELETE", "A"): [401, 405, 405, 405, 405, 405, 405],
    ("gitops", "GET", "A"): [401, 404, 200, 200, 200, 200, 200],
    ("gitops", "PUT", "A"): [401, 404, 403, 200, 403, 200, 200],
    ("gitops", "PUT", "B"): [401, 404, 403, 403, 403, 200, 200],
    ("export", "GET", "A"): [401, 404, 200, 200, 200, 200, 200],
    ("sync", "POST", "A"): [401, 404, 403, 403, 200, 200, 200],
    ("sync", "POST", "B"): [401, 404, 403, 403, 403, 200, 200],
    ("events", "GET", None): [401, 200, 200, 200, 200, 200, 200],
    ("schema", "GET", None): [401, 200, 200, 200, 200, 200, 200],
    ("file_schema", "GET", None): [200, 200, 200, 200, 200, 200, 200],
}


def url_for(endpoint, workload):
    return {
        "list": "/api/v1/workloads/",
        "detail": f"/api/v1/workloads/{workload.pk}/" if workload else None,
        "gitops": f"/api/v1/workloads/{workload.pk}/gitops/" if workload else None,
        "export": f"/api/v1/workloads/{workload.pk}/gitops/export/" if workload else None,
        "sync": f"/api/v1/workloads/{workload.pk}/gitops/sync/" if workload else None,
        "events": "/api/v1/events/",
        "schema": "/api/v1/schema/",
        "file_schema": "/api/v1/tinyforge.schema.json",
    }[endpoint]


BODIES = {
    ("detail", "PATCH"): {"source_config": {"dockerfile_path": "build/Dockerfile"}},
    ("gitops", "PUT"): {"enabled": True, "path": ".tinyforge.yml"},
    ("sync", "POST"): {"dry_run": True},
}


def global_perms(user, *codenames):
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))


@pytest.fixture
def world(gitops_workload):
    workload_a = gitops_workload(FILE, name="alpha")
    workload_b = gitops_workload(FILE, name="beta")
    users_model = get_user_model()
    users = {"anonymous": None}
    users["no_perms"] = users_model.objects.create_user("no_perms")
    users["viewer"] = users_model.objects.create_user("viewer")
    global_perms(users["viewer"], "view_workload")
    users["manager_a"] = users_model.objects.create_user("manager_a")
    global_perms(users["manager_a"], "view_workload")
    assign_perm("workloads.manage_gitops", users["manager_a"], workload_a)
    users["syncer_a"] = users_model.objects.create_user("syncer_a")
    global_perms(users["syncer_a"], "view_workload")
    assign_perm("workloads.sync_gitops", users["syncer_a"], workload_a)
    users["staff"] = users_model.objects.create_user("staff", is_staff=True)
    global_perms(users["staff"], "view_workload", "change_workload", "manage_gitops",
                 "sync_gitops")
    users["superuser"] = users_model.objects.create_superuser("superuser", password="x")
    return {"A": workload_a, "B": workload_b}, users


CASES = [
    (endpoint, method, which, user, expected[index])
    for (endpoint, method, which), expected in MATRIX.items()
    for index, user in enumerate(USERS)
]


@pytest.mark.parametrize(("endpoint", "method", "which", "user", "expected"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_authorization_matrix(world, endpoint, method, which, user, expected):
    workloads, users = world
    client = APIClient()
    if users[user] is not None:
        client.force_authenticate(users[user])
    url = url_for(endpoint, workloads.get(which))
    body = BODIES.get((endpoint, method))
    data = None if body is None else json.dumps(body)
    response = client.generic(method, url, data=data, content_type="application/json")
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert set(response.json()) >= {"code", "detail"}


def test_list_shows_only_viewable_workloads(world):
    workloads, users = world
    client = APIClient()
    user = users["no_perms"]
    assign_perm("workloads.view_workload", user, workloads["B"])
    client.force_authenticate(user)
    names = [item["name"] for item in client.get("/api/v1/workloads/").json()["results"]]
    assert names == ["beta"]


def test_events_show_only_viewable_workloads(world):
    workloads, users = world
    client = APIClient()
    user = users["no_perms"]
    assign_perm("workloads.view_workload", user, workloads["B"])
    client.force_authenticate(user)
    names = {item["workload_name"] for item in client.get("/api/v1/events/").json()["results"]}
    assert names == {"beta"}


def test_anonymous_gets_json_401(world):
    response = APIClient().get("/api/v1/workloads/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }
