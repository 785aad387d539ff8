"""Build localities: parishes → catchments → localities with tiers, dissolved and checked.

Two routes assign each parish to a secondary school catchment:

* **overlap** — with catchment polygons, each parish goes to the catchment it overlaps most;
  ``catchment_share`` records that share of the parish's area and parishes whose best share
  is below ``min_share`` are listed as split. Where the catchments are drawn along parish
  boundaries, the share is read from the two coverage certificates instead of measured
  (:mod:`localitygis.localities.nested`): the same answer, without intersections.
* **lookup** — with a parish → catchment table; ``catchment_share`` is then not measured
  (NaN).

With overlapping catchments, the larger share wins and equal shares (a parish wholly
inside two catchments) go to the catchment whose normalised name sorts first; every parish
in an area two catchments both claim is listed in ``report.multi_catchment`` with both
shares and the rule that decided it (and its ``reason`` says so).

The scheme maps catchments to localities; its overrides (with their reasons) and parish
groups then apply; slivers below the cleaning tolerance are cleaned from the coverages
(:mod:`localitygis.localities.clean`); parishes are dissolved into localities with shapely's
coverage union (falling back to ``union_all`` when the parishes do not form a valid coverage);
and a :class:`~localitygis.localities.quality.QualityReport` records what was checked and
found.

:func:`build_localities` reads as the strategy does: ``check_inputs`` →
``prepare_parishes`` → ``assign_parishes`` (and ``place_in_localities``) →
``apply_overrides`` → ``keep_groups_together`` → ``dissolve_parishes`` → ``report_build``.
These stages are module-level functions (outside ``__all__``) so that each can be tested on
its own; their intermediate results are small dataclasses.

The module is pure: GeoDataFrames in EPSG:27700 in, a frozen :class:`LocalityBuild` out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis._validate import listing, require_bng
from localitygis.crs import classify_coordinates
from localitygis.errors import DataError, SchemeError, shown
from localitygis.localities._threads import InBackground, thread_count
from localitygis.localities.assign import (
    _assign_by_overlap,
    _by_distinct,
    _normalised,
    _require_columns,
    assign_by_lookup,
    assign_by_overlap,
)
from localitygis.localities.certificate import CoverageChain, certify_coverage
from localitygis.localities.clean import DEFAULT_TOLERANCE_M, CoverageCleaning, clean_coverage
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
from localitygis.localities.nested import follows_parishes
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
from localitygis.provenance import Provenance, provenance_of, with_provenance

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
_OVERRIDE_COLUMNS = [
    "parish_code",
    "parish_name",
    "from_locality",
    "to_locality",
    "reason",
    "changed",
]
_MULTI_COLUMNS = [
    "parish_code",
    "parish_name",
    "catchment",
    "catchment_share",
    "second_catchment",
    "second_share",
    "rule",
]
_MOVE_COLUMNS = ["group", "parish_code", "parish_name", "from_locality", "to_locality", "rule"]


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
# The stages' intermediate results


@dataclass
class PreparedParishes:
    """The parishes after the input checks: codes stripped, geometry repaired."""

    frame: gpd.GeoDataFrame
    count_in: int
    codes: np.ndarray
    names: np.ndarray
    geoms: np.ndarray
    repaired: pd.DataFrame
    rejects: pd.DataFrame


@dataclass
class CatchmentAssignment:
    """Each parish's catchment (``table``, aligned with the parishes) and how it was found."""

    table: pd.DataFrame
    route: str
    catchments: gpd.GeoDataFrame | None
    merged: pd.DataFrame
    repaired: pd.DataFrame
    rejects: pd.DataFrame
    cleaning: CoverageCleaning | None
    notes: list[str]


@dataclass
class LocalityPlacement:
    """Each parish's locality and the reason for it, with the overrides and group moves."""

    locality: np.ndarray
    reason: np.ndarray
    overrides: pd.DataFrame
    group_moves: pd.DataFrame


@dataclass
class DissolvedParishes:
    """The localities, the parish coverage they were dissolved from, and its cleaning."""

    localities: gpd.GeoDataFrame
    coverage: CoverageCheck
    chain: CoverageChain | None
    geoms: np.ndarray
    cleaning: CoverageCleaning


