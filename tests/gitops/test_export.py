"""render_spec: the file generated from a live config, and its round trip."""

import pytest

from gitops.drift import compute_drift, in_sync
from gitops.export import render_spec, render_value
from gitops.plan import build_plan
from gitops.spec import parse_spec

LIVE = {
    "provider": "github",
    "repo_url": "https://github.com/acme/app",
    "branch": "main",
    "port": 8080,
    "healthcheck": "/healthz",
    "deploy_strategy": "",
    "resources": {"cpu_limit": 0.5, "memory_limit": 256},
    "max_instances": 2,
}

HEADER = (
    "# .tinyforge.yml: deploy config of a Tinyforge {source} workload.\n"
    "# Tinyforge manages each key below from this file; remove a key to edit that\n"
    "# field in Tinyforge again.\n"
)


def test_dockerfile_export():
    assert render_spec(LIVE, "dockerfile") == HEADER.format(source="dockerfile") + (
        "version: 1\n"
        "deploy:\n"
        "  port: 8080\n"
        "  healthcheck: /healthz\n"
        '  deploy_strategy: ""\n'
        "  resources:\n"
        "    cpu_limit: 0.5\n"
        "    memory_limit: 256\n"
        "  max_instances: 2\n"
    )


def test_static_export_has_only_static_fields():
    assert render_spec(LIVE, "static") == HEADER.format(source="static") + (
        "version: 1\n"
        "deploy:\n"
        '  deploy_strategy: ""\n'
    )


def test_export_omits_missing_and_null_fields():
    live = {"port": 80, "healthcheck": None, "resources": {}}

    assert render_spec(live, "dockerfile") == HEADER.format(source="dockerfile") + (
        "version: 1\n"
        "deploy:\n"
        "  port: 80\n"
    )


def test_export_without_fields_declares_empty_deploy():
    assert render_spec({"repo_url": "x"}, "static").endswith("version: 1\ndeploy: {}\n")


@pytest.mark.parametrize("source_type", ["dockerfile", "static"])
def test_export_round_trips_with_zero_drift(source_type):
    parsed = parse_spec(render_spec(LIVE, source_type).encode())

    assert parsed.errors == []
    drift = compute_drift(build_plan(parsed.spec, source_type), LIVE)
    assert drift
    assert in_sync(drift)


def test_export_rejects_source_without_gitops():
    with pytest.raises(ValueError, match="image workloads cannot use GitOps"):
        render_spec({}, "image")


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        (8080, "8080"),
        (0.5, "0.5"),
        (2.0, "2.0"),
        (0.00001, "0.00001"),
        (1e16, "10000000000000000"),
        (True, "true"),
        ("", '""'),
        ("recreate", "recreate"),
        ("/healthz", "/healthz"),
        ("off", '"off"'),
        ("Yes", '"Yes"'),
        ("null", '"null"'),
        ("1:30", '"1:30"'),
        ("010", '"010"'),
        ("a b", '"a b"'),
        ('say "hi"\\', '"say \\"hi\\"\\\\"'),
        ("tab\there", '"tab\\x09here"'),
        ("line\u2028break", '"line\\u2028break"'),
        ("emoji 😀", '"emoji 😀"'),
        (["a"], '["a"]'),
    ],
)
def test_render_value(value, rendered):
    assert render_value(value) == rendered
