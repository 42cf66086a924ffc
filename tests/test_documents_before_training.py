"""The documents page before anything is trained (issue 28 §4): the documents' summaries,
equations and verdicts are there at once, with links to jump to each document; the numbers
wait for the click."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from memviz import i18n
from memviz.documents import slips
from memviz.documents import sources as D
from memviz.ui import training

from .conftest import ROOT


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_documents_are_there_before_training(lang):
    training.store.clear()
    at = AppTest.from_file(str(ROOT / "pages/documents.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert at.button(key="docs_train")  # nothing trained: the button is there
    shown = [*at.markdown, *at.caption, *at.header, *at.warning, *at.info]
    text = "\n".join(m.value for m in shown)
    maths = {m.value.strip("$\n") for m in at.latex}  # st.latex wraps in $$ … $$
    with i18n.using(lang):
        for doc in D.DOCUMENTS:
            assert doc.title in text and doc.summary in text, doc.number
            assert f"(#doc{doc.number})" in text  # a link to jump to it
            for eq in doc.equations:
                assert D.localized(eq.doc) in maths and D.localized(eq.canonical) in maths
                assert D.VERDICTS[eq.verdict] in text, (doc.number, eq.key)
            for remark in doc.remarks:
                assert remark in text
        for slip in slips.SLIPS:  # each slip's title and verdict; its number after training
            assert slip.title in text
        assert i18n.t("documents.pending") in text
