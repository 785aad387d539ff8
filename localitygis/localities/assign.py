"""Assigning parishes to catchments: by largest overlap, or by a lookup table.

Private plumbing of :mod:`localitygis.localities`, which re-exports the public functions
(:func:`assign_by_overlap`, :func:`assign_by_lookup`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis._validate import listing
from localitygis.errors import DataError
from localitygis.localities._threads import InBackground, map_chunks, thread_count
from localitygis.localities.certificate import CoverageChain
from localitygis.localities.nested import assign_nested
from localitygis.localities.quality import coverage_is_valid
from localitygis.localities.scheme import normalise_name

__all__ = ["assign_by_lookup", "assign_by_overlap"]


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str, hint: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} lack column(s) {', '.join(map(repr, missing))} (columns: "
            f"{', '.join(map(str, frame.columns))}). {hint}"
        )


def _intersection_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return shapely.area(shapely.intersection(a, b))


def _clipped_intersection_area(parts: np.ndarray, big: np.ndarray) -> np.ndarray:
    """Area of ``parts[i] ∩ big[i]``, clipping ``big`` to a box around ``parts[i]`` first.

    A catchment has several times a parish's vertices; cut to a box a little larger than the
    parish (a cheap linear pass), the overlay nodes only the catchment boundary near it.
    Inside the box the clipped catchment is the catchment, and the parish lies strictly inside
    the box, so the intersection is the same (to rounding: only the clipped catchment's new
    vertices, on the box and outside the parish, are rounded). A clip that comes out
    invalid, or that GEOS refuses (possible with ``clip_by_rect``), is not used.
    """
    bounds = shapely.bounds(parts)
    pad = 1.0 + 0.01 * np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    clipped = np.array(
        [
            _clip_or_whole(g, x0 - d, y0 - d, x1 + d, y1 + d)
            for g, (x0, y0, x1, y1), d in zip(big, bounds, pad, strict=True)
        ],
        dtype=object,
    )
    usable = shapely.is_valid(clipped)
    clipped[~usable] = big[~usable]
    return shapely.area(shapely.intersection(parts, clipped))


def _clip_or_whole(
    geom: shapely.Geometry, xmin: float, ymin: float, xmax: float, ymax: float
) -> shapely.Geometry:
    """``clip_by_rect``, or the whole geometry when GEOS cannot clip it (degenerate rings)."""
    try:
        return shapely.clip_by_rect(geom, xmin, ymin, xmax, ymax)
    except shapely.errors.GEOSException:
        return geom


def _by_distinct(values: Iterable[object], func: Callable[[object], object]) -> np.ndarray:
    """Return ``func`` of each value, called once per distinct one (None where missing)."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    results = np.empty(len(distinct) + 1, dtype=object)
    results[:-1] = [func(v) for v in distinct]
    return results[codes]  # code -1 (missing) takes the last: None


def _normalised(values: Iterable[object]) -> np.ndarray:
    """Normalise many names, each distinct one once (None where a name is missing)."""
    return _by_distinct(values, lambda v: normalise_name(str(v)))


# --------------------------------------------------------------------------------------
# Assignment