# --------------------------------------------------------------------------------------
# The build


def build_localities(
    parishes: gpd.GeoDataFrame,
    *,
    catchments: gpd.GeoDataFrame | None = None,
    lookup: pd.DataFrame | None = None,
    scheme: Scheme | None = None,
    min_share: float = 0.9,
    on_group_split: Literal["majority", "refuse"] = "majority",
    clean_coverage: float = DEFAULT_TOLERANCE_M,
    workers: int | None = None,
) -> LocalityBuild:
    """Build localities from parishes and catchments (or a lookup table) under a scheme.

    The stages (functions of this module): check and repair the inputs → assign parishes to
    catchments and catchments to localities → overrides → parish groups → clean slivers and
    dissolve → report. Everything found is in ``result.report``.

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
    clean_coverage : float
        Tolerance in metres for cleaning slivers from the parish and catchment coverages
        (:func:`localitygis.localities.clean.clean_coverage`: vertices snapped, overlaps
        merged, enclosed gaps narrower than this filled); 0 turns cleaning off. What moved
        is in ``report.cleaned``; wider problems stay findings.
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
    check_inputs(parishes, catchments, lookup, min_share, on_group_split, clean_coverage)
    threads = thread_count(workers)
    prepared = prepare_parishes(parishes, workers=threads)
    resolved = resolve_scheme_parishes(scheme, prepared)
    stages = _assign_place_dissolve(
        prepared,
        catchments,
        lookup,
        scheme,
        resolved,
        min_share=min_share,
        on_group_split=on_group_split,
        tolerance=clean_coverage,
        workers=workers,
    )
    return _finished(parishes, catchments, prepared, stages, scheme, min_share)


def _assign_place_dissolve(
    prepared: PreparedParishes,
    catchments: gpd.GeoDataFrame | None,
    lookup: pd.DataFrame | None,
    scheme: Scheme,
    resolved: ResolvedScheme,
    *,
    min_share: float,
    on_group_split: str,
    tolerance: float,
    workers: int | None,
) -> tuple[CatchmentAssignment, LocalityPlacement, DissolvedParishes]:
    """Run stages 2 to 5, the parishes' coverage check beside the assignment."""
    threads = thread_count(workers)
    background = InBackground(lambda: coverage_state(prepared.geoms), threads=threads)
    try:
        assignment = assign_parishes(
            prepared,
            catchments,
            lookup,
            min_share,
            workers=workers,
            tolerance=tolerance,
            parish_state=background.result,
        )
        placement = place_in_localities(prepared, assignment, scheme, resolved)
        apply_overrides(prepared, placement, resolved)
        keep_groups_together(prepared, placement, resolved, scheme, on_group_split)
        _annotate(prepared, assignment, placement, scheme)
        dissolved = dissolve_parishes(
            prepared, scheme, threads, state=background.result(), tolerance=tolerance
        )
    finally:
        background.close()
    return assignment, placement, dissolved


def _finished(
    parishes: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame | None,
    prepared: PreparedParishes,
    stages: tuple[CatchmentAssignment, LocalityPlacement, DissolvedParishes],
    scheme: Scheme,
    min_share: float,
) -> LocalityBuild:
    """Run stage 6 (the report) and return the build, its outputs carrying the provenance."""
    assignment, placement, dissolved = stages
    catchments_out = _catchments_out(prepared, assignment, dissolved, scheme)
    report = report_build(
        prepared,
        assignment,
        placement,
        dissolved,
        catchments_out,
        scheme,
        min_share,
        _read_notes(parishes, catchments),
    )
    result = LocalityBuild(prepared.frame, dissolved.localities, catchments_out, report, scheme)
    provenance = _provenance(parishes, catchments)
    for out in (result.parishes, result.localities, result.catchments, report.rejects):
        with_provenance(out, provenance)
    log.info(
        "built %d localities from %d parishes (%s route)",
        len(result.localities),
        len(result.parishes),
        assignment.route,
    )
    return result


# --------------------------------------------------------------------------------------
# Stage 1: check the inputs


