"""gitops_sync and gitops_export: exit codes and both output formats."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tinyforge.workloads.models import Workload

# The command runs workloads on worker threads with their own connections, which
# see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

DRIFTED = "version: 1\ndeploy:\n  port: 9090\n"
IN_SYNC = "version: 1\ndeploy:\n  port: 8080\n"


def run(*args):
    """Run gitops_sync; return (exit code, stdout)."""
    out = io.StringIO()
    try:
        call_command("gitops_sync", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def run_json(*args):
    code, out = run(*args, "--format", "json")
    return code, json.loads(out)


def test_check_in_sync_exits_0(gitops_workload):
    gitops_workload(IN_SYNC, name="web")
    code, out = run("web", "--check")
    assert code == 0
    assert out.splitlines()[-1] == "1 workload(s): 1 in_sync (check: nothing was written)"


def test_check_drift_exits_1_and_writes_nothing(gitops_workload):
    workload = gitops_workload(DRIFTED, name="web")
    code, data = run_json("web", "--check")
    assert code == 1
    assert data == {
        "results": [{
            "workload": "web", "status": "drifted", "commit_sha": workload.repo.head(),
            "changes": [{"field": "port", "before": 8080, "after": 9090}], "error": None,
        }],
        "summary": {"drifted": 1},
    }
    assert Workload.objects.get(pk=workload.pk).source_config["port"] == 8080


def test_sync_applies_and_reports(gitops_workload):
    workload = gitops_workload(DRIFTED, name="web")
    code, out = run("web")
    assert code == 0
    assert out.splitlines()[0] == (
        f"web: synced {workload.repo.head()[:12]} (port: 8080 -> 9090)"
    )
    assert Workload.objects.get(pk=workload.pk).source_config["port"] == 9090
    code, data = run_json("web")
    assert (code, data["results"][0]["status"], data["results"][0]["changes"]) == (
        0, "in_sync", [])


def test_dry_run_reports_drifted_and_writes_nothing(gitops_workload):
    workload = gitops_workload(DRIFTED, name="web")
    code, data = run_json("web", "--dry-run")
    assert code == 0
    assert data["results"][0]["status"] == "drifted"
    assert Workload.objects.get(pk=workload.pk).source_config["port"] == 8080
    code, out = run("web", "--dry-run")
    assert out.splitlines()[-1] == "1 workload(s): 1 drifted (dry run: nothing was written)"


def test_failures_exit_2_with_each_status(gitops_workload, make_workload):
    gitops_workload(DRIFTED, name="ok")
    gitops_workload(None, name="nofile")
    gitops_workload("version: 2\n", name="bad")
    gitops_workload(DRIFTED, name="nobranch", branch="gone")
    gitops_workload(DRIFTED, name="off", enabled=False)
    code, data = run_json("--all", "--jobs", "3")
    statuses = {result["workload"]: result["status"] for result in data["results"]}
    assert code == 2
    assert statuses == {"ok": "synced", "nofile": "no_file", "bad": "invalid",
                        "nobranch": "fetch_failed"}
    assert data["summary"] == {"synced": 1, "no_file": 1, "invalid": 1, "fetch_failed": 1}
    errors = {result["workload"]: result["error"] for result in data["results"]}
    assert errors["ok"] is None
    assert "version" in errors["bad"]


def test_named_disabled_workload_is_skipped(gitops_workload):
    gitops_workload(DRIFTED, name="off", enabled=False)
    code, data = run_json("off")
    assert code == 0
    assert data["results"][0]["status"] == "skipped"
    assert data["results"][0]["error"] == "GitOps is not enabled"


def test_expected_sha_conflict_exits_2(gitops_workload):
    gitops_workload(DRIFTED, name="web")
    code, data = run_json("web", "--expected-sha", "0" * 40)
    assert code == 2
    assert data["results"][0]["status"] == "conflict"
    assert data["results"][0]["error"].startswith("The branch moved from 000000000000 to ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Name one or more workloads, or pass --all (not both)."),
        (("web", "--all"), "Name one or more workloads, or pass --all (not both)."),
        (("missing",), "No workload named missing."),
        (("--all", "--jobs", "0"), "--jobs must be at least 1, got 0."),
        (("web", "--shard", "1/2"), "--shard works with --all only."),
        (("--all", "--shard", "3/2"), "--shard must be K/N with 1 <= K <= N, such as 1/3; "
                                      "got '3/2'"),
    ],
)
def test_bad_arguments_exit_2(args, message):
    with pytest.raises(CommandError) as caught:
        call_command("gitops_sync", *args, stdout=io.StringIO())
    assert str(caught.value) == message
    assert caught.value.returncode == 2


def test_shards_split_all_without_overlap(gitops_workload):
    for index in range(7):
        gitops_workload(IN_SYNC, name=f"w{index}")
    seen = []
    for shard in ("1/3", "2/3", "3/3"):
        code, data = run_json("--all", "--check", "--shard", shard)
        assert code == 0
        seen.extend(result["workload"] for result in data["results"])
    assert sorted(seen) == [f"w{index}" for index in range(7)]


def test_export_writes_a_file_that_validates(gitops_workload, tmp_path):
    gitops_workload(None, name="web")
    target = tmp_path / "out.yml"
    call_command("gitops_export", "web", "--output", str(target), stderr=io.StringIO())
    out = io.StringIO()
    try:
        call_command("gitops_validate", str(target), "--source", "dockerfile",
                     "--format", "json", stdout=out)
    except SystemExit as exit_:
        assert exit_.code == 0
    assert json.loads(out.getvalue())["valid"] is True


def test_export_of_unknown_workload_exits_2():
    with pytest.raises(CommandError, match=r"No workload named nope\.") as caught:
        call_command("gitops_export", "nope")
    assert caught.value.returncode == 2
