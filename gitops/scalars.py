"""Strict resolution of plain (unquoted) YAML scalars.

YAML 1.1 (PyYAML's default) and YAML 1.2 read some plain scalars differently:
``010`` is 8 or 10, ``1:30`` is 90 or a string, ``off`` is false or a string.
A ``.tinyforge.yml`` must mean the same thing to every tool, so only forms
that both versions read alike are accepted:

- null: empty, ``~``, ``null``, ``Null``, ``NULL``;
- booleans: ``true``, ``false`` in lower, title or upper case;
- integers: ``-?(0|[1-9][0-9]*)``;
- floats: the same followed by a point and at least one digit, such as ``0.5``.

Any other form that either version reads as a number is rejected with a
message naming the form. Everything else is a string. Quoted and block
scalars are always strings and never come here.
"""

import math
import re

from django.utils.translation import gettext as _


class _Null:
    """The resolved value of a plain null scalar, kept apart from ``None``."""

    def __repr__(self) -> str:
        return "null"


NULL = _Null()

NULL_FORMS = frozenset({"", "~", "null", "Null", "NULL"})
BOOLEAN_FORMS = {
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
}
# Every null, boolean and number form starts with one of these characters.
_SPECIAL_FIRST_CHARACTERS = frozenset("0123456789+-.~nNtTfF")
# Plain words that a YAML 1.1 parser reads as booleans, compared in lower case.
YAML11_BOOLEAN_WORDS = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false"})

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")

_INFINITY_OR_NAN = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_PREFIXED_INTEGER = re.compile(
    r"[-+]?0(?:x_*[0-9a-fA-F][0-9a-fA-F_]*|o_*[0-7][0-7_]*|b_*[01][01_]*)"
)
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_UNDERSCORED = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+(?:\.[0-9]*)?")
_EXPONENT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")
_BARE_POINT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.)")


def resolve_plain(text: str) -> tuple[object, str | None]:
    """Resolve a plain scalar's text into ``(value, problem)``.

    ``value`` is a str, int, float, bool or :data:`NULL`. ``problem`` is a
    message when the text is a number form that YAML versions read
    differently; ``value`` is then the text itself.
    """
    if text and text[0] not in _SPECIAL_FIRST_CHARACTERS:
        return text, None
    if text in NULL_FORMS:
        return NULL, None
    if text in BOOLEAN_FORMS:
        return BOOLEAN_FORMS[text], None
    if _INTEGER.fullmatch(text):
        return _to_integer(text)
    if _FLOAT.fullmatch(text):
        return _to_float(text)
    return text, ambiguous_number_problem(text)


def _to_integer(text: str) -> tuple[object, str | None]:
    try:
        return int(text), None
    except ValueError:
        # Python raises ValueError for more than 4300 digits.
        return text, _("%(value)s is too large to be a number") % {"value": _shorten(text)}


def _to_float(text: str) -> tuple[object, str | None]:
    value = float(text)
    if not math.isfinite(value):
        return text, _("%(value)s is too large to be a number") % {"value": _shorten(text)}
    return value, None


def ambiguous_number_problem(text: str) -> str | None:
    """Return why ``text`` is rejected as a number form, or None when it is a plain string."""
    values = {"value": _shorten(text)}
    if _INFINITY_OR_NAN.fullmatch(text):
        return _(
            "%(value)s is not a finite number; infinity and NaN are not allowed, so write a "
            "number such as 0.5"
        ) % values
    if _PREFIXED_INTEGER.fullmatch(text):
        values["decimal"] = _decimal_of_prefixed(text)
        return _(
            "%(value)s is a hexadecimal, octal or binary number, which YAML versions read "
            "differently; write it in decimal as %(decimal)s"
        ) % values
    if _SEXAGESIMAL.fullmatch(text):
        return _(
            "%(value)s is a base-60 number to YAML 1.1 tools and a string to YAML 1.2 tools; "
            "write a plain decimal number, or quote the value if you mean a string"
        ) % values
    if _UNDERSCORED.fullmatch(text) and "_" in text:
        values["digits"] = _shorten(text.replace("_", ""))
        return _(
            "%(value)s uses '_' between digits, which YAML versions read differently; "
            "write %(digits)s"
        ) % values
    if _LEADING_ZERO.fullmatch(text):
        values["digits"] = _shorten(re.sub(r"^([-+]?)0+(?=[0-9])", r"\1", text))
        return _(
            "%(value)s starts with a zero, which YAML 1.1 reads as an octal number; write "
            "%(digits)s"
        ) % values
    if _EXPONENT.fullmatch(text):
        return _(
            "%(value)s uses exponent notation, which YAML versions read differently; write "
            "the number without an exponent, such as 1000 for 1e3"
        ) % values
    if _BARE_POINT.fullmatch(text):
        values["digits"] = _shorten(text + "0" if text.endswith(".") else text.replace(".", "0."))
        return _(
            "%(value)s needs digits on both sides of the decimal point; write %(digits)s"
        ) % values
    if text.startswith("+") and (_INTEGER.fullmatch(text[1:]) or _FLOAT.fullmatch(text[1:])):
        values["unsigned"] = _shorten(text[1:])
        return _("%(value)s has a '+' sign; write %(unsigned)s") % values
    return None


def _decimal_of_prefixed(text: str) -> str:
    sign = -1 if text.startswith("-") else 1
    number = sign * int(text.lstrip("+-").replace("_", ""), 0)
    try:
        return _shorten(str(number))
    except ValueError:
        # Python raises ValueError when writing more than 4300 decimal digits.
        return "..."


def _shorten(text: str) -> str:
    return text if len(text) <= 20 else text[:17] + "..."
