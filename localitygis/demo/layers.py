"""The real layers of the demo county: Output Areas, LSOAs, wards and the county outline.

Built from the bundled copy (:mod:`localitygis.demo.realgeo`): the OAs are checked and
repaired like any user's boundary file (:func:`localitygis.localities.quality.repair_geometries`,
the repairs counted), given their share of the LSOA populations
(:func:`localitygis.demo.population.oa_populations`), and dissolved into LSOAs, best-fit
wards and the outline, so all four nest exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.crs import BNG
from localitygis.demo.population import AGE_BANDS, oa_populations
from localitygis.demo.realgeo import SmallAreas
from localitygis.errors import GeometryError
from localitygis.localities.quality import repair_geometries

__all__ = ["RealLayers", "real_layers"]

_COUNTS = ["population", *AGE_BANDS]


@dataclass(frozen=True)
class RealLayers:
    """The demo's real layers (EPSG:27700), without ``data_source`` or provenance yet."""

    output_areas: gpd.GeoDataFrame  # OA11CD, LSOA11CD, WD13CD, population, bands
    lsoas: gpd.GeoDataFrame  # LSOA11CD, LSOA11NM, imd_rank, imd_decile, population, bands
    wards: gpd.GeoDataFrame  # WD13CD, WD13NM, population, bands
    outline: shapely.Polygon
    repairs: pd.DataFrame  # repair_geometries' table for the OAs


def real_layers(small: SmallAreas) -> RealLayers:
    """Repair the OAs, give them their populations and dissolve them into the other layers.

    Raises
    ------
    GeometryError
        If an OA could not be repaired or the OAs do not form a valid coverage.
    """
    repaired = repair_geometries(small.output_areas, layer="output_areas", label="OA11CD")
    if len(repaired.rejects):
        raise GeometryError(f"demo: {len(repaired.rejects)} output area(s) unusable (a bug).")
    oas = repaired.frame.sort_values("OA11CD").reset_index(drop=True)
    if not shapely.coverage_is_valid(oas.geometry.values):
        raise GeometryError("demo: the output areas overlap or leave gaps (a bug).")
    people = oa_populations(oas["OA11CD"], oas["LSOA11CD"], small.lsoas)
    for column in _COUNTS:
        oas.insert(len(oas.columns) - 1, column, people[column].to_numpy())
    lsoas = _dissolve(oas, "LSOA11CD").merge(
        small.lsoas.drop(columns=_COUNTS), on="LSOA11CD", validate="one_to_one"
    )
    wards = _dissolve(oas, "WD13CD").merge(small.wards, on="WD13CD", validate="one_to_one")
    lsoas = lsoas[["LSOA11CD", "LSOA11NM", "imd_rank", "imd_decile", *_COUNTS, "geometry"]]
    wards = wards[["WD13CD", "WD13NM", *_COUNTS, "geometry"]]
    outline = shapely.coverage_union_all(oas.geometry.values)
    return RealLayers(oas, lsoas, wards, outline, repaired.repaired)


def _dissolve(oas: gpd.GeoDataFrame, code: str) -> gpd.GeoDataFrame:
    """Coverage union of the OAs of each ``code``, with their counts summed."""
    groups = oas.groupby(code, sort=True)
    counts = groups[_COUNTS].sum().reset_index()
    geometry = [shapely.coverage_union_all(g.geometry.values) for _, g in groups]
    return gpd.GeoDataFrame(counts, geometry=np.array(geometry, dtype=object), crs=BNG)