def assign_by_overlap(
    parishes: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    *,
    min_share: float = 0.9,
    workers: int | None = None,
) -> pd.DataFrame:
    """Assign each parish to the catchment it overlaps most.

    How it stays fast without cutting corners:

    1. candidate pairs come from an STRtree of the catchments (envelopes);
    2. a parish properly inside a catchment (prepared ``contains_properly``) takes it with
       share 1, and no intersection is computed;
    3. a straddling parish is first intersected with the catchment holding a point on its
       surface; when the catchments form a valid coverage (no overlaps; checked meanwhile
       with :func:`localitygis.localities.quality.coverage_is_valid`, GEOS's answer found faster),
       that is the only intersection needed if the share there is over one half: it cannot
       be beaten, because the other catchments share the rest;
    4. everything else — parishes whose best share is below ``min_share`` or one half,
       parishes in gaps, and every parish when the catchments overlap — has every
       candidate intersected, so the runner-up is known too.

    When the catchments overlap, the runner-up of every parish is measured too, so a
    parish lying in two catchments is known with both shares.

    Intersections are vectorised and run in threads (GEOS releases the GIL). **Ties** (equal
    shares, as for a parish wholly inside two overlapping catchments) go to the catchment
    whose normalised name sorts first, so the result does not depend on row order.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        Valid polygons in EPSG:27700.
    catchments : geopandas.GeoDataFrame
        ``catchment`` (unique) and valid polygons in EPSG:27700.
    min_share : float
        Parishes whose best share is below this have every candidate measured, so that
        ``second_catchment`` and ``second_share`` are known for them.
    workers : int, optional
        Threads for the intersections (default: up to 4, the CPUs available).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``parishes``: ``catchment`` (None where a parish meets no catchment),
        ``catchment_share``, and ``second_catchment`` / ``second_share`` (the runner-up;
        measured for parishes whose best share is below ``min_share``, else missing).
        ``attrs["catchments_coverage_valid"]`` says whether step 3 applied.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1", "P2"]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    >>> catchments = gpd.GeoDataFrame({"catchment": ["West", "East"]},
    ...     geometry=[box(-5, -5, 12, 15), box(12, -5, 25, 15)], crs=27700)
    >>> assign_by_overlap(parishes, catchments)[["catchment", "catchment_share"]]
      catchment  catchment_share
    0      West              1.0
    1      East              0.8
    """
    return _assign_by_overlap(parishes, catchments, min_share=min_share, workers=workers)


def _assign_by_overlap(
    parishes: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    *,
    min_share: float = 0.9,
    workers: int | None = None,
    catchments_valid: bool = False,
    coverage_valid: bool | None = None,
    chains: tuple[CoverageChain, CoverageChain] | None = None,
) -> pd.DataFrame:
    """:func:`assign_by_overlap`; ``catchments_valid``: every catchment geometry is valid.

    ``coverage_valid``: whether the catchments form a valid coverage, when the caller knows
    already (it is not checked again). ``chains``: the coverage certificates of the parishes
    and of the catchments (in the frames' order), when both are valid coverages; parishes
    no catchment boundary crosses are then placed from them without measuring any
    intersection (:func:`localitygis.localities.nested.assign_nested`).
    """
    threads = thread_count(workers)
    p_geoms = np.asarray(parishes.geometry.array, dtype=object)
    p_area = shapely.area(p_geoms)
    catch = _Catchments.of(catchments)
    ranking = _Ranking.empty(len(p_geoms))
    known = True if chains is not None else coverage_valid
    check = _coverage_check(catch.geoms, known, assume_valid=catchments_valid, threads=threads)
    shapely.prepare(catch.geoms)
    try:
        todo = np.ones(len(p_geoms), dtype=bool)
        if chains is not None:
            todo &= ~_place_nested(catch, p_geoms, p_area, chains, ranking, min_share)
        disjoint = _assign_the_rest(
            catch, p_geoms, p_area, todo, ranking, check, min_share, threads
        )
    finally:
        check.close()
        shapely.destroy_prepared(catch.geoms)
    result = ranking.table(parishes.index, catch.names, p_area)
    result.attrs["catchments_coverage_valid"] = disjoint
    return result


