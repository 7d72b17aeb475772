"""Strict parsing of a ``.tinyforge.yml`` (version 1) into a :class:`Spec`.

The parser reports every problem it finds, each with the dotted field path,
a 1-based line and column, and a message that names the fix. It never
builds values with ``yaml.load``: it walks the node tree of
:mod:`gitops.yamltree` and resolves scalars with :mod:`gitops.scalars`, so
quoting, tags, anchors and positions stay visible.

Three problems stop the parse and are reported alone: a file over
:data:`MAX_FILE_BYTES`, bytes that are not UTF-8 or contain characters YAML
does not allow, and YAML syntax errors (nesting too deep counts as one).
"""

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gitops.file_fields import deploy_tree
from gitops.scalars import NULL, YAML11_BOOLEAN_WORDS, resolve_plain
from gitops.yamltree import Alias, Mapping, Node, Scalar, Sequence, build_tree
from tinyforge.sources.fields import ConfigField, describe, is_integer

MAX_FILE_BYTES = 65536
SUPPORTED_VERSION = 1

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Characters outside YAML's printable set; PyYAML rejects them without a line number.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# Characters that YAML 1.1 tools (PyYAML among them) read as line breaks and
# YAML 1.2 tools read as content, and a byte order mark after the first one,
# which some tools strip and others keep in the first key.
_AMBIGUOUS = re.compile("[\x85\u2028\u2029\ufeff]")
# The line breaks PyYAML counts, so positions computed here match its marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

# Keys that a later version may add. They are named in the error message
# because each one is managed in Tinyforge today.
RESERVED_KEYS = {
    "env": gettext_noop("environment variables"),
    "environment": gettext_noop("environment variables"),
    "secrets": gettext_noop("secrets"),
    "faces": gettext_noop("public faces (hostnames and ports)"),
    "domains": gettext_noop("public faces (hostnames and ports)"),
}

# Marks the ``version`` key in the tree of known keys.
_VERSION = object()
# Returned by the checks for a value that has an error.
_INVALID = object()


@dataclass(frozen=True)
class SpecError:
    """One problem in a file: the dotted field path, the 1-based position and what to do.

    ``field`` is None for a problem of the whole file or of its YAML syntax.
    ``line`` and ``column`` are None when the problem has no position.
    """

    field: str | None
    line: int | None
    column: int | None
    message: str


@dataclass(frozen=True)
class Spec:
    """A valid v1 file: its version, the ``deploy`` mapping and where each key was written.

    ``deploy`` contains plain Python values exactly as declared, nested as in the
    file. ``positions`` maps dotted paths such as ``deploy.resources.cpu_limit``
    to the (line, column) of their key.
    """

    version: int
    deploy: dict
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)

    def position(self, path: str) -> tuple[int, int] | None:
        """Return the (line, column) of the key at dotted ``path``, or None if it is undeclared."""
        return self.positions.get(path)


@dataclass(frozen=True)
class ParseResult:
    """The outcome of :func:`parse_spec`: a spec, or None and every error found."""

    spec: Spec | None
    errors: list[SpecError]

    @property
    def valid(self) -> bool:
        return not self.errors


def parse_spec(data: bytes) -> ParseResult:
    """Parse and check the bytes of a ``.tinyforge.yml``."""
    text, errors = _decode(data)
    if errors:
        return ParseResult(None, errors)

    root, failures = build_tree(text)
    errors = [
        SpecError(None, failure.line, failure.column, failure.message) for failure in failures
    ]
    if (root is None and not failures) or _is_null(root):
        errors.append(SpecError(None, None, None, _(
            "the file is empty; start it with 'version: 1' followed by a 'deploy' mapping"
        )))
        return ParseResult(None, errors)
    if root is None:
        return ParseResult(None, errors)

    checker = _SpecChecker()
    version, deploy = checker.check_root(root)
    errors.extend(checker.errors)
    if errors:
        errors.sort(key=lambda error: (error.line or 0, error.column or 0))
        return ParseResult(None, errors)
    return ParseResult(Spec(version, deploy, checker.positions), [])


