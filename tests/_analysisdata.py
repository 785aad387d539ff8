"""Test data for co-location, hubs and profiles: the demo county run through the real chain.

Parishes are built into localities with :func:`localitygis.localities.build_localities`, the
demo asset register is read and located with :mod:`localitygis.assets`, and population points
are the demo's synthetic output-area centroids.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import shapely

from localitygis.assets.register import locate_assets, read_assets
from localitygis.demo.county import load_demo
from localitygis.hubs import population_points
from localitygis.localities.build import LocalityBuild, build_localities


@dataclass(frozen=True)
class DemoChain:
    build: LocalityBuild
    assets: gpd.GeoDataFrame
    population: gpd.GeoDataFrame
    raw_population: gpd.GeoDataFrame


@cache
def demo_chain() -> DemoChain:
    demo = load_demo()
    parishes = demo.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
    build = build_localities(parishes, catchments=demo.catchments)
    register = locate_assets(read_assets(demo.assets, postcodes=demo.postcodes), build.parishes)
    population = population_points(build.parishes, points=demo.population_points)
    return DemoChain(build, register.assets, population, demo.population_points)


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
