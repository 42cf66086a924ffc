"""Forecasting: document 002's temperature example on a real series, against honest baselines."""

import streamlit as st

from memviz.series import figures, forecast, model
from memviz.ui import recurrent, show, training
from memviz.ui import series as UI
from memviz.ui.router import through_router

through_router()  # first: a fresh server's deep link must run through app.py

PAGE = UI.PAGE

st.title("Forecasting: what does the next day's temperature depend on?")
show.prose(
    "Document 002 (*短期记忆：利用上下文学习*) forecasts the next temperature with an LSTM that "
    "reads a window of the last two values, on ten made-up points, after fitting a min-max "
    "scaler on **all** the data. Here the same idea runs on four years of real Seattle weather "
    "(or your own CSV), with the order of time respected: the model trains on the first 70%, "
    "picks its best epoch on the next 15%, and is scored once on the last 15%, the **test** "
    "part. A forecaster is only worth its training if it beats the simplest guesses."
)

with st.expander("Settings", expanded=not show.lecturer()):
    found = UI.settings()
if found is None:
    st.stop()
series, cfg, from_link = found
show.caption(f"{series.description or series.name}: {len(series.frame)} rows. "
             f"{series.missing_note()}")
if cfg is None:
    st.stop()
show.note_config(cfg.to_dict())
run = training.trained(PAGE, cfg, model.train, auto=from_link)
if run is None:
    st.stop()

m = run.maes
k1, k2, k3, k4 = st.columns(4)
k1.metric(f"{cfg.arch.upper()} test MAE", f"{m['model']:.3f}",
          f"{m['model'] - m['persistence']:+.3f} vs persistence", delta_color="inverse")
k2.metric("Persistence", f"{m['persistence']:.3f}")
k3.metric("Linear autoregression", f"{m['linear']:.3f}")
k4.metric("Seasonal persistence", "—" if m["seasonal"] is None else f"{m['seasonal']:.3f}")
if run.beats_persistence:
    st.success(f"The {cfg.arch.upper()} beats persistence on the test part by "
               f"{m['persistence'] - m['model']:.3f} per forecast "
               f"(trained in {run.history.seconds:.1f} s).")
else:
    st.warning(f"The {cfg.arch.upper()} does **not** beat persistence here ({m['model']:.3f} vs "
               f"{m['persistence']:.3f}). That is a result, not a failure: on a smooth series "
               "'tomorrow = today' is hard to beat. Try a longer window, more epochs or an "
               "extra input column.")
step = st.slider("Show the forecast this many steps ahead", 1, cfg.horizon, cfg.horizon,
                 key=f"{PAGE}_show_step") if cfg.horizon > 1 else 1
show.plotly(figures.forecast_vs_truth(run, step), f"{PAGE}_forecast",
            "Black: the real series. Blue: the model's forecasts over the test period (shaded "
            "blue), made from windows it never trained on.")
left, right = st.columns(2)
with left:
    show.plotly(figures.baseline_bars(m), f"{PAGE}_baselines",
                "Every bar is scored on the same test windows, in the series' own units.")
with right:
    show.plotly(figures.test_zoom(run, step), f"{PAGE}_zoom",
                "Persistence (dotted) is the truth shifted one step right: a model that only "
                "copies the last value draws the same curve.")

st.subheader("Fitting the scaler on everything: what leaks")
leak = forecast.leakage(cfg, series)
show.prose(
    "Document 002 fits its scaler on the whole series before splitting it, so the numbers the "
    "model trains on already encode the test period's smallest and largest values. Here the "
    f"training part spans {leak['train_min']:.1f} to {leak['train_max']:.1f} and the test part "
    f"{leak['test_min']:.1f} to {leak['test_max']:.1f}. "
    + ("The test part stays inside the training range, so on this series the leak carries no "
       "information: both scalers are the same." if not (leak["min_from_test"] or
                                                          leak["max_from_test"]) else
       f"The test part goes beyond the training range, so the leaky scaler squeezes the "
       f"training data into {leak['leaky_train_range'][0]:.2f} to "
       f"{leak['leaky_train_range'][1]:.2f} instead of 0 to 1: the model is told in advance "
       f"how far the future will go. Honestly scaled, {leak['honest_test_outside']} of "
       f"{leak['test_rows']} test values fall outside 0 to 1, as they would in real use.")
)
show.plotly(figures.leakage_bars(leak), f"{PAGE}_leak", "The range each scaler would learn.")
leaky_cfg = forecast.ForecastConfig(**{**cfg.to_dict(), "scaler": "all"})
leaky = training.trained(f"{PAGE}_leaky", leaky_cfg, model.train,
                         label="Train again with document 002's scaler")
if leaky is not None:
    show.caption(f"Same model and seed with the scaler fitted on all data: test MAE "
                 f"{leaky.maes['model']:.3f} against {m['model']:.3f} with the honest scaler.")

st.subheader("Inside the model: one test window, step by step")
n_test = len(run.prepared.parts["test"])
i = st.slider("Test window", 1, n_test, n_test, key=f"{PAGE}_window_pick")
show.caption("The last W values are read one step at a time; the forecast is read from h at "
             "the last step. Inputs are scaled to 0 to 1 with the training part's scaler.")
# the shared step-through writes only the recurrent pages' URL names: put this page's back
recurrent.step_through(PAGE, recurrent.TraceLesson(run, run.window_trace(i - 1)),
                       extra=lambda t, unit: UI.save())