def _decode(data: bytes) -> tuple[str, list[SpecError]]:
    """Decode ``data`` as UTF-8 without a BOM, or return the one error that prevents it."""
    if len(data) > MAX_FILE_BYTES:
        return "", [SpecError(None, None, None, _(
            "the file is larger than %(max)d bytes (64 KiB); a .tinyforge.yml must fit in "
            "%(max)d bytes"
        ) % {"max": MAX_FILE_BYTES})]
    if data.startswith(_UTF16_BOMS):
        return "", [SpecError(None, 1, 1, _(
            "the file starts with a UTF-16 or UTF-32 byte order mark; save it as UTF-8"
        ))]
    data = data.removeprefix(_UTF8_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start].decode("utf-8")
        line, column = _line_and_column(prefix, len(prefix))
        return "", [SpecError(None, line, column, _(
            "the file is not valid UTF-8: byte 0x%(byte)02X cannot be decoded; save the file "
            "as UTF-8"
        ) % {"byte": data[error.start]})]

    match = _NOT_PRINTABLE.search(text)
    if match:
        line, column = _line_and_column(text, match.start())
        return "", [SpecError(None, line, column, _(
            "the file contains the control character U+%(code)04X, which YAML does not "
            "allow; remove it"
        ) % {"code": ord(match.group())})]

    match = _AMBIGUOUS.search(text)
    if match:
        line, column = _line_and_column(text, match.start())
        if match.group() == "\ufeff":
            message = _(
                "the file contains a byte order mark (U+FEFF) after its start, which YAML "
                "tools treat differently; remove it"
            )
        else:
            message = _(
                "the file contains U+%(code)04X, which YAML 1.1 tools read as a line break and "
                "YAML 1.2 tools do not; end lines with a plain line break (\\n) instead"
            ) % {"code": ord(match.group())}
        return "", [SpecError(None, line, column, message)]
    return text, []


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line_start = 0
    line = 1
    for line_break in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        line_start = line_break.end()
    return line, index - line_start + 1


def _is_null(node: Node | None) -> bool:
    return isinstance(node, Scalar) and node.plain and node.tag is None and (
        resolve_plain(node.text)[0] is NULL
    )


@cache
def _root_tree() -> dict:
    return {"version": _VERSION, "deploy": deploy_tree()}


def _tree_paths(tree: dict, prefix: str = "") -> Iterator[str]:
    for key, expected in tree.items():
        yield prefix + key
        if isinstance(expected, dict):
            yield from _tree_paths(expected, f"{prefix}{key}.")


@cache
def _path_by_key() -> dict[str, str]:
    """Map each known key to the first dotted path where it belongs, for misplaced keys."""
    paths: dict[str, str] = {}
    for path in _tree_paths(_root_tree()):
        paths.setdefault(path.rsplit(".", 1)[-1], path)
    return paths


