"""Random tessellations for the coverage tests: Voronoi cells that form a valid coverage."""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import Voronoi


def tessellation(seed: int, n: int, *, densify: float | None = None) -> list[shapely.Geometry]:
    """Voronoi cells of random points clipped to a 1 km square (a valid coverage)."""
    rng = np.random.default_rng(seed)
    side = 1_000.0
    pts = rng.uniform(0, side, size=(n, 2))
    mirrored = [pts]
    for axis, value in ((0, 0.0), (0, side), (1, 0.0), (1, side)):
        m = pts.copy()
        m[:, axis] = 2 * value - m[:, axis]
        mirrored.append(m)
    vor = Voronoi(np.vstack(mirrored))
    # Nearly coincident Voronoi vertices (1e-14 apart) would be a real mismatch: round.
    vertices = np.round(vor.vertices, 3)
    edges: dict[tuple[int, int], np.ndarray] = {}

    def edge(a: int, b: int) -> np.ndarray:
        # Each edge is densified once and shared by both neighbours, so shared edges match.
        key = (min(a, b), max(a, b))
        if key not in edges:
            p, q = vertices[key[0]], vertices[key[1]]
            steps = 1 if not densify else max(1, int(np.ceil(np.hypot(*(q - p)) / densify)))
            line = p + (q - p) * np.linspace(0.0, 1.0, steps + 1)[:, None]
            line[0], line[-1] = p, q  # exact ends, shared with the neighbouring edges
            edges[key] = line
        line = edges[key]
        return line if a < b else line[::-1]

    cells = []
    for i in range(n):
        region = vor.regions[vor.point_region[i]]
        ring = np.vstack(
            [edge(a, b)[:-1] for a, b in zip(region, region[1:] + region[:1], strict=True)]
        )
        cell = shapely.Polygon(ring)
        if i % 2:  # mixed ring orientations, as real files have
            cell = shapely.orient_polygons(cell, exterior_cw=True)
        cells.append(cell)
    return cells
