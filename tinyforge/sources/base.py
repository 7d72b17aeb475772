"""The source plugin interface: one class per workload source type."""

from django.utils.translation import gettext as _

from tinyforge.sources import fields as f
from tinyforge.sources.fields import ConfigField, FieldError

_MISSING = object()


def get_path(config: dict, path: str, default: object = _MISSING) -> object:
    """Read a dotted path such as ``resources.cpu_limit`` from a nested dict."""
    node: object = config
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


class SourcePlugin:
    """Validation rules and defaults of one source type's ``source_config``.

    ``file_fields`` are the fields a ``.tinyforge.yml`` may declare for this
    source; ``platform_fields`` are edited in Tinyforge only.
    """

    source_type: str = ""
    git_backed: bool = False
    file_fields: tuple[ConfigField, ...] = ()
    platform_fields: tuple[ConfigField, ...] = ()
    required: frozenset[str] = frozenset()
    defaults: dict = {}

    @property
    def fields(self) -> tuple[ConfigField, ...]:
        return self.platform_fields + self.file_fields

    def field(self, path: str) -> ConfigField | None:
        for config_field in self.fields:
            if config_field.path == path:
                return config_field
        return None

    def accepts_from_file(self, path: str) -> bool:
        return any(config_field.path == path for config_field in self.file_fields)

    def validate(self, config: object) -> list[FieldError]:
        """Return every error in ``config``; an empty list means it is valid."""
        if not isinstance(config, dict):
            return [FieldError("", _("the source config must be a JSON object"))]

        errors = self._check_keys(config, prefix="", known=self._known_tree())
        for config_field in self.fields:
            value = get_path(config, config_field.path)
            if value is _MISSING:
                if config_field.path in self.required:
                    errors.append(FieldError(config_field.path, _("is required")))
                continue
            message = config_field.check(value)
            if message is None and config_field is f.REPO_URL:
                message = f.check_repo_url(value, config.get("provider"))
            if message is not None:
                errors.append(FieldError(config_field.path, message))

        errors.extend(self.cross_field_errors(config))
        return errors

    def cross_field_errors(self, config: dict) -> list[FieldError]:
        return []

    def _known_tree(self) -> dict:
        tree: dict = {}
        for config_field in self.fields:
            node = tree
            *parents, leaf = config_field.path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = None
        return tree

    def _check_keys(self, config: dict, prefix: str, known: dict) -> list[FieldError]:
        errors = []
        for key, value in config.items():
            path = f"{prefix}{key}"
            if key not in known:
                errors.append(FieldError(path, _("is not a field of a %(source)s workload") % {
                    "source": self.source_type,
                }))
            elif isinstance(known[key], dict):
                if not isinstance(value, dict):
                    errors.append(FieldError(path, _("must be an object")))
                else:
                    errors.extend(self._check_keys(value, f"{path}.", known[key]))
        return errors
