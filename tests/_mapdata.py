"""Map test data: the demo county (localities, parishes, located assets, hubs, clusters).

Derived from the one cached demo chain (:func:`tests._analysisdata.demo_chain`: the package's
own ``build_localities`` and ``read_assets``/``locate_assets``), then ``find_clusters`` and
``locality_profiles``. Hubs are the
libraries and customer service centres with a reach by tier (the hub analysis is tested
elsewhere; maps only need points with ``name``, ``tier``, ``reach_m``), and the unserved
parishes are those whose representative point no hub reaches, so the maps have every layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.colocation import find_clusters
from localitygis.profiles import locality_profiles
from localitygis.provenance import DEMO, with_provenance
from tests._analysisdata import demo_chain

XSS_NAME = "<img src=x onerror=alert(1)>"
REACH_BY_TIER = {1: 12000.0, 2: 8000.0, 3: 5000.0}


@dataclass(frozen=True)
class MapData:
    localities: gpd.GeoDataFrame
    parishes: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    assets: gpd.GeoDataFrame
    hubs: gpd.GeoDataFrame
    clusters: gpd.GeoDataFrame
    unserved: gpd.GeoDataFrame
    profiles: pd.DataFrame


@cache
def demo_map_data() -> MapData:
    chain = demo_chain()
    build, parishes, assets = chain.build, chain.build.parishes, chain.assets
    hub_rows = assets[assets["category"].isin(["library", "customer_service_centre"])]
    hub_rows = hub_rows.dropna(subset=["locality"])
    hubs = gpd.GeoDataFrame(
        {
            "name": hub_rows["name"].to_numpy(),
            "tier": hub_rows["tier"].astype(int).to_numpy(),
            "reach_m": hub_rows["tier"].astype(int).map(REACH_BY_TIER).to_numpy(),
            "locality": hub_rows["locality"].to_numpy(),
        },
        geometry=hub_rows.geometry.to_numpy(),
        crs=27700,
    )
    reached = np.zeros(len(parishes), dtype=bool)
    centres = parishes.geometry.representative_point()
    for geom, reach in zip(hubs.geometry, hubs["reach_m"], strict=True):
        reached |= (centres.distance(geom) <= reach).to_numpy()
    unserved = parishes[~reached].copy()
    result = find_clusters(assets)
    clusters = result.clusters[result.clusters["partner_count"] > 1].copy()
    profiles = locality_profiles(build, assets=assets)
    return MapData(
        localities=build.localities,
        parishes=parishes,
        catchments=build.catchments if build.catchments is not None else chain.demo.catchments,
        assets=assets,
        hubs=hubs,
        clusters=clusters,
        unserved=unserved,
        profiles=profiles,
    )


def with_xss_asset(assets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return assets plus one whose name, partner and category are HTML injections."""
    first = assets.iloc[[0]].copy()
    first["asset_id"] = "XSS1"
    first["name"] = XSS_NAME
    first["partner"] = "</script><script>alert('partner')</script>"
    first["category"] = "<b onmouseover=alert(2)>cat</b>"
    out = pd.concat([assets, first], ignore_index=True)
    return with_provenance(gpd.GeoDataFrame(out, geometry="geometry", crs=assets.crs), DEMO)


def many_assets(base: MapData, n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """Return ``n`` synthetic assets scattered over the demo county's parishes."""
    rng = np.random.default_rng(seed)
    county = base.localities.union_all()
    minx, miny, maxx, maxy = county.bounds
    xs = np.empty(0)
    ys = np.empty(0)
    while xs.size < n:
        x = rng.uniform(minx, maxx, n)
        y = rng.uniform(miny, maxy, n)
        inside = shapely.contains_xy(county, x, y)
        xs = np.concatenate([xs, x[inside]])
        ys = np.concatenate([ys, y[inside]])
    xs, ys = xs[:n], ys[:n]
    cats = np.array(sorted(base.assets["category"].unique()))
    partners = np.array(sorted(base.assets["partner"].unique()))
    frame = gpd.GeoDataFrame(
        {
            "asset_id": [f"S{i:06d}" for i in range(n)],
            "name": [f"Site {i}" for i in range(n)],
            "category": cats[rng.integers(0, cats.size, n)],
            "partner": partners[rng.integers(0, partners.size, n)],
            "sector": "council",
            "postcode": "HR1 1AA",
        },
        geometry=shapely.points(xs, ys),
        crs=27700,
    )
    return with_provenance(frame, DEMO)


@cache
def demo_needs() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The demo's real LSOAs best-fitted to its parishes, and their needs profile."""
    from localitygis.statistics import needs_profile, needs_small_areas

    lsoas = demo_chain().demo.lsoas.rename(
        columns=lambda c: {"LSOA11CD": "area_code", "LSOA11NM": "area_name"}.get(
            c, c.replace("aged_", "age_")
        )
    )
    areas = needs_small_areas(lsoas, demo_map_data().parishes, [])
    return areas.frame, needs_profile(areas)
