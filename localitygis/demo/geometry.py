"""Geometry helpers of the demo county: displacement fields, regions of pieces, cut lines.

- :class:`DisplacementField` moves every vertex by one smooth field ``f(x, y)``: a sum of
  sinusoids whose slope stays well below one, so generated lines wiggle like real ones;
- :func:`reattach_detached` makes every region of a set of pieces connected;
- :func:`dissolve_pieces` unions the pieces of each region;
- :func:`split_line` finds the straight line cutting a polygon in a given area share.

All displaced coordinates are rounded to 0.1 m.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from localitygis.demo.facts import rng_for

__all__ = [
    "DisplacementField",
    "dissolve_pieces",
    "make_field",
    "reattach_detached",
    "split_line",
]

PRECISION = 0.1  # metres: every output coordinate is a multiple of this


@dataclass(frozen=True)
class DisplacementField:
    """A smooth vector field ``(x, y) -> (dx, dy)``: a sum of plane sinusoids.

    Each component is ``sum_i a_i * sin(k_i . p + phi_i)``. Its slope is at most
    ``sum_i a_i * |k_i|`` per component, kept well below one by :func:`make_field`.
    """

    wave_x: NDArray[np.float64]  # (n, 2) wave vectors for the x component (radians per metre)
    amp_x: NDArray[np.float64]
    phase_x: NDArray[np.float64]
    wave_y: NDArray[np.float64]
    amp_y: NDArray[np.float64]
    phase_y: NDArray[np.float64]

    def offsets(self, coords: NDArray[np.float64]) -> NDArray[np.float64]:
        """Displacement ``(dx, dy)`` at each of the ``(n, 2)`` ``coords``."""
        dx = np.sin(coords @ self.wave_x.T + self.phase_x) @ self.amp_x
        dy = np.sin(coords @ self.wave_y.T + self.phase_y) @ self.amp_y
        return np.column_stack([dx, dy])

    def max_slope(self) -> float:
        """Return an upper bound on the field's Lipschitz constant (per component)."""
        sx = float(self.amp_x @ np.linalg.norm(self.wave_x, axis=1))
        sy = float(self.amp_y @ np.linalg.norm(self.wave_y, axis=1))
        return max(sx, sy)

    def __add__(self, other: DisplacementField) -> DisplacementField:
        return DisplacementField(
            np.vstack([self.wave_x, other.wave_x]),
            np.concatenate([self.amp_x, other.amp_x]),
            np.concatenate([self.phase_x, other.phase_x]),
            np.vstack([self.wave_y, other.wave_y]),
            np.concatenate([self.amp_y, other.amp_y]),
            np.concatenate([self.phase_y, other.phase_y]),
        )

    def displace(self, coords: NDArray[np.float64]) -> NDArray[np.float64]:
        """Move ``coords`` by the field and round them to :data:`PRECISION`."""
        moved = coords + self.offsets(coords)
        return np.round(moved / PRECISION) * PRECISION

    def apply(self, geometries: NDArray[np.object_]) -> NDArray[np.object_]:
        """Displace every vertex of every geometry.

        One vectorised pass over all coordinates, so equal vertices stay equal.
        """
        return shapely.transform(geometries, self.displace)


def _area(geometry: shapely.Geometry) -> float:
    return float(shapely.area(geometry))


def make_field(
    stream: str, scales: Sequence[tuple[float, float]], *, per_scale: int = 2
) -> DisplacementField:
    """Make a random field: ``per_scale`` waves per ``(wavelength_m, amplitude_m)``."""
    rng = rng_for("field", stream)
    parts: dict[str, list[NDArray[np.float64]]] = {
        k: [] for k in ("wave_x", "amp_x", "phase_x", "wave_y", "amp_y", "phase_y")
    }
    for wavelength, amplitude in scales:
        for axis in ("x", "y"):
            angle = rng.uniform(0.0, np.pi, per_scale)
            k = 2.0 * np.pi / (wavelength * rng.uniform(0.85, 1.15, per_scale))
            parts[f"wave_{axis}"].append(np.column_stack([k * np.cos(angle), k * np.sin(angle)]))
            parts[f"amp_{axis}"].append(amplitude * rng.uniform(0.6, 1.0, per_scale) / per_scale)
            parts[f"phase_{axis}"].append(rng.uniform(0.0, 2.0 * np.pi, per_scale))
    return DisplacementField(
        np.vstack(parts["wave_x"]),
        np.concatenate(parts["amp_x"]),
        np.concatenate(parts["phase_x"]),
        np.vstack(parts["wave_y"]),
        np.concatenate(parts["amp_y"]),
        np.concatenate(parts["phase_y"]),
    )


