"""The rationalisation scenario (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

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
        The population points with ``distance_before_m`` and ``distance_after_m``.
    """

    assets: gpd.GeoDataFrame
    table: pd.DataFrame
    population: gpd.GeoDataFrame

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
    _point_layer(hubs, "hubs")
    _require(hubs, ["tier"], "hubs", "Give each hub its tier (1, 2 or 3).")
    _point_layer(assets, "assets", label="asset_id" if "asset_id" in assets else None)
    _require(assets, ["asset_id", "category", "locality"], "assets", "Locate the assets first.")
    people = _check_population(population)
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
    chosen = chosen.reset_index(drop=True)
    hubs = hubs.reset_index(drop=True)
    hub_ids = _ids(hubs, "hub ")
    gather = np.array([reach.for_tier(int(t)).gather for t in _tiers(hubs, "hubs")])
    axy, hxy = _xy(chosen), _xy(hubs)
    asset_ids = chosen["asset_id"].astype(str).to_numpy(dtype=object)
    is_hub = np.isin(asset_ids, hub_ids)
    # nearest hub whose gather distance reaches the asset
    d_all = cdist(axy, hxy) if len(chosen) else np.zeros((0, len(hubs)))
    reachable = d_all <= gather[None, :]
    masked = np.where(reachable, d_all, np.inf)
    best = masked.argmin(axis=1) if len(chosen) else np.zeros(0, dtype=np.int64)
    best_d = masked[np.arange(len(chosen)), best] if len(chosen) else np.zeros(0)
    fixed = chosen["category"].astype(str).isin({str(c) for c in fixed_categories}).to_numpy()
    moving = ~is_hub & np.isfinite(best_d) & ~fixed
    status = np.where(is_hub, STATUS_HUB, np.where(moving, STATUS_MOVE, STATUS_STAY))
    out = chosen.copy()
    out["status"] = pd.array(status.astype(object), dtype="str")
    out["hub_id"] = pd.array(
        np.where(moving, hub_ids[best] if len(chosen) else [], None), dtype="str"
    )
    out["distance_to_hub_m"] = np.where(moving, best_d, np.nan).round(1)

    pxy = _xy(population)
    before, _ = _nearest(pxy, axy)
    after_sites = np.vstack([hxy, axy[~moving & ~is_hub]])
    after, _ = _nearest(pxy, after_sites)
    pop = population.copy()
    pop["distance_before_m"] = before.round(1)
    pop["distance_after_m"] = after.round(1)

    cost = (
        pd.to_numeric(chosen["annual_cost"], errors="coerce").to_numpy(dtype=float)
        if "annual_cost" in chosen
        else np.full(len(chosen), np.nan)
    )
    a_loc = chosen["locality"].astype(object).where(chosen["locality"].notna(), "(none)")
    a_loc = a_loc.astype(str).to_numpy()
    h_loc = (
        hubs["locality"].astype(object).where(hubs["locality"].notna(), "(none)").astype(str)
        if "locality" in hubs
        else pd.Series(["(none)"] * len(hubs))
    ).to_numpy()
    p_loc = (
        population["locality"]
        .astype(object)
        .where(population["locality"].notna(), "(none)")
        .astype(str)
        .to_numpy()
        if "locality" in population
        else np.full(len(population), "(none)")
    )
    rows = []
    names = sorted(set(a_loc) | set(p_loc))
    for name in [*names, COUNTY]:
        a = np.ones(len(a_loc), dtype=bool) if name == COUNTY else a_loc == name
        p = np.ones(len(p_loc), dtype=bool) if name == COUNTY else p_loc == name
        h = np.ones(len(h_loc), dtype=bool) if name == COUNTY else h_loc == name
        weight = people[p].sum()
        mean_before = float((people[p] * before[p]).sum() / weight) if weight else np.nan
        mean_after = float((people[p] * after[p]).sum() / weight) if weight else np.nan
        mv = a & moving
        rows.append(
            {
                "locality": name,
                "assets": int(a.sum()),
                "hubs": int(h.sum()),
                "moving": int(mv.sum()),
                "staying": int((a & ~moving & ~is_hub).sum()),
                "service_points_before": int(a.sum()),
                "service_points_after": int(h.sum() + (a & ~moving & ~is_hub).sum()),
                "population": float(weight),
                "mean_distance_before_m": round(mean_before, 1),
                "mean_distance_after_m": round(mean_after, 1),
                "change_m": round(mean_after - mean_before, 1),
                "cost_released": float(np.nansum(cost[mv])),
                "cost_unknown": int(np.isnan(cost[mv]).sum()),
            }
        )
    summary = pd.DataFrame(rows)
    return ScenarioResult(assets=out, table=summary, population=pop)
