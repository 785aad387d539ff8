"""Service hubs: where to put them, whom they reach, and what moving services into them does.

Reach depends on the locality's tier (see :class:`HubReach`): a rural hub serves its
immediate area, a market-town hub its town and the rural parishes around it, the city hub
its own locality at short distance and the whole county for specialist services.

* :func:`population_points` — the population as points (parish populations spread over
  small-area points, or a user table of population-weighted centroids).
* :func:`rank_hub_sites` — score candidate sites by services and partners within walking
  distance and population within reach, with every score column shown.
* :func:`population_coverage` — share of the population within reach of a hub, per
  locality (or tier, or parish) and county-wide, and the parishes left unserved.
* :func:`optimise_hubs` — choose ``k`` hubs: p-median (least population-weighted distance)
  or maximal coverage, exactly (spopt + CBC) or by a fast heuristic with a measured gap.
* :func:`rationalisation_scenario` — which assets could move into a hub, which stay, how the
  distance to the nearest service point changes and what running cost is released.

All distances are straight-line metres in British National Grid (EPSG:27700).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from localitygis import _hub_solvers as solvers
from localitygis.colocation import _check_crs, _check_distance, _check_points
from localitygis.errors import DataError

__all__ = [
    "FIXED_CATEGORIES",
    "CoverageResult",
    "HubReach",
    "HubSolution",
    "ScenarioResult",
    "TierReach",
    "optimise_hubs",
    "population_coverage",
    "population_points",
    "rank_hub_sites",
    "rationalisation_scenario",
]

log = logging.getLogger(__name__)

Scope = Literal["locality", "locality+rural", "county"]
_SCOPES = ("locality", "locality+rural", "county")
COUNTY = "County"


# --------------------------------------------------------------------------------------
# Reach


@dataclass(frozen=True)
class TierReach:
    """How far a hub of one tier reaches.

    Parameters
    ----------
    distance : float
        Population reach in metres (straight line).
    scope : {"locality", "locality+rural", "county"}
        Whose population counts: the hub's own locality only; its own locality plus tier-1
        (rural) parishes of any locality within ``distance``; or the whole county
        (``distance`` is then ignored for ranking).
    gather : float
        Assets within this many metres of a hub are candidates to move into it
        (:func:`rationalisation_scenario`).

    Examples
    --------
    >>> TierReach(5_000, "locality", 1_000).scope
    'locality'
    """

    distance: float
    scope: Scope
    gather: float

    def __post_init__(self) -> None:
        _check_distance(self.distance, "TierReach distance")
        _check_distance(self.gather, "TierReach gather")
        if self.scope not in _SCOPES:
            raise DataError(f"unknown reach scope {self.scope!r}; use one of {', '.join(_SCOPES)}.")


def _default_tiers() -> Mapping[int, TierReach]:
    return MappingProxyType(
        {
            1: TierReach(5_000.0, "locality", 1_000.0),
            2: TierReach(12_000.0, "locality+rural", 2_000.0),
            3: TierReach(3_000.0, "locality", 2_000.0),
        }
    )


@dataclass(frozen=True)
class HubReach:
    """Reach of hubs by tier, and the walking distance that makes services "together".

    The defaults follow the locality tiers:

    * tier 1, rural (Weobley, Golden Valley, Mortimer): a rural hub serves its immediate
      area — 5 km, about a 10-minute drive or a short bus hop, within its own locality;
      assets within 1 km (the same village) could move in.
    * tier 2, market town (Bromyard, Kington, Ledbury, Leominster, Ross-on-Wye): the town
      hub serves the town and the surrounding rural parishes — 12 km (the middle of the
      10–15 km market-town hinterland), its own locality plus tier-1 parishes of
      neighbouring localities in that distance; assets within 2 km (the town) could move in.
    * tier 3, city (Hereford): the city hub serves its own locality at short distance —
      3 km, walking or a short bus ride; assets within 2 km could move in. For specialist
      services it serves the whole county: use :meth:`specialist`.

    Parameters
    ----------
    walking : float, default 400.0
        Services within this many metres of a site count as "at" the site (400 m is about
        five minutes' walk, the co-location distance).
    tiers : mapping of int to TierReach
        Reach per tier number.

    Examples
    --------
    >>> reach = HubReach()
    >>> reach.for_tier(2).distance
    12000.0
    >>> HubReach.specialist().for_tier(3).scope
    'county'
    >>> reach.with_tier(1, distance=8_000).for_tier(1).distance
    8000
    """

    walking: float = 400.0
    tiers: Mapping[int, TierReach] = field(default_factory=_default_tiers)

    def __post_init__(self) -> None:
        _check_distance(self.walking, "walking distance")
        bad = [k for k, v in self.tiers.items() if not isinstance(v, TierReach)]
        if bad:
            raise DataError(f"HubReach tiers {bad} must be TierReach(distance, scope, gather).")
        object.__setattr__(self, "tiers", MappingProxyType(dict(self.tiers)))

    def for_tier(self, tier: int) -> TierReach:
        """Return the reach of a tier.

        Raises
        ------
        DataError
            The tier has no reach defined.
        """
        try:
            return self.tiers[int(tier)]
        except (KeyError, TypeError, ValueError):
            raise DataError(
                f"no hub reach defined for tier {tier!r}; tiers with a reach: "
                f"{', '.join(map(str, sorted(self.tiers)))}. Add it: "
                "HubReach(tiers={..., tier: TierReach(distance, scope, gather)})."
            ) from None

    def with_tier(self, tier: int, **changes: object) -> HubReach:
        """Return a copy with one tier's reach changed (``distance``, ``scope``, ``gather``)."""
        tiers = dict(self.tiers)
        tiers[int(tier)] = replace(self.for_tier(tier), **changes)  # type: ignore[arg-type]
        return HubReach(walking=self.walking, tiers=tiers)

    @classmethod
    def specialist(cls) -> HubReach:
        """Reach for specialist services: the city (tier 3) hub serves the whole county."""
        return cls().with_tier(3, scope="county")


# --------------------------------------------------------------------------------------
# Helpers


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
    _check_crs(frame, source)
    _check_points(frame, source, label=label)


def _population_column(frame: pd.DataFrame, source: str) -> np.ndarray:
    values = pd.to_numeric(frame["population"], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        raise DataError(
            f"{source}: population missing, not a number or negative in {len(rows)} row(s) "
            f"({', '.join(map(str, rows[:10]))}). Fill in a count of people (0 is allowed)."
        )
    return values.to_numpy(dtype=np.float64)


def _tiers(frame: pd.DataFrame, source: str) -> np.ndarray:
    values = pd.to_numeric(frame["tier"], errors="coerce")
    if values.isna().any():
        rows = np.flatnonzero(values.isna().to_numpy())
        raise DataError(
            f"{source}: tier missing in row(s) {', '.join(map(str, rows[:10]))}; "
            "locate the sites in their locality first (localitygis.assets)."
        )
    return values.to_numpy(dtype=np.int64)


def _text(series: pd.Series) -> np.ndarray:
    return series.astype(object).where(series.notna(), None).to_numpy(dtype=object)


# --------------------------------------------------------------------------------------
# Population


def population_points(
    parishes: gpd.GeoDataFrame,
    *,
    points: gpd.GeoDataFrame | None = None,
    snap: float = 250.0,
) -> gpd.GeoDataFrame:
    """Return the population as points, each tagged with its parish, locality and tier.

    Three routes, chosen by what is given:

    * ``points`` with a ``population`` column (e.g. ONS output-area population-weighted
      centroids, or the demo's synthetic ones): used as they are; each point is placed in
      the parish that contains it (or named by its ``parish_code``).
    * ``points`` without ``population``: each parish's population is shared among the
      points inside it — by a ``weight`` column if present, else equally. Parishes without
      a point keep their population at their representative point.
    * no ``points``: each parish's population sits at its representative point (a point
      guaranteed inside the parish).

    Population is conserved: on the last two routes the points add up to the parishes.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        ``parish_code``, ``parish_name``, geometry in EPSG:27700; ``population`` unless the
        points carry it; ``locality`` and ``tier`` when present are passed on.
    points : geopandas.GeoDataFrame, optional
        Population points in EPSG:27700.
    snap : float, default 250.0
        Points outside every parish but within this many metres of one are given to the
        nearest (boundaries are often generalised); points farther out are an error.

    Returns
    -------
    geopandas.GeoDataFrame
        ``point_id``, ``parish_code``, ``parish_name``, ``locality``, ``tier``,
        ``population`` (float) and Point geometry.

    Raises
    ------
    DataError
        Missing columns, missing or negative populations, points outside the parishes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box, Point
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["E1", "E2"], "parish_name": ["Ash", "Elm"],
    ...      "population": [300, 100]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
    >>> homes = gpd.GeoDataFrame(geometry=[Point(100, 100), Point(900, 900)], crs=27700)
    >>> people = population_points(parishes, points=homes)
    >>> people[["parish_code", "population"]]
      parish_code  population
    0          E1       150.0
    1          E1       150.0
    2          E2       100.0
    """
    _check_crs(parishes, "parishes")
    _require(parishes, ["parish_code"], "parishes", "Read parishes with localitygis.io.")
    parishes = parishes.reset_index(drop=True)
    codes = parishes["parish_code"].astype(str)
    if not codes.is_unique:
        dup = sorted(set(codes[codes.duplicated()]))
        raise DataError(f"parishes: parish_code repeated: {', '.join(dup[:10])}.")
    names = (
        parishes["parish_name"].astype(str).to_numpy(dtype=object)
        if "parish_name" in parishes
        else codes.to_numpy(dtype=object)
    )
    locality = (
        _text(parishes["locality"]) if "locality" in parishes else np.full(len(parishes), None)
    )
    tier = (
        pd.to_numeric(parishes["tier"], errors="coerce").to_numpy(dtype=np.float64)
        if "tier" in parishes
        else np.full(len(parishes), np.nan)
    )
    with_population = points is not None and "population" in points.columns
    if not with_population:
        _require(
            parishes,
            ["population"],
            "parishes",
            "Give parish populations, or population points with a population column.",
        )
        parish_pop = _population_column(parishes, "parishes")

    if points is None:
        idx = np.arange(len(parishes))
        geometry = parishes.geometry.representative_point().array
        people = parish_pop
        source_ids = np.array([f"P{c}" for c in codes], dtype=object)
    else:
        _point_layer(points, "population points")
        points = points.reset_index(drop=True)
        idx = _parish_of_points(parishes, points, codes, snap=snap)
        geometry = points.geometry.array
        source_ids = (
            points["area_code"].astype(str).to_numpy(dtype=object)
            if "area_code" in points and points["area_code"].astype(str).is_unique
            else np.array([f"Q{i}" for i in range(len(points))], dtype=object)
        )
        if with_population:
            people = _population_column(points, "population points")
        else:
            if "weight" in points:
                share = pd.to_numeric(points["weight"], errors="coerce").fillna(0).to_numpy()
                share = np.maximum(share, 0.0)
            else:
                share = np.ones(len(points))
            total = np.bincount(idx, weights=share, minlength=len(parishes))
            # parishes whose points all weigh nothing share equally
            zero = total[idx] == 0
            share = np.where(zero, 1.0, share)
            total = np.bincount(idx, weights=share, minlength=len(parishes))
            people = parish_pop[idx] * share / total[idx]
            empty = np.flatnonzero(np.bincount(idx, minlength=len(parishes)) == 0)
            if len(empty):
                idx = np.concatenate([idx, empty])
                geometry = np.concatenate(
                    [geometry, parishes.geometry.iloc[empty].representative_point().array]
                )
                people = np.concatenate([people, parish_pop[empty]])
                source_ids = np.concatenate(
                    [source_ids, np.array([f"P{codes[i]}" for i in empty], dtype=object)]
                )

    tiers = tier[idx]
    out = gpd.GeoDataFrame(
        {
            "point_id": pd.array(source_ids, dtype="str"),
            "parish_code": pd.array(codes.to_numpy(dtype=object)[idx], dtype="str"),
            "parish_name": pd.array(names[idx], dtype="str"),
            "locality": pd.array(locality[idx], dtype="str"),
            "tier": pd.array(np.where(np.isnan(tiers), None, tiers), dtype="Int64"),
            "population": people.astype(np.float64),
        },
        geometry=gpd.GeoSeries(geometry, crs=parishes.crs).values,
        crs=parishes.crs,
    )
    return out


def _parish_of_points(
    parishes: gpd.GeoDataFrame, points: gpd.GeoDataFrame, codes: pd.Series, *, snap: float
) -> np.ndarray:
    """Index of the parish of every point; raise listing the points in no parish."""
    n = len(points)
    idx = np.full(n, -1, dtype=np.int64)
    if "parish_code" in points.columns:
        lookup = pd.Series(np.arange(len(codes)), index=codes.to_numpy())
        given = points["parish_code"].astype(str)
        known = given.isin(lookup.index).to_numpy()
        idx[known] = lookup.loc[given[known]].to_numpy()
    todo = np.flatnonzero(idx < 0)
    if len(todo):
        tree = shapely.STRtree(parishes.geometry.array)
        pts, polys = tree.query(points.geometry.array[todo], predicate="intersects")
        order = np.lexsort((polys, pts))  # the first parish (by row) for boundary points
        pts, polys = pts[order], polys[order]
        first = np.r_[True, pts[1:] != pts[:-1]] if len(pts) else np.zeros(0, dtype=bool)
        idx[todo[pts[first]]] = polys[first]
    todo = np.flatnonzero(idx < 0)
    if len(todo):
        tree = shapely.STRtree(parishes.geometry.array)
        pts, polys = tree.query_nearest(
            points.geometry.array[todo], max_distance=snap, all_matches=False
        )
        idx[todo[pts]] = polys
    outside = np.flatnonzero(idx < 0)
    if len(outside):
        shown = ", ".join(
            f"row {i} ({points.geometry.iloc[i].x:.0f}, {points.geometry.iloc[i].y:.0f})"
            for i in outside[:5]
        )
        raise DataError(
            f"population points: {len(outside)} point(s) lie more than {snap:.0f} m outside "
            f"every parish: {shown}. Check they are for this county and in EPSG:27700, or "
            "remove them."
        )
    return idx


def _check_population(population: gpd.GeoDataFrame, source: str = "population") -> np.ndarray:
    _point_layer(population, source)
    _require(
        population,
        ["population"],
        source,
        "Build population points with localitygis.hubs.population_points(parishes, ...).",
    )
    return _population_column(population, source)


# --------------------------------------------------------------------------------------
# Ranking


def rank_hub_sites(
    candidates: gpd.GeoDataFrame,
    *,
    assets: gpd.GeoDataFrame,
    population: gpd.GeoDataFrame,
    reach: HubReach | None = None,
    weights: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Rank candidate hub sites by services, partners and population within reach.

    For each candidate: the assets within walking distance (``reach.walking``), their
    distinct categories (services) and partners, and the population within the reach of
    the candidate's tier (distance and scope, see :class:`HubReach`). Each measure is scaled
    to 0–1 by the best candidate, and the score is their weighted sum.

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Points in EPSG:27700 with ``locality`` and ``tier``: existing assets (their
        ``asset_id`` identifies them) or any other sites (``candidate_id`` or the index).
    assets : geopandas.GeoDataFrame
        Located assets (``category``, ``partner``, Point geometry).
    population : geopandas.GeoDataFrame
        Population points from :func:`population_points` (``population``, ``locality``,
        ``tier``).
    reach : HubReach, optional
        Defaults to ``HubReach()``.
    weights : mapping, optional
        Weights of ``"services"``, ``"partners"`` and ``"population"`` in the score;
        default 0.4, 0.3 and 0.3.

    Returns
    -------
    pandas.DataFrame
        Best first: ``rank``, ``rank_in_locality``, ``candidate_id``, ``name``,
        ``locality``, ``tier``, ``assets_nearby``, ``services``, ``partners``,
        ``service_list``, ``partner_list``, ``reach_m``, ``reach_scope``,
        ``population_in_reach``, ``population_share`` (of the population in scope),
        ``services_score``, ``partners_score``, ``population_score``, ``score``.
        Ties are broken by ``candidate_id``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> assets = gpd.GeoDataFrame(
    ...     {"asset_id": ["a", "b", "c"], "name": ["Library", "Surgery", "Hall"],
    ...      "category": ["library", "GP surgery", "village hall"],
    ...      "partner": ["Council", "NHS", "Parish"], "locality": ["Kington"] * 3,
    ...      "tier": [2, 2, 2]},
    ...     geometry=[Point(330000, 256000), Point(330150, 256000), Point(336000, 256000)],
    ...     crs=27700)
    >>> people = gpd.GeoDataFrame(
    ...     {"population": [2000.0, 500.0], "locality": ["Kington"] * 2, "tier": [2, 2]},
    ...     geometry=[Point(330500, 256000), Point(350000, 256000)], crs=27700)
    >>> ranked = rank_hub_sites(assets, assets=assets, population=people)
    >>> ranked[["rank", "candidate_id", "services", "partners", "population_in_reach"]]
       rank candidate_id  services  partners  population_in_reach
    0     1            a         2         2               2000.0
    1     2            b         2         2               2000.0
    2     3            c         1         1               2000.0
    """
    reach = reach or HubReach()
    w = {"services": 0.4, "partners": 0.3, "population": 0.3}
    if weights is not None:
        unknown = set(weights) - set(w)
        if unknown:
            raise DataError(
                f"unknown score weight(s) {', '.join(sorted(unknown))}; use services, "
                "partners, population."
            )
        w.update({k: float(v) for k, v in weights.items()})
    _point_layer(candidates, "candidates")
    _require(candidates, ["locality", "tier"], "candidates", "Locate the candidate sites first.")
    _point_layer(assets, "assets", label="asset_id" if "asset_id" in assets else None)
    _require(assets, ["category", "partner"], "assets", "Read registers with localitygis.assets.")
    people = _check_population(population)
    _require(population, ["locality", "tier"], "population", "Use population_points(...).")

    cand = candidates.reset_index(drop=True)
    ids = _ids(cand, "site ")
    cxy = _xy(cand)
    tiers = _tiers(cand, "candidates")
    cand_locality = _text(cand["locality"])

    # services and partners within walking distance
    axy = _xy(assets)
    atree = cKDTree(axy)
    near = cKDTree(cxy).query_ball_tree(atree, r=reach.walking)
    ci = np.repeat(np.arange(len(cand)), [len(v) for v in near])
    ai = np.concatenate([np.asarray(v, dtype=np.int64) for v in near]) if len(near) else []
    ai = np.asarray(ai, dtype=np.int64)
    category = assets["category"].astype(str).to_numpy(dtype=object)[ai]
    partner = assets["partner"].astype(str).to_numpy(dtype=object)[ai]
    pairs = pd.DataFrame({"c": ci, "category": category, "partner": partner})
    n_assets = np.bincount(ci, minlength=len(cand))
    service_list = _join_by(pairs, "category", len(cand))
    partner_list = _join_by(pairs, "partner", len(cand))
    services = _count_by(pairs, "category", len(cand))
    partners = _count_by(pairs, "partner", len(cand))

    # population within reach of the candidate's tier
    pxy = _xy(population)
    ptree = cKDTree(pxy)
    p_locality = _text(population["locality"])
    p_tier = pd.to_numeric(population["tier"], errors="coerce").to_numpy()
    in_reach = np.zeros(len(cand))
    in_scope = np.zeros(len(cand))
    reach_m = np.zeros(len(cand))
    scope = np.empty(len(cand), dtype=object)
    for t in np.unique(tiers):
        rule = reach.for_tier(int(t))
        rows = np.flatnonzero(tiers == t)
        reach_m[rows] = rule.distance
        scope[rows] = rule.scope
        if rule.scope == "county":
            in_reach[rows] = people.sum()
            in_scope[rows] = people.sum()
            continue
        lists = ptree.query_ball_point(cxy[rows], r=rule.distance)
        for row, found in zip(rows, lists, strict=True):
            found = np.asarray(found, dtype=np.int64)
            own = p_locality == cand_locality[row]
            ok = own[found]
            scope_mask = own.copy()
            if rule.scope == "locality+rural":
                ok |= p_tier[found] == 1
                scope_mask |= p_tier == 1
            in_reach[row] = people[found[ok]].sum()
            in_scope[row] = people[scope_mask].sum()

    def scaled(values: np.ndarray) -> np.ndarray:
        top = values.max() if len(values) else 0
        return values / top if top > 0 else np.zeros(len(values))

    s_services = scaled(services.astype(float))
    s_partners = scaled(partners.astype(float))
    s_population = scaled(in_reach)
    score = w["services"] * s_services + w["partners"] * s_partners + w["population"] * s_population
    table = pd.DataFrame(
        {
            "candidate_id": pd.array(ids, dtype="str"),
            "name": pd.array(
                cand["name"].astype(str).to_numpy(dtype=object) if "name" in cand else ids,
                dtype="str",
            ),
            "locality": pd.array(cand_locality, dtype="str"),
            "tier": tiers,
            "assets_nearby": n_assets.astype(np.int64),
            "services": services,
            "partners": partners,
            "service_list": pd.array(service_list, dtype="str"),
            "partner_list": pd.array(partner_list, dtype="str"),
            "reach_m": reach_m,
            "reach_scope": pd.array(scope, dtype="str"),
            "population_in_reach": in_reach,
            "population_share": np.divide(
                in_reach, in_scope, out=np.zeros(len(cand)), where=in_scope > 0
            ),
            "services_score": s_services.round(4),
            "partners_score": s_partners.round(4),
            "population_score": s_population.round(4),
            "score": score.round(4),
        }
    )
    table = table.sort_values(
        ["score", "candidate_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.insert(
        1,
        "rank_in_locality",
        table.groupby("locality", dropna=False).cumcount().to_numpy() + 1,
    )
    return table


def _count_by(pairs: pd.DataFrame, column: str, n: int) -> np.ndarray:
    distinct = pairs[["c", column]].drop_duplicates()
    return np.bincount(distinct["c"].to_numpy(dtype=np.int64), minlength=n).astype(np.int64)


def _join_by(pairs: pd.DataFrame, column: str, n: int) -> np.ndarray:
    out = np.full(n, "", dtype=object)
    if len(pairs):
        joined = (
            pairs[["c", column]]
            .drop_duplicates()
            .sort_values(["c", column])
            .groupby("c")[column]
            .agg("; ".join)
        )
        out[joined.index.to_numpy(dtype=np.int64)] = joined.to_numpy(dtype=object)
    return out


# --------------------------------------------------------------------------------------
# Coverage


@dataclass(frozen=True)
class CoverageResult:
    """Population within reach of a hub.

    Attributes
    ----------
    summary : pandas.DataFrame
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
        The grouping of ``summary``.
    """

    summary: pd.DataFrame
    unserved: pd.DataFrame
    points: gpd.GeoDataFrame
    by: str

    @property
    def county_share(self) -> float:
        """Share of the county's population within reach of a hub."""
        return float(self.summary["share"].iloc[-1])


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
    >>> result.summary[["locality", "population", "covered", "share"]]
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
        _check_distance(distance)
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
    return CoverageResult(summary=summary, unserved=unserved, points=points, by=by)


def _share(part: pd.Series, whole: pd.Series) -> np.ndarray:
    return np.divide(
        part.to_numpy(dtype=float),
        whole.to_numpy(dtype=float),
        out=np.zeros(len(part)),
        where=whole.to_numpy(dtype=float) > 0,
    ).clip(0.0, 1.0)


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


def _nearest(xy: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(sites) == 0:
        return np.full(len(xy), np.inf), np.zeros(len(xy), dtype=np.int64)
    dist, idx = cKDTree(sites).query(xy, k=1)
    return np.asarray(dist, dtype=np.float64), np.asarray(idx, dtype=np.int64)


# --------------------------------------------------------------------------------------
# Optimisation


@dataclass(frozen=True)
class HubSolution:
    """The hubs chosen by :func:`optimise_hubs`, and how good the choice is.

    Attributes
    ----------
    hubs : geopandas.GeoDataFrame
        The chosen candidate rows with ``hub_id``, ``required`` (forced open),
        ``population_served`` (people for whom it is the nearest hub), ``demand_points`` and
        ``mean_distance_m``; with ``covered_population`` for maximal coverage.
    assignment : geopandas.GeoDataFrame
        The demand points with ``hub_id`` (nearest chosen hub), ``distance_m`` and, for
        maximal coverage, ``covered``.
    method : {"p-median", "max-coverage"}
    solver : {"exact", "heuristic"}
    k : int
        Hubs asked for (per locality when ``per_locality``).
    objective : float
        p-median: population-weighted total distance (person-metres); max-coverage:
        population within ``distance`` of a hub.
    mean_distance_m : float
        Population-weighted mean distance to the nearest chosen hub.
    covered_share : float or None
        Share of population within ``distance`` (when a distance was given).
    bound : float or None
        Best bound on the optimum: lower for p-median, upper for max-coverage.
    gap : float or None
        Relative gap between the objective and ``bound`` (0 when proven optimal).
    optimum : float or None
        The exact optimum when it was computed (always for ``solver="exact"``; for the
        heuristic when ``compare_exact`` asks for it).
    gap_to_optimum : float or None
        Relative gap between the heuristic and the exact optimum.
    seconds : float
        Time spent solving.
    by_locality : pandas.DataFrame
        Per-locality figures: ``locality``, ``hubs``, ``population``, ``mean_distance_m``,
        and ``objective``, ``bound``, ``gap`` for ``per_locality`` runs.
    """

    hubs: gpd.GeoDataFrame
    assignment: gpd.GeoDataFrame
    method: str
    solver: str
    k: int
    objective: float
    mean_distance_m: float
    covered_share: float | None
    bound: float | None
    gap: float | None
    optimum: float | None
    gap_to_optimum: float | None
    seconds: float
    by_locality: pd.DataFrame


def optimise_hubs(
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    *,
    k: int | Mapping[str, int],
    method: Literal["p-median", "max-coverage"] = "p-median",
    distance: float | None = None,
    required: Collection[str] = (),
    per_locality: bool = False,
    solver: Literal["exact", "heuristic"] = "exact",
    compare_exact: bool | None = None,
) -> HubSolution:
    """Choose ``k`` hub sites among the candidates.

    * ``"p-median"`` minimises the population-weighted distance from every demand point to
      its nearest hub.
    * ``"max-coverage"`` maximises the population within ``distance`` of a hub.

    The exact solver uses spopt's ``PMedian`` / ``MCLP`` (``from_cost_matrix``) with PuLP's
    bundled CBC; sites in ``required`` are passed as spopt's predefined facilities and
    always open. For the p-median, a heuristic and a Lagrangian bound first fix the sites
    that cannot be in a better solution, so the exact model stays small; the answer is the
    proven optimum. The heuristic (greedy addition, then best-improvement Teitz–Bart vertex
    substitution, numpy-vectorised) handles large instances; its gap to a Lagrangian lower
    bound (p-median) or to a simple upper bound (max-coverage) is reported, and on small
    instances (or when ``compare_exact=True``) its gap to the exact optimum too.

    Candidates at the same position are one site (the one with the smallest id represents
    them, or the required one); demand points at the same position are added together.
    Never more than ``k`` hubs open (fewer only when there are fewer sites).

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Candidate sites (points, EPSG:27700); ``asset_id``/``candidate_id`` or the index
        names them; ``locality`` needed with ``per_locality``.
    demand : geopandas.GeoDataFrame
        Demand points with ``population`` (e.g. :func:`population_points`); ``locality``
        needed with ``per_locality``.
    k : int or mapping of str to int
        Number of hubs (county-wide, or in each locality); a mapping gives each locality
        its own number.
    method : {"p-median", "max-coverage"}
    distance : float, optional
        Service distance in metres: required for ``"max-coverage"``; for the p-median it
        only adds the covered share to the report.
    required : collection of str
        Ids of candidates that must be open (existing hubs).
    per_locality : bool, default False
        Solve each locality on its own: its demand served by its own candidates.
    solver : {"exact", "heuristic"}
    compare_exact : bool, optional
        With the heuristic, also solve exactly to measure the gap. By default only when
        the instance is small (at most 60,000 demand × candidate pairs).

    Returns
    -------
    HubSolution

    Raises
    ------
    DataError
        Bad ``k``, unknown or too many required sites, missing columns, no candidates, or
        demand without a locality when ``per_locality``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> sites = gpd.GeoDataFrame(
    ...     {"asset_id": ["west", "middle", "east"]},
    ...     geometry=[Point(0, 0), Point(5000, 0), Point(10000, 0)], crs=27700)
    >>> people = gpd.GeoDataFrame(
    ...     {"population": [100.0, 100.0, 500.0]},
    ...     geometry=[Point(0, 0), Point(1000, 0), Point(10000, 0)], crs=27700)
    >>> solution = optimise_hubs(sites, people, k=2)
    >>> solution.hubs["hub_id"].tolist(), solution.objective
    (['east', 'west'], 100000.0)
    >>> optimise_hubs(sites, people, k=1, required=["middle"]).hubs["hub_id"].tolist()
    ['middle']
    """
    start = time.perf_counter()
    if method not in ("p-median", "max-coverage"):
        raise DataError(f'method must be "p-median" or "max-coverage", not {method!r}.')
    if solver not in ("exact", "heuristic"):
        raise DataError(f'solver must be "exact" or "heuristic", not {solver!r}.')
    if method == "max-coverage" and distance is None:
        raise DataError("max-coverage needs distance=... (the service distance in metres).")
    if distance is not None:
        _check_distance(distance)
    _point_layer(candidates, "candidates")
    weights = _check_population(demand, "demand")
    if len(candidates) == 0:
        raise DataError("there are no candidate sites to choose from.")
    cand = candidates.reset_index(drop=True)
    ids = _ids(cand, "site ")
    required_ids = [str(r) for r in required]
    unknown = sorted(set(required_ids) - set(ids))
    if unknown:
        raise DataError(
            f"required site(s) {', '.join(unknown[:10])} are not among the candidates; "
            "add them to the candidates or check the ids."
        )
    demand = demand.reset_index(drop=True)
    if per_locality:
        _require(cand, ["locality"], "candidates", "Locate the candidates first.")
        _require(demand, ["locality"], "demand", "Use population_points(parishes, ...).")
        groups = _locality_groups(cand, demand, k)
    else:
        k_all = _check_k(k, "k")
        groups = [(None, np.arange(len(cand)), np.arange(len(demand)), k_all)]

    is_required = np.isin(ids, required_ids)
    open_rows: list[int] = []
    totals = {"objective": 0.0, "bound": 0.0, "optimum": 0.0}
    bound_known = optimum_known = True
    rows_report = []
    cxy, dxy = _xy(cand), _xy(demand)
    for name, c_rows, d_rows, k_group in groups:
        forced = c_rows[is_required[c_rows]]
        if len(forced) > k_group:
            where = f" in {name}" if name is not None else ""
            raise DataError(
                f"{len(forced)} required sites{where} but k is {k_group}: raise k or "
                "require fewer sites."
            )
        result = _solve_group(
            cxy[c_rows],
            ids[c_rows],
            is_required[c_rows],
            dxy[d_rows],
            weights[d_rows],
            k_group,
            method=method,
            distance=distance,
            solver=solver,
            compare_exact=compare_exact,
        )
        open_rows.extend(int(c_rows[j]) for j in result["open"])
        totals["objective"] += result["objective"]
        if result["bound"] is None:
            bound_known = False
        else:
            totals["bound"] += result["bound"]
        if result["optimum"] is None:
            optimum_known = False
        else:
            totals["optimum"] += result["optimum"]
        if name is not None:
            rows_report.append(
                {
                    "locality": name,
                    "k": k_group,
                    "objective": result["objective"],
                    "bound": result["bound"],
                    "gap": _gap(result["objective"], result["bound"], method),
                }
            )

    open_rows = sorted(set(open_rows), key=lambda r: ids[r])
    hubs, assignment = _solution_frames(
        cand, ids, is_required, open_rows, demand, weights, distance, per_locality
    )
    objective = totals["objective"]
    bound = totals["bound"] if bound_known else None
    optimum = totals["optimum"] if optimum_known else None
    total_pop = float(weights.sum())
    mean_distance = (
        float((assignment["distance_m"] * weights).sum() / total_pop) if total_pop else 0.0
    )
    covered_share = (
        float(weights[assignment["covered"].to_numpy()].sum() / total_pop)
        if distance is not None and total_pop
        else None
    )
    by_locality = _hub_summary(hubs, assignment, weights, rows_report)
    seconds = time.perf_counter() - start
    log.info("%s (%s): %d hubs in %.2f s", method, solver, len(hubs), seconds)
    return HubSolution(
        hubs=hubs,
        assignment=assignment,
        method=method,
        solver=solver,
        k=k if isinstance(k, int) else max(dict(k).values()),
        objective=objective,
        mean_distance_m=mean_distance,
        covered_share=covered_share,
        bound=bound,
        gap=_gap(objective, bound, method),
        optimum=optimum,
        gap_to_optimum=_gap(objective, optimum, method),
        seconds=seconds,
        by_locality=by_locality,
    )


def _check_k(k: object, what: str) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or int(k) < 1:
        raise DataError(f"{what} must be a whole number of hubs, at least 1, not {k!r}.")
    return int(k)


def _gap(objective: float, bound: float | None, method: str) -> float | None:
    if bound is None:
        return None
    if method == "p-median":
        return float(max(objective - bound, 0.0) / objective) if objective > 0 else 0.0
    return float(max(bound - objective, 0.0) / bound) if bound > 0 else 0.0


def _locality_groups(
    cand: gpd.GeoDataFrame, demand: gpd.GeoDataFrame, k: int | Mapping[str, int]
) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    c_loc = cand["locality"].astype(object)
    d_loc = demand["locality"].astype(object)
    if d_loc.isna().any():
        rows = np.flatnonzero(d_loc.isna().to_numpy())
        raise DataError(
            f"demand: {len(rows)} point(s) have no locality (rows "
            f"{', '.join(map(str, rows[:10]))}); with per_locality every point needs one."
        )
    names = sorted(set(d_loc.astype(str)))
    problems = []
    groups = []
    for name in names:
        if isinstance(k, Mapping):
            if name not in k:
                problems.append(f"no k given for {name}")
                continue
            k_group = _check_k(k[name], f"k for {name}")
        else:
            k_group = _check_k(k, "k")
        c_rows = np.flatnonzero((c_loc.astype(str) == name).to_numpy() & c_loc.notna().to_numpy())
        d_rows = np.flatnonzero((d_loc.astype(str) == name).to_numpy())
        if len(c_rows) == 0:
            problems.append(f"no candidate site in {name}")
            continue
        groups.append((name, c_rows, d_rows, k_group))
    if problems:
        raise DataError("per-locality hubs: " + "; ".join(problems) + ".")
    return groups


def _solve_group(
    cxy: np.ndarray,
    ids: np.ndarray,
    required: np.ndarray,
    dxy: np.ndarray,
    weights: np.ndarray,
    k: int,
    *,
    method: str,
    distance: float | None,
    solver: str,
    compare_exact: bool | None,
) -> dict:
    # one site per position: the required one, else the smallest id
    order = np.lexsort((ids.astype(str), ~required))
    _, first = np.unique(cxy[order], axis=0, return_index=True)
    site_rows = np.sort(order[first])
    site_xy = cxy[site_rows]
    # demand at the same position adds up
    d_unique, d_inverse = np.unique(dxy, axis=0, return_inverse=True)
    d_weights = np.bincount(d_inverse.reshape(-1), weights=weights, minlength=len(d_unique))
    cost = cdist(d_unique, site_xy)
    forced = np.flatnonzero(required[site_rows])
    k_eff = min(k, len(site_rows))
    n_vars = cost.size
    exact_needed = solver == "exact" or (
        compare_exact if compare_exact is not None else n_vars <= 60_000
    )
    if method == "p-median":
        solved = None
        if solver == "heuristic":
            solved = solvers.pmedian_heuristic(cost, d_weights, k_eff, forced)
            bound, _, _ = solvers.pmedian_lower_bound(
                cost, d_weights, k_eff, forced, upper=solved.objective
            )
        optimum = None
        if exact_needed:
            try:
                exact = solvers.pmedian_exact(cost, d_weights, k_eff, forced)
            except ValueError as too_big:
                if solver == "exact":
                    raise DataError(
                        f"the p-median is too large to solve exactly ({too_big}); use "
                        'solver="heuristic", per_locality=True or fewer candidates.'
                    ) from None
            else:
                optimum = exact.objective
                if solved is None:
                    solved, bound = exact, exact.objective
    else:
        assert distance is not None
        solved = None
        if solver == "heuristic":
            solved = solvers.mclp_heuristic(cost, d_weights, k_eff, forced, distance)
            bound = solved.bound
        optimum = None
        if exact_needed:
            exact = solvers.mclp_exact(cost, d_weights, k_eff, forced, distance)
            optimum = exact.objective
            if solved is None:
                solved, bound = exact, exact.objective
    return {
        "open": site_rows[solved.open],
        "objective": solved.objective,
        "bound": bound,
        "optimum": optimum,
    }


def _solution_frames(
    cand: gpd.GeoDataFrame,
    ids: np.ndarray,
    is_required: np.ndarray,
    open_rows: list[int],
    demand: gpd.GeoDataFrame,
    weights: np.ndarray,
    distance: float | None,
    per_locality: bool,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    open_rows_arr = np.asarray(open_rows, dtype=np.int64)
    hxy = _xy(cand)[open_rows_arr]
    dxy = _xy(demand)
    if per_locality:
        # each point is served within its own locality
        hub_loc = cand["locality"].astype(str).to_numpy()[open_rows_arr]
        d_loc = demand["locality"].astype(str).to_numpy()
        nearest = np.zeros(len(demand), dtype=np.int64)
        dist = np.zeros(len(demand))
        for name in np.unique(d_loc):
            rows = np.flatnonzero(d_loc == name)
            local = np.flatnonzero(hub_loc == name)
            d, j = _nearest(dxy[rows], hxy[local])
            nearest[rows] = local[j]
            dist[rows] = d
    else:
        dist, nearest = _nearest(dxy, hxy)
    assignment = demand.copy()
    assignment["hub_id"] = pd.array(ids[open_rows_arr][nearest], dtype="str")
    assignment["distance_m"] = dist.round(1)
    if distance is not None:
        assignment["covered"] = dist <= distance
    hubs = cand.iloc[open_rows_arr].copy()
    hubs.insert(0, "hub_id", pd.array(ids[open_rows_arr], dtype="str"))
    hubs["required"] = is_required[open_rows_arr]
    served = np.bincount(nearest, weights=weights, minlength=len(open_rows_arr))
    hubs["population_served"] = served.round(1)
    hubs["demand_points"] = np.bincount(nearest, minlength=len(open_rows_arr))
    hubs["mean_distance_m"] = np.divide(
        np.bincount(nearest, weights=weights * dist, minlength=len(open_rows_arr)),
        served,
        out=np.zeros(len(open_rows_arr)),
        where=served > 0,
    ).round(1)
    if distance is not None:
        cov = np.bincount(
            nearest, weights=np.where(dist <= distance, weights, 0.0), minlength=len(open_rows_arr)
        )
        hubs["covered_population"] = cov.round(1)
    return hubs.reset_index(drop=True), assignment


def _hub_summary(
    hubs: gpd.GeoDataFrame,
    assignment: gpd.GeoDataFrame,
    weights: np.ndarray,
    rows_report: list[dict],
) -> pd.DataFrame:
    if "locality" not in assignment.columns:
        return pd.DataFrame(columns=["locality", "hubs", "population", "mean_distance_m"])
    loc = assignment["locality"].astype(object).where(assignment["locality"].notna(), "(none)")
    frame = pd.DataFrame(
        {
            "locality": loc.astype(str).to_numpy(),
            "population": weights,
            "weighted": weights * assignment["distance_m"].to_numpy(),
        }
    )
    table = frame.groupby("locality", sort=True).sum()
    table["mean_distance_m"] = (
        table["weighted"] / table["population"].where(table["population"] > 0)
    ).round(1)
    table = table.drop(columns="weighted")
    if "locality" in hubs.columns:
        counts = hubs["locality"].astype(str).value_counts()
        table["hubs"] = counts.reindex(table.index).fillna(0).astype(int)
    else:
        table["hubs"] = 0
    table = table.reset_index()[["locality", "hubs", "population", "mean_distance_m"]]
    if rows_report:
        table = table.merge(pd.DataFrame(rows_report), on="locality", how="left")
    return table


# --------------------------------------------------------------------------------------
# Rationalisation


#: Categories that do not move into a hub by default: schools, fire stations and hospitals
#: are tied to their buildings.
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
    summary : pandas.DataFrame
        Per locality and a last ``"County"`` row: ``assets``, ``hubs``, ``moving``,
        ``staying``, ``service_points_before``/``_after``, ``mean_distance_before_m``,
        ``mean_distance_after_m``, ``change_m`` (population-weighted distance to the nearest
        service point), ``cost_released`` (sum of ``annual_cost`` of moving assets) and
        ``cost_unknown`` (moving assets without a cost).
    population : geopandas.GeoDataFrame
        The population points with ``distance_before_m`` and ``distance_after_m``.
    """

    assets: gpd.GeoDataFrame
    summary: pd.DataFrame
    population: gpd.GeoDataFrame


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
    >>> result.summary[["locality", "moving", "cost_released", "change_m"]]
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
    return ScenarioResult(assets=out, summary=summary, population=pop)
