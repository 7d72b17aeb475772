"""GitOps services against real git repositories: enable, status, sync and the gate."""

import copy

import pytest

from gitops import services
from gitops.errors import (
    FetchFailed,
    InvalidConfig,
    InvalidPath,
    ManagedFieldsLocked,
    NoFile,
    NotEligible,
    NotEnabled,
    SyncConflict,
)
from gitops.status import Status
from tinyforge.events.models import EventLog
from tinyforge.workloads.models import Workload

DRIFTED = """\
version: 1
deploy:
  port: 9090
  max_instances: 3
"""

IN_SYNC = """\
version: 1
deploy:
  port: 8080
  healthcheck: /healthz
"""


def reload(workload):
    return Workload.objects.get(pk=workload.pk)


def row_state(workload):
    row = reload(workload)
    return (row.source_config, row.gitops_enabled, row.gitops_path, row.gitops_synced_at,
            row.gitops_synced_sha)


def actions(workload):
    return list(EventLog.objects.filter(workload=workload).order_by("id")
                .values_list("action", flat=True))


# Enabling ------------------------------------------------------------------------------


def test_enable_records_one_event(gitops_workload):
    workload = gitops_workload(IN_SYNC, enabled=False)
    services.enable_gitops(workload, actor="alice")
    services.enable_gitops(workload, actor="alice")
    assert reload(workload).gitops_enabled is True
    assert actions(workload) == ["gitops.enabled"]
    event = EventLog.objects.get(workload=workload)
    assert (event.actor, event.details) == ("alice", {"path": ".tinyforge.yml"})


def test_disable_and_path_change_are_recorded(gitops_workload):
    workload = gitops_workload(IN_SYNC)
    services.configure_gitops(workload, actor="bob", path="deploy/tinyforge.yml")
    services.disable_gitops(workload, actor="bob")
    assert actions(workload) == ["gitops.enabled", "gitops.path_changed", "gitops.disabled"]
    changed = EventLog.objects.get(workload=workload, action="gitops.path_changed")
    assert changed.details == {"before": ".tinyforge.yml", "after": "deploy/tinyforge.yml"}
    row = reload(workload)
    assert (row.gitops_enabled, row.gitops_path) == (False, "deploy/tinyforge.yml")


def test_enable_on_image_workload_is_rejected(make_workload):
    workload = make_workload(name="cache", source_type="image")
    before = row_state(workload)
    with pytest.raises(NotEligible) as caught:
        services.enable_gitops(workload, actor="alice")
    assert caught.value.message == (
        "GitOps is available for dockerfile and static workloads only, and cache has "
        "source type image."
    )
    assert row_state(workload) == before
    assert actions(workload) == []


@pytest.mark.parametrize("path", ["../etc/passwd", "/abs.yml", "a//b.yml", "x?.yml", ""])
def test_enable_with_invalid_path_writes_nothing(gitops_workload, path):
    workload = gitops_workload(IN_SYNC, enabled=False)
    before = row_state(workload)
    with pytest.raises(InvalidPath) as caught:
        services.enable_gitops(workload, actor="alice", path=path)
    assert caught.value.message.startswith(f"The GitOps path {path!r} is not valid: ")
    assert row_state(workload) == before
    assert actions(workload) == []


def test_enable_does_not_clobber_a_concurrent_edit(gitops_workload):
    workload = gitops_workload(IN_SYNC, enabled=False)
    other = reload(workload)
    other.source_config = {**other.source_config, "max_instances": 7}
    other.save()
    services.enable_gitops(workload, actor="alice")
    row = reload(workload)
    assert row.source_config["max_instances"] == 7
    assert row.gitops_enabled is True


# Status --------------------------------------------------------------------------------


def test_status_in_sync(gitops_workload):
    workload = gitops_workload(IN_SYNC)
    status = services.get_status(workload)
    assert status.status is Status.OK
    assert status.commit_sha == workload.repo.head()
    assert status.managed_fields == ("port", "healthcheck")
    assert status.in_sync is True
    assert status.summary == "in_sync"
    assert status.raw == IN_SYNC
    assert status.preview_token


