"""The one validator: every setting, from a widget, a link, a config.json or the command line.

Exact types (True is not 1, 20.5 and "20" are not whole numbers), bounds, choices, no
duplicates; parse() reads the same setting from text (a URL's query string). A bad value raises
ConfigError with a sentence a student can act on.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any


class ConfigError(ValueError):
    """A setting is of the wrong kind, out of its allowed range, unknown or unreadable."""


def _shown(value: Any) -> str:
    """A value as a student would recognise it in an error message."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "nothing (null)"}[value]
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, dict | list | tuple):
        return f"a {'list' if not isinstance(value, dict) else 'group of settings'}"
    return repr(value)


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
            hint = f" (write {value} without quotes)" if isinstance(value, str) and \
                value.strip().lstrip("+-").isdigit() else ""
            raise ConfigError(f"{self.label} must be a whole number, got {_shown(value)}{hint}")
        if not self.lo <= value <= self.hi:
            raise ConfigError(f"{self.label} must be between {self.lo} and {self.hi}, "
                              f"got {value}")
        if (value - self.lo) % self.step:
            raise ConfigError(f"{self.label} must be {self.lo} plus a multiple of {self.step}, "
                              f"got {value}")
        return value

    def parse(self, text: str) -> int:
        """The setting from a link's text."""
        t = text.strip()
        if not re.fullmatch(r"[+-]?\d{1,12}", t):
            raise ConfigError(f"{self.label} must be a whole number, got {_shown(text)}")
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
            raise ConfigError(f"{self.label} must be a number, got {_shown(value)}")
        if not self.lo <= value <= self.hi:
            raise ConfigError(f"{self.label} must be between {self.lo:g} and {self.hi:g}, "
                              f"got {value:g}")
        return value

    def parse(self, text: str) -> float:
        """The setting from a link's text."""
        try:
            return self.check(float(text))
        except ValueError:
            raise ConfigError(f"{self.label} must be a number, got {_shown(text)}") from None


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
            raise ConfigError(f"{self.label} must be one of "
                              f"{', '.join(map(str, self.choices))}; got {_shown(value)}")
        return value

    def parse(self, text: str) -> Any:
        """The setting from a link's text."""
        kind = type(self.choices[0])
        try:
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
            raise ConfigError(f"{self.label} must be true or false, got {_shown(value)}")
        return value

    def parse(self, text: str) -> bool:
        """The setting from a link's text."""
        words = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
        if text.strip().lower() not in words:
            raise ConfigError(f"{self.label} must be true or false, got {_shown(text)}")
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
            raise ConfigError(f"{self.label} must be a list, got {_shown(value)}")
        if not self.lo <= len(value) <= self.hi:
            raise ConfigError(f"give between {self.lo} and {self.hi} {self.label}, "
                              f"got {len(value)}")
        for v in value:
            self.item.check(v)
        twice = sorted({str(v) for v in value if list(value).count(v) > 1})
        if twice:
            raise ConfigError(f"{self.label}: {', '.join(twice)} listed more than once; "
                              "give each once")
        return tuple(value)

    def parse(self, text: str) -> tuple:
        """The setting from a link's comma-separated text."""
        return self.check([self.item.parse(v) for v in text.split(",") if v.strip()])


Spec = Int | Float | Choice | Flag | Many


def check_range(name: str, value: Any, bounds: tuple[float, float]) -> None:
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
        raise ConfigError(f"{what} is {len(data):,} bytes; a config is at most "
                          f"{MAX_CONFIG_BYTES:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{what} is not UTF-8 text (byte {e.start} cannot be read)") from None
    if _depth(text) > MAX_DEPTH:
        raise ConfigError(f"{what} nests more than {MAX_DEPTH} levels deep; a config nests 3")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise ConfigError(f"{what} is not valid JSON: {str(e)[:120]}") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a config can hold")


def check_keys(where: str, d: Any, known: tuple[str, ...]) -> dict:
    """d as a dict whose keys are all in `known`, or ConfigError naming the stray one."""
    if not isinstance(d, dict):
        raise ConfigError(f"{where} must be a group of settings {{...}}, got {_shown(d)}")
    unknown = [k for k in d if k not in known]
    if unknown:
        raise ConfigError(f"{where} has an unknown setting {str(unknown[0])[:40]!r}; "
                          f"known: {', '.join(known)}")
    return d
