"""Concurrent syncs and edits of one workload, with real threads and connections.

Runs on whichever database the suite uses; CI runs it on SQLite and PostgreSQL.
"""

import threading

import pytest
from django.db import connections

from gitops import services
from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload

FILE = "version: 1\ndeploy:\n  port: 9090\n  healthcheck: /ready\n"

# Each editor owns one unmanaged leaf and writes an increasing value to it.
EDITED_LEAVES = {
    "dockerfile_path": lambda step: f"build/{step}/Dockerfile",
    "build_context": lambda step: f"ctx{step}",
    "max_instances": lambda step: 1 + step,
    "deploy_strategy": lambda step: ("recreate", "")[step % 2],
    "resources.cpu_limit": lambda step: 0.5 + step,
    "resources.memory_limit": lambda step: 64 + step,
    "branch": lambda step: "main",
    "provider": lambda step: "git",
}
SYNC_THREADS = 8
EDITS_PER_EDITOR = 5


def set_leaf(config, path, value):
    *parents, leaf = path.split(".")
    node = config
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


@pytest.mark.django_db(transaction=True)
def test_parallel_syncs_and_edits_lose_nothing(gitops_workload):
    workload = gitops_workload(FILE, resources={"cpu_limit": 0.5, "memory_limit": 64})
    workload_id = workload.pk
    start = threading.Barrier(SYNC_THREADS + len(EDITED_LEAVES))
    errors, synced = [], []

    def syncer():
        try:
            start.wait()
            services.sync(Workload.objects.get(pk=workload_id), actor="syncer")
            synced.append(1)
        except Exception as error:  # collected for the final assert
            errors.append(repr(error))
        finally:
            connections.close_all()

    def editor(path, value_for):
        try:
            start.wait()
            for step in range(EDITS_PER_EDITOR):
                row = Workload.objects.get(pk=workload_id)
                proposed = {**row.source_config}
                proposed["resources"] = dict(row.source_config.get("resources", {}))
                set_leaf(proposed, path, value_for(step))
                services.edit_workload(row, source_config=proposed)
        except Exception as error:
            errors.append(f"{path}: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=syncer) for _ in range(SYNC_THREADS)]
    threads += [threading.Thread(target=editor, args=item) for item in EDITED_LEAVES.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck: deadlock?"

    assert errors == []
    row = Workload.objects.get(pk=workload_id)
    assert row.source_config["port"] == 9090
    assert row.source_config["healthcheck"] == "/ready"
    last = EDITS_PER_EDITOR - 1
    for path, value_for in EDITED_LEAVES.items():
        node = row.source_config
        for part in path.split("."):
            node = node[part]
        assert node == value_for(last), path
    assert len(synced) == SYNC_THREADS
    assert EventLog.objects.filter(workload_id=workload_id, action="gitops.synced").count() \
        == SYNC_THREADS