def test_status_drifted_lists_declared_fields_only(gitops_workload):
    workload = gitops_workload(DRIFTED)
    status = services.get_status(workload)
    assert status.summary == "drifted"
    assert [(item.field, item.repo, item.live, item.in_sync) for item in status.drift] == [
        ("port", 9090, 8080, False), ("max_instances", 3, 1, False),
    ]


def test_status_invalid_file_reports_lines(gitops_workload):
    workload = gitops_workload("version: 1\ndeploy:\n  port: 010\n")
    status = services.get_status(workload)
    assert status.status is Status.INVALID
    assert [(error.field, error.line) for error in status.errors] == [("deploy.port", 3)]
    assert status.locked_fields == (
        "port", "healthcheck", "deploy_strategy", "resources.cpu_limit",
        "resources.memory_limit", "max_instances",
    )


def test_status_merged_config_invalid(gitops_workload):
    workload = gitops_workload("version: 1\ndeploy:\n  deploy_strategy: blue-green\n",
                               healthcheck="")
    status = services.get_status(workload)
    assert status.status is Status.INVALID
    assert status.preview_token is None
    assert [(error.field, error.line) for error in status.errors] == [
        ("deploy.healthcheck", None)
    ]
    assert status.errors[0].message.startswith("must be set when deploy_strategy is 'blue-green'")


def test_status_no_file(gitops_workload):
    workload = gitops_workload(None)
    status = services.get_status(workload)
    assert status.status is Status.NO_FILE
    assert status.commit_sha == workload.repo.head()
    assert status.locked_fields == ()
    assert status.message.startswith("There is no .tinyforge.yml at commit ")


def test_status_fetch_failed_for_missing_branch(gitops_workload):
    workload = gitops_workload(IN_SYNC, branch="release")
    status = services.get_status(workload)
    assert status.status is Status.FETCH_FAILED
    assert status.commit_sha is None
    assert "release" in status.message


def test_status_disabled(gitops_workload):
    status = services.get_status(gitops_workload(IN_SYNC, enabled=False))
    assert status.status is Status.DISABLED
    assert status.eligible is True


def test_preview_token_tracks_managed_values_only(gitops_workload):
    workload = gitops_workload(DRIFTED)
    token = services.get_status(workload).preview_token
    assert services.get_status(reload(workload)).preview_token == token

    row = reload(workload)
    row.source_config = {**row.source_config, "dockerfile_path": "build/Dockerfile"}
    row.save()
    assert services.get_status(reload(workload)).preview_token == token

    row.source_config = {**row.source_config, "port": 8081}
    row.save()
    assert services.get_status(reload(workload)).preview_token != token


# Sync ----------------------------------------------------------------------------------


def test_sync_applies_declared_fields_and_records_changes(gitops_workload):
    workload = gitops_workload(DRIFTED)
    result = services.sync(workload, actor="alice")
    sha = workload.repo.head()
    assert result.commit_sha == sha
    assert result.changes == [
        {"field": "port", "before": 8080, "after": 9090},
        {"field": "max_instances", "before": 1, "after": 3},
    ]
    row = reload(workload)
    assert row.source_config["port"] == 9090
    assert row.source_config["max_instances"] == 3
    assert row.source_config["healthcheck"] == "/healthz"
    assert row.gitops_synced_sha == sha
    assert row.gitops_synced_at is not None
    event = EventLog.objects.get(workload=workload, action="gitops.synced")
    assert event.details == {"commit_sha": sha, "path": ".tinyforge.yml",
                             "changes": result.changes}


def test_second_sync_reports_no_changes(gitops_workload):
    workload = gitops_workload(DRIFTED)
    services.sync(workload, actor="alice")
    assert services.sync(workload, actor="alice").changes == []
    assert actions(workload).count("gitops.synced") == 2


def test_dry_run_writes_nothing(gitops_workload):
    workload = gitops_workload(DRIFTED)
    before, events = row_state(workload), actions(workload)
    result = services.sync(workload, actor="alice", dry_run=True)
    assert [change["field"] for change in result.changes] == ["port", "max_instances"]
    assert row_state(workload) == before
    assert actions(workload) == events


