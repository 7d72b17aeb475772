"""Render a live ``source_config`` as a ``.tinyforge.yml``, to adopt GitOps with zero drift."""

import json
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from gitops.file_fields import GITOPS_SOURCE_TYPES, build_field_tree
from gitops.scalars import YAML11_BOOLEAN_WORDS, resolve_plain
from gitops.spec import SUPPORTED_VERSION
from tinyforge.sources import get_path, get_source

# Strings of these characters are written unquoted when the parser reads them back as strings.
_PLAIN_SAFE = re.compile(r"[A-Za-z/][A-Za-z0-9/_.\-]*")
# Characters written as-is inside double quotes; the rest become escapes.
_DOUBLE_QUOTED_SAFE = re.compile(
    "[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def render_spec(live_config: dict, source_type: str) -> str:
    """Render the file fields of ``live_config`` that ``source_type`` accepts.

    Fields appear in the source's field order; fields missing from the live
    config (or null there) are omitted, so they stay unmanaged. The result
    parses back to a plan with zero drift against ``live_config``. A live
    value that the parser would reject (say a port stored as a string) is
    still written as it is, so validating the output reports it.
    Raises ValueError for a source type that cannot use GitOps.
    """
    if source_type not in GITOPS_SOURCE_TYPES:
        raise ValueError(_("%(source)s workloads cannot use GitOps") % {"source": source_type})
    present = tuple(
        config_field
        for config_field in get_source(source_type).file_fields
        if get_path(live_config, config_field.path, None) is not None
    )

    lines = [
        _("# .tinyforge.yml: deploy config of a Tinyforge %(source)s workload.") % {
            "source": source_type,
        },
        _("# Tinyforge manages each key below from this file; remove a key to edit that"),
        _("# field in Tinyforge again."),
        f"version: {SUPPORTED_VERSION}",
    ]
    if present:
        lines.append("deploy:")
        _render_mapping(build_field_tree(present), live_config, depth=1, lines=lines)
    else:
        lines.append("deploy: {}")
    return "\n".join(lines) + "\n"


def _render_mapping(tree: dict, live_config: dict, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    for key, node in tree.items():
        if isinstance(node, dict):
            lines.append(f"{indent}{key}:")
            _render_mapping(node, live_config, depth + 1, lines)
        else:
            lines.append(f"{indent}{key}: {render_value(get_path(live_config, node.path))}")


def render_value(value: object) -> str:
    """Write ``value`` as a YAML scalar that the strict parser reads back unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Fixed-point notation, because the parser rejects exponents such as 1e-05.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, str):
        return _render_string(value)
    return json.dumps(value)


def _render_string(text: str) -> str:
    if (
        _PLAIN_SAFE.fullmatch(text)
        and text.lower() not in YAML11_BOOLEAN_WORDS
        and resolve_plain(text) == (text, None)
    ):
        return text
    escaped = []
    for character in text:
        if character in '"\\':
            escaped.append("\\" + character)
        elif _DOUBLE_QUOTED_SAFE.fullmatch(character):
            escaped.append(character)
        elif ord(character) <= 0xFF:
            escaped.append(f"\\x{ord(character):02x}")
        elif ord(character) <= 0xFFFF:
            escaped.append(f"\\u{ord(character):04x}")
        else:
            escaped.append(f"\\U{ord(character):08x}")
    return '"' + "".join(escaped) + '"'
