"""Benchmark: small-area statistics — area weighting against tobler, and best fit.

1. **Area weighting** of 35,000 small areas to 10,000 parishes, side by side with
   ``tobler.area_weighted.area_interpolate`` (the plain route an analyst would take) on the
   same inputs: a count (extensive) and a rate (intensive). Two layouts:

   * *nested* — small areas that nest in the parishes, as Output Areas nest in wards: the
     pieces of the parishes cut by an independent tessellation (merged back below 35,000);
   * *independent* — two unrelated random tessellations (Voronoi cells): every boundary
     crosses, the worst case for both.

   Results are checked identical (to 1e-6 relative, tobler's area table being float32).
2. **Best fit** of 200,000 small areas (by their points) to the same 10,000 parishes, beside
   ``geopandas.sjoin(points, parishes, predicate="within")`` — checked to agree.

Timings are interleaved (localitygis, then the reference, repeated) after a warm-up; the
median and the spread (min–max) of the repeats are printed.

Run: .venv/bin/python benchmarks/bench_statistics.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely
from tobler.area_weighted import area_interpolate

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from localitygis.statistics import Measures, apportion
from tests._tessellations import tessellation

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
    ratio = statistics.median(times[reference]) / statistics.median(times[ours])
    print(f"  speed-up (median): {ratio:.2f}x")


def area_weighting(label: str, areas: gpd.GeoDataFrame, parishes: gpd.GeoDataFrame, repeats: int):
    measures = Measures(counts=("people",), means=("rate",))

    def ours():
        return apportion(areas, parishes, measures, method="area_weighted").table

    def tobler():
        return area_interpolate(
            areas, parishes, extensive_variables=["people"], intensive_variables=["rate"]
        )

    mine, theirs = ours(), tobler()
    np.testing.assert_allclose(mine["people"], theirs["people"], rtol=1e-6, atol=1e-6)
    reached = mine["small_areas"].to_numpy() > 0  # tobler says 0 where no small area reaches
    np.testing.assert_allclose(mine["rate"][reached], theirs["rate"][reached], rtol=1e-6)
    assert mine["rate"][~reached].isna().all()
    print(f"area weighting, {label}: {len(areas):,} small areas -> {len(parishes):,} parishes")
    print("  results identical (to 1e-6 relative)")
    say(
        interleaved({"localitygis apportion": ours, "tobler area_interpolate": tobler}, repeats),
        "localitygis apportion",
        "tobler area_interpolate",
    )


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
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    parishes = parishes_layer(n_parishes)
    area_weighting("nested", nested_areas(parishes, n_areas), parishes, args.repeats)
    area_weighting("independent", independent_areas(n_areas), parishes, args.repeats)
    best_fitting(n_points, parishes, args.repeats)
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
