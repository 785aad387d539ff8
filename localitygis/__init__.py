"""localitygis: locality working for a county council.

Build localities from civil parishes and secondary school catchments, attach their tiers,
locate community assets, find co-location opportunities, plan service hubs, profile each
locality and map it all. Maps live in :mod:`localitygis.maps` (``from localitygis import
maps``); file reading and writing in :mod:`localitygis.io`.

The subpackages are the stages of that flow, in order: :mod:`~localitygis.io` (files in and
out), :mod:`~localitygis.localities` (scheme, checks, assignment, dissolve, quality report,
population), :mod:`~localitygis.assets` (register, positions, postcodes, vocabulary,
locating), :mod:`~localitygis.colocation`, :mod:`~localitygis.hubs`,
:mod:`~localitygis.profiles`, :mod:`~localitygis.maps`, with :mod:`~localitygis.cli` and
:mod:`~localitygis.demo` around them. The names below are re-exported from those homes.

Examples
--------
>>> import localitygis as lg
>>> demo = lg.load_demo()
>>> parishes = demo.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
>>> build = lg.build_localities(parishes, catchments=demo.catchments, scheme=lg.demo_scheme())
>>> len(build.localities), sorted(set(build.localities["tier"]))
(9, [1, 2, 3])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# first: Ctrl-C while the command line starts up is one line, not a traceback
from localitygis import _startup  # noqa: F401  # isort: skip

if TYPE_CHECKING:  # for type checkers; at run time the names load when first used
    from localitygis.access import (
        JourneyTimes,
        RoadNetwork,
        RoadSpeeds,
        TravelTimes,
        drive_time_areas,
        journey_time_indicators,
        nearest_hub_areas,
        read_roads,
        road_network,
        travel_times,
    )
    from localitygis.assets.locate import (
        LocationResult,
        Locator,
        OutsideCountyError,
        locate,
        locate_many,
    )
    from localitygis.assets.postcodes import (
        lookup_postcodes,
        normalise_postcode,
        read_postcode_directory,
    )
    from localitygis.assets.register import AssetRegister, locate_assets, read_assets
    from localitygis.assets.vocabulary import Vocabulary
    from localitygis.colocation import ColocationResult, find_clusters
    from localitygis.demo.county import DemoCounty, generate_demo, load_demo
    from localitygis.errors import (
        CRSError,
        DataError,
        GeometryError,
        InputFileError,
        LocalityGISError,
        SchemeError,
    )
    from localitygis.hubs import (
        CoverageResult,
        HubReach,
        HubSolution,
        ScenarioResult,
        optimise_hubs,
        population_coverage,
        population_points,
        rank_hub_sites,
        rationalisation_scenario,
    )
    from localitygis.io import (
        read_catchments,
        read_lookup,
        read_parishes,
        read_table,
        read_vector,
        write_csv,
        write_geojson,
        write_geopackage,
    )
    from localitygis.localities.build import LocalityBuild, build_localities
    from localitygis.localities.population import PopulationJoin, join_population
    from localitygis.localities.quality import QualityReport
    from localitygis.localities.scheme import Scheme, demo_scheme, herefordshire_scheme, load_scheme
    from localitygis.profiles import locality_profiles, profiles_to_html, profiles_to_markdown
    from localitygis.provenance import DEMO, ONS_OS, Provenance, provenance_of
    from localitygis.statistics import (
        Apportionment,
        AreaJoin,
        Measures,
        NeedsAreas,
        join_area_table,
        needs_profile,
        needs_small_areas,
        read_area_table,
        read_small_areas,
    )
    from localitygis.statistics.apportion import apportion

# Where each public name lives: imported from there when first used, so that
# ``import localitygis`` (or locating, which needs geopandas and shapely only) does not
# import the road, hub, map and command-line modules with their dependencies.
_HOMES: dict[str, tuple[str, ...]] = {
    "localitygis.access": (
        "JourneyTimes",
        "RoadNetwork",
        "RoadSpeeds",
        "TravelTimes",
        "drive_time_areas",
        "journey_time_indicators",
        "nearest_hub_areas",
        "read_roads",
        "road_network",
        "travel_times",
    ),
    "localitygis.assets.locate": (
        "LocationResult",
        "Locator",
        "OutsideCountyError",
        "locate",
        "locate_many",
    ),
    "localitygis.assets.postcodes": (
        "lookup_postcodes",
        "normalise_postcode",
        "read_postcode_directory",
    ),
    "localitygis.assets.register": ("AssetRegister", "locate_assets", "read_assets"),
    "localitygis.assets.vocabulary": ("Vocabulary",),
    "localitygis.colocation": ("ColocationResult", "find_clusters"),
    "localitygis.demo.county": ("DemoCounty", "generate_demo", "load_demo"),
    "localitygis.errors": (
        "CRSError",
        "DataError",
        "GeometryError",
        "InputFileError",
        "LocalityGISError",
        "SchemeError",
    ),
    "localitygis.hubs": (
        "CoverageResult",
        "HubReach",
        "HubSolution",
        "ScenarioResult",
        "optimise_hubs",
        "population_coverage",
        "population_points",
        "rank_hub_sites",
        "rationalisation_scenario",
    ),
    "localitygis.io": (
        "read_catchments",
        "read_lookup",
        "read_parishes",
        "read_table",
        "read_vector",
        "write_csv",
        "write_geojson",
        "write_geopackage",
    ),
    "localitygis.localities.build": ("LocalityBuild", "build_localities"),
    "localitygis.localities.population": ("PopulationJoin", "join_population"),
    "localitygis.localities.quality": ("QualityReport",),
    "localitygis.localities.scheme": (
        "Scheme",
        "demo_scheme",
        "herefordshire_scheme",
        "load_scheme",
    ),
    "localitygis.profiles": ("locality_profiles", "profiles_to_html", "profiles_to_markdown"),
    "localitygis.provenance": ("DEMO", "ONS_OS", "Provenance", "provenance_of"),
    "localitygis.statistics": (
        "Apportionment",
        "AreaJoin",
        "Measures",
        "NeedsAreas",
        "apportion",
        "join_area_table",
        "needs_profile",
        "needs_small_areas",
        "read_area_table",
        "read_small_areas",
    ),
}

__version__ = "0.1.0"

__all__ = [
    "DEMO",
    "ONS_OS",
    "Apportionment",
    "AreaJoin",
    "AssetRegister",
    "CRSError",
    "ColocationResult",
    "CoverageResult",
    "DataError",
    "DemoCounty",
    "GeometryError",
    "HubReach",
    "HubSolution",
    "InputFileError",
    "JourneyTimes",
    "LocalityBuild",
    "LocalityGISError",
    "LocationResult",
    "Locator",
    "Measures",
    "NeedsAreas",
    "OutsideCountyError",
    "PopulationJoin",
    "Provenance",
    "QualityReport",
    "RoadNetwork",
    "RoadSpeeds",
    "ScenarioResult",
    "Scheme",
    "SchemeError",
    "TravelTimes",
    "Vocabulary",
    "__version__",
    "apportion",
    "build_localities",
    "demo_scheme",
    "drive_time_areas",
    "find_clusters",
    "generate_demo",
    "herefordshire_scheme",
    "join_area_table",
    "join_population",
    "journey_time_indicators",
    "load_demo",
    "load_scheme",
    "locality_profiles",
    "locate",
    "locate_assets",
    "locate_many",
    "lookup_postcodes",
    "nearest_hub_areas",
    "needs_profile",
    "needs_small_areas",
    "normalise_postcode",
    "optimise_hubs",
    "population_coverage",
    "population_points",
    "profiles_to_html",
    "profiles_to_markdown",
    "provenance_of",
    "rank_hub_sites",
    "rationalisation_scenario",
    "read_area_table",
    "read_assets",
    "read_catchments",
    "read_lookup",
    "read_parishes",
    "read_postcode_directory",
    "read_roads",
    "read_small_areas",
    "read_table",
    "read_vector",
    "road_network",
    "travel_times",
    "write_csv",
    "write_geojson",
    "write_geopackage",
]

_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name from its home the first time it is used (PEP 562)."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'localitygis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
