"""Synapses' drawing grid: a cell the student empties is off in the simulation too (issue 12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from streamlit.elements.lib.column_config_utils import determine_dataframe_schema
from streamlit.elements.widgets.data_editor import _apply_cell_edits

from memviz.synapses import model as S


def _edit(grid: pd.DataFrame, edits: dict) -> pd.DataFrame:
    """Apply edits the way st.data_editor applies the browser's (None = a deleted cell)."""
    grid = grid.copy()
    _apply_cell_edits(grid, edits, determine_dataframe_schema(grid, pa.Table.from_pandas(grid)
                                                              .schema))
    return grid


def test_an_emptied_cell_is_off_in_the_run_as_on_the_grid():
    cfg = S.SynapseConfig(n=4, steps=6)
    x = S.pattern("repeated", cfg)  # (T, n)
    i = int(S.group(cfg)[0])  # a neuron that fires at step 1
    assert x[0, i] == 1
    grid = pd.DataFrame(x.T > 0, columns=[str(t) for t in range(1, 7)]).astype("boolean")
    edited = _edit(grid, {i: {"1": None}, (i + 1) % 4: {"2": True}})
    assert pd.isna(edited.iloc[i, 0])  # what the grid shows: a blank cell
    drawn = S.pattern_from_cells(edited.to_numpy(dtype=object))
    assert drawn[0, i] == 0 and drawn[1, (i + 1) % 4] == 1  # what the simulation uses
    assert np.array_equal(np.delete(drawn, [0, 1], axis=0), np.delete(x, [0, 1], axis=0))
    S.simulate_all(drawn, cfg)  # and it runs


def test_a_plain_bool_grid_would_have_kept_the_deleted_cell():
    """Why the grid is nullable: pandas refuses None in a bool column and the edit is dropped."""
    grid = pd.DataFrame([[True, False]], columns=["1", "2"])
    assert bool(_edit(grid, {0: {"1": None}}).iloc[0, 0]) is True
