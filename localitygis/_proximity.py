"""Connected components of the within-distance graph of points, without listing every pair.

Two points are linked when they stand within ``distance`` of each other; the components of
that graph are what co-location calls clusters. The plain way lists every linked pair with a
k-d tree and labels the graph (:func:`tree_components`); at a million assets that is millions
of pairs, most of them inside towns where everything is linked many times over.

:func:`proximity_components` gives the same labelling from far fewer tests. The plane is cut
into square cells of side a little under ``distance / √2``, so two points in one cell are
always within ``distance`` of each other: a cell is one node, whatever it holds. Two cells
can hold linked points only if they lie at most two cells apart in each direction. For each
such pair of occupied cells, their bounding boxes settle most cases at once: boxes farther
apart than ``distance`` cannot link, and one pair of actual points (each cell's first point)
within ``distance`` is a link. Cells joined that way are labelled, and only pairs of cells
still in different components and not yet settled have their points compared, in bounded
chunks. Identical positions fall in one cell, so they need no merging beforehand.

Both routes link a pair when ``dx * dx + dy * dy <= reach * reach`` in floating point, with
``reach`` a hair over ``distance`` (:data:`REACH`) so that points exactly ``distance`` apart
are linked despite rounding. The bounding-box tests are exact under that rule (rounding is
monotone, so a box's gap never exceeds a pair's, nor its span fall short of one).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

__all__ = ["CELL_SIDE", "REACH", "proximity_components", "tree_components"]

log = logging.getLogger(__name__)

#: Pairs up to ``distance * REACH`` apart are linked: a hair over the distance, so that points
#: exactly ``distance`` apart are linked despite rounding in the arithmetic.
REACH = 1 + 1e-12

#: The grid's cell side, in units of the distance: a little under ``1 / √2``, the margin
#: covering rounding in placing points in cells (relative error ~1e-16 per operation, times
#: at most ``_MAX_CELLS`` cells).
CELL_SIDE = (1 - 1e-7) / np.sqrt(2)

#: Cells per axis beyond which the grid route gives way to the k-d tree (cell keys must fit
#: in 64 bits and the placement margin above must hold).
_MAX_CELLS = 2**24

#: Point pairs compared at once, by default, when cells must be settled point by point.
_CHUNK = 2**21


def proximity_components(
    x: np.ndarray, y: np.ndarray, distance: float, *, chunk: int = _CHUNK
) -> np.ndarray:
    """Label the connected components of the within-``distance`` graph, one label per point.

    The grid route described in the module docstring; the k-d tree route
    (:func:`tree_components`) when the grid would need more than 2**24 cells per axis.

    Parameters
    ----------
    x, y : numpy.ndarray
        Finite coordinates (metres).
    distance : float
        Linking distance; points up to ``distance`` apart are linked.
    chunk : int, default 2**21
        At most this many point pairs are compared at once when cells must be settled point
        by point (a cell pair larger than that is compared whole): bounds the memory.

    Returns
    -------
    numpy.ndarray
        int64 component labels 0..k-1 (numbered in no particular order).

    Examples
    --------
    >>> import numpy as np
    >>> labels = proximity_components(np.array([0.0, 300, 600, 2000]), np.zeros(4), 400)
    >>> bool(labels[0] == labels[1] == labels[2]), bool(labels[3] != labels[0])
    (True, True)
    """
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    cells = _Cells.build(x, y, distance)
    if cells is None:
        log.debug("%d points: k-d tree route (the grid would be too fine)", len(x))
        return tree_components(x, y, distance)
    log.debug("%d points in %d grid cells", len(x), cells.count)
    reach = distance * REACH
    reach2 = reach * reach  # as the k-d tree squares it
    a, b, linked = _candidate_links(cells, reach2)
    cell_label = _label(cells.count, a[linked], b[linked])
    label = _settle_by_points(cells, a[~linked], b[~linked], cell_label, reach2, chunk)
    out = np.empty(len(x), dtype=np.int64)
    out[cells.order] = label[cells.of_sorted]
    return out


def tree_components(x: np.ndarray, y: np.ndarray, distance: float) -> np.ndarray:
    """Label the components the plain way: a k-d tree lists every linked pair.

    Identical positions are merged first (many assets share a building).

    Examples
    --------
    >>> import numpy as np
    >>> tree_components(np.array([0.0, 400, 801]), np.zeros(3), 400).tolist()
    [0, 0, 1]
    """
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    inverse, first = pd.factorize(x + 1j * y)
    unique = np.column_stack([first.real, first.imag])
    tree = cKDTree(unique, balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(distance * REACH, output_type="ndarray")
    return _label(len(unique), pairs[:, 0], pairs[:, 1])[inverse]


def _label(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component labels (int64) of ``n`` nodes joined by the edges ``a[i]``–``b[i]``."""
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
    return connected_components(graph, directed=False)[1].astype(np.int64)


