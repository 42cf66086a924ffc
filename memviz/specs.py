"""The one validator: every setting, from a widget, a link, a config.json or the command line.

Exact types (True is not 1, 20.5 and "20" are not whole numbers), bounds, choices, no
duplicates; parse() reads the same setting from text (a URL's query string). A bad value raises
ConfigError with a sentence a student can act on, in the reader's language: the message is an
i18n.Message, rendered when it is read, and a setting's label (English text such as "hidden
size", declared once at import) is translated then through the [label] table of
memviz/locales/specs.toml, found by its English words (or the label is a catalogue key itself).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from memviz import i18n
from memviz.i18n import Message


class ConfigError(ValueError):
    """A setting is of the wrong kind, out of its allowed range, unknown or unreadable."""


LABELS = "specs.label."  # catalogue keys of the settings' names
PARSER = "specs.parser."  # the JSON parser's messages, in Chinese too


def label_text(label: str | Message) -> str:
    """A setting's name in the current language: a catalogue key's message, a known English
    label's translation, else the label as given (a page may pass one already translated)."""
    if not isinstance(label, str):
        return str(label)
    if "." in label and " " not in label and i18n.has(label):
        return i18n.t(label)
    return i18n.by_english(LABELS, label)


class Label:
    """A label inside a Message: translated when the message is read."""

    __slots__ = ("text",)

    def __init__(self, text: str | Message) -> None:
        self.text = text

    def __str__(self) -> str:
        return label_text(self.text)


def _error(key: str, label: Any = None, **fields: Any) -> ConfigError:
    """ConfigError with the message `key`, its label translated when it is read."""
    if label is not None:
        fields["label"] = Label(label)
    return ConfigError(Message(key, **fields))


def _shown(value: Any) -> str | Message:
    """A value as a student would recognise it in an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return Message("specs.shown.null")
    if isinstance(value, str):
        return Message("specs.shown.text", text=repr(value[:40]))
    if isinstance(value, dict):
        return Message("specs.shown.group")
    if isinstance(value, list | tuple):
        return Message("specs.shown.list")
    return repr(value)


# A link's numbers in ASCII digits only, as a form would take them: Python's int() and float()
# also read other scripts' digits (int("２５６") == 256, float("٣") == 3.0) and underscores
# (float("1_0") == 10.0), so /text?seq_len=２５６ trained T=256.
_ASCII_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Int:
    """A whole number lo..hi (on a grid of `step` from lo, if step > 1)."""

    label: str
    lo: int
    hi: int
    step: int = 1

    def check(self, value: Any) -> int:
        """value itself, or ConfigError saying what was expected."""
        if not _is_int(value):
            hint = Message("specs.no_quotes", number=value) if isinstance(value, str) and \
                value.strip().lstrip("+-").isdigit() else ""
            raise _error("specs.whole", self.label, value=_shown(value), hint=hint)
        if not self.lo <= value <= self.hi:
            raise _error("specs.between", self.label, lo=str(self.lo), hi=str(self.hi),
                         value=str(value))
        if (value - self.lo) % self.step:
            raise _error("specs.grid", self.label, lo=str(self.lo), step=str(self.step),
                         value=str(value))
        return value

    def parse(self, text: str) -> int:
        """The setting from a link's text."""
        t = text.strip()
        if not re.fullmatch(r"[+-]?\d{1,12}", t, re.ASCII):
            raise _error("specs.whole", self.label, value=_shown(text), hint="")
        return self.check(int(t))


@dataclass(frozen=True)
class Float:
    """A finite number lo..hi (whole numbers allowed; true/false and text are not)."""

    label: str
    lo: float
    hi: float

    def check(self, value: Any) -> float:
        """value itself, or ConfigError saying what was expected."""
        if not (_is_int(value) or isinstance(value, float)) or not math.isfinite(value):
            raise _error("specs.number", self.label, value=_shown(value))
        if not self.lo <= value <= self.hi:
            raise _error("specs.between", self.label, lo=f"{self.lo:g}", hi=f"{self.hi:g}",
                         value=f"{value:g}")
        return value

    def parse(self, text: str) -> float:
        """The setting from a link's text."""
        if not _ASCII_NUMBER.fullmatch(text):  # also refuses nan, inf and 1_0
            raise _error("specs.number", self.label, value=_shown(text))
        return self.check(float(text))


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of values (names, or numbers such as the learning-rate menu)."""

    label: str
    choices: tuple

    def check(self, value: Any) -> Any:
        """value itself, or ConfigError listing the choices."""
        same_kind = type(value) is type(self.choices[0]) or (
            isinstance(self.choices[0], float) and _is_int(value))
        if not same_kind or value not in self.choices:
            raise _error("specs.one_of", self.label, choices=", ".join(map(str, self.choices)),
                         value=_shown(value))
        return value

    def parse(self, text: str) -> Any:
        """The setting from a link's text."""
        kind = type(self.choices[0])
        try:
            if kind is not str and not _ASCII_NUMBER.fullmatch(text):
                raise ValueError(text)  # a number in ASCII digits, or not one at all
            value = kind(text.strip()) if kind is not str else text.strip().lower()
        except ValueError:
            value = text
        return self.check(value)


