"""Benchmark: small-area statistics — area weighting against tobler, and best fit.

1. **Area weighting** of 35,000 small areas to 10,000 parishes, side by side with
   ``tobler.area_weighted.area_interpolate`` (the plain route an analyst would take) on the
   same inputs: a count (extensive) and a rate (intensive). Two layouts:

   * *nested* — small areas that nest in the parishes, as Output Areas nest in wards: the
     pieces of the parishes cut by an independent tessellation (merged back below 35,000);
   * *independent* — two unrelated random tessellations (Voronoi cells): every boundary
     crosses, the worst case for both;
   * *independent, wiggled edges* — the same two layers with every edge cut every 150 m and
     moved by one smooth one-to-one displacement (60 m waves): still two exact coverages,
     but concave, as real boundaries are, so every pair takes the boundary-integration
     route (``statistics.concave``).

   localitygis runs with 1 and 2 threads, tobler with its default ``n_jobs=1`` and with
   ``n_jobs=-1``. Results are checked identical (to 1e-6 relative, tobler's area table
   being float32). Also, when ``../shared/realgeo`` is there, the real Herefordshire Output
   Areas and LSOAs to the demo parishes (concave polygons: the boundary-integration route).
2. **Best fit** of 200,000 small areas (by their points) to the same 10,000 parishes, beside
   ``geopandas.sjoin(points, parishes, predicate="within")`` — checked to agree.

Timings are interleaved (every route in turn, each on fresh copies of the geometries) after
a warm-up; the median and the spread (min–max) of the repeats are printed, for area weighting
both wall-clock and CPU seconds (``time.process_time``: all threads of this process, so not
for tobler's ``n_jobs=-1``, which works in other processes), and the ratios of paired runs.

Run: .venv/bin/python benchmarks/bench_statistics.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tobler.area_weighted import area_interpolate

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from _measure import machine
from bench_build_coverage import PARISH_KM2, voronoi_cells

from localitygis.statistics import Measures, apportion, read_small_areas
from localitygis.statistics.convex import convex_polygons, rings_of
from tests._tessellations import tessellation

REALGEO = Path(__file__).resolve().parents[1].parent / "shared" / "realgeo"

SIDE = 1_000.0  # the tessellation helper's square, scaled to metres below
SCALE = 200.0  # a 200 km square: about a tenth of England


def scaled(cells: list[shapely.Geometry]) -> np.ndarray:
    return np.asarray(
        gpd.GeoSeries(cells).scale(xfact=SCALE, yfact=SCALE, origin=(0, 0)).array, dtype=object
    )


def parishes_layer(n: int, seed: int = 11) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"parish_code": [f"E04{i:06d}" for i in range(n)]},
        geometry=scaled(tessellation(seed, n)),
        crs=27700,
    )


def with_figures(cells: np.ndarray, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    n = len(cells)
    return gpd.GeoDataFrame(
        {
            "area_code": [f"E00{i:06d}" for i in range(n)],
            "people": rng.integers(50, 400, n).astype(float),
            "rate": rng.uniform(0, 1, n),
        },
        geometry=cells,
        crs=27700,
    )


def independent_areas(n: int, seed: int = 12) -> gpd.GeoDataFrame:
    return with_figures(scaled(tessellation(seed, n)), seed)


def wiggled_layer(n: int, seed: int) -> np.ndarray:
    """Voronoi cells in the 200 km square, edges cut every 150 m and waved: concave, exact.

    Each shared edge is cut once and used by both neighbours (``bench_build_coverage``'s
    generator), then every vertex is scaled and moved by one smooth field that depends on
    its position only (60 m waves of 400 m: slope under 1, so nothing folds over), so the
    layer stays an exact coverage.
    """
    side = np.sqrt(n * PARISH_KM2) * 1_000.0
    factor = SCALE * SIDE / side
    cells = np.asarray(voronoi_cells(n, seed=seed, spacing=150.0 / factor), dtype=object)
    k, amplitude = 2 * np.pi / 400.0, 60.0

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = (xy[:, 0] - 300_000.0) * factor, (xy[:, 1] - 300_000.0) * factor
        return np.column_stack([x + amplitude * np.sin(k * y), y + amplitude * np.sin(k * x)])

    return np.asarray(shapely.transform(cells, move), dtype=object)


def nested_areas(parishes: gpd.GeoDataFrame, n: int, seed: int = 13) -> gpd.GeoDataFrame:
    """Pieces of the parishes cut by an independent tessellation: each nests in one parish."""
    cutter = scaled(tessellation(seed, max(n - len(parishes), 1) // 2))
    geoms = parishes.geometry.to_numpy()
    cut_i, parish_i = shapely.STRtree(geoms).query(cutter, predicate="intersects")
    pieces = shapely.intersection(geoms[parish_i], cutter[cut_i])
    polygonal = shapely.get_type_id(pieces) == 3
    pieces = pieces[polygonal & (shapely.area(pieces) > 1.0)]
    return with_figures(pieces[:n], seed)


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def interleaved(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    for function in runs.values():  # warm-up
        function()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, function in runs.items():
            times[name].append(timed(function)[0])
    return times


def say(times: dict[str, list[float]], ours: str, reference: str) -> None:
    for name, values in times.items():
        print(
            f"  {name:<28} median {statistics.median(values):7.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f}, {len(values)} runs)"
        )
    ratio(ours, reference, times)


def ratio(ours: str, reference: str, times: dict[str, list[float]]) -> None:
    value = statistics.median(times[reference]) / statistics.median(times[ours])
    print(f"  speed-up (median), {ours} against {reference}: {value:.2f}x")


def fresh(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A new frame over copies of the geometries (nothing cached from an earlier run)."""
    copy = frame.copy()
    copy.geometry = shapely.transform(np.asarray(frame.geometry.array), lambda xy: xy)
    return copy


