"""Shared checks and helpers of the hubs package (private)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from localitygis._validate import listing, require_bng, require_points
from localitygis.errors import DataError

log = logging.getLogger(__name__)


COUNTY = "County"


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    geoms = frame.geometry.array
    return np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)]).astype(np.float64)


def _ids(frame: pd.DataFrame, prefix: str = "") -> np.ndarray:
    """Identify rows: ``hub_id``, ``asset_id``, ``candidate_id`` or the index."""
    for column in ("hub_id", "asset_id", "candidate_id"):
        if column in frame.columns:
            values = frame[column]
            if values.notna().all() and values.astype(str).is_unique:
                return values.astype(str).to_numpy(dtype=object)
    return np.array([f"{prefix}{i}" for i in frame.index.astype(str)], dtype=object)


def _require(frame: pd.DataFrame, columns: Sequence[str], source: str, hint: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source} lacks column(s) {', '.join(missing)}; it has: "
            f"{', '.join(map(str, frame.columns))}. {hint}"
        )


def _point_layer(frame: gpd.GeoDataFrame, source: str, label: str | None = None) -> None:
    require_bng(frame, source)
    require_points(frame, source, label=label)


def _population_column(frame: pd.DataFrame, source: str) -> np.ndarray:
    values = pd.to_numeric(frame["population"], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy()) + 1
        raise DataError(
            f"{source}: population missing, not a number or negative in {len(rows)} "
            f"feature(s) (numbers {listing(rows)}, counting from 1). Fill in a count of "
            "people (0 is allowed)."
        )
    return values.to_numpy(dtype=np.float64)


def _tiers(frame: pd.DataFrame, source: str) -> np.ndarray:
    values = pd.to_numeric(frame["tier"], errors="coerce")
    if values.isna().any():
        rows = np.flatnonzero(values.isna().to_numpy()) + 1
        raise DataError(
            f"{source}: tier missing in feature(s) {listing(rows)} (counting from 1); "
            "locate the sites in their locality first (localitygis.assets)."
        )
    return values.to_numpy(dtype=np.int64)


def _objects_or_none(series: pd.Series) -> np.ndarray:
    """Return the values as an object array, with None for missing ones (not stripped)."""
    return series.astype(object).where(series.notna(), None).to_numpy(dtype=object)


def _check_population(population: gpd.GeoDataFrame, source: str = "population") -> np.ndarray:
    _point_layer(population, source)
    _require(
        population,
        ["population"],
        source,
        "Build population points with localitygis.hubs.population_points(parishes, ...).",
    )
    return _population_column(population, source)


def _share(part: pd.Series, whole: pd.Series) -> np.ndarray:
    return np.divide(
        part.to_numpy(dtype=float),
        whole.to_numpy(dtype=float),
        out=np.zeros(len(part)),
        where=whole.to_numpy(dtype=float) > 0,
    ).clip(0.0, 1.0)


def _nearest(xy: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(sites) == 0:
        return np.full(len(xy), np.inf), np.zeros(len(xy), dtype=np.int64)
    dist, idx = cKDTree(sites).query(xy, k=1)
    return np.asarray(dist, dtype=np.float64), np.asarray(idx, dtype=np.int64)
