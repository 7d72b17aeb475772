"""The published JSON Schema of .tinyforge.yml, generated from the field rules."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from gitops.schema import SCHEMA_DIALECT, SCHEMA_PATH, build_json_schema, render_json_schema

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def test_published_schema_is_current():
    published = (REPOSITORY_ROOT / SCHEMA_PATH).read_text(encoding="utf-8")

    assert published == render_json_schema(), (
        f"{SCHEMA_PATH} is stale; run `manage.py gitops_schema --output {SCHEMA_PATH}`"
    )


def test_schema_root():
    schema = build_json_schema()

    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["version"]
    assert schema["properties"]["version"] == {
        "description": "Version of the file format; this Tinyforge understands 1.",
        "type": "integer",
        "const": 1,
    }


def test_schema_fields_carry_rules():
    deploy = build_json_schema()["properties"]["deploy"]
    fields = deploy["properties"]

    assert deploy["additionalProperties"] is False
    assert list(fields) == ["port", "healthcheck", "deploy_strategy", "resources", "max_instances"]
    assert fields["port"] == {
        "description": "TCP port the app listens on inside its container. Accepted by "
                       "dockerfile workloads.",
        "type": "integer", "minimum": 1, "maximum": 65535,
    }
    assert fields["healthcheck"]["maxLength"] == 512
    assert fields["deploy_strategy"]["enum"] == ["", "recreate", "blue-green"]
    assert fields["deploy_strategy"]["description"].endswith(
        "Accepted by dockerfile and static workloads."
    )
    resources = fields["resources"]
    assert resources["additionalProperties"] is False
    assert resources["properties"]["cpu_limit"]["exclusiveMinimum"] == 0
    assert "minimum" not in resources["properties"]["cpu_limit"]
    assert resources["properties"]["cpu_limit"]["maximum"] == 256
    assert resources["properties"]["memory_limit"]["maximum"] == 1_048_576
    assert fields["max_instances"]["minimum"] == 1


def test_rendered_schema_format():
    text = render_json_schema()

    assert text.endswith("}\n")
    assert json.loads(text) == build_json_schema()
    assert text.splitlines()[1] == '  "$schema": "https://json-schema.org/draft/2020-12/schema",'


def test_schema_command_check_passes_for_published_file(capsys):
    call_command("gitops_schema", "--output", str(REPOSITORY_ROOT / SCHEMA_PATH), "--check")

    assert capsys.readouterr().out.endswith("is current\n")


def test_schema_command_check_fails_for_stale_file(tmp_path, capsys):
    stale = tmp_path / "schema.json"
    stale.write_text("{}\n", encoding="utf-8")

    with pytest.raises(SystemExit) as raised:
        call_command("gitops_schema", "--output", str(stale), "--check")

    assert raised.value.code == 1
    assert capsys.readouterr().err == (
        f"{stale} is not current; run `manage.py gitops_schema --output {stale}`\n"
    )


def test_schema_command_writes_file(tmp_path):
    target = tmp_path / "schema.json"

    call_command("gitops_schema", "--output", str(target))

    assert target.read_text(encoding="utf-8") == render_json_schema()
