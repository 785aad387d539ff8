"""Build localities: parishes → catchments → localities with tiers, dissolved and checked.

Two routes assign each parish to a secondary school catchment:

* **overlap** — with catchment polygons, each parish goes to the catchment it overlaps most;
  ``catchment_share`` records that share of the parish's area and parishes whose best share
  is below ``min_share`` are listed as split.
* **lookup** — with a parish → catchment table; ``catchment_share`` is then not measured
  (NaN).

The scheme maps catchments to localities; its overrides (with their reasons) and parish
groups then apply; parishes are dissolved into localities with shapely's coverage union
(falling back to ``union_all`` when the parishes do not form a valid coverage); and a
:class:`~localitygis.localities.quality.QualityReport` records what was checked and found.

The module is pure: GeoDataFrames in EPSG:27700 in, a frozen :class:`LocalityBuild` out.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis._validate import listing, require_bng
from localitygis.errors import DataError, SchemeError, shown
from localitygis.localities._threads import thread_count
from localitygis.localities.assign import (
    _assign_by_overlap,
    _normalised,
    _require_columns,
    assign_by_lookup,
    assign_by_overlap,
)
from localitygis.localities.certificate import CoverageChain
from localitygis.localities.dissolve import (
    LOCALITY_COLUMNS,
    _catchment_layer,
    _dissolve_catchments,
    _dissolve_localities,
    _empty_catchments,
    coverage_state,
    dissolve_localities,
    union_by_group,
)
from localitygis.localities.quality import (
    CoverageCheck,
    QualityReport,
    _no_coverage_problems,
    check_coverage,
    check_duplicate_codes,
    find_gaps,
    repair_geometries,
)
from localitygis.localities.scheme import (
    ResolvedScheme,
    Scheme,
    herefordshire_scheme,
    normalise_name,
)
from localitygis.provenance import provenance_of, with_provenance

__all__ = [
    "LOCALITY_COLUMNS",
    "LocalityBuild",
    "assign_by_lookup",
    "assign_by_overlap",
    "build_localities",
    "dissolve_localities",
]

log = logging.getLogger(__name__)

_ASSIGNED = ("catchment", "catchment_share", "locality", "tier", "reason")


@dataclass(frozen=True)
class LocalityBuild:
    """The result of :func:`build_localities`.

    Attributes
    ----------
    parishes : geopandas.GeoDataFrame
        The input parishes (rejects removed, geometry repaired) with ``catchment``,
        ``catchment_share``, ``locality``, ``tier`` and ``reason``.
    localities : geopandas.GeoDataFrame
        One row per locality with parishes, in scheme order: ``locality``, ``tier``,
        ``tier_name``, ``parish_count``, ``area_km2``, ``population``, ``density_per_km2``,
        ``catchments`` and geometry.
    catchments : geopandas.GeoDataFrame
        ``catchment``, ``locality``, ``tier``, ``parish_count`` and geometry: the catchment
        polygons given (merged by name, repaired), or, on the lookup route, the parishes
        dissolved by catchment.
    report : QualityReport
        What was checked, repaired, rejected and found.
    scheme : Scheme
        The scheme used.
    """

    parishes: gpd.GeoDataFrame
    localities: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    report: QualityReport
    scheme: Scheme

    @property
    def rejects(self) -> pd.DataFrame:
        """Input features that could not be used, with reasons (``report.rejects``)."""
        return self.report.rejects


# --------------------------------------------------------------------------------------
# The build


def _prepare_catchments(
    catchments: gpd.GeoDataFrame, *, workers: int
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Repair catchments and merge features sharing a name (frame, repaired, rejects, merged)."""
    fixed = repair_geometries(catchments, layer="catchments", label="catchment", workers=workers)
    frame = fixed.frame
    names = frame["catchment"].astype(str).str.strip().to_numpy(dtype=object)
    keys = np.array(_normalised(names), dtype=object)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    _, first, inverse, counts = np.unique(
        keys.astype(str), return_index=True, return_inverse=True, return_counts=True
    )
    out_geoms = geoms[first].copy()
    merged_rows = []
    for k in np.flatnonzero(counts > 1):
        out_geoms[k] = shapely.union_all(geoms[inverse == k])
        merged_rows.append({"catchment": names[first[k]], "features": int(counts[k])})
    merged = pd.DataFrame(merged_rows, columns=["catchment", "features"])
    result = gpd.GeoDataFrame({"catchment": names[first]}, geometry=out_geoms, crs=catchments.crs)
    return result, fixed.repaired, fixed.rejects, merged