def check_inputs(
    parishes: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame | None,
    lookup: pd.DataFrame | None,
    min_share: float,
    on_group_split: str,
    clean_coverage: float,
) -> None:
    """Check the arguments, the CRS and the contract columns of the inputs."""
    if (catchments is None) == (lookup is None):
        raise DataError(
            "give either catchments (polygons) or lookup (a parish → catchment table), "
            "not both and not neither."
        )
    if not 0.0 < float(min_share) <= 1.0:
        raise DataError(f"min_share must be between 0 and 1, not {min_share!r}.")
    if on_group_split not in ("majority", "refuse"):
        raise DataError(f"on_group_split must be 'majority' or 'refuse', not {on_group_split!r}.")
    if not np.isfinite(float(clean_coverage)) or float(clean_coverage) < 0:
        raise DataError(
            f"clean_coverage must be a distance in metres, 0 or more, not {clean_coverage!r}."
        )
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


def prepare_parishes(parishes: gpd.GeoDataFrame, *, workers: int) -> PreparedParishes:
    """Strip the codes, refuse duplicates, check populations, repair or reject geometry.

    Columns a previous build added (``catchment``, ``locality``…) are dropped.
    """
    frame = parishes.copy()
    frame["parish_code"] = frame["parish_code"].astype("string").str.strip().astype(object)
    frame.loc[frame["parish_code"] == "", "parish_code"] = None
    check_duplicate_codes(frame["parish_code"], source="parishes")
    if "population" in frame.columns:
        frame["population"] = _population(frame["population"])
    fixed = repair_geometries(frame, layer="parishes", label="parish_code", workers=workers)
    frame = fixed.frame.drop(columns=[c for c in _ASSIGNED if c in fixed.frame.columns])
    if frame.empty:
        reasons = listing(fixed.rejects["reason"].unique())
        raise DataError(
            "parishes: there are no features."
            if not len(parishes)
            else f"parishes: none of the {len(parishes)} feature(s) has usable geometry "
            f"({reasons})."
        )
    return PreparedParishes(
        frame,
        len(parishes),
        frame["parish_code"].astype(str).to_numpy(dtype=object),
        frame["parish_name"].to_numpy(dtype=object),
        np.asarray(frame.geometry.array, dtype=object),
        fixed.repaired,
        fixed.rejects,
    )


def resolve_scheme_parishes(scheme: Scheme, prepared: PreparedParishes) -> ResolvedScheme:
    """Return the overrides and groups by parish code (names resolved against the layer)."""
    # Resolving normalises every parish name: only worth it when something refers to parishes.
    if not (scheme.overrides or scheme.groups):
        return ResolvedScheme((), ())
    return scheme.resolve_parishes(list(prepared.codes), list(prepared.names))


# --------------------------------------------------------------------------------------
# Stage 2: assign parishes to catchments


def assign_parishes(
    prepared: PreparedParishes,
    catchments: gpd.GeoDataFrame | None,
    lookup: pd.DataFrame | None,
    min_share: float,
    *,
    workers: int | None,
    tolerance: float,
    parish_state: Callable[[], tuple[bool, CoverageChain | None]] | None = None,
) -> CatchmentAssignment:
    """Assign each parish to a catchment: by largest overlap, or from the lookup table.

    ``parish_state`` gives the parishes' coverage check (:func:`coverage_state`); with a
    certificate for both layers, parishes are placed from the two certificates wherever
    the catchments follow parish boundaries
    (:func:`localitygis.localities.nested.assign_nested`).
    """
    if catchments is None:
        table = assign_by_lookup(prepared.frame, lookup)
        empty = prepared.repaired.iloc[:0]
        return CatchmentAssignment(table, "lookup", None, _no_merges(), empty, empty, None, [])
    # One thread: the other core is busy with the parishes' coverage check.
    catch, repaired, rejects, merged = _prepare_catchments(catchments, workers=1)
    catch, cleaning, chain, known = _certified_catchments(catch, tolerance)
    chains = None
    if chain is not None and parish_state is not None and follows_parishes(prepared.geoms, chain):
        parish_chain = parish_state()[1]
        chains = None if parish_chain is None else (parish_chain, chain)
    # Repaired (and cleaned) catchments are valid: the coverage check need not test that.
    table = _assign_by_overlap(
        prepared.frame,
        catch,
        min_share=min_share,
        workers=workers,
        catchments_valid=True,
        coverage_valid=known,
        chains=chains,
    )
    notes = []
    if not table.attrs.get("catchments_coverage_valid", True):
        notes.append(
            "the catchments do not form a valid coverage (they overlap, or shared edges "
            "do not match), so every parish-catchment pair was measured"
        )
    return CatchmentAssignment(table, "overlap", catch, merged, repaired, rejects, cleaning, notes)


