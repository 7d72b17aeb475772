"""Merge onto the live config, change lists for audit, and drift normalization."""

import copy

import pytest

from gitops.drift import DriftEntry, compute_drift, in_sync, normalize, values_match
from gitops.merge import changes, merge_and_validate
from tests.gitops.samples import DESIGN_EXAMPLE, plan_of
from tinyforge.sources import get_source
from tinyforge.sources.fields import FieldError

LIVE_DOCKERFILE = {
    "provider": "github",
    "repo_url": "https://github.com/acme/app",
    "branch": "main",
    "dockerfile_path": "Dockerfile",
    "build_context": ".",
    "port": 8000,
    "resources": {"memory_limit": 512},
}


def test_design_example_merges_onto_dockerfile_workload():
    plan = plan_of(DESIGN_EXAMPLE)

    result = merge_and_validate(LIVE_DOCKERFILE, plan, get_source("dockerfile"))

    assert result.valid
    assert result.errors == []
    assert result.config == {
        "provider": "github",
        "repo_url": "https://github.com/acme/app",
        "branch": "main",
        "dockerfile_path": "Dockerfile",
        "build_context": ".",
        "port": 8080,
        "healthcheck": "/healthz",
        "deploy_strategy": "blue-green",
        "resources": {"cpu_limit": 0.5, "memory_limit": 256},
        "max_instances": 1,
    }


def test_merge_leaves_live_config_unchanged():
    live = copy.deepcopy(LIVE_DOCKERFILE)

    result = merge_and_validate(live, plan_of(DESIGN_EXAMPLE), get_source("dockerfile"))

    assert live == LIVE_DOCKERFILE
    assert result.config["resources"] is not live["resources"]


def test_merge_keeps_omitted_nested_field():
    plan = plan_of(b"version: 1\ndeploy:\n  resources: {cpu_limit: 1}\n")

    result = merge_and_validate(LIVE_DOCKERFILE, plan, get_source("dockerfile"))

    assert result.config["resources"] == {"cpu_limit": 1.0, "memory_limit": 512}


def test_merge_replaces_null_resources_with_mapping():
    live = {**LIVE_DOCKERFILE, "resources": None}
    plan = plan_of(b"version: 1\ndeploy:\n  resources: {cpu_limit: 1}\n")

    result = merge_and_validate(live, plan, get_source("dockerfile"))

    assert result.config["resources"] == {"cpu_limit": 1.0}


def test_blue_green_may_rely_on_live_healthcheck():
    live = {**LIVE_DOCKERFILE, "healthcheck": "/up"}
    plan = plan_of(b"version: 1\ndeploy:\n  deploy_strategy: blue-green\n")

    result = merge_and_validate(live, plan, get_source("dockerfile"))

    assert result.valid


def test_blue_green_without_any_healthcheck_is_invalid():
    plan = plan_of(b"version: 1\ndeploy:\n  deploy_strategy: blue-green\n")

    result = merge_and_validate(LIVE_DOCKERFILE, plan, get_source("dockerfile"))

    assert not result.valid
    assert result.errors == [FieldError("healthcheck", (
        "must be set when deploy_strategy is 'blue-green', because the switch to the new "
        "version waits for it to pass; set a healthcheck path such as '/healthz' or use "
        "deploy_strategy 'recreate'"
    ))]


def test_merge_reports_invalid_live_fields_too():
    live = {**LIVE_DOCKERFILE, "branch": "bad..branch"}

    result = merge_and_validate(live, plan_of(b"version: 1\n"), get_source("dockerfile"))

    assert [error.field for error in result.errors] == ["branch"]


def test_merge_rejects_plan_for_other_source():
    with pytest.raises(ValueError, match="the plan is for dockerfile workloads, not static"):
        merge_and_validate({}, plan_of(b"version: 1\n"), get_source("static"))


def test_changes_lists_changed_managed_fields():
    plan = plan_of(DESIGN_EXAMPLE)
    merged = merge_and_validate(LIVE_DOCKERFILE, plan, get_source("dockerfile")).config

    assert changes(LIVE_DOCKERFILE, merged, plan.managed_fields) == [
        {"field": "port", "before": 8000, "after": 8080},
        {"field": "healthcheck", "before": None, "after": "/healthz"},
        {"field": "deploy_strategy", "before": None, "after": "blue-green"},
        {"field": "resources.cpu_limit", "before": None, "after": 0.5},
        {"field": "resources.memory_limit", "before": 512, "after": 256},
        {"field": "max_instances", "before": None, "after": 1},
    ]


