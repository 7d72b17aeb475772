"""SQL queries per request of the workload endpoints, with token authentication."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

# One query reads the token with its user, one reads the workload.
STATUS_QUERIES = 2


@pytest.fixture
def token_api(db, django_user_model):
    client = APIClient()
    user = django_user_model.objects.create_superuser("root", password="x")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_gitops_status_queries(token_api, gitops_workload, django_assert_num_queries):
    workload = gitops_workload("version: 1\ndeploy:\n  port: 9090\n")
    url = f"/api/v1/workloads/{workload.pk}/gitops/"
    token_api.get(url)

    with django_assert_num_queries(STATUS_QUERIES):
        response = token_api.get(url)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def count_list_queries(client, django_assert_max_num_queries) -> int:
    client.get("/api/v1/workloads/?limit=1000")
    with django_assert_max_num_queries(100) as captured:
        response = client.get("/api/v1/workloads/?limit=1000")
    assert response.status_code == 200
    return len(captured)


def test_workload_list_queries_constant(token_api, make_workload,
                                        django_assert_max_num_queries):
    for _ in range(2):
        make_workload()
    few = count_list_queries(token_api, django_assert_max_num_queries)
    for _ in range(10):
        make_workload(token="secret-token")

    many = count_list_queries(token_api, django_assert_max_num_queries)

    assert token_api.get("/api/v1/workloads/").json()["count"] == 12
    assert many == few
