"""Failures injected at each step of a sync leave the row and the log as they were."""

from unittest import mock

import pytest
from django.db import DatabaseError

from gitops import services
from gitops.errors import FetchFailed, GitOpsError
from gitops.status import FetchResult, Status
from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload

DRIFTED = "version: 1\ndeploy:\n  port: 9090\n"


def snapshot(workload):
    row = Workload.objects.get(pk=workload.pk)
    events = list(EventLog.objects.filter(workload=workload).order_by("id")
                  .values_list("id", "action"))
    return (row.source_config, row.gitops_synced_at, row.gitops_synced_sha, row.updated_at,
            events)


def failure_events(workload):
    return list(EventLog.objects.filter(workload=workload, action="gitops.sync_failed")
                .values_list("details", flat=True))


def test_fetch_failure(gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = snapshot(workload)
    failed = FetchResult(Status.FETCH_FAILED, message="the server timed out")
    with mock.patch("gitops.services.fetch_spec", return_value=failed):
        with pytest.raises(FetchFailed):
            services.sync(workload, actor="t")
    assert snapshot(workload)[:4] == before[:4]
    assert failure_events(workload) == [{"code": "fetch_failed",
                                         "reason": "the server timed out"}]


@pytest.mark.parametrize("target", ["gitops.services.merge_and_validate",
                                    "gitops.services.config_changes"])
def test_failure_while_merging(gitops_workload, target):
    workload = gitops_workload(DRIFTED)
    before = snapshot(workload)
    with mock.patch(target, side_effect=DatabaseError("injected")):
        with pytest.raises(GitOpsError):
            services.sync(workload, actor="t")
    assert snapshot(workload)[:4] == before[:4]
    assert len(failure_events(workload)) == 1


def test_failure_on_row_update(gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = snapshot(workload)
    with mock.patch.object(Workload, "save", side_effect=DatabaseError("injected")):
        with pytest.raises(GitOpsError, match="The database rejected the sync"):
            services.sync(workload, actor="t")
    assert snapshot(workload)[:4] == before[:4]
    assert failure_events(workload) == [{
        "code": "gitops_error", "reason": "The database rejected the sync: DatabaseError",
    }]


def test_failure_on_event_insert_rolls_back_the_row(gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = snapshot(workload)
    real_record = EventLog.record

    def record(action, **kwargs):
        if action == "gitops.synced":
            raise DatabaseError("injected")
        return real_record(action, **kwargs)

    with mock.patch.object(EventLog, "record", side_effect=record):
        with pytest.raises(GitOpsError):
            services.sync(workload, actor="t")
    after = snapshot(workload)
    assert after[:4] == before[:4]
    assert [action for _id, action in after[4]] == [
        action for _id, action in before[4]] + ["gitops.sync_failed"]
