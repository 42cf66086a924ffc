"""Make sure every page runs through app.py's router, even on a fresh server's first visit.

Streamlit sets `PagesManager.uses_pages_directory` when the server starts if a `pages/` folder
sits next to the entry script, and only a run of `st.navigation` clears it. Until then a request
for `/lstm?seq_len=50` runs pages/lstm.py alone (the old multipage mode): no router, no sidebar,
no lecturer mode. A page that finds the flag still set clears it and reruns; the same request
then goes through app.py with its query string kept. This reads a Streamlit internal, which is
why requirements.txt pins streamlit to the minor version this was verified on.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from memviz.ui import lang


def through_router() -> None:
    """Call first on every page: rerun through app.py if Streamlit ran this page alone; then set
    the run's language (so a page run on its own, as in tests, speaks the session's language)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    lang.sync()
