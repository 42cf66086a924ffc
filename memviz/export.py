"""Figures to files for lecture notes: PNG, SVG, PDF and CSV, offline, with no browser.

Plotly renders to images only through a browser (kaleido + chromium). memviz's plotly figures
use a small vocabulary (heatmaps, lines, markers, bars, rules, stacked or side-by-side panels),
so `to_vegalite` translates them to Vega-Lite, which `vl_convert` renders without a browser;
altair charts go to vl_convert directly. A figure outside that vocabulary raises
ExportUnsupported with the reason, which the page shows on the button.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from memviz import fonts
from memviz.i18n import current, t, using
from memviz.vegalite import ExportUnsupported, to_vegalite, unsupported_reason

__all__ = ["FORMATS", "MIME", "Deferred", "ExportFailed", "ExportUnsupported", "lecture_pack",
           "render", "resolve", "tex_document", "unsupported_reason", "MissingFont", "check_font"]

FORMATS = ("png", "svg", "pdf", "csv")
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "csv": "text/csv", "zip": "application/zip", "tex": "text/x-tex",
        "json": "application/json"}
log = logging.getLogger(__name__)
CJK_PACKAGE = "fonts-noto-cjk"  # Debian's CJK fonts, named in the message when none is found
PRINT_SCALE = 3  # PNG pixels per point for print (~220 dpi at the default width)


class Deferred:
    """A figure built only when a file is asked for: views drawn in the browser (the stepper)
    offer their figure form for export only, and building it on every page run cost the server
    more than anything else on a crowded page. Built once, in the language it was offered in."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build, self._lang, self._fig = build, current(), None
        self._lock = threading.Lock()

    @property
    def figure(self) -> Any:
        with self._lock:
            if self._fig is None:
                with using(self._lang):
                    self._fig = self._build()
            return self._fig


def resolve(fig: Any) -> Any:
    """The figure itself (a Deferred one built now)."""
    return fig.figure if isinstance(fig, Deferred) else fig


# A spreadsheet runs a cell that starts with one of these (=1+2, +cmd, -2+3, @SUM(...), and a
# tab or carriage return before any of them), so a column named like a formula in an uploaded
# CSV would run on the teacher's machine when the exported CSV is opened (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ...but a cell that is a plain number (-1.5, +3, -2e-05) is data and must stay a number
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)", re.ASCII)


def csv_cell(value: Any) -> Any:
    """One CSV cell that no spreadsheet will run: text starting with a formula character gets a
    leading apostrophe (shown as text, the usual defence); numbers and number-like text as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(
            value):
        return "'" + value
    return value


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """The one CSV writer: a header and rows as CSV text, every cell through csv_cell (every
    CSV memviz writes, figure data and command-line files alike, comes from here)."""
    # csv quotes a cell only for the characters of its line terminator: with "\n" alone, a cell
    # holding a CR went out unquoted, and a spreadsheet started a new row (and a formula) there
    buf, lines = io.StringIO(), []
    w = csv.writer(buf, lineterminator="\r\n")
    for row in itertools.chain([header], rows):
        buf.seek(0)
        buf.truncate()
        w.writerow([csv_cell(c) for c in row])
        lines.append(buf.getvalue()[:-2])  # rows end in "\n", as they always have
    return "\n".join(lines) + "\n"


def rows_to_csv(rows: list[dict]) -> bytes:
    """Long-format rows (one per point or cell) -> CSV bytes; columns in first-seen order, named
    as the figure names them (panel, series, field, the axis titles, value)."""
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    return csv_text(cols, ([r.get(c, "") for c in cols] for r in rows)).encode()


def _altair_rows(chart) -> list[dict]:
    """The data behind an altair chart: its own table, or its first layer's that has one."""
    data = getattr(chart, "data", None)
    if hasattr(data, "to_dict"):
        return data.to_dict("records")
    for sub in getattr(chart, "layer", None) or ():
        rows = _altair_rows(sub)
        if rows:
            return rows
    return []


def _spec_and_rows(fig) -> tuple[dict, list[dict]]:
    if hasattr(fig, "to_dict") and type(fig).__module__.startswith("altair"):
        return fig.to_dict(), _altair_rows(fig)
    return to_vegalite(fig)


class MissingFont(ExportUnsupported):
    """The figure has Chinese text and this machine has no CJK font to draw it with."""


def check_font() -> None:
    """MissingFont now, before long work, if the current language is written in Chinese
    characters and no CJK font is installed to draw them."""
    if fonts.has_cjk(t("export.no_data")) and fonts.cjk_family() is None:
        raise MissingFont(t("export.missing_font", package=CJK_PACKAGE))


def _with_cjk_font(spec: dict) -> dict:
    """The spec drawn in an installed CJK font when it holds Chinese text (boxes otherwise)."""
    if not fonts.has_cjk(json.dumps(spec, ensure_ascii=False)):
        return spec
    family = fonts.cjk_family()
    if family is None:
        raise MissingFont(t("export.missing_font", package=CJK_PACKAGE))
    config = {**spec.get("config", {}), "font": family}
    return {**spec, "config": config}


class ExportFailed(RuntimeError):
    """Writing a figure failed for a reason inside memviz (a bug, not the figure's kind); the
    message is one translated line for the reader, the error itself goes to the log."""


