"""A failure at any step of a sync leaves the database as it was, plus one failure event.

Each step is patched to raise, once with a ``DatabaseError`` and once with
an unexpected ``RuntimeError``. The tests use real transactions
(``transactional_db``), so the commit itself can fail too. They run on
SQLite and on PostgreSQL, whichever ``DATABASE_URL`` selects.
"""

from unittest import mock

import pytest
from django.db import DatabaseError, connections
from django.db.models import QuerySet

from gitops import services
from gitops.errors import GitOpsError
from tinyforge.events.models import EventLog
from tinyforge.sources.base import SourcePlugin
from tinyforge.workloads.models import Workload

DRIFTED = "version: 1\ndeploy:\n  port: 9090\n  max_instances: 2\n"


def raising_on_synced_event(error):
    real_record = EventLog.record

    def record(action, **kwargs):
        if action == services.SYNCED:
            raise error
        return real_record(action, **kwargs)

    return mock.patch.object(EventLog, "record", side_effect=record)


def raising_on_commit(error):
    connection = connections["default"]
    real_commit = connection.commit
    calls = {"n": 0}

    def commit():
        # Only the sync's own transaction commits while the patch is active,
        # apart from the failure event recorded after it.
        calls["n"] += 1
        if calls["n"] == 1:
            raise error
        return real_commit()

    return mock.patch.object(connection, "commit", side_effect=commit)


# Each step of a sync, in order, and how to make it raise ``error``.
STEPS = {
    "fetch": lambda error: mock.patch("gitops.services.fetch_spec", side_effect=error),
    "parse": lambda error: mock.patch("gitops.fetch.parse_spec", side_effect=error),
    "plan": lambda error: mock.patch("gitops.services.build_plan", side_effect=error),
    "merge": lambda error: mock.patch("gitops.services.merge_and_validate", side_effect=error),
    "validation": lambda error: mock.patch.object(SourcePlugin, "validate", side_effect=error),
    "select_for_update": lambda error: mock.patch.object(
        QuerySet, "select_for_update", side_effect=error),
    "row_save": lambda error: mock.patch.object(Workload, "save", side_effect=error),
    "event_insert": raising_on_synced_event,
    "commit": raising_on_commit,
}

ERRORS = {
    "database_error": lambda: DatabaseError("injected"),
    "unexpected_error": lambda: RuntimeError("injected"),
}


def database_snapshot():
    workloads = list(Workload.objects.order_by("pk").values())
    events = list(EventLog.objects.order_by("pk").values())
    return workloads, events


@pytest.fixture
def drifted(transactional_db, gitops_workload, allow_file_urls, clear_cache):
    return gitops_workload(DRIFTED)


# Django wraps every driver error in DatabaseError, and its atomic() rolls
# back only on those, so a commit cannot fail with any other error.
CASES = [(step, kind) for step in STEPS for kind in sorted(ERRORS)
         if (step, kind) != ("commit", "unexpected_error")]


@pytest.mark.parametrize(("step", "kind"), CASES)
def test_failure_leaves_database_unchanged(drifted, step, kind):
    workloads_before, events_before = database_snapshot()

    with STEPS[step](ERRORS[kind]()):
        with pytest.raises((GitOpsError, RuntimeError)):
            services.sync(drifted, actor="test")

    workloads_after, events_after = database_snapshot()
    assert workloads_after == workloads_before
    assert events_after[:len(events_before)] == events_before
    new_events = events_after[len(events_before):]
    assert [event["action"] for event in new_events] == [services.SYNC_FAILED]
    assert new_events[0]["workload_id"] == drifted.pk


def test_sync_without_faults_changes_the_row(drifted):
    workloads_before, _events = database_snapshot()

    services.sync(drifted, actor="test")

    assert database_snapshot()[0] != workloads_before
    assert Workload.objects.get(pk=drifted.pk).source_config["port"] == 9090
