"""Show figures, equations and prose the same way on every page.

One shared mechanism gives every page: export buttons under each figure (PNG, SVG, PDF, CSV,
made on click, offline), a registry of what the page showed for the lecture pack, and the
lecturer mode (no controls or prose, large type and thick lines for a projector).
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

from memviz import export

PACK = "_memviz_pack"  # session_state: what the current page has shown
LECTURER = "lecturer_mode"


def lecturer() -> bool:
    """Whether the lecturer (projector) mode is on."""
    return bool(st.session_state.get(LECTURER, False))


def begin_page(title: str) -> None:
    """Forget what the previous page showed (called by the router before each full run)."""
    st.session_state[PACK] = {"title": title, "figures": {}, "equations": {}, "config": None}


def _pack() -> dict:
    return st.session_state.setdefault(
        PACK, {"title": "memviz", "figures": {}, "equations": {}, "config": None})


def _projector(fig):
    """A copy of a plotly figure with type and lines large enough for the back row."""
    big = copy.deepcopy(fig)
    big.update_layout(font=dict(size=20), title_font=dict(size=24),
                      height=int((fig.layout.height or 400) * 1.25))
    big.update_traces(selector=dict(type="scatter"), line_width=4, marker_size=10)
    return big


def _export_menu(fig, key: str, label: str = "Export") -> None:
    """Download buttons whose files are made only when clicked (no cost on reruns)."""
    reason = export.unsupported_reason(fig)
    with st.popover(label, icon=":material/download:"):
        for fmt in export.FORMATS:
            st.download_button(
                fmt.upper(), data=lambda fmt=fmt: export.render(fig, fmt),
                file_name=f"{key}.{fmt}", mime=export.MIME[fmt], key=f"{key}_dl_{fmt}",
                on_click="ignore", disabled=reason is not None,
                help=reason or f"Download this figure as {fmt.upper()}")


def plotly(fig, key: str, caption: str | None = None) -> None:
    """Draw a plotly figure with its export menu, and note it for the lecture pack."""
    _pack()["figures"][key] = fig
    if lecturer():
        fig = _projector(fig)
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "svg", "filename": key, "scale": 1}}
    # theme=None: our own template and fonts, so lecturer mode can enlarge them
    st.plotly_chart(fig, key=key, config=config, theme=None)
    if not lecturer():
        if caption:
            st.caption(caption)
        _export_menu(fig, key)


def export_only(fig, key: str, label: str) -> None:
    """Note a figure for the lecture pack and offer its export menu without drawing it (for
    views drawn in the browser, such as the stepper, whose figure form is for export)."""
    _pack()["figures"][key] = fig
    if not lecturer():
        _export_menu(fig, key, label)


def note_equation(tex: str, key: str) -> None:
    """Note an equation for the lecture pack's .tex without drawing it."""
    _pack()["equations"][key] = tex


def altair(chart, key: str, caption: str | None = None) -> None:
    """Draw an altair chart with its export menu, and note it for the lecture pack."""
    _pack()["figures"][key] = chart
    st.altair_chart(chart, key=key)
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


def note_config(config: dict[str, Any]) -> None:
    """The settings that produced this page's figures, for the lecture pack's config.json."""
    _pack()["config"] = config


def lecture_pack_button() -> None:
    """One download for the whole page: figures, data, equations and config in a zip."""
    pack = _pack()
    snapshot = {"figures": dict(pack["figures"]), "equations": list(pack["equations"].values()),
                "config": pack["config"], "title": pack["title"]}
    st.download_button(
        "Lecture pack (.zip)", key="lecture_pack", on_click="ignore",
        data=lambda: export.lecture_pack(snapshot["figures"], snapshot["equations"],
                                         snapshot["config"], snapshot["title"]),
        file_name=f"memviz-{snapshot['title'].lower().replace(' ', '-')}.zip",
        mime=export.MIME["zip"], disabled=not snapshot["figures"],
        help="Every figure on this page as SVG, PDF and print-resolution PNG, its data as "
             "CSV, the equations as a standalone .tex, and config.json.")
