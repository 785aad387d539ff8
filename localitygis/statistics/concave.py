"""Exact areas of overlap of any two polygons, by integrating along their boundaries.

The area of a region is the integral of (x dy - y dx) / 2 around its boundary (Green's
theorem), and the boundary of the overlap of A and B is made of the parts of A's boundary
inside B and the parts of B's boundary inside A, plus, once, the parts the two share where
both interiors lie on the same side. So the overlap's area needs no overlay: each edge of one
polygon is cut where it meets the other's edges, each piece is placed inside, outside or
along the other polygon (a piece is placed afresh only after touching the other's boundary),
and the pieces inside are integrated. Nothing is built. To keep the work to the edges that
matter, each polygon's edges are indexed once by height (an edge's neighbours are a window
that slides along a ring), only edges in the box where the two polygons' bounds meet are
cut, the second polygon's edges are cut only where the first pass found the first polygon's
boundary near, and a pair whose boundaries miss each other's box is settled by one
point-in-polygon test per ring.

Rounding is handled with a tolerance (``_boundary.EXTENT_TOL`` of the pair's extent plus
``MAGNITUDE_TOL`` of its coordinates, about 60 units in the last place at national-grid
magnitudes): a piece whose ends and middle lie within it of an edge of the other runs along
that edge, as shared boundaries from one source do. Pieces end exactly at the vertex of the
other polygon that touches them, and a crossing point is computed the same way from either
side, so the two polygons' pieces meet end to end. Every pair checks its own answer: the
counted pieces must close up as the boundary of a region does (the sums over them of the
change in x, y, xy, x² and y² from start to end vanish, within the tolerance per contact);
a pair whose pieces do not is reported, for the caller to overlay with GEOS.

The integration runs compiled (numba; about 10 s to compile after installation, then cached
on disk) and releases the GIL, so chunks of pairs run in threads.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from localitygis.localities._threads import map_chunks
from localitygis.statistics.convex import SERIAL_BELOW, Rings

__all__ = ["integrated_areas"]


def integrated_areas(
    sources: Rings,
    targets: Rings,
    source: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Area of overlap of each (source, target) pair of polygons, of any shape.

    Parameters
    ----------
    sources, targets : Rings
        From :func:`~localitygis.statistics.convex.rings_of`; valid polygons.
    source, target : array-like of int
        Positions of each pair's source and target.
    workers : int, default 1
        Threads.

    Returns
    -------
    tuple of numpy.ndarray
        The area of overlap of each pair, and whether it is sure (its boundary closed up);
        pairs not sure are for an overlay.

    Examples
    --------
    Two L-shapes overlapping in a 1 x 1 square and a 1 x 2 strip along a shared edge:

    >>> import numpy as np
    >>> from shapely import Polygon
    >>> from localitygis.statistics.convex import rings_of
    >>> ell = Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 3), (0, 3)])
    >>> other = Polygon([(0, 0), (2, 0), (2, 2), (1, 2), (1, 1), (0, 1)])
    >>> rings = rings_of(np.array([ell, other]))
    >>> area, sure = integrated_areas(rings, rings, [0, 0], [0, 1])
    >>> area.round(12).tolist(), sure.tolist()
    ([5.0, 2.0], [True, True])
    """
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    if len(source) == 0:
        return np.zeros(0), np.ones(0, dtype=bool)
    from localitygis.statistics._boundary import boundary_pairs  # numba: compiled when first used

    layers = _indexed(sources), _indexed(targets)

    def run(pair_source: np.ndarray, pair_target: np.ndarray) -> np.ndarray:
        area, closed = boundary_pairs(*layers, pair_source, pair_target)
        return np.column_stack([area, closed])

    both = map_chunks(run, source, target, workers=workers, minimum=SERIAL_BELOW)
    return both[:, 0], both[:, 1] > 0.5


def _indexed(rings: Rings) -> tuple[np.ndarray, ...]:
    """Return the rings with their edges indexed, as the compiled kernel takes a layer."""
    from localitygis.statistics._boundary import edge_index

    edges = edge_index(rings.xy, rings.ring_start, rings.geom_start)
    return (rings.xy, rings.ring_start, rings.geom_start, rings.factor, *edges)