def build_localities(
    parishes: gpd.GeoDataFrame,
    *,
    catchments: gpd.GeoDataFrame | None = None,
    lookup: pd.DataFrame | None = None,
    scheme: Scheme | None = None,
    min_share: float = 0.9,
    on_group_split: Literal["majority", "refuse"] = "majority",
    workers: int | None = None,
) -> LocalityBuild:
    """Build localities from parishes and catchments (or a lookup table) under a scheme.

    Steps: check inputs (CRS, columns, duplicate codes), repair invalid and reject empty
    geometries, assign each parish to a catchment (largest overlap, or the lookup table),
    map catchments to localities, apply the scheme's overrides, keep parish groups together,
    dissolve, and reconcile areas. Everything found is in ``result.report``.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        ``parish_code`` (unique), ``parish_name``, optional ``population``, polygons in
        EPSG:27700 (see :func:`localitygis.io.read_parishes`).
    catchments : geopandas.GeoDataFrame, optional
        ``catchment`` and polygons in EPSG:27700. Give this or ``lookup``.
    lookup : pandas.DataFrame, optional
        ``parish_code`` → ``catchment`` (see :func:`localitygis.io.read_lookup`).
    scheme : Scheme, optional
        Default :func:`localitygis.localities.scheme.herefordshire_scheme`.
    min_share : float
        Parishes whose largest catchment share is below this are listed as split
        (overlap route). Between 0 and 1.
    on_group_split : {"majority", "refuse"}
        A parish group found in several localities either moves, whole, to the locality
        holding most of its population (area when population is unknown; an override on a
        member decides instead), or is refused with a :class:`SchemeError`.
    workers : int, optional
        Threads for the overlap computation (default: up to 4, the number of CPUs).

    Returns
    -------
    LocalityBuild
        ``parishes``, ``localities``, ``catchments``, ``report``, ``scheme``.

    Raises
    ------
    CRSError
        An input is not in EPSG:27700.
    DataError
        Missing columns, duplicate parish codes, parishes in no catchment, catchments the
        scheme does not know, a lookup that does not match the parishes.
    SchemeError
        Overrides or groups naming unknown parishes; a group split with ``"refuse"``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from localitygis.localities.scheme import Scheme, Tier, LocalityDef
    >>> scheme = Scheme(name="Two", tiers={1: Tier(1, "Rural"), 2: Tier(2, "Town")},
    ...     localities=(LocalityDef("Town", 2, ("T",)), LocalityDef("Vale", 1, ("V",))))
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["P1", "P2", "P3"], "parish_name": ["A", "B", "C"],
    ...      "population": [5000, 300, 200]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000),
    ...               box(2000, 0, 3000, 1000)], crs=27700)
    >>> catchments = gpd.GeoDataFrame({"catchment": ["T", "V"]},
    ...     geometry=[box(0, 0, 1050, 1000), box(1050, 0, 3000, 1000)], crs=27700)
    >>> build = build_localities(parishes, catchments=catchments, scheme=scheme)
    >>> build.parishes[["parish_code", "catchment", "catchment_share", "locality"]]
      parish_code catchment  catchment_share locality
    0          P1         T             1.00     Town
    1          P2         V             0.95     Vale
    2          P3         V             1.00     Vale
    >>> build.localities[["locality", "tier", "parish_count", "area_km2", "population"]]
      locality  tier  parish_count  area_km2  population
    0     Town     2             1       1.0        5000
    1     Vale     1             2       2.0         500
    """
    scheme = herefordshire_scheme() if scheme is None else scheme
    if (catchments is None) == (lookup is None):
        raise DataError(
            "give either catchments (polygons) or lookup (a parish → catchment table), "
            "not both and not neither."
        )
    if not 0.0 < float(min_share) <= 1.0:
        raise DataError(f"min_share must be between 0 and 1, not {min_share!r}.")
    if on_group_split not in ("majority", "refuse"):
        raise DataError(f"on_group_split must be 'majority' or 'refuse', not {on_group_split!r}.")
    require_bng(parishes, "parishes")
    _require_columns(
        parishes,
        ("parish_code", "parish_name"),
        "parishes",
        "Read them with localitygis.io.read_parishes, or name the columns parish_code and "
        "parish_name.",
    )
    if catchments is not None:
        require_bng(catchments, "catchments")
        _require_columns(
            catchments,
            ("catchment",),
            "catchments",
            "Read them with localitygis.io.read_catchments (field=... names the column).",
        )
    provenance = provenance_of(parishes)
    if catchments is not None:
        provenance = provenance.combined(provenance_of(catchments))
    notes: list[str] = []

    # -- parish checks and repairs
    parishes_in = len(parishes)
    frame = parishes.copy()
    frame["parish_code"] = frame["parish_code"].astype("string").str.strip().astype(object)
    frame.loc[frame["parish_code"] == "", "parish_code"] = None
    check_duplicate_codes(frame["parish_code"], source="parishes")
    if "population" in frame.columns:
        frame["population"] = _population(frame["population"])
    threads = thread_count(workers)
    fixed = repair_geometries(frame, layer="parishes", label="parish_code", workers=threads)
    frame = fixed.frame.drop(columns=[c for c in _ASSIGNED if c in fixed.frame.columns])
    repaired = [fixed.repaired]
    rejects = [fixed.rejects]
    if frame.empty:
        raise DataError(
            f"parishes: none of the {parishes_in} feature(s) has usable geometry "
            f"({listing(fixed.rejects['reason'].unique())})."
        )
    codes = frame["parish_code"].astype(str).to_numpy(dtype=object)
    names = frame["parish_name"].to_numpy(dtype=object)
    # Resolving normalises every parish name: only worth it when something refers to parishes.
    resolved = (
        scheme.resolve_parishes(list(codes), list(names))
        if scheme.overrides or scheme.groups
        else ResolvedScheme((), ())
    )
    override_of = {code: (loc, reason) for code, loc, reason in resolved.overrides}

    # -- the coverage check runs in the background from here to the dissolve
    geoms = np.asarray(frame.geometry.array, dtype=object)
    background = ThreadPoolExecutor(max_workers=1) if threads > 1 else None
    state_future = background.submit(coverage_state, geoms) if background is not None else None
    try:
        # -- assignment
        merged = pd.DataFrame(columns=["catchment", "features"])
        if catchments is not None:
            # One thread: the other core is busy with the parishes' coverage check.
            catch, c_repaired, c_rejects, merged = _prepare_catchments(catchments, workers=1)
            repaired.append(c_repaired)
            rejects.append(c_rejects)
            # Repaired catchments are valid: the coverage check need not test that again.
            assigned = _assign_by_overlap(
                frame, catch, min_share=min_share, workers=workers, catchments_valid=True
            )
            route = "overlap"
            if not assigned.attrs.get("catchments_coverage_valid", True):
                notes.append(
                    "the catchments do not form a valid coverage (they overlap, or shared edges "
                    "do not match), so every parish-catchment pair was measured"
                )
        else:
            assigned = assign_by_lookup(frame, lookup)  # type: ignore[arg-type]
            route = "lookup"
            catch = None
        # -- catchments → localities; problems with either are reported together
        problems = []
        no_catchment = assigned["catchment"].isna().to_numpy()
        stranded = no_catchment & ~np.isin(codes, list(override_of))
        if stranded.any():
            named = [f"{c} {n}" for c, n in zip(codes[stranded], names[stranded], strict=True)]
            problems.append(
                f"{int(stranded.sum())} parish(es) lie in no catchment: {listing(named)}. "
                "Check that the catchments cover the whole area and are in the same CRS, or "
                "place these parishes with [[overrides]] in the scheme"
            )
        catchment_locality = {
            normalise_name(c): loc.name for loc in scheme.localities for c in loc.catchments
        }
        keys = _normalised(assigned["catchment"])
        unknown = sorted(
            {
                c
                for c, k in zip(assigned["catchment"], keys, strict=True)
                if k is not None and k not in catchment_locality
            }
        )
        if unknown:
            problems.append(
                f"parishes were assigned to {len(unknown)} catchment(s) that scheme "
                f"{scheme.name!r} does not place in any locality: {listing(unknown)}. The "
                f"scheme's catchments are {listing(scheme.catchments)}. Add them to the "
                "scheme or correct the catchment names"
            )
        if problems:
            raise DataError("; ".join(problems) + ".")
        locality = np.array(
            [catchment_locality[k] if k is not None else None for k in keys], dtype=object
        )
        reason = _reasons(assigned, route, lookup)

        # -- overrides
        override_rows = []
        for code, (target, why) in override_of.items():
            i = int(np.flatnonzero(codes == code)[0])
            before = locality[i]
            override_rows.append(
                {
                    "parish_code": code,
                    "parish_name": names[i],
                    "from_locality": before,
                    "to_locality": target,
                    "reason": why,
                    "changed": before != target,
                }
            )
            locality[i] = target
            reason[i] = f"override: {why}"
        overrides = pd.DataFrame(
            override_rows,
            columns=[
                "parish_code",
                "parish_name",
                "from_locality",
                "to_locality",
                "reason",
                "changed",
            ],
        )
        unassigned = pd.DataFrame(
            {
                "parish_code": codes[no_catchment],
                "parish_name": names[no_catchment],
                "locality": locality[no_catchment],
            }
        )

        # -- groups
        group_moves = _resolve_groups(
            resolved.groups,
            codes,
            names,
            locality,
            reason,
            frame,
            override_of,
            scheme,
            on_group_split,
        )

        tiers = {loc.name: loc.tier for loc in scheme.localities}
        frame["catchment"] = assigned["catchment"].to_numpy(dtype=object)
        frame["catchment_share"] = assigned["catchment_share"].to_numpy(dtype="float64")
        frame["locality"] = locality
        frame["tier"] = np.array([tiers[x] for x in locality], dtype="int64")
        frame["reason"] = reason
        for column in ("catchment", "locality", "reason"):
            frame[column] = frame[column].astype("str")
        frame.loc[assigned["catchment"].isna().to_numpy(), "catchment"] = None

        # -- coverage checks and dissolve
        coverage, chain, localities = _check_and_dissolve(
            frame, geoms, codes, scheme, threads, state_future
        )
    finally:
        if background is not None:
            # On an error the check may still be running: let it finish on its own.
            background.shutdown(wait=False, cancel_futures=True)
    if not coverage.is_valid:
        notes.append(
            "the parishes do not form a valid coverage (see invalid edges and overlaps), so "
            "localities were dissolved with union_all instead of the coverage union"
        )
    loc_geoms = np.asarray(localities.geometry.array, dtype=object)
    county = union_by_group(
        loc_geoms if chain is None else geoms,
        np.zeros(len(loc_geoms) if chain is None else len(geoms), dtype=np.int64),
        1,
        coverage_valid=coverage.is_valid,
        chain=chain,
    )[0]
    gaps = find_gaps(county, crs=frame.crs)

    # -- catchments layer
    if catch is None:
        catch = _dissolve_catchments(frame, coverage_valid=coverage.is_valid, chain=chain)
    catch_out = _catchment_layer(catch, frame, scheme)
    empty_catchments = _empty_catchments(catch_out, scheme)
    used = set(localities["locality"])
    empty_localities = pd.DataFrame(
        [
            {"locality": loc.name, "tier": loc.tier}
            for loc in scheme.localities
            if loc.name not in used
        ],
        columns=["locality", "tier"],
    )

    split = frame.loc[
        (frame["catchment_share"] < min_share).to_numpy(),
        ["parish_code", "parish_name", "catchment", "catchment_share", "locality"],
    ].copy()
    if route == "overlap":
        split.insert(4, "second_catchment", assigned.loc[split.index, "second_catchment"])
        split.insert(5, "second_share", assigned.loc[split.index, "second_share"])
    split = pd.DataFrame(split.reset_index(drop=True))
    missing_population = (
        pd.DataFrame(
            frame.loc[frame["population"].isna().to_numpy(), ["parish_code", "parish_name"]]
        ).reset_index(drop=True)
        if "population" in frame.columns
        else pd.DataFrame(columns=["parish_code", "parish_name"])
    )
    if "population" not in frame.columns:
        notes.append("the parishes have no population column: locality populations are unknown")

    all_rejects = [r for r in rejects if len(r)]
    report = QualityReport(
        route=route,
        min_share=float(min_share),
        parishes_in=parishes_in,
        parishes_out=len(frame),
        repaired=pd.concat([r for r in repaired if len(r)], ignore_index=True)
        if any(len(r) for r in repaired)
        else repaired[0],
        rejects=pd.concat(all_rejects, ignore_index=True) if all_rejects else rejects[0],
        merged_catchments=merged,
        unassigned=unassigned,
        empty_catchments=empty_catchments,
        empty_localities=empty_localities,
        split_parishes=split,
        overrides=overrides,
        group_moves=group_moves,
        invalid_edges=coverage.invalid_edges,
        overlaps=coverage.overlaps,
        gaps=gaps,
        missing_population=missing_population,
        coverage_valid=coverage.is_valid,
        dissolve_method="coverage_union" if coverage.is_valid else "union_all",
        parish_area_km2=float(shapely.area(geoms).sum()) / 1e6,
        locality_area_km2=float(localities["area_km2"].sum()),
        county_area_km2=float(shapely.area(county)) / 1e6,
        notes=tuple(notes),
    )
    for out in (frame, localities, catch_out, report.rejects):
        with_provenance(out, provenance)
    log.info("built %d localities from %d parishes (%s route)", len(localities), len(frame), route)
    return LocalityBuild(frame, localities, catch_out, report, scheme)


