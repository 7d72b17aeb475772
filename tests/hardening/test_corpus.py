"""Hostile and broken ``.tinyforge.yml`` files from ``tests/corpus/specs``.

``manifest.json`` maps each file to the source type it is checked for, and
either ``"valid": true`` or the error it must produce. That error is the
dotted field (null for the whole file), the 1-based line (null when the
error has no position) and a fragment of the message. Each file goes through
``gitops_validate --format json`` and through a sync of a real repository
that contains it, by the service and by the REST API. A rejected file must
leave the workload row as it was, and no file may take more than 2 s or
50 MB to check: these bounds catch blowups, they are not benchmarks.
"""

import io
import json
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from gitops import services
from gitops.errors import InvalidConfig
from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "specs"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
MAX_SECONDS = 2.0
MAX_BYTES = 50 * 1024 * 1024


@pytest.fixture(autouse=True)
def _file_urls(allow_file_urls):
    """Let the sync tests read their file:// repositories."""


def matches(error, expected):
    return (error["field"] == expected["field"] and error["line"] == expected["line"]
            and expected["message"] in error["message"])


def assert_expected_error(errors, expected):
    assert any(matches(error, expected) for error in errors), (
        f"expected {expected} among {[dict(e, message=e['message'][:200]) for e in errors]}"
    )


def validate(name):
    """Run gitops_validate on a corpus file; return the exit status, the report, time and memory."""
    entry = MANIFEST[name]
    output = io.StringIO()
    tracemalloc.start()
    started = time.monotonic()
    try:
        call_command("gitops_validate", str(CORPUS / name), "--source", entry["source"],
                     "--format", "json", stdout=output)
        exit_status = 0
    except SystemExit as exit:
        exit_status = exit.code
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return exit_status, json.loads(output.getvalue()), elapsed, peak


def row_snapshot(workload):
    row = Workload.objects.get(pk=workload.pk)
    return {**model_to_dict(row, exclude=["repo_token"]), "updated_at": row.updated_at}


def test_corpus_has_every_file():
    files = {path.name for path in CORPUS.iterdir() if path.name != "manifest.json"}
    assert files == set(MANIFEST)
    assert len(files) >= 100


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_validate_command(name):
    entry = MANIFEST[name]

    exit_status, report, elapsed, peak = validate(name)

    assert elapsed < MAX_SECONDS
    assert peak < MAX_BYTES
    if entry["valid"]:
        assert (exit_status, report["valid"], report["errors"]) == (0, True, [])
        return
    assert exit_status == 1
    assert report["valid"] is False
    assert_expected_error(report["errors"], entry["error"])


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_sync_of_corpus_file(gitops_workload, django_user_model, name):
    entry = MANIFEST[name]
    workload = gitops_workload((CORPUS / name).read_bytes(), source_type=entry["source"])
    before = row_snapshot(workload)
    events_before = EventLog.objects.count()
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_superuser("root"))

    if entry["valid"]:
        services.sync(workload, actor="test")
        response = client.post(f"/api/v1/workloads/{workload.pk}/gitops/sync/", {},
                               format="json")
        assert response.status_code == 200, response.content[:500]
        return

    started = time.monotonic()
    with pytest.raises(InvalidConfig) as caught:
        services.sync(workload, actor="test")
    assert time.monotonic() - started < MAX_SECONDS + 3  # Includes the git processes.
    assert_expected_error([error.as_dict() for error in caught.value.errors], entry["error"])

    response = client.post(f"/api/v1/workloads/{workload.pk}/gitops/sync/", {}, format="json")
    assert response.status_code == 422, response.content[:500]
    body = response.json()
    assert body["code"] == "invalid"
    assert_expected_error(body["errors"], entry["error"])

    assert row_snapshot(workload) == before
    new_events = EventLog.objects.order_by("id")[events_before:]
    assert [event.action for event in new_events] == ["gitops.sync_failed"] * 2