def _certified_catchments(
    catch: gpd.GeoDataFrame, tolerance: float
) -> tuple[gpd.GeoDataFrame, CoverageCleaning | None, CoverageChain | None, bool | None]:
    """Certify the catchments' coverage and clean their slivers.

    Returns the catchments (cleaned), the cleaning, their certificate (None when it cannot
    vouch) and whether they form a valid coverage (None: not known yet).
    """
    chain = certify_coverage(np.asarray(catch.geometry.array, dtype=object), assume_valid=True)
    cleaning = _clean_catchments(catch, tolerance, known_valid=chain is not None)
    known = True if chain is not None else None
    if cleaning is not None and len(cleaning.changes):
        catch = catch.set_geometry(gpd.GeoSeries(cleaning.geometries, crs=catch.crs))
        chain = certify_coverage(cleaning.geometries, assume_valid=True)
        known = True if chain is not None else None
    elif cleaning is not None and chain is None:
        known = cleaning.invalid_edges_before == 0
    return catch, cleaning, chain, known


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


def _clean_catchments(
    catch: gpd.GeoDataFrame, tolerance: float, *, known_valid: bool
) -> CoverageCleaning | None:
    """Clean the catchments' slivers (None when cleaning is off).

    ``known_valid``: the certificate vouched for the coverage (False: GEOS decides).
    """
    if tolerance <= 0:
        return None
    return clean_coverage(
        np.asarray(catch.geometry.array, dtype=object),
        catch["catchment"].astype(str).tolist(),
        tolerance=tolerance,
        layer="catchments",
        known_valid=known_valid,
    )


def _no_merges() -> pd.DataFrame:
    return pd.DataFrame(columns=["catchment", "features"])


# --------------------------------------------------------------------------------------
# Stage 3: catchments → localities, then the scheme's overrides


def place_in_localities(
    prepared: PreparedParishes,
    assignment: CatchmentAssignment,
    scheme: Scheme,
    resolved: ResolvedScheme,
) -> LocalityPlacement:
    """Map each parish's catchment to its locality; refuse parishes nothing places.

    Parishes in no catchment (unless an override places them) and catchments the scheme
    does not know are reported together in one :class:`DataError`.
    """
    table = assignment.table
    overridden = {code for code, _, _ in resolved.overrides}
    problems = []
    stranded = table["catchment"].isna().to_numpy() & ~np.isin(prepared.codes, list(overridden))
    if stranded.any():
        problems.append(_stranded_problem(prepared, assignment, stranded))
    catchment_locality = {
        normalise_name(c): loc.name for loc in scheme.localities for c in loc.catchments
    }
    names = table["catchment"].to_numpy(dtype=object)
    locality = _by_distinct(names, lambda c: catchment_locality.get(normalise_name(str(c))))
    unknown = sorted(set(names[pd.isna(locality) & pd.notna(names)]))
    if unknown:
        problems.append(
            f"parishes were assigned to {len(unknown)} catchment(s) that scheme "
            f"{scheme.name!r} does not place in any locality: {listing(unknown)}. The "
            f"scheme's catchments are {listing(scheme.catchments)}. Add them to the "
            "scheme or correct the catchment names"
        )
    if problems:
        raise DataError("; ".join(problems) + ".")
    return LocalityPlacement(
        locality, _reasons(table, assignment.route), _no_overrides(), _no_moves()
    )


