"""Forecasting: document 002's temperature example on a real series, against honest baselines."""

import streamlit as st

from memviz.series import figures, forecast, model
from memviz.ui import series as UI
from memviz.ui import show, steppanel, training
from memviz.ui.lang import t
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

# message keys written out, so that grep and the catalogue test see each one
PAGE = UI.PAGE

st.title(t("series.title"))
show.prose(t("series.intro"))

with st.expander(t("series.settings"), expanded=not show.lecturer()):
    found = UI.settings()
if found is None:
    st.stop()
series, cfg, from_link = found
show.caption(t("series.rows", what=series.describe(), rows=len(series.frame),
               missing=show.literal(series.missing_note())))  # names an upload's columns
if cfg is None:
    st.stop()
show.note_config(cfg.to_dict())
run = training.trained(PAGE, cfg, model.train, auto=from_link)
if run is None:
    st.stop()

m = run.maes
arch = cfg.arch.upper()
k1, k2, k3, k4 = st.columns(4)
best, best_mae = run.best_baseline  # judged against the best baseline shown
k1.metric(t("series.metric_model", arch=arch), f"{m['model']:.3f}",
          t("series.metric_delta", delta=m["model"] - best_mae,
            best=t(model.BASELINE_KEYS[best])), delta_color="inverse")
k2.metric(t("series.metric_persistence"), f"{m['persistence']:.3f}")
k3.metric(t("series.metric_linear"), f"{m['linear']:.3f}")
k4.metric(t("series.metric_seasonal"), "—" if m["seasonal"] is None else f"{m['seasonal']:.3f}")
wins, said = model.judged(run)
(st.success if wins else st.warning)(said)
step = st.slider(t("series.show_step"), 1, cfg.horizon, cfg.horizon,
                 key=f"{PAGE}_show_step") if cfg.horizon > 1 else 1
show.plotly(figures.forecast_vs_truth(run, step), f"{PAGE}_forecast",
            t("series.cap_forecast"))
left, right = st.columns(2)
with left:
    show.plotly(figures.baseline_bars(m), f"{PAGE}_baselines", t("series.cap_baselines"))
with right:
    show.plotly(figures.test_zoom(run, step), f"{PAGE}_zoom", t("series.cap_zoom"))

st.subheader(t("series.leak_header"))
leak = forecast.leakage(cfg, series)
lo, hi = leak["leaky_train_range"]
verdict = (t("series.leak_outside", lo=lo, hi=hi, outside=leak["honest_test_outside"],
             rows=leak["test_rows"]) if leak["min_from_test"] or leak["max_from_test"]
           else t("series.leak_inside"))
show.prose(t("series.leak_intro", verdict=verdict,
             **{k: leak[k] for k in ("train_min", "train_max", "test_min", "test_max")}))
show.plotly(figures.leakage_bars(leak), f"{PAGE}_leak", t("series.cap_leak"))
leaky_cfg = forecast.ForecastConfig(**{**cfg.to_dict(), "scaler": "all"})
leaky = training.trained(f"{PAGE}_leaky", leaky_cfg, model.train,
                         label=t("series.train_leaky"))
if leaky is not None:
    show.caption(t("series.leaky_result", leaky=leaky.maes["model"], honest=m["model"]))

st.subheader(t("series.inside_header"))
n_test = len(run.prepared.parts["test"])
i = st.slider(t("series.test_window"), 1, n_test, n_test, key=f"{PAGE}_window_pick")
show.caption(t("series.cap_inside"))
# the shared step-through writes only the recurrent pages' URL names: put this page's back
steppanel.step_through(PAGE, steppanel.TraceLesson(run, run.window_trace(i - 1)),
                       extra=lambda step, unit: UI.save())
