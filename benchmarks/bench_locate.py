"""Benchmark: locate 1,000,000 asset points in 10,000 parishes.

The parishes are synthetic: a Voronoi tessellation of 10,000 random seeds over an area the
size of England (400 km × 325 km), clipped to a rectangle, with every edge cut into 50 m
segments and its vertices moved by a smooth, position-keyed wiggle (so neighbours still
share their edges exactly). That gives ~300 vertices a parish, like the ONS full-resolution
boundaries. Localities and tiers are attached as in a real build.

The asset points: 70% clustered around 5,000 towns (Gaussian, 600 m), 30% scattered, and
0.5% outside the county (so the rejects path is exercised).

Side by side, on the same data, in the same run:

* localitygis: ``locate_assets(register, parishes)`` — the point-in-parish lookup, the
  shared-boundary tie-break, the located GeoDataFrame with ``parish_code``, ``parish_name``,
  ``locality``, ``tier``, and the rejects (with distances to the boundary) for points outside;
* naive: ``geopandas.sjoin(points, parishes, predicate="within")``, which returns the joined
  frame and nothing about the points it dropped.

localitygis queries the point index with the prepared parishes like sjoin does, but in
threads (the query releases the GIL); the single-thread time is printed too. Every run gets
fresh frames, so neither side reuses a spatial index cached by an earlier run.

Both answers are compared point by point. Run:
``.venv/bin/python benchmarks/bench_locate.py [--quick]`` (``--quick``: 100,000 points in
2,000 parishes).
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.assets.parish_index import _ParishIndex
from localitygis.assets.register import AssetRegister, locate_assets

WIDTH, HEIGHT = 400_000.0, 325_000.0
ORIGIN = np.array([100_000.0, 100_000.0])


def wiggle(coords: np.ndarray) -> np.ndarray:
    """Move each vertex by a smooth function of where it is (same vertex, same move)."""
    x, y = coords[:, 0], coords[:, 1]
    dx = 60 * np.sin(x / 310.0 + 1.3 * np.cos(y / 170.0)) + 25 * np.sin(y / 53.0)
    dy = 60 * np.cos(y / 290.0 + 1.1 * np.sin(x / 190.0)) + 25 * np.cos(x / 47.0)
    return np.column_stack([x + dx, y + dy])


def synthetic_parishes(n: int, seed: int = 11) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    seeds = rng.uniform([0, 0], [WIDTH, HEIGHT], size=(n, 2)) + ORIGIN
    frame = shapely.box(*ORIGIN, *(ORIGIN + np.array([WIDTH, HEIGHT])))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame))
    cells = shapely.intersection(cells, frame)
    cells = shapely.segmentize(cells, 50.0)
    # Round to 1 cm so shared edges hold identical vertices, then wiggle them identically.
    cells = shapely.set_precision(cells, 0.01)
    cells = shapely.transform(cells, wiggle)
    cells = shapely.make_valid(cells)
    order = np.argsort(shapely.get_x(shapely.centroid(cells)), kind="stable")
    cells = cells[order]
    codes = np.char.add("E04", np.char.zfill(np.arange(n).astype(str), 6))
    centroid_x = shapely.get_x(shapely.centroid(cells))
    locality = np.char.add(
        "Locality ", ((centroid_x - ORIGIN[0]) // 40_000).astype(int).astype(str)
    )
    tier = (np.arange(n) % 3) + 1
    return gpd.GeoDataFrame(
        {
            "parish_code": codes,
            "parish_name": np.char.add("Parish ", np.arange(n).astype(str)),
            "locality": locality,
            "tier": tier,
        },
        geometry=cells,
        crs=27700,
    )


def synthetic_points(n: int, seed: int = 12) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    n_town = int(n * 0.7)
    n_out = int(n * 0.005)
    towns = rng.uniform([0, 0], [WIDTH, HEIGHT], size=(5_000, 2))
    town_pts = towns[rng.integers(0, len(towns), n_town)] + rng.normal(0, 600, (n_town, 2))
    scattered = rng.uniform([0, 0], [WIDTH, HEIGHT], size=(n - n_town - n_out, 2))
    outside = rng.uniform([WIDTH + 2_000, 0], [WIDTH + 60_000, HEIGHT], size=(n_out, 2))
    xy = np.vstack([town_pts, scattered, outside]) + ORIGIN
    xy = np.round(xy, 1)
    ids = np.char.add("A", np.arange(n).astype(str))
    return gpd.GeoDataFrame(
        {
            "asset_id": ids,
            "name": np.char.add("Asset ", np.arange(n).astype(str)),
            "category": np.full(n, "library"),
            "partner": np.full(n, "Council"),
            "sector": np.full(n, "council"),
            "postcode": np.full(n, None, dtype=object),
            "position_source": np.full(n, "easting/northing"),
            "row": np.arange(n) + 2,
        },
        geometry=shapely.points(xy),
        crs=27700,
    )


def fresh_points(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same points in a new frame, with no spatial index built yet."""
    geometry = shapely.points(shapely.get_coordinates(points.geometry.values))
    return gpd.GeoDataFrame(
        pd.DataFrame(points.drop(columns="geometry")), geometry=geometry, crs=points.crs
    )


