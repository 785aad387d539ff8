"""The rationalisation scenario (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from localitygis.errors import DataError, warn_renamed
from localitygis.hubs._common import (
    COUNTY,
    _check_population,
    _ids,
    _nearest,
    _point_layer,
    _require,
    _tiers,
    _xy,
)
from localitygis.hubs._cost import Cost, Minutes, network_minutes, no_rejects
from localitygis.hubs._reach import HubReach

log = logging.getLogger(__name__)


FIXED_CATEGORIES = (
    "primary_school",
    "secondary_school",
    "school",
    "fire_station",
    "hospital",
    "community_hospital",
)

STATUS_HUB = "hub"
STATUS_MOVE = "move to hub"
STATUS_STAY = "stays"


@dataclass(frozen=True)
class ScenarioResult:
    """What happens when services gather into the chosen hubs.

    Attributes
    ----------
    assets : geopandas.GeoDataFrame
        The assets considered, with ``status`` ("hub", "move to hub", "stays"),
        ``hub_id`` (the hub it would move to) and ``distance_to_hub_m``.
    table : pandas.DataFrame
        Per locality and a last ``"County"`` row: ``assets``, ``hubs``, ``moving``,
        ``staying``, ``service_points_before``/``_after``, ``mean_distance_before_m``,
        ``mean_distance_after_m``, ``change_m`` (population-weighted distance to the nearest
        service point), ``cost_released`` (sum of ``annual_cost`` of moving assets) and
        ``cost_unknown`` (moving assets without a cost).
    population : geopandas.GeoDataFrame
        The population points with ``distance_before_m`` and ``distance_after_m`` (and
        ``minutes_before``/``minutes_after`` by road with a road network).
    rejects : pandas.DataFrame
        Population points and service points the road network could not route.
    """

    assets: gpd.GeoDataFrame
    table: pd.DataFrame
    population: gpd.GeoDataFrame
    rejects: pd.DataFrame = field(default_factory=no_rejects)

    @property
    def summary(self) -> pd.DataFrame:
        """Deprecated name of :attr:`table` (``summary()`` is a text method elsewhere)."""
        warn_renamed("ScenarioResult.summary", "ScenarioResult.table")
        return self.table


def rationalisation_scenario(
    hubs: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    *,
    reach: HubReach | None = None,
    categories: Collection[str] | None = None,
    fixed_categories: Collection[str] = FIXED_CATEGORIES,
    cost: Cost = None,
) -> ScenarioResult:
    """Gather services into hubs: who moves, who stays, distance and cost.

    An asset within the gather distance of a hub (set by the hub's tier, see
    :class:`HubReach`) is a candidate to move into the nearest such hub; the others stay.
    Before, every asset is a service point; after, the hubs and the assets that stay are.
    The change in population-weighted distance to the nearest service point is reported per
    locality and county-wide, with the running cost of the moving assets (``annual_cost``)
    released.

    Parameters
    ----------
    hubs : geopandas.GeoDataFrame
        Hub points (EPSG:27700) with ``tier`` (e.g. ``HubSolution.hubs``); a hub that is an
        existing asset shares its ``asset_id`` (or ``hub_id``).
    assets : geopandas.GeoDataFrame
        Located assets (``asset_id``, ``category``, ``locality``; optional
        ``annual_cost``).
    population : geopandas.GeoDataFrame
        Population points from :func:`population_points`.
    reach : HubReach, optional
        Defaults to ``HubReach()``.
    categories : collection of str, optional
        Only these categories of asset take part (the relevant services); by default all.
    fixed_categories : collection of str
        Categories that never move; by default :data:`FIXED_CATEGORIES` (schools, fire
        stations, hospitals). Pass ``()`` to let everything move.
    cost : RoadNetwork or TravelTimes, optional
        Also measure the change in minutes by road to the nearest service point
        (``minutes_before``/``_after``; ``mean_minutes_before``/``_after`` and
        ``change_minutes`` in the summary). Which assets move is still decided by the
        straight-line gather distance.

    Returns
    -------
    ScenarioResult

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> assets = gpd.GeoDataFrame(
    ...     {"asset_id": ["lib", "hall", "far"], "category": ["library", "hall", "hall"],
    ...      "locality": ["A"] * 3, "annual_cost": [50_000.0, 8_000.0, 6_000.0]},
    ...     geometry=[Point(0, 0), Point(600, 0), Point(9000, 0)], crs=27700)
    >>> hubs = gpd.GeoDataFrame({"asset_id": ["lib"], "tier": [1]},
    ...                         geometry=[Point(0, 0)], crs=27700)
    >>> people = gpd.GeoDataFrame({"population": [100.0], "locality": ["A"]},
    ...                           geometry=[Point(600, 0)], crs=27700)
    >>> result = rationalisation_scenario(hubs, assets, people)
    >>> result.assets["status"].tolist()
    ['hub', 'move to hub', 'stays']
    >>> result.table[["locality", "moving", "cost_released", "change_m"]]
      locality  moving  cost_released  change_m
    0        A       1         8000.0     600.0
    1   County       1         8000.0     600.0
    """
    reach = reach or HubReach()
    chosen, hubs = _scenario_inputs(hubs, assets, categories)
    people = _check_population(population)
    hub_ids = _ids(hubs, "hub ")
    moves = _moves(chosen, hubs, hub_ids, reach, fixed_categories)
    out = chosen.copy()
    out["status"] = pd.array(moves.status.astype(object), dtype="str")
    out["hub_id"] = pd.array(moves.hub_id, dtype="str")
    out["distance_to_hub_m"] = np.where(moves.moving, moves.distance, np.nan).round(1)
    staying = ~moves.moving & ~moves.is_hub
    pop = population.copy()
    before, after = _nearest_service(population, chosen, hubs, staying)
    pop["distance_before_m"] = before.round(1)
    pop["distance_after_m"] = after.round(1)
    times = network_minutes(
        cost,
        population.reset_index(drop=True),
        pd.concat([chosen, hubs], ignore_index=True),
        places="service points",
    )
    if times is not None:
        pop["minutes_before"], pop["minutes_after"] = _minutes_to_service(
            times, staying, len(chosen)
        )
    summary = _scenario_summary(chosen, hubs, pop, people, moves)
    rejects = times.rejects if times is not None else no_rejects()
    return ScenarioResult(assets=out, table=summary, population=pop, rejects=rejects)


@dataclass(frozen=True)
class _Moves:
    """Which assets are hubs, which move (to which hub, how far) and the status of each."""

    is_hub: np.ndarray
    moving: np.ndarray
    hub_id: np.ndarray
    distance: np.ndarray
    status: np.ndarray


def _scenario_inputs(
    hubs: gpd.GeoDataFrame, assets: gpd.GeoDataFrame, categories: Collection[str] | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    _point_layer(hubs, "hubs")
    _require(hubs, ["tier"], "hubs", "Give each hub its tier (1, 2 or 3).")
    _point_layer(assets, "assets", label="asset_id" if "asset_id" in assets else None)
    _require(assets, ["asset_id", "category", "locality"], "assets", "Locate the assets first.")
    if len(hubs) == 0:
        raise DataError("hubs is empty: give at least one hub point.")
    chosen = assets
    if categories is not None:
        wanted = {str(c) for c in categories}
        chosen = assets[assets["category"].astype(str).isin(wanted)]
        if len(chosen) == 0:
            raise DataError(
                f"no asset has a category among {', '.join(sorted(wanted))}; categories "
                f"present: {', '.join(sorted(set(assets['category'].astype(str))))}."
            )
    return chosen.reset_index(drop=True), hubs.reset_index(drop=True)


def _moves(
    chosen: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame,
    hub_ids: np.ndarray,
    reach: HubReach,
    fixed_categories: Collection[str],
) -> _Moves:
    """Each asset moves into the nearest hub whose gather distance reaches it, if it may."""
    gather = np.array([reach.for_tier(int(t)).gather for t in _tiers(hubs, "hubs")])
    n = len(chosen)
    d_all = cdist(_xy(chosen), _xy(hubs)) if n else np.zeros((0, len(hubs)))
    masked = np.where(d_all <= gather[None, :], d_all, np.inf)
    best = masked.argmin(axis=1) if n else np.zeros(0, dtype=np.int64)
    best_d = masked[np.arange(n), best] if n else np.zeros(0)
    is_hub = np.isin(chosen["asset_id"].astype(str).to_numpy(dtype=object), hub_ids)
    fixed = chosen["category"].astype(str).isin({str(c) for c in fixed_categories}).to_numpy()
    moving = ~is_hub & np.isfinite(best_d) & ~fixed
    status = np.where(is_hub, STATUS_HUB, np.where(moving, STATUS_MOVE, STATUS_STAY))
    hub_id = np.full(n, None, dtype=object)
    hub_id[moving] = hub_ids[best[moving]]
    return _Moves(is_hub, moving, hub_id, best_d, status)


def _nearest_service(
    population: gpd.GeoDataFrame,
    chosen: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame,
    staying: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line metres to the nearest service point, before and after."""
    pxy, axy = _xy(population), _xy(chosen)
    before, _ = _nearest(pxy, axy)
    after, _ = _nearest(pxy, np.vstack([_xy(hubs), axy[staying]]))
    return before, after


