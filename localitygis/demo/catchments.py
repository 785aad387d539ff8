"""Generated secondary-school catchments of the demo county, from the 14 real school sites.

Each parish goes to its nearest school (city schools reach less far, so the city catchments
keep to the city and its fringe); a school's own parish is in its catchment; catchments are
made contiguous. A few rural parishes on a boundary between localities are then cut in two
by a straight line, the far side joining the neighbouring catchment, so assignment by
largest overlap is needed, as with real catchments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from localitygis.demo.facts import Facts
from localitygis.demo.geometry import reattach_detached, split_line
from localitygis.demo.parishes import locate

__all__ = ["SCHOOL_REACH", "SPLIT_SHARES", "Split", "assign_catchments", "choose_splits"]

#: Distance weight per locality when assigning parishes to their nearest school.
SCHOOL_REACH = {"Hereford City": 1.4}
#: Parishes split between two catchments: (share staying in the home catchment).
SPLIT_SHARES = (0.55, 0.70, 0.62)
#: A parish is split only if at least this share of its boundary faces the other catchment.
MIN_EXPOSURE = 0.2


def assign_catchments(
    facts: Facts, places: NDArray[np.float64], parishes: NDArray[np.object_]
) -> NDArray[np.int64]:
    """Assign each parish a catchment (index into ``facts.schools``)."""
    schools = facts.schools
    sites = schools[["easting", "northing"]].to_numpy(float)
    reach = np.array([SCHOOL_REACH.get(loc, 1.0) for loc in schools["locality"]])
    distance = np.linalg.norm(places[:, None, :] - sites[None, :, :], axis=2) * reach
    home = distance.argmin(axis=1).astype(np.int64)
    host = locate(parishes, shapely.points(sites))
    for parish in np.unique(host):
        hosted = np.flatnonzero(host == parish)
        home[parish] = hosted[np.argmin(distance[parish, hosted])]
    return reattach_detached(parishes, home, sites)


@dataclass(frozen=True)
class Split:
    """A parish cut between its catchment and ``other`` by ``line``."""

    parish: int
    other: int
    line: shapely.LineString
    origin: NDArray[np.float64]
    normal: NDArray[np.float64]

    def far_side(self, points: NDArray[np.object_]) -> NDArray[np.bool_]:
        """Whether each point lies on the ``other`` catchment's side of the line."""
        return (shapely.get_coordinates(points) - self.origin) @ self.normal > 0


def _exposure(
    i: int, parishes: NDArray[np.object_], home: NDArray[np.int64], locality: NDArray[np.str_],
    tree: shapely.STRtree,
) -> tuple[float, int, NDArray[np.float64]] | None:  # fmt: skip
    """Share of parish ``i``'s boundary facing the one other locality's catchment it touches."""
    polygon = parishes[i]
    border: dict[int, list[shapely.Geometry]] = {}
    for j in tree.query(polygon, predicate="touches"):
        if home[j] != home[i] and locality[home[j]] != locality[home[i]]:
            shared = shapely.intersection(polygon.boundary, parishes[j].boundary)
            border.setdefault(int(home[j]), []).append(shared)
    if len(border) != 1:
        return None
    ((other, parts),) = border.items()
    shared = shapely.union_all(parts)
    towards = np.asarray(shared.centroid.coords[0]) - np.asarray(polygon.centroid.coords[0])
    return float(shared.length / polygon.boundary.length), other, towards


def choose_splits(
    facts: Facts, names: list[str], parishes: NDArray[np.object_], home: NDArray[np.int64]
) -> list[Split]:
    """Pick rural parishes on a boundary between localities and cut each in two.

    The parishes most exposed to one neighbouring catchment (share of their boundary on it)
    are split, one per pair of catchments; the neighbour's side gets ``1 - share``.
    """
    towns = set(facts.towns["parish_name"])
    locality = facts.schools["locality"].to_numpy()
    tree = shapely.STRtree(parishes)
    candidates = []
    for i in range(len(parishes)):
        found = None if names[i] in towns else _exposure(i, parishes, home, locality, tree)
        if found is not None and found[0] >= MIN_EXPOSURE:
            candidates.append((found[0], i, found[1], found[2]))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    splits: list[Split] = []
    used: set[frozenset[int]] = set()
    for _, i, other, towards in candidates:
        pair = frozenset((int(home[i]), other))
        if pair in used or len(splits) == len(SPLIT_SHARES):
            continue
        share = SPLIT_SHARES[len(splits)]
        line, origin, normal = split_line(parishes[i], towards, 1.0 - share)
        splits.append(Split(i, other, line, origin, normal))
        used.add(pair)
    return splits
