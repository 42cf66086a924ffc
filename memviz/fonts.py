"""Fonts for Chinese figure files: exports are drawn on this machine, not in the browser.

A browser shows Chinese with the reader's own fonts; vl-convert draws PNG/SVG/PDF with the fonts
installed here, and without a CJK font every Chinese character becomes a box. Debian's
`fonts-noto-cjk` provides one (CI installs it). `cjk_family` finds it once.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

PREFERRED = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def has_cjk(text: str) -> bool:
    """Whether `text` holds Chinese characters or full-width punctuation."""
    return bool(_CJK.search(text))


def cjk_share(text: str) -> float:
    """Share of CJK characters among the letters of `text` (digits, symbols, spaces ignored)."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(bool(_CJK.match(ch)) for ch in letters) / len(letters) if letters else 1.0


@functools.cache
def cjk_family() -> str | None:
    """The family name of an installed CJK font (preferring simplified Chinese), or None."""
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                             timeout=10).stdout
        families = {f.strip() for line in out.splitlines() for f in line.split(",")}
        for name in PREFERRED:
            if name in families:
                return name
        return sorted(families)[0] if families else None
    for root in FONT_DIRS:  # no fontconfig: look for the files themselves
        if root.is_dir() and any(root.rglob("*CJK*")):
            return PREFERRED[0]
    return None
