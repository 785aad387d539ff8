"""Benchmark: locate 1,000,000 asset points in 10,000 parishes.

The parishes are synthetic: a Voronoi tessellation of 10,000 random seeds over an area the
size of England (400 km × 325 km), clipped to a rectangle, with every edge cut into 50 m
segments and its vertices moved by a smooth, position-keyed wiggle (so neighbours still
share their edges exactly). That gives ~300 vertices a parish, like the ONS full-resolution
boundaries. Localities and tiers are attached as in a real build.

The asset points: 70% clustered around 5,000 towns (Gaussian, 600 m), 30% scattered, and
0.5% outside the county (so the rejects path is exercised).

Routes, side by side in one process, interleaved, after a warm-up, each run on fresh
frames (new point and parish geometries: nothing indexed or prepared by an earlier run):

* ``locate_many(points, parishes=parishes)`` — builds its :class:`Locator` each call; the
  parish, locality and tier of each point as categorical columns, and for the points outside
  a reason ("outside the county: 12.3 km from the boundary (nearest parish: …)");
* ``Locator.locate_many(points)`` — the same with a Locator built once (as a service would);
* ``locate_assets(register, parishes)`` — the register route (located frame and rejects);
* ``geopandas.sjoin(points, parishes, predicate="within")`` — the joined frame only; the
  points outside simply vanish.

The answers are compared point by point (the same parish as sjoin's for every point sjoin
places once). Memory: one more run of each route in a forked child. The first call is timed
in a new process per route and run, interleaved (data read from a file before the clock). Run:
``.venv/bin/python benchmarks/bench_locate.py [--quick] [--runs N]`` (``--quick``: 100,000
points in 2,000 parishes).
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _measure import compare, machine

from localitygis.assets.locate import Locator, locate_many
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


def fresh_parishes(parishes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same parishes with new geometries (nothing prepared or indexed by a former run)."""
    geometry = shapely.transform(parishes.geometry.values, lambda xy: xy)
    return gpd.GeoDataFrame(pd.DataFrame(parishes.drop(columns="geometry")), geometry=geometry,
                            crs=parishes.crs)  # fmt: skip