def _stranded_problem(
    prepared: PreparedParishes, assignment: CatchmentAssignment, stranded: np.ndarray
) -> str:
    """Return the message for parishes in no catchment (naming swapped axes when that is why)."""
    named = [
        f"{c} {n}" for c, n in zip(prepared.codes[stranded], prepared.names[stranded], strict=True)
    ]
    message = f"{int(stranded.sum())} parish(es) lie in no catchment: {listing(named)}. "
    swapped = (
        assignment.catchments is not None
        and assignment.table["catchment"].isna().all()
        and _axes_swapped(prepared.geoms, np.asarray(assignment.catchments.geometry.array))
    )
    if swapped:
        return message + (
            "The parishes' easting and northing look swapped: exchanged, they fall on the "
            "catchments (one of the two layers has its x and y the wrong way round). Swap the "
            "coordinates of that layer (or declare its true CRS with --crs) and build again"
        )
    return message + (
        "Check that the catchments cover the whole area and are in the same CRS, or "
        "place these parishes with [[overrides]] in the scheme"
    )


def _axes_swapped(parish_geoms: np.ndarray, catchment_geoms: np.ndarray) -> bool:
    """Whether the parishes miss the catchments, but would cover them with x and y exchanged.

    Both layers are plausible British National Grid either way round (Herefordshire's
    northings, about 240 km, are valid eastings), so the coordinates alone cannot tell;
    the other layer can.
    """
    x0, y0, x1, y1 = shapely.total_bounds(parish_geoms)
    catchment_box = shapely.box(*shapely.total_bounds(catchment_geoms))
    if shapely.intersects(shapely.box(x0, y0, x1, y1), catchment_box):
        return False
    exchanged = shapely.box(y0, x0, y1, x1)
    shared = shapely.area(shapely.intersection(exchanged, catchment_box))
    smaller = min(shapely.area(exchanged), shapely.area(catchment_box))
    plausible = (classify_coordinates([y0, y1], [x0, x1]) == "bng").all()
    return bool(plausible and smaller > 0 and shared / smaller > 0.5)


def apply_overrides(
    prepared: PreparedParishes, placement: LocalityPlacement, resolved: ResolvedScheme
) -> None:
    """Place the scheme's overridden parishes where it says, with its reasons (in place)."""
    rows = []
    for code, target, why in resolved.overrides:
        i = int(np.flatnonzero(prepared.codes == code)[0])
        before = placement.locality[i]
        rows.append(
            {
                "parish_code": code,
                "parish_name": prepared.names[i],
                "from_locality": before,
                "to_locality": target,
                "reason": why,
                "changed": before != target,
            }
        )
        placement.locality[i] = target
        placement.reason[i] = f"override: {why}"
    placement.overrides = pd.DataFrame(rows, columns=_OVERRIDE_COLUMNS)


def _no_overrides() -> pd.DataFrame:
    return pd.DataFrame(columns=_OVERRIDE_COLUMNS)


def _no_moves() -> pd.DataFrame:
    return pd.DataFrame(columns=_MOVE_COLUMNS)


# --------------------------------------------------------------------------------------
# Stage 4: keep parish groups together


def keep_groups_together(
    prepared: PreparedParishes,
    placement: LocalityPlacement,
    resolved: ResolvedScheme,
    scheme: Scheme,
    on_group_split: str,
) -> None:
    """Move split parish groups whole to one locality, or refuse them (in place)."""
    override_of = {code: (loc, why) for code, loc, why in resolved.overrides}
    placement.group_moves = _resolve_groups(
        resolved.groups,
        prepared.codes,
        prepared.names,
        placement.locality,
        placement.reason,
        prepared.frame,
        override_of,
        scheme,
        on_group_split,
    )


def _annotate(
    prepared: PreparedParishes,
    assignment: CatchmentAssignment,
    placement: LocalityPlacement,
    scheme: Scheme,
) -> None:
    """Add ``catchment``, ``catchment_share``, ``locality``, ``tier``, ``reason`` (in place)."""
    frame = prepared.frame
    table = assignment.table
    tiers = {loc.name: loc.tier for loc in scheme.localities}
    frame["catchment"] = table["catchment"].to_numpy(dtype=object)
    frame["catchment_share"] = table["catchment_share"].to_numpy(dtype="float64")
    frame["locality"] = placement.locality
    frame["tier"] = np.array([tiers[x] for x in placement.locality], dtype="int64")
    frame["reason"] = placement.reason
    for column in ("catchment", "locality", "reason"):
        frame[column] = frame[column].astype("str")
    frame.loc[table["catchment"].isna().to_numpy(), "catchment"] = None


