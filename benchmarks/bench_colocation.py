"""Benchmark: co-location clusters for 1,000,000 asset points at 400 m.

The points are synthetic: a national-scale register (an area the size of England,
130,000 km²) where 70% of assets stand in 5,000 towns (Gaussian spread of 600 m around each
centre) and 30% are scattered. The baseline is the plain scipy way: a cKDTree,
``query_pairs`` and ``connected_components`` on the raw points, no summaries. localitygis
additionally checks the input, numbers clusters independently of row order and builds the
cluster table (partners, sectors, categories, members, kind, locality).

The two run side by side in one process, interleaved, after a warm-up, on a fresh frame
(new point geometries) each run; the partitions are checked equal. Prints the median, the
spread and the paired ratios of wall time, and the same for single-process CPU time
(``time.process_time``), which load from other jobs on a shared machine disturbs less.

``--shuffle`` puts the rows in random order first, as a register not sorted by id or name
would be: the strings then lie scattered in memory, which slows every pass over them.

Run: .venv/bin/python benchmarks/bench_colocation.py [--quick] [--runs N] [--shuffle]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _measure import compare, machine, report  # benchmarks/_measure.py
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from localitygis.colocation import find_clusters


def synthetic_assets(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    side_x, side_y = 400_000.0, 325_000.0  # 130,000 km²
    n_town = int(n * 0.7)
    towns = rng.uniform([0, 0], [side_x, side_y], size=(5_000, 2))
    which = rng.integers(0, len(towns), n_town)
    town_pts = towns[which] + rng.normal(0, 600, size=(n_town, 2))
    rural = rng.uniform([0, 0], [side_x, side_y], size=(n - n_town, 2))
    xy = np.vstack([town_pts, rural]) + np.array([100_000.0, 100_000.0])
    partners = np.array(["Council", "NHS", "Police", "Fire", "Parish", "Charity"])
    categories = np.array(
        [
            "library",
            "GP surgery",
            "police station",
            "fire station",
            "village hall",
            "children's centre",
            "leisure centre",
        ]
    )
    ids = np.char.add("A", np.arange(n).astype(str))
    return gpd.GeoDataFrame(
        {
            "asset_id": ids,
            "name": np.char.add("Asset ", np.arange(n).astype(str)),
            "category": categories[rng.integers(0, len(categories), n)],
            "partner": partners[rng.integers(0, len(partners), n)],
            "sector": partners[rng.integers(0, len(partners), n)],
            "locality": np.char.add("L", (xy[:, 0] // 50_000).astype(int).astype(str)),
        },
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=27700,
    )


def baseline(frame: gpd.GeoDataFrame, distance: float) -> np.ndarray:
    """The plain scipy labelling: a k-d tree, the pairs within ``distance``, components."""
    xy = shapely.get_coordinates(frame.geometry.array)
    pairs = cKDTree(xy).query_pairs(distance, output_type="ndarray")
    n = len(xy)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = pd.DataFrame({"a": a, "b": b}).drop_duplicates()
    return bool(pairs["a"].is_unique and pairs["b"].is_unique)


def fresh(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same assets in a new frame, with new point geometries."""
    points = shapely.points(shapely.get_coordinates(frame.geometry.array))
    return gpd.GeoDataFrame(pd.DataFrame(frame.drop(columns="geometry")), geometry=points,
                            crs=frame.crs)  # fmt: skip


def cpu_timed(route: Callable, seconds: list[float]) -> Callable:
    """The route, noting the CPU seconds of each call in ``seconds``."""

    def timed(frame: gpd.GeoDataFrame) -> object:
        start = time.process_time()
        result = route(frame)
        seconds.append(time.process_time() - start)
        return result

    return timed


def report_cpu(cpu: dict[str, list[float]]) -> None:
    """Print each route's CPU seconds (warm-up left out) and the paired ratio."""
    runs = {name: seconds[1:] for name, seconds in cpu.items()}
    for name, seconds in runs.items():
        print(f"  CPU {name:<36} median {np.median(seconds):6.2f} s (min {min(seconds):.2f}, "
              f"max {max(seconds):.2f})")  # fmt: skip
    ours, theirs = runs.values()
    ratios = np.array(ours) / np.array(theirs)
    print(f"  CPU ratio: median {np.median(ratios):.2f} (paired runs {ratios.min():.2f}-"
          f"{ratios.max():.2f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 points instead of 1M")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per route (default 5)")
    parser.add_argument("--shuffle", action="store_true", help="rows in random order")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    distance = 400.0
    frame = synthetic_assets(n)
    if args.shuffle:
        frame = frame.iloc[np.random.default_rng(3).permutation(n)].reset_index(drop=True)
    order = "rows in random order" if args.shuffle else "rows in id order"
    print(f"{n:,} points, {distance:.0f} m, {order}; {machine()}")
    ours, scipy = "localitygis find_clusters (+ table)", "scipy query_pairs + components"
    cpu: dict[str, list[float]] = {ours: [], scipy: []}
    routes = {
        ours: cpu_timed(lambda f: find_clusters(f, distance=distance), cpu[ours]),
        scipy: cpu_timed(lambda f: baseline(f, distance), cpu[scipy]),
    }

    def check(results: dict) -> str:
        ours, labels = results.values()
        assert same_partition(labels, ours.assets["cluster_id"].to_numpy()), "partitions differ"
        kinds = ours.clusters["kind"].value_counts()
        return (
            f"same partition ({len(ours.clusters):,} clusters; "
            + ", ".join(f"{k}: {v:,}" for k, v in kinds.items())
            + ")"
        )

    figures = compare(routes, lambda: fresh(frame), args.runs, check)
    report(figures)
    report_cpu(cpu)
    print(f"after: {machine()}")


if __name__ == "__main__":
    main()
