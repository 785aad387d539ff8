"""Snapping points to the road network (the nearest point on the nearest link).

As in the DfT's journey time method, a point joins the network where it is nearest, and the
leg between the point and the road is walked. A point is snapped to the main network; one
farther than ``max_snap`` metres from it is rejected with the reason — and the reason says
when a nearer road exists but lies on a fragment cut off from the main network.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis._validate import require_bng, require_distance, require_points
from localitygis.access.network import FORWARD, REVERSE, RoadNetwork
from localitygis.localities.quality import rejects_frame

__all__ = ["Snapped", "snap_points"]

#: Points farther than this from the main network are rejected (metres).
MAX_SNAP_M = 2_000.0


@dataclass(frozen=True)
class Snapped:
    """Where each point joins the main network.

    Attributes
    ----------
    ok : numpy.ndarray of bool
        The point was snapped (the others are in ``rejects``).
    link : numpy.ndarray of int
        Row of the link in ``network.links`` (-1 when rejected).
    along : numpy.ndarray of float
        Fraction of the link from its start node to the snapped position (0–1).
    offroad_m : numpy.ndarray of float
        Straight-line metres from the point to the road.
    rejects : pandas.DataFrame
        ``source``, ``row``, ``reason`` and the point's columns.
    """

    ok: np.ndarray
    link: np.ndarray
    along: np.ndarray
    offroad_m: np.ndarray
    rejects: pd.DataFrame

    def exits(self, network: RoadNetwork) -> tuple[np.ndarray, ...]:
        """Seconds from each snapped point to its link's start and end node (inf if barred).

        Returns the start nodes, the seconds to them, the end nodes and the seconds to them,
        for the snapped points in order.
        """
        return self._legs(network, leaving=True)

    def entries(self, network: RoadNetwork) -> tuple[np.ndarray, ...]:
        """Seconds from each link's start and end node to the snapped point (inf if barred)."""
        return self._legs(network, leaving=False)

    def _legs(self, network: RoadNetwork, *, leaving: bool) -> tuple[np.ndarray, ...]:
        links = network.links
        rows = self.link[self.ok]
        t = self.along[self.ok]
        secs = links["seconds"].to_numpy()[rows]
        direction = links["direction"].to_numpy()[rows]
        # leaving towards the start, or arriving from the end, runs the link backwards
        to_start_ok = (direction != (FORWARD if leaving else REVERSE)) | (t == 0.0)
        to_end_ok = (direction != (REVERSE if leaving else FORWARD)) | (t == 1.0)
        start_secs = np.where(to_start_ok, t * secs, np.inf)
        end_secs = np.where(to_end_ok, (1.0 - t) * secs, np.inf)
        u = links["u"].to_numpy()[rows]
        v = links["v"].to_numpy()[rows]
        return u, start_secs, v, end_secs


def snap_points(
    network: RoadNetwork,
    points: gpd.GeoDataFrame,
    *,
    max_snap: float = MAX_SNAP_M,
    source: str = "points",
) -> Snapped:
    """Snap points to the nearest point of the main road network.

    Parameters
    ----------
    network : RoadNetwork
    points : geopandas.GeoDataFrame
        Points in EPSG:27700.
    max_snap : float, default 2000.0
        Points farther than this many metres from the main network are rejected.
    source : str
        Name of the points in messages and rejects.

    Returns
    -------
    Snapped

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from localitygis.access import road_network
    >>> roads = gpd.GeoDataFrame({"highway": ["primary"]},
    ...                          geometry=[LineString([(0, 0), (1000, 0)])], crs=27700)
    >>> homes = gpd.GeoDataFrame(geometry=[Point(250, 30), Point(500, 5000)], crs=27700)
    >>> snapped = snap_points(road_network(roads), homes, source="homes")
    >>> snapped.ok.tolist(), float(snapped.along[0]), float(snapped.offroad_m[0])
    ([True, False], 0.25, 30.0)
    >>> snapped.rejects["reason"].iloc[0]
    'farther than 2000 m from the road network (5000 m)'
    """
    require_distance(max_snap, "max_snap")
    require_bng(points, source)
    require_points(points, source)
    geoms = points.geometry.array
    main = network.main_links
    link, gap = _nearest(main.geometry.array, geoms)
    ok = gap <= max_snap
    rows = np.where(ok, main.index.to_numpy()[np.maximum(link, 0)], -1)
    along = np.zeros(len(geoms))
    if ok.any():
        lines = network.links.geometry.array[rows[ok]]
        along[ok] = shapely.line_locate_point(lines, geoms[ok], normalized=True)
    reasons = _reasons(network, geoms[~ok], gap[~ok], max_snap)
    rejects = rejects_frame(
        pd.DataFrame(points.drop(columns=points.geometry.name)).reset_index(drop=True),
        np.flatnonzero(~ok).tolist(),
        reasons,
        source=source,
    )
    return Snapped(
        ok=ok, link=rows, along=along, offroad_m=np.where(ok, gap, np.nan), rejects=rejects
    )


def _nearest(lines: np.ndarray, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest line and the distance to it, for every point."""
    link = np.full(len(geoms), -1, dtype=np.int64)
    gap = np.full(len(geoms), np.inf)
    if len(lines) == 0 or len(geoms) == 0:
        return link, gap
    (pts, near), dist = shapely.STRtree(lines).query_nearest(
        geoms, return_distance=True, all_matches=False
    )
    link[pts] = near
    gap[pts] = dist
    return link, gap


def _reasons(
    network: RoadNetwork, geoms: np.ndarray, gap: np.ndarray, max_snap: float
) -> list[str]:
    off = network.links[~network.links["main"].to_numpy()]
    near, off_gap = _nearest(off.geometry.array, geoms)
    sizes = off["component"].value_counts()
    reasons = []
    for i, far in enumerate(gap):
        text = f"farther than {max_snap:.0f} m from the road network ({far:.0f} m)"
        if near[i] >= 0 and off_gap[i] <= max_snap:
            links = int(sizes[off["component"].iloc[near[i]]])
            text += (
                f"; its nearest road ({off_gap[i]:.0f} m) is on a fragment of {links} link(s) "
                "cut off from the main network: check the road data joins up"
            )
        reasons.append(text)
    return reasons