# --------------------------------------------------------------------------------------
# Stage 5: dissolve


def dissolve_parishes(
    prepared: PreparedParishes,
    scheme: Scheme,
    threads: int = 1,
    *,
    state: tuple[bool, CoverageChain | None] | None = None,
    tolerance: float = DEFAULT_TOLERANCE_M,
) -> DissolvedParishes:
    """Clean the parish coverage's slivers, then dissolve the parishes into localities.

    ``state`` is the parishes' coverage check (:func:`coverage_state`) when it has run
    already (a build runs it in the background). A valid coverage (as cleaned) is dissolved
    from its certificate with the coverage union; otherwise with ``union_all``, and the
    remaining coverage problems are listed. The cleaned geometry replaces the parishes'.
    """
    valid, chain = coverage_state(prepared.geoms) if state is None else state
    cleaning = clean_coverage(
        prepared.geoms, prepared.codes, tolerance=tolerance, layer="parishes", known_valid=valid
    )
    if len(cleaning.changes):
        geometry = gpd.GeoSeries(
            cleaning.geometries, index=prepared.frame.index, crs=prepared.frame.crs
        )
        prepared.frame = prepared.frame.set_geometry(geometry)
        valid, chain = coverage_state(cleaning.geometries)
    geoms = cleaning.geometries
    crs = prepared.frame.crs
    if valid:
        coverage = CoverageCheck(True, *_no_coverage_problems(crs))
    else:
        coverage = check_coverage(geoms, prepared.codes, crs=crs)
    localities = _dissolve_localities(
        prepared.frame, scheme, coverage_valid=valid, workers=threads, chain=chain
    )
    return DissolvedParishes(localities, coverage, chain, geoms, cleaning)


def _catchments_out(
    prepared: PreparedParishes,
    assignment: CatchmentAssignment,
    dissolved: DissolvedParishes,
    scheme: Scheme,
) -> gpd.GeoDataFrame:
    """Return the catchments layer: as given (overlap route) or the parishes dissolved (lookup)."""
    catch = assignment.catchments
    if catch is None:
        catch = _dissolve_catchments(
            prepared.frame, coverage_valid=dissolved.coverage.is_valid, chain=dissolved.chain
        )
    return _catchment_layer(catch, prepared.frame, scheme)


# --------------------------------------------------------------------------------------
# Stage 6: report


def report_build(
    prepared: PreparedParishes,
    assignment: CatchmentAssignment,
    placement: LocalityPlacement,
    dissolved: DissolvedParishes,
    catchments_out: gpd.GeoDataFrame,
    scheme: Scheme,
    min_share: float,
    read_notes: list[str],
) -> QualityReport:
    """Everything checked, repaired, rejected and found, with the area reconciliation."""
    frame = prepared.frame
    localities = dissolved.localities
    county = _county(dissolved)
    cleanings = _cleanings(assignment, dissolved)
    return QualityReport(
        route=assignment.route,
        min_share=float(min_share),
        parishes_in=prepared.count_in,
        parishes_out=len(frame),
        repaired=_stacked([prepared.repaired, assignment.repaired]),
        rejects=_stacked([prepared.rejects, assignment.rejects]),
        merged_catchments=assignment.merged,
        unassigned=_unassigned(prepared, assignment, placement),
        empty_catchments=_empty_catchments(catchments_out, scheme),
        empty_localities=_empty_localities(localities, scheme),
        split_parishes=_split_parishes(frame, assignment, min_share),
        overrides=placement.overrides,
        group_moves=placement.group_moves,
        invalid_edges=dissolved.coverage.invalid_edges,
        overlaps=dissolved.coverage.overlaps,
        gaps=find_gaps(county, crs=frame.crs),
        missing_population=_missing_population(frame),
        coverage_valid=dissolved.coverage.is_valid,
        dissolve_method="coverage_union" if dissolved.coverage.is_valid else "union_all",
        parish_area_km2=float(shapely.area(dissolved.geoms).sum()) / 1e6,
        locality_area_km2=float(localities["area_km2"].sum()),
        county_area_km2=float(shapely.area(county)) / 1e6,
        notes=tuple(_notes(read_notes, assignment, dissolved, frame)),
        cleaned=_stacked([c.changes for _, c in cleanings]),
        cleaning=tuple(f"{layer}: {c.describe()}" for layer, c in cleanings),
        multi_catchment=_multi_catchment(frame, assignment),
    )


