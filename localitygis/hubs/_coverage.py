"""Population coverage by hubs (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
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
from localitygis.hubs._cost import Cost, network_minutes, no_rejects
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
        ``mean_distance_m`` (population-weighted distance to the nearest hub), and
        ``mean_minutes`` by road when measured on a road network.
    unserved : pandas.DataFrame
        Parishes with less than ``unserved_below`` of their population covered:
        ``parish_code``, ``parish_name``, ``locality``, ``population``, ``covered``,
        ``share``, ``nearest_hub``, ``distance_m`` (from the parish's nearest point).
    points : geopandas.GeoDataFrame
        The population points with ``nearest_hub``, ``distance_m`` and ``covered`` (and
        ``minutes`` to the nearest hub by road, when measured on a road network).
    by : str
        The grouping of ``table``.
    rejects : pandas.DataFrame
        Population points and hubs the road network could not route, with the reason.
    """

    table: pd.DataFrame
    unserved: pd.DataFrame
    points: gpd.GeoDataFrame
    by: str
    rejects: pd.DataFrame = field(default_factory=no_rejects)

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
    minutes: float | None = None,
    reach: HubReach | None = None,
    by: Literal["locality", "tier", "parish"] = "locality",
    unserved_below: float = 0.5,
    cost: Cost = None,
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
    minutes : float, optional
        With a road network: one reach for every hub in minutes by road. By default each
        hub reaches the minutes of its tier (``reach``: rural 15, market town 20, city 10).
    reach : HubReach, optional
        Defaults to ``HubReach()``; used when ``distance`` (or ``minutes``) is not given.
    by : {"locality", "tier", "parish"}
        How to group the summary.
    unserved_below : float, default 0.5
        A parish is unserved when less than this share of its population is covered.
    cost : RoadNetwork or TravelTimes, optional
        Measure reach in minutes by road (travel times from ``population`` to ``hubs``)
        instead of straight-line metres; points the network cannot route are left out and
        listed in ``rejects``.

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
    people, key = _check_inputs(hubs, population, by)
    reached = _reach_by_road(hubs, population, minutes, reach, cost)
    if reached is None:
        if minutes is not None:
            raise DataError("minutes=... needs a road network: cost=read_roads(...).")
        reached = _reach_straight(hubs, population, distance, reach)
    hub_ids = _ids(hubs.reset_index(drop=True), "hub ")
    points = population[reached.routed].copy()
    points["nearest_hub"] = pd.array(hub_ids[reached.nearest], dtype="str")
    points["distance_m"] = reached.distance.round(1)
    if reached.minutes is not None:
        points["minutes"] = reached.minutes.round(2)
    points["covered"] = reached.covered
    people = people[reached.routed]
    summary = _summary(points, people, key, reached)
    unserved = _unserved(points, people, reached.covered, reached.distance, unserved_below)
    return CoverageResult(
        table=summary, unserved=unserved, points=points, by=by, rejects=reached.rejects
    )


@dataclass(frozen=True)
class _Reached:
    """For each routed point: its nearest hub, distance, minutes by road, and if covered."""

    routed: np.ndarray
    nearest: np.ndarray
    distance: np.ndarray
    minutes: np.ndarray | None
    covered: np.ndarray
    rejects: pd.DataFrame


def _check_inputs(
    hubs: gpd.GeoDataFrame, population: gpd.GeoDataFrame, by: str
) -> tuple[np.ndarray, str]:
    _point_layer(hubs, "hubs")
    people = _check_population(population)
    if len(hubs) == 0:
        raise DataError("hubs is empty: give at least one hub point.")
    if by not in ("locality", "tier", "parish"):
        raise DataError(f'by must be "locality", "tier" or "parish", not {by!r}.')
    key = "parish_code" if by == "parish" else by
    _require(population, [key], "population", "Use population_points(parishes, ...).")
    return people, key


