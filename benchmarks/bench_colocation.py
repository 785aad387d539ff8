"""Benchmark: co-location clusters for 1,000,000 asset points at 400 m.

The points are synthetic: a national-scale register (an area the size of England,
130,000 km²) where 70% of assets stand in 5,000 towns (Gaussian spread of 600 m around each
centre) and 30% are scattered. The baseline is the plain scipy way: a cKDTree,
``query_pairs`` and ``connected_components`` on the raw points, no summaries. localitygis
additionally checks the input, numbers clusters independently of row order and builds the
cluster table (partners, sectors, categories, members, kind, locality).

Run: .venv/bin/python benchmarks/bench_colocation.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pandas as pd
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
    xy = np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])
    tree = cKDTree(xy)
    pairs = tree.query_pairs(distance, output_type="ndarray")
    n = len(xy)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = pd.DataFrame({"a": a, "b": b}).drop_duplicates()
    return pairs["a"].is_unique and pairs["b"].is_unique


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 points instead of 1M")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    distance = 400.0
    frame = synthetic_assets(n)
    print(f"{n:,} points, {distance:.0f} m")

    t0 = time.perf_counter()
    labels = baseline(frame, distance)
    t_base = time.perf_counter() - t0
    print(
        f"baseline scipy cKDTree query_pairs + connected_components: {t_base:6.2f} s "
        f"({labels.max() + 1:,} clusters)"
    )

    t0 = time.perf_counter()
    result = find_clusters(frame, distance=distance)
    t_ours = time.perf_counter() - t0
    kinds = result.clusters["kind"].value_counts()
    print(
        f"localitygis find_clusters (checks + ids + cluster table): {t_ours:6.2f} s "
        f"({len(result.clusters):,} clusters; "
        + ", ".join(f"{k}: {v:,}" for k, v in kinds.items())
        + ")"
    )
    print(f"ratio localitygis / baseline: {t_ours / t_base:.2f}")
    print("same partition as baseline:", same_partition(labels, result.assets["cluster_id"]))
    target = 20.0
    print(
        f"target < {target:.0f} s for 1,000,000 points: "
        + ("met" if t_ours < target else "NOT met")
        + ("" if not args.quick else " (quick run)")
    )


if __name__ == "__main__":
    main()