def _county(dissolved: DissolvedParishes) -> shapely.Geometry:
    """Return the union of all parishes (from the certificate when it vouches) or localities."""
    if dissolved.chain is None:
        geoms = np.asarray(dissolved.localities.geometry.array, dtype=object)
    else:
        geoms = dissolved.geoms
    return union_by_group(
        geoms,
        np.zeros(len(geoms), dtype=np.int64),
        1,
        coverage_valid=dissolved.coverage.is_valid,
        chain=dissolved.chain,
    )[0]


def _cleanings(
    assignment: CatchmentAssignment, dissolved: DissolvedParishes
) -> list[tuple[str, CoverageCleaning]]:
    """Return the coverage cleanings of the build, by layer."""
    found = [("parishes", dissolved.cleaning)]
    if assignment.cleaning is not None:
        found.append(("catchments", assignment.cleaning))
    return found


def _stacked(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the tables one after another (the first, empty, when all are empty)."""
    full = [t for t in tables if len(t)]
    return pd.concat(full, ignore_index=True) if full else tables[0]


def _unassigned(
    prepared: PreparedParishes, assignment: CatchmentAssignment, placement: LocalityPlacement
) -> pd.DataFrame:
    """Parishes in no catchment (placed by an override)."""
    none = assignment.table["catchment"].isna().to_numpy()
    return pd.DataFrame(
        {
            "parish_code": prepared.codes[none],
            "parish_name": prepared.names[none],
            "locality": placement.locality[none],
        }
    )


def _empty_localities(localities: gpd.GeoDataFrame, scheme: Scheme) -> pd.DataFrame:
    """Return the scheme's localities that received no parish."""
    used = set(localities["locality"])
    return pd.DataFrame(
        [
            {"locality": loc.name, "tier": loc.tier}
            for loc in scheme.localities
            if loc.name not in used
        ],
        columns=["locality", "tier"],
    )


def _split_parishes(
    frame: gpd.GeoDataFrame, assignment: CatchmentAssignment, min_share: float
) -> pd.DataFrame:
    """Parishes whose largest catchment share is below ``min_share``, with the runner-up."""
    split = frame.loc[
        (frame["catchment_share"] < min_share).to_numpy(),
        ["parish_code", "parish_name", "catchment", "catchment_share", "locality"],
    ].copy()
    if assignment.route == "overlap":
        table = assignment.table
        split.insert(4, "second_catchment", table.loc[split.index, "second_catchment"])
        split.insert(5, "second_share", table.loc[split.index, "second_share"])
    return pd.DataFrame(split.reset_index(drop=True))


def _multi_catchment(frame: gpd.GeoDataFrame, assignment: CatchmentAssignment) -> pd.DataFrame:
    """On overlapping catchments, every parish in an area two of them claim, and the rule.

    The larger share wins; equal shares (a parish wholly inside two catchments) go to the
    catchment whose normalised name sorts first.
    """
    table = assignment.table
    overlapping = not table.attrs.get("catchments_coverage_valid", True)
    if assignment.route != "overlap" or not overlapping:
        return pd.DataFrame(columns=_MULTI_COLUMNS)
    second = table["second_share"].to_numpy(dtype="float64")
    share = table["catchment_share"].to_numpy(dtype="float64")
    many = _in_overlap(share, second)
    tie = np.isclose(share, second, rtol=0, atol=1e-9)
    rules = np.where(tie, "equal shares: the catchment whose name sorts first", "the larger share")
    return pd.DataFrame(
        {
            "parish_code": frame["parish_code"].to_numpy(dtype=object)[many],
            "parish_name": frame["parish_name"].to_numpy(dtype=object)[many],
            "catchment": table["catchment"].to_numpy(dtype=object)[many],
            "catchment_share": share[many],
            "second_catchment": table["second_catchment"].to_numpy(dtype=object)[many],
            "second_share": second[many],
            "rule": rules[many],
        }
    )


def _missing_population(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Parishes without a population (all of them listed only when some are known)."""
    if "population" not in frame.columns:
        return pd.DataFrame(columns=["parish_code", "parish_name"])
    missing = frame.loc[frame["population"].isna().to_numpy(), ["parish_code", "parish_name"]]
    return pd.DataFrame(missing).reset_index(drop=True)


def _notes(
    read_notes: list[str],
    assignment: CatchmentAssignment,
    dissolved: DissolvedParishes,
    frame: pd.DataFrame,
) -> list[str]:
    """Return notes on the inputs as read and on the route the build took."""
    notes = [*read_notes, *assignment.notes]
    if not dissolved.coverage.is_valid:
        notes.append(
            "the parishes do not form a valid coverage (see invalid edges and overlaps), so "
            "localities were dissolved with union_all instead of the coverage union"
        )
    if "population" not in frame.columns:
        notes.append("the parishes have no population column: locality populations are unknown")
    return notes


def _read_notes(*frames: gpd.GeoDataFrame | None) -> list[str]:
    """Return the notes the readers left on the input frames (``attrs["notes"]``), each once."""
    notes = [str(n) for f in frames if f is not None for n in f.attrs.get("notes", ())]
    return list(dict.fromkeys(notes))


def _provenance(parishes: gpd.GeoDataFrame, catchments: gpd.GeoDataFrame | None) -> Provenance:
    provenance = provenance_of(parishes)
    if catchments is not None:
        provenance = provenance.combined(provenance_of(catchments))
    return provenance


# --------------------------------------------------------------------------------------
# Helpers


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


def _reasons(table: pd.DataFrame, route: str) -> np.ndarray:
    """Say why each parish has its catchment (on overlapping catchments, with the runner-up)."""
    if route == "lookup":
        return ("lookup table row " + table["lookup_row"].astype(str)).to_numpy(dtype=object)
    catchment = table["catchment"].to_numpy(dtype=object)
    share = table["catchment_share"].to_numpy(dtype="float64")
    second = table["second_catchment"].to_numpy(dtype=object)
    second_share = table["second_share"].to_numpy(dtype="float64")
    overlapping = not table.attrs.get("catchments_coverage_valid", True)
    in_overlap = overlapping & _in_overlap(share, second_share)
    reasons = np.full(len(table), "in no catchment", dtype=object)
    # Most parishes lie inside one catchment: their reasons are made all at once.
    inside = pd.notna(catchment) & (share >= 1.0 - 1e-12) & ~in_overlap
    reasons[inside] = "inside catchment " + catchment[inside].astype(str)
    for i in np.flatnonzero(pd.notna(catchment) & ~inside):
        second_name = second[i] if in_overlap[i] else None
        reasons[i] = _reason(catchment[i], share[i], second_name, second_share[i])
    return reasons


def _in_overlap(share: float | np.ndarray, second_share: float | np.ndarray) -> np.ndarray:
    """Whether a parish's two largest shares add up to more than all of it (catchments overlap).

    A parish across the boundary of two catchments has shares that add up to at most 1; one
    in an area two catchments both claim has more.
    """
    return np.nan_to_num(share) + np.nan_to_num(second_share) > 1.0 + 1e-6


def _reason(catchment: str | None, share: float, second: str | None, second_share: float) -> str:
    """Say why one parish has its catchment (``second`` given only on overlapping ones)."""
    if catchment is None:
        return "in no catchment"
    inside = share >= 1.0 - 1e-12
    if second is None or not second_share > 0:
        if inside:
            return f"inside catchment {catchment}"
        return f"largest overlap: {share:.1%} in catchment {catchment}"
    if second_share >= share - 1e-9:
        return (
            f"equal shares ({share:.1%}) in catchments {catchment} and {second}: the name "
            "that sorts first"
        )
    where = f"inside catchment {catchment}" if inside else f"{share:.1%} in catchment {catchment}"
    return f"{where}, {second_share:.1%} in catchment {second}: the larger share"


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
    return pd.DataFrame(moves, columns=_MOVE_COLUMNS)