@dataclass(frozen=True)
class _Catchments:
    """The catchments sorted by normalised name (ties and the output go by this order)."""

    names: np.ndarray
    geoms: np.ndarray
    rank: np.ndarray  # per catchment in the frame's order, its place in the sorted order
    tree: shapely.STRtree

    @classmethod
    def of(cls, catchments: gpd.GeoDataFrame) -> _Catchments:
        keys = np.array(_normalised(catchments["catchment"]), dtype=object)
        order = np.argsort(keys, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        geoms = np.asarray(catchments.geometry.array, dtype=object)[order]
        names = catchments["catchment"].to_numpy(dtype=object)[order]
        return cls(names, geoms, rank, shapely.STRtree(geoms))


@dataclass
class _Ranking:
    """Per parish, the best catchment and the runner-up (sorted positions; -1: none), with areas."""

    best: np.ndarray
    best_area: np.ndarray
    second: np.ndarray
    second_area: np.ndarray

    @classmethod
    def empty(cls, n: int) -> _Ranking:
        none = np.full(n, -1, dtype=np.int64)
        return cls(none, np.zeros(n), none.copy(), np.zeros(n))

    def take(self, pi: np.ndarray, ci: np.ndarray, areas: np.ndarray) -> None:
        """Rank measured (parish, catchment, area): largest first, equal areas by name."""
        positive = areas > 0
        pi, ci, areas = pi[positive], ci[positive], areas[positive]
        if not len(pi):
            return
        key = np.lexsort((ci, -areas, pi))
        pi, ci, areas = pi[key], ci[key], areas[key]
        first = np.r_[True, pi[1:] != pi[:-1]]
        self.best[pi[first]] = ci[first]
        self.best_area[pi[first]] = areas[first]
        runner_up = np.r_[False, first[:-1]] & ~first
        self.second[pi[runner_up]] = ci[runner_up]
        self.second_area[pi[runner_up]] = areas[runner_up]

    def table(self, index: pd.Index, names: np.ndarray, p_area: np.ndarray) -> pd.DataFrame:
        """Return the result frame (aligned with ``index``)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(self.best >= 0, np.minimum(self.best_area / p_area, 1.0), np.nan)
            share2 = np.where(self.second >= 0, self.second_area / p_area, np.nan)
        return pd.DataFrame(
            {
                "catchment": _names_or_none(names, self.best),
                "catchment_share": share,
                "second_catchment": _names_or_none(names, self.second),
                "second_share": share2,
            },
            index=index,
        )


def _names_or_none(names: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Return the name at each position, None at -1."""
    out = names[np.maximum(which, 0)].astype(object)
    out[which < 0] = None
    return out


def _coverage_check(
    c_geoms: np.ndarray, known: bool | None, *, assume_valid: bool, threads: int
) -> InBackground[bool]:
    """Whether the catchments form a coverage: known already, or checked in the background."""
    if known is not None:
        return InBackground(lambda: bool(known), threads=1)
    return InBackground(
        lambda: coverage_is_valid(c_geoms, assume_valid=assume_valid), threads=threads
    )


def _place_nested(
    catch: _Catchments,
    p_geoms: np.ndarray,
    p_area: np.ndarray,
    chains: tuple[CoverageChain, CoverageChain],
    ranking: _Ranking,
    min_share: float,
) -> np.ndarray:
    """Place the parishes no catchment boundary crosses; return which were placed."""
    found = assign_nested(p_geoms, p_area, chains, catch.geoms, catch.rank, catch.tree)
    ranking.take(found.parish, found.catchment, found.area)
    # As on the general route, the runner-up is given only below ``min_share``.
    with np.errstate(divide="ignore", invalid="ignore"):
        enough = found.placed & (ranking.best_area / p_area >= min_share)
    ranking.second[enough] = -1
    ranking.second_area[enough] = 0.0
    return found.placed


def _assign_the_rest(
    catch: _Catchments,
    p_geoms: np.ndarray,
    p_area: np.ndarray,
    todo: np.ndarray,
    ranking: _Ranking,
    check: InBackground[bool],
    min_share: float,
    threads: int,
) -> bool:
    """Assign the parishes ``todo`` by measuring overlaps; return whether catchments are disjoint.

    Candidates come from the catchments' STRtree; a parish properly inside one takes it; a
    straddling parish is measured first against the catchment holding a point on its
    surface, which settles it on a valid coverage when its share there is over one half
    and at least ``min_share``; the rest have every candidate measured.
    """
    pi, ci = _candidates(catch.tree, p_geoms, todo)
    candidates = (pi, ci)
    pi, ci = _settle_inside(catch.geoms, p_geoms, p_area, pi, ci, ranking)
    main = _main_pairs(catch.geoms, p_geoms, pi, ci, threads)
    disjoint = bool(check.result())
    measured = np.zeros(len(p_geoms), dtype=bool)
    if disjoint:
        measured = _settle_main(main, p_area, ranking, min_share)
    others = ~measured[pi] & ~main.mask
    pi, ci = pi[others], ci[others]
    hits = shapely.intersects(catch.geoms[ci], p_geoms[pi])
    pi, ci = pi[hits], ci[hits]
    areas = map_chunks(_clipped_intersection_area, p_geoms[pi], catch.geoms[ci], workers=threads)
    # The unsettled parishes' main catchments join the rest of their candidates.
    again = ~measured[main.pi]
    ranking.take(
        np.concatenate([main.pi[again], pi]),
        np.concatenate([main.ci[again], ci]),
        np.concatenate([main.areas[again], areas]),
    )
    if not disjoint:
        _measure_runners_up(p_geoms, catch.geoms, candidates, ranking, threads)
    return disjoint


def _candidates(
    tree: shapely.STRtree, p_geoms: np.ndarray, todo: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Envelope candidates (parish, catchment) of the parishes ``todo``, sorted by parish."""
    which = np.flatnonzero(todo)
    pi, ci = tree.query(p_geoms[which])
    return which[pi], ci


def _settle_inside(
    c_geoms: np.ndarray,
    p_geoms: np.ndarray,
    p_area: np.ndarray,
    pi: np.ndarray,
    ci: np.ndarray,
    ranking: _Ranking,
) -> tuple[np.ndarray, np.ndarray]:
    """Give parishes properly inside a catchment that one (share 1); return the open pairs.

    Share 1 is the most possible: the first containing catchment (by name) wins.
    """
    inside = shapely.contains_properly(c_geoms[ci], p_geoms[pi])
    held, first = np.unique(pi[inside], return_index=True)
    ranking.best[held] = ci[inside][first]
    ranking.best_area[held] = p_area[held]
    open_pair = ranking.best[pi] < 0
    return pi[open_pair], ci[open_pair]


@dataclass(frozen=True)
class _MainPairs:
    """Each open parish with the catchment holding a point on its surface, and their overlap."""

    mask: np.ndarray  # over the open pairs
    pi: np.ndarray
    ci: np.ndarray
    areas: np.ndarray


def _main_pairs(
    c_geoms: np.ndarray, p_geoms: np.ndarray, pi: np.ndarray, ci: np.ndarray, threads: int
) -> _MainPairs:
    """Measure each open parish against its main catchment (needed whatever the coverage)."""
    points = np.full(len(p_geoms), None, dtype=object)
    open_parishes = np.unique(pi)
    points[open_parishes] = shapely.point_on_surface(p_geoms[open_parishes])
    main = shapely.contains(c_geoms[ci], points[pi])
    mpi, mci = pi[main], ci[main]
    areas = map_chunks(_clipped_intersection_area, p_geoms[mpi], c_geoms[mci], workers=threads)
    return _MainPairs(main, mpi, mci, areas)


def _settle_main(
    main: _MainPairs, p_area: np.ndarray, ranking: _Ranking, min_share: float
) -> np.ndarray:
    """On disjoint catchments, settle parishes with over half (and ``min_share``) in the main one.

    The other catchments share the rest, so none can beat it. Returns the settled parishes.
    """
    share = main.areas / p_area[main.pi]
    settled = (share > 0.5) & (share >= min_share)
    ranking.best[main.pi[settled]] = main.ci[settled]
    ranking.best_area[main.pi[settled]] = main.areas[settled]
    measured = np.zeros(len(p_area), dtype=bool)
    measured[main.pi[settled]] = True
    return measured


def _measure_runners_up(
    p_geoms: np.ndarray,
    c_geoms: np.ndarray,
    candidates: tuple[np.ndarray, np.ndarray],
    ranking: _Ranking,
    threads: int,
) -> None:
    """On overlapping catchments, find the runner-up of parishes settled by containment.

    A parish properly inside one catchment took it without measuring the others; when the
    catchments overlap, another may hold the parish too (wholly: a tie, which the name
    order decided). Fills ``ranking.second`` and ``ranking.second_area``.
    """
    pi, ci = candidates
    best, second = ranking.best, ranking.second
    todo = (best[pi] >= 0) & (second[pi] < 0) & (ci != best[pi])
    pi, ci = pi[todo], ci[todo]
    hits = shapely.intersects(c_geoms[ci], p_geoms[pi])
    pi, ci = pi[hits], ci[hits]
    areas = map_chunks(_clipped_intersection_area, p_geoms[pi], c_geoms[ci], workers=threads)
    positive = areas > 0
    pi, ci, areas = pi[positive], ci[positive], areas[positive]
    key = np.lexsort((ci, -areas, pi))
    pi, ci, areas = pi[key], ci[key], areas[key]
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, dtype=bool)
    second[pi[first]] = ci[first]
    ranking.second_area[pi[first]] = areas[first]


def assign_by_lookup(parishes: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Assign each parish to the catchment a lookup table gives it.

    Parameters
    ----------
    parishes : pandas.DataFrame
        With ``parish_code``.
    lookup : pandas.DataFrame
        ``parish_code``, ``catchment`` and optionally ``row`` (the file's row number, as
        :func:`localitygis.io.read_lookup` gives).

    Returns
    -------
    pandas.DataFrame
        Aligned with ``parishes``: ``catchment``, ``catchment_share`` (NaN: not
        measured) and ``lookup_row`` (the table's row for the parish).

    Raises
    ------
    DataError
        Listing parishes missing from the lookup and lookup rows naming parishes that are
        not in the layer (both together), or a parish listed twice.

    Examples
    --------
    >>> import pandas as pd
    >>> parishes = pd.DataFrame({"parish_code": ["P1", "P2"]})
    >>> lookup = pd.DataFrame({"parish_code": ["P2", "P1"], "catchment": ["East", "West"]})
    >>> assign_by_lookup(parishes, lookup)["catchment"].tolist()
    ['West', 'East']
    >>> assign_by_lookup(parishes, pd.DataFrame({"parish_code": ["P1", "P9"],
    ...                                          "catchment": ["West", "West"]}))
    Traceback (most recent call last):
    ...
    localitygis.errors.DataError: the lookup table does not match the parishes: ... missing
    from it: P2; 1 row(s) name parishes that are not in the parish layer: P9 (row 3)...
    """
    _require_columns(
        lookup,
        ("parish_code", "catchment"),
        "the lookup table",
        "Read it with localitygis.io.read_lookup (which recognises PAR21CD and the like).",
    )
    table = pd.DataFrame(
        {
            "parish_code": lookup["parish_code"].astype(str).str.strip(),
            "catchment": lookup["catchment"],
            "row": lookup["row"].to_numpy()
            if "row" in lookup.columns
            else np.arange(len(lookup)) + 2,
        }
    )
    problems = []
    twice = table[table["parish_code"].duplicated(keep=False)]
    if len(twice):
        duplicates = ", ".join(
            f"{code} (rows {', '.join(str(r) for r in g['row'])})"
            for code, g in twice.groupby("parish_code", sort=True)
        )
        problems.append(f"parishes listed more than once: {duplicates}")
    blank = table["catchment"].isna() | (table["catchment"].astype(str).str.strip() == "")
    if blank.any():
        rows = listing(table.loc[blank, "row"])
        problems.append(f"{int(blank.sum())} row(s) have no catchment (rows {rows})")
    codes = parishes["parish_code"].astype(str)
    known = set(codes)
    listed = set(table["parish_code"])
    missing = [c for c in codes if c not in listed]
    if missing:
        problems.append(f"{len(missing)} parish(es) are missing from it: {listing(missing)}")
    strangers = table[~table["parish_code"].isin(known)]
    if len(strangers):
        named = [
            f"{c} (row {r})"
            for c, r in zip(strangers["parish_code"], strangers["row"], strict=True)
        ]
        problems.append(
            f"{len(strangers)} row(s) name parishes that are not in the parish layer: "
            f"{listing(named)}"
        )
    if problems:
        raise DataError(
            "the lookup table does not match the parishes: "
            + "; ".join(problems)
            + ". Every parish needs exactly one lookup row, by parish code (check the code "
            "vintage, e.g. PAR21CD against PAR24CD)."
        )
    mapping = dict(
        zip(table["parish_code"], table["catchment"].astype(str).str.strip(), strict=True)
    )
    row_of = dict(zip(table["parish_code"], table["row"], strict=True))
    return pd.DataFrame(
        {
            "catchment": pd.Series([mapping[c] for c in codes], dtype=object).to_numpy(),
            "catchment_share": np.full(len(codes), np.nan),
            "lookup_row": np.array([row_of[c] for c in codes], dtype="int64"),
        },
        index=parishes.index,
    )
