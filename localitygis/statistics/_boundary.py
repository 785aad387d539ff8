"""The compiled kernel of :mod:`localitygis.statistics.concave` (numba; see there)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["boundary_pairs"]

INSIDE, OUTSIDE, ON_SAME, ON_OPPOSITE, UNKNOWN = 0, 1, 2, 3, 4
#: Tolerances: relative to the pair's extent, and to the coordinates' magnitude.
EXTENT_TOL, MAGNITUDE_TOL = 1e-9, 1e-12


@njit(cache=True, nogil=True)
def boundary_pairs(
    axy, a_ring, a_geom, a_factor, bxy, b_ring, b_geom, b_factor, pair_a, pair_b
):  # pragma: no cover - compiled
    """Area of overlap of each pair, and whether its counted boundary closed up."""
    n = len(pair_a)
    out = np.zeros(n)
    closed = np.ones(n, dtype=np.bool_)
    edges = np.empty((256, 2), dtype=np.int64)
    ts = np.empty(64)
    acc = np.zeros(4)
    box = np.empty(4)
    for p in range(n):
        ga, gb = pair_a[p], pair_b[p]
        a0, a1, a2, a3 = _bounds(axy, a_ring, a_geom[ga], a_geom[ga + 1])
        b0, b1, b2, b3 = _bounds(bxy, b_ring, b_geom[gb], b_geom[gb + 1])
        extent = max(max(a2, b2) - min(a0, b0), max(a3, b3) - min(a1, b1))
        magnitude = max(max(abs(a0), abs(a2), abs(b0), abs(b2)), max(abs(a1), abs(a3)))
        magnitude = max(magnitude, max(abs(b1), abs(b3)))
        tol = EXTENT_TOL * extent + MAGNITUDE_TOL * magnitude
        box[0], box[1] = max(a0, b0) - tol, max(a1, b1) - tol
        box[2], box[3] = min(a2, b2) + tol, min(a3, b3) + tol
        if box[0] > box[2] or box[1] > box[3]:
            continue
        acc[:] = 0.0
        edges, low, count, span = _edges_in(bxy, b_ring, b_geom[gb], b_geom[gb + 1], box, edges)
        ts = _half(
            axy, a_ring, a_geom[ga], a_geom[ga + 1], a_factor,
            bxy, b_ring, b_geom[gb], b_geom[gb + 1], b_factor,
            edges, low[:count], span, box, tol, True, acc, ts,
        )  # fmt: skip
        edges, low, count, span = _edges_in(axy, a_ring, a_geom[ga], a_geom[ga + 1], box, edges)
        ts = _half(
            bxy, b_ring, b_geom[gb], b_geom[gb + 1], b_factor,
            axy, a_ring, a_geom[ga], a_geom[ga + 1], a_factor,
            edges, low[:count], span, box, tol, False, acc, ts,
        )  # fmt: skip
        out[p] = acc[0]
        closed[p] = abs(acc[1]) + abs(acc[2]) <= 8.0 * tol * (acc[3] + 1.0)
    return out, closed


@njit(cache=True, nogil=True)
def _bounds(xy, ring, r_lo, r_hi):  # pragma: no cover - compiled
    lo, hi = ring[r_lo], ring[r_hi]
    x0, y0, x1, y1 = np.inf, np.inf, -np.inf, -np.inf
    for k in range(lo, hi):
        x, y = xy[k, 0], xy[k, 1]
        x0, x1 = min(x0, x), max(x1, x)
        y0, y1 = min(y0, y), max(y1, y)
    return x0, y0, x1, y1


@njit(cache=True, nogil=True)
def _edges_in(xy, ring, r_lo, r_hi, box, edges):  # pragma: no cover - compiled
    """Return the edges of rings r_lo..r_hi-1 whose bounding box meets ``box``.

    ``edges`` rows are (start, ring, y-low key), sorted by their lower y; also returned,
    the lower ys (sorted), how many and the tallest edge's height.
    """
    count = 0
    for r in range(r_lo, r_hi):
        for k in range(ring[r], ring[r + 1] - 1):
            x0, x1 = min(xy[k, 0], xy[k + 1, 0]), max(xy[k, 0], xy[k + 1, 0])
            y0, y1 = min(xy[k, 1], xy[k + 1, 1]), max(xy[k, 1], xy[k + 1, 1])
            if x1 < box[0] or x0 > box[2] or y1 < box[1] or y0 > box[3]:
                continue
            if count == edges.shape[0]:
                bigger = np.empty((2 * count, 2), dtype=np.int64)
                bigger[:count] = edges
                edges = bigger
            edges[count, 0], edges[count, 1] = k, r
            count += 1
    low = np.empty(count)
    span = 0.0
    for j in range(count):
        k = edges[j, 0]
        low[j] = min(xy[k, 1], xy[k + 1, 1])
        span = max(span, max(xy[k, 1], xy[k + 1, 1]) - low[j])
    order = np.argsort(low)
    sorted_edges = np.empty((max(count, 1), 2), dtype=np.int64)
    for j in range(count):
        sorted_edges[j, 0], sorted_edges[j, 1] = edges[order[j], 0], edges[order[j], 1]
    return sorted_edges, low[order], count, span


@njit(cache=True, nogil=True)
def _half(
    sxy, s_ring, s_lo, s_hi, s_factor, cxy, c_ring, c_lo, c_hi, c_factor,
    edges, low, span, box, tol, count_on, acc, ts,
):  # fmt: skip  # pragma: no cover - compiled
    """Add the integral of x dy - y dx / 2 over the parts of S's boundary inside C.

    Parts along C's boundary count when ``count_on`` and both interiors lie on one side.
    ``acc`` gathers the area, the sum of the counted parts' chords and the contacts.
    """
    ox, oy = box[0], box[1]
    for r in range(s_lo, s_hi):
        f = s_factor[r]
        status = UNKNOWN
        for k in range(s_ring[r], s_ring[r + 1] - 1):
            px, py = sxy[k, 0], sxy[k, 1]
            qx, qy = sxy[k + 1, 0], sxy[k + 1, 1]
            if (
                max(px, qx) < box[0] or min(px, qx) > box[2]
                or max(py, qy) < box[1] or min(py, qy) > box[3]
            ):  # fmt: skip
                status = OUTSIDE
                continue
            if px == qx and py == qy:
                continue
            ts, nts, p_contact = _breaks(px, py, qx, qy, cxy, edges, low, span, tol, ts)
            acc[3] += nts + p_contact
            dx, dy = qx - px, qy - py
            t0 = 0.0
            for i in range(nts + 1):
                t1 = ts[i] if i < nts else 1.0
                if t1 <= t0:
                    continue
                if status == UNKNOWN or i > 0 or p_contact:
                    mx, my = px + 0.5 * (t0 + t1) * dx, py + 0.5 * (t0 + t1) * dy
                    status = _classify(
                        mx, my, f * dx, f * dy, cxy, c_ring, c_lo, c_hi, c_factor,
                        edges, low, span, tol,
                    )  # fmt: skip
                if status == INSIDE or (count_on and status == ON_SAME):
                    ux, uy = px + t0 * dx - ox, py + t0 * dy - oy
                    vx, vy = px + t1 * dx - ox, py + t1 * dy - oy
                    acc[0] += 0.5 * f * (ux * vy - vx * uy)
                    acc[1] += f * (vx - ux)
                    acc[2] += f * (vy - uy)
                t0 = t1
    return ts


@njit(cache=True, nogil=True)
def _breaks(px, py, qx, qy, cxy, edges, low, span, tol, ts):  # pragma: no cover - compiled
    """Where segment p-q meets C's edges (parameters in (0, 1), sorted), and whether p does."""
    dx, dy = qx - px, qy - py
    length2 = dx * dx + dy * dy
    tol2 = tol * tol
    nts = 0
    p_contact = False
    first = np.searchsorted(low, min(py, qy) - span - tol)
    last = np.searchsorted(low, max(py, qy) + tol, side="right")
    for j in range(first, last):
        e = edges[j, 0]
        rx, ry, sx, sy = cxy[e, 0], cxy[e, 1], cxy[e + 1, 0], cxy[e + 1, 1]
        if (
            min(rx, sx) > max(px, qx) + tol or max(rx, sx) < min(px, qx) - tol
            or min(ry, sy) > max(py, qy) + tol or max(ry, sy) < min(py, qy) - tol
        ):  # fmt: skip
            continue
        ex, ey = sx - rx, sy - ry
        e2 = ex * ex + ey * ey
        if e2 == 0.0:
            continue
        if not p_contact and _distance2(px, py, rx, ry, ex, ey, e2) <= tol2:
            p_contact = True
        for end in range(2):
            cx, cy = (rx, ry) if end == 0 else (sx, sy)
            t = ((cx - px) * dx + (cy - py) * dy) / length2
            if 0.0 < t < 1.0:
                hx, hy = px + t * dx - cx, py + t * dy - cy
                if hx * hx + hy * hy <= tol2:
                    ts, nts = _push(ts, nts, t)
        le = np.sqrt(e2)
        dp = (ex * (py - ry) - ey * (px - rx)) / le
        dq = (ex * (qy - ry) - ey * (qx - rx)) / le
        if (dp > tol and dq < -tol) or (dp < -tol and dq > tol):
            t = dp / (dp - dq)
            u = ((px + t * dx - rx) * ex + (py + t * dy - ry) * ey) / e2
            if -tol / le <= u <= 1.0 + tol / le:
                ts, nts = _push(ts, nts, t)
    for i in range(1, nts):  # insertion sort: a handful of breaks
        t = ts[i]
        j = i - 1
        while j >= 0 and ts[j] > t:
            ts[j + 1] = ts[j]
            j -= 1
        ts[j + 1] = t
    return ts, nts, p_contact


