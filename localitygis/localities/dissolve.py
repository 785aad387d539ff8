"""Dissolve parishes into localities (and catchments) with their summary columns.

Private plumbing of :mod:`localitygis.localities`, which re-exports
:func:`dissolve_localities` and :data:`LOCALITY_COLUMNS`. A build certifies the parishes' coverage
once (:func:`coverage_state`, run in the background while parishes are assigned); the
certificate's pairing of boundary segments then dissolves parishes into localities and
localities into the county without another pass over every vertex
(:func:`localitygis.localities.certificate.union_groups`). Groups it cannot vouch for, and coverages
without a certificate, go to :func:`shapely.coverage_union_all`; an invalid coverage to
:func:`shapely.union_all`.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.localities.assign import _normalised
from localitygis.localities.certificate import CoverageChain, certify_coverage, union_groups
from localitygis.localities.scheme import Scheme, normalise_name

__all__ = ["LOCALITY_COLUMNS", "coverage_state", "dissolve_localities", "union_by_group"]


def coverage_state(geoms: np.ndarray) -> tuple[bool, CoverageChain | None]:
    """Whether valid (already repaired) polygons form a valid coverage, with its chain.

    The chain is None when the certificate could not vouch and GEOS decided.

    Examples
    --------
    >>> from shapely import box
    >>> valid, chain = coverage_state(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)]))
    >>> valid, chain is not None
    (True, True)
    """
    chain = certify_coverage(geoms, assume_valid=True)
    if chain is not None:
        return True, chain
    return bool(shapely.coverage_is_valid(geoms)), None


def union_by_group(
    geoms: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    *,
    coverage_valid: bool,
    chain: CoverageChain | None = None,
    workers: int = 1,
) -> list[shapely.Geometry]:
    """Return the union of the polygons of each group ``0 .. n_groups - 1``.

    Parameters
    ----------
    geoms : numpy.ndarray
        Valid polygons.
    group : numpy.ndarray
        Integer group of each polygon, 0 or more; groups from ``n_groups`` on are not
        dissolved.
    n_groups : int
        Number of groups wanted; a group with no polygons gives an empty polygon.
    coverage_valid : bool
        The polygons form a valid coverage (coverage union); otherwise ``union_all`` with
        the result made valid.
    chain : CoverageChain, optional
        The coverage's certificate: the groups are dissolved from it where it can vouch.
    workers : int
        Threads for the groups left to GEOS.

    Returns
    -------
    list of shapely geometry

    Examples
    --------
    >>> from shapely import box
    >>> squares = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 0, 6, 1)])
    >>> [g.area for g in union_by_group(squares, np.array([0, 0, 1]), 2, coverage_valid=True)]
    [2.0, 1.0]
    """
    group = np.asarray(group, dtype=np.int64)
    shapes: list[shapely.Geometry | None] = [None] * n_groups
    if chain is not None and coverage_valid and len(group):
        from_chain = union_groups(chain, group)[:n_groups]
        shapes[: len(from_chain)] = from_chain
    left = [g for g in range(n_groups) if shapes[g] is None]
    members = {g: np.flatnonzero(group == g) for g in left}

    def union(g: int) -> shapely.Geometry:
        parts = geoms[members[g]]
        if not len(parts):
            return shapely.Polygon()
        if coverage_valid:
            return shapely.coverage_union_all(parts)
        merged = shapely.union_all(parts)
        return shapely.make_valid(merged, method="structure", keep_collapsed=False)

    if workers > 1 and len(left) > 1:
        # Largest first, so the threads finish together.
        left.sort(key=lambda g: -len(members[g]))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = dict(zip(left, pool.map(union, left), strict=True))
    else:
        done = {g: union(g) for g in left}
    for g, shape in done.items():
        shapes[g] = shape
    return shapes


#: The columns of the localities layer, in order (geometry last).
LOCALITY_COLUMNS = (
    "locality",
    "tier",
    "tier_name",
    "parish_count",
    "area_km2",
    "population",
    "density_per_km2",
    "catchments",
    "geometry",
)


def dissolve_localities(
    parishes: gpd.GeoDataFrame,
    scheme: Scheme,
    *,
    coverage_valid: bool = True,
    workers: int = 1,
) -> gpd.GeoDataFrame:
    """Dissolve assigned parishes into localities with their summary columns.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        With ``locality`` and ``catchment`` (and optionally ``population``), EPSG:27700.
    scheme : Scheme
        Gives the order, tiers and tier names.
    coverage_valid : bool
        True when the parishes form a valid coverage: the fast
        :func:`shapely.coverage_union_all` is used. Otherwise :func:`shapely.union_all`.
    workers : int
        Threads dissolving localities side by side.

    Returns
    -------
    geopandas.GeoDataFrame
        ``locality``, ``tier``, ``tier_name``, ``parish_count``, ``area_km2``,
        ``population`` (Int64; the sum of known parish populations), ``density_per_km2``,
        ``catchments`` ("; "-joined, scheme order) and geometry, in scheme order; localities
        with no parishes are left out.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from localitygis.localities.scheme import Scheme, Tier, LocalityDef
    >>> scheme = Scheme(name="S", tiers={1: Tier(1, "Rural")},
    ...                 localities=(LocalityDef("L", 1, ("A", "B")),))
    >>> parishes = gpd.GeoDataFrame({"locality": ["L", "L"], "catchment": ["B", "A"],
    ...     "population": [100, 300]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
    >>> dissolve_localities(parishes, scheme).drop(columns="geometry").iloc[0].to_dict()
    {'locality': 'L', 'tier': 1, 'tier_name': 'Rural', 'parish_count': 2, 'area_km2': 2.0,
     'population': 400, 'density_per_km2': 200.0, 'catchments': 'A; B'}
    """
    return _dissolve_localities(parishes, scheme, coverage_valid=coverage_valid, workers=workers)


def _dissolve_localities(
    parishes: gpd.GeoDataFrame,
    scheme: Scheme,
    *,
    coverage_valid: bool,
    workers: int,
    chain: CoverageChain | None = None,
) -> gpd.GeoDataFrame:
    """:func:`dissolve_localities`, from the parishes' coverage certificate when given."""
    geoms = np.asarray(parishes.geometry.array, dtype=object)
    position = {loc.name: i for i, loc in enumerate(scheme.localities)}
    in_scheme = np.array(
        [position.get(k, -1) for k in parishes["locality"].to_numpy(dtype=object)],
        dtype=np.int64,
    )
    counts = np.bincount(in_scheme[in_scheme >= 0], minlength=len(position))
    used = np.flatnonzero(counts)  # localities with parishes, in scheme order
    renumber = np.full(len(position) + 1, len(used), dtype=np.int64)  # others: left out
    renumber[used] = np.arange(len(used))
    group = renumber[in_scheme]
    dissolved = union_by_group(
        geoms,
        group,
        len(used),
        coverage_valid=coverage_valid,
        chain=chain,
        workers=workers,
    )
    population = (
        pd.to_numeric(parishes["population"], errors="coerce").to_numpy(dtype="float64")
        if "population" in parishes.columns
        else np.full(len(geoms), np.nan)
    )
    known = ~np.isnan(population)
    people = np.bincount(group[known], weights=population[known], minlength=len(used) + 1)
    people_known = np.bincount(group[known], minlength=len(used) + 1)
    catch_order = {normalise_name(c): i for i, c in enumerate(scheme.catchments)}
    catchments_of = _distinct_by_group(parishes["catchment"], group, len(used) + 1)
    rows = []
    shapes = []
    for g, shape in enumerate(dissolved):
        loc = scheme.localities[int(used[g])]
        area_km2 = float(shapely.area(shape)) / 1e6
        pop = int(people[g]) if people_known[g] else pd.NA  # whole numbers: exact
        density = float(pop) / area_km2 if pop is not pd.NA and area_km2 > 0 else np.nan
        names = sorted(
            catchments_of[g],
            key=lambda c: (catch_order.get(normalise_name(c), len(catch_order)), c),
        )
        rows.append(
            {
                "locality": loc.name,
                "tier": int(loc.tier),
                "tier_name": scheme.tiers[loc.tier].name,
                "parish_count": int(counts[used[g]]),
                "area_km2": area_km2,
                "population": pop,
                "density_per_km2": density,
                "catchments": "; ".join(names),
            }
        )
        shapes.append(shape)
    table = pd.DataFrame(rows, columns=list(LOCALITY_COLUMNS[:-1]))
    table = table.astype(
        {
            "locality": "str",
            "tier": "int64",
            "tier_name": "str",
            "parish_count": "int64",
            "area_km2": "float64",
            "population": "Int64",
            "density_per_km2": "float64",
            "catchments": "str",
        }
    )
    return gpd.GeoDataFrame(table, geometry=shapes, crs=parishes.crs)


def _distinct_by_group(values: pd.Series, group: np.ndarray, n_groups: int) -> list[set[str]]:
    """Return the distinct values (as text, missing ones left out) of each group."""
    codes, distinct = pd.factorize(values.to_numpy(dtype=object))
    known = codes >= 0
    pairs = np.unique(group[known] * max(len(distinct), 1) + codes[known])
    found: list[set[str]] = [set() for _ in range(n_groups)]
    for g, c in zip(*np.divmod(pairs, max(len(distinct), 1)), strict=True):
        found[g].add(str(distinct[c]))
    return found


def _dissolve_catchments(
    frame: gpd.GeoDataFrame, *, coverage_valid: bool, chain: CoverageChain | None
) -> gpd.GeoDataFrame:
    """Dissolve the parishes by catchment (the catchments layer of the lookup route)."""
    keys = frame["catchment"].astype(str).to_numpy(dtype=object)
    names, group = np.unique(keys.astype(str), return_inverse=True)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    shapes = union_by_group(geoms, group, len(names), coverage_valid=coverage_valid, chain=chain)
    return gpd.GeoDataFrame({"catchment": list(names)}, geometry=shapes, crs=frame.crs)


def _catchment_layer(
    catch: gpd.GeoDataFrame, parishes: gpd.GeoDataFrame, scheme: Scheme
) -> gpd.GeoDataFrame:
    counts = Counter(_normalised(parishes["catchment"].dropna()))
    mapping = {normalise_name(c): loc for loc in scheme.localities for c in loc.catchments}
    keys = _normalised(catch["catchment"])
    placed = [mapping.get(k) for k in keys]
    out = gpd.GeoDataFrame(
        {
            "catchment": catch["catchment"].astype("str").to_numpy(),
            "locality": [loc.name if loc is not None else None for loc in placed],
            "tier": pd.array(
                [loc.tier if loc is not None else pd.NA for loc in placed], dtype="Int64"
            ),
            "parish_count": np.array([counts.get(k, 0) for k in keys], dtype=np.int64),
        },
        geometry=np.asarray(catch.geometry.array, dtype=object),
        crs=catch.crs,
    )
    # ``keys`` holds None for a catchment with no name: it sorts last, as unknown names do.
    scheme_order: dict[str | None, int] = {
        normalise_name(c): i for i, c in enumerate(scheme.catchments)
    }
    rank = [scheme_order.get(k, len(scheme_order)) for k in keys]
    out = out.iloc[np.lexsort((out["catchment"].to_numpy(dtype=object), rank))]
    return out.reset_index(drop=True)


def _empty_catchments(catch: gpd.GeoDataFrame, scheme: Scheme) -> pd.DataFrame:
    empty = (catch["parish_count"] == 0).to_numpy()
    rows = [
        {"catchment": c, "locality": loc, "in_scheme": not pd.isna(loc)}
        for c, loc in zip(
            catch["catchment"].to_numpy(dtype=object)[empty],
            catch["locality"].to_numpy(dtype=object)[empty],
            strict=True,
        )
    ]
    present = set(_normalised(catch["catchment"]))
    for loc in scheme.localities:
        for c in loc.catchments:
            if normalise_name(c) not in present:
                rows.append({"catchment": c, "locality": loc.name, "in_scheme": True})
    return pd.DataFrame(rows, columns=["catchment", "locality", "in_scheme"])