@dataclass(frozen=True)
class Flag:
    """On or off: true/false (in a link also 1/0, yes/no)."""

    label: str

    def check(self, value: Any) -> bool:
        """value itself, or ConfigError."""
        if not isinstance(value, bool):
            raise _error("specs.flag", self.label, value=_shown(value))
        return value

    def parse(self, text: str) -> bool:
        """The setting from a link's text."""
        words = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
        if text.strip().lower() not in words:
            raise _error("specs.flag", self.label, value=_shown(text))
        return words[text.strip().lower()]


@dataclass(frozen=True)
class Many:
    """A list of distinct items, each checked by `item`, between lo and hi of them."""

    label: str
    item: Int | Choice
    lo: int = 1
    hi: int = 12

    def check(self, value: Any) -> tuple:
        """The items as a tuple, or ConfigError (wrong kind, too few or many, duplicates)."""
        if not isinstance(value, list | tuple):
            raise _error("specs.list", self.label, value=_shown(value))
        if not self.lo <= len(value) <= self.hi:
            raise _error("specs.count", self.label, lo=str(self.lo), hi=str(self.hi),
                         n=str(len(value)))
        for v in value:
            self.item.check(v)
        twice = sorted({str(v) for v in value if list(value).count(v) > 1})
        if twice:
            raise _error("specs.twice", self.label, items=", ".join(twice))
        return tuple(value)

    def parse(self, text: str) -> tuple:
        """The setting from a link's comma-separated text."""
        return self.check([self.item.parse(v) for v in text.split(",") if v.strip()])


Spec = Int | Float | Choice | Flag | Many


def check_range(name: str | Message, value: Any, bounds: tuple[float, float]) -> None:
    """Raise ConfigError unless value is a number of the bounds' kind and lo <= value <= hi."""
    lo, hi = bounds
    (Int(name, lo, hi) if _is_int(lo) and _is_int(hi) else Float(name, lo, hi)).check(value)


# ---------------------------------------------------------------- reading config files

MAX_CONFIG_BYTES = 1 << 20  # a config.json is about 1 KB; anything this big is not one
MAX_DEPTH = 16  # a config nests three levels; deep nesting would exhaust the parser's stack


def _depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, not counting brackets inside strings."""
    depth = deepest = 0
    in_str = escaped = False
    for ch in text:
        if in_str:
            escaped, in_str = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def load_json(data: bytes, what: str = "config") -> Any:
    """Parse a config file's bytes: size, UTF-8, nesting depth and syntax checked first."""
    if len(data) > MAX_CONFIG_BYTES:
        raise _error("specs.json.too_big", what=Label(what), size=f"{len(data):,}",
                     most=f"{MAX_CONFIG_BYTES:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _error("specs.json.not_utf8", what=Label(what), byte=str(e.start)) from None
    if _depth(text) > MAX_DEPTH:
        raise _error("specs.json.too_deep", what=Label(what), depth=str(MAX_DEPTH))
    try:
        return json.loads(text, parse_constant=_no_constant)
    except _Constant as e:
        error = Message("specs.json.constant", name=e.name)
    except json.JSONDecodeError as e:  # where the syntax breaks, in the parser's words
        error = Message("specs.json.syntax", detail=_Parser(e.msg[:80]), line=e.lineno,
                        column=e.colno, pos=e.pos)
    except (ValueError, RecursionError) as e:
        error = str(e)[:120]
    raise _error("specs.json.invalid", what=Label(what), error=error)


class _Parser(Label):
    """The JSON parser's message, translated when read if specs.toml knows it."""

    def __str__(self) -> str:
        return i18n.by_english(PARSER, str(self.text))


class _Constant(ValueError):
    """NaN or Infinity in a config: JSON that Python reads, but not a number a config holds."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _no_constant(name: str) -> None:
    raise _Constant(name)


def check_keys(where: str, d: Any, known: tuple[str, ...]) -> dict:
    """d as a dict whose keys are all in `known`, or ConfigError naming the stray one."""
    if not isinstance(d, dict):
        raise _error("specs.keys.not_group", where=Label(where), value=_shown(d))
    unknown = [k for k in d if k not in known]
    if unknown:
        raise _error("specs.keys.unknown", where=Label(where), name=repr(str(unknown[0])[:40]),
                     known=", ".join(known))
    return d
