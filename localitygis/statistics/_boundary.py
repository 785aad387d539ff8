"""The compiled kernels of :mod:`localitygis.statistics.concave` (numba; see there).

A layer is a tuple ``(xy, ring_start, geom_start, factor, edge, edge_ring, edge_low,
geom_edge, geom_span, geom_box)``: the rings of :class:`~localitygis.statistics.convex.Rings`
and, from :func:`edge_index`, each polygon's edges sorted by their lower y (``edge`` the
vertex each starts at, ``edge_ring`` its ring, ``edge_low`` its lower y; polygon ``g``'s
edges at ``geom_edge[g]:geom_edge[g + 1]``), its tallest edge's height and its bounds. An
edge's neighbours in y are then found by bisection, with no per-pair index.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["boundary_pairs", "edge_index"]

INSIDE, OUTSIDE, ON_SAME, ON_OPPOSITE, UNKNOWN = 0, 1, 2, 3, 4
#: Tolerances: relative to the pair's extent, and to the coordinates' magnitude.
EXTENT_TOL, MAGNITUDE_TOL = 1e-13, 1e-14


@njit(cache=True, nogil=True)
def edge_index(xy, ring_start, geom_start):  # pragma: no cover - compiled
    """Each polygon's edges sorted by lower y, with its tallest edge's height and bounds."""
    n_geoms = len(geom_start) - 1
    geom_edge = np.zeros(n_geoms + 1, dtype=np.int64)
    for g in range(n_geoms):
        count = 0
        for r in range(geom_start[g], geom_start[g + 1]):
            count += max(ring_start[r + 1] - ring_start[r] - 1, 0)
        geom_edge[g + 1] = geom_edge[g] + count
    edge = np.empty(geom_edge[n_geoms], dtype=np.int64)
    edge_ring = np.empty(geom_edge[n_geoms], dtype=np.int64)
    edge_low = np.empty(geom_edge[n_geoms])
    geom_span = np.zeros(n_geoms)
    geom_box = np.empty((n_geoms, 4))
    for g in range(n_geoms):
        _index_geometry(xy, ring_start, geom_start, g, geom_edge[g], edge, edge_ring, edge_low,
                        geom_span, geom_box)  # fmt: skip
        lo, hi = geom_edge[g], geom_edge[g + 1]
        order = np.argsort(edge_low[lo:hi], kind="mergesort") + lo
        edge[lo:hi], edge_ring[lo:hi] = edge[order], edge_ring[order]
        edge_low[lo:hi] = edge_low[order]
    return edge, edge_ring, edge_low, geom_edge, geom_span, geom_box


@njit(cache=True, nogil=True)
def _index_geometry(
    xy, ring_start, geom_start, g, at, edge, edge_ring, edge_low, geom_span, geom_box
):  # pragma: no cover - compiled
    """Write polygon g's edges (unsorted) from ``at``, its tallest edge's height and bounds."""
    x0, y0, x1, y1 = np.inf, np.inf, -np.inf, -np.inf
    for r in range(geom_start[g], geom_start[g + 1]):
        for k in range(ring_start[r], ring_start[r + 1] - 1):
            low, high = min(xy[k, 1], xy[k + 1, 1]), max(xy[k, 1], xy[k + 1, 1])
            edge[at], edge_ring[at], edge_low[at] = k, r, low
            geom_span[g] = max(geom_span[g], high - low)
            at += 1
        for k in range(ring_start[r], ring_start[r + 1]):
            x0, x1 = min(x0, xy[k, 0]), max(x1, xy[k, 0])
            y0, y1 = min(y0, xy[k, 1]), max(y1, xy[k, 1])
    geom_box[g, 0], geom_box[g, 1], geom_box[g, 2], geom_box[g, 3] = x0, y0, x1, y1


@njit(cache=True, nogil=True)
def boundary_pairs(a, b, pair_a, pair_b):  # pragma: no cover - compiled
    """Area of overlap of each pair, and whether its counted boundary closed up."""
    n = len(pair_a)
    out = np.zeros(n)
    closed = np.ones(n, dtype=np.bool_)
    ts = np.empty((64, 3))  # breaks along an edge: parameter, x, y
    acc = np.zeros(7)
    box = np.empty(4)
    near = np.zeros(len(b[0]), dtype=np.bool_)
    for p in range(n):
        ga, gb = pair_a[p], pair_b[p]
        if a[7][ga + 1] == a[7][ga] or b[7][gb + 1] == b[7][gb]:
            continue  # an empty polygon overlaps nothing
        tol = _region(a[9][ga], b[9][gb], box)
        if box[0] > box[2] or box[1] > box[3]:
            continue
        acc[:] = 0.0
        if _apart(b, gb, box):  # B's boundary misses the box: A's rings wholly in B or out
            _rings_inside(a, ga, b, gb, box, acc)
        elif _apart(a, ga, box):
            _rings_inside(b, gb, a, ga, box, acc)
        else:
            ts = _half(a, ga, b, gb, box, tol, True, acc, ts, near)
            ts = _half(b, gb, a, ga, box, tol, False, acc, ts, near)
        out[p] = acc[0]
        closed[p] = _closed(acc, tol, box)
    return out, closed


@njit(cache=True, nogil=True)
def _closed(acc, tol, box):  # pragma: no cover - compiled
    """Whether the counted pieces close up: their ends cancel, as a region's boundary's do.

    Checked through the sums over the pieces of the change in x, y, xy, x² and y² from start
    to end (each nothing round a closed loop; the quadratic ones catch unmatched pieces whose
    chords happen to cancel), allowing each contact a gap of a few tolerances.
    """
    allowed = 8.0 * tol * (acc[3] + 1.0)
    size = max(box[2] - box[0], box[3] - box[1])
    linear = abs(acc[1]) + abs(acc[2])
    quadratic = abs(acc[4]) + abs(acc[5]) + abs(acc[6])
    return linear <= allowed and quadratic <= 4.0 * allowed * size


@njit(cache=True, nogil=True)
def _region(abox, bbox, box):  # pragma: no cover - compiled
    """Write into ``box`` where the two bounds meet (widened by the tolerance); return it."""
    extent = max(max(abox[2], bbox[2]) - min(abox[0], bbox[0]),
                 max(abox[3], bbox[3]) - min(abox[1], bbox[1]))  # fmt: skip
    magnitude = 0.0
    for i in range(4):
        magnitude = max(magnitude, abs(abox[i]), abs(bbox[i]))
    tol = EXTENT_TOL * extent + MAGNITUDE_TOL * magnitude
    box[0], box[1] = max(abox[0], bbox[0]) - tol, max(abox[1], bbox[1]) - tol
    box[2], box[3] = min(abox[2], bbox[2]) + tol, min(abox[3], bbox[3]) + tol
    return tol


@njit(cache=True, nogil=True)
def _half(s, gs, c, gc, box, tol, first_half, acc, ts, near):  # pragma: no cover - compiled
    """Add the integral of (x dy - y dx) / 2 over the parts of S's boundary inside C.

    In the first half (S = A, C = B) parts along C's boundary count when both interiors lie
    on one side, and ``near`` marks each edge of B (by its first vertex) that comes within
    the tolerance of an edge of A; in the second only the marked edges of S (= B) can meet C
    (= A), so only they are cut, and the marks are cleared. ``acc`` gathers the area, the
    sums of the counted parts' chords, the contacts, and the sums of the changes in xy, x²
    and y² along the counted parts.
    """
    sxy, s_ring, s_geom, s_factor = s[0], s[1], s[2], s[3]
    ox, oy = box[0], box[1]
    first = last = c[7][gc]
    for r in range(s_geom[gs], s_geom[gs + 1]):
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
            cut = first_half or near[k]
            if cut or status == UNKNOWN:
                first, last = _window(c, gc, min(py, qy) - tol, max(py, qy) + tol, first, last)
            nts, p_contact = 0, False
            if cut:
                ts, nts, p_contact = _breaks(
                    px, py, qx, qy, c, tol, ts, first, last, near, first_half
                )
                if not first_half:
                    near[k] = False
            acc[3] += nts + p_contact
            t0, x0, y0 = 0.0, px, py
            for i in range(nts + 1):
                t1, x1, y1 = (ts[i, 0], ts[i, 1], ts[i, 2]) if i < nts else (1.0, qx, qy)
                if t1 <= t0:
                    continue
                if status == UNKNOWN or i > 0 or p_contact:
                    status = _classify(x0, y0, x1, y1, f, c, tol, first, last)
                if status == INSIDE or (first_half and status == ON_SAME):
                    ux, uy = x0 - ox, y0 - oy
                    vx, vy = x1 - ox, y1 - oy
                    acc[0] += 0.5 * f * (ux * vy - vx * uy)
                    acc[1] += f * (vx - ux)
                    acc[2] += f * (vy - uy)
                    acc[4] += f * (vx * vy - ux * uy)
                    acc[5] += f * (vx * vx - ux * ux)
                    acc[6] += f * (vy * vy - uy * uy)
                if status in (ON_SAME, ON_OPPOSITE):
                    status = UNKNOWN  # along the other's edge says nothing of what follows
                t0, x0, y0 = t1, x1, y1
    return ts


@njit(cache=True, nogil=True)
def _apart(c, gc, box):  # pragma: no cover - compiled
    """Whether no edge of C meets the box."""
    cxy, c_ring, c_geom = c[0], c[1], c[2]
    for r in range(c_geom[gc], c_geom[gc + 1]):
        for k in range(c_ring[r], c_ring[r + 1] - 1):
            px, py, qx, qy = cxy[k, 0], cxy[k, 1], cxy[k + 1, 0], cxy[k + 1, 1]
            if not (
                max(px, qx) < box[0] or min(px, qx) > box[2]
                or max(py, qy) < box[1] or min(py, qy) > box[3]
            ):  # fmt: skip
                return False
    return True


@njit(cache=True, nogil=True)
def _rings_inside(s, gs, c, gc, box, acc):  # pragma: no cover - compiled
    """Add the area of each ring of S (in the box) that lies inside C, their boundaries apart."""
    sxy, s_ring, s_geom, s_factor = s[0], s[1], s[2], s[3]
    for r in range(s_geom[gs], s_geom[gs + 1]):
        lo, hi = s_ring[r], s_ring[r + 1]
        x0, y0, x1, y1 = np.inf, np.inf, -np.inf, -np.inf
        for k in range(lo, hi):
            x0, x1 = min(x0, sxy[k, 0]), max(x1, sxy[k, 0])
            y0, y1 = min(y0, sxy[k, 1]), max(y1, sxy[k, 1])
        if x1 < box[0] or x0 > box[2] or y1 < box[1] or y0 > box[3] or hi - lo < 4:
            continue
        mx, my = sxy[lo, 0], sxy[lo, 1]
        first, last = _window(c, gc, my, my, c[7][gc], c[7][gc])
        if _crossings(c[0], c[4], first, last, mx, my):
            area = 0.0
            for k in range(lo, hi - 1):
                ax, ay = sxy[k, 0] - mx, sxy[k, 1] - my
                bx, by = sxy[k + 1, 0] - mx, sxy[k + 1, 1] - my
                area += ax * by - bx * ay
            acc[0] += 0.5 * s_factor[r] * area


@njit(cache=True, nogil=True, inline="always")
def _crossings(cxy, edge, first, last, mx, my):  # pragma: no cover - compiled
    """Whether the ray from m towards +x crosses C's edges first:last an odd number of times."""
    inside = False
    for j in range(first, last):
        e = edge[j]
        y0, y1 = cxy[e, 1], cxy[e + 1, 1]
        if (y0 > my) != (y1 > my):
            x0, x1 = cxy[e, 0], cxy[e + 1, 0]
            if mx < x0 + (my - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
    return inside


@njit(cache=True, nogil=True, inline="always")
def _window(c, gc, y0, y1, first, last):  # pragma: no cover - compiled
    """Return the range of C's edges (by lower y) that may reach the band y0 <= y <= y1.

    Found by sliding the previous range (``first``, ``last``): a ring's consecutive edges
    are near each other, so this takes a step or two.
    """
    lo, hi = c[7][gc], c[7][gc + 1]
    low = c[6]
    return _slide(low, lo, hi, first, y0 - c[8][gc], False), _slide(low, lo, hi, last, y1, True)


@njit(cache=True, nogil=True, inline="always")
def _slide(values, lo, hi, at, x, after):  # pragma: no cover - compiled
    """Return the first position in sorted values[lo:hi] above x (``after``) or not below."""
    at = min(max(at, lo), hi)
    if after:
        while at > lo and values[at - 1] > x:
            at -= 1
        while at < hi and values[at] <= x:
            at += 1
    else:
        while at > lo and values[at - 1] >= x:
            at -= 1
        while at < hi and values[at] < x:
            at += 1
    return at


@njit(cache=True, nogil=True, inline="always")
def _breaks(px, py, qx, qy, c, tol, ts, first, last, near, mark):  # pragma: no cover - compiled
    """Where p-q meets C's edges first:last, sorted, and whether p does.

    Each break is its parameter in (0, 1) and its point: the vertex of C that touches p-q,
    so that both polygons' pieces end exactly there, or the crossing point.
    """
    cxy, edge = c[0], c[4]
    dx, dy = qx - px, qy - py
    length2 = dx * dx + dy * dy
    tol2 = tol * tol
    nts = 0
    p_contact = False
    for j in range(first, last):
        e = edge[j]
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
        if mark:
            near[e] = True
        if not p_contact and _distance2(px, py, rx, ry, ex, ey, e2) <= tol2:
            p_contact = True
        for end in range(2):
            cx, cy = (rx, ry) if end == 0 else (sx, sy)
            t = ((cx - px) * dx + (cy - py) * dy) / length2
            if 0.0 < t < 1.0:
                hx, hy = px + t * dx - cx, py + t * dy - cy
                if hx * hx + hy * hy <= tol2:
                    ts, nts = _push(ts, nts, t, cx, cy)
        le = np.sqrt(e2)
        dp = (ex * (py - ry) - ey * (px - rx)) / le
        dq = (ex * (qy - ry) - ey * (qx - rx)) / le
        if (dp > tol and dq < -tol) or (dp < -tol and dq > tol):
            t = dp / (dp - dq)
            u = ((px + t * dx - rx) * ex + (py + t * dy - ry) * ey) / e2
            if -tol / le <= u <= 1.0 + tol / le:
                if mark:  # the same point from both sides: A's edge first, B's second
                    x, y = _crossing(px, py, qx, qy, rx, ry, sx, sy)
                else:
                    x, y = _crossing(rx, ry, sx, sy, px, py, qx, qy)
                t = ((x - px) * dx + (y - py) * dy) / length2
                ts, nts = _push(ts, nts, t, x, y)
    for i in range(1, nts):  # insertion sort: a handful of breaks
        t, x, y = ts[i, 0], ts[i, 1], ts[i, 2]
        j = i - 1
        while j >= 0 and ts[j, 0] > t:
            ts[j + 1, 0], ts[j + 1, 1], ts[j + 1, 2] = ts[j, 0], ts[j, 1], ts[j, 2]
            j -= 1
        ts[j + 1, 0], ts[j + 1, 1], ts[j + 1, 2] = t, x, y
    return ts, nts, p_contact


@njit(cache=True, nogil=True, inline="always")
def _crossing(ax, ay, bx, by, cx, cy, ex, ey):  # pragma: no cover - compiled
    """Where a-b crosses the line of c-e (a-b of layer A, c-e of layer B, always so)."""
    wx, wy = ex - cx, ey - cy
    da = wx * (ay - cy) - wy * (ax - cx)
    db = wx * (by - cy) - wy * (bx - cx)
    t = da / (da - db)
    return ax + t * (bx - ax), ay + t * (by - ay)


@njit(cache=True, nogil=True, inline="always")
def _push(ts, nts, t, x, y):  # pragma: no cover - compiled
    if nts == ts.shape[0]:
        bigger = np.empty((2 * nts, 3))
        bigger[:nts] = ts
        ts = bigger
    ts[nts, 0], ts[nts, 1], ts[nts, 2] = t, x, y
    return ts, nts + 1


@njit(cache=True, nogil=True, inline="always")
def _distance2(px, py, rx, ry, ex, ey, e2):  # pragma: no cover - compiled
    """Squared distance from p to the segment r + u e, 0 <= u <= 1."""
    u = ((px - rx) * ex + (py - ry) * ey) / e2
    u = min(max(u, 0.0), 1.0)
    hx, hy = rx + u * ex - px, ry + u * ey - py
    return hx * hx + hy * hy


@njit(cache=True, nogil=True, inline="always")
def _classify(x0, y0, x1, y1, f, c, tol, first, last):  # pragma: no cover - compiled
    """Where the piece x0 y0 - x1 y1 of a boundary lies against C: inside, outside or along.

    Along an edge of C when the piece's middle and both its ends lie within ``tol`` of that
    edge (compared heading with ``f`` times the piece's own, the interior to the left);
    otherwise its middle is tested. C's edges first:last must hold every edge within ``tol``
    of the piece or level with its middle.
    """
    cxy, c_factor, edge, edge_ring = c[0], c[3], c[4], c[5]
    mx, my = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    tol2 = tol * tol
    best = tol2
    found = -1
    for j in range(first, last):
        e = edge[j]
        rx, ry = cxy[e, 0], cxy[e, 1]
        ex, ey = cxy[e + 1, 0] - rx, cxy[e + 1, 1] - ry
        e2 = ex * ex + ey * ey
        if e2 == 0.0:
            continue
        d2 = _distance2(mx, my, rx, ry, ex, ey, e2)
        if d2 <= best:
            best, found = d2, j
    if found >= 0:
        e = edge[found]
        rx, ry = cxy[e, 0], cxy[e, 1]
        ex, ey = cxy[e + 1, 0] - rx, cxy[e + 1, 1] - ry
        e2 = ex * ex + ey * ey
        if (
            _distance2(x0, y0, rx, ry, ex, ey, e2) <= tol2
            and _distance2(x1, y1, rx, ry, ex, ey, e2) <= tol2
        ):
            same = c_factor[edge_ring[found]] * f * ((x1 - x0) * ex + (y1 - y0) * ey) > 0.0
            return ON_SAME if same else ON_OPPOSITE
    return INSIDE if _crossings(cxy, edge, first, last, mx, my) else OUTSIDE
