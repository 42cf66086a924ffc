"""Your model: upload the weights of an LSTM, GRU or RNN trained anywhere, and step through it
gate by gate with the lesson panels, checked against torch's own module."""

import streamlit as st

from memviz.ui import show, steppanel
from memviz.ui import yours as UI
from memviz.ui.lang import t
from memviz.ui.router import through_router
from memviz.yours.figures import model_figures

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = UI.PAGE

st.title(t("yours.page.title"))
show.prose(t("yours.page.intro"))
show.caption(t("yours.page.no_link"))

m = UI.weights_panel()  # says what was found before anything runs
if m is None:
    st.stop()
x = UI.input_panel(m.loaded.found)
if x is None:
    st.stop()
mt = m.run(x)
UI.truth_line(mt)
show.plotly(model_figures(mt)[f"{PAGE}_input"], f"{PAGE}_input",  # as inspect draws it
            t("yours.page.input_embedded") if mt.ids is not None else t("yours.page.input_caption"))
UI.answer(mt)

st.subheader(t("yours.page.step_head"))
layer = UI.layer_choice(mt)
steppanel.step_through(f"{PAGE}_l{layer}", UI.lesson(m, mt, layer),
                       extra=lambda k, j: UI.pack_extras(m, x, mt, k, j))
UI.whatif_panel(m, x, mt, layer)