def area_weighting(label: str, areas: gpd.GeoDataFrame, parishes: gpd.GeoDataFrame, repeats: int):
    measures = Measures(counts=("people",), means=("rate",))

    def ours(workers: int) -> Callable[[tuple], pd.DataFrame]:
        return lambda d: (
            apportion(d[0], d[1], measures, method="area_weighted", workers=workers).table
        )

    def tobler(n_jobs: int) -> Callable[[tuple], pd.DataFrame]:
        return lambda d: area_interpolate(
            d[0], d[1], extensive_variables=["people"], intensive_variables=["rate"], n_jobs=n_jobs
        )

    routes = {
        "localitygis, 1 thread": ours(1),
        "tobler, n_jobs=1 (default)": tobler(1),
        "localitygis, 2 threads": ours(2),
        "tobler, n_jobs=-1": tobler(-1),
    }
    print(f"\narea weighting, {label}: {len(areas):,} small areas -> {len(parishes):,} parishes")
    print(f"  {clipped_share(areas, parishes)}")
    wall, cpu = rounds(routes, lambda: (fresh(areas), fresh(parishes)), repeats)
    for name in routes:
        told = "" if "n_jobs=-1" in name else f"; CPU {spread(cpu[name])}"
        print(f"  {name:<28} wall {spread(wall[name])}{told}")
    for ours_name, theirs in (
        ("localitygis, 1 thread", "tobler, n_jobs=1 (default)"),
        ("localitygis, 2 threads", "tobler, n_jobs=1 (default)"),
        ("localitygis, 2 threads", "tobler, n_jobs=-1"),
    ):
        line = f"  speed-up, {ours_name} against {theirs}: wall {paired(wall, theirs, ours_name)}"
        if "n_jobs=-1" not in theirs:
            line += f", CPU {paired(cpu, theirs, ours_name)}"
        print(line)


def rounds(
    routes: dict[str, Callable[[tuple], pd.DataFrame]], make: Callable[[], tuple], repeats: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """A warm-up round, then ``repeats`` rounds of every route in turn, on fresh inputs.

    Results are checked identical to tobler's after the warm-up and the last round. Returns
    the wall and the CPU seconds of the timed rounds.
    """
    wall: dict[str, list[float]] = {name: [] for name in routes}
    cpu: dict[str, list[float]] = {name: [] for name in routes}
    for round_ in range(repeats + 1):
        results = {}
        for name, route in routes.items():
            data = make()
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            results[name] = route(data)
            if round_:
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
        if round_ in (0, repeats):
            for name in routes:
                same(results[name], results["tobler, n_jobs=1 (default)"])
            print("  check: results identical to tobler's (to 1e-6 relative)")
    return wall, cpu


def clipped_share(areas: gpd.GeoDataFrame, parishes: gpd.GeoDataFrame) -> str:
    """How many small areas and parishes are convex (the clipping route's precondition)."""
    counts = []
    for frame in (areas, parishes):
        geoms = np.asarray(frame.geometry.array, dtype=object)
        counts.append(int(convex_polygons(geoms, rings_of(geoms)).sum()))
    return (
        f"convex: {counts[0]:,} of {len(areas):,} small areas, {counts[1]:,} of "
        f"{len(parishes):,} parishes"
    )


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} s ({min(values):.3f}-{max(values):.3f})"