def test_sync_with_moved_branch_is_a_conflict(gitops_workload):
    workload = gitops_workload(DRIFTED)
    previewed = workload.repo.head()
    workload.repo.commit({".tinyforge.yml": DRIFTED.replace("9090", "9191")})
    before = row_state(workload)
    with pytest.raises(SyncConflict) as caught:
        services.sync(workload, actor="alice", expected_sha=previewed)
    assert caught.value.message == (
        f"The branch moved from {previewed[:12]} to {workload.repo.head()[:12]} since the "
        "preview; review the new drift and sync again."
    )
    assert row_state(workload) == before
    failure = EventLog.objects.get(workload=workload, action="gitops.sync_failed")
    assert failure.details["code"] == "conflict"


def test_sync_with_stale_preview_token_is_a_conflict(gitops_workload):
    workload = gitops_workload(DRIFTED)
    token = services.get_status(workload).preview_token
    row = reload(workload)
    row.source_config = {**row.source_config, "port": 8181}
    row.save()
    before = row_state(workload)
    with pytest.raises(SyncConflict, match="changed since the preview"):
        services.sync(workload, actor="alice", preview_token=token)
    assert row_state(workload) == before


def test_sync_with_current_preview_token_applies(gitops_workload):
    workload = gitops_workload(DRIFTED)
    status = services.get_status(workload)
    services.sync(workload, actor="alice", expected_sha=status.commit_sha,
                  preview_token=status.preview_token)
    assert reload(workload).source_config["port"] == 9090


def test_sync_of_disabled_workload_is_refused(gitops_workload):
    workload = gitops_workload(DRIFTED, enabled=False)
    before = row_state(workload)
    with pytest.raises(NotEnabled, match="GitOps is not enabled for"):
        services.sync(workload, actor="alice")
    assert row_state(workload) == before


def test_sync_of_invalid_file_writes_only_the_failure(gitops_workload):
    workload = gitops_workload("version: 1\ndeploy:\n  port: 0x1F90\n")
    before = row_state(workload)
    with pytest.raises(InvalidConfig) as caught:
        services.sync(workload, actor="alice")
    assert [(error.field, error.line) for error in caught.value.errors] == [("deploy.port", 3)]
    assert row_state(workload) == before
    failure = EventLog.objects.get(workload=workload, action="gitops.sync_failed")
    assert failure.details["code"] == "invalid"
    assert failure.details["errors"][0]["field"] == "deploy.port"


def test_sync_of_merged_invalid_config_writes_nothing(gitops_workload):
    workload = gitops_workload("version: 1\ndeploy:\n  deploy_strategy: blue-green\n",
                               healthcheck="")
    before = row_state(workload)
    with pytest.raises(InvalidConfig, match="merged from the file is not valid"):
        services.sync(workload, actor="alice")
    assert row_state(workload) == before


def test_sync_without_file_is_no_file(gitops_workload):
    workload = gitops_workload(None)
    with pytest.raises(NoFile):
        services.sync(workload, actor="alice")
    assert actions(workload)[-1] == "gitops.sync_failed"


def test_sync_with_missing_repository_is_fetch_failed(gitops_workload, tmp_path):
    workload = gitops_workload(DRIFTED)
    row = reload(workload)
    row.source_config = {**row.source_config, "repo_url": (tmp_path / "gone").as_uri()}
    row.save()
    before = row_state(workload)
    with pytest.raises(FetchFailed):
        services.sync(row, actor="alice")
    assert row_state(workload) == before


# The read-only gate --------------------------------------------------------------------


def test_edit_of_unmanaged_field_is_saved(gitops_workload):
    workload = gitops_workload(DRIFTED)
    proposed = {**workload.source_config, "dockerfile_path": "build/Dockerfile"}
    services.edit_workload(workload, source_config=proposed)
    assert reload(workload).source_config["dockerfile_path"] == "build/Dockerfile"


def test_edit_of_managed_field_is_rejected_with_nothing_written(gitops_workload):
    workload = gitops_workload(DRIFTED)
    before = row_state(workload)
    proposed = {**workload.source_config, "port": 7000, "dockerfile_path": "other/Dockerfile"}
    with pytest.raises(ManagedFieldsLocked) as caught:
        services.edit_workload(workload, source_config=proposed, fields={"name": "renamed"})
    assert caught.value.fields == ("port",)
    assert caught.value.message == (
        f"port is managed by .tinyforge.yml at commit {workload.repo.head()[:12]}; change the "
        "file in the repository and sync instead."
    )
    assert row_state(workload) == before
    assert reload(workload).name == workload.name


