"""memviz: `streamlit run app.py`. Routes to the lesson pages; the sidebar holds the language
switch (English / 中文), the device, the lecturer mode, the glossary and the page's lecture pack."""

# Imported here, before any figure: plotly looks pandas up in sys.modules without waiting for an
# import in progress, so students opening pages at the same moment on a fresh server could get a
# half-imported pandas ("partially initialized module") while another session is importing it.
# A plain import waits for the other thread's import to finish.
import pandas  # noqa: F401
import streamlit as st

from memviz.devices import describe_light
from memviz.ui import lang, show
from memviz.ui.lang import t
from memviz.worker import give_back_memory

st.set_page_config(page_title="memviz", page_icon=":brain:", layout="wide")
lang.sync()  # first: the navigation titles below are already in the session's language


def page(path: str, name: str, icon: str, **kw) -> st.Page:
    """One lesson page, titled in the session's language (common.nav.<name>)."""
    return st.Page(path, title=t(f"common.nav.{name}"), icon=icon, **kw)


# Pages call memviz.ui.router.through_router() first, so a fresh server's first deep link
# (a shared /lstm?... link) still runs through this router.
PAGES = [
    page("pages/home.py", "home", ":material/home:", default=True),
    page("pages/lstm.py", "lstm", ":material/memory:", url_path="lstm"),
    page("pages/gru.py", "gru", ":material/memory_alt:", url_path="gru"),
    page("pages/rnn.py", "rnn", ":material/loop:", url_path="rnn"),
    page("pages/gates.py", "gates", ":material/trending_down:", url_path="gates"),
    page("pages/cnn.py", "cnn", ":material/grid_on:", url_path="cnn"),
    page("pages/horizon.py", "horizon", ":material/timeline:", url_path="horizon"),
    page("pages/text.py", "text", ":material/edit_note:", url_path="text"),
    page("pages/transformer.py", "transformer", ":material/view_stream:",
         url_path="transformer"),
    page("pages/series.py", "series", ":material/waves:", url_path="series"),
    page("pages/sentences.py", "sentences", ":material/chat:", url_path="sentences"),
    page("pages/attention.py", "attention", ":material/visibility:", url_path="attention"),
    page("pages/synapses.py", "synapses", ":material/hub:", url_path="synapses"),
    page("pages/documents.py", "documents", ":material/menu_book:", url_path="documents"),
]

# Large type for a projector; the figures enlarge themselves (memviz.ui.show).
PROJECTOR_CSS = """<style>
html, .stMarkdown, .stMarkdown p { font-size: 1.35rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }
.katex { font-size: 1.15em !important; }
h1 { font-size: 3rem !important; }
</style>"""

nav = st.navigation(PAGES, expanded=True)  # every lesson listed: no untranslated "View more"
show.begin_page(nav.title, nav.url_path or "home")
lang.switch()  # English / 中文, kept in the URL (?lang=zh)
show.lecturer_from_url()  # ?lecturer=1 opens (and a reload keeps) the projector mode
st.sidebar.toggle(t("common.lecturer_mode"), key=show.LECTURER, help=t("common.lecturer_help"))
show.lecturer_to_url()
device = describe_light().label
if show.lecturer():
    st.html(PROJECTOR_CSS)
    device = device.split(" (")[0].split("（")[0]  # one short line beside the enlarged sidebar
st.sidebar.caption(t("common.training_on", device=device))
with st.sidebar.expander(t("common.glossary"), icon=":material/translate:"):
    lang.glossary()
nav.run()
with st.sidebar:
    show.lecture_pack_button()
give_back_memory()  # what a big page's figures needed goes back to the system, not held on
