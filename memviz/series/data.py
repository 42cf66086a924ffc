"""Real series that ship offline (vega_datasets' local files) and the student's own CSV.

Every loader returns a Series: a date-indexed frame of numeric columns, with the missing values
it found counted per column and filled by linear interpolation in time (said on screen, never
silently dropped). Bad input raises ConfigError with a sentence a student can act on.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from memviz.config import ConfigError
from memviz.i18n import t
from memviz.uploads import Upload, carried, is_upload

# message keys written out, so that grep and the catalogue test see each one
COLUMN_KEYS = {"temp_max": "series.column.temp_max", "temp_min": "series.column.temp_min",
    "precipitation": "series.column.precipitation", "wind": "series.column.wind",
    "temp": "series.column.temp", "price": "series.column.price"}
BUILTIN_KEYS = {"seattle_weather": "series.builtin.seattle_weather",
    "seattle_temps": "series.builtin.seattle_temps", "stocks": "series.builtin.stocks",
    "upload": "series.builtin.upload"}
EMPTY_KEYS = {"empty": "series.err.column_empty", "not_numeric": "series.err.column_not_numeric"}

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # 2 MB: a class's CSV, not a data warehouse
MIN_ROWS = 30  # fewer rows leave too few windows for a train/validation/test split
STOCK_SYMBOLS = ("AAPL", "AMZN", "GOOG", "IBM", "MSFT")

# name -> its season length in steps (the period seasonal persistence uses); what each series
# is, in words, lives in the catalogue (series.builtin.*)
BUILTIN = {
    "seattle-weather": 365,
    "seattle-temps": 24,
    **{f"stocks-{s}": 12 for s in STOCK_SYMBOLS},
}
# words for the built-in series' columns (an upload's columns are shown as the file names them)
COLUMN_WORDS = ("temp_max", "temp_min", "precipitation", "wind", "temp", "price")


def column_label(column: str) -> str:
    """A column as the student reads it: 'temp_max (最高气温)' in Chinese, the name in English."""
    return t(COLUMN_KEYS[column]) if column in COLUMN_WORDS else str(column)


@dataclass(frozen=True)
class Series:
    """Numeric columns indexed by time; `missing` counts what was interpolated per column."""

    name: str
    frame: pd.DataFrame  # (N, columns), float, no NaN left
    missing: dict[str, int]
    season: int  # steps per season; 0 = no known season

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def describe(self) -> str:
        """What the series is, in the current language (an upload is 'your CSV')."""
        if self.name.startswith("stocks-"):
            return t("series.builtin.stocks", symbol=self.name.split("-", 1)[1])
        if self.name in BUILTIN:
            return t(BUILTIN_KEYS[self.name.replace('-', '_')])
        return t("series.builtin.upload")

    def missing_note(self) -> str:
        """One sentence on the missing values found and what was done with them."""
        found = {k: v for k, v in self.missing.items() if v}
        if not found:
            return t("series.missing_none")
        return t("series.missing_found", parts=", ".join(f"{k}: {v}" for k, v in found.items()))


INSTALL_VEGA = "python3 -m pip install vega_datasets"  # said in every language's message


def _vega(name: str) -> pd.DataFrame:
    """A vega_datasets frame from the package's own files (local_data never downloads)."""
    try:
        from vega_datasets import local_data
    except ImportError:  # pragma: no cover - requirements.txt installs it
        raise ConfigError(t("series.err.no_vega", command=INSTALL_VEGA)) from None
    return local_data(name)


def load_builtin(name: str) -> Series:
    """One of BUILTIN's series, checked like an upload."""
    if name not in BUILTIN:
        raise ConfigError(t("series.err.unknown_series", name=repr(name),
                            choices=", ".join(BUILTIN)))
    if name.startswith("stocks-"):
        df = _vega("stocks")
        df = df[df["symbol"] == name.split("-", 1)[1]].drop(columns="symbol")
    else:
        df = _vega(name)
    frame, missing = clean(df, "date")
    return Series(name, frame, missing, BUILTIN[name])


def _check_finite(df: pd.DataFrame, skip: str | None) -> None:
    """ConfigError naming the column and the file's line of the first inf or -inf (before any
    sorting, so the line is the one the student sees): training on one only says "diverged"."""
    for c in df.columns:
        values = pd.to_numeric(df[c], errors="coerce") if c != skip else None
        if values is None or not values.notna().any():
            continue  # the date column, or a column of text (dropped later)
        bad = np.flatnonzero(np.isinf(values.to_numpy(dtype=float)))
        if len(bad):
            raise ConfigError(t("series.err.not_finite", column=repr(c),
                                value=str(df[c].iloc[bad[0]]), line=int(bad[0]) + 2))


def _dates(df: pd.DataFrame, column: str) -> pd.Series:
    """The date column parsed, checked to exist, to hold dates and to repeat none."""
    if column not in df.columns:
        raise ConfigError(t("series.err.no_column", name=t("series.err.the_csv"),
                            column=repr(column), columns=", ".join(map(str, df.columns))))
    if pd.api.types.is_numeric_dtype(df[column]):  # pandas reads 7 as 1970-01-01 00:00:00.000000007
        raise ConfigError(t("series.err.date_numbers", column=repr(column)))
    dates = pd.to_datetime(df[column], errors="coerce")
    if dates.isna().all():
        raise ConfigError(t("series.err.no_dates", column=repr(column)))
    repeated = dates[dates.notna() & dates.duplicated(keep=False)]
    if len(repeated):  # their order within a date would be arbitrary: each row is one step
        first = repeated.iloc[0]
        raise ConfigError(t("series.err.repeated_dates", column=repr(column),
                            date=str(df[column][repeated.index[0]]),  # as the file writes it
                            times=int((repeated == first).sum()), rows=len(repeated)))
    return dates


