"""Removal of repository tokens from text that leaves the git layer.

Keeping tokens out of URLs, command lines and exceptions is the main
defence; redaction is the last line. A :class:`Redactor` replaces every form
in which this package sends a token. :class:`RedactingFilter`, installed on
the root log handler, applies the tokens of every live provider plus the
generic patterns below to each log record.
"""

import base64
import logging
import re
import threading
from collections import Counter, deque
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"

# User names this package sends with a token in HTTP basic authentication.
BASIC_AUTH_USERS = ("x-access-token",)

# Credentials that never depend on knowing the token: URL userinfo, token
# query parameters and the values of headers that carry credentials.
_USERINFO = re.compile(r"(?i)(//)[^/\s@?#]+@")
_TOKEN_QUERY = re.compile(r"(?i)\b((?:private_|access_)?token=)[^&\s#'\"]+")
_AUTH_HEADER = re.compile(
    r"(?i)\b(authorization|private-token|job-token)(\s*[:=]\s*)"
    r"(?:(bearer|token|basic)\s+)?[^\s,'\"]+"
)


def token_variants(token: str) -> set[str]:
    """Return each form in which ``token`` may appear in text: raw, URL-encoded, base64."""
    if not token:
        return set()
    variants = {token, quote(token, safe=""), quote(token), quote_plus(token)}
    for plain in (token, *(f"{user}:{token}" for user in BASIC_AUTH_USERS)):
        encoded = base64.b64encode(plain.encode("utf-8")).decode("ascii")
        variants.add(encoded)
        variants.add(encoded.rstrip("="))
    return variants


def redact_patterns(text: str) -> str:
    """Replace URL userinfo, token query values and credential header values."""
    text = _USERINFO.sub(rf"\1{REDACTED}@", text)
    text = _TOKEN_QUERY.sub(rf"\1{REDACTED}", text)
    return _AUTH_HEADER.sub(lambda match: f"{match[1]}{match[2]}{REDACTED}", text)


def _replace_all(text: str, variants) -> str:
    # Longest first, so a variant that contains another is replaced whole.
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, REDACTED)
    return text


class Redactor:
    """A callable that removes one token, in every form it is sent, from a string."""

    __slots__ = ("_variants",)

    def __init__(self, token: str = ""):
        self._variants = frozenset(token_variants(token))

    def __call__(self, text: str) -> str:
        return redact_patterns(_replace_all(str(text), self._variants))

    def __repr__(self) -> str:
        return "<Redactor>"


class _LiveTokens:
    """Process-wide set of the tokens held by live providers, counted per holder.

    ``discard`` runs from a garbage-collection finalizer, possibly while this
    thread holds the lock, so it only queues the token. The next ``add`` or
    ``redact`` applies the queue under the lock.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._variants: frozenset[str] = frozenset()
        self._discarded: deque[str] = deque()

    def add(self, token: str) -> None:
        if token:
            with self._lock:
                self._counts[token] += 1
                self._apply_discards()
                self._rebuild()

    def discard(self, token: str) -> None:
        if token:
            self._discarded.append(token)

    def _apply_discards(self) -> bool:
        changed = False
        while self._discarded:
            token = self._discarded.popleft()
            self._counts[token] -= 1
            if self._counts[token] <= 0:
                del self._counts[token]
            changed = True
        return changed

    def _rebuild(self) -> None:
        variants = set()
        for token in self._counts:
            variants |= token_variants(token)
        self._variants = frozenset(variants)

    def redact(self, text: str) -> str:
        if self._discarded:
            with self._lock:
                if self._apply_discards():
                    self._rebuild()
        return redact_patterns(_replace_all(text, self._variants))


live_tokens = _LiveTokens()


def redact_live(text: str) -> str:
    """Redact the tokens of every live provider, and the generic patterns, from ``text``."""
    return live_tokens.redact(str(text))


class RedactingFilter(logging.Filter):
    """Redact live tokens and credential patterns from a log record before it is written.

    The message is rendered with its arguments, redacted and stored back, and
    a traceback is rendered into ``exc_text`` and redacted, so the formatter
    never renders the original exception again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_live(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact_live(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_live(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_live(record.stack_info)
        for key, value in list(vars(record).items()):
            if isinstance(value, str) and key not in ("msg", "exc_text", "stack_info"):
                setattr(record, key, redact_live(value))
        return True
