"""Keep a page's settings in the URL query string, so a link reopens the same setup.

On the first run of a page in a session, values found in the URL are validated and copied into
the widgets' session state (before the widgets exist); afterwards every run writes the widgets'
current values back to the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

Parsers = Mapping[str, Callable[[str], Any]]  # query name -> parser (raises ValueError if bad)


def _restored_flag(page: str) -> str:
    return f"_{page}_url_restored"


def restore(page: str, parsers: Parsers, valid: Callable[[dict[str, Any]], bool]) -> bool:
    """Copy `page`'s settings from the URL into its widget keys, once per session.

    Returns True when settings were taken from the URL. Values that do not parse, or a set
    that `valid` rejects, are ignored with a warning: a hand-edited link never breaks the page.
    """
    flag = _restored_flag(page)
    if st.session_state.get(flag):
        return False
    st.session_state[flag] = True
    raw = {k: st.query_params[k] for k in parsers if k in st.query_params}
    if not raw:
        return False
    try:
        values = {k: parsers[k](v) for k, v in raw.items()}
    except ValueError:
        st.warning("The link's settings could not be read; showing the defaults instead.")
        return False
    if not valid(values):
        st.warning("The link's settings are out of range; showing the defaults instead.")
        return False
    for k, v in values.items():
        st.session_state[f"{page}_{k}"] = v
    return True


def _linked(page: str) -> str:
    return f"_{page}_opened_from_link"


def save(page: str, names: list[str]) -> None:
    """Write the current values of `page`'s widgets to the URL."""
    # whether the page was opened from a link is read before this writes its own settings
    st.session_state.setdefault(_linked(page), any(n in st.query_params for n in names))
    current = {k: st.session_state[f"{page}_{k}"] for k in names
               if f"{page}_{k}" in st.session_state}
    for k, v in current.items():
        text = ",".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
        if st.query_params.get(k) != text:
            st.query_params[k] = text


def initial(name: str, default: Any, parse: Callable[[str], Any] = str,
            ok: Callable[[Any], bool] = lambda v: True) -> Any:
    """A widget's starting value: the link's value for `name` if it parses and `ok` accepts it,
    else `default`. Pass it as the widget's value; `save` keeps the URL in step afterwards."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        value = parse(raw)
    except ValueError:
        return default
    return value if ok(value) else default


def opened_with(page: str, cfg: Any, names: list[str]) -> bool:
    """Whether `cfg` is the setup this page was opened with from a link (so it may train at
    once). Decided on the page's first run in the session; a later change of settings is the
    student's own and waits for the Train button."""
    key = f"_{page}_link_config"
    if key not in st.session_state:
        linked = st.session_state.get(_linked(page), any(n in st.query_params for n in names))
        st.session_state[key] = cfg if linked else None
    return st.session_state[key] is not None and st.session_state[key] == cfg


def flag(text: str) -> bool:
    """Parse a boolean query value."""
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no"):
        return False
    raise ValueError(text)