def _tier_reach(hubs: gpd.GeoDataFrame, reach: HubReach, what: str) -> np.ndarray:
    hint = "Give hubs a tier, or pass distance=... metres (minutes=... by road)."
    _require(hubs, ["tier"], "hubs", hint)
    values = [getattr(reach.for_tier(int(t)), what) for t in _tiers(hubs, "hubs")]
    if any(v is None for v in values):
        raise DataError(f"a hub's tier has no reach in {what}; give {what}=... or set it.")
    return np.array(values, dtype=float)


def _reach_straight(
    hubs: gpd.GeoDataFrame, population: gpd.GeoDataFrame, distance: float | None, reach: HubReach
) -> _Reached:
    hxy = _xy(hubs)
    if distance is not None:
        require_distance(distance)
        limits = np.full(len(hubs), float(distance))
    else:
        limits = _tier_reach(hubs, reach, "distance")
    pxy = _xy(population)
    dist, nearest = _nearest(pxy, hxy)
    # covered by any hub within its own reach (reach differs by tier)
    covered = np.zeros(len(pxy), dtype=bool)
    tree = cKDTree(pxy)
    for limit in np.unique(limits):
        for found in tree.query_ball_point(hxy[limits == limit], r=limit):
            covered[np.asarray(found, dtype=np.int64)] = True
    routed = np.ones(len(pxy), dtype=bool)
    return _Reached(routed, nearest, dist, None, covered, no_rejects())


def _reach_by_road(
    hubs: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    minutes: float | None,
    reach: HubReach,
    cost: Cost,
) -> _Reached | None:
    times = network_minutes(
        cost, population.reset_index(drop=True), hubs.reset_index(drop=True), places="hubs"
    )
    if times is None:
        return None
    if minutes is not None:
        require_distance(minutes, "minutes")
        limits = np.full(len(hubs), float(minutes))
    else:
        limits = _tier_reach(hubs, reach, "minutes")
    matrix = np.where(times.sites_ok[None, :], times.minutes, np.inf)[times.people_ok]
    if not times.sites_ok.any():
        raise DataError("no hub is on the road network (see the rejects); check the roads.")
    nearest = np.argmin(matrix, axis=1)
    best = matrix[np.arange(len(matrix)), nearest]
    covered = (matrix <= limits[None, :]).any(axis=1)
    pxy, hxy = _xy(population)[times.people_ok], _xy(hubs)[nearest]
    dist = np.linalg.norm(pxy - hxy, axis=1)
    return _Reached(times.people_ok, nearest, dist, best, covered, times.rejects)


def _summary(points: gpd.GeoDataFrame, people: np.ndarray, key: str, reached: _Reached):
    groups = points[key].astype(object).where(points[key].notna(), "(none)").astype(str)
    frame = pd.DataFrame(
        {
            key: groups.to_numpy(),
            "population": people,
            "covered": np.where(reached.covered, people, 0.0),
            "weighted": people * reached.distance,
        }
    )
    if reached.minutes is not None:
        frame["weighted_minutes"] = people * reached.minutes
    summary = frame.groupby(key, sort=True).sum().reset_index()
    county = frame.drop(columns=key).sum().to_frame().T
    county.insert(0, key, COUNTY)
    summary = pd.concat([summary, county], ignore_index=True)
    summary["uncovered"] = summary["population"] - summary["covered"]
    summary["share"] = _share(summary["covered"], summary["population"])
    summary["mean_distance_m"] = _per_person(summary, "weighted").round(1)
    if reached.minutes is not None:
        summary["mean_minutes"] = _per_person(summary, "weighted_minutes").round(2)
    summary = summary.drop(columns=["weighted", "weighted_minutes"], errors="ignore")
    if key == "tier":
        summary["tier"] = summary["tier"].astype(str)
    return summary


def _per_person(summary: pd.DataFrame, column: str) -> np.ndarray:
    return np.divide(
        summary[column].to_numpy(dtype=float),
        summary["population"].to_numpy(dtype=float),
        out=np.full(len(summary), np.nan),
        where=summary["population"].to_numpy(dtype=float) > 0,
    )


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
