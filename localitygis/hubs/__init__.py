"""Service hubs: where to put them, whom they reach, and what moving services into them does.

Reach depends on the locality's tier (see :class:`HubReach`): a rural hub serves its
immediate area, a market-town hub its town and the rural parishes around it, the city hub
its own locality at short distance and the whole county for specialist services.

* :func:`population_points` — the population as points (parish populations spread over
  small-area points, or a user table of population-weighted centroids);
  :func:`check_population_points` checks such points against the county first, and lists
  those outside (or with easting and northing swapped) as rejects with their distance.
* :func:`rank_hub_sites` — score candidate sites by services and partners within walking
  distance and population within reach, with every score column shown.
* :func:`population_coverage` — share of the population within reach of a hub, per
  locality (or tier, or parish) and county-wide, and the parishes left unserved.
* :func:`optimise_hubs` — choose ``k`` hubs: p-median (least population-weighted distance)
  or maximal coverage, exactly (spopt + CBC) or by a fast heuristic with a measured gap.
* :func:`rationalisation_scenario` — which assets could move into a hub, which stay, how the
  distance to the nearest service point changes and what running cost is released.

Distances are straight-line metres in British National Grid (EPSG:27700) by default; pass
``cost=`` a road network (:func:`localitygis.access.read_roads`) or travel times
(:func:`localitygis.access.travel_times`) to measure reach and choose hubs in minutes by
road, with each tier's reach in minutes (:attr:`TierReach.minutes`: rural 15, market town
20, city 10).

How :func:`optimise_hubs` solves: the exact solver builds spopt's ``PMedian`` / ``MCLP``
from the cost matrix and solves it with PuLP's bundled CBC, ``required`` sites passed as
predefined facilities; for the p-median a heuristic and a Lagrangian bound first fix the
sites that cannot be in a better solution, so the exact model stays small and the answer is
the proven optimum. The heuristic (greedy addition, then best-improvement Teitz–Bart vertex
substitution, numpy-vectorised) handles large instances; its gap to a Lagrangian lower bound
(p-median) or a simple upper bound (max-coverage) is reported, and on small instances (or
with ``compare_exact=True``) its gap to the exact optimum too.
"""

from __future__ import annotations

from localitygis.hubs._coverage import CoverageResult, population_coverage
from localitygis.hubs._optimise import HubSolution, optimise_hubs
from localitygis.hubs._population import (
    PopulationCheck,
    check_population_points,
    population_points,
)
from localitygis.hubs._rank import rank_hub_sites
from localitygis.hubs._reach import HubReach, TierReach
from localitygis.hubs._scenario import FIXED_CATEGORIES, ScenarioResult, rationalisation_scenario

__all__ = [
    "FIXED_CATEGORIES",
    "CoverageResult",
    "HubReach",
    "HubSolution",
    "PopulationCheck",
    "ScenarioResult",
    "TierReach",
    "check_population_points",
    "optimise_hubs",
    "population_coverage",
    "population_points",
    "rank_hub_sites",
    "rationalisation_scenario",
]
