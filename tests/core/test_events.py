"""The audit log is append-only."""

import pytest
from django.contrib.auth import get_user_model

from tinyforge.events.models import AppendOnlyError, EventLog


@pytest.fixture
def event(make_workload):
    return EventLog.record(
        "gitops.enabled", actor="manage.py gitops_sync", workload=make_workload(name="shop"),
        details={"path": ".tinyforge.yml"},
    )


def test_record_copies_names(event):
    assert event.actor == "manage.py gitops_sync"
    assert event.workload_name == "shop"
    assert event.details == {"path": ".tinyforge.yml"}


def test_record_with_user_keeps_username(db, make_workload):
    user = get_user_model().objects.create_user("alice")
    event = EventLog.record("gitops.synced", actor=user, workload=make_workload())
    assert (event.actor, event.actor_user) == ("alice", user)


def test_event_cannot_be_saved_again(event):
    event.action = "gitops.disabled"
    with pytest.raises(AppendOnlyError, match="audit events cannot be updated"):
        event.save()
    assert EventLog.objects.get(pk=event.pk).action == "gitops.enabled"


def test_event_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError, match="audit events cannot be deleted"):
        event.delete()
    assert EventLog.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        EventLog.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        EventLog.objects.all().delete()
    assert EventLog.objects.get(pk=event.pk).action == "gitops.enabled"


def test_deleting_workload_keeps_event_with_name(event):
    event.workload.delete()
    kept = EventLog.objects.get(pk=event.pk)
    assert kept.workload is None
    assert kept.workload_name == "shop"
