"""Two languages through one mechanism: message catalogues and the language of the current work.

Every string a user reads lives in `memviz/locales/*.toml`, one file per page or panel, each key
with its English and its Chinese side by side (so a reviewer reads both at once and a test can
find a missing one). `t("common.lecturer_mode")` returns the text in the current language,
which the UI sets per script run (`use`) and the command line from `--lang`. A context
variable, not a global, so two students' sessions on one server never see each other's language.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LANGS = ("en", "zh")
NAMES = {"en": "English", "zh": "中文"}
LOCALES = Path(__file__).parent / "locales"
_current: ContextVar[str] = ContextVar("memviz_lang", default="en")


class MissingMessage(KeyError):
    """A key that no catalogue defines (a typo in code, or a catalogue entry not yet written)."""


def check_lang(lang: str) -> str:
    """`lang` if it is one of LANGS, else ValueError with the choices."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang


def use(lang: str) -> None:
    """Make `lang` the language of the work that follows in this context (thread, script run)."""
    _current.set(check_lang(lang))


def current() -> str:
    """The language of the current context: 'en' or 'zh'."""
    return _current.get()


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Run a block in `lang`, then restore the language before it (CLI exports, tests)."""
    token = _current.set(check_lang(lang))
    try:
        yield
    finally:
        _current.reset(token)


def from_locale(locale: str | None) -> str:
    """The app language for a browser locale such as 'zh-CN' or 'en-US' (English otherwise)."""
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def _flatten(prefix: str, table: dict, out: dict[str, dict[str, str]]) -> None:
    """A table holding en and zh (and perhaps a symbol) is one message; others nest."""
    if set(LANGS) <= set(table) and all(isinstance(v, str) for v in table.values()):
        out[prefix] = table
        return
    for name, value in table.items():
        if not isinstance(value, dict):
            raise ValueError(f"{prefix}.{name}: expected a table with en and zh, got {value!r}")
        _flatten(f"{prefix}.{name}", value, out)


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message: 'file.key' -> {'en': ..., 'zh': ...}, read once from memviz/locales."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES.glob("*.toml")):
        with path.open("rb") as f:
            _flatten(path.stem, tomllib.load(f), out)
    return out


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """The message `key` in `lang` (default: the current language), with {fields} filled in."""
    try:
        entry = catalogue()[key]
    except KeyError:
        raise MissingMessage(key) from None
    text = entry.get(lang or current()) or entry["en"]
    return text.format(**fields) if fields else text


# Tables read whole rather than key by key: the glossary (memviz.ui.lang lists every term) and
# the English-text lookups of memviz.specs (a setting's label, a JSON parser's message, found
# by their English words). Every other key is written out in full in the code that shows it
# (tests/test_i18n.py fails on a catalogue key that no code names).
TABLES = ("glossary.", "specs.label.", "specs.parser.")


def table(prefix: str) -> dict[str, dict[str, str]]:
    """The entries of a table read whole (one of TABLES): key -> {'en': ..., 'zh': ...}."""
    if prefix not in TABLES:
        raise ValueError(f"{prefix!r} is not a table read whole; write its keys out")
    return {k: e for k, e in catalogue().items() if k.startswith(prefix)}


def has(key: str) -> bool:
    """Whether a catalogue defines `key`."""
    return key in catalogue()


class Message:
    """A message rendered when it is read, in the reader's language: an error raised in one
    context (a training worker, a shared job) and shown in a session that speaks another.

    Fields are rendered with it, so a field may itself be a Message (or any object whose str()
    is language-aware, such as a setting's label). Picklable: it crosses to worker processes.
    """

    __slots__ = ("key", "fields")

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields

    def __str__(self) -> str:
        return t(self.key, **{k: v if isinstance(v, int | float) else str(v)
                              for k, v in self.fields.items()})

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {self.fields!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Message) and (self.key, self.fields) == (other.key, other.fields))

    def __hash__(self) -> int:
        return hash(self.key)

    def __reduce__(self):
        return (_message, (self.key, self.fields))


def _message(key: str, fields: dict) -> Message:
    return Message(key, **fields)


@functools.cache
def _by_english(prefix: str) -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    """English text -> its catalogue key, for the entries under `prefix`; and patterns for
    those with a {field} in them ("longest training length for {task}"), matched whole."""
    exact, patterns = {}, []
    for key, entry in table(prefix).items():
        en = entry["en"]
        if "{" not in en:
            exact[en] = key
            continue
        parts = re.split(r"\{(\w+)\}", en)  # text, field, text, field, ..., text
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                        for i, p in enumerate(parts))
        patterns.append((re.compile(regex), key))
    return exact, patterns


def by_english(prefix: str, text: str) -> str:
    """`text` in the current language if a catalogue entry under `prefix` says it in English."""
    exact, patterns = _by_english(prefix)
    if text in exact:
        return t(exact[text])
    for pattern, key in patterns:
        m = pattern.fullmatch(text)
        if m:
            return t(key, **m.groupdict())
    return text
