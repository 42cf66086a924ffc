"""Show figures the same way on every page (one place to add export and print settings)."""

from __future__ import annotations

import streamlit as st


def plotly(fig, key: str, caption: str | None = None) -> None:
    """Draw a plotly figure; its modebar saves an SVG named after `key`."""
    config = {"displaylogo": False,
              "toImageButtonOptions": {"format": "svg", "filename": key, "scale": 1}}
    st.plotly_chart(fig, key=key, config=config)
    if caption:
        st.caption(caption)


def altair(chart, key: str, caption: str | None = None) -> None:
    """Draw an altair chart."""
    st.altair_chart(chart, key=key)
    if caption:
        st.caption(caption)
