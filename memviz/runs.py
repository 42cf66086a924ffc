"""A bounded, thread-safe store of finished runs keyed by their frozen config.

Streamlit's own caches replay the elements a cached function draws, and refuse functions that
draw into containers made outside them, which a live progress bar must do. So the app keeps
trained runs here instead: one RunStore shared by every session (via st.cache_resource), keyed
by (what trained it, config). Two students asking for the same config at once train it once:
the second waits on the first's lock. Stored results are shared; callers must not mutate them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

R = TypeVar("R")


class RunStore:
    """LRU map (kind, config) -> result, computing each missing entry once."""

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, kind: str, cfg: Hashable) -> Any | None:
        """The stored result, or None."""
        with self._lock:
            key = (kind, cfg)
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def get_or_compute(self, kind: str, cfg: Hashable, compute: Callable[[], R]) -> R:
        """The stored result, or compute() once (other callers for the same key wait)."""
        key = (kind, cfg)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            found = self.get(kind, cfg)
            if found is not None:
                return found
            result = compute()  # an exception leaves nothing stored
            with self._lock:
                self._items[key] = result
                while len(self._items) > self.max_entries:
                    old, _ = self._items.popitem(last=False)
                    self._key_locks.pop(old, None)
            return result

    def __len__(self) -> int:
        return len(self._items)