@dataclass(frozen=True)
class _Cells:
    """Points sorted by grid cell, and each occupied cell's run, key and bounding box."""

    order: np.ndarray  # point indices, sorted by cell
    xs: np.ndarray  # coordinates in that order
    ys: np.ndarray
    of_sorted: np.ndarray  # the cell of each sorted point
    starts: np.ndarray  # where each cell's run begins
    sizes: np.ndarray  # points per cell
    keys: np.ndarray  # cell keys (column * rows + row), ascending
    rows: int  # key stride between neighbouring columns
    box: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # xmin, xmax, ymin, ymax

    @property
    def count(self) -> int:
        return len(self.keys)

    @classmethod
    def build(cls, x: np.ndarray, y: np.ndarray, distance: float) -> _Cells | None:
        """Sort the points into cells, or None when the grid would be too fine."""
        side = distance * CELL_SIDE
        x0, y0 = x.min(), y.min()
        if max(x.max() - x0, y.max() - y0) / side >= _MAX_CELLS - 5:
            return None
        column = ((x - x0) / side).astype(np.int64)
        row = ((y - y0) / side).astype(np.int64) + 2  # room for rows 2 below and above
        rows = int(row.max()) + 3
        key = column * rows + row
        order = np.argsort(key)
        key = key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        sizes = np.diff(np.r_[starts, len(key)])
        xs, ys = x[order], y[order]
        box = (
            np.minimum.reduceat(xs, starts),
            np.maximum.reduceat(xs, starts),
            np.minimum.reduceat(ys, starts),
            np.maximum.reduceat(ys, starts),
        )
        of_sorted = np.repeat(np.arange(len(starts)), sizes)
        return cls(order, xs, ys, of_sorted, starts, sizes, key[starts], rows, box)


def _neighbour_cells(cells: _Cells) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of occupied cells at most two apart in each direction, each once."""
    keys, rows = cells.keys, cells.rows
    firsts, lasts = [], []
    # the same column (rows 1-2 above), and the next two columns (rows 2 below to 2 above)
    for low, high in ((1, 2), (rows - 2, rows + 2), (2 * rows - 2, 2 * rows + 2)):
        firsts.append(np.searchsorted(keys, keys + low, side="left"))
        lasts.append(np.searchsorted(keys, keys + high, side="right"))
    first, last = np.concatenate(firsts), np.concatenate(lasts)
    size = last - first
    a = np.tile(np.arange(cells.count), 3).repeat(size)
    b = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size - first, size)
    return a, b


def _candidate_links(cells: _Cells, reach2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Neighbouring cells whose boxes come within reach, and whether they are surely linked.

    Linked: the two cells' first points are within reach of each other.
    """
    a, b = _neighbour_cells(cells)
    xmin, xmax, ymin, ymax = cells.box
    gx = np.maximum(np.maximum(xmin[b] - xmax[a], xmin[a] - xmax[b]), 0.0)
    gy = np.maximum(np.maximum(ymin[b] - ymax[a], ymin[a] - ymax[b]), 0.0)
    near = gx * gx + gy * gy <= reach2
    a, b = a[near], b[near]
    first = cells.starts
    dx = cells.xs[first[a]] - cells.xs[first[b]]
    dy = cells.ys[first[a]] - cells.ys[first[b]]
    return a, b, dx * dx + dy * dy <= reach2


def _settle_by_points(
    cells: _Cells, a: np.ndarray, b: np.ndarray, label: np.ndarray, reach2: float, chunk: int
) -> np.ndarray:
    """Compare the points of cell pairs still in different components, chunk by chunk.

    Returns the final component label of every cell.
    """
    while True:
        apart = label[a] != label[b]
        a, b = a[apart], b[apart]
        if not len(a):
            return label
        work = np.cumsum(cells.sizes[a] * cells.sizes[b])
        cut = max(int(np.searchsorted(work, chunk, side="right")), 1)
        now_a, now_b, a, b = a[:cut], b[:cut], a[cut:], b[cut:]
        hits = _linked_pairs(cells, now_a, now_b, reach2)
        joined = _label(int(label.max()) + 1, label[now_a[hits]], label[now_b[hits]])
        label = joined[label]


def _linked_pairs(cells: _Cells, a: np.ndarray, b: np.ndarray, reach2: float) -> np.ndarray:
    """Which cell pairs ``a[i]``, ``b[i]`` hold at least one pair of points within reach."""
    size_a, size_b = cells.sizes[a], cells.sizes[b]
    work = size_a * size_b
    pair = np.repeat(np.arange(len(a)), work)
    step = np.arange(len(pair)) - np.repeat(np.cumsum(work) - work, work)
    pa = cells.starts[a][pair] + step // size_b[pair]
    pb = cells.starts[b][pair] + step % size_b[pair]
    dx = cells.xs[pa] - cells.xs[pb]
    dy = cells.ys[pa] - cells.ys[pb]
    within = dx * dx + dy * dy <= reach2
    return np.bincount(pair[within], minlength=len(a)) > 0
