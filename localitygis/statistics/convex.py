"""Exact areas of overlap where one polygon of each pair is convex, without GEOS overlays.

A polygon clipped by a convex one is the polygon cut by each of the convex polygon's edge
lines in turn (Sutherland–Hodgman): each cut keeps a closed ring, so the area of what is left
is exact up to rounding, even where edges of the two coincide or nearly do (a piece along a
shared edge comes out empty, one nesting inside comes out whole). The subject may be any
polygon — concave, with holes, in parts, its rings in either orientation: they are clipped
one by one and their signed areas added up, each ring's sign saying whether it adds or takes
away. The clipper must be convex: :func:`convex_polygons` says which are, allowing a turn the
wrong way by ``TURN`` (the sine of the angle: what rounding leaves along an edge cut by
another polygon).

The clipping runs compiled (numba, cached on disk after the first call; numba is imported
only when there is something to clip) and releases the GIL, so chunks of pairs run in
threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from localitygis.localities._threads import map_chunks

__all__ = ["SERIAL_BELOW", "Rings", "clipped_areas", "convex_polygons", "rings_of"]

#: A vertex turning right by less than this (sine of the angle) still counts as convex.
TURN = 1e-12
#: Fewer pairs than this are clipped in one go, without threads.
SERIAL_BELOW = 256


@dataclass(frozen=True)
class Rings:
    """Polygons as flat coordinate rings, in any orientation.

    Attributes
    ----------
    xy : numpy.ndarray
        (n, 2) float coordinates of every ring, each ring closed (last = first).
    ring_start : numpy.ndarray
        Where each ring starts in ``xy``; one more entry than rings, the end.
    geom_start : numpy.ndarray
        Where each polygon's rings start in ``ring_start``; one more entry, the end.
    factor : numpy.ndarray
        Per ring, +1 or -1: the ring's signed area (positive counter-clockwise) times this
        is the area it adds to its polygon (an exterior adds, a hole takes away).
    """

    xy: np.ndarray
    ring_start: np.ndarray
    geom_start: np.ndarray
    factor: np.ndarray


def rings_of(polygons: np.ndarray) -> Rings:
    """Return the rings of (multi)polygons as flat arrays, with what each adds to the area.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> holed = box(0, 0, 1, 1).difference(box(.2, .2, .5, .5))
    >>> r = rings_of(np.array([box(0, 0, 1, 1), holed]))
    >>> r.ring_start.tolist(), r.geom_start.tolist()
    ([0, 5, 10, 15], [0, 1, 3])

    GEOS wrote the holed square's exterior clockwise and its hole counter-clockwise:

    >>> r.factor.tolist()
    [1.0, -1.0, -1.0]
    """
    xy = np.ascontiguousarray(shapely.get_coordinates(polygons), dtype=np.float64)
    simple = (shapely.get_type_id(polygons) == 3) & (shapely.get_num_interior_rings(polygons) == 0)
    geom, size, exterior = _ring_sizes(polygons, simple)
    order = np.argsort(geom, kind="stable")  # rings in the order of their coordinates
    ring_start = np.r_[0, np.cumsum(size[order])].astype(np.int64)
    per_geom = np.bincount(geom, minlength=len(polygons))
    signed = _ring_areas(xy, ring_start)
    return Rings(
        xy=xy,
        ring_start=ring_start,
        geom_start=np.r_[0, np.cumsum(per_geom)].astype(np.int64),
        factor=np.where(exterior[order], 1.0, -1.0) * np.where(signed < 0, -1.0, 1.0),
    )


def _ring_sizes(polygons: np.ndarray, simple: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each ring's polygon, vertex count and whether it is an exterior, simple polygons first."""
    one = np.flatnonzero(simple)
    parts, part_of = shapely.get_parts(polygons[~simple], return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    first = np.r_[True, ring_of[1:] != ring_of[:-1]][: len(ring_of)]  # exterior: a part's first
    geom = np.r_[one, np.flatnonzero(~simple)[part_of[ring_of]]].astype(np.int64)
    size = np.r_[shapely.get_num_coordinates(polygons[one]), shapely.get_num_coordinates(rings)]
    return geom, size.astype(np.int64), np.r_[np.ones(len(one), dtype=bool), first]


def convex_polygons(polygons: np.ndarray, rings: Rings) -> np.ndarray:
    """Whether each polygon is one convex ring (no holes, no parts, no right turn).

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import Polygon, box
    >>> notch = Polygon([(0, 0), (2, 0), (1, 1), (2, 2), (0, 2)])
    >>> polys = np.array([box(0, 0, 1, 1), notch])
    >>> convex_polygons(polys, rings_of(polys)).tolist()
    [True, False]
    """
    single = np.diff(rings.geom_start) == 1
    first_ring = np.minimum(rings.geom_start[:-1], max(len(rings.ring_start) - 2, 0))
    convex = _convex_rings(rings, first_ring) if len(rings.ring_start) > 1 else single
    return single & convex & (shapely.get_type_id(polygons) == 3)


def clipped_areas(
    subjects: Rings,
    clippers: Rings,
    subject: npt.ArrayLike,
    clipper: npt.ArrayLike,
    *,
    workers: int = 1,
) -> np.ndarray:
    """Area of each pair's subject polygon inside its convex clipper polygon.

    Parameters
    ----------
    subjects, clippers : Rings
        From :func:`rings_of`; every clipper named in ``clipper`` must be convex
        (:func:`convex_polygons`).
    subject, clipper : array-like of int
        Positions of each pair's subject and clipper.
    workers : int, default 1
        Threads.

    Returns
    -------
    numpy.ndarray
        The area of overlap of each pair.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import Polygon, box
    >>> square = rings_of(np.array([box(0, 0, 2, 2)]))
    >>> ell = rings_of(np.array([Polygon([(1, 1), (5, 1), (5, 3), (3, 3), (3, 5), (1, 5)])]))
    >>> clipped_areas(ell, square, np.array([0]), np.array([0])).tolist()
    [1.0]
    """
    subject = np.asarray(subject, dtype=np.int64)
    clipper = np.asarray(clipper, dtype=np.int64)
    if len(subject) == 0:
        return np.zeros(0)
    from localitygis.statistics._clipping import clip_pairs  # numba: compiled when first used

    def run(pair_subject: np.ndarray, pair_clipper: np.ndarray) -> np.ndarray:
        return clip_pairs(
            subjects.xy,
            subjects.ring_start,
            subjects.geom_start,
            clippers.xy,
            clippers.ring_start,
            clippers.geom_start,
            subjects.factor,
            clippers.factor,
            pair_subject,
            pair_clipper,
        )

    return map_chunks(run, subject, clipper, workers=workers, minimum=SERIAL_BELOW)


def _ring_areas(xy: np.ndarray, ring_start: np.ndarray) -> np.ndarray:
    """Signed area of each ring (positive counter-clockwise), about its first vertex."""
    from localitygis.statistics._clipping import ring_areas  # numba: compiled when first used

    return np.asarray(ring_areas(xy, ring_start))


def _convex_rings(rings: Rings, first_ring: np.ndarray) -> np.ndarray:
    """Whether each ring named turns one way (or straight) at every vertex, within ``TURN``."""
    from localitygis.statistics._clipping import convex_rings  # numba: compiled when first used

    return np.asarray(
        convex_rings(rings.xy, rings.ring_start, first_ring.astype(np.int64), rings.factor, TURN)
    )