def paired(times: dict[str, list[float]], theirs: str, ours: str) -> str:
    ratios = sorted(a / b for a, b in zip(times[theirs], times[ours], strict=True))
    return f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})"


def real_areas() -> list[tuple[str, gpd.GeoDataFrame]]:
    """The real OAs and LSOAs with made-up figures, when ../shared/realgeo is there."""
    if not (REALGEO / "herefordshire_oa_2011.geojson").exists():
        print("\n(real Herefordshire small areas not found: skipped)")
        return []
    layers = []
    for level in ("oa", "lsoa"):
        areas = read_small_areas(REALGEO / f"herefordshire_{level}_2011.geojson")
        areas = areas.set_geometry(shapely.make_valid(np.asarray(areas.geometry.array)))
        figures = with_figures(np.asarray(areas.geometry.array, dtype=object), seed=7)
        figures["area_code"] = areas["area_code"].to_numpy()
        layers.append((f"real {level.upper()}s to the demo parishes", figures))
    return layers


def demo_parishes() -> gpd.GeoDataFrame:
    from localitygis.demo import load_demo

    parishes = load_demo().parishes
    return parishes.rename(columns={"PAR21CD": "parish_code"})[["parish_code", "geometry"]]


def same(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    np.testing.assert_allclose(mine["people"], theirs["people"], rtol=1e-6, atol=1e-6)
    if "small_areas" not in mine:  # tobler's own parallel run
        np.testing.assert_allclose(mine["rate"], theirs["rate"], rtol=1e-6)
        return
    reached = mine["small_areas"].to_numpy() > 0  # tobler says 0 where no small area reaches
    np.testing.assert_allclose(mine["rate"][reached], theirs["rate"][reached], rtol=1e-6)
    assert mine["rate"][~reached].isna().all()


def best_fitting(n: int, parishes: gpd.GeoDataFrame, repeats: int) -> None:
    rng = np.random.default_rng(5)
    side = int(np.sqrt(n))
    size = SIDE * SCALE / side
    i, j = np.divmod(np.arange(side * side), side)
    cells = shapely.box(i * size, j * size, (i + 1) * size, (j + 1) * size)
    codes = [f"E00{k:07d}" for k in range(len(cells))]
    areas = gpd.GeoDataFrame(
        {"area_code": codes, "people": np.ones(len(cells))}, geometry=cells, crs=27700
    )
    xy = np.column_stack(
        [(i + rng.uniform(0.1, 0.9, len(i))) * size, (j + rng.uniform(0.1, 0.9, len(j))) * size]
    )
    points = gpd.GeoDataFrame({"area_code": codes}, geometry=shapely.points(xy), crs=27700)
    measures = Measures(counts=("people",))

    def ours():
        return apportion(areas, parishes, measures, points=points)

    def sjoin():
        return gpd.sjoin(points, parishes, predicate="within", how="left")

    mine, theirs = ours(), sjoin()
    chosen = mine.fit.memberships.set_index("area_code")["target"]
    joined = theirs.drop_duplicates("area_code").set_index("area_code")["parish_code"]
    agree = (chosen.reindex(joined.index).to_numpy() == joined.to_numpy()).mean()
    print(f"best fit: {len(areas):,} small areas (by their points) -> {len(parishes):,} parishes")
    print(f"  same parish as sjoin for {agree:.4%} of points (boundary ties aside)")
    say(
        interleaved({"localitygis best fit": ours, "geopandas sjoin (points)": sjoin}, repeats),
        "localitygis best fit",
        "geopandas sjoin (points)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n_parishes, n_areas, n_points = (
        (1_000, 3_500, 20_000) if args.quick else (10_000, 35_000, 200_000)
    )
    print(machine())
    parishes = parishes_layer(n_parishes)
    area_weighting("nested", nested_areas(parishes, n_areas), parishes, args.repeats)
    area_weighting("independent", independent_areas(n_areas), parishes, args.repeats)
    wiggled_parishes = parishes.set_geometry(wiggled_layer(n_parishes, seed=21))
    wiggled_areas = with_figures(wiggled_layer(n_areas, seed=22), seed=22)
    area_weighting("independent, wiggled edges", wiggled_areas, wiggled_parishes, args.repeats)
    real = real_areas()
    if real:
        demo = demo_parishes()
        for label, areas in real:
            area_weighting(label, areas, demo, args.repeats)
    print()
    best_fitting(n_points, parishes, args.repeats)
    print(machine())


if __name__ == "__main__":
    main()
