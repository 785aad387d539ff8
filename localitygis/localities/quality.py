"""Quality checks and repairs for parish and catchment coverages, and the build's report.

Nothing here fixes anything silently: every repair is counted and listed, every feature
that cannot be used goes to a rejects table with the reason, and the
:class:`QualityReport` of a build says what was checked and what was found.

Policies (documented, tested):

* **Invalid geometry** (a bow-tie, a self-touching ring) is repaired with
  :func:`shapely.make_valid` (``method="structure"``), keeping only the polygonal parts; the
  feature is listed in ``report.repaired`` with the problem and the areas before and after.
* **Empty or missing geometry**, and geometry with no area left after repair, goes to
  ``report.rejects`` (``source``, ``row``, ``reason`` and the original columns).
* **Duplicate parish codes** are an error (:class:`~localitygis.errors.DataError` listing
  every code and its rows): a code is the key of everything downstream, and which of two
  rows is right is a question for the data owner. If the rows are parts of one parish,
  dissolve them first (``parishes.dissolve("parish_code", as_index=False)``).
* **Gaps and overlaps** between parishes are reported, not repaired: invalid coverage
  edges (:func:`shapely.coverage_invalid_edges`), overlapping pairs with their area, and gaps
  (holes in the union of all parishes). A build on an invalid coverage dissolves with
  :func:`shapely.union_all` instead of the coverage union and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from localitygis._validate import listing
from localitygis.errors import DataError, GeometryError
from localitygis.localities._threads import map_chunks
from localitygis.localities.certificate import certify_coverage

__all__ = [
    "AREA_TOLERANCE_PCT",
    "CoverageCheck",
    "QualityReport",
    "RepairResult",
    "check_coverage",
    "check_duplicate_codes",
    "coverage_is_valid",
    "find_gaps",
    "rejects_frame",
    "repair_geometries",
]

log = logging.getLogger(__name__)

#: Locality areas must add up to the parish areas within this percentage.
AREA_TOLERANCE_PCT = 0.01

_POLYGONAL = ("Polygon", "MultiPolygon")


def rejects_frame(
    frame: pd.DataFrame,
    positions: Sequence[int],
    reasons: Sequence[str],
    *,
    source: str,
    rows: Sequence[int] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Return the rejects table for some rows of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The input layer.
    positions : sequence of int
        0-based row positions of the rejected features.
    reasons : sequence of str
        One reason per rejected feature.
    source : str
        The layer or file, e.g. ``"parishes"``.
    rows : array-like of int, optional
        The row numbers to show, one per rejected feature (e.g. spreadsheet rows, where the
        header is row 1); default the 1-based feature number.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``row``, ``reason`` and the original columns (an original column of one
        of those names becomes ``original_<name>``).

    Examples
    --------
    >>> import pandas as pd
    >>> rejects_frame(pd.DataFrame({"code": ["A", "B"]}), [1], ["empty geometry"],
    ...               source="parishes").to_dict("records")
    [{'source': 'parishes', 'row': 2, 'reason': 'empty geometry', 'code': 'B'}]
    """
    picked = pd.DataFrame(frame.iloc[list(positions)]).reset_index(drop=True)
    head = pd.DataFrame(
        {
            "source": [source] * len(picked),
            "row": (
                np.asarray(positions, dtype="int64") + 1
                if rows is None
                else np.asarray(rows, dtype="int64")
            ),
            "reason": list(reasons),
        }
    )
    clash = [c for c in picked.columns if c in head.columns]
    picked = picked.rename(columns={c: f"original_{c}" for c in clash})
    out = pd.concat([head, picked], axis=1)
    return pd.DataFrame(out)


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": pd.Series(dtype="str"),
            "row": pd.Series(dtype="int64"),
            "reason": pd.Series(dtype="str"),
        }
    )