def clean(df: pd.DataFrame, date_column: str | None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Sort by date, keep numeric columns, count and interpolate missing values, check length."""
    _check_finite(df, date_column)
    if date_column is not None:
        dates = _dates(df, date_column)
        df = df.loc[dates.notna()].assign(**{date_column: dates[dates.notna()]})
        df = df.sort_values(date_column).set_index(date_column)
    numeric = {c: pd.to_numeric(df[c], errors="coerce") for c in df.columns}
    keep = {c: s for c, s in numeric.items() if s.notna().any()}
    if not keep:
        raise ConfigError(t("series.err.no_numeric"))
    frame = pd.DataFrame(keep).astype(float)
    missing = {c: int(s.isna().sum()) for c, s in frame.items()}
    frame = frame.interpolate(method="linear", limit_direction="both")
    if len(frame) < MIN_ROWS:
        raise ConfigError(t("series.err.too_few_rows", rows=len(frame), least=MIN_ROWS))
    return frame, missing


SEPARATORS = (";", "\t", "|")  # tried, in this order, when a comma finds one column
_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _parse(raw: bytes, sep: str = ",") -> pd.DataFrame:
    """pandas' reader, its errors said in the current language (its own are English)."""
    try:
        return pd.read_csv(io.BytesIO(raw), sep=sep)
    except pd.errors.ParserError as e:
        m = _FIELDS.search(str(e))
        reason = (t("series.err.reason_fields", expected=int(m[1]), line=int(m[2]), saw=int(m[3]))
                  if m else t("series.err.reason_parse"))
    except UnicodeDecodeError:
        reason = t("series.err.reason_encoding")
    except ValueError:
        reason = t("series.err.reason_parse")
    raise ConfigError(t("series.err.unreadable", reason=reason))


def read_csv(raw: bytes) -> pd.DataFrame:
    """Parse an uploaded file as CSV (size- and type-checked), with at least one data row."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ConfigError(t("series.err.too_large", size=f"{len(raw) / 1e6:.1f}",
                            limit=f"{MAX_UPLOAD_BYTES / 1e6:.0f}"))
    if not raw.strip():
        raise ConfigError(t("series.err.empty_file"))
    if b"\x00" in raw[:4096]:
        raise ConfigError(t("series.err.binary"))
    df = _parse(raw)
    if len(df.columns) == 1:  # one column whose name holds a separator: not a comma file
        sep = next((c for c in SEPARATORS if c in str(df.columns[0])), None)
        if sep is not None:
            df = _parse(raw, sep)
    if df.empty or len(df.columns) == 0:
        raise ConfigError(t("series.err.no_rows"))
    return df


def guess_date_column(df: pd.DataFrame) -> str | None:
    """The first column whose values mostly parse as dates (None if there is none)."""
    for c in df.columns:
        if pd.api.types.is_numeric_dtype(df[c]):
            continue
        parsed = pd.to_datetime(df[c], errors="coerce", format="mixed")
        if parsed.notna().mean() > 0.9:
            return c
    return None


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns with at least one number (candidates for the target and extra inputs)."""
    return [c for c in df.columns if pd.to_numeric(df[c], errors="coerce").notna().any()]


def load_upload(raw: bytes, target: str, date_column: str | None = None,
                season: int = 0) -> Series:
    """An uploaded CSV as a Series (target checked), named by an Upload that carries the file
    to whoever trains it (a worker process reads it again from there: memviz.uploads)."""
    df = read_csv(raw)
    if target is None:  # nothing to choose from: no column holds a number
        raise ConfigError(t("series.err.no_numeric"))
    if target not in df.columns:
        raise ConfigError(t("series.err.no_column", name=t("series.err.the_csv"),
                            column=repr(target), columns=", ".join(map(str, df.columns))))
    values = pd.to_numeric(df[target], errors="coerce")
    if values.isna().all():
        kind = "empty" if df[target].isna().all() else "not_numeric"
        raise ConfigError(t(EMPTY_KEYS[kind], column=repr(target)))
    if date_column == target:
        raise ConfigError(t("series.err.date_is_target"))
    series = _uploaded(Upload(raw, date_column=date_column, season=season), df)
    if series.frame[target].nunique() == 1:  # the forecast would be a flat line, scored 0 by all
        raise ConfigError(t("series.err.constant", column=repr(target),
                            value=f"{series.frame[target].iloc[0]:g}"))
    return series


def _uploaded(upload: Upload, df: pd.DataFrame | None = None) -> Series:
    """The Series an Upload's bytes hold, read the way it says (date column, season)."""
    frame, missing = clean(read_csv(upload.raw) if df is None else df,
                           upload.option("date_column"))
    return Series(upload, frame, missing, upload.option("season", 0))


def load(name: str) -> Series:
    """A built-in series by name, or an upload from the bytes its name carries."""
    if is_upload(name):
        return _uploaded(carried(name, "series.err.upload_gone"))
    return load_builtin(name)


def as_array(series: Series, columns: list[str]) -> np.ndarray:
    """The chosen columns as a float32 array (N, len(columns)), checked to exist."""
    unknown = [c for c in columns if c not in series.frame.columns]
    if unknown:
        raise ConfigError(t("series.err.no_column", name=series.name, column=", ".join(unknown),
                            columns=", ".join(series.columns)))
    return series.frame[columns].to_numpy(dtype=np.float32)
