"""The JSON Schema (draft 2020-12) of ``.tinyforge.yml`` version 1, generated from the field rules.

Editors use it to complete and check the file. It states types, ranges,
choices and lengths. Rules that a schema cannot state, such as the shape
of a healthcheck path or the YAML pitfalls the parser rejects, are checked
by ``manage.py gitops_validate``.
"""

import json

from gitops.file_fields import declarable_fields, sources_accepting
from gitops.spec import SUPPORTED_VERSION
from tinyforge.sources.fields import ConfigField

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_PATH = "docs/tinyforge.schema.json"

# Descriptions of the nested mappings of ``deploy``, by key.
GROUP_DESCRIPTIONS = {
    "resources": "Resource limits of each instance; an omitted limit stays editable in Tinyforge.",
}


def build_json_schema() -> dict:
    """Return the JSON Schema of a v1 file, built from the declarable field definitions."""
    deploy: dict = {
        "type": "object",
        "description": (
            "Deploy settings managed from the repository. A key that is present is managed "
            "by this file; an omitted key stays editable in Tinyforge."
        ),
        "additionalProperties": False,
        "properties": {},
    }
    for config_field in declarable_fields():
        node = deploy
        *parents, leaf = config_field.path.split(".")
        for part in parents:
            node = node["properties"].setdefault(part, {
                "type": "object",
                "description": GROUP_DESCRIPTIONS.get(part, ""),
                "additionalProperties": False,
                "properties": {},
            })
        node["properties"][leaf] = field_schema(config_field)

    return {
        "$schema": SCHEMA_DIALECT,
        "title": ".tinyforge.yml",
        "description": "Tinyforge deploy config, read from a workload's git repository.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": {
            "version": {
                "description": "Version of the file format; this Tinyforge understands 1.",
                "type": "integer",
                "const": SUPPORTED_VERSION,
            },
            "deploy": deploy,
        },
    }


def field_schema(config_field: ConfigField) -> dict:
    """Return the schema of one field: its type, range, choices, length and description."""
    sources = " and ".join(sources_accepting(config_field.path))
    schema: dict = {
        "description": f"{config_field.description} Accepted by {sources} workloads.",
        "type": config_field.kind,
    }
    if config_field.minimum is not None:
        key = "exclusiveMinimum" if config_field.exclusive_minimum else "minimum"
        schema[key] = _json_number(config_field.minimum)
    if config_field.maximum is not None:
        schema["maximum"] = _json_number(config_field.maximum)
    if config_field.choices:
        schema["enum"] = list(config_field.choices)
    if config_field.max_length is not None:
        schema["maxLength"] = config_field.max_length
    return schema


def render_json_schema() -> str:
    """Return the schema as the published file: sorted keys, 2-space indent, final newline."""
    return json.dumps(build_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _json_number(bound: float) -> int | float:
    """Write 1048576 rather than 1048576.0 for a whole bound."""
    return int(bound) if float(bound).is_integer() else bound