def test_edit_fails_closed_when_file_cannot_be_read(gitops_workload, tmp_path):
    workload = gitops_workload(IN_SYNC)
    row = reload(workload)
    row.source_config = {**row.source_config, "repo_url": (tmp_path / "gone").as_uri()}
    row.save()
    row = reload(workload)
    with pytest.raises(ManagedFieldsLocked) as caught:
        services.edit_workload(row, source_config={**row.source_config, "max_instances": 4})
    assert caught.value.fail_closed is True
    assert caught.value.fields == ("max_instances",)
    assert "cannot be read" in caught.value.message


def test_edit_never_reverts_a_sync_that_landed_meanwhile(gitops_workload):
    workload = gitops_workload(DRIFTED)
    shown = copy.deepcopy(workload.source_config)  # the form as it was opened
    services.sync(workload, actor="alice")          # a sync lands while the form is open
    submitted = {**shown, "dockerfile_path": "build/Dockerfile"}
    services.edit_workload(reload(workload), source_config=submitted, original_config=shown)
    row = reload(workload)
    assert row.source_config["port"] == 9090
    assert row.source_config["max_instances"] == 3
    assert row.source_config["dockerfile_path"] == "build/Dockerfile"


def test_invalid_edit_is_rejected(gitops_workload):
    workload = gitops_workload(IN_SYNC)
    before = row_state(workload)
    with pytest.raises(InvalidConfig) as caught:
        services.edit_workload(workload, source_config={**workload.source_config,
                                                        "build_context": "../up"})
    assert [error.field for error in caught.value.errors] == ["build_context"]
    assert row_state(workload) == before


def test_gate_is_open_when_gitops_is_disabled(gitops_workload):
    workload = gitops_workload(DRIFTED, enabled=False)
    services.edit_workload(workload, source_config={**workload.source_config, "port": 7000})
    assert reload(workload).source_config["port"] == 7000


# Export --------------------------------------------------------------------------------


def test_exported_file_syncs_as_a_no_op(gitops_workload):
    workload = gitops_workload(None, deploy_strategy="recreate",
                               resources={"cpu_limit": 1.5, "memory_limit": 512})
    text = services.export_spec(workload)
    workload.repo.commit({".tinyforge.yml": text}, "Adopt GitOps")
    status = services.get_status(reload(workload))
    assert status.summary == "in_sync"
    assert services.sync(reload(workload), actor="alice").changes == []


def test_export_of_image_workload_is_rejected(make_workload):
    with pytest.raises(NotEligible):
        services.export_spec(make_workload(source_type="image"))


def test_status_cache_follows_reads_and_syncs(gitops_workload):
    from gitops import statuscache

    workload = gitops_workload(DRIFTED)
    assert statuscache.recall_many([workload.pk]) == {}
    services.get_status(workload)
    assert statuscache.recall_many([workload.pk])[workload.pk].summary == "drifted"
    services.sync(workload, actor="alice")
    known = statuscache.recall_many([workload.pk])[workload.pk]
    assert (known.summary, known.commit_sha) == ("in_sync", workload.repo.head())
    services.disable_gitops(workload, actor="alice")
    assert statuscache.recall_many([workload.pk]) == {}


def test_sync_of_image_workload_is_not_eligible(make_workload):
    from gitops.errors import NotEligible

    workload = make_workload(source_type="image")
    with pytest.raises(NotEligible):
        services.sync(workload, actor="alice")


def test_edit_locked_by_invalid_file_says_fix_the_file(gitops_workload):
    workload = gitops_workload("version: 1\ndeploy:\n  port: 010\n")
    with pytest.raises(ManagedFieldsLocked) as caught:
        services.edit_workload(workload, source_config={**workload.source_config,
                                                        "max_instances": 4})
    assert caught.value.message == (
        "max_instances cannot be changed here while .tinyforge.yml is invalid, because the "
        "file may manage it. Fix the file in the repository, or disable GitOps to edit it."
    )