def test_changes_is_empty_when_nothing_changes():
    assert changes(LIVE_DOCKERFILE, copy.deepcopy(LIVE_DOCKERFILE)) == []


def test_changes_lists_spelling_changes():
    live = {"deploy_strategy": "", "resources": {"cpu_limit": 1}}
    merged = {"deploy_strategy": "recreate", "resources": {"cpu_limit": 1.0}}

    assert changes(live, merged) == [
        {"field": "deploy_strategy", "before": "", "after": "recreate"},
        {"field": "resources.cpu_limit", "before": 1, "after": 1.0},
    ]


def test_changes_ignores_fields_outside_managed_list():
    merged = {**LIVE_DOCKERFILE, "port": 9000, "max_instances": 3}

    assert changes(LIVE_DOCKERFILE, merged, ["port"]) == [
        {"field": "port", "before": 8000, "after": 9000},
    ]


def test_drift_of_design_example():
    drift = compute_drift(plan_of(DESIGN_EXAMPLE), LIVE_DOCKERFILE)

    assert drift == [
        DriftEntry("port", 8080, 8000, False),
        DriftEntry("healthcheck", "/healthz", None, False),
        DriftEntry("deploy_strategy", "blue-green", None, False),
        DriftEntry("resources.cpu_limit", 0.5, None, False),
        DriftEntry("resources.memory_limit", 256, 512, False),
        DriftEntry("max_instances", 1, None, False),
    ]
    assert not in_sync(drift)


def test_drift_covers_declared_leaves_only():
    drift = compute_drift(plan_of(b"version: 1\ndeploy:\n  port: 8000\n"), LIVE_DOCKERFILE)

    assert drift == [DriftEntry("port", 8000, 8000, True)]
    assert in_sync(drift)


def test_empty_drift_is_in_sync():
    assert in_sync([])


@pytest.mark.parametrize(
    ("document", "live"),
    [
        (b"deploy_strategy: recreate", {"deploy_strategy": ""}),
        (b"deploy_strategy: ''", {"deploy_strategy": "recreate"}),
        (b"healthcheck: ''", {}),
        (b"healthcheck: ''", {"healthcheck": None}),
        (b"resources: {cpu_limit: 1}", {"resources": {"cpu_limit": 1}}),
        (b"resources: {cpu_limit: 1.0}", {"resources": {"cpu_limit": 1}}),
        (b"resources: {cpu_limit: 2}", {"resources": {"cpu_limit": 2.0}}),
        (b"port: 80", {"port": 80.0}),
    ],
)
def test_drift_normalization_in_sync(document, live):
    plan = plan_of(b"version: 1\ndeploy:\n  " + document + b"\n")

    assert in_sync(compute_drift(plan, live))


@pytest.mark.parametrize(
    ("document", "live"),
    [
        (b"healthcheck: /healthz", {"healthcheck": "/healthz/"}),
        (b"healthcheck: /healthz", {}),
        (b"deploy_strategy: recreate", {}),
        (b"deploy_strategy: ''", {}),
        (b"resources: {memory_limit: 64}", {}),
        (b"resources: {memory_limit: 64}", {"resources": None}),
        (b"max_instances: 1", {"max_instances": True}),
        (b"port: 80", {"port": "80"}),
        (b"deploy_strategy: recreate", {"deploy_strategy": "Recreate"}),
    ],
)
def test_drift_normalization_out_of_sync(document, live):
    plan = plan_of(b"version: 1\ndeploy:\n  " + document + b"\n")

    assert not in_sync(compute_drift(plan, live))


def test_normalize_rules():
    assert normalize("deploy_strategy", "") == "recreate"
    assert normalize("deploy_strategy", None) is None
    assert normalize("healthcheck", None) == ""
    assert normalize("healthcheck", "") == ""
    assert normalize("port", None) is None
    assert normalize("port", 80) == 80


def test_values_match_never_equates_boolean_and_number():
    assert not values_match("max_instances", True, 1)
    assert not values_match("max_instances", 1, True)
    assert values_match("max_instances", True, True)
