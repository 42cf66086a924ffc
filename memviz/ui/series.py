"""Streamlit panel of the Forecasting lesson: the series (built in or uploaded) and the settings,
kept in the URL as one table (an uploaded file is not: a link cannot carry it)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import streamlit as st

from memviz import uploads
from memviz.config import Choice, ConfigError, Int
from memviz.series import data, forecast
from memviz.ui import lang, urlstate
from memviz.ui.lang import t
from memviz.ui.show import literal

# message keys written out, so that grep and the catalogue test see each one
SHORT_KEYS = {"seattle_weather": "series.short.seattle_weather",
    "seattle_temps": "series.short.seattle_temps", "stocks": "series.short.stocks"}

PAGE = "series"
UPLOAD = "upload"  # the selectbox's value for "upload a CSV" (never a built-in series' name)
D = forecast.ForecastConfig()


@dataclass(frozen=True)
class Named(Choice):
    """A Choice of names read from a link in any case (stocks-aapl is stocks-AAPL)."""

    def parse(self, text: str) -> Any:
        """The setting from a link's text."""
        by_lower = {c.lower(): c for c in self.choices}
        return self.check(by_lower.get(text.strip().lower(), text))


@functools.cache
def columns_of(name: str) -> tuple[str, ...]:
    """A built-in series' columns (read once: the files ship with the package)."""
    return tuple(data.load_builtin(name).columns)


def default_target(name: str) -> str:
    """The column forecast unless the student picks another (document 002's temperature)."""
    cols = columns_of(name)
    return D.target if D.target in cols else cols[0]


def _target_fits(v: dict) -> None:
    """A link's target must be a column of its series."""
    cols = columns_of(v["data"])
    if v["target"] not in cols:
        raise ConfigError(t("series.err.no_column", name=v["data"], column=v["target"],
                            columns=", ".join(cols)))


S = urlstate.Setting
TABLE = urlstate.Table(PAGE, [
    S("data", Named("series", tuple(data.BUILTIN)), D.data),
    S("target", Choice("target", tuple(dict.fromkeys(
        c for name in data.BUILTIN for c in columns_of(name)))), D.target),
    S("window", Int("window W", *forecast.WINDOW_RANGE), D.window),
    S("horizon", Int("forecast steps ahead", 1, 7), D.horizon),
    S("arch", Choice("cell", ("lstm", "gru")), D.arch),
    S("hidden", Choice("hidden size", (4, 8, 16, 32, 64)), D.hidden),
    S("epochs", Int("epochs", 5, 300, 5), D.epochs),
    S("seed", Int("seed", 0, 10_000), D.seed),
], check=_target_fits)


def _link_target() -> None:
    """A link naming a series but no target gets that series' own default target."""
    q = st.query_params
    if urlstate.FIRST_RUN_DONE in st.session_state or "data" not in q or "target" in q:
        return
    try:
        urlstate.write("target", default_target(TABLE["data"].parse(q["data"])))
    except ConfigError:
        pass  # the bad series is reported with the link's other problems


def _new_series() -> None:
    """A newly chosen built-in series starts from its own default target."""
    name = st.session_state[TABLE.key("data")]
    if name in data.BUILTIN:
        st.session_state[TABLE.key("target")] = default_target(name)


def _series_label(name: str) -> str:
    """A series as the selectbox shows it (the upload choice in words)."""
    if name == UPLOAD:
        return t("series.ui.upload_option")
    return t("series.short.stocks", symbol=name.split("-", 1)[1]) if name.startswith(
        "stocks-") else t(SHORT_KEYS[name.replace('-', '_')])


def _labels(fn, options) -> dict:
    """Options' labels in this run's language, looked up by format_func (a widget may format
    its options again after the run, outside this run's language)."""
    return {o: fn(o) for o in options}


def _upload(c1, c2) -> tuple[data.Series | None, str | None]:
    """The uploaded series and its target column (None until a usable file is given)."""
    up = c1.file_uploader(t("series.ui.file"), type=["csv"], key=f"{PAGE}_file",
                          max_upload_size=uploads.widget_mb(data.MAX_UPLOAD_BYTES))
    if up is None:
        return None, None
    raw = up.getvalue()
    df = data.read_csv(raw)
    date_col = data.guess_date_column(df)
    numeric = data.numeric_columns(df)
    target = c2.selectbox(t("series.ui.csv_target"), numeric, key=f"{PAGE}_csv_target",
                          placeholder=lang.placeholder(numeric))
    season = c2.number_input(t("series.ui.season"), 0, 10_000, 0, key=f"{PAGE}_season")
    st.caption(t("series.ui.dates_from", column=literal(repr(date_col))) if date_col else
               t("series.ui.no_dates"))
    return data.load_upload(raw, target, date_col, int(season)), target


def settings() -> tuple[data.Series, forecast.ForecastConfig | None, bool] | None:
    """The series and settings widgets as (series, validated config or None with a message,
    whether a shared link opened this setup, which then trains at once); None until there is a
    usable series. Call inside the Settings expander."""
    _link_target()
    TABLE.start()
    c1, c2, c3 = st.columns(3)
    names = _labels(_series_label, [*data.BUILTIN, UPLOAD])
    name = c1.selectbox(t("series.ui.series"), list(names), key=TABLE.key("data"),
                        on_change=_new_series, format_func=names.get)
    series = target = None
    try:
        if name == UPLOAD:
            series, target = _upload(c1, c2)
        else:
            series = data.load_builtin(name)
            target = c2.selectbox(t("series.ui.target"), series.columns, key=TABLE.key("target"),
                                  format_func=_labels(data.column_label, series.columns).get)
    except ConfigError as e:
        st.error(t("series.ui.bad_file", reason=literal(e)))  # it may quote the file
    others = [c for c in series.columns if c != target] if series else []
    extra = c3.multiselect(t("series.ui.extra"), others, key=f"{PAGE}_extra",
                           placeholder=lang.placeholder(others),
                           format_func=_labels(data.column_label, series.columns if series
                                               else []).get)
    d1, d2, d3, d4 = st.columns(4)
    window = TABLE.slider(d1, t("series.ui.window"), "window", help=t("series.ui.window_help"))
    horizon = TABLE.slider(d2, t("series.ui.horizon"), "horizon")
    arch = TABLE.choice(d3, t("series.ui.cell"), "arch", "radio", horizontal=True,
                        format_func=str.upper)
    hidden = TABLE.slider(d4, t("series.ui.hidden"), "hidden")
    e1, e2 = st.columns(2)
    epochs = TABLE.slider(e1, t("series.ui.epochs"), "epochs")
    seed = TABLE.number(e2, t("series.ui.seed"), "seed")
    save()
    if series is None:
        return None
    try:
        cfg = forecast.ForecastConfig(series.name, target, tuple(extra), window, horizon, arch,
                                      hidden, epochs, seed=int(seed))
        forecast.prepare(cfg, series)
    except ConfigError as e:
        st.error(t("series.ui.bad_settings", reason=literal(e)))
        return series, None, False
    # a link names no extra inputs and no file: only its own setup trains at once
    return series, cfg, TABLE.from_link() and not extra and name != UPLOAD


def save() -> None:
    """Write the settings to the URL; an uploaded file's name and columns stay out of it."""
    if st.session_state.get(TABLE.key("data")) != UPLOAD:
        TABLE.save()
        return
    TABLE.save([n for n in TABLE.settings if n not in ("data", "target")])
    for name in ("data", "target"):
        urlstate.drop(name)