def _check_and_dissolve(
    frame: gpd.GeoDataFrame,
    geoms: np.ndarray,
    codes: np.ndarray,
    scheme: Scheme,
    workers: int,
    state_future: Future[tuple[bool, CoverageChain | None]] | None,
) -> tuple[CoverageCheck, CoverageChain | None, gpd.GeoDataFrame]:
    """Dissolve with the coverage union when the parishes form a valid coverage.

    ``state_future`` is the validity check with its certificate (:func:`coverage_state`),
    started in the background as soon as the geometry was repaired; the certificate
    dissolves the localities. Otherwise the localities are dissolved with ``union_all``
    and the coverage problems are listed.
    """
    valid, chain = state_future.result() if state_future is not None else coverage_state(geoms)
    if valid:
        coverage = CoverageCheck(True, *_no_coverage_problems(frame.crs))
    else:
        coverage = check_coverage(geoms, codes, crs=frame.crs)
    localities = _dissolve_localities(
        frame, scheme, coverage_valid=valid, workers=workers, chain=chain
    )
    return coverage, chain, localities


def _population(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() & values.notna()) | (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        rows = listing(
            f"feature {i + 1} ({shown(values.iloc[i])})" for i in np.flatnonzero(bad.to_numpy())
        )
        raise DataError(
            f"parishes: population must be a whole number of people; not so for {rows}."
        )
    return numbers.astype("Int64")


def _reasons(assigned: pd.DataFrame, route: str, lookup: pd.DataFrame | None) -> np.ndarray:
    if route == "lookup":
        return np.array([f"lookup table row {r}" for r in assigned["lookup_row"]], dtype=object)
    out = []
    for catchment, share in zip(assigned["catchment"], assigned["catchment_share"], strict=True):
        if catchment is None:
            out.append("in no catchment")
        elif share >= 1.0 - 1e-12:
            out.append(f"inside catchment {catchment}")
        else:
            out.append(f"largest overlap: {share:.1%} in catchment {catchment}")
    return np.array(out, dtype=object)


def _resolve_groups(
    groups: tuple[tuple[str, tuple[str, ...]], ...],
    codes: np.ndarray,
    names: np.ndarray,
    locality: np.ndarray,
    reason: np.ndarray,
    frame: gpd.GeoDataFrame,
    override_of: dict[str, tuple[str, str]],
    scheme: Scheme,
    on_group_split: str,
) -> pd.DataFrame:
    position = {c: i for i, c in enumerate(codes)}
    order = {name: i for i, name in enumerate(scheme.locality_names)}
    has_pop = "population" in frame.columns
    population = (
        pd.to_numeric(frame["population"], errors="coerce").to_numpy(dtype="float64")
        if has_pop
        else None
    )
    area = shapely.area(np.asarray(frame.geometry.array, dtype=object))
    moves = []
    refused = []
    for group, members in groups:
        idx = np.array([position[m] for m in members], dtype=np.int64)
        current = locality[idx]
        if len(set(current)) <= 1:
            continue
        pinned = {override_of[m][0] for m in members if m in override_of}
        if len(pinned) > 1:
            raise SchemeError(
                f"group {group!r} has overrides to different localities "
                f"({', '.join(sorted(pinned))}); a group must stay together. Fix the overrides."
            )
        if on_group_split == "refuse":
            parts = ", ".join(f"{names[i]} in {locality[i]}" for i in idx)
            refused.append(f"{group!r} ({parts})")
            continue
        if pinned:
            target = next(iter(pinned))
            rule = f"override on a member places the group in {target}"
        else:
            use_pop = population is not None and not np.isnan(population[idx]).any()
            weight = population[idx] if use_pop else area[idx]  # type: ignore[index]
            totals: dict[str, float] = {}
            for loc, w in zip(current, weight, strict=True):
                totals[loc] = totals.get(loc, 0.0) + float(w)
            target = min(totals, key=lambda loc: (-totals[loc], order.get(loc, 0)))
            measure = "population" if use_pop else "area"
            rule = (
                f"majority by {measure} ({totals[target] / sum(totals.values()):.0%} in {target})"
            )
        for i in idx:
            if locality[i] != target:
                moves.append(
                    {
                        "group": group,
                        "parish_code": codes[i],
                        "parish_name": names[i],
                        "from_locality": locality[i],
                        "to_locality": target,
                        "rule": rule,
                    }
                )
                locality[i] = target
                reason[i] = f"group {group}: {rule}"
    if refused:
        raise SchemeError(
            f"{len(refused)} parish group(s) are split across localities: "
            + "; ".join(refused)
            + ". Add overrides to keep each group together, or build with "
            "on_group_split='majority'."
        )
    return pd.DataFrame(
        moves,
        columns=["group", "parish_code", "parish_name", "from_locality", "to_locality", "rule"],
    )
