"""Benchmark: building localities from a national-scale synthetic coverage.

Generates 10,000 parishes (Voronoi cells, densified and wiggled to ~100-300 vertices each),
~1,000 catchments (unions of parishes, re-digitised with offsets of tens of metres) and ~100
localities, then times :func:`localitygis.localities.build_localities` against the naive
geopandas route (``gpd.overlay`` intersection, groupby largest area, ``dissolve``) in one
process, interleaved, after a warm-up, on fresh geometries each run; prints the median, the
spread and the paired ratios, and the memory of one more run of each in a forked child
(``benchmarks/_measure.py``).

Run ``.venv/bin/python benchmarks/bench_build.py [--quick] [--runs N]``.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _measure import compare, machine, report
from scipy.spatial import Voronoi

BNG = "EPSG:27700"


def _wiggle(xy: np.ndarray, *, amplitude: float, wavelength: float, phase: float) -> np.ndarray:
    """Two shears: a smooth bijection of the plane, so a coverage stays a coverage."""
    k = 2 * np.pi / wavelength
    x = xy[:, 0] + amplitude * np.sin(k * xy[:, 1] + phase)
    y = xy[:, 1] + amplitude * np.sin(k * x + 2 * phase)
    return np.column_stack([x, y])


def voronoi_coverage(
    n: int, *, side: float, seed: int, spacing: float, amplitude: float, wavelength: float
) -> list[shapely.Polygon]:
    """Voronoi cells of ``n`` random points in a square, edges densified and wiggled.

    Every edge is densified once and shared by both neighbours, so the result is an exact
    (valid) polygonal coverage of the square.
    """
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, side, size=(n, 2))
    # Mirror the points across the four sides so every real cell is finite and clipped
    # exactly to the square.
    mirrors = [pts]
    for axis, value in ((0, 0.0), (0, side), (1, 0.0), (1, side)):
        m = pts.copy()
        m[:, axis] = 2 * value - m[:, axis]
        mirrors.append(m)
    vor = Voronoi(np.vstack(mirrors))
    verts = vor.vertices
    edge_cache: dict[tuple[int, int], np.ndarray] = {}

    def edge(a: int, b: int) -> np.ndarray:
        key = (a, b) if a < b else (b, a)
        line = edge_cache.get(key)
        if line is None:
            p, q = verts[key[0]], verts[key[1]]
            steps = max(1, int(np.ceil(np.hypot(*(q - p)) / spacing)))
            t = np.linspace(0.0, 1.0, steps + 1)[:, None]
            line = _wiggle(p + (q - p) * t, amplitude=amplitude, wavelength=wavelength, phase=seed)
            line[0] = _wiggle(p[None], amplitude=amplitude, wavelength=wavelength, phase=seed)[0]
            line[-1] = _wiggle(q[None], amplitude=amplitude, wavelength=wavelength, phase=seed)[0]
            edge_cache[key] = line
        return line if a < b else line[::-1]

    polygons = []
    for i in range(n):
        region = vor.regions[vor.point_region[i]]
        ring = [edge(a, b)[:-1] for a, b in zip(region, region[1:] + region[:1], strict=True)]
        polygons.append(shapely.Polygon(np.vstack(ring)))
    return polygons


def synthetic_county(
    n_parishes: int = 10_000,
    n_catchments: int = 1_000,
    n_localities: int = 100,
    *,
    seed: int = 7,
):
    """Parishes, catchments and a scheme at the requested scale (EPSG:27700 metres)."""
    from localitygis.localities.scheme import LocalityDef, Scheme, Tier

    side = 4_000.0 * np.sqrt(n_parishes)  # ~16 km2 per parish
    cells = voronoi_coverage(
        n_parishes, side=side, seed=seed, spacing=70.0, amplitude=120.0, wavelength=1_500.0
    )
    rng = np.random.default_rng(seed + 1)
    parishes = gpd.GeoDataFrame(
        {
            "parish_code": [f"E0{4000000 + i:07d}" for i in range(n_parishes)],
            "parish_name": [f"Parish {i}" for i in range(n_parishes)],
            "population": rng.integers(50, 5_000, n_parishes),
        },
        geometry=cells,
        crs=BNG,
    )
    # Catchments: parishes grouped around random seeds, unioned, then re-digitised with a
    # different wiggle (offsets of tens of metres) as an independent survey would be.
    centroids = shapely.get_coordinates(parishes.geometry.centroid)
    seeds = rng.uniform(0, side, size=(n_catchments, 2))
    from scipy.spatial import cKDTree

    group = cKDTree(seeds).query(centroids)[1]
    used = np.unique(group)
    catchment_names = [f"C{g:04d}" for g in used]
    shapes = [shapely.coverage_union_all(parishes.geometry.values[group == g]) for g in used]
    shapes = [
        shapely.transform(
            s,
            lambda xy: _wiggle(xy, amplitude=25.0, wavelength=900.0, phase=seed + 3),
        )
        for s in shapes
    ]
    catchments = gpd.GeoDataFrame({"catchment": catchment_names}, geometry=shapes, crs=BNG)
    loc_seeds = rng.uniform(0, side, size=(n_localities, 2))
    cc = shapely.get_coordinates(shapely.centroid(np.asarray(shapes)))
    loc_of = cKDTree(loc_seeds).query(cc)[1]
    tiers = {
        1: Tier(1, "Rural", "rural areas"),
        2: Tier(2, "Market town", "market towns"),
        3: Tier(3, "City", "cities"),
    }
    localities = tuple(
        LocalityDef(
            name=f"L{j:03d}",
            tier=int(j % 3) + 1,
            catchments=tuple(n for n, lo in zip(catchment_names, loc_of, strict=True) if lo == j),
            centre=None,
        )
        for j in sorted(set(loc_of.tolist()))
    )
    scheme = Scheme(name="synthetic", tiers=tiers, localities=localities)
    return parishes, catchments, scheme


def naive_build(parishes, catchments, scheme) -> gpd.GeoDataFrame:
    """The plain geopandas route: overlay, largest piece per parish, dissolve."""
    pieces = gpd.overlay(
        parishes[["parish_code", "geometry"]],
        catchments[["catchment", "geometry"]],
        how="intersection",
        keep_geom_type=True,
    )
    pieces["piece_area"] = pieces.geometry.area
    best = pieces.sort_values("piece_area", ascending=False).drop_duplicates("parish_code")
    assigned = parishes.merge(best[["parish_code", "catchment"]], on="parish_code", how="left")
    to_locality = {c: loc.name for loc in scheme.localities for c in loc.catchments}
    assigned["locality"] = assigned["catchment"].map(to_locality)
    assigned["population"] = assigned["population"].astype("int64")
    return assigned.dissolve("locality", aggfunc={"population": "sum"}).reset_index()


def agree(localities: gpd.GeoDataFrame, naive: gpd.GeoDataFrame) -> str:
    """Same localities, same populations, same areas both ways (raises otherwise)."""
    mine = localities.set_index("locality")
    theirs = naive.set_index("locality").loc[mine.index]
    area_gap = np.abs(mine["area_km2"] - theirs.geometry.area / 1e6).max()
    pop_gap = (mine["population"].astype("int64") - theirs["population"]).abs().max()
    assert len(mine) == len(naive), "different localities"
    assert area_gap < 1e-9, f"areas differ by {area_gap:.1e} km2"
    assert pop_gap == 0, "populations differ"
    return (
        f"{len(mine)} localities agree with the naive route (largest area difference "
        f"{area_gap:.2e} km2, population difference {pop_gap})"
    )


def fresh(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same frame over new geometries (nothing cached from an earlier run)."""
    geometry = shapely.transform(frame.geometry.array, lambda xy: xy)
    return gpd.GeoDataFrame(pd.DataFrame(frame.drop(columns="geometry")), geometry=geometry,
                            crs=frame.crs)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1,000 parishes instead of 10,000")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per route (default 3)")
    args = parser.parse_args()
    from localitygis.localities.build import build_localities

    n, m, k = (1_000, 100, 10) if args.quick else (10_000, 1_000, 100)
    print(machine())
    t0 = time.perf_counter()
    parishes, catchments, scheme = synthetic_county(n, m, k)
    vertices = shapely.get_num_coordinates(parishes.geometry.array)
    print(
        f"synthetic coverage: {len(parishes):,} parishes (vertices: median "
        f"{np.median(vertices):.0f}, 5-95% {np.percentile(vertices, 5):.0f}-"
        f"{np.percentile(vertices, 95):.0f}), {len(catchments):,} catchments "
        f"(median {np.median(shapely.get_num_coordinates(catchments.geometry.array)):.0f} "
        f"vertices), {len(scheme.localities)} localities; generated in "
        f"{time.perf_counter() - t0:.1f} s"
    )

    build = build_localities(parishes, catchments=catchments, scheme=scheme)
    print(
        f"{len(build.report.split_parishes)} split parishes, coverage valid: "
        f"{build.report.coverage_valid}"
    )
    routes = {
        "localitygis.build_localities": lambda d: (
            build_localities(d[0], catchments=d[1], scheme=scheme).localities
        ),
        "naive geopandas": lambda d: naive_build(d[0], d[1], scheme),
    }
    figures = compare(
        routes,
        lambda: (fresh(parishes), fresh(catchments)),
        args.runs,
        lambda results: agree(*results.values()),
    )
    report(figures)
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
