"""Localities: from civil parishes and school catchments to the nine localities and their tiers.

The stages of a build, in the order :func:`build_localities` runs them:

* :mod:`~localitygis.localities.scheme` — the scheme (TOML): localities, tiers, catchments,
  overrides and parish groups;
* :mod:`~localitygis.localities.quality` — checks and repairs of the inputs (geometry,
  duplicate codes, coverage gaps and overlaps) and the quality report;
* :mod:`~localitygis.localities.clean` — cleaning slivers from coverages below a tolerance;
* :mod:`~localitygis.localities.assign` — each parish to a catchment, by overlap or lookup
  (:mod:`~localitygis.localities.nested`: read from the certificates where catchments follow
  parish boundaries);
* :mod:`~localitygis.localities.build` — overrides, groups and the build itself;
* :mod:`~localitygis.localities.dissolve` and :mod:`~localitygis.localities.certificate` —
  the coverage dissolve of parishes into localities, and the coverage certificate it rests on;
* :mod:`~localitygis.localities.population` — joining a parish population table.
"""

from __future__ import annotations

from localitygis.localities.build import (
    LOCALITY_COLUMNS,
    LocalityBuild,
    assign_by_lookup,
    assign_by_overlap,
    build_localities,
    dissolve_localities,
)
from localitygis.localities.clean import CoverageCleaning, clean_coverage
from localitygis.localities.population import PopulationJoin, join_population
from localitygis.localities.quality import QualityReport
from localitygis.localities.scheme import (
    LocalityDef,
    Override,
    ParishGroup,
    Scheme,
    Tier,
    demo_scheme,
    herefordshire_scheme,
    load_scheme,
    scheme_from_dict,
)

__all__ = [
    "LOCALITY_COLUMNS",
    "CoverageCleaning",
    "LocalityBuild",
    "LocalityDef",
    "Override",
    "ParishGroup",
    "PopulationJoin",
    "QualityReport",
    "Scheme",
    "Tier",
    "assign_by_lookup",
    "assign_by_overlap",
    "build_localities",
    "clean_coverage",
    "demo_scheme",
    "dissolve_localities",
    "herefordshire_scheme",
    "join_population",
    "load_scheme",
    "scheme_from_dict",
]
