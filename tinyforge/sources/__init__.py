"""Source plugins: what each workload source type accepts in its ``source_config``."""

from tinyforge.sources.base import SourcePlugin, get_path
from tinyforge.sources.fields import ConfigField, FieldError
from tinyforge.sources.plugins import ComposeSource, DockerfileSource, ImageSource, StaticSource


class UnknownSourceType(LookupError):
    """Raised when a source type has no plugin."""


SOURCES: dict[str, SourcePlugin] = {
    plugin.source_type: plugin
    for plugin in (DockerfileSource(), StaticSource(), ImageSource(), ComposeSource())
}
SOURCE_TYPES = tuple(SOURCES)


def get_source(source_type: str) -> SourcePlugin:
    """Return the plugin of ``source_type``."""
    try:
        return SOURCES[source_type]
    except KeyError:
        raise UnknownSourceType(
            f"unknown source type {source_type!r}; expected one of {', '.join(SOURCE_TYPES)}"
        ) from None


__all__ = [
    "SOURCES",
    "SOURCE_TYPES",
    "ConfigField",
    "FieldError",
    "SourcePlugin",
    "UnknownSourceType",
    "get_path",
    "get_source",
]
