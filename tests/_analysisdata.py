"""The demo county run once through the real chain: the one cached chain every test shares.

Parishes are built into localities with :func:`localitygis.localities.build_localities`, the
demo asset register is read and located (within the county) with :mod:`localitygis.assets`,
and population points are the demo's synthetic output-area centroids. The map tests' data
(:func:`tests._mapdata.demo_map_data`) is derived from this chain, not built again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import shapely

from localitygis.assets.register import locate_assets, read_assets
from localitygis.demo.county import DemoCounty, load_demo
from localitygis.hubs import population_points
from localitygis.localities.build import LocalityBuild, build_localities


@dataclass(frozen=True)
class DemoChain:
    build: LocalityBuild
    assets: gpd.GeoDataFrame
    population: gpd.GeoDataFrame
    raw_population: gpd.GeoDataFrame
    demo: DemoCounty


@cache
def demo_chain() -> DemoChain:
    """Build the demo chain once per test process (every caller gets the same objects)."""
    demo = load_demo()
    parishes = demo.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
    build = build_localities(parishes, catchments=demo.catchments)
    register = read_assets(demo.assets, postcodes=demo.postcodes, source_name="demo register")
    located = locate_assets(register, build.parishes, county=demo.county)
    if len(located.rejects):
        raise AssertionError(f"demo assets rejected: {located.rejects['reason'].tolist()[:5]}")
    population = population_points(build.parishes, points=demo.population_points)
    return DemoChain(build, located.assets, population, demo.population_points, demo)


def asset_frame(xy: np.ndarray, partners: list[str] | None = None, **columns) -> gpd.GeoDataFrame:
    """Assets at the given positions (EPSG:27700) following the asset contract."""
    n = len(xy)
    data = {
        "asset_id": [f"A{i:05d}" for i in range(n)],
        "name": [f"Asset {i}" for i in range(n)],
        "category": ["library"] * n,
        "partner": partners if partners is not None else ["Council"] * n,
        "sector": ["council"] * n,
    }
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=shapely.points(np.asarray(xy, float)), crs=27700)
