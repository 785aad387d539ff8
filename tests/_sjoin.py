"""One check for the locating tests: a located frame agrees with ``gpd.sjoin`` (within)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

COLUMNS = ("parish_code", "parish_name", "locality", "tier")


def assert_same_as_sjoin(out: pd.DataFrame, frame: gpd.GeoDataFrame, parishes) -> None:
    """Random points (none on a boundary) get sjoin's parish, or "outside the county"."""
    joined = gpd.sjoin(frame, parishes, predicate="within")
    assert not joined.index.duplicated().any()  # random points: none on a boundary
    inside = np.zeros(len(frame), dtype=bool)
    inside[joined.index] = True
    assert out["parish_code"].notna().to_numpy().tolist() == inside.tolist()
    for column in COLUMNS:
        found = out.loc[joined.index, column].astype(object).tolist()
        assert found == joined[column].tolist(), column
    assert out.loc[~inside, "problem"].str.startswith("outside the county").all()
