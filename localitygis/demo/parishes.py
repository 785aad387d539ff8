"""Generated parishes on the real wards and Output Areas of the demo county.

The recipe, in EPSG:27700 metres:

1. Each parish place lies in one (best-fit) ward. A place outside the county (Cusop, whose
   1 km grid point falls over the Welsh border by Hay-on-Wye) is moved to the nearest point
   :data:`INSET` metres inside the nearest ward.
2. A ward holding no place belongs whole to the parish of the nearest town (Hereford's six
   other city wards, Leominster South, Ross-on-Wye West): town parishes span their wards.
3. A ward holding one parish's seeds is that parish. A ward holding several is cut between
   them by the Voronoi edges of its seeds (the places, plus the surveyed sites of known
   assets, which belong to their place's parish), densified and moved by a smooth random
   displacement field so the edges wiggle like real ones; cut-off bits go to the neighbour
   sharing most edge, so each parish is one piece.
4. The Output Area boundaries and the parish lines are noded once together and polygonised
   into *pieces*: each lies in one OA and one parish, so parishes tile the county exactly,
   every parish lies in one ward or is a union of whole wards, and populations can be
   apportioned OA by OA.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.ops import nearest_points

from localitygis.demo.geometry import DisplacementField, reattach_detached
from localitygis.errors import GeometryError

__all__ = [
    "INSET",
    "Moved",
    "Seeds",
    "cut_pieces",
    "locate",
    "parish_faces",
    "place_in_wards",
    "ward_owners",
]

#: A place outside the county is moved this far inside the nearest ward (metres).
INSET = 100.0
#: Parish lines overshoot their ward by this much before noding, so they meet its edge.
OVERSHOOT = 5.0
#: Densify parish lines to at most this spacing (metres) before displacing them.
EDGE_SPACING = 125.0


@dataclass(frozen=True)
class Seeds:
    """Voronoi seeds: coordinates, the parish and the ward (indices) of each."""

    xy: NDArray[np.float64]
    parish: NDArray[np.int64]
    ward: NDArray[np.int64]


@dataclass(frozen=True)
class Moved:
    """A place moved into the county: its index, where it was and where it is now."""

    place: int
    before: tuple[float, float]
    after: tuple[float, float]
    ward: int


def locate(polygons: NDArray[np.object_], points: NDArray[np.object_]) -> NDArray[np.int64]:
    """Index of the polygon containing each point, or of the nearest one if none does."""
    tree = shapely.STRtree(polygons)
    point_index, polygon_index = tree.query(points, predicate="within")
    out = np.full(len(points), -1, dtype=np.int64)
    out[point_index[::-1]] = polygon_index[::-1]  # first match wins
    outside = np.flatnonzero(out < 0)
    if len(outside):
        out[outside] = tree.query_nearest(points[outside], all_matches=False)[1]
    return out


def place_in_wards(
    places: NDArray[np.float64], wards: NDArray[np.object_]
) -> tuple[NDArray[np.float64], NDArray[np.int64], list[Moved]]:
    """Find each place's ward, moving any place outside every ward just inside the nearest.

    Returns the (possibly moved) places, each one's ward index and the list of moves.
    """
    points = shapely.points(places)
    ward = locate(wards, points)
    inside = shapely.contains(wards[ward], points)
    moved_places = places.copy()
    moves = []
    for i in np.flatnonzero(~inside):
        target = shapely.buffer(wards[ward[i]], -INSET)
        _, nearest = nearest_points(points[i], target)
        after = (round(nearest.x, 1), round(nearest.y, 1))
        moved_places[i] = after
        moves.append(Moved(int(i), tuple(places[i]), after, int(ward[i])))
    return moved_places, ward, moves


def ward_owners(
    wards: NDArray[np.object_],
    place_ward: NDArray[np.int64],
    places: NDArray[np.float64],
    towns: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Give each ward holding no place to the nearest town's parish (-1 for other wards)."""
    owner = np.full(len(wards), -1, dtype=np.int64)
    empty = np.setdiff1d(np.arange(len(wards)), place_ward)
    if len(empty):
        centres = shapely.get_coordinates(shapely.point_on_surface(wards[empty]))
        _, nearest = cKDTree(places[towns]).query(centres)
        owner[empty] = towns[nearest]
    return owner


def parish_faces(
    wards: NDArray[np.object_], seeds: Seeds, owner: NDArray[np.int64], field: DisplacementField,
    homes: NDArray[np.float64],
) -> tuple[NDArray[np.object_], NDArray[np.int64], NDArray[np.object_]]:  # fmt: skip
    """Cut every ward between the parishes seeded in it.

    Returns the faces (each in one ward), each face's parish and the parish lines (to be
    noded with the OA boundaries by :func:`cut_pieces`).
    """
    faces: list[NDArray[np.object_]] = []
    parish: list[NDArray[np.int64]] = []
    lines: list[shapely.Geometry] = []
    for w, ward in enumerate(wards):
        mine = seeds.ward == w
        if len(np.unique(seeds.parish[mine])) < 2:
            faces.append(np.array([ward], dtype=object))
            parish.append(np.array([seeds.parish[mine][0] if mine.any() else owner[w]]))
            continue
        cut = _ward_lines(ward, seeds.xy[mine], field)
        face, region = _ward_faces(ward, cut, seeds.xy[mine], seeds.parish[mine], homes)
        faces.append(face)
        parish.append(region)
        lines.append(cut)
    return np.concatenate(faces), np.concatenate(parish), np.array(lines, dtype=object)


def _ward_lines(
    ward: shapely.Polygon, xy: NDArray[np.float64], field: DisplacementField
) -> shapely.Geometry:
    """Voronoi edges between the seeds, wiggled, overshooting the ward a little."""
    edges = shapely.voronoi_polygons(
        shapely.multipoints(xy), extend_to=ward.buffer(2_000.0), only_edges=True
    )
    dense = shapely.segmentize(edges, EDGE_SPACING)
    moved = field.apply(np.array([dense], dtype=object))[0]
    return shapely.intersection(moved, ward.buffer(OVERSHOOT))


def _ward_faces(
    ward: shapely.Polygon,
    lines: shapely.Geometry,
    xy: NDArray[np.float64],
    seed_parish: NDArray[np.int64],
    homes: NDArray[np.float64],
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    noded = shapely.union_all([ward.boundary, lines])
    polygons = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    inside = shapely.contains(ward, shapely.point_on_surface(polygons))
    polygons = polygons[inside]
    _, nearest = cKDTree(xy).query(shapely.get_coordinates(shapely.point_on_surface(polygons)))
    region = reattach_detached(polygons, seed_parish[nearest].astype(np.int64), homes)
    lost = np.setdiff1d(seed_parish, region)
    if len(lost):
        raise GeometryError(f"demo generator: parish(es) {lost.tolist()} got no area (a bug).")
    return polygons, region


def cut_pieces(
    oas: NDArray[np.object_], lines: NDArray[np.object_]
) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Node the OA boundaries with ``lines`` and polygonise: pieces, each in one OA.

    Returns the pieces and the index of each one's OA.
    """
    linework = shapely.union_all([*shapely.boundary(oas), *lines])
    polygons = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    polygons = polygons[shapely.area(polygons) > 0]
    inner = shapely.point_on_surface(polygons)
    tree = shapely.STRtree(oas)
    point_index, oa_index = tree.query(inner, predicate="within")
    if len(np.unique(point_index)) != len(point_index):
        raise GeometryError("demo generator: a piece lies in two output areas (a bug).")
    return polygons[point_index], oa_index.astype(np.int64)