def same_parishes(located: pd.Series, joined: gpd.GeoDataFrame) -> str:
    """Check a point -> parish_code answer (indexed by asset_id) against sjoin's."""
    theirs = pd.Series(joined["parish_code"].to_numpy(), index=joined["asset_id"].to_numpy())
    on_boundary = theirs.index.duplicated(keep=False)
    theirs = theirs[~on_boundary]
    ours = located.dropna()
    assert set(ours.index) >= set(theirs.index), "sjoin placed points localitygis did not"
    common = theirs.index
    differ = int((ours.loc[common].astype(str) != theirs.loc[common].astype(str)).sum())
    assert differ == 0, f"{differ} points in another parish than sjoin's"
    return (
        f"{len(common):,} points in the same parish as sjoin's; {int(on_boundary.sum())} rows "
        f"sjoin matched twice (shared boundaries); {len(located) - len(ours):,} outside"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 points, 2,000 parishes")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per route (default 5)")
    parser.add_argument("--first-call", choices=["locate_many", "sjoin"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_call:
        time_first_call(args.first_call, args.data)
        return
    n_points, n_parishes = (100_000, 2_000) if args.quick else (1_000_000, 10_000)

    start = time.perf_counter()
    parishes = synthetic_parishes(n_parishes)
    points = synthetic_points(n_points)
    vertices = shapely.get_num_coordinates(parishes.geometry.values)
    print(
        f"data: {n_points:,} points, {n_parishes:,} parishes "
        f"(median {int(np.median(vertices))} vertices, {int(vertices.sum()):,} in all), "
        f"built in {time.perf_counter() - start:.1f} s; {machine()}"
    )
    table = points[["asset_id", "geometry"]]
    locator = Locator(fresh_parishes(parishes))  # built once, as a service would
    routes = {
        "locate_many (builds its Locator)": lambda d: locate_many(d[0], parishes=d[1]),
        "Locator.locate_many (built once)": lambda d: locator.locate_many(d[0]),
        "locate_assets (register, rejects)": lambda d: locate_assets(register_of(d[2]), d[1]),
        "gpd.sjoin(predicate='within')": lambda d: gpd.sjoin(d[0], d[1], predicate="within"),
    }

    def fresh() -> tuple:
        return fresh_points(table), fresh_parishes(parishes), fresh_points(points)

    def check(results: dict) -> str:
        many, reused, register, joined = results.values()
        pd.testing.assert_frame_equal(many, reused)
        answer = pd.Series(many["parish_code"].to_numpy(), index=many["asset_id"].to_numpy())
        placed = register.assets
        assert (placed["parish_code"].to_numpy() == answer.loc[placed["asset_id"]].to_numpy()).all()
        counts = register.counts()
        assert counts["read"] == counts["accepted"] + counts["rejected"]
        return same_parishes(answer, joined)

    cpu: dict[str, list[float]] = {name: [] for name in routes}
    figures = compare(with_cpu_time(routes, cpu), fresh, args.runs, check)
    sjoin = figures["gpd.sjoin(predicate='within')"]
    for name, fig in figures.items():
        print(f"  {name:<36} {fig.describe()}")
    sjoin_cpu = cpu["gpd.sjoin(predicate='within')"][1:]  # the warm-up left out
    for name, fig in list(figures.items())[:-1]:
        ratios = sorted(a / b for a, b in zip(fig.seconds, sjoin.seconds, strict=True))
        cpu_ratios = sorted(a / b for a, b in zip(cpu[name][1:], sjoin_cpu, strict=True))
        print(
            f"  {name} / sjoin: time {ratios[len(ratios) // 2]:.2f} (paired runs "
            f"{ratios[0]:.2f}-{ratios[-1]:.2f}), CPU time {cpu_ratios[len(cpu_ratios) // 2]:.2f} "
            f"(median {sorted(cpu[name][1:])[len(cpu_ratios) // 2]:.2f} s vs "
            f"{sorted(sjoin_cpu)[len(cpu_ratios) // 2]:.2f} s), "
            f"memory {fig.megabytes / sjoin.megabytes:.2f}"
        )
    first = first_calls(parishes, args.runs)
    print(
        f"  first call, 20,000 points, a new process each ({args.runs} each, interleaved): "
        + "; ".join(
            f"{route} median {sorted(s)[len(s) // 2]:.2f} s ({min(s):.2f}-{max(s):.2f})"
            for route, s in first.items()
        )
    )
    print(f"after: {machine()}")


def with_cpu_time(
    routes: dict[str, Callable[[tuple], object]], cpu: dict[str, list[float]]
) -> dict[str, Callable[[tuple], object]]:
    """The routes, each also noting the CPU seconds of every run in ``cpu`` (all threads)."""

    def noted(name: str, route: Callable[[tuple], object]) -> Callable[[tuple], object]:
        def run(data: tuple) -> object:
            start = time.process_time()
            result = route(data)
            cpu[name].append(time.process_time() - start)
            return result

        return run

    return {name: noted(name, route) for name, route in routes.items()}


def first_calls(parishes: gpd.GeoDataFrame, runs: int) -> dict[str, list[float]]:
    """Seconds of the first call of each route, each in a new process, routes interleaved.

    The parishes and 20,000 points are written to a file once; each process reads them
    before the clock starts.
    """
    points = synthetic_points(20_000)[["asset_id", "geometry"]]
    seconds: dict[str, list[float]] = {"locate_many": [], "sjoin": []}
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "first_call.pickle"
        data.write_bytes(pickle.dumps((fresh_parishes(parishes), points)))
        for _ in range(runs):
            for route, times in seconds.items():
                command = [sys.executable, __file__, "--first-call", route, "--data", str(data)]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                times.append(float(done.stdout.split()[-1]))
    return seconds


def time_first_call(route: str, data: str) -> None:
    parishes, points = pickle.loads(Path(data).read_bytes())
    start = time.perf_counter()
    if route == "sjoin":
        gpd.sjoin(points, parishes, predicate="within")
    else:
        locate_many(points, parishes=parishes)
    print(time.perf_counter() - start)


if __name__ == "__main__":
    main()