def reattach_detached(
    polygons: NDArray[np.object_], region: NDArray[np.int64], home: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Make every region connected.

    A part not joined to the part holding ``home[r]`` (or, if no part holds it, the largest
    part) goes to the neighbour it shares most edge with.
    """
    region = region.copy()
    homes = shapely.points(home)
    for _ in range(10):  # a handful of passes settles every detached piece
        changed = False
        for r in np.unique(region):
            members = np.flatnonzero(region == r)
            if len(members) == 1:
                continue
            merged = shapely.coverage_union_all(polygons[members])
            parts = shapely.get_parts(merged)
            if len(parts) == 1:
                continue
            keep = next((p for p in parts if p.contains(homes[r])), max(parts, key=_area))
            for i in members:
                if keep.contains(shapely.point_on_surface(polygons[i])):
                    continue
                region[i] = _best_neighbour(polygons, region, int(i), exclude=r)
                changed = True
        if not changed:
            return region
    raise RuntimeError("demo parish pieces did not settle")  # pragma: no cover


def _best_neighbour(
    polygons: NDArray[np.object_], region: NDArray[np.int64], i: int, *, exclude: int
) -> int:
    ring = polygons[i].boundary
    shared: dict[int, float] = {}
    for j in np.flatnonzero(shapely.intersects(polygons, polygons[i])):
        if j == i or region[j] == exclude:
            continue
        length = float(shapely.length(shapely.intersection(ring, polygons[j].boundary)))
        shared[int(region[j])] = shared.get(int(region[j]), 0.0) + length
    if not shared:  # pragma: no cover - an island piece: keep it
        return exclude
    return max(sorted(shared), key=lambda k: shared[k])


def dissolve_pieces(
    polygons: NDArray[np.object_], region: NDArray[np.int64], n_regions: int
) -> NDArray[np.object_]:
    """Coverage union of the pieces of each region (index 0 … n_regions - 1)."""
    out = np.empty(n_regions, dtype=object)
    for r in range(n_regions):
        members = polygons[region == r]
        out[r] = shapely.coverage_union_all(members) if len(members) else shapely.Polygon()
    return out


def split_line(
    polygon: shapely.Polygon,
    towards: NDArray[np.float64],
    share: float,
    *,
    measure: Callable[[shapely.Geometry], float] = _area,
) -> tuple[shapely.LineString, NDArray[np.float64], NDArray[np.float64]]:
    """Cut ``polygon`` with a straight line perpendicular to ``towards``.

    The line leaves ``share`` of the area on the ``towards`` side, areas taken by
    ``measure`` (e.g. after displacement).

    Returns the line, a point on it and the unit normal pointing to the ``towards`` side.
    """
    centre = np.asarray(polygon.centroid.coords[0])
    normal = np.asarray(towards, dtype=float) / np.linalg.norm(towards)
    tangent = np.array([-normal[1], normal[0]])
    minx, miny, maxx, maxy = polygon.bounds
    reach = float(np.hypot(maxx - minx, maxy - miny))

    def far_side(offset: float) -> float:
        origin = centre + offset * normal
        half = shapely.Polygon(
            [
                origin - reach * tangent,
                origin + reach * tangent,
                origin + reach * tangent + reach * normal,
                origin - reach * tangent + reach * normal,
            ]
        )
        return measure(polygon.intersection(half)) / whole

    whole = measure(polygon)
    low, high = -reach, reach  # far_side decreases with offset
    for _ in range(40):
        middle = 0.5 * (low + high)
        if far_side(middle) > share:
            low = middle
        else:
            high = middle
    origin = centre + 0.5 * (low + high) * normal
    origin = np.round(origin / PRECISION) * PRECISION
    # Long enough to cross the parish, short enough to stay near it.
    line = shapely.LineString([origin - 1.2 * reach * tangent, origin + 1.2 * reach * tangent])
    return line, origin, normal
