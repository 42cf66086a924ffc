"""The CNN page's panels: the trained network opened up, one output written out, map sizes.

`text` is the page's prose by section (memviz/locales/cnn.toml, in the session's language);
widget keys start with cnn_.
"""

from __future__ import annotations

import streamlit as st

from memviz import devices
from memviz.cnn import arithmetic as ar
from memviz.cnn import figures as CF
from memviz.cnn import model as cnn
from memviz.specs import ConfigError
from memviz.ui import lang, show
from memviz.ui.lang import t


def lesson(run: cnn.CNNRun, text: dict[str, str]) -> None:
    """Everything that needs the trained model."""
    c = st.columns(3)
    c[0].metric(t("cnn.metric.accuracy"), f"{run.test_accuracy:.1%}")
    c[1].metric(t("cnn.metric.time"), t("cnn.metric.seconds", s=f"{run.seconds:.1f}"))
    c[2].metric(t("cnn.metric.device"), run.device_label.split(" (")[0],
                help=devices.in_language(run.device_label))
    show.altair(CF.loss_curve(run.losses), "cnn_loss_fig", t("cnn.cap.loss"))
    st.subheader(t("cnn.head.kernels"))
    show.prose(text["kernels"])
    for name in cnn.conv_names(run.model):
        w = getattr(run.model, name).weight.detach().numpy()
        show.plotly(CF.kernels(w, name), f"cnn_kernels_{name}",
                    t("cnn.cap.kernels", layer=name))
    data = cnn.digits(run.config.seed)
    st.subheader(t("cnn.head.maps"))
    i = st.slider(t("cnn.widget.image"), 0, len(data.y_test) - 1, 0, key="cnn_image")
    image, label = data.x_test[i, 0], int(data.y_test[i])
    probs = cnn.probabilities(run.model, image)
    show.prose(text["maps"] + "  \n" + t("cnn.predicted", label=label, guess=probs.argmax(),
                                          p=f"{probs.max():.1%}"))
    show.plotly(CF.feature_maps(cnn.activations(run.model, image)), "cnn_maps_fig",
                t("cnn.cap.maps"))
    written_out(run, image, text)
    st.subheader(t("cnn.head.predicts"))
    show.altair(CF.probabilities(probs, label), "cnn_probs_fig", t("cnn.cap.probs"))
    show.prose(text["look"])



@st.fragment
def written_out(run: cnn.CNNRun, image, text: dict[str, str]) -> None:
    """The convolution at a chosen position, with numbers, and that unit's receptive field."""
    lang.sync()  # a fragment-only rerun: the session's language first
    st.subheader(t("cnn.head.written"))
    show.prose(text["written"])
    model, acts = run.model, cnn.activations(run.model, image)
    c = st.columns(5)
    layer = c[0].selectbox(t("cnn.widget.layer"), cnn.conv_names(model), key="cnn_layer")
    o_n, side, _ = acts[layer].shape
    o = c[1].slider(t("cnn.widget.out"), 0, o_n - 1, 0, key=f"cnn_out_{layer}")
    m = c[2].slider(t("cnn.widget.row"), 0, side - 1, side // 2, key=f"cnn_row_{layer}")
    n = c[3].slider(t("cnn.widget.col"), 0, side - 1, side // 2, key=f"cnn_col_{layer}")
    c_n = getattr(model, layer).in_channels
    ch = (c[4].slider(t("cnn.widget.in_channel"), 0, c_n - 1, 0, key=f"cnn_in_{layer}")
          if c_n > 1 else 0)
    at = cnn.conv_at(model, image, layer, o, m, n)
    show.plotly(CF.conv_written_out(at, ch), "cnn_written_fig", t("cnn.cap.written"))
    for tex in CF.conv_latex(at, ch):
        show.latex(tex)
    if c_n > 1:
        show.altair(CF.channel_sums(at), "cnn_sums_fig", t("cnn.cap.sums"))
    st.success(t("cnn.torch_check", torch_z=f"{at.torch_z:.6f}", o=o, m=m, n=n, z=f"{at.z:.6f}",
                 diff=f"{abs(at.torch_z - at.z):.1e}"))
    st.subheader(t("cnn.head.field"))
    show.prose(text["field"])
    fields = cnn.receptive_fields(cnn.geometry(model))
    mine = next(f for f in fields if f.name == layer)
    r0, r1, c0, c1 = mine.box(m, n, 10**6)  # unclipped: the true centre, even in the padding
    units = [f.unit_over((r0 + r1) / 2, (c0 + c1) / 2) for f in fields]
    show.plotly(CF.receptive_fields(image, fields, units), "cnn_field_fig",
                t("cnn.cap.field", m=m, n=n, layer=layer))
    show.caption(t("cnn.cap.field_sizes",
                   sizes=t("cnn.cap.sep").join(f"{f.name} {f.size}×{f.size}" for f in fields)))



def shapes(text: dict[str, str]) -> None:
    """Output-size arithmetic on sliders, and document 000's network worked through."""
    st.header(t("cnn.head.shapes"))
    show.prose(text["shapes"])
    show.latex(CF.out_size_latex())
    c = st.columns(6)
    n = c[0].slider(t("cnn.widget.sh_n"), 1, 64, 28, key="cnn_sh_n")
    k = c[1].slider(t("cnn.widget.sh_k"), 1, 9, 5, key="cnn_sh_k")
    s = c[2].slider(t("cnn.widget.sh_s"), 1, 4, 1, key="cnn_sh_s")
    p = c[3].slider(t("cnn.widget.sh_p"), 0, 4, 0, key="cnn_sh_p")
    layers = c[4].slider(t("cnn.widget.sh_layers"), 1, 4, 2, key="cnn_sh_layers")
    pool = c[5].checkbox(t("cnn.widget.sh_pool"), True, key="cnn_sh_pool")
    stages = ar.exercise(layers, k, s, p, pool)
    try:
        rows = ar.shape_rows(n, 1, stages)
    except ConfigError as e:
        st.error(str(e))
    else:
        st.dataframe(CF.shape_table(n, 1, stages, rows), hide_index=True)
        show.altair(CF.shape_chart(n, rows), "cnn_shape_fig", t("cnn.cap.shape"))
    st.subheader(t("cnn.head.doc000"))
    show.prose(text["doc000"])
    n0 = st.slider(t("cnn.widget.doc_n"), 5, 64, 32, key="cnn_doc_n")
    rows0 = ar.shape_rows(n0, ar.DOC000_CHANNELS, ar.DOC000)
    st.dataframe(CF.shape_table(n0, ar.DOC000_CHANNELS, ar.DOC000, rows0), hide_index=True)
    got = ar.doc000_fc1_in(n0)
    verdict = t("cnn.matches") if got == ar.DOC000_FC1_IN else t("cnn.no_match")
    show.prose(t("cnn.doc000_verdict", side=rows0[-1].n_out, got=got, verdict=verdict,
                 sides=", ".join(map(str, ar.doc000_sides_giving_400()))))
    show.prose(text["doc000_after"])
    labels = [t("cnn.code.written"), t("cnn.code.fixed")]
    width = max(len(x) for x in labels) + 2
    st.code("\n".join(f"{label:<{width}}{ar.doc000_forward(n0, fixed=fixed)}"
                      for label, fixed in zip(labels, (False, True), strict=True)),
            language=None)
