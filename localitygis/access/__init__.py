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
* :func:`drive_time_areas` / :func:`nearest_hub_areas` — each hub's reach by road as a
  polygon, and non-overlapping nearest-hub-by-time areas, for the maps.
* :func:`journey_time_indicators` — DfT-style indicators per area: average minimum minutes
  to the nearest hub and to each asset category, and the share within 15 and 30 minutes.

The hubs functions take a network as ``cost=`` (:func:`localitygis.hubs.optimise_hubs`,
:func:`localitygis.hubs.population_coverage`) to measure reach in minutes by road.

Distances are metres in British National Grid (EPSG:27700); times are minutes.
"""

from __future__ import annotations

from localitygis.access.areas import drive_time_areas, nearest_hub_areas
from localitygis.access.indicators import JourneyTimes, journey_time_indicators
from localitygis.access.matrix import TravelTimes, travel_times
from localitygis.access.network import RoadNetwork
from localitygis.access.roads import read_roads, road_network
from localitygis.access.snap import Snapped, snap_points
from localitygis.access.speeds import DEFAULT_SPEEDS_KMH, WALKING_KMH, RoadSpeeds

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "WALKING_KMH",
    "JourneyTimes",
    "RoadNetwork",
    "RoadSpeeds",
    "Snapped",
    "TravelTimes",
    "drive_time_areas",
    "journey_time_indicators",
    "nearest_hub_areas",
    "read_roads",
    "road_network",
    "snap_points",
    "travel_times",
]
