"""The ``cost=`` option of the hubs functions: straight line, or minutes by road (private).

``cost=None`` keeps the straight-line metres. A :class:`~localitygis.access.RoadNetwork`
is routed on (population points to sites); a :class:`~localitygis.access.TravelTimes`
already computed for the same points and sites is used as it is. Points or sites the
network could not route are left out and listed with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.access import RoadNetwork, TravelTimes, travel_times
from localitygis.errors import DataError

Cost = RoadNetwork | TravelTimes | None

STRAIGHT = "straight-line"
NETWORK = "network"


@dataclass(frozen=True)
class Minutes:
    """Travel minutes from the population (rows) to the sites (columns), and who was routed."""

    minutes: np.ndarray
    people_ok: np.ndarray
    sites_ok: np.ndarray
    rejects: pd.DataFrame


def cost_name(cost: Cost) -> str:
    """``"straight-line"`` or ``"network"``; raise for anything else."""
    if cost is None:
        return STRAIGHT
    if isinstance(cost, RoadNetwork | TravelTimes):
        return NETWORK
    raise DataError(
        "cost must be None (straight-line metres), a RoadNetwork (localitygis.access."
        f"read_roads) or TravelTimes (localitygis.access.travel_times), not {type(cost).__name__}."
    )


def network_minutes(
    cost: Cost,
    population: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    people: str = "population",
    places: str = "sites",
) -> Minutes | None:
    """Minutes from every population point to every site, or None for straight lines."""
    if cost_name(cost) == STRAIGHT or cost is None:
        return None
    times = travel_times(cost, population, sites) if isinstance(cost, RoadNetwork) else cost
    shape = (len(population), len(sites))
    if times.minutes.shape != shape:
        raise DataError(
            f"the travel times are {times.minutes.shape[0]} × {times.minutes.shape[1]} but there "
            f"are {shape[0]} {people} and {shape[1]} {places}: compute them with "
            f"travel_times(network, {people}, {places}), or pass the network as cost=."
        )
    rejects = times.rejects.replace({"source": {"origins": people, "destinations": places}})
    return Minutes(times.minutes, times.origins.ok, times.destinations.ok, rejects)


def no_rejects() -> pd.DataFrame:
    """Return the empty rejects table of a straight-line run."""
    return pd.DataFrame(columns=["source", "row", "reason"])
