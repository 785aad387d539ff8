"""Small-area statistics for parishes and localities, and locality needs profiles.

Small areas (Output Areas, LSOAs, MSOAs, wards) and the tables ONS and MHCLG publish for
them (IoD2019, Census, mid-year estimates) become parish and locality figures by one of two
documented methods:

* **best fit** (the ONS method): each small area goes whole to the parish holding its
  population-weighted centroid, or its representative point when none is given. Counts are
  conserved exactly.
* **area weighted**: each small area is split among the parishes it overlaps by area share;
  counts are conserved to 1e-9 relative; rates and scores become population- (or area-)
  weighted means.

Ranks and deciles are never averaged as amounts: see
:mod:`~localitygis.statistics.deprivation`. Nothing is dropped silently: unmatched codes
both ways, and areas no parish takes, are listed with reasons.

The modules, by job:

* :mod:`~localitygis.statistics.read` — :func:`read_small_areas`, :func:`read_area_table`;
* :mod:`~localitygis.statistics.join` — :func:`join_area_table` (every row accounted for);
* :mod:`~localitygis.statistics.bestfit` — :func:`best_fit`;
* :mod:`~localitygis.statistics.weighting` — :func:`area_weighted`, :func:`overlap_areas`;
* :mod:`~localitygis.statistics.convex` and :mod:`~localitygis.statistics.concave` — the
  overlap areas area weighting needs, without GEOS overlays: pairs with a convex side
  clipped by it, any other pair integrated along the two boundaries (compiled);
* :mod:`~localitygis.statistics.apportion` — :func:`apportion` with :class:`Measures`;
* :mod:`~localitygis.statistics.deprivation` — mean rank, most deprived 20 %, decile mix;
* :mod:`~localitygis.statistics.needs` — :func:`needs_small_areas`, :func:`needs_profile`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> parishes = gpd.GeoDataFrame({"parish_code": ["P1", "P2"]},
...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
>>> areas = gpd.GeoDataFrame({"area_code": ["A", "B"], "people": [10, 20]},
...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
>>> apportion(areas, parishes, Measures(counts=("people",))).table["people"].tolist()
[10, 20]
"""

from __future__ import annotations

from localitygis.statistics._common import Fit
from localitygis.statistics.apportion import (
    METHODS,
    Apportionment,
    Measures,
    apportion,
    fit_small_areas,
)
from localitygis.statistics.bestfit import best_fit
from localitygis.statistics.deprivation import (
    MOST_DEPRIVED_DECILES,
    decile_counts,
    most_deprived_share,
    weighted_mean,
)
from localitygis.statistics.join import AreaJoin, join_area_table
from localitygis.statistics.needs import (
    AGE_BANDS,
    NEEDS_FIELDS,
    NeedsAreas,
    needs_profile,
    needs_small_areas,
)
from localitygis.statistics.read import (
    AREA_CODE_PATTERNS,
    TABLE_CODE_PATTERNS,
    read_area_table,
    read_small_areas,
)
from localitygis.statistics.weighting import area_weighted, overlap_areas

__all__ = [
    "AGE_BANDS",
    "AREA_CODE_PATTERNS",
    "METHODS",
    "MOST_DEPRIVED_DECILES",
    "NEEDS_FIELDS",
    "TABLE_CODE_PATTERNS",
    "Apportionment",
    "AreaJoin",
    "Fit",
    "Measures",
    "NeedsAreas",
    "apportion",
    "area_weighted",
    "best_fit",
    "decile_counts",
    "fit_small_areas",
    "join_area_table",
    "most_deprived_share",
    "needs_profile",
    "needs_small_areas",
    "overlap_areas",
    "read_area_table",
    "read_small_areas",
    "weighted_mean",
]