@njit(cache=True, nogil=True)
def _push(ts, nts, t):  # pragma: no cover - compiled
    if nts == len(ts):
        bigger = np.empty(2 * nts)
        bigger[:nts] = ts
        ts = bigger
    ts[nts] = t
    return ts, nts + 1


@njit(cache=True, nogil=True)
def _distance2(px, py, rx, ry, ex, ey, e2):  # pragma: no cover - compiled
    """Squared distance from p to the segment r + u e, 0 <= u <= 1."""
    u = ((px - rx) * ex + (py - ry) * ey) / e2
    u = min(max(u, 0.0), 1.0)
    hx, hy = rx + u * ex - px, ry + u * ey - py
    return hx * hx + hy * hy


@njit(cache=True, nogil=True)
def _classify(
    mx, my, dx, dy, cxy, c_ring, c_lo, c_hi, c_factor, edges, low, span, tol
):  # pragma: no cover - compiled
    """Where point m (on a boundary heading d, interior to its left) lies against C."""
    best = tol * tol
    found = -1
    first = np.searchsorted(low, my - span - tol)
    last = np.searchsorted(low, my + tol, side="right")
    for j in range(first, last):
        e = edges[j, 0]
        rx, ry = cxy[e, 0], cxy[e, 1]
        ex, ey = cxy[e + 1, 0] - rx, cxy[e + 1, 1] - ry
        e2 = ex * ex + ey * ey
        if e2 == 0.0:
            continue
        d2 = _distance2(mx, my, rx, ry, ex, ey, e2)
        if d2 <= best:
            best, found = d2, j
    if found >= 0:
        e, r = edges[found, 0], edges[found, 1]
        ex, ey = cxy[e + 1, 0] - cxy[e, 0], cxy[e + 1, 1] - cxy[e, 1]
        return ON_SAME if c_factor[r] * (dx * ex + dy * ey) > 0.0 else ON_OPPOSITE
    inside = False
    for r in range(c_lo, c_hi):
        for k in range(c_ring[r], c_ring[r + 1] - 1):
            y0, y1 = cxy[k, 1], cxy[k + 1, 1]
            if (y0 > my) != (y1 > my):
                x0, x1 = cxy[k, 0], cxy[k + 1, 0]
                if mx < x0 + (my - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
    return INSIDE if inside else OUTSIDE
