"""The CNN page's panels: the trained network opened up, one output written out, map sizes.

`text` is the page's prose by section (pages/cnn.md); widget keys start with cnn_.
"""

from __future__ import annotations

import streamlit as st

from memviz.cnn import arithmetic as ar
from memviz.cnn import figures as CF
from memviz.cnn import model as cnn
from memviz.specs import ConfigError
from memviz.ui import show


def lesson(run: cnn.CNNRun, text: dict[str, str]) -> None:
    """Everything that needs the trained model."""
    c = st.columns(3)
    c[0].metric("Test accuracy", f"{run.test_accuracy:.1%}")
    c[1].metric("Training time", f"{run.seconds:.1f} s")
    c[2].metric("Trained on", run.device_label.split(" (")[0], help=run.device_label)
    show.altair(CF.loss_curve(run.losses), "cnn_loss_fig",
                "Cross-entropy on each training batch; it should fall and flatten.")
    st.subheader("The kernels it learned")
    show.prose(text["kernels"])
    for name in cnn.conv_names(run.model):
        w = getattr(run.model, name).weight.detach().numpy()
        show.plotly(CF.kernels(w, name), f"cnn_kernels_{name}",
                    f"Each square is one {name} kernel; red weights add, blue subtract.")
    data = cnn.digits(run.config.seed)
    st.subheader("Feature maps of one test image")
    i = st.slider("Test image", 0, len(data.y_test) - 1, 0, key="cnn_image")
    image, label = data.x_test[i, 0], int(data.y_test[i])
    probs = cnn.probabilities(run.model, image)
    show.prose(text["maps"] + f"  \nThis image shows a **{label}**; the network says "
                f"**{probs.argmax()}** ({probs.max():.1%}).")
    show.plotly(CF.feature_maps(cnn.activations(run.model, image)), "cnn_maps_fig",
                "Top: the input; then each layer's maps in order, bright = strong response.")
    written_out(run, image, text)
    st.subheader("What it predicts")
    show.altair(CF.probabilities(probs, label), "cnn_probs_fig",
                "Softmax probability per digit for this image; the orange bar is the true digit.")
    show.prose(text["look"])



@st.fragment
def written_out(run: cnn.CNNRun, image, text: dict[str, str]) -> None:
    """The convolution at a chosen position, with numbers, and that unit's receptive field."""
    st.subheader("One output, computed by hand")
    show.prose(text["written"])
    model, acts = run.model, cnn.activations(run.model, image)
    c = st.columns(5)
    layer = c[0].selectbox("Layer", cnn.conv_names(model), key="cnn_layer")
    o_n, side, _ = acts[layer].shape
    o = c[1].slider("Kernel (output channel)", 0, o_n - 1, 0, key=f"cnn_out_{layer}")
    m = c[2].slider("Row m", 0, side - 1, side // 2, key=f"cnn_row_{layer}")
    n = c[3].slider("Column n", 0, side - 1, side // 2, key=f"cnn_col_{layer}")
    c_n = getattr(model, layer).in_channels
    ch = c[4].slider("Input channel", 0, c_n - 1, 0, key=f"cnn_in_{layer}") if c_n > 1 else 0
    at = cnn.conv_at(model, image, layer, o, m, n)
    show.plotly(CF.conv_written_out(at, ch), "cnn_written_fig",
                "Left: the input values under the kernel ('pad' = zero padding outside the "
                "image); middle: the kernel; right: their products, which are added up below.")
    for tex in CF.conv_latex(at, ch):
        show.latex(tex)
    if c_n > 1:
        show.altair(CF.channel_sums(at), "cnn_sums_fig", "One bar per input channel: the sum of "
                    "that channel's products; the bars plus the bias make the output.")
    st.success(f"PyTorch's Conv2d gives {at.torch_z:.6f} at ({o}, {m}, {n}); the sum written out "
               f"gives {at.z:.6f} (difference {abs(at.torch_z - at.z):.1e}).")
    st.subheader("Receptive field: how much of the image one unit sees")
    show.prose(text["field"])
    fields = cnn.receptive_fields(cnn.geometry(model))
    mine = next(f for f in fields if f.name == layer)
    r0, r1, c0, c1 = mine.box(m, n, 10**6)  # unclipped: the true centre, even in the padding
    units = [f.unit_over((r0 + r1) / 2, (c0 + c1) / 2) for f in fields]
    show.plotly(CF.receptive_fields(image, fields, units), "cnn_field_fig",
                "Each panel is the input image; the box covers the pixels that the unit of that "
                f"layer above the same spot as ({m}, {n}) in {layer} can depend on.")
    show.caption("Field size per layer: " + ", ".join(f"{f.name} {f.size}×{f.size}"
                                                     for f in fields) + " pixels.")



def shapes(text: dict[str, str]) -> None:
    """Output-size arithmetic on sliders, and document 000's network worked through."""
    st.header("How big is each feature map?")
    show.prose(text["shapes"])
    show.latex(CF.OUT_SIZE)
    c = st.columns(6)
    n = c[0].slider("Input size n", 1, 64, 28, key="cnn_sh_n")
    k = c[1].slider("Kernel k", 1, 9, 5, key="cnn_sh_k")
    s = c[2].slider("Stride s", 1, 4, 1, key="cnn_sh_s")
    p = c[3].slider("Padding p", 0, 4, 0, key="cnn_sh_p")
    layers = c[4].slider("Conv layers", 1, 4, 2, key="cnn_sh_layers")
    pool = c[5].checkbox("Pool 2×2", True, key="cnn_sh_pool")
    stages = ar.exercise(layers, k, s, p, pool)
    try:
        rows = ar.shape_rows(n, 1, stages)
    except ConfigError as e:
        st.error(str(e))
    else:
        st.dataframe(CF.shape_table(n, 1, stages, rows), hide_index=True)
        show.altair(CF.shape_chart(n, rows), "cnn_shape_fig",
                    "Bar height = side length of the feature map after each layer.")
    st.subheader("Document 000's network, with its own numbers")
    show.prose(text["doc000"])
    n0 = st.slider("Image size (the document does not say)", 5, 64, 32, key="cnn_doc_n")
    rows0 = ar.shape_rows(n0, ar.DOC000_CHANNELS, ar.DOC000)
    st.dataframe(CF.shape_table(n0, ar.DOC000_CHANNELS, ar.DOC000, rows0), hide_index=True)
    got = ar.doc000_fc1_in(n0)
    verdict = "matches" if got == ar.DOC000_FC1_IN else "does not match"
    show.prose(f"fc1 receives 16 × {rows0[-1].n_out} × {rows0[-1].n_out} = **{got}** numbers; "
                f"the document's `Linear(16 * 5 * 5, 120)` expects 400, so it **{verdict}**. "
                f"Only n = {', '.join(map(str, ar.doc000_sides_giving_400()))} would give 400.")
    show.prose(text["doc000_after"])
    st.code(f"as written:  {ar.doc000_forward(n0, fixed=False)}\n"
            f"fixed:       {ar.doc000_forward(n0, fixed=True)}", language=None)
