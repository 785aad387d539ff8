"""Exact areas of overlap where one polygon of each pair is convex, without GEOS overlays.

A polygon clipped by a convex one is the polygon cut by each of the convex polygon's edge
lines in turn (Sutherland–Hodgman): each cut keeps a closed ring, so the area of what is left
is exact up to rounding, even where edges of the two coincide or nearly do (a piece along a
shared edge comes out empty, one nesting inside comes out whole). The subject may be any
polygon — concave, with holes, in parts: its rings are clipped one by one and their signed
areas (exteriors counter-clockwise, holes clockwise) added up. The clipper must be convex:
:func:`convex_polygons` says which are, within a turn of ``TURN`` radians (what rounding
leaves along an edge cut by another polygon).

The clipping runs compiled (numba, cached on disk after the first call) and releases the
GIL, so chunks of pairs run in threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from numba import njit

from localitygis.localities._threads import map_chunks

__all__ = ["RINGS", "Rings", "clipped_areas", "convex_polygons", "rings_of"]

#: A vertex turning right by less than this (sine of the angle) still counts as convex.
TURN = 1e-12
#: Pairs per chunk handed to a thread.
RINGS = 256


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
    first = np.r_[True, ring_of[1:] != ring_of[:-1]]  # a part's first ring is its exterior
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
    first_ring = rings.geom_start[:-1]
    convex = _convex_rings(rings.xy, rings.ring_start, rings.factor, first_ring, TURN)
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

    def run(pair_subject: np.ndarray, pair_clipper: np.ndarray) -> np.ndarray:
        return _clip_pairs(
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

    subject = np.asarray(subject, dtype=np.int64)
    clipper = np.asarray(clipper, dtype=np.int64)
    if len(subject) == 0:
        return np.zeros(0)
    return map_chunks(run, subject, clipper, workers=workers, minimum=RINGS)


@njit(cache=True, nogil=True)
def _ring_areas(xy, ring_start):  # pragma: no cover - compiled
    """Signed area of each ring (positive counter-clockwise), about its first vertex."""
    out = np.empty(len(ring_start) - 1)
    for r in range(len(out)):
        a, b = ring_start[r], ring_start[r + 1] - 1
        total = 0.0
        for k in range(a, b):
            x0, y0 = xy[k, 0] - xy[a, 0], xy[k, 1] - xy[a, 1]
            x1, y1 = xy[k + 1, 0] - xy[a, 0], xy[k + 1, 1] - xy[a, 1]
            total += x0 * y1 - x1 * y0
        out[r] = 0.5 * total
    return out


@njit(cache=True, nogil=True)
def _convex_rings(xy, ring_start, factor, first_ring, turn):  # pragma: no cover - compiled
    out = np.zeros(len(first_ring), dtype=np.bool_)
    for g in range(len(first_ring)):
        r = first_ring[g]
        start, end = ring_start[r], ring_start[r + 1] - 1  # the closing vertex left out
        out[g] = end - start >= 3 and _ring_is_convex(xy, start, end, factor[r], turn)
    return out


@njit(cache=True, nogil=True)
def _ring_is_convex(xy, start, end, sign, turn):  # pragma: no cover - compiled
    """Ring xy[start:end] turns the same way (or straight) at every vertex.

    ``sign`` is +1 for a counter-clockwise ring (turns left), -1 for a clockwise one.
    """
    px, py = 0.0, 0.0  # the last edge of non-zero length
    n = end - start
    for k in range(n + 1):  # from the last edge round to the first, to close the loop
        i = start + (k + n - 1) % n
        j = start + (k + n) % n
        ex, ey = xy[j, 0] - xy[i, 0], xy[j, 1] - xy[i, 1]
        if ex == 0.0 and ey == 0.0:
            continue
        if px != 0.0 or py != 0.0:
            cross = sign * (px * ey - py * ex)
            if cross < -turn * np.hypot(px, py) * np.hypot(ex, ey):
                return False
        px, py = ex, ey
    return True


@njit(cache=True, nogil=True)
def _clip_pairs(
    sxy, s_ring, s_geom, cxy, c_ring, c_geom, s_factor, c_factor, pair_subject, pair_clipper
):  # pragma: no cover - compiled
    out = np.empty(len(pair_subject))
    buffer_a = np.empty((64, 2))
    buffer_b = np.empty((64, 2))
    for p in range(len(pair_subject)):
        c = c_geom[pair_clipper[p]]  # the clipper's one ring
        c0, c1 = c_ring[c], c_ring[c + 1] - 1
        ox, oy = cxy[c0, 0], cxy[c0, 1]  # local origin: rounding relative to the pair's size
        g = pair_subject[p]
        total = 0.0
        for r in range(s_geom[g], s_geom[g + 1]):
            n = s_ring[r + 1] - 1 - s_ring[r]
            if buffer_a.shape[0] < 2 * n + 8:
                buffer_a = np.empty((4 * n + 16, 2))
                buffer_b = np.empty((4 * n + 16, 2))
            for k in range(n):
                buffer_a[k, 0] = sxy[s_ring[r] + k, 0] - ox
                buffer_a[k, 1] = sxy[s_ring[r] + k, 1] - oy
            area, buffer_a, buffer_b = _clip_ring(
                buffer_a, buffer_b, n, cxy, c0, c1, c_factor[c], ox, oy
            )
            total += s_factor[r] * area
        out[p] = total
    return out


@njit(cache=True, nogil=True)
def _clip_ring(ring, spare, n, cxy, c0, c1, sign, ox, oy):  # pragma: no cover - compiled
    """Signed area of ring[:n] cut by every edge line of the clipper cxy[c0:c1 + 1].

    ``sign`` (+1 counter-clockwise, -1 clockwise) turns each edge so that the clipper lies to
    its left.
    """
    for e in range(c0, c1):
        if n == 0:
            break
        if spare.shape[0] < 2 * n + 8:
            spare = np.empty((4 * n + 16, 2))
        ax, ay = cxy[e, 0] - ox, cxy[e, 1] - oy
        dx, dy = sign * (cxy[e + 1, 0] - cxy[e, 0]), sign * (cxy[e + 1, 1] - cxy[e, 1])
        if dx == 0.0 and dy == 0.0:
            continue
        n = _cut(ring, spare, n, ax, ay, dx, dy)
        ring, spare = spare, ring
    area = 0.0
    for k in range(n):
        m = (k + 1) % n
        area += ring[k, 0] * ring[m, 1] - ring[m, 0] * ring[k, 1]
    return 0.5 * area, ring, spare


@njit(cache=True, nogil=True)
def _cut(ring, out, n, ax, ay, dx, dy):  # pragma: no cover - compiled
    """Keep the part of ring[:n] left of (or on) the line a + t d; return its vertex count."""
    count = 0
    for k in range(n):
        m = (k + 1) % n
        gk = dx * (ring[k, 1] - ay) - dy * (ring[k, 0] - ax)  # >= 0: left of the line
        gm = dx * (ring[m, 1] - ay) - dy * (ring[m, 0] - ax)
        if gk >= 0.0:
            out[count, 0], out[count, 1] = ring[k, 0], ring[k, 1]
            count += 1
        if (gk >= 0.0) != (gm >= 0.0):
            t = gk / (gk - gm)
            out[count, 0] = ring[k, 0] + t * (ring[m, 0] - ring[k, 0])
            out[count, 1] = ring[k, 1] + t * (ring[m, 1] - ring[k, 1])
            count += 1
    return count
