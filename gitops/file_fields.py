"""The fields a ``.tinyforge.yml`` may declare, derived from the source plugins.

Every GitOps module reads the declarable fields from here, so the parser, the
plan, the export and the JSON Schema follow the plugins' ``file_fields`` and
never keep a second list.
"""

from functools import cache

from tinyforge.sources import SOURCES
from tinyforge.sources.fields import ConfigField

# GitOps reads the file from the workload's own repository, so only git-backed
# sources (dockerfile and static) can enable it.
GITOPS_SOURCE_TYPES: tuple[str, ...] = tuple(
    source_type for source_type, plugin in SOURCES.items() if plugin.git_backed
)


@cache
def declarable_fields() -> tuple[ConfigField, ...]:
    """Return the union of the GitOps sources' file fields, in their definition order."""
    fields: dict[str, ConfigField] = {}
    for source_type in GITOPS_SOURCE_TYPES:
        for config_field in SOURCES[source_type].file_fields:
            fields.setdefault(config_field.path, config_field)
    return tuple(fields.values())


def build_field_tree(fields: tuple[ConfigField, ...]) -> dict:
    """Nest ``fields`` by their dotted paths: ``{"resources": {"cpu_limit": CPU_LIMIT}}``.

    Leaves are the :class:`ConfigField` objects and keep the order of ``fields``.
    """
    tree: dict = {}
    for config_field in fields:
        node = tree
        *parents, leaf = config_field.path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = config_field
    return tree


@cache
def deploy_tree() -> dict:
    """Return the tree of every key the ``deploy`` mapping may contain."""
    return build_field_tree(declarable_fields())


def sources_accepting(path: str) -> tuple[str, ...]:
    """Return the GitOps source types whose file fields include ``path``."""
    return tuple(
        source_type
        for source_type in GITOPS_SOURCE_TYPES
        if SOURCES[source_type].accepts_from_file(path)
    )


def set_path(config: dict, path: str, value: object) -> None:
    """Set dotted ``path`` in the nested dict ``config``, creating or replacing mappings on the way.

    A parent that is not a dict (say ``"resources": null``) is replaced by a
    new dict.
    """
    *parents, leaf = path.split(".")
    node = config
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[leaf] = value
