"""Show figures, equations and prose the same way on every page.

One shared mechanism gives every page: export buttons under each figure (PNG, SVG, PDF, CSV,
made on click, offline), a registry of what the page showed for the lecture pack, and the
lecturer mode (no controls or prose, large type and thick lines for a projector).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from memviz import export, i18n, plotting
from memviz.ui.lang import t

PACK = "_memviz_pack"  # session_state: what the current page has shown
LECTURER = "lecturer_mode"


# Streamlit renders messages, captions, labels and tooltips as markdown: links, **bold**,
# `code`, $math$, ~strike~, :colour[...] and :emoji: shortcodes, &entities; and, at a line's
# start, headings, lists and quotes. A backslash makes such a character plain (CommonMark);
# other punctuation is left alone, so "2020-01-01, 1,000" reads the same in the page's text.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>$:~&])")
# a message may begin with the text: a bullet, a heading or a numbered item there ("> " is
# escaped everywhere, as HTML)
_LINE_START = re.compile(r"^(\s*\d{1,9}(?=[.)])|\s*(?=[-+#]))([-+#.)])(?=\s|$)")
# GFM's bare links (https://..., www...., a@b.c) and Streamlit's :material/icon: are found in
# the text after escapes are undone (seen in chromium: https\:\/\/evil\.example was still a
# link); an invisible word joiner (U+2060) before "://", after "www", before "@" and after a
# ":" that precedes a letter breaks their patterns.
_BARE_LINK = re.compile(r"(?<=[A-Za-z])(?=://)|(?<=www)(?=\.)|(?=@)|(?<=:)(?=[A-Za-z])",
                        re.IGNORECASE)


def literal(text: object) -> str:
    """User text (a file name, a column, a link's value, typed characters) for a message,
    caption or tooltip: shown as typed, never as a link, bold, code or math. One line."""
    text = _BARE_LINK.sub("\u2060", " ".join(str(text).splitlines()))
    text = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_START.sub(r"\1\\\2", text)


def lecturer() -> bool:
    """Whether the lecturer (projector) mode is on."""
    return bool(st.session_state.get(LECTURER, False))


def lecturer_from_url() -> None:
    """Turn the lecturer mode on for a link or reload carrying ?lecturer=1 (first run only)."""
    if LECTURER not in st.session_state and st.query_params.get("lecturer") == "1":
        st.session_state[LECTURER] = True


def begin_page(title: str, slug: str = "memviz") -> None:
    """Forget what the previous page showed (called by the router before each full run);
    `slug` (the page's URL path) names the lecture pack's file in either language."""
    st.session_state[PACK] = {"title": title, "slug": slug, "figures": {}, "equations": {},
                              "config": None, "files": {}, "command": None}


def _pack() -> dict:
    return st.session_state.setdefault(
        PACK, {"title": "memviz", "slug": "memviz", "figures": {}, "equations": {},
               "config": None, "files": {}, "command": None})


FAILED = "_memviz_export_failed"  # session_state: {figure key: why its last export failed}


def _session_failures() -> dict[str, str]:
    return st.session_state.setdefault(FAILED, {})


def exporter(fig, key: str, fmt: str, failures: dict[str, str]):
    """The file maker behind one download button: renders on click; a failure is written to
    `failures` (shown in red under the figure from the next run on) and re-raised, so the
    button itself says the download failed instead of doing nothing. The click is served
    outside the script run, so the language of the run that drew the button is kept."""
    lang = i18n.current()

    def make() -> bytes:
        try:
            with i18n.using(lang):
                data = export.render(fig, fmt)
        except export.ExportFailed as e:  # already a translated line naming the format
            failures[key] = str(e)
            raise
        except export.ExportUnsupported as e:  # why, translated
            failures[key] = f"{fmt.upper()}: {e}"
            raise
        failures.pop(key, None)
        return data
    return make


def _projector_chart(chart):
    """An altair chart with type, marks and height large enough for the back row."""
    try:
        big = chart.properties(height=int(1.4 * (chart.to_dict().get("height") or 260)))
    except Exception:  # concatenated charts size their parts, not themselves
        big = chart
    return (big.configure_axis(labelFontSize=18, titleFontSize=20)
            .configure_legend(labelFontSize=18, titleFontSize=18, symbolSize=200)
            .configure_title(fontSize=24).configure_text(fontSize=20)
            .configure_header(labelFontSize=18, titleFontSize=20))


def _export_menu(fig, key: str, label: str | None = None) -> None:
    """Download buttons whose files are made only when clicked (no cost on reruns; a Deferred
    figure is not even built until then, and says what it cannot do on the click)."""
    reason = None if isinstance(fig, export.Deferred) else export.unsupported_reason(fig)
    failures = _session_failures()
    if key in failures:
        st.error(t("show.export_failed", why=failures[key]))
    with st.popover(label or t("show.export"), icon=":material/download:"):
        for fmt in export.FORMATS:
            st.download_button(
                fmt.upper(), data=exporter(fig, key, fmt, failures),
                file_name=f"{key}.{fmt}", mime=export.MIME[fmt], key=f"{key}_dl_{fmt}",
                on_click="ignore", disabled=reason is not None,
                help=reason or t("show.download_as", fmt=fmt.upper()))


def plotly(fig, key: str, caption: str | None = None) -> None:
    """Draw a plotly figure with its export menu, and note it for the lecture pack."""
    _pack()["figures"][key] = fig
    if lecturer():  # the same figure assembled at projector size (memviz.plotting.figure)
        fig = plotting.projected(fig)
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "svg", "filename": key, "scale": 1}}
    # theme=None: our own template and fonts, so lecturer mode can enlarge them
    st.plotly_chart(fig, key=key, config=config, theme=None)
    if not lecturer():
        if caption:
            st.caption(caption)
        _export_menu(fig, key)


def export_only(build: Callable[[], Any], key: str, label: str) -> None:
    """Note a figure for the lecture pack and offer its export menu without drawing it (for
    views drawn in the browser, such as the stepper, whose figure form is for export): `build`
    makes it on the first click or pack, in this run's language."""
    fig = export.Deferred(build)
    _pack()["figures"][key] = fig
    if not lecturer():
        _export_menu(fig, key, label)


def note_figure(build: Callable[[], Any], key: str) -> None:
    """Note a figure for the lecture pack only (built on the pack's click, in this run's
    language): one a page does not draw, such as the layers of a model not on screen."""
    _pack()["figures"][key] = export.Deferred(build)


def note_equation(tex: str, key: str) -> None:
    """Note an equation for the lecture pack's .tex without drawing it."""
    _pack()["equations"][key] = tex


def altair(chart, key: str, caption: str | None = None, name: str | None = None) -> None:
    """Draw an altair chart with its export menu, and note it for the lecture pack (under
    `name` when one chart is redrawn under several element keys in one run)."""
    _pack()["figures"][name or key] = chart
    st.altair_chart(_projector_chart(chart) if lecturer() else chart, key=key)
    if not lecturer():
        if caption:
            st.caption(caption)
        _export_menu(chart, key)


def latex(tex: str, key: str | None = None) -> None:
    """Show an equation (KaTeX) and note it for the lecture pack's .tex file."""
    _pack()["equations"][key or tex] = tex
    st.latex(tex)


def prose(markdown: str) -> None:
    """Lesson text: shown to students, hidden in lecturer mode."""
    if not lecturer():
        st.markdown(markdown)


def caption(text: str) -> None:
    """A small explanatory line: shown to students, hidden in lecturer mode."""
    if not lecturer():
        st.caption(text)


def note_config(config: Any) -> None:
    """The settings that produced this page's figures (a dict or a config dataclass), for the
    lecture pack's config.json."""
    if dataclasses.is_dataclass(config):
        config = config.to_dict() if hasattr(config, "to_dict") else dataclasses.asdict(config)
    _pack()["config"] = json.loads(json.dumps(config, default=str))


def note_files(files: dict[str, bytes], command: str) -> None:
    """Files the lecture pack carries as they are (an uploaded model's weights and input, which
    a link cannot carry), and the command that rebuilds the figures from them offline."""
    pack = _pack()
    pack["files"], pack["command"] = dict(files), command


def pack_maker(pack: dict):
    """The zip maker behind the lecture pack button: a snapshot of what the page showed, made
    on the click (served outside the script run) in the language of the run that drew it."""
    snapshot = {"figures": dict(pack["figures"]), "equations": list(pack["equations"].values()),
                "config": pack["config"], "title": pack["title"],
                "files": dict(pack.get("files") or {}), "command": pack.get("command")}
    lang = i18n.current()

    def make() -> bytes:
        with i18n.using(lang):
            return export.lecture_pack(snapshot["figures"], snapshot["equations"],
                                       snapshot["config"], snapshot["title"],
                                       snapshot["files"], snapshot["command"])
    return make


def lecture_pack_button() -> None:
    """One download for the whole page: figures, data, equations and config in a zip."""
    pack = _pack()
    slug, lang = pack.get("slug", "memviz"), i18n.current()
    st.download_button(
        t("show.lecture_pack"), key="lecture_pack", on_click="ignore", data=pack_maker(pack),
        file_name=f"memviz-{slug}-{lang}.zip",
        mime=export.MIME["zip"], disabled=not pack["figures"],
        help=t("show.lecture_pack_help"))