def register_of(points: gpd.GeoDataFrame) -> AssetRegister:
    originals = pd.DataFrame(points.drop(columns="geometry")).set_index("row", drop=False)
    originals.index.name = "row"
    rejects = pd.DataFrame({"source": [], "row": [], "reason": []})
    return AssetRegister(points, rejects, "bench", len(points), originals=originals)


def timed(func, repeat: int) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 points, 2,000 parishes")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = parser.parse_args()
    n_points, n_parishes = (100_000, 2_000) if args.quick else (1_000_000, 10_000)

    start = time.perf_counter()
    parishes = synthetic_parishes(n_parishes)
    points = synthetic_points(n_points)
    vertices = shapely.get_num_coordinates(parishes.geometry.values)
    print(
        f"data: {n_points:,} points, {n_parishes:,} parishes "
        f"(median {int(np.median(vertices))} vertices, {int(vertices.sum()):,} in all), "
        f"built in {time.perf_counter() - start:.1f} s"
    )
    # Interleave the two (best of N each) so that load on the machine hits both alike. Each
    # run gets fresh frames, so neither reuses a spatial index cached by an earlier run.
    t_ours = t_single = t_naive = np.inf
    for _ in range(args.repeat):
        register = register_of(fresh_points(points))
        t, located = timed(lambda r=register: locate_assets(r, parishes), 1)
        t_ours = min(t_ours, t)
        register = register_of(fresh_points(points))
        t, _ = timed(lambda r=register: locate_assets(r, parishes, workers=1), 1)
        t_single = min(t_single, t)
        fresh = fresh_points(points)
        t, joined = timed(lambda f=fresh: gpd.sjoin(f, parishes, predicate="within"), 1)
        t_naive = min(t_naive, t)
    index = _ParishIndex(parishes)
    geoms = np.asarray(points.geometry.values, dtype=object)
    t_core, _ = timed(lambda: index.parish_of(geoms), args.repeat)

    # Same answers?
    ours = pd.Series(located.assets["parish_code"].to_numpy(), index=located.assets["asset_id"])
    theirs = pd.Series(joined["parish_code"].to_numpy(), index=joined["asset_id"].to_numpy())
    on_boundary = theirs.index.duplicated(keep=False)
    theirs_unique = theirs[~on_boundary]
    common = ours.index.intersection(theirs_unique.index)
    agree = int((ours.loc[common] == theirs_unique.loc[common]).sum())
    counts = located.counts()

    print(f"localitygis locate_assets: {t_ours:6.2f} s  (point-in-parish core {t_core:.2f} s)")
    print(f"  same, one thread       : {t_single:6.2f} s")
    print(f"geopandas sjoin(within)  : {t_naive:6.2f} s")
    print(f"ratio localitygis / sjoin: {t_ours / t_naive:6.2f}x (one thread: "
          f"{t_single / t_naive:.2f}x)")  # fmt: skip
    print(
        f"located {counts['accepted']:,}, rejected {counts['rejected']:,} "
        f"({', '.join(f'{k}: {v:,}' for k, v in counts['by_reason'].items())}); "
        f"sjoin matched {theirs.index.nunique():,} distinct points"
    )
    print(
        f"agreement with sjoin: {agree:,} of {len(common):,} points matched by both "
        f"({len(common) - agree} differ); points sjoin put in several parishes: "
        f"{int(on_boundary.sum())}"
    )
    print(f"reconciles: {counts['read'] == counts['accepted'] + counts['rejected']}")


if __name__ == "__main__":
    main()