@dataclass(frozen=True)
class RepairResult:
    """The outcome of :func:`repair_geometries`.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        The usable features, repaired, in input order (rejected ones removed); every
        geometry is valid.
    repaired : pandas.DataFrame
        ``layer``, ``row``, ``feature``, ``problem``, ``area_before_m2``, ``area_after_m2``.
    rejects : pandas.DataFrame
        ``source``, ``row``, ``reason`` and the original columns.
    """

    frame: gpd.GeoDataFrame
    repaired: pd.DataFrame
    rejects: pd.DataFrame


def repair_geometries(
    frame: gpd.GeoDataFrame, *, layer: str, label: str | None = None, workers: int = 1
) -> RepairResult:
    """Repair invalid polygons (counted and listed) and reject empty ones.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygon layer.
    layer : str
        Its name in messages and tables (``"parishes"``, ``"catchments"``).
    label : str, optional
        Column identifying features in the listings (e.g. ``"parish_code"``).
    workers : int
        Threads checking validity side by side.

    Returns
    -------
    RepairResult

    Raises
    ------
    GeometryError
        If any feature is not polygonal (points or lines in a boundary layer).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon, box
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> layer = gpd.GeoDataFrame({"parish_code": ["A", "B", "C"]},
    ...                          geometry=[box(0, 0, 1, 1), bowtie, Polygon()], crs=27700)
    >>> result = repair_geometries(layer, layer="parishes", label="parish_code")
    >>> result.frame["parish_code"].tolist(), result.repaired["feature"].tolist()
    (['A', 'B'], ['B'])
    >>> result.rejects[["row", "reason"]].to_dict("records")
    [{'row': 3, 'reason': 'empty geometry'}]
    """
    geoms = np.asarray(frame.geometry.array, dtype=object)
    labels = (
        frame[label].astype(str).to_numpy() if label else (np.arange(len(frame)) + 1).astype(str)
    )
    missing, empty, collection = _geometry_kinds(geoms, labels, layer)
    usable = ~empty
    invalid = np.zeros(len(geoms), dtype=bool)
    invalid[usable] = ~map_chunks(shapely.is_valid, geoms[usable], workers=workers)
    invalid[usable] |= collection[usable]
    rejected = {
        int(i): "missing geometry" if missing[i] else "empty geometry"
        for i in np.flatnonzero(empty)
    }
    new_geoms = geoms.copy()
    repaired_rows = []
    for i in np.flatnonzero(invalid):
        fixed, problem = _repaired(geoms[i], collection=bool(collection[i]))
        if fixed is None:
            rejected[int(i)] = f"invalid geometry ({problem}) with no area after repair"
            continue
        new_geoms[i] = fixed
        repaired_rows.append(
            {
                "layer": layer,
                "row": int(i) + 1,
                "feature": labels[i],
                "problem": problem,
                "area_before_m2": float(shapely.area(geoms[i])),
                "area_after_m2": float(fixed.area),
            }
        )
    if repaired_rows:
        log.info("%s: repaired %d invalid geometries", layer, len(repaired_rows))
    return _repair_result(frame, new_geoms, rejected, repaired_rows, layer)


