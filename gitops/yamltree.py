"""Build a node tree from PyYAML's parse events, without resolving anything.

``yaml.compose`` would follow aliases and recurse once per nesting level, so
this module consumes the event stream itself, in a loop:

- an alias becomes an :class:`Alias` node and is never followed, so an alias
  bomb costs one node per alias written in the file;
- anchors and tags are kept on the node for the caller to reject;
- nesting deeper than :data:`MAX_DEPTH` stops the parse with an error, so
  the recursive checks that walk the tree stay shallow. Flow collections
  (``[[[...``) are counted by the scanner, because its look-ahead would
  otherwise read up to 1024 characters of nesting at a cost that grows with
  the square of the depth.

The pure-Python parser (``yaml.SafeLoader``) is used even when libyaml is
installed, so results do not depend on it. libyaml's parser is about four
times faster but disagrees with PyYAML on some input. It accepts tabs as
separators after ':' and a '#' right after a block scalar indicator. It also
places an empty value at the start of the next line rather than after the ':'.
"""

from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

# A .tinyforge.yml nests three levels (root, deploy, resources); the margin
# leaves room for misplaced content that still gets a precise error.
MAX_DEPTH = 20

# A complete v1 file has about 20 nodes (keys, values and collections). The
# pure-Python parser takes about 30 microseconds a node, so this bound keeps
# a hostile file of many small keys to a few tens of milliseconds.
MAX_NODES = 2_000


@dataclass(eq=False)
class Node:
    """A YAML node with its 1-based position and any anchor or tag written on it."""

    line: int
    column: int
    anchor: str | None
    tag: str | None


@dataclass(eq=False)
class Scalar(Node):
    text: str = ""
    # None for a plain scalar, else the quote or block indicator: ', ", | or >.
    style: str | None = None

    @property
    def plain(self) -> bool:
        return self.style is None


@dataclass(eq=False)
class Mapping(Node):
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    pending_key: Node | None = None


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Alias(Node):
    # The anchor this alias refers to; the alias itself carries no anchor.
    name: str = ""


class _TooDeep(Exception):
    """Raised by the scanner at the first flow collection nested deeper than MAX_DEPTH."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__()
        self.mark = mark


class _DepthLimitedLoader(yaml.SafeLoader):
    def fetch_flow_collection_start(self, token_class: type) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(self.get_mark())
        super().fetch_flow_collection_start(token_class)


@dataclass(frozen=True)
class ParseFailure:
    """A problem that stops the parse or lies outside the first document."""

    line: int | None
    column: int | None
    message: str
    fatal: bool


def build_tree(text: str) -> tuple[Node | None, list[ParseFailure]]:
    """Parse ``text`` and return the root node of its first document and the failures.

    A fatal failure (a syntax error or too deep nesting) comes with a None root.
    A second document is a non-fatal failure: the first document is returned.
    """
    builder = _TreeBuilder()
    try:
        for event in yaml.parse(text, Loader=_DepthLimitedLoader):
            if not builder.add(event):
                break
    except yaml.MarkedYAMLError as error:
        return None, [_syntax_failure(error)]
    except _TooDeep as error:
        return None, [_too_deep(error.mark.line + 1, error.mark.column + 1)]
    if any(failure.fatal for failure in builder.failures):
        return None, builder.failures
    return builder.root, builder.failures


class _TreeBuilder:
    def __init__(self) -> None:
        self.root: Node | None = None
        self.failures: list[ParseFailure] = []
        self._open: list[Mapping | Sequence] = []
        self._documents = 0
        self._nodes = 0

    def add(self, event: yaml.Event) -> bool:
        """Add one event to the tree; return False to stop reading events."""
        if isinstance(event, yaml.DocumentStartEvent):
            return self._start_document(event)
        if isinstance(event, yaml.NodeEvent):
            self._nodes += 1
            if self._nodes > MAX_NODES:
                self.failures.append(ParseFailure(*_position(event), _(
                    "the file has more than %(max)d keys, values and lists; a .tinyforge.yml "
                    "declares at most a few fields, so remove the rest"
                ) % {"max": MAX_NODES}, fatal=False))
                # The nodes read so far stay in the tree, so their errors are reported too.
                return False
        if isinstance(event, yaml.ScalarEvent):
            self._attach(Scalar(
                *_position(event), event.anchor, event.tag, text=event.value, style=event.style,
            ))
        elif isinstance(event, yaml.AliasEvent):
            self._attach(Alias(*_position(event), anchor=None, tag=None, name=event.anchor))
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            return self._open_collection(event)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self._open.pop()
        return True

    def _start_document(self, event: yaml.DocumentStartEvent) -> bool:
        self._documents += 1
        if self._documents == 1:
            return True
        line, column = _position(event)
        self.failures.append(ParseFailure(line, column, _(
            "the file contains more than one YAML document; keep only the first and remove "
            "this '---' separator and everything after it"
        ), fatal=False))
        return False

    def _open_collection(self, event: yaml.CollectionStartEvent) -> bool:
        line, column = _position(event)
        if len(self._open) >= MAX_DEPTH:
            self.failures.append(_too_deep(line, column))
            return False
        if isinstance(event, yaml.MappingStartEvent):
            collection: Mapping | Sequence = Mapping(line, column, event.anchor, event.tag)
        else:
            collection = Sequence(line, column, event.anchor, event.tag)
        self._attach(collection)
        self._open.append(collection)
        return True

    def _attach(self, node: Node) -> None:
        if not self._open:
            self.root = node
            return
        parent = self._open[-1]
        if isinstance(parent, Sequence):
            parent.items.append(node)
        elif parent.pending_key is None:
            parent.pending_key = node
        else:
            parent.pairs.append((parent.pending_key, node))
            parent.pending_key = None


def _too_deep(line: int, column: int) -> ParseFailure:
    return ParseFailure(line, column, _(
        "the file nests mappings or lists more than %(max)d levels deep; a "
        ".tinyforge.yml needs three"
    ) % {"max": MAX_DEPTH}, fatal=True)


def _position(event: yaml.Event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _syntax_failure(error: yaml.MarkedYAMLError) -> ParseFailure:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    problem = error.problem or error.context or str(error)
    if "'\\t'" in problem:
        message = _("a tab character cannot be used here; indent YAML with spaces")
    else:
        message = _("invalid YAML: %(problem)s") % {"problem": problem}
    return ParseFailure(line, column, message, fatal=True)
