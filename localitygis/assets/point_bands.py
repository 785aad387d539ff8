"""Points sorted into horizontal bands: every point in a box, found by binary search.

:class:`PointBands` is the point index of the parish search (private to
:mod:`localitygis.assets`): instead of an R-tree of point geometries (about 140 bytes a
point), the points' coordinates are sorted once by (band, x), where a band is a horizontal
strip of fixed height; the points in a box are then, for each band the box spans, one run
of the sorted order, found by two binary searches. It needs only the coordinates (no point
geometries) and two arrays the length of the points.

The runs are a superset of the points in the box: rounding can only add points at a run's
ends (the keys are monotone in x within a band, and in y across bands), never lose one, so
a caller that tests each candidate exactly gets an exact answer.

Examples
--------
>>> import numpy as np
>>> x, y = np.array([0.5, 1.5, 2.5, 1.0]), np.array([0.5, 0.5, 2.5, 1.0])
>>> bands = PointBands(x, y, np.array([[0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0]]))
>>> box_idx, point_idx = bands.in_boxes(np.array([[0.0, 0.0, 1.0, 1.0]]))
>>> sorted(point_idx.tolist())
[0, 3]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Bands are a quarter of the median box height: a box's runs then hold about 1.25 times
# the points in the box, with about five runs per box.
_BANDS_PER_BOX = 4
# At most this many bands over the boxes' whole height (bounds the runs of tall boxes).
_MAX_BANDS = 4_096


class PointBands:
    """The points with finite coordinates, sorted by (band, x) for box queries.

    Parameters
    ----------
    x, y : numpy.ndarray
        Point coordinates (NaN for a point without a position: never found).
    boxes : numpy.ndarray
        ``(n, 4)`` bounds (xmin, ymin, xmax, ymax) of the boxes that will be queried,
        used to choose the band height (rows with NaN are ignored).
    """

    def __init__(self, x: NDArray[np.float64], y: NDArray[np.float64], boxes: NDArray) -> None:
        usable = np.isfinite(x) & np.isfinite(y)
        rows = None if usable.all() else np.flatnonzero(usable)
        px, py = (x, y) if rows is None else (x[rows], y[rows])
        known = boxes[np.isfinite(boxes).all(axis=1)]
        self.x0 = float(min(px.min(initial=np.inf), known[:, 0].min(initial=np.inf)))
        self.y0 = float(min(py.min(initial=np.inf), known[:, 1].min(initial=np.inf)))
        x1 = float(max(px.max(initial=-np.inf), known[:, 2].max(initial=-np.inf)))
        y1 = float(max(py.max(initial=-np.inf), known[:, 3].max(initial=-np.inf)))
        if not np.isfinite(self.x0 + self.y0 + x1 + y1):  # no point or no box
            self.x0 = self.y0 = x1 = y1 = 0.0
        heights = known[:, 3] - known[:, 1]
        height = float(np.median(heights)) / _BANDS_PER_BOX if len(known) else 0.0
        self.height = max(height, (y1 - self.y0) / _MAX_BANDS, 1e-9)
        # Keys of one band lie in [band * span, band * span + span): x - x0 < span.
        self.span = 2.0 * (x1 - self.x0) + 1.0
        keys = self._keys(np.floor((py - self.y0) / self.height), px)
        order = np.argsort(keys)  # ties in any order: a run holds them all
        self.keys = keys[order]
        del keys
        self.rows = order if rows is None else rows[order]

    def _keys(self, band: NDArray[np.float64], x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return band * span + (x - x0), computed in ``band``'s memory."""
        band *= self.span
        band += x - self.x0
        return band

    def in_boxes(self, boxes: NDArray) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Return (box index, point index) for every point in each box (and a few near).

        Boxes with NaN bounds (missing geometries) hold no point. The pairs come box by
        box, and within a box band by band from west to east.
        """
        boxes = boxes[:, :4]
        known = np.isfinite(boxes).all(axis=1)
        first = np.floor((boxes[:, 1] - self.y0) / self.height)
        last = np.floor((boxes[:, 3] - self.y0) / self.height)
        runs = np.where(known, last - first + 1, 0).astype(np.int64)
        box = np.repeat(np.arange(len(boxes)), runs)
        band = np.asarray(first[box] + _offsets(runs), dtype=np.float64)
        starts = np.searchsorted(self.keys, self._keys(band.copy(), boxes[box, 0]), side="left")
        stops = np.searchsorted(self.keys, self._keys(band, boxes[box, 2]), side="right")
        counts = stops - starts
        pairs_box = np.repeat(box, counts)
        positions = _offsets(counts)
        positions += np.repeat(starts, counts)
        return pairs_box, self.rows[positions]


def _offsets(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """0, 1, …, counts[0] - 1, 0, 1, …, counts[1] - 1, … (the position within each run).

    Examples
    --------
    >>> _offsets(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