class _SpecChecker:
    """Walk the node tree against the known keys, collecting values, positions and errors."""

    def __init__(self) -> None:
        self.errors: list[SpecError] = []
        self.positions: dict[str, tuple[int, int]] = {}

    def error(self, path: str | None, node: Node, message: str) -> None:
        self.errors.append(SpecError(path, node.line, node.column, message))

    def check_root(self, root: Node) -> tuple[object, dict]:
        if not isinstance(root, Mapping):
            self.error(None, root, _(
                "the top level must be a mapping with the keys 'version' and 'deploy', "
                "got %(what)s"
            ) % {"what": _describe_node(root)})
            return None, {}
        if not self._check_markers(root, None):
            return None, {}

        values = self._check_mapping(root, "", _root_tree())
        if "version" not in self.positions:
            self.error("version", root, _("is required; start the file with 'version: 1'"))
        return values.get("version"), values.get("deploy", {})

    def _check_mapping(self, node: Mapping, prefix: str, tree: dict) -> dict:
        values: dict = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.pairs:
            key = self._key(key_node, prefix)
            if key is None:
                continue
            path = prefix + key
            if key in first_lines:
                self.error(path, key_node, _(
                    "duplicate key %(key)s: it is already set on line %(line)d; keep one of them"
                ) % {"key": describe(key), "line": first_lines[key]})
                continue
            first_lines[key] = key_node.line
            if key not in tree:
                self._unknown_key(key_node, key, path, tree)
                continue

            self.positions[path] = (key_node.line, key_node.column)
            value = self._check_value(value_node, path, tree[key])
            if value is not _INVALID:
                values[key] = value
        return values

    def _key(self, node: Node, prefix: str) -> str | None:
        """Return the text of a key node, or None after reporting why it is not a valid key."""
        parent = prefix.rstrip(".") or None
        if not self._check_markers(node, parent):
            return None
        if isinstance(node, Scalar) and node.plain and node.text == "<<":
            self.error(parent, node, _(
                "merge keys ('<<') are not allowed; write the keys out in full"
            ))
            return None
        if not isinstance(node, Scalar) or (
            node.plain and not isinstance(resolve_plain(node.text)[0], str)
        ):
            self.error(parent, node, _(
                "keys must be strings, got %(what)s; use one of the field names"
            ) % {"what": _describe_node(node)})
            return None
        return node.text

    def _unknown_key(self, node: Node, key: str, path: str, tree: dict) -> None:
        if key in RESERVED_KEYS:
            self.error(path, node, _(
                "%(key)s is not part of .tinyforge.yml version 1: %(what)s are managed in "
                "Tinyforge, not in the repository; remove the key"
            ) % {"key": describe(key), "what": _(RESERVED_KEYS[key])})
            return

        elsewhere = _path_by_key().get(key)
        if elsewhere is not None:
            self.error(path, node, _(
                "unknown key %(key)s at this level; it belongs at %(path)s"
            ) % {"key": describe(key), "path": describe(elsewhere)})
            return

        matches = difflib.get_close_matches(key, list(tree), n=1)
        if matches:
            self.error(path, node, _("unknown key %(key)s; did you mean %(match)s?") % {
                "key": describe(key), "match": describe(matches[0]),
            })
        else:
            self.error(path, node, _("unknown key %(key)s; the keys allowed here are %(keys)s") % {
                "key": describe(key), "keys": ", ".join(tree),
            })

    def _check_markers(self, node: Node, path: str | None) -> bool:
        """Report aliases, tags and anchors on ``node``; return False if its value is unusable."""
        if isinstance(node, Alias):
            self.error(path, node, _(
                "aliases such as *%(name)s are not allowed; write the value out in full"
            ) % {"name": node.name})
            return False
        if node.tag is not None:
            self.error(path, node, _(
                "explicit tags such as %(tag)s are not allowed; remove the tag"
            ) % {"tag": _short_tag(node.tag)})
            return False
        if node.anchor is not None:
            self.error(path, node, _(
                "anchors such as &%(name)s are not allowed; remove the anchor"
            ) % {"name": node.anchor})
        return True

    def _check_value(self, node: Node, path: str, expected: object) -> object:
        if not self._check_markers(node, path):
            return _INVALID
        if expected is _VERSION:
            return self._check_version(node, path)
        if isinstance(expected, dict):
            return self._check_container(node, path, expected)
        return self._check_leaf(node, path, expected)

    def _check_version(self, node: Node, path: str) -> object:
        value: object = None
        if isinstance(node, Scalar):
            value, problem = resolve_plain(node.text) if node.plain else (node.text, None)
            if problem:
                self.error(path, node, problem)
                return _INVALID
        if is_integer(value) and value == SUPPORTED_VERSION:
            return value
        self.error(path, node, _(
            "must be the integer 1, got %(what)s; this Tinyforge understands version 1"
        ) % {"what": _describe_node(node)})
        return _INVALID

    def _check_container(self, node: Node, path: str, tree: dict) -> object:
        if _is_null(node):
            self.error(path, node, _null_message())
            return _INVALID
        if not isinstance(node, Mapping):
            self.error(path, node, _("must be a mapping of keys such as %(keys)s, got %(what)s") % {
                "keys": ", ".join(tree), "what": _describe_node(node),
            })
            return _INVALID
        return self._check_mapping(node, f"{path}.", tree)

    def _check_leaf(self, node: Node, path: str, config_field: ConfigField) -> object:
        if not isinstance(node, Scalar):
            self.error(path, node, _("must be %(expected)s, got %(what)s") % {
                "expected": config_field.expectation(), "what": _describe_node(node),
            })
            return _INVALID

        value = self._scalar_value(node, path, expects_string=config_field.kind == "string")
        if value is _INVALID:
            return _INVALID
        message = config_field.check(value)
        if message is not None:
            self.error(path, node, message)
            return _INVALID
        return value

    def _scalar_value(self, node: Scalar, path: str, expects_string: bool) -> object:
        if not node.plain:
            return node.text
        if expects_string and node.text.lower() in YAML11_BOOLEAN_WORDS:
            self.error(path, node, _(
                "%(value)s is read as a boolean by some YAML tools; quote it (\"%(value)s\") "
                "if you mean the string"
            ) % {"value": node.text})
            return _INVALID

        value, problem = resolve_plain(node.text)
        if problem:
            self.error(path, node, problem)
            return _INVALID
        if value is NULL:
            self.error(path, node, _null_message())
            return _INVALID
        return value


def _null_message() -> str:
    return _("is null or empty; omit the key to leave the field unmanaged")


def _describe_node(node: Node) -> str:
    """Name a node's type or value for a message: a mapping, a list, null, 8080, 'text'."""
    if isinstance(node, Mapping):
        return _("a mapping")
    if isinstance(node, Sequence):
        return _("a list")
    if isinstance(node, Alias):
        return _("an alias")
    if not node.plain:
        return describe(node.text)
    value = resolve_plain(node.text)[0]
    return "null" if value is NULL else describe(value)


def _short_tag(tag: str) -> str:
    """Write a tag as the file spells it: ``!!str`` rather than ``tag:yaml.org,2002:str``."""
    return tag.replace("tag:yaml.org,2002:", "!!", 1)
