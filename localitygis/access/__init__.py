"""Access to services by road: road networks, travel times and journey-time indicators.

Everything else in localitygis measures reach in straight lines; this package measures it
in minutes along the roads, the way a transport or accessibility analyst would.

* :func:`read_roads` / :func:`road_network` — an OS Open Roads GeoPackage, or any line
  layer with a road class or speed column, as a :class:`RoadNetwork` timed by
  :class:`RoadSpeeds` (a documented table you can override); unusable links are listed.
* :func:`snap_points` — the nearest point of the main network for each point; points too
  far from it (or whose nearest road is a cut-off fragment) are listed, never routed.
* :func:`travel_times` — minutes from many origins to many destinations (scipy's
  Dijkstra), with the off-road legs walked as in the DfT's journey time method.

Distances are metres in British National Grid (EPSG:27700); times are minutes.
"""

from __future__ import annotations

from localitygis.access.matrix import TravelTimes, travel_times
from localitygis.access.network import RoadNetwork
from localitygis.access.roads import read_roads, road_network
from localitygis.access.snap import Snapped, snap_points
from localitygis.access.speeds import DEFAULT_SPEEDS_KMH, WALKING_KMH, RoadSpeeds

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "WALKING_KMH",
    "RoadNetwork",
    "RoadSpeeds",
    "Snapped",
    "TravelTimes",
    "read_roads",
    "road_network",
    "snap_points",
    "travel_times",
]
