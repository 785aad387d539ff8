"""Benchmark: the whole build against ``overlay`` + ``dissolve(method="coverage")``.

The cases of issue #13: 10,000 parishes as plain Voronoi cells (about 7 vertices each);
10,000 parishes with every edge cut every 50 m (about 1.6 million vertices), seeds 2 and 5
(and more with ``--seeds``); 50,000 parishes with 50 m edges (full mode only). The parishes
are an exact coverage (each shared edge is cut once and used by both neighbours);
catchments are unions of nearby parishes (``shapely.coverage_union_all``), localities unions
of nearby catchments.

Routes, side by side in this one process, interleaved, after a warm-up, each run on fresh
frames (new geometries, no cached spatial index):

* localitygis: ``build_localities(parishes, catchments=catchments, scheme=scheme)`` — the
  whole build: checks, repairs, assignment by largest overlap, coverage validation, the
  dissolve and the quality report;
* plain geopandas, as a competent user writes it: ``gpd.overlay(parishes, catchments,
  how="intersection")``, the largest piece per parish (``sort_values`` /
  ``drop_duplicates``), the scheme's catchment → locality mapping, then
  ``dissolve("locality", method="coverage")``.

The warm-up and the last round check the answers agree: the same catchment and locality
for every parish, and locality areas equal to 1e-12 relative (and the geometries equal).
Memory is the growth of the peak resident set over one more run of each route, each in a
forked child (``benchmarks/_measure.py``). The script also counts how many localities the
build left to ``shapely.coverage_union_all`` (the cliff the issue found: it should be 0).

Run ``.venv/bin/python benchmarks/bench_build_coverage.py [--quick] [--runs N]``
(``--quick``: 2,000 parishes, no 50,000 case).
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _measure import compare, machine, report
from scipy.spatial import Voronoi, cKDTree

BNG = "EPSG:27700"
PARISH_KM2 = 4.6  # median parish size; with 50 m edges, ~160 vertices a parish


def voronoi_cells(n: int, *, seed: int, spacing: float | None) -> list[shapely.Polygon]:
    """Voronoi cells of ``n`` random points in a square, shared edges cut every ``spacing``."""
    side = np.sqrt(n * PARISH_KM2) * 1_000.0
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, side, size=(n, 2))
    mirrored = [pts]
    for axis, value in ((0, 0.0), (0, side), (1, 0.0), (1, side)):
        m = pts.copy()
        m[:, axis] = 2 * value - m[:, axis]
        mirrored.append(m)
    vor = Voronoi(np.vstack(mirrored))
    vertices = np.round(vor.vertices, 2) + 300_000.0  # on the grid, in centimetres
    edges: dict[tuple[int, int], np.ndarray] = {}

    def edge(a: int, b: int) -> np.ndarray:
        key = (min(a, b), max(a, b))
        if key not in edges:
            p, q = vertices[key[0]], vertices[key[1]]
            steps = 1 if not spacing else max(1, int(np.ceil(np.hypot(*(q - p)) / spacing)))
            line = np.round(p + (q - p) * np.linspace(0.0, 1.0, steps + 1)[:, None], 2)
            line[0], line[-1] = p, q
            edges[key] = line
        return edges[key] if a < b else edges[key][::-1]

    cells = []
    for i in range(n):
        region = vor.regions[vor.point_region[i]]
        ring = [edge(a, b)[:-1] for a, b in zip(region, region[1:] + region[:1], strict=True)]
        cells.append(shapely.Polygon(np.vstack(ring)))
    return cells


def synthetic_county(n: int, *, seed: int, spacing: float | None):
    """Parishes, catchments (~10 parishes each) and a scheme (~10 catchments a locality)."""
    from localitygis.localities.scheme import LocalityDef, Scheme, Tier

    cells = np.array(voronoi_cells(n, seed=seed, spacing=spacing), dtype=object)
    rng = np.random.default_rng(seed + 100)
    centres = shapely.get_coordinates(shapely.centroid(cells))
    seeds = centres[rng.choice(n, size=max(1, n // 10), replace=False)]
    group = cKDTree(seeds).query(centres)[1]
    used, group = np.unique(group, return_inverse=True)
    names = np.array([f"C{g:05d}" for g in range(len(used))])
    shapes = [shapely.coverage_union_all(cells[group == g]) for g in range(len(used))]
    loc_seeds = seeds[rng.choice(len(used), size=max(1, len(used) // 10), replace=False)]
    loc_of = cKDTree(loc_seeds).query(shapely.get_coordinates(shapely.centroid(shapes)))[1]
    localities = tuple(
        LocalityDef(f"L{j:04d}", int(j % 3) + 1, tuple(names[loc_of == j]))
        for j in np.unique(loc_of)
    )
    tiers = {1: Tier(1, "Rural"), 2: Tier(2, "Market town"), 3: Tier(3, "City")}
    parishes = pd.DataFrame(
        {
            "parish_code": [f"E04{i:06d}" for i in range(n)],
            "parish_name": [f"Parish {i}" for i in range(n)],
            "population": rng.integers(50, 5_000, n),
        }
    )
    catchments = pd.DataFrame({"catchment": names})
    scheme = Scheme(name="synthetic", tiers=tiers, localities=localities)
    return (parishes, cells), (catchments, np.array(shapes, dtype=object)), scheme


def fresh(table: pd.DataFrame, geoms: np.ndarray) -> gpd.GeoDataFrame:
    """A new frame over copies of the geometries (nothing cached from an earlier run)."""
    return gpd.GeoDataFrame(table.copy(), geometry=shapely.transform(geoms, lambda xy: xy), crs=BNG)


def plain_route(parishes: gpd.GeoDataFrame, catchments: gpd.GeoDataFrame, scheme):
    """overlay, the largest piece per parish, then the coverage dissolve."""
    pieces = gpd.overlay(
        parishes[["parish_code", "geometry"]], catchments, how="intersection", keep_geom_type=True
    )
    pieces["piece_area"] = pieces.geometry.area
    best = pieces.sort_values("piece_area").drop_duplicates("parish_code", keep="last")
    catchment = best.set_index("parish_code")["catchment"]
    parishes["catchment"] = parishes["parish_code"].map(catchment)
    to_locality = {c: loc.name for loc in scheme.localities for c in loc.catchments}
    parishes["locality"] = parishes["catchment"].map(to_locality)
    localities = parishes[["locality", "population", "geometry"]].dissolve(
        "locality", aggfunc="sum", method="coverage"
    )
    return parishes, localities.reset_index()


def ours(parishes: gpd.GeoDataFrame, catchments: gpd.GeoDataFrame, scheme):
    from localitygis.localities import build_localities

    built = build_localities(parishes, catchments=catchments, scheme=scheme)
    return built.parishes, built.localities


def check_same(mine, theirs) -> str:
    """Same assignment, same partition, areas to 1e-12 relative, equal geometries."""
    p_ours, l_ours = mine
    p_plain, l_plain = theirs
    a = p_ours.set_index("parish_code")[["catchment", "locality"]]
    b = p_plain.set_index("parish_code").loc[a.index, ["catchment", "locality"]]
    assert (a.to_numpy() == b.to_numpy()).all(), "parish assignments differ"
    l_ours = l_ours.set_index("locality")
    l_plain = l_plain.set_index("locality").loc[l_ours.index]
    area_ours = shapely.area(l_ours.geometry.array)
    area_plain = shapely.area(l_plain.geometry.array)
    rel = np.abs(area_ours - area_plain) / area_plain
    assert rel.max() <= 1e-12, f"areas differ by {rel.max():.1e} relative"
    assert shapely.equals(l_ours.geometry.array, l_plain.geometry.array).all()
    return f"{len(a):,} parishes, {len(l_ours)} localities agree (areas to {rel.max():.0e})"


def fallbacks_of(parishes, catchments, scheme) -> int:
    """How many groups the build leaves to shapely.coverage_union_all."""
    calls = 0
    original = shapely.coverage_union_all

    def counting(*args, **kwargs):
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    shapely.coverage_union_all = counting
    try:
        ours(fresh(*parishes), fresh(*catchments), scheme)
    finally:
        shapely.coverage_union_all = original
    return calls


def run_case(label: str, n: int, seed: int, spacing: float | None, runs: int) -> dict:
    t0 = time.perf_counter()
    parishes, catchments, scheme = synthetic_county(n, seed=seed, spacing=spacing)
    vertices = int(shapely.get_num_coordinates(parishes[1]).sum())
    print(
        f"\n{label}: {n:,} parishes, {vertices:,} vertices, {len(catchments[1]):,} catchments, "
        f"{len(scheme.localities)} localities (made in {time.perf_counter() - t0:.0f} s)"
    )
    routes = {
        "localitygis build_localities": lambda d: ours(*d, scheme),
        "overlay + dissolve(method='coverage')": lambda d: plain_route(*d, scheme),
    }

    def check(results: dict) -> str:
        return check_same(*results.values())

    figures = compare(routes, lambda: (fresh(*parishes), fresh(*catchments)), runs, check)
    ratios = report(figures)
    fallbacks = fallbacks_of(parishes, catchments, scheme)
    print(f"  localities left to coverage_union_all by the build: {fallbacks}")
    ours_fig, plain_fig = figures.values()
    return {
        "case": label,
        "n": n,
        "vertices": vertices,
        "fallbacks": fallbacks,
        "ours": ours_fig,
        "plain": plain_fig,
        "ratio": (1 / ratios[len(ratios) // 2], 1 / ratios[-1], 1 / ratios[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 parishes, no 50,000 case")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per route (default 5)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[2, 5], help="50 m edge seeds")
    args = parser.parse_args()
    n = 2_000 if args.quick else 10_000
    cases = [(f"{n:,}, 7-vertex cells", n, 7, None)]
    cases += [(f"{n:,}, 50 m edges, seed {s}", n, s, 50.0) for s in args.seeds]
    if not args.quick:
        cases.append(("50,000, 50 m edges", 50_000, 2, 50.0))
    print(machine())
    rows = []
    for label, count, seed, spacing in cases:
        runs = args.runs if count < 50_000 else max(1, args.runs // 2)
        rows.append(run_case(label, count, seed, spacing, runs))
    print(
        "\n| case | vertices | localitygis s | plain s | speed-up (paired runs) | peak RSS MB "
        "(ours / plain) | fallbacks |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for r in rows:
        o, p = r["ours"], r["plain"]
        print(
            f"| {r['case']} | {r['vertices']:,} | {o.median:.2f} ({min(o.seconds):.2f}-"
            f"{max(o.seconds):.2f}) | {p.median:.2f} ({min(p.seconds):.2f}-{max(p.seconds):.2f})"
            f" | {r['ratio'][0]:.1f}x ({r['ratio'][1]:.1f}-{r['ratio'][2]:.1f}) | "
            f"{o.megabytes:.0f} / {p.megabytes:.0f} | {r['fallbacks']} |"
        )
    big = [r for r in rows if r["n"] == 50_000]
    small = [r for r in rows if r["n"] == 10_000 and "seed 2" in r["case"]]
    if big and small:
        growth = big[0]["ours"].median / small[0]["ours"].median
        print(f"build time from 10,000 to 50,000 parishes (50 m edges): x{growth:.1f}")
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
