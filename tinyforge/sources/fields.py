"""Declarative rules for the fields of a workload's ``source_config``.

One :class:`ConfigField` describes a field's type, range and meaning. The
source plugins validate with these rules, the GitOps parser checks
``.tinyforge.yml`` values with them, and the published JSON Schema is
generated from them, so the three never disagree.
"""

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Each check returns None when the value is valid, else a message.
Check = Callable[[object], "str | None"]


@dataclass(frozen=True)
class FieldError:
    """One invalid field: its dotted path in ``source_config`` and what to do about it."""

    field: str
    message: str


def is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def format_bound(bound: float) -> str:
    """Write a range bound as people read it: 1048576, 0.5, never 1.04858e+06."""
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def describe(value: object) -> str:
    """Quote a rejected value for a message: short, typed, one line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class ConfigField:
    """A field of ``source_config``: its type, range, meaning and extra rule."""

    path: str
    kind: str  # "integer", "number" or "string"
    description: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    unit: str = ""
    extra_check: Check | None = None

    @property
    def leaf(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def range_text(self) -> str:
        values = {
            "low": format_bound(self.minimum),
            "high": format_bound(self.maximum),
            "unit": f" {self.unit}" if self.unit else "",
        }
        if self.exclusive_minimum:
            return _("greater than %(low)s and at most %(high)s%(unit)s") % values
        return _("from %(low)s to %(high)s%(unit)s") % values

    def expectation(self) -> str:
        """Describe the accepted values, for messages and help text."""
        if self.choices:
            return _("one of %(choices)s") % {
                "choices": ", ".join(repr(choice) for choice in self.choices)
            }
        if self.kind == "integer":
            return _("a whole number %(range)s") % {"range": self.range_text()}
        if self.kind == "number":
            return _("a number %(range)s") % {"range": self.range_text()}
        return _("a string")

    def check(self, value: object) -> str | None:
        """Return a message saying what is wrong with ``value``, or None when it is valid."""
        if self.kind == "integer":
            if not is_integer(value) or not self.minimum <= value <= self.maximum:
                return self._must_be(value)
        elif self.kind == "number":
            if not is_number(value) or not self._in_range(value):
                return self._must_be(value)
        elif self.kind == "string":
            if not isinstance(value, str):
                return self._must_be(value)
            if self.choices and value not in self.choices:
                return self._must_be(value)
            if self.max_length is not None and len(value) > self.max_length:
                return _("must be at most %(max)d characters long, got %(length)d") % {
                    "max": self.max_length, "length": len(value),
                }
        if self.extra_check is not None:
            return self.extra_check(value)
        return None

    def _in_range(self, value: float) -> bool:
        low_ok = value > self.minimum if self.exclusive_minimum else value >= self.minimum
        return low_ok and value <= self.maximum

    def _must_be(self, value: object) -> str:
        return _("must be %(expected)s, got %(value)s") % {
            "expected": self.expectation(), "value": describe(value),
        }


def check_healthcheck(value: object) -> str | None:
    """Require an absolute URL path such as ``/healthz``, or an empty string."""
    if value == "":
        return None
    if any(char.isspace() for char in value):
        return _("must not contain whitespace; use an absolute URL path such as '/healthz'")
    for char in value:
        # Control characters, and invisible ones such as bidirectional overrides
        # or zero-width spaces, make the path differ from what an admin reads.
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return _(
                "must not contain control or invisible formatting characters, found "
                "U+%(code)04X; use an absolute URL path such as '/healthz'"
            ) % {"code": ord(char)}
    if "#" in value:
        return _("must not contain a fragment ('#'); use an absolute URL path such as '/healthz'")
    if not value.startswith("/") or value.startswith("//") or "://" in value:
        return _(
            "must be an absolute URL path starting with '/' and without a scheme or host, "
            "such as '/healthz'"
        )
    return None


# Allowed in a branch name: git's ref rules, narrowed so a name can never be
# read as a command-line option or a revision range.
_BRANCH_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock$|\.$|/$")


def check_branch(value: object) -> str | None:
    if value == "":
        return _("must not be empty; use the branch name, such as 'main'")
    if value.startswith(("-", "/")) or _BRANCH_FORBIDDEN.search(value):
        return _(
            "is not a valid branch name: it must not start with '-' or '/', and must not "
            "contain spaces, '..', '~', '^', ':', '?', '*', '[', '\\' or '@{'"
        )
    return None


# Unicode bidirectional-format characters, which can make a path display
# differently from what it is: embeddings and overrides (U+202A to U+202E),
# isolates (U+2066 to U+2069), and the LRM, RLM and ALM marks.
BIDI_FORMAT_CHARACTERS = frozenset(
    [chr(code) for code in range(0x202A, 0x202F)]
    + [chr(code) for code in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)


def is_control_or_bidi(char: str) -> bool:
    """Return whether ``char`` is a control, line or paragraph separator, lone surrogate
    or bidirectional-format character, none of which belongs in a repository path."""
    return char in BIDI_FORMAT_CHARACTERS or unicodedata.category(char) in (
        "Cc", "Zl", "Zp", "Cs",
    )


def check_relative_path(value: object) -> str | None:
    if value.startswith("/") or "\\" in value or ".." in value.split("/"):
        return _("must be a relative path inside the repository, without '..' or '\\'")
    if any(ord(char) < 32 for char in value):
        return _("must not contain control characters")
    return None


def check_image_reference(value: object) -> str | None:
    if value == "" or any(char.isspace() for char in value):
        return _("must be an image reference such as 'nginx:1.27' or 'ghcr.io/acme/app@sha256:…'")
    return None


def check_not_blank(value: object) -> str | None:
    if not value.strip():
        return _("must not be empty")
    return None


PROVIDERS = ("github", "gitlab", "gitea", "git")


def check_repo_url(value: object, provider: object = None) -> str | None:
    """Check a repository URL: https (or http), no credentials, no query or fragment.

    ``file://`` is accepted for the ``git`` provider only; whether such a URL
    may be fetched is decided by a setting at fetch time.
    """
    parts = urlsplit(value)
    schemes = ("https", "http", "file") if provider == "git" else ("https", "http")
    if parts.scheme not in schemes:
        return _("must be a URL starting with %(schemes)s, got %(value)s") % {
            "schemes": " or ".join(f"{scheme}://" for scheme in schemes), "value": describe(value),
        }
    if "@" in parts.netloc:
        return _(
            "must not contain a user name or token; store the token in the workload's "
            "repository token instead"
        )
    if parts.query or parts.fragment or any(char.isspace() or ord(char) < 32 for char in value):
        return _("must not contain spaces, a query string or a fragment")
    if parts.scheme == "file":
        return None if parts.path.startswith("/") else _("must be an absolute file:// URL")
    if not parts.hostname:
        return _("must name a host, such as https://github.com/owner/repo")
    segments = [segment for segment in parts.path.split("/") if segment]
    if provider in ("github", "gitlab", "gitea") and len(segments) < 2:
        return _("must name the repository as https://HOST/OWNER/REPO")
    return None


# Descriptions stay plain strings for the JSON Schema; gettext_noop marks them
# for the catalog so forms can translate them at render time.

# Fields a .tinyforge.yml may declare.
PORT = ConfigField(
    "port", "integer", gettext_noop("TCP port the app listens on inside its container."),
    minimum=1, maximum=65535,
)
HEALTHCHECK = ConfigField(
    "healthcheck", "string",
    gettext_noop(
        "Absolute URL path polled to decide the app is healthy, e.g. /healthz; empty for none."
    ),
    max_length=512, extra_check=check_healthcheck,
)
DEPLOY_STRATEGY = ConfigField(
    "deploy_strategy", "string",
    gettext_noop(
        "How a new version replaces the old one; empty means the platform default, recreate."
    ),
    choices=("", "recreate", "blue-green"),
)
CPU_LIMIT = ConfigField(
    "resources.cpu_limit", "number", gettext_noop("CPU limit in cores; omit for unlimited."),
    minimum=0, maximum=256, exclusive_minimum=True, unit="cores",
)
MEMORY_LIMIT = ConfigField(
    "resources.memory_limit", "integer", gettext_noop("Memory limit in MiB; omit for unlimited."),
    minimum=6, maximum=1_048_576, unit="MiB",
)
MAX_INSTANCES = ConfigField(
    "max_instances", "integer", gettext_noop("Maximum number of running instances."),
    minimum=1, maximum=100,
)

# Fields edited in Tinyforge only.
PROVIDER = ConfigField(
    "provider", "string", gettext_noop("Git hosting provider of the repository."),
    choices=PROVIDERS,
)
REPO_URL = ConfigField(
    "repo_url", "string", gettext_noop("Repository URL, such as https://github.com/owner/repo."),
    max_length=2048,
)
BRANCH = ConfigField(
    "branch", "string", gettext_noop("Branch to read from."), max_length=255,
    extra_check=check_branch,
)
DOCKERFILE_PATH = ConfigField(
    "dockerfile_path", "string", gettext_noop("Path of the Dockerfile in the repository."),
    max_length=255, extra_check=check_relative_path,
)
BUILD_CONTEXT = ConfigField(
    "build_context", "string", gettext_noop("Build context directory in the repository."),
    max_length=255, extra_check=check_relative_path,
)
PUBLISH_DIR = ConfigField(
    "publish_dir", "string", gettext_noop("Directory whose files are published."),
    max_length=255, extra_check=check_relative_path,
)
BUILD_COMMAND = ConfigField(
    "build_command", "string", gettext_noop("Command that builds the site; empty for none."),
    max_length=1024,
)
IMAGE = ConfigField(
    "image", "string", gettext_noop("Container image reference."), max_length=512,
    extra_check=check_image_reference,
)
COMPOSE = ConfigField(
    "compose", "string", gettext_noop("Compose file text."), max_length=262_144,
    extra_check=check_not_blank,
)
