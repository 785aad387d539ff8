"""Cleaning coverages of slivers: overlaps, gaps and unmatched edges below a stated tolerance.

Boundary layers published in longitude/latitude (CRS84 GeoJSON) and reprojected to
EPSG:27700 no longer share their edges exactly: neighbours overlap or miss each other by
centimetres. Such a layer is not a valid coverage, so it cannot be dissolved with the
coverage union, and its slivers survive into the localities. :func:`clean_coverage` uses
shapely's :func:`shapely.coverage_clean` (GEOS 3.14) to snap vertices closer than the
tolerance together, merge overlaps into the neighbour with the longest shared border, and
fill enclosed gaps narrower than the tolerance.

Policy (documented, tested):

* A coverage that is already valid is left exactly as it is.
* The default tolerance is 1 m (:data:`DEFAULT_TOLERANCE_M`); 0 turns cleaning off.
* Every feature that moved is listed with the area moved (the area of the symmetric
  difference of before and after), so the largest single change is known.
* Problems wider than the tolerance are findings, not slivers: gaps wider than the
  tolerance stay gaps (reported as such), and a cleaning that would change any feature by
  more than the tolerance somewhere (which only merging a wider overlap does) is not applied
  at all: the layer stays as given and its overlaps are reported for the data owner to fix.
* A cleaning that would leave any feature empty or invalid is not applied, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from localitygis._validate import listing
from localitygis.errors import DataError
from localitygis.localities.certificate import certify_coverage

__all__ = ["DEFAULT_TOLERANCE_M", "CoverageCleaning", "clean_coverage", "parse_tolerance"]

#: Default cleaning tolerance, in metres: snapping distance and widest gap filled.
DEFAULT_TOLERANCE_M = 1.0

_CHANGE_COLUMNS = ["layer", "feature", "area_before_m2", "area_after_m2", "area_moved_m2"]


@dataclass(frozen=True)
class CoverageCleaning:
    """The outcome of :func:`clean_coverage`.

    Attributes
    ----------
    geometries : numpy.ndarray
        The polygons after cleaning (the input itself when nothing was cleaned).
    changes : pandas.DataFrame
        One row per feature that moved: ``layer``, ``feature``, ``area_before_m2``,
        ``area_after_m2``, ``area_moved_m2`` (symmetric difference).
    tolerance_m : float
        The tolerance used (0: cleaning was off).
    invalid_edges_before : int
        Features with invalid coverage edges before cleaning
        (:func:`shapely.coverage_invalid_edges`).
    skipped : str
        Why a needed cleaning was not applied ("" when it was, or was not needed).

    Examples
    --------
    >>> from shapely import box
    >>> cleaned = clean_coverage([box(0, 0, 10, 10), box(9.9, 0, 20, 10)], ["A", "B"])
    >>> cleaned.changes[["feature", "area_moved_m2"]].round(3).to_dict("records")
    [{'feature': 'B', 'area_moved_m2': 1.0}]
    >>> round(cleaned.area_moved_m2, 3), round(cleaned.largest_change_m2, 3)
    (1.0, 1.0)
    """

    geometries: np.ndarray
    changes: pd.DataFrame
    tolerance_m: float
    invalid_edges_before: int = 0
    skipped: str = ""

    @property
    def area_moved_m2(self) -> float:
        """Total area moved between features (and gaps filled), in m²."""
        return float(self.changes["area_moved_m2"].sum()) if len(self.changes) else 0.0

    @property
    def largest_change_m2(self) -> float:
        """The largest area moved for a single feature, in m²."""
        return float(self.changes["area_moved_m2"].max()) if len(self.changes) else 0.0

    def describe(self) -> str:
        """One line saying what the cleaning did.

        Examples
        --------
        >>> from shapely import box
        >>> cleaned = clean_coverage([box(0, 0, 10, 10), box(9.9, 0, 20, 10)], ["A", "B"])
        >>> cleaned.describe()
        'tolerance 1 m: 2 feature(s) with invalid edges before; 1 feature(s) touched, 1 m² moved in all, largest single change 1 m² (B)'
        """  # noqa: E501
        if self.tolerance_m <= 0:
            return "off"
        head = f"tolerance {self.tolerance_m:g} m"
        if self.skipped:
            return f"{head}: not applied, {self.skipped}"
        if not self.invalid_edges_before:
            return f"{head}: the coverage was already valid"
        largest = self.changes.loc[self.changes["area_moved_m2"].idxmax(), "feature"]
        return (
            f"{head}: {self.invalid_edges_before} feature(s) with invalid edges before; "
            f"{len(self.changes)} feature(s) touched, {self.area_moved_m2:,.0f} m² moved in "
            f"all, largest single change {self.largest_change_m2:,.0f} m² ({largest})"
        )


def clean_coverage(
    geometries: Sequence[shapely.Geometry] | np.ndarray,
    labels: Sequence[str] | np.ndarray,
    *,
    tolerance: float = DEFAULT_TOLERANCE_M,
    layer: str = "parishes",
    known_valid: bool | None = None,
) -> CoverageCleaning:
    """Clean a coverage's slivers below ``tolerance`` metres (see the module's policy).

    Parameters
    ----------
    geometries : array-like of shapely geometries
        Valid polygons (e.g. after :func:`~localitygis.localities.quality.repair_geometries`)
        in a projected CRS in metres.
    labels : array-like of str
        A name for each polygon in the listings.
    tolerance : float
        Snapping distance and widest gap filled, in metres; 0 turns cleaning off.
    layer : str
        The layer's name in the listing.
    known_valid : bool, optional
        Whether the polygons form a valid coverage, when the caller has checked already
        (it is not checked again).

    Returns
    -------
    CoverageCleaning

    Examples
    --------
    >>> from shapely import box
    >>> import shapely
    >>> slivered = [box(0, 0, 10, 10), box(9.9, 0, 20, 10), box(0, 10.2, 20, 20)]
    >>> cleaned = clean_coverage(slivered, ["A", "B", "C"])
    >>> bool(shapely.coverage_is_valid(cleaned.geometries)), len(cleaned.changes)
    (True, 2)
    >>> wide = clean_coverage([box(0, 0, 10, 10), box(5, 0, 20, 10)], ["A", "B"])
    >>> wide.skipped  # doctest: +ELLIPSIS
    '1 feature(s) would change by more than 1 m (...): they overlap their neighbours by ...'
    """
    geoms = np.asarray(geometries, dtype=object)
    names = np.asarray([str(x) for x in labels], dtype=object)
    unchanged = CoverageCleaning(geoms, _no_changes(), float(max(tolerance, 0.0)))
    if tolerance <= 0 or not len(geoms) or known_valid:
        return unchanged
    # The certificate vouches for most valid coverages quickly; GEOS's invalid edges decide.
    if known_valid is None and certify_coverage(geoms, assume_valid=True) is not None:
        return unchanged
    before = int((~shapely.is_empty(shapely.coverage_invalid_edges(geoms))).sum())
    if not before:
        return unchanged
    cleaned = shapely.coverage_clean(
        geoms, gap_width=tolerance, snapping_distance=tolerance, merge_strategy="longest_border"
    )
    broken = shapely.is_empty(cleaned) | ~shapely.is_valid(cleaned)
    if broken.any():
        broken_names = listing(names[broken])
        return _not_applied(geoms, tolerance, before, f"it would empty or break {broken_names}")
    touched = ~shapely.equals_exact(shapely.normalize(geoms), shapely.normalize(cleaned), 0.0)
    moved = shapely.symmetric_difference(geoms[touched], cleaned[touched])
    wide = ~shapely.is_empty(shapely.buffer(moved, -tolerance / 2))
    if wide.any():
        return _not_applied(
            geoms, tolerance, before, _wide_message(names[touched][wide], tolerance)
        )
    changes = pd.DataFrame(
        {
            "layer": [layer] * int(touched.sum()),
            "feature": names[touched].astype(str),
            "area_before_m2": shapely.area(geoms[touched]).astype(float),
            "area_after_m2": shapely.area(cleaned[touched]).astype(float),
            "area_moved_m2": shapely.area(moved).astype(float),
        },
        columns=_CHANGE_COLUMNS,
    )
    return CoverageCleaning(cleaned, changes, float(tolerance), before)


def parse_tolerance(text: str) -> float:
    """Read a tolerance such as ``"1m"``, ``"0.5 m"``, ``"50cm"`` or ``"2"`` (metres).

    Examples
    --------
    >>> parse_tolerance("1m"), parse_tolerance("50 cm"), parse_tolerance("0")
    (1.0, 0.5, 0.0)
    >>> parse_tolerance("a lot")
    Traceback (most recent call last):
    ...
    localitygis.errors.DataError: coverage cleaning tolerance 'a lot' is not a distance; ...
    """
    value = text.strip().lower().replace(" ", "")
    scale = 1.0
    for suffix, factor in (("cm", 0.01), ("mm", 0.001), ("m", 1.0)):
        if value.endswith(suffix):
            value, scale = value[: -len(suffix)], factor
            break
    try:
        number = float(value) * scale
    except ValueError:
        number = float("nan")
    if not np.isfinite(number) or number < 0:
        raise DataError(
            f"coverage cleaning tolerance {text!r} is not a distance; give metres such as "
            "1m or 0.5m (0 turns cleaning off)."
        )
    return number


def _wide_message(names: np.ndarray, tolerance: float) -> str:
    """Say which features would change by more than the tolerance (wide overlaps)."""
    return (
        f"{len(names)} feature(s) would change by more than {tolerance:g} m ({listing(names)}): "
        "they overlap their neighbours by more than the tolerance; fix them in the data, or "
        "raise the tolerance"
    )


def _not_applied(geoms: np.ndarray, tolerance: float, before: int, why: str) -> CoverageCleaning:
    return CoverageCleaning(geoms, _no_changes(), float(tolerance), before, why)


def _no_changes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in _CHANGE_COLUMNS[:2]}).assign(
        **{c: pd.Series(dtype="float64") for c in _CHANGE_COLUMNS[2:]}
    )
