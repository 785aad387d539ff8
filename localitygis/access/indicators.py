"""Journey-time indicators in the style of the DfT's Journey Time Statistics.

For each area (small area, parish, locality) and each kind of destination (the hubs, and
each asset category: GP surgery, school, library…): the population-weighted average of the
minimum minutes to the nearest one, and the share of the population within 15 and 30
minutes. Times are by road from each population point (:func:`travel_times`); points the
network cannot route are left out and listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.access.matrix import travel_times
from localitygis.access.network import RoadNetwork
from localitygis.errors import DataError

__all__ = ["JourneyTimes", "journey_time_indicators"]

COUNTY = "County"
HUB = "hub"


@dataclass(frozen=True)
class JourneyTimes:
    """Journey-time indicators per area and destination.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per area (and a last ``"County"`` row) and destination: the area column,
        ``destination``, ``population``, ``mean_minutes`` (average minimum minutes),
        ``within_15``, ``within_30`` (shares 0–1, one column per threshold) and
        ``unreachable`` (people with no such destination by road).
    points : geopandas.GeoDataFrame
        The routed population points with ``minutes_to_<destination>``.
    rejects : pandas.DataFrame
        Population points and destinations the network could not route, with the reason.
    """

    table: pd.DataFrame
    points: gpd.GeoDataFrame
    rejects: pd.DataFrame

    def wide(self) -> pd.DataFrame:
        """One row per area: ``<measure>_<destination>`` columns, for the profiles."""
        key = self.table.columns[0]
        measures = [c for c in self.table.columns if c not in (key, "destination", "population")]
        wide = self.table.pivot(index=key, columns="destination", values=measures)
        wide.columns = [f"{m}_{d}" for m, d in wide.columns]
        people = self.table.groupby(key, sort=False)["population"].first()
        return wide.join(people).reindex(people.index).reset_index()


def journey_time_indicators(
    network: RoadNetwork,
    population: gpd.GeoDataFrame,
    *,
    assets: gpd.GeoDataFrame | None = None,
    hubs: gpd.GeoDataFrame | None = None,
    by: str = "locality",
    category_column: str = "category",
    thresholds: Sequence[float] = (15.0, 30.0),
) -> JourneyTimes:
    """Average minimum minutes to the nearest hub and each asset category, per area.

    Parameters
    ----------
    network : RoadNetwork
    population : geopandas.GeoDataFrame
        Population points with ``population`` and the ``by`` column (e.g.
        :func:`localitygis.hubs.population_points`).
    assets : geopandas.GeoDataFrame, optional
        Destinations with a category column; one indicator per category.
    hubs : geopandas.GeoDataFrame, optional
        Hubs; the indicator ``"hub"``.
    by : str, default "locality"
        The area column of ``population`` (``"parish_code"``, ``"locality"``, an output
        area code…).
    category_column : str, default "category"
    thresholds : sequence of float, default (15, 30)
        Minutes for the ``within_<m>`` shares.

    Returns
    -------
    JourneyTimes

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from localitygis.access import road_network
    >>> roads = gpd.GeoDataFrame({"speed": [60.0]}, geometry=[
    ...     LineString([(350_000, 240_000), (370_000, 240_000)])], crs=27700)
    >>> people = gpd.GeoDataFrame(
    ...     {"population": [100.0, 300.0], "locality": ["West", "East"]},
    ...     geometry=[Point(350_000, 240_000), Point(370_000, 240_000)], crs=27700)
    >>> gp = gpd.GeoDataFrame({"category": ["GP surgery"]},
    ...                       geometry=[Point(351_000, 240_000)], crs=27700)
    >>> result = journey_time_indicators(road_network(roads, speed_column="speed"), people,
    ...                                  assets=gp)
    >>> result.table[["locality", "destination", "mean_minutes", "within_15", "within_30"]]
      locality destination  mean_minutes  within_15  within_30
    0     East  GP surgery          19.0       0.00       1.0
    1     West  GP surgery           1.0       1.00       1.0
    2   County  GP surgery          14.5       0.25       1.0
    """
    destinations = _destinations(assets, hubs, category_column)
    if by not in population.columns or "population" not in population.columns:
        raise DataError(f"population needs columns population and {by!r} (population_points).")
    people = population.reset_index(drop=True)
    times = travel_times(network, people, destinations)
    routed = times.origins.ok
    points = people[routed].copy()
    kinds = destinations["destination"].to_numpy()
    for kind in pd.unique(kinds):
        columns = times.minutes[np.ix_(routed, (kinds == kind) & times.destinations.ok)]
        nearest = columns.min(axis=1) if columns.shape[1] else np.full(routed.sum(), np.inf)
        points[f"minutes_to_{kind}"] = nearest
    table = _table(points, by, list(pd.unique(kinds)), thresholds)
    return JourneyTimes(table=table, points=points, rejects=times.rejects)


def _destinations(
    assets: gpd.GeoDataFrame | None, hubs: gpd.GeoDataFrame | None, category_column: str
) -> gpd.GeoDataFrame:
    parts = []
    if hubs is not None:
        parts.append(
            gpd.GeoDataFrame(
                {"destination": np.full(len(hubs), HUB, dtype=object)},
                geometry=hubs.geometry.values,
                crs=hubs.crs,
            )
        )
    if assets is not None:
        if category_column not in assets.columns:
            raise DataError(f"assets need a {category_column!r} column (the destination kind).")
        kinds = assets[category_column].astype(str).to_numpy()
        parts.append(
            gpd.GeoDataFrame(
                {"destination": kinds}, geometry=assets.geometry.values, crs=assets.crs
            )
        )
    if not parts:
        raise DataError("give assets=... and/or hubs=... as destinations.")
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def _table(
    points: gpd.GeoDataFrame, by: str, kinds: list[str], thresholds: Sequence[float]
) -> pd.DataFrame:
    areas = points[by].astype(object).where(points[by].notna(), "(none)").astype(str)
    people = points["population"].to_numpy(dtype=float)
    rows = []
    for kind in kinds:
        minutes = points[f"minutes_to_{kind}"].to_numpy()
        for area in [*sorted(set(areas)), COUNTY]:
            mask = np.ones(len(points), bool) if area == COUNTY else (areas == area).to_numpy()
            rows.append(
                {
                    by: area,
                    "destination": kind,
                    **_measures(people[mask], minutes[mask], thresholds),
                }
            )
    return pd.DataFrame(rows)


def _measures(people: np.ndarray, minutes: np.ndarray, thresholds: Sequence[float]) -> dict:
    total = float(people.sum())
    reached = np.isfinite(minutes)
    weight = people[reached].sum()
    mean = float((people[reached] * minutes[reached]).sum() / weight) if weight else np.nan
    shares = {
        f"within_{t:g}": round(float(people[minutes <= t].sum() / total), 4) if total else np.nan
        for t in thresholds
    }
    return {
        "population": total,
        "mean_minutes": round(mean, 2),
        **shares,
        "unreachable": float(people[~reached].sum()),
    }
