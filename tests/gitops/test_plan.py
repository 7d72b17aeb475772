"""Plans: which declared leaves a source accepts, and the patch a sync writes."""

import pytest

from gitops.plan import ApplyPlan, PlanError, build_plan
from gitops.spec import SpecError
from tests.gitops.samples import DESIGN_DEPLOY, DESIGN_EXAMPLE, spec_of
from tinyforge.sources import UnknownSourceType


def test_design_example_plan_for_dockerfile():
    plan = build_plan(spec_of(DESIGN_EXAMPLE), "dockerfile")

    assert plan == ApplyPlan(
        source_type="dockerfile",
        source_config_patch=DESIGN_DEPLOY,
        managed_fields=(
            "port", "healthcheck", "deploy_strategy", "resources.cpu_limit",
            "resources.memory_limit", "max_instances",
        ),
    )
    assert plan.env_patch == {}
    assert plan.faces_patch == {}


def test_managed_fields_follow_field_order_not_file_order():
    spec = spec_of(b"version: 1\ndeploy:\n  max_instances: 2\n  resources: {memory_limit: 64}\n"
                   b"  port: 80\n")

    plan = build_plan(spec, "dockerfile")

    assert plan.managed_fields == ("port", "resources.memory_limit", "max_instances")


def test_port_on_static_is_rejected_with_line():
    spec = spec_of(DESIGN_EXAMPLE)

    with pytest.raises(PlanError) as raised:
        build_plan(spec, "static")

    assert raised.value.errors == [
        SpecError("deploy.port", 3, 3,
                  "static workloads do not accept port; remove it from the file"),
        SpecError("deploy.healthcheck", 4, 3,
                  "static workloads do not accept healthcheck; remove it from the file"),
        SpecError("deploy.resources", 6, 3,
                  "static workloads do not accept resources; remove it from the file"),
        SpecError("deploy.max_instances", 7, 3,
                  "static workloads do not accept max_instances; remove it from the file"),
    ]


def test_empty_resources_on_static_is_rejected():
    spec = spec_of(b"version: 1\ndeploy:\n  resources: {}\n")

    with pytest.raises(PlanError) as raised:
        build_plan(spec, "static")

    assert raised.value.errors == [SpecError(
        "deploy.resources", 3, 3,
        "static workloads do not accept resources; remove it from the file",
    )]


def test_static_plan_manages_deploy_strategy():
    plan = build_plan(spec_of(b"version: 1\ndeploy:\n  deploy_strategy: ''\n"), "static")

    assert plan.source_config_patch == {"deploy_strategy": ""}
    assert plan.managed_fields == ("deploy_strategy",)


def test_empty_deploy_manages_nothing():
    plan = build_plan(spec_of(b"version: 1\ndeploy: {}\n"), "dockerfile")

    assert plan.source_config_patch == {}
    assert plan.managed_fields == ()


def test_empty_resources_manages_nothing_on_dockerfile():
    plan = build_plan(spec_of(b"version: 1\ndeploy:\n  resources: {}\n"), "dockerfile")

    assert plan.source_config_patch == {}
    assert plan.managed_fields == ()


def test_cpu_limit_is_stored_as_float():
    plan = build_plan(
        spec_of(b"version: 1\ndeploy:\n  resources:\n    cpu_limit: 2\n"), "dockerfile",
    )

    assert plan.source_config_patch == {"resources": {"cpu_limit": 2.0}}
    assert type(plan.source_config_patch["resources"]["cpu_limit"]) is float


def test_deploy_strategy_is_kept_as_declared():
    plan = build_plan(spec_of(b"version: 1\ndeploy:\n  deploy_strategy: ''\n"), "dockerfile")

    assert plan.source_config_patch == {"deploy_strategy": ""}


@pytest.mark.parametrize("source_type", ["image", "compose"])
def test_sources_without_gitops_are_rejected(source_type):
    with pytest.raises(PlanError) as raised:
        build_plan(spec_of(b"version: 1\n"), source_type)

    assert raised.value.errors == [SpecError(None, None, None, (
        f"{source_type} workloads cannot read their config from a .tinyforge.yml; GitOps is "
        "available for dockerfile and static workloads"
    ))]


def test_unknown_source_type_raises():
    with pytest.raises(UnknownSourceType):
        build_plan(spec_of(b"version: 1\n"), "ftp")


def test_plan_error_message_joins_errors():
    error = PlanError([SpecError(None, None, None, "first"), SpecError("x", 1, 1, "second")])

    assert str(error) == "first; second"
