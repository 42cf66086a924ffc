"""Uploaded files carried by value: a frozen config names an upload and holds its bytes.

`streamlit run app.py` trains in worker processes, which see nothing the server keeps in memory:
a config that named an upload kept in a server-side dict could never train there. So an Upload
*is* its name, "upload:<16 hex digits of sha256 over the bytes and how they are read>" (a str,
equal to and hashed as that name), and carries the bytes with it. A config's hash, its JSON
(store key, config.json, metrics.json) and its repr therefore hold the name only, while pickling
it to a worker sends the bytes, and the worker recomputes the name from what arrived. A link
never carries an upload: the pages' URL tables leave it out. A name read back from JSON or a
link is a plain str: equal to the Upload, but without bytes, so training it raises `gone`'s
message (in the reader's language) instead of finding some other file.
"""

from __future__ import annotations

import hashlib
import math
import weakref
from typing import Any

from memviz.config import ConfigError
from memviz.i18n import Message

PREFIX = "upload:"
# one object per live upload: every config and stored run naming it shares one copy of its bytes
_LIVE: weakref.WeakValueDictionary[str, Upload] = weakref.WeakValueDictionary()


class Upload(str):
    """An uploaded file's name that carries the file: `raw` bytes, and `how` they are read
    (e.g. a CSV's date column), both part of the name, so one name always means one content."""

    __slots__ = ("raw", "how", "__weakref__")
    raw: bytes
    how: tuple[tuple[str, Any], ...]

    def __new__(cls, raw: bytes, **how: Any) -> Upload:
        raw, key = bytes(raw), tuple(sorted(how.items()))
        digest = hashlib.sha256(repr(key).encode() + b"\0" + raw).hexdigest()[:16]
        name = PREFIX + digest
        live = _LIVE.get(name)
        if live is not None:
            return live
        self = super().__new__(cls, name)
        self.raw, self.how = raw, key
        _LIVE[name] = self
        return self

    def option(self, name: str, default: Any = None) -> Any:
        """How the bytes are read: one of the options the Upload was made with."""
        return dict(self.how).get(name, default)

    def __reduce__(self) -> tuple:
        # by value, and the receiver names it again from the bytes it got
        return (_upload, (self.raw, dict(self.how)))

    def __copy__(self) -> Upload:
        return self  # immutable: dataclasses.asdict / replace keep the bytes without copying

    def __deepcopy__(self, memo: dict) -> Upload:
        return self

    def __repr__(self) -> str:
        return f"Upload({str.__str__(self)!r}, {len(self.raw)} bytes)"


def _upload(raw: bytes, how: dict[str, Any]) -> Upload:
    return Upload(raw, **how)


def widget_mb(limit: int) -> int:
    """A byte budget as a file uploader's `max_upload_size`: whole MB of 2**20 bytes, rounded
    up. Each uploader declares its own, so the browser refuses a larger file before sending it
    whatever the server's cap (.streamlit/config.toml: the largest any page takes)."""
    return math.ceil(limit / 2**20)


def is_upload(name: str) -> bool:
    """Whether a data name names an upload (rather than a built-in data set)."""
    return isinstance(name, str) and name.startswith(PREFIX)


def carried(name: str, gone: str) -> Upload:
    """The Upload a config's name carries; ConfigError(Message(gone)) for a bare name (read back
    from JSON or a link), which has no bytes to train on."""
    if not isinstance(name, Upload):
        raise ConfigError(Message(gone))
    return name
