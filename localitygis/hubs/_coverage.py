"""Population coverage by hubs (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from localitygis._validate import require_distance
from localitygis.errors import DataError, warn_renamed
from localitygis.hubs._common import (
    COUNTY,
    _check_population,
    _ids,
    _nearest,
    _point_layer,
    _require,
    _share,
    _tiers,
    _xy,
)
from localitygis.hubs._reach import HubReach

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CoverageResult:
    """Population within reach of a hub.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per area (locality, tier or parish, as asked) and a last ``"County"`` row:
        ``population``, ``covered``, ``uncovered``, ``share`` (0–1),
        ``mean_distance_m`` (population-weighted distance to the nearest hub).
    unserved : pandas.DataFrame
        Parishes with less than ``unserved_below`` of their population covered:
        ``parish_code``, ``parish_name``, ``locality``, ``population``, ``covered``,
        ``share``, ``nearest_hub``, ``distance_m`` (from the parish's nearest point).
    points : geopandas.GeoDataFrame
        The population points with ``nearest_hub``, ``distance_m`` and ``covered``.
    by : str
        The grouping of ``table``.
    """

    table: pd.DataFrame
    unserved: pd.DataFrame
    points: gpd.GeoDataFrame
    by: str

    @property
    def county_share(self) -> float:
        """Share of the county's population within reach of a hub."""
        return float(self.table["share"].iloc[-1])

    @property
    def summary(self) -> pd.DataFrame:
        """Deprecated name of :attr:`table` (``summary()`` is a text method elsewhere)."""
        warn_renamed("CoverageResult.summary", "CoverageResult.table")
        return self.table


def population_coverage(
    hubs: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    *,
    distance: float | None = None,
    reach: HubReach | None = None,
    by: Literal["locality", "tier", "parish"] = "locality",
    unserved_below: float = 0.5,
) -> CoverageResult:
    """Share of the population within reach of a hub, per area and county-wide.

    Parameters
    ----------
    hubs : geopandas.GeoDataFrame
        Hub points in EPSG:27700 (``hub_id``, ``asset_id`` or the index names them); with
        ``tier`` when ``distance`` is not given.
    population : geopandas.GeoDataFrame
        Population points from :func:`population_points`.
    distance : float, optional
        One reach for every hub, in metres. By default each hub reaches the distance of its
        tier (``reach``).
    reach : HubReach, optional
        Defaults to ``HubReach()``; used when ``distance`` is not given.
    by : {"locality", "tier", "parish"}
        How to group the summary.
    unserved_below : float, default 0.5
        A parish is unserved when less than this share of its population is covered.

    Returns
    -------
    CoverageResult

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> hubs = gpd.GeoDataFrame({"hub_id": ["H1"]}, geometry=[Point(0, 0)], crs=27700)
    >>> people = gpd.GeoDataFrame(
    ...     {"population": [600.0, 400.0], "locality": ["A", "B"],
    ...      "parish_code": ["E1", "E2"], "parish_name": ["Ash", "Elm"]},
    ...     geometry=[Point(1000, 0), Point(9000, 0)], crs=27700)
    >>> result = population_coverage(hubs, people, distance=5000)
    >>> result.table[["locality", "population", "covered", "share"]]
       locality  population  covered  share
    0         A       600.0    600.0    1.0
    1         B       400.0      0.0    0.0
    2    County      1000.0    600.0    0.6
    >>> result.unserved["parish_name"].tolist()
    ['Elm']
    """
    reach = reach or HubReach()
    _point_layer(hubs, "hubs")
    people = _check_population(population)
    if len(hubs) == 0:
        raise DataError("hubs is empty: give at least one hub point.")
    if by not in ("locality", "tier", "parish"):
        raise DataError(f'by must be "locality", "tier" or "parish", not {by!r}.')
    key = "parish_code" if by == "parish" else by
    _require(population, [key], "population", "Use population_points(parishes, ...).")
    hxy = _xy(hubs)
    hub_ids = _ids(hubs.reset_index(drop=True), "hub ")
    if distance is not None:
        require_distance(distance)
        limits = np.full(len(hubs), float(distance))
    else:
        _require(hubs, ["tier"], "hubs", "Give hubs a tier, or pass distance=... metres.")
        limits = np.array([reach.for_tier(int(t)).distance for t in _tiers(hubs, "hubs")])
    pxy = _xy(population)
    dist, nearest = _nearest(pxy, hxy)
    # covered by any hub within its own reach (reach differs by tier)
    covered = np.zeros(len(pxy), dtype=bool)
    tree = cKDTree(pxy)
    for limit in np.unique(limits):
        group = limits == limit
        for found in tree.query_ball_point(hxy[group], r=limit):
            covered[np.asarray(found, dtype=np.int64)] = True
    points = population.copy()
    points["nearest_hub"] = pd.array(hub_ids[nearest], dtype="str")
    points["distance_m"] = dist.round(1)
    points["covered"] = covered

    groups = points[key].astype(object).where(points[key].notna(), "(none)").astype(str)
    frame = pd.DataFrame(
        {
            key: groups.to_numpy(),
            "population": people,
            "covered": np.where(covered, people, 0.0),
            "weighted": people * dist,
        }
    )
    summary = frame.groupby(key, sort=True).sum().reset_index()
    county = pd.DataFrame(
        {
            key: [COUNTY],
            "population": [people.sum()],
            "covered": [frame["covered"].sum()],
            "weighted": [frame["weighted"].sum()],
        }
    )
    summary = pd.concat([summary, county], ignore_index=True)
    summary["uncovered"] = summary["population"] - summary["covered"]
    summary["share"] = _share(summary["covered"], summary["population"])
    summary["mean_distance_m"] = np.divide(
        summary["weighted"].to_numpy(),
        summary["population"].to_numpy(),
        out=np.full(len(summary), np.nan),
        where=summary["population"].to_numpy() > 0,
    ).round(1)
    summary = summary.drop(columns="weighted")
    if key == "tier":
        summary["tier"] = summary["tier"].astype(str)
    unserved = _unserved(points, people, covered, dist, unserved_below)
    return CoverageResult(table=summary, unserved=unserved, points=points, by=by)


def _unserved(
    points: gpd.GeoDataFrame,
    people: np.ndarray,
    covered: np.ndarray,
    dist: np.ndarray,
    below: float,
) -> pd.DataFrame:
    columns = ["parish_code", "parish_name", "locality"]
    present = [c for c in columns if c in points.columns]
    if "parish_code" not in present:
        return pd.DataFrame(
            columns=[*columns, "population", "covered", "share", "nearest_hub", "distance_m"]
        )
    frame = pd.DataFrame(points[present]).copy()
    frame["population"] = people
    frame["covered"] = np.where(covered, people, 0.0)
    frame["any_covered"] = covered
    frame["nearest_hub"] = points["nearest_hub"].to_numpy()
    frame["distance_m"] = dist.round(1)
    order = frame.sort_values(["parish_code", "distance_m"], kind="stable")
    first = order.drop_duplicates("parish_code").set_index("parish_code")
    sums = frame.groupby("parish_code")[["population", "covered"]].sum()
    anyc = frame.groupby("parish_code")["any_covered"].any()
    table = first.drop(columns=["population", "covered", "any_covered"]).join(sums)
    share = _share(table["covered"], table["population"])
    # a parish with nobody in it counts as served when a point of it is in reach
    share = np.where(table["population"].to_numpy() > 0, share, anyc.loc[table.index].astype(float))
    table["share"] = share.round(4)
    table = table[table["share"] < below].reset_index()
    keep = [*present, "population", "covered", "share", "nearest_hub", "distance_m"]
    return (
        table[keep]
        .sort_values(["distance_m", "parish_code"], ascending=[False, True])
        .reset_index(drop=True)
    )
