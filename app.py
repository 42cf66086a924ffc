"""memviz: `streamlit run app.py`. Routes to the lesson pages; the sidebar shows the device."""

import streamlit as st

from memviz.devices import describe_light

st.set_page_config(page_title="memviz", page_icon=":brain:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/lstm.py", title="LSTM", icon=":material/memory:", url_path="lstm"),
    st.Page("pages/gru.py", title="GRU", icon=":material/memory_alt:", url_path="gru"),
    st.Page("pages/rnn.py", title="Vanilla RNN", icon=":material/loop:", url_path="rnn"),
    st.Page("pages/gates.py", title="Why gates", icon=":material/trending_down:",
            url_path="gates"),
    st.Page("pages/horizon.py", title="Memory horizon", icon=":material/timeline:",
            url_path="horizon"),
    st.Page("pages/synapses.py", title="Synapses", icon=":material/hub:", url_path="synapses"),
]

nav = st.navigation(PAGES)
st.sidebar.caption(f"Training on: {describe_light().label}")
nav.run()
