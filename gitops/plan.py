"""Turn a parsed spec into the plan a sync applies to one workload's ``source_config``."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gitops.file_fields import GITOPS_SOURCE_TYPES, deploy_tree, set_path
from gitops.spec import Spec, SpecError
from tinyforge.sources import SourcePlugin, get_source
from tinyforge.sources.fields import ConfigField


class PlanError(Exception):
    """Raised when a spec cannot apply to a source type; ``errors`` lists the keys and reasons."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(error.message for error in self.errors))


@dataclass(frozen=True)
class ApplyPlan:
    """The changes a spec makes to a workload of ``source_type``.

    ``source_config_patch`` holds only the declared leaves, nested as in
    ``source_config``. ``managed_fields`` lists their dotted paths in the
    source's field order. ``env_patch`` and ``faces_patch`` are reserved for a
    later version of the file and always empty.
    """

    source_type: str
    source_config_patch: dict
    managed_fields: tuple[str, ...]
    env_patch: dict = field(default_factory=dict)
    faces_patch: dict = field(default_factory=dict)


def build_plan(spec: Spec, source_type: str) -> ApplyPlan:
    """Build the plan of ``spec`` for a workload of ``source_type``.

    Raises PlanError when the source type cannot use GitOps, or when the spec
    declares keys the source does not accept. A rejected key is reported,
    never dropped. Raises UnknownSourceType for a source type without a
    plugin.
    """
    source = get_source(source_type)
    if source_type not in GITOPS_SOURCE_TYPES:
        raise PlanError([SpecError(None, None, None, _(
            "%(source)s workloads cannot read their config from a .tinyforge.yml; GitOps is "
            "available for %(sources)s workloads"
        ) % {"source": source_type, "sources": " and ".join(GITOPS_SOURCE_TYPES)})])

    errors: list[SpecError] = []
    declared = _accepted_leaves(spec, source, spec.deploy, "", deploy_tree(), errors)
    if errors:
        raise PlanError(sorted(errors, key=lambda error: (error.line or 0, error.column or 0)))

    patch: dict = {}
    managed = []
    for config_field in source.file_fields:
        if config_field.path in declared:
            value = normalize_declared(config_field, declared[config_field.path])
            set_path(patch, config_field.path, value)
            managed.append(config_field.path)
    return ApplyPlan(source_type, patch, tuple(managed))


def normalize_declared(config_field: ConfigField, value: object) -> object:
    """Return the value a sync writes for a declared ``value``.

    Numbers of a "number" field become floats (``cpu_limit: 1`` is stored as
    1.0), so the stored type does not depend on how the file spelled the
    number. Integer fields hold ints already, and strings stay exactly as
    declared: ``deploy_strategy: ""`` is written as "".
    """
    if config_field.kind == "number":
        return float(value)
    return value


def _accepted_leaves(
    spec: Spec, source: SourcePlugin, mapping: dict, prefix: str, tree: dict,
    errors: list[SpecError],
) -> dict[str, object]:
    """Return the declared leaves by dotted path, reporting each key the source rejects."""
    leaves: dict[str, object] = {}
    for key, value in mapping.items():
        path = prefix + key
        if not _accepts_at_or_below(source, path):
            line, column = spec.position(f"deploy.{path}") or (None, None)
            errors.append(SpecError(f"deploy.{path}", line, column, _(
                "%(source)s workloads do not accept %(key)s; remove it from the file"
            ) % {"source": source.source_type, "key": path}))
        elif isinstance(tree[key], dict):
            leaves.update(_accepted_leaves(spec, source, value, f"{path}.", tree[key], errors))
        else:
            leaves[path] = value
    return leaves


def _accepts_at_or_below(source: SourcePlugin, path: str) -> bool:
    return any(
        config_field.path == path or config_field.path.startswith(f"{path}.")
        for config_field in source.file_fields
    )
