"""The compiled kernels of :mod:`localitygis.statistics.convex` (numba; see there)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["clip_pairs", "convex_rings", "ring_areas"]


@njit(cache=True, nogil=True)
def clip_pairs(
    sxy, s_ring, s_geom, cxy, c_ring, c_geom, s_factor, c_factor, pair_subject, pair_clipper
):  # pragma: no cover - compiled
    """Area of each pair's subject (all its rings) inside its convex clipper's one ring."""
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


@njit(cache=True, nogil=True)
def ring_areas(xy, ring_start):  # pragma: no cover - compiled
    """Signed area of each ring (positive counter-clockwise), about its first vertex."""
    out = np.zeros(len(ring_start) - 1)
    for r in range(len(ring_start) - 1):
        lo, hi = ring_start[r], ring_start[r + 1]
        if hi - lo < 2:
            continue
        ox, oy = xy[lo, 0], xy[lo, 1]
        total = 0.0
        for k in range(lo, hi - 1):
            ax, ay = xy[k, 0] - ox, xy[k, 1] - oy
            bx, by = xy[k + 1, 0] - ox, xy[k + 1, 1] - oy
            total += ax * by - bx * ay
        out[r] = 0.5 * total
    return out


@njit(cache=True, nogil=True)
def convex_rings(xy, ring_start, rings, factor, turn):  # pragma: no cover - compiled
    """Whether each ring named turns one way (or straight) at every vertex, within ``turn``.

    Zero-length edges (repeated vertices) are left out; the turn at each vertex is measured
    between the edges either side, the ring's orientation (``factor``) telling which way is
    convex.
    """
    out = np.zeros(len(rings), dtype=np.bool_)
    for i in range(len(rings)):
        r = rings[i]
        sign = factor[r]
        edges, bent = 0, False
        fx, fy, px, py = 0.0, 0.0, 0.0, 0.0
        for k in range(ring_start[r], ring_start[r + 1] - 1):
            ex, ey = xy[k + 1, 0] - xy[k, 0], xy[k + 1, 1] - xy[k, 1]
            if ex == 0.0 and ey == 0.0:
                continue
            if edges == 0:
                fx, fy = ex, ey
            elif _bends(px, py, ex, ey, sign, turn):
                bent = True
                break
            px, py = ex, ey
            edges += 1
        if not bent and edges >= 3:
            out[i] = not _bends(px, py, fx, fy, sign, turn)  # the last edge into the first
    return out


@njit(cache=True, nogil=True)
def _bends(px, py, ex, ey, sign, turn):  # pragma: no cover - compiled
    """Whether edge e turns the wrong way after edge p, by more than ``turn`` (a sine)."""
    cross = px * ey - py * ex
    return sign * cross < -turn * np.hypot(px, py) * np.hypot(ex, ey)