def render(fig, fmt: str, scale: float = PRINT_SCALE) -> bytes:
    """One figure (plotly or altair) as PNG, SVG, PDF or CSV bytes. Raises ExportUnsupported
    (why, translated) or ExportFailed (a translated line), never a raw error: its text would
    reach a lecture pack or a page."""
    if fmt not in FORMATS:
        raise ExportUnsupported(t("export.unknown_format", fmt=repr(fmt),
                                  formats=", ".join(FORMATS)))
    try:
        return _render(fig, fmt, scale)
    except ExportUnsupported:
        raise
    except Exception as e:
        log.exception("export of a %s figure as %s failed", type(fig).__name__, fmt)
        raise ExportFailed(t("export.failed", fmt=fmt.upper())) from e


def _render(fig, fmt: str, scale: float) -> bytes:
    import vl_convert as vlc

    spec, rows = _spec_and_rows(resolve(fig))
    if fmt == "csv":
        if not rows:
            raise ExportUnsupported(t("export.no_data"))
        return rows_to_csv(rows)
    spec = _with_cjk_font(spec)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode()
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=scale)
    return vlc.vegalite_to_pdf(spec)


_TEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#",
                "$": r"\$", "{": r"\{", "}": r"\}"}


def _plain(text: str) -> str:
    """Prose made safe for LaTeX (the characters that would break it, escaped in one pass)."""
    return re.sub(r"[\\&%_#${}]", lambda m: _TEX_ESCAPES[m.group()], text)


LATIN_PREAMBLE = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                  "\\usepackage[T1]{fontenc}\n")
# Chinese text needs a CJK-aware engine: ctex with xelatex (TeX Live's ctex package)
CJK_PREAMBLE = ("% xelatex equations.tex (ctex)\n\\documentclass[UTF8]{ctexart}\n"
                "\\usepackage{amsmath,amssymb}\n")


def tex_document(equations: Iterable[str], title: str, note: str | None = None) -> str:
    """A standalone LaTeX document with one display equation per entry (after an optional
    sentence saying what the numbers in them are); with Chinese text, a ctex document."""
    equations = list(equations)
    body = "\n".join(rf"\[ {eq} \]" for eq in equations)
    lead = _plain(note) + "\n\n" if note else ""
    cjk = fonts.has_cjk("".join([title, note or "", *equations]))
    return ((CJK_PREAMBLE if cjk else LATIN_PREAMBLE) + "\\begin{document}\n\\section*{"
            + _plain(title) + "}\n" + lead + body + "\n\\end{document}\n")


def view_note(config: Mapping | None) -> str | None:
    """'The numbers in these equations are for time step 3 and unit 1.' from a pack's config."""
    view = (config or {}).get("view") or {}
    if "t" not in view:
        return None
    return t("export.view_note", t=view["t"], unit=view.get("unit", 0))


def readme(title: str, has_config: bool, files: Iterable[str] = (),
           command: str | None = None) -> str:
    """The pack's README.txt: what each file is and how to use it, in the current language.
    `files`: the pack's own data files (an uploaded model's weights and input), which with
    config.json rebuild the figures by `command` instead of `export`."""
    files = list(files)
    listed = [("figures/", "export.readme.figures"), ("equations.tex", "export.readme.equations")]
    listed += [("config.json", "export.readme.config")] if has_config else []
    parts = [t("export.readme.head", title=title),
             *(f"{name}  {t(key)}" for name, key in listed),
             *([f"{', '.join(files)}  {t('export.readme.files')}"] if files else []),
             f"MISSING.txt  {t('export.readme.missing')}"]
    if command is not None:
        parts.append(t("export.readme.rebuild", command=command))
    elif has_config:
        command = ("python -m memviz export --config config.json --out figures "
                   f"--lang {current()}")
        parts.append(t("export.readme.regenerate", command=command))
    return "\n\n".join(parts) + "\n"


def lecture_pack(figures: Mapping[str, Any], equations: Iterable[str], config: Mapping | None,
                 title: str, files: Mapping[str, bytes] | None = None,
                 command: str | None = None) -> bytes:
    """A zip: every figure as SVG, PDF, PNG (print resolution) and CSV, the equations as a
    standalone .tex, config.json and a README.txt, in the current language. A format a figure
    cannot be written in is listed in MISSING.txt instead of failing the pack. `files` (name ->
    bytes) go in as they are, and README.txt gives `command` to rebuild the figures from them."""
    buf, missing = io.BytesIO(), []
    files = dict(files or {})
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, fig in figures.items():
            for fmt in ("svg", "pdf", "png", "csv"):
                try:
                    z.writestr(f"figures/{name}.{fmt}", render(fig, fmt))
                except (ExportUnsupported, ExportFailed) as e:  # one figure must not lose
                    missing.append(f"{name}.{fmt}: {e}")  # the whole pack; e is translated
        z.writestr("equations.tex", tex_document(list(equations), title, view_note(config)))
        if config is not None:
            z.writestr("config.json", json.dumps(config, indent=2))
        for name, data in files.items():
            z.writestr(name, data)
        if missing:
            z.writestr("MISSING.txt", "\n".join(missing) + "\n")
        z.writestr("README.txt", readme(title, config is not None, files, command))
    return buf.getvalue()
