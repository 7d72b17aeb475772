"""The audit log endpoint: filters and their rejected input."""

import pytest
from rest_framework.test import APIClient

from tinyforge.events.models import EventLog


@pytest.fixture
def api(db, django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_superuser("root", password="x"))
    return client


def test_far_offsets_are_converted_to_utc(api, make_workload):
    EventLog.record("gitops.enabled", actor="t", workload=make_workload(name="web"))
    response = api.get("/api/v1/events/?since=2000-01-01T00%3A00%3A00-18%3A57")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_filters_by_action_and_time(api, make_workload):
    workload = make_workload(name="web")
    EventLog.record("gitops.enabled", actor="t", workload=workload)
    EventLog.record("gitops.synced", actor="t", workload=workload)
    body = api.get("/api/v1/events/?action=gitops.synced").json()
    assert [event["action"] for event in body["results"]] == ["gitops.synced"]
    assert api.get("/api/v1/events/?until=2000-01-01T00:00:00Z").json()["count"] == 0
    assert api.get(f"/api/v1/events/?workload={workload.pk}").json()["count"] == 2


@pytest.mark.parametrize(("query", "field"), [
    ("until=0001-01-01T00%3A00%3A00%2B23%3A59", "until"),
    ("since=9999-12-31T23%3A59%3A59-23%3A59", "since"),
    ("since=yesterday", "since"),
    ("workload=99999999999999999999", "workload"),
])
def test_out_of_range_filters_are_400(api, query, field):
    response = api.get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [field]