def _geometry_kinds(
    geoms: NDArray[np.object_], labels: NDArray[np.str_], layer: str
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Return which features are missing, empty, or polygon-bearing collections.

    A GeometryCollection with polygons in it (GIS unions and clips make them) keeps its
    polygonal parts, counted as a repair; any other feature that is not a polygon, or a
    collection with no area, is the wrong type and refused.
    """
    missing = np.array([g is None for g in geoms], dtype=bool)
    empty = missing.copy()
    empty[~missing] = shapely.is_empty(geoms[~missing].astype(object))
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    collection = ~empty & (types == 7)
    collection[collection] = shapely.area(geoms[collection].astype(object)) > 0
    wrong = ~empty & ~polygonal & ~collection
    if wrong.any():
        shown = listing(f"{labels[i]} ({geoms[i].geom_type})" for i in np.flatnonzero(wrong))
        raise GeometryError(
            f"{layer}: boundaries must be polygons, but {int(wrong.sum())} feature(s) are "
            f"not: {shown}. Check that this is the boundary layer."
        )
    return missing, empty, collection


def _repaired(geom: shapely.Geometry, *, collection: bool) -> tuple[shapely.Geometry | None, str]:
    """Repair one invalid polygon (or collection); ``None`` when nothing with area is left.

    Returns the repaired geometry, always valid, and the problem it had.

    Examples
    --------
    >>> from shapely import Polygon
    >>> fixed, problem = _repaired(Polygon([(0, 0), (2, 2), (2, 0), (0, 2)]), collection=False)
    >>> fixed.geom_type, fixed.area, problem
    ('MultiPolygon', 2.0, 'Self-intersection[1 1]')
    >>> _repaired(Polygon([(0, 0), (1, 1), (2, 2), (0, 0)]), collection=False)[0] is None
    True
    """
    problem = (
        "geometry collection (kept its polygonal parts)"
        if collection
        else shapely.is_valid_reason(geom)
    )
    fixed = _polygonal_part(shapely.make_valid(geom, method="structure", keep_collapsed=False))
    if not fixed.is_valid:  # keep the promise that every geometry out is valid
        fixed = _polygonal_part(shapely.make_valid(fixed, method="structure"))
    if fixed.is_empty or fixed.area <= 0 or not fixed.is_valid:
        return None, problem
    return fixed, problem


def _repair_result(
    frame: gpd.GeoDataFrame,
    geoms: NDArray[np.object_],
    rejected: dict[int, str],
    repaired_rows: list[dict[str, Any]],
    layer: str,
) -> RepairResult:
    """Put the repaired geometries in, take the rejected features out (to the rejects)."""
    positions = sorted(rejected)
    keep = np.ones(len(geoms), dtype=bool)
    keep[positions] = False
    out = frame.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    rejects = (
        rejects_frame(frame, positions, [rejected[i] for i in positions], source=layer)
        if positions
        else _empty_rejects()
    )
    repaired = pd.DataFrame(
        repaired_rows,
        columns=["layer", "row", "feature", "problem", "area_before_m2", "area_after_m2"],
    )
    return RepairResult(out[keep], repaired, rejects)


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL]
    if not parts:
        return shapely.Polygon()
    flat = [p for g in parts for p in shapely.get_parts(g)]
    return flat[0] if len(flat) == 1 else shapely.MultiPolygon(flat)


def check_duplicate_codes(
    codes: pd.Series, *, source: str = "parishes", what: str = "parish code"
) -> None:
    """Raise if any code occurs more than once, listing every duplicate and its rows.

    Parameters
    ----------
    codes : pandas.Series
        The codes, in feature order.
    source, what : str
        Used in the message.

    Raises
    ------
    DataError
        Naming each duplicated code with its 1-based feature numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> check_duplicate_codes(pd.Series(["A", "B"]))
    >>> check_duplicate_codes(pd.Series(["A", "B", "A"]))
    Traceback (most recent call last):
    ...
    localitygis.errors.DataError: parishes: 1 parish code(s) occur more than once: 'A'
    (features 1, 3)...
    """
    values = codes.reset_index(drop=True)
    missing = values.isna()
    problems = []
    if missing.any():
        rows = listing(np.flatnonzero(missing.to_numpy()) + 1)
        problems.append(f"{int(missing.sum())} feature(s) have no {what} (features {rows})")
    dup = values[values.duplicated(keep=False) & ~missing]
    if len(dup):
        groups = dup.groupby(dup, sort=True).groups
        duplicates = listing(
            f"{code!r} (features {listing(np.asarray(idx) + 1)})" for code, idx in groups.items()
        )
        problems.append(f"{len(groups)} {what}(s) occur more than once: {duplicates}")
    if problems:
        raise DataError(
            f"{source}: "
            + "; ".join(problems)
            + f". Each feature needs its own {what}: if duplicated rows are parts of one "
            "parish, dissolve them first (parishes.dissolve('parish_code', as_index=False)); "
            "otherwise correct the codes."
        )


#: One row of :meth:`QualityReport.to_frame`: check, status, count, detail.
_Row = tuple[str, str, int, str]


def _check_row(check: str, count: int, bad: str, detail: str, *, good: str = "ok") -> _Row:
    """One check's row: status ``good`` when nothing was found, else ``bad``.

    Examples
    --------
    >>> _check_row("gaps", 0, "warning", ""), _check_row("gaps", 2, "warning", "9 m²")
    (('gaps', 'ok', 0, ''), ('gaps', 'warning', 2, '9 m²'))
    """
    return (check, bad if count else good, int(count), detail)


@dataclass(frozen=True)
class CoverageCheck:
    """The result of :func:`check_coverage`.

    Attributes
    ----------
    is_valid : bool
        True when the polygons form a valid coverage (no overlaps, matching shared edges).
    invalid_edges : geopandas.GeoDataFrame
        One row per polygon with invalid edges: ``feature``, ``invalid_edge_length_m`` and
        the edges as geometry.
    overlaps : geopandas.GeoDataFrame
        Overlapping pairs: ``feature_a``, ``feature_b``, ``area_m2`` and the overlap.
    """

    is_valid: bool
    invalid_edges: gpd.GeoDataFrame
    overlaps: gpd.GeoDataFrame


def check_coverage(
    geometries: Sequence[shapely.Geometry] | np.ndarray,
    labels: Sequence[str] | np.ndarray,
    *,
    crs: object = "EPSG:27700",
) -> CoverageCheck:
    """Check that polygons form a valid coverage; list invalid edges and overlaps.

    Parameters
    ----------
    geometries : array-like of shapely geometries
        Valid polygons.
    labels : array-like of str
        A name for each polygon in the listings.
    crs : optional
        CRS for the returned layers.

    Returns
    -------
    CoverageCheck

    Examples
    --------
    >>> from shapely import box
    >>> check_coverage([box(0, 0, 1, 1), box(1, 0, 2, 1)], ["A", "B"]).is_valid
    True
    >>> bad = check_coverage([box(0, 0, 1, 1), box(0.5, 0, 2, 1)], ["A", "B"])
    >>> bad.is_valid, bad.overlaps[["feature_a", "feature_b", "area_m2"]].to_dict("records")
    (False, [{'feature_a': 'A', 'feature_b': 'B', 'area_m2': 0.5}])
    """
    geoms = np.asarray(geometries, dtype=object)
    names = np.asarray([str(x) for x in labels], dtype=object)
    if not len(geoms) or coverage_is_valid(geoms):
        return CoverageCheck(True, *_no_coverage_problems(crs))
    edges = shapely.coverage_invalid_edges(geoms)
    bad = ~shapely.is_empty(edges) if len(edges) else np.zeros(0, dtype=bool)
    invalid_edges = gpd.GeoDataFrame(
        {
            "feature": names[bad].astype(str),
            "invalid_edge_length_m": shapely.length(edges[bad]).astype(float),
        },
        geometry=list(edges[bad]),
        crs=crs,
    )
    rows_a: list[str] = []
    rows_b: list[str] = []
    shapes: list[shapely.Geometry] = []
    if bad.any():
        suspects = np.flatnonzero(bad)
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms[suspects], predicate="intersects")
        left = suspects[left]
        # Each pair once, whichever of the two had the invalid edges.
        pairs = np.unique(np.sort(np.column_stack([left, right]), axis=1), axis=0)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        for a, b in pairs:
            piece = shapely.intersection(geoms[a], geoms[b])
            area = shapely.area(piece)
            if area > 0:
                rows_a.append(str(names[a]))
                rows_b.append(str(names[b]))
                shapes.append(_polygonal_part(piece))
    overlaps = gpd.GeoDataFrame(
        {
            "feature_a": pd.Series(rows_a, dtype="str"),
            "feature_b": pd.Series(rows_b, dtype="str"),
            "area_m2": pd.Series([float(shapely.area(s)) for s in shapes], dtype="float64"),
        },
        geometry=shapes,
        crs=crs,
    )
    return CoverageCheck(bool(not bad.any()), invalid_edges, overlaps)


def coverage_is_valid(
    geometries: Sequence[shapely.Geometry] | np.ndarray, *, assume_valid: bool = False
) -> bool:
    """Return whether polygons form a valid coverage: the answer of GEOS, usually faster.

    The answer is exactly :func:`shapely.coverage_is_valid`'s (``gap_width=0``). A cheap
    certificate is tried first (see
    :func:`localitygis.localities.certificate.certify_coverage`); only when it cannot vouch
    for the coverage does GEOS's polygon-by-polygon validation run.

    Parameters
    ----------
    geometries : array-like of shapely geometries
        Polygons or multipolygons.
    assume_valid : bool
        The caller has checked every geometry with :func:`shapely.is_valid` (as
        :func:`repair_geometries` does), so it is not checked again.

    Returns
    -------
    bool

    Examples
    --------
    >>> from shapely import box
    >>> coverage_is_valid([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    True
    >>> coverage_is_valid([box(0, 0, 1, 1), box(0.5, 0, 2, 1)])
    False
    """
    geoms = np.asarray(geometries, dtype=object)
    if not len(geoms):
        return True
    if certify_coverage(geoms, assume_valid=assume_valid) is not None:
        return True
    return bool(shapely.coverage_is_valid(geoms))


def _no_coverage_problems(crs: object) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    edges = gpd.GeoDataFrame(
        {
            "feature": pd.Series(dtype="str"),
            "invalid_edge_length_m": pd.Series(dtype="float64"),
        },
        geometry=[],
        crs=crs,
    )
    overlaps = gpd.GeoDataFrame(
        {
            "feature_a": pd.Series(dtype="str"),
            "feature_b": pd.Series(dtype="str"),
            "area_m2": pd.Series(dtype="float64"),
        },
        geometry=[],
        crs=crs,
    )
    return edges, overlaps


def find_gaps(union: shapely.Geometry, *, crs: object = "EPSG:27700") -> gpd.GeoDataFrame:
    """Return the holes of a coverage's union: areas enclosed by polygons but in none.

    Parameters
    ----------
    union : shapely geometry
        The union of all polygons of the coverage.
    crs : optional
        CRS of the result.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gap`` (1, 2, …), ``area_m2`` and the gap polygon, largest first.

    Examples
    --------
    >>> from shapely import box
    >>> ring = box(0, 0, 3, 3).difference(box(1, 1, 2, 2))
    >>> find_gaps(ring)[["gap", "area_m2"]].to_dict("records")
    [{'gap': 1, 'area_m2': 1.0}]
    """
    holes: list[shapely.Polygon] = []
    for poly in shapely.get_parts(union):
        if poly.geom_type != "Polygon":
            continue
        holes.extend(shapely.Polygon(ring) for ring in poly.interiors)
    holes.sort(key=lambda g: (-g.area, g.bounds))
    return gpd.GeoDataFrame(
        {
            "gap": np.arange(1, len(holes) + 1, dtype="int64"),
            "area_m2": np.array([h.area for h in holes], dtype="float64"),
        },
        geometry=holes,
        crs=crs,
    )


def _empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass(frozen=True)
class QualityReport:
    """What a locality build checked, repaired, rejected and found.

    Every listing is a DataFrame (empty when nothing was found), so it can be written out
    or inspected; :meth:`to_frame` gives one row per check and :meth:`summary` a readable
    table.

    Attributes
    ----------
    route : str
        ``"overlap"`` (catchment polygons) or ``"lookup"`` (lookup table).
    min_share : float
        Threshold below which a parish is listed as split.
    parishes_in, parishes_out : int
        Parish features given and parishes in the result; ``parishes_in == parishes_out +
        len(rejects of source "parishes")``.
    repaired : pandas.DataFrame
        Invalid geometries repaired (``layer``, ``row``, ``feature``, ``problem``, areas).
    rejects : pandas.DataFrame
        Features that could not be used (``source``, ``row``, ``reason`` + original columns).
    merged_catchments : pandas.DataFrame
        Catchments given as several features, merged (``catchment``, ``features``).
    unassigned : pandas.DataFrame
        Parishes in no catchment (or missing from the lookup) placed by an override.
    empty_catchments : pandas.DataFrame
        Catchments with no parishes (``catchment``, ``locality``, ``in_scheme``).
    empty_localities : pandas.DataFrame
        Localities of the scheme with no parishes (``locality``, ``tier``).
    split_parishes : pandas.DataFrame
        Parishes whose largest catchment share is below ``min_share``.
    overrides : pandas.DataFrame
        Overrides applied (``parish_code``, ``parish_name``, ``from_locality``,
        ``to_locality``, ``reason``, ``changed``).
    group_moves : pandas.DataFrame
        Parishes moved to keep a parish group together (``group``, ``parish_code``,
        ``parish_name``, ``from_locality``, ``to_locality``, ``rule``).
    invalid_edges, overlaps, gaps : geopandas.GeoDataFrame
        Coverage problems between parishes.
    missing_population : pandas.DataFrame
        Parishes with no population (excluded from locality totals).
    coverage_valid : bool
        Whether the parishes form a valid coverage.
    dissolve_method : str
        ``"coverage_union"`` or ``"union_all"`` (the fallback for invalid coverages).
    parish_area_km2, locality_area_km2 : float
        Area reconciliation: the sum of parish areas and of locality areas.
    county_area_km2 : float, optional
        The area of the union of all localities: less than ``locality_area_km2`` when
        localities overlap one another.
    notes : tuple of str
        Notes on the inputs and the route taken.
    cleaned : pandas.DataFrame
        Features moved by coverage cleaning (``layer``, ``feature``, ``area_before_m2``,
        ``area_after_m2``, ``area_moved_m2``; see :mod:`localitygis.localities.clean`).
    cleaning : tuple of str
        What the cleaning of each layer did, one line each (empty when it was off).
    multi_catchment : pandas.DataFrame
        On overlapping catchments, every parish in an area two catchments both claim:
        ``parish_code``, ``parish_name``, ``catchment``, ``catchment_share``,
        ``second_catchment``, ``second_share``, ``rule`` (what decided it).
    """

    route: str
    min_share: float
    parishes_in: int
    parishes_out: int
    repaired: pd.DataFrame
    rejects: pd.DataFrame
    merged_catchments: pd.DataFrame
    unassigned: pd.DataFrame
    empty_catchments: pd.DataFrame
    empty_localities: pd.DataFrame
    split_parishes: pd.DataFrame
    overrides: pd.DataFrame
    group_moves: pd.DataFrame
    invalid_edges: gpd.GeoDataFrame
    overlaps: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    missing_population: pd.DataFrame
    coverage_valid: bool
    dissolve_method: str
    parish_area_km2: float
    locality_area_km2: float
    county_area_km2: float | None = None
    notes: tuple[str, ...] = field(default=())
    cleaned: pd.DataFrame = field(
        default_factory=lambda: _empty_frame(
            ["layer", "feature", "area_before_m2", "area_after_m2", "area_moved_m2"]
        )
    )
    cleaning: tuple[str, ...] = field(default=())
    multi_catchment: pd.DataFrame = field(
        default_factory=lambda: _empty_frame(
            [
                "parish_code",
                "parish_name",
                "catchment",
                "catchment_share",
                "second_catchment",
                "second_share",
                "rule",
            ]
        )
    )

    @property
    def area_difference_pct(self) -> float:
        """Locality area minus parish area, as a percentage of the parish area."""
        if self.parish_area_km2 == 0:
            return 0.0
        return 100.0 * (self.locality_area_km2 - self.parish_area_km2) / self.parish_area_km2

    @property
    def overlap_pct(self) -> float:
        """Area covered by more than one locality, as a percentage of the locality area."""
        if self.county_area_km2 is None or self.locality_area_km2 == 0:
            return 0.0
        return 100.0 * (self.locality_area_km2 - self.county_area_km2) / self.locality_area_km2

    @property
    def area_reconciles(self) -> bool:
        """True when the areas agree within :data:`AREA_TOLERANCE_PCT`.

        The sum of locality areas must equal the sum of parish areas (nothing lost or
        counted twice inside a locality) and the area of the union of the localities (no
        two localities overlap).
        """
        return (
            abs(self.area_difference_pct) <= AREA_TOLERANCE_PCT
            and abs(self.overlap_pct) <= AREA_TOLERANCE_PCT
        )

    @property
    def ok(self) -> bool:
        """True when nothing needs attention (warnings or rejects)."""
        return bool((self.to_frame()["status"].isin(["ok", "info"])).all())

    def to_frame(self) -> pd.DataFrame:
        """One row per check: ``check``, ``status``, ``count``, ``detail``.

        ``status`` is ``ok``, ``info``, ``repaired``, ``rejected`` or ``warning``.

        Examples
        --------
        >>> from localitygis.localities import build_localities
        >>> from localitygis.localities.scheme import Scheme, Tier, LocalityDef
        >>> import geopandas as gpd
        >>> from shapely import box
        >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1", "P2"], "parish_name": ["A", "B"]},
        ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
        >>> catchments = gpd.GeoDataFrame({"catchment": ["C"]},
        ...     geometry=[box(0, 0, 2000, 1000)], crs=27700)
        >>> scheme = Scheme(name="S", tiers={1: Tier(1, "Rural")},
        ...                 localities=(LocalityDef("L", 1, ("C",)),))
        >>> report = build_localities(parishes, catchments=catchments, scheme=scheme).report
        >>> report.to_frame().set_index("check").loc["area reconciliation", "status"]
        'ok'
        """
        rows = [
            *self._input_rows(),
            *self._coverage_rows(),
            *self._assignment_rows(),
            *self._result_rows(),
        ]
        return pd.DataFrame(rows, columns=["check", "status", "count", "detail"])

    def _input_rows(self) -> list[_Row]:
        """Rows for the parishes given and kept, geometries repaired, features rejected."""
        n_rejected_parishes = (
            int((self.rejects["source"] == "parishes").sum()) if len(self.rejects) else 0
        )
        given = (
            "parishes",
            "info",
            self.parishes_out,
            f"{self.parishes_in} given, {self.parishes_out} in localities, "
            f"{n_rejected_parishes} rejected",
        )
        return [
            given,
            _check_row(
                "invalid geometries repaired",
                len(self.repaired),
                "repaired",
                _listing(self.repaired, "feature"),
            ),
            _check_row(
                "features rejected",
                len(self.rejects),
                "rejected",
                _listing(self.rejects, "reason", unique=True),
            ),
        ]

    def _coverage_rows(self) -> list[_Row]:
        """Rows for the listing checks, then the coverage's overlaps, gaps and cleaning."""
        rows = [
            _check_row(check, len(frame), severity, _listing(frame, column))
            for check, frame, severity, column in (
                ("catchment features merged", self.merged_catchments, "info", "catchment"),
                ("parishes in no catchment", self.unassigned, "warning", "parish_name"),
                ("catchments with no parishes", self.empty_catchments, "warning", "catchment"),
                ("localities with no parishes", self.empty_localities, "warning", "locality"),
                ("coverage: invalid edges", self.invalid_edges, "warning", "feature"),
            )
        ]
        for check, frame in (("coverage: overlaps", self.overlaps), ("coverage: gaps", self.gaps)):
            area = f"{frame['area_m2'].sum():,.0f} m² in all" if len(frame) else ""
            rows.append(_check_row(check, len(frame), "warning", area))
        if self.cleaning:
            cleaned = "; ".join(self.cleaning)
            rows.append(
                _check_row("coverage cleaned", len(self.cleaned), "repaired", cleaned, good="info")
            )
        return rows

    def _assignment_rows(self) -> list[_Row]:
        """Rows for parishes in several catchments or split, overrides, groups, population."""
        return [
            _check_row(
                "parishes in overlapping catchments",
                len(self.multi_catchment),
                "warning",
                _shares_listing(self.multi_catchment),
            ),
            _check_row(
                f"split parishes (share < {self.min_share:g})",
                len(self.split_parishes),
                "warning",
                _listing(self.split_parishes, "parish_name"),
            ),
            _check_row(
                "overrides applied",
                len(self.overrides),
                "info",
                _listing(self.overrides, "parish_name"),
                good="info",
            ),
            _check_row(
                "group splits resolved",
                len(self.group_moves),
                "info",
                _listing(self.group_moves, "group", unique=True),
                good="info",
            ),
            _check_row(
                "parishes without population",
                len(self.missing_population),
                "warning",
                _listing(self.missing_population, "parish_name"),
            ),
        ]

    def _result_rows(self) -> list[_Row]:
        """Rows for the dissolve, whether the areas reconcile, and the notes."""
        coverage_union = self.dissolve_method == "coverage_union"
        overlapping = (
            f", overlapping one another {self.overlap_pct:.4f} %"
            if self.county_area_km2 is not None
            else ""
        )
        return [
            (
                "dissolve",
                "ok" if coverage_union else "warning",
                0,
                self.dissolve_method
                if coverage_union
                else f"{self.dissolve_method} (parish coverage invalid)",
            ),
            (
                "area reconciliation",
                "ok" if self.area_reconciles else "warning",
                0,
                f"parishes {self.parish_area_km2:,.3f} km², localities "
                f"{self.locality_area_km2:,.3f} km² ({self.area_difference_pct:+.4f} %)"
                f"{overlapping}; tolerance {AREA_TOLERANCE_PCT} %",
            ),
            *(("note", "info", 0, note) for note in self.notes),
        ]

    def summary(self) -> str:
        """Return the checks as a readable text table.

        Examples
        --------
        >>> from localitygis.localities import build_localities
        >>> from localitygis.localities.scheme import Scheme, Tier, LocalityDef
        >>> import geopandas as gpd
        >>> from shapely import box
        >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1"], "parish_name": ["A"]},
        ...     geometry=[box(0, 0, 1000, 1000)], crs=27700)
        >>> catchments = gpd.GeoDataFrame({"catchment": ["C"]},
        ...     geometry=[box(0, 0, 1000, 1000)], crs=27700)
        >>> scheme = Scheme(name="S", tiers={1: Tier(1, "Rural")},
        ...                 localities=(LocalityDef("L", 1, ("C",)),))
        >>> print(build_localities(parishes, catchments=catchments, scheme=scheme)
        ...       .report.summary())  # doctest: +ELLIPSIS
        Quality report (route: overlap)
        check...status...count...detail
        parishes...info...1 given, 1 in localities, 0 rejected
        ...
        """
        table = self.to_frame()
        width = max(len(c) for c in table["check"])
        lines = [f"Quality report (route: {self.route})"]
        lines.append(f"{'check':<{width}}  {'status':<8}  {'count':>5}  detail")
        for row in table.itertuples(index=False):
            lines.append(
                f"{row.check:<{width}}  {row.status:<8}  {row.count:>5}  {row.detail}".rstrip()
            )
        return "\n".join(lines)


def _shares_listing(frame: pd.DataFrame) -> str:
    """List parishes two catchments claim: both shares and the rule that decided."""
    if not len(frame):
        return ""
    return listing(
        f"{r.parish_name} ({r.catchment} {r.catchment_share:.1%}, {r.second_catchment} "
        f"{r.second_share:.1%}: {r.rule})"
        for r in frame.itertuples(index=False)
    )


def _listing(frame: pd.DataFrame, column: str, *, unique: bool = False) -> str:
    if not len(frame) or column not in frame.columns:
        return ""
    values = [str(v) for v in frame[column].tolist()]
    if unique:
        values = list(dict.fromkeys(values))
    return listing(values)
