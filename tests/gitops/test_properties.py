"""Property tests of merge, drift and export over generated live configs and files."""

import copy

import yaml
from hypothesis import given
from hypothesis import strategies as st

from gitops.drift import compute_drift, in_sync, values_match
from gitops.export import render_spec, render_value
from gitops.file_fields import declarable_fields
from gitops.merge import merge_and_validate
from gitops.plan import build_plan
from gitops.spec import Spec, parse_spec
from tinyforge.sources import get_path, get_source

HEALTHCHECKS = st.one_of(
    st.just(""),
    st.text(alphabet="abcz09-_./~", max_size=20).map(lambda path: "/" + path.lstrip("/")),
)
CPU_LIMITS = st.one_of(
    st.integers(min_value=1, max_value=256),
    st.floats(min_value=0.001, max_value=256, allow_nan=False, allow_infinity=False),
)
RESOURCES = st.fixed_dictionaries({}, optional={
    "cpu_limit": CPU_LIMITS, "memory_limit": st.integers(min_value=6, max_value=1_048_576),
})
DOCKERFILE_DEPLOY = st.fixed_dictionaries({}, optional={
    "port": st.integers(min_value=1, max_value=65535),
    "healthcheck": HEALTHCHECKS,
    "deploy_strategy": st.sampled_from(["", "recreate", "blue-green"]),
    "resources": RESOURCES,
    "max_instances": st.integers(min_value=1, max_value=100),
})
STATIC_DEPLOY = st.fixed_dictionaries({}, optional={
    "deploy_strategy": st.sampled_from(["", "recreate", "blue-green"]),
})
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10),
)
# Live configs: any keys and values, with resources always a mapping when present,
# so that every live leaf has a path a plan can leave alone.
LIVE_CONFIGS = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda key: key != "resources"), JSON_SCALARS,
    max_size=8,
).flatmap(lambda base: st.fixed_dictionaries(
    {}, optional={"resources": st.dictionaries(st.text(min_size=1, max_size=12), JSON_SCALARS)},
).map(lambda extra: {**base, **extra}))
PLANS = st.one_of(
    DOCKERFILE_DEPLOY.map(lambda deploy: build_plan(Spec(1, deploy), "dockerfile")),
    STATIC_DEPLOY.map(lambda deploy: build_plan(Spec(1, deploy), "static")),
)
DOCKERFILE_KEYS = {
    config_field.path.split(".")[0] for config_field in get_source("dockerfile").file_fields
}
DECLARABLE_PATHS = st.sampled_from([config_field.path for config_field in declarable_fields()])


def leaf_paths(config: dict, prefix: str = "") -> list[str]:
    """Return the dotted paths of the non-mapping values in ``config``; empty mappings have none."""
    paths = []
    for key, value in config.items():
        if isinstance(value, dict):
            paths.extend(leaf_paths(value, f"{prefix}{key}."))
        else:
            paths.append(prefix + key)
    return paths


@given(live=LIVE_CONFIGS, plan=PLANS)
def test_merge_never_loses_omitted_field(live, plan):
    merged = merge_and_validate(live, plan, get_source(plan.source_type)).config

    for path in leaf_paths(live):
        if path not in plan.managed_fields:
            assert get_path(merged, path) == get_path(live, path)


@given(live=LIVE_CONFIGS, plan=PLANS)
def test_drift_is_empty_after_merge(live, plan):
    merged = merge_and_validate(live, plan, get_source(plan.source_type)).config

    assert in_sync(compute_drift(plan, merged))


@given(live=LIVE_CONFIGS, plan=PLANS)
def test_merge_never_mutates_inputs(live, plan):
    live_before = copy.deepcopy(live)
    patch_before = copy.deepcopy(plan.source_config_patch)

    merged = merge_and_validate(live, plan, get_source(plan.source_type)).config
    merged["resources"] = {"changed": True}

    assert live == live_before
    assert plan.source_config_patch == patch_before


@given(path=DECLARABLE_PATHS, first=JSON_SCALARS, second=JSON_SCALARS)
def test_values_match_is_symmetric(path, first, second):
    assert values_match(path, first, second) == values_match(path, second, first)


@given(number=st.integers(min_value=-(2**53), max_value=2**53), path=DECLARABLE_PATHS)
def test_integer_matches_equal_float_both_ways(number, path):
    assert values_match(path, number, float(number))
    assert values_match(path, float(number), number)


@given(empty_first=st.booleans())
def test_empty_strategy_matches_recreate_both_ways(empty_first):
    pair = ("", "recreate") if empty_first else ("recreate", "")

    assert values_match("deploy_strategy", *pair)


@given(
    deploy=DOCKERFILE_DEPLOY,
    platform=st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda key: key not in DOCKERFILE_KEYS),
        JSON_SCALARS, max_size=5,
    ),
)
def test_export_round_trips_with_zero_drift(deploy, platform):
    live = {**platform, **deploy}

    parsed = parse_spec(render_spec(live, "dockerfile").encode())

    assert parsed.errors == []
    plan = build_plan(parsed.spec, "dockerfile")
    assert set(plan.managed_fields) == set(leaf_paths(deploy))
    assert in_sync(compute_drift(plan, live))


@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30))
def test_rendered_string_reads_back_unchanged(text):
    assert yaml.safe_load(render_value(text)) == text
