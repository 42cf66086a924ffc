"""The language switch: English / 中文 in the sidebar, kept in the URL (?lang=zh).

The first visit follows the browser's language (st.context.locale); the switch and the link
override it. Every script run and every fragment run calls `sync()` first, so messages and
figures built during it come out in the session's language (memviz.i18n).
"""

from __future__ import annotations

import streamlit as st

from memviz import i18n

KEY = "lang"


def _initial() -> str:
    """The link's ?lang=, else the browser's language, else English."""
    raw = st.query_params.get(KEY)
    if raw in i18n.LANGS:
        return raw
    return i18n.from_locale(getattr(st.context, "locale", None))


def sync() -> str:
    """Set this run's language from the session (choosing it on the first run); return it."""
    if KEY not in st.session_state:
        st.session_state[KEY] = _initial()
    lang = st.session_state[KEY]
    i18n.use(lang)
    return lang


def t(key: str, **fields: object) -> str:
    """The message `key` in the session's language."""
    return i18n.t(key, **fields)


def placeholder(options) -> str:
    """What an empty multiselect (or a selectbox with no options) shows, in the session's
    language: left to streamlit it reads "Choose options" / "No options to select" in English."""
    return t("common.choose_options") if len(options) else t("common.no_options")


def _keep_a_choice() -> None:
    """A click on the option already chosen clears a segmented control: keep the language."""
    if st.session_state.get(KEY) is None:
        st.session_state[KEY] = st.session_state.get("_lang_before", "en")
    st.session_state["_lang_before"] = st.session_state[KEY]


def switch() -> str:
    """The sidebar's language control; returns the choice (urlstate.keep_app_wide keeps it in
    the URL)."""
    st.session_state.setdefault("_lang_before", st.session_state.get(KEY, "en"))
    st.sidebar.segmented_control(
        "Language / 语言", i18n.LANGS, format_func=i18n.NAMES.get, key=KEY,
        selection_mode="single", label_visibility="collapsed", on_change=_keep_a_choice)
    i18n.use(st.session_state[KEY])
    return st.session_state[KEY]


def glossary() -> None:
    """The terms of the lessons in both languages, with their symbols: one line a term, the
    reader's language first (lines wrap in the narrow sidebar; a table would scroll sideways)."""
    first, second = sorted(i18n.LANGS, key=lambda lang: lang != i18n.current())
    lines = [f"- **{e[first]}** · {e[second]}" + (f" · `{e['symbol']}`" if e.get("symbol") else "")
             for e in i18n.table("glossary.").values()]
    st.markdown("\n".join(lines))
