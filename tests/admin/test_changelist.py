"""The workload changelist: GitOps columns from the status cache, filters and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gitops import services, statuscache
from gitops.status import GitOpsStatus, Status
from tinyforge.workloads.models import Workload

from .conftest import DRIFTED

CHANGELIST = reverse("admin:workloads_workload_changelist")


@pytest.fixture
def no_fetch(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the changelist must not contact a git provider")

    monkeypatch.setattr(services, "fetch_for", refuse)
    monkeypatch.setattr(services, "get_status", refuse)


def remember(workload, status, commit_sha="a" * 40, age=timedelta(minutes=5)):
    statuscache.remember(GitOpsStatus(
        workload_id=workload.pk, enabled=True, eligible=True, path=".tinyforge.yml",
        status=status, commit_sha=commit_sha, checked_at=timezone.now() - age,
    ))


def make_managed(make_workload, count):
    workloads = []
    for number in range(count):
        workload = make_workload(name=f"svc-{number:02d}")
        Workload.objects.filter(pk=workload.pk).update(
            gitops_enabled=True, gitops_synced_at=timezone.now(), gitops_synced_sha="b" * 40,
        )
        remember(workload, Status.FETCH_FAILED)
        workloads.append(workload)
    return workloads


def test_changelist_shows_gitops_columns(admin_client, make_workload, no_fetch):
    managed = make_workload(name="shop-api")
    Workload.objects.filter(pk=managed.pk).update(
        gitops_enabled=True, gitops_synced_at=timezone.now(), gitops_synced_sha="c0ffee" * 6,
    )
    remember(managed, Status.FETCH_FAILED, age=timedelta(minutes=7))
    make_workload(name="plain-site", source_type="static")

    page = admin_client.get(CHANGELIST).content.decode()

    assert 'class="gitops-badge"' in page
    assert page.count('class="gitops-badge"') == 1
    assert "gitops-pill--fetch_failed" in page
    assert "Fetch failed" in page
    assert "checked 7 min ago" in page
    assert "c0ffeec0ffee" in page


def test_changelist_shows_drifted_and_unknown(admin_client, make_workload, no_fetch):
    drifted = make_workload(name="drifted-one")
    unknown = make_workload(name="unknown-one")
    Workload.objects.filter(pk__in=[drifted.pk, unknown.pk]).update(gitops_enabled=True)
    statuscache.remember(GitOpsStatus(
        workload_id=drifted.pk, enabled=True, eligible=True, path=".tinyforge.yml",
        status=Status.OK, drift=(), checked_at=timezone.now(),
    ))
    page = admin_client.get(CHANGELIST).content.decode()
    assert "gitops-pill--in_sync" in page
    assert "gitops-pill--unknown" in page


def test_changelist_status_comes_from_a_real_read(admin_client, gitops_workload):
    workload = gitops_workload(DRIFTED)
    services.get_status(workload)
    page = admin_client.get(CHANGELIST).content.decode()
    assert "gitops-pill--drifted" in page
    assert "Drifted" in page


def count_changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_rows(
    admin_client, make_workload, no_fetch, django_assert_num_queries,
):
    make_managed(make_workload, 3)
    admin_client.get(CHANGELIST)  # warm the session and content-type caches
    baseline = count_changelist_queries(admin_client)
    with django_assert_num_queries(baseline):
        assert admin_client.get(CHANGELIST).status_code == 200

    Workload.objects.all().delete()
    make_managed(make_workload, 30)
    with django_assert_num_queries(baseline):
        page = admin_client.get(CHANGELIST).content.decode()
    assert page.count("gitops-pill--fetch_failed") == 30


def test_changelist_filters_and_search(admin_client, make_workload, no_fetch):
    make_workload(name="api-one")
    make_workload(name="site-one", source_type="static")
    managed = make_workload(name="api-two")
    Workload.objects.filter(pk=managed.pk).update(gitops_enabled=True)

    static_only = admin_client.get(CHANGELIST, {"source_type__exact": "static"}).content
    assert b"site-one" in static_only
    assert b"api-one" not in static_only

    enabled_only = admin_client.get(CHANGELIST, {"gitops_enabled__exact": "1"}).content
    assert b"api-two" in enabled_only
    assert b"api-one" not in enabled_only

    found = admin_client.get(CHANGELIST, {"q": "site"}).content
    assert b"site-one" in found
    assert b"api-two" not in found
