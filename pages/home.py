"""Home: what memviz teaches and where to start. Imports no torch, so it opens at once."""

import streamlit as st

from memviz.devices import describe_light
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

# the lessons in the sidebar's order (app.py); each is named by its navigation title
LESSONS = ("lstm", "gru", "rnn", "gates", "cnn", "horizon", "text", "transformer", "series",
           "sentences", "attention", "synapses", "documents")

st.title(t("home.title"))
st.markdown(t("home.intro"))
st.info(t("home.device", device=describe_light().label))
st.markdown(f"**{t('home.lessons')}**\n\n"
            + "\n".join(f"- **{t(f'common.nav.{k}')}** — {t(f'home.lesson.{k}')}"
                        for k in LESSONS)
            + f"\n\n{t('home.start')}")
st.caption(t("home.language"))