def _minutes_to_service(
    times: Minutes, staying: np.ndarray, n_assets: int
) -> tuple[np.ndarray, np.ndarray]:
    """Minutes by road to the nearest service point, before and after (NaN if not routed)."""
    matrix = np.where(times.sites_ok[None, :], times.minutes, np.inf)
    after_columns = np.r_[staying, np.ones(matrix.shape[1] - n_assets, dtype=bool)]
    before = matrix[:, :n_assets].min(axis=1, initial=np.inf)
    after = matrix[:, after_columns].min(axis=1, initial=np.inf)
    routed = times.people_ok
    return np.where(routed, before, np.nan).round(2), np.where(routed, after, np.nan).round(2)


def _labels(frame: pd.DataFrame) -> np.ndarray:
    if "locality" not in frame.columns:
        return np.full(len(frame), "(none)")
    return (
        frame["locality"]
        .astype(object)
        .where(frame["locality"].notna(), "(none)")
        .astype(str)
        .to_numpy()
    )


def _weighted(people: np.ndarray, values: np.ndarray) -> float:
    known = ~np.isnan(values)
    weight = people[known].sum()
    return round(float((people[known] * values[known]).sum() / weight), 1) if weight else np.nan


def _scenario_summary(
    chosen: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame,
    pop: gpd.GeoDataFrame,
    people: np.ndarray,
    moves: _Moves,
) -> pd.DataFrame:
    cost = (
        pd.to_numeric(chosen["annual_cost"], errors="coerce").to_numpy(dtype=float)
        if "annual_cost" in chosen
        else np.full(len(chosen), np.nan)
    )
    a_loc, h_loc, p_loc = _labels(chosen), _labels(hubs), _labels(pop)
    staying = ~moves.moving & ~moves.is_hub
    rows = []
    for name in [*sorted(set(a_loc) | set(p_loc)), COUNTY]:
        a, h, p = (
            np.ones(len(x), bool) if name == COUNTY else x == name for x in (a_loc, h_loc, p_loc)
        )
        row = _area_row(name, a, h, moves.moving, staying)
        row["population"] = float(people[p].sum())
        row.update(_access_columns(pop[p], people[p]))
        row["cost_released"] = float(np.nansum(cost[a & moves.moving]))
        row["cost_unknown"] = int(np.isnan(cost[a & moves.moving]).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def _area_row(
    name: str, a: np.ndarray, h: np.ndarray, moving: np.ndarray, staying: np.ndarray
) -> dict:
    return {
        "locality": name,
        "assets": int(a.sum()),
        "hubs": int(h.sum()),
        "moving": int((a & moving).sum()),
        "staying": int((a & staying).sum()),
        "service_points_before": int(a.sum()),
        "service_points_after": int(h.sum() + (a & staying).sum()),
    }


def _access_columns(pop: pd.DataFrame, people: np.ndarray) -> dict:
    before = _weighted(people, pop["distance_before_m"].to_numpy(dtype=float))
    after = _weighted(people, pop["distance_after_m"].to_numpy(dtype=float))
    out = {
        "mean_distance_before_m": before,
        "mean_distance_after_m": after,
        "change_m": round(after - before, 1),
    }
    if "minutes_before" in pop.columns:
        m_before = _weighted(people, pop["minutes_before"].to_numpy(dtype=float))
        m_after = _weighted(people, pop["minutes_after"].to_numpy(dtype=float))
        out.update(
            {
                "mean_minutes_before": m_before,
                "mean_minutes_after": m_after,
                "change_minutes": round(m_after - m_before, 1),
            }
        )
    return out
