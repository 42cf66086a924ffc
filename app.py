"""memviz: `streamlit run app.py`. Routes to the lesson pages; the sidebar holds the device,
the lecturer mode and the page's lecture pack."""

import streamlit as st

from memviz.devices import describe_light
from memviz.ui import show

st.set_page_config(page_title="memviz", page_icon=":brain:", layout="wide")

# Pages call memviz.ui.router.through_router() first, so a fresh server's first deep link
# (a shared /lstm?... link) still runs through this router.
PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/lstm.py", title="LSTM", icon=":material/memory:", url_path="lstm"),
    st.Page("pages/gru.py", title="GRU", icon=":material/memory_alt:", url_path="gru"),
    st.Page("pages/rnn.py", title="Vanilla RNN", icon=":material/loop:", url_path="rnn"),
    st.Page("pages/gates.py", title="Why gates", icon=":material/trending_down:",
            url_path="gates"),
    st.Page("pages/cnn.py", title="CNN", icon=":material/grid_on:", url_path="cnn"),
    st.Page("pages/horizon.py", title="Memory horizon", icon=":material/timeline:",
            url_path="horizon"),
    st.Page("pages/text.py", title="Text", icon=":material/edit_note:", url_path="text"),
    st.Page("pages/series.py", title="Forecasting", icon=":material/waves:", url_path="series"),
    st.Page("pages/sentences.py", title="Sentences", icon=":material/chat:", url_path="sentences"),
    st.Page("pages/attention.py", title="Attention", icon=":material/visibility:",
            url_path="attention"),
    st.Page("pages/synapses.py", title="Synapses", icon=":material/hub:", url_path="synapses"),
    st.Page("pages/documents.py", title="The documents", icon=":material/menu_book:",
            url_path="documents"),
]

# Large type for a projector; the figures enlarge themselves (memviz.ui.show).
PROJECTOR_CSS = """<style>
html, .stMarkdown, .stMarkdown p { font-size: 1.35rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }
.katex { font-size: 1.15em !important; }
h1 { font-size: 3rem !important; }
</style>"""

nav = st.navigation(PAGES)
show.begin_page(nav.title)
show.lecturer_from_url()  # ?lecturer=1 opens (and a reload keeps) the projector mode
st.sidebar.toggle("Lecturer mode", key=show.LECTURER,
                  help="Hide the controls and the lesson text; enlarge type and lines.")
show.lecturer_to_url()
device = describe_light().label
if show.lecturer():
    st.html(PROJECTOR_CSS)
    device = device.split(" (")[0]  # one short line beside the enlarged sidebar
st.sidebar.caption(f"Training on: {device}")
nav.run()
with st.sidebar:
    show.lecture_pack_button()
