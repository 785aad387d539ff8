"""Benchmark: travel-time matrices on a 100,000-node road network, and a p-median on minutes.

The network is a jittered 317 × 317 grid (100,489 nodes, ~195,000 links after 3 % are
removed at random) with an A road every 20th line, a B road every 7th and local roads
between, timed by the default speed table; only its main (strongly connected) part is used.
10,000 origins and 1,000 destinations sit on random nodes, so node-to-node shortest paths
are the exact answer and networkx can be checked against it.

1. ``localitygis.access.travel_times`` (snapping, scipy Dijkstra from the 1,000 destinations
   on the reversed graph, walking legs): the whole 10,000 × 1,000 matrix.
2. networkx, the best plain routes, in the same process and interleaved with (1):
   * ``multi_source_dijkstra_path_length`` from all destinations at once on the reversed
     graph — one run gives every origin's minutes to its *nearest* destination (compared
     with the row minima of (1));
   * the full matrix needs one ``single_source_dijkstra_path_length`` per destination: a
     sample of them is timed and the whole extrapolated (×1,000 / sample), and their columns
     compared with (1).
3. ``optimise_hubs(cost=times)``: p-median, k = 20, on the 10,000 × 1,000 minutes, by the
   heuristic with its Lagrangian bound (the gap stated). The exact solver is not run here:
   on a grid many sites tie, reduced-cost fixing removes few, and CBC ran for minutes.

Run: .venv/bin/python benchmarks/bench_access.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from localitygis.access import road_network, travel_times
from localitygis.hubs import optimise_hubs

X0, Y0 = 300_000.0, 200_000.0


def grid_roads(side: int, step: float, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    index = np.arange(side * side).reshape(side, side)
    jitter = rng.uniform(-0.2 * step, 0.2 * step, (side * side, 2))
    cols, rows = np.meshgrid(np.arange(side), np.arange(side))
    xy = np.column_stack([X0 + cols.ravel() * step, Y0 + rows.ravel() * step]) + jitter
    tail = np.concatenate([index[:, :-1].ravel(), index[:-1, :].ravel()])
    head = np.concatenate([index[:, 1:].ravel(), index[1:, :].ravel()])
    line = np.concatenate(
        [np.repeat(np.arange(side), side - 1), np.tile(np.arange(side), side - 1)]
    )
    kind = np.where(line % 20 == 0, "A Road", np.where(line % 7 == 0, "B Road", "Local Road"))
    keep = rng.random(len(tail)) > 0.03
    coords = np.stack([xy[tail[keep]], xy[head[keep]]], axis=1)
    return gpd.GeoDataFrame(
        {"road_function": kind[keep]}, geometry=shapely.linestrings(coords), crs=27700
    )


def nodes_as_points(network, nodes: np.ndarray) -> gpd.GeoDataFrame:
    xy = network.node_xy[nodes]
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)


def reversed_nx(network) -> nx.DiGraph:
    graph = network.graph(reverse=True).tocoo()
    out = nx.DiGraph()
    out.add_weighted_edges_from(
        zip(graph.row.tolist(), graph.col.tolist(), graph.data.tolist(), strict=True)
    )
    return out


def spread(times: list[float]) -> str:
    return f"{min(times):6.2f} s (median {statistics.median(times):.2f}, max {max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a 100 x 100 grid, 2,000 x 200")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sample", type=int, default=8, help="networkx single-source runs")
    args = parser.parse_args()
    side, n_from, n_to = (100, 2_000, 200) if args.quick else (317, 10_000, 1_000)

    t0 = time.perf_counter()
    roads = grid_roads(side, 400.0, seed=1)
    network = road_network(roads)
    print(
        f"network: {network.n_nodes:,} nodes, {len(network.links):,} links "
        f"({int(network.links['main'].sum()):,} on the main network), built in "
        f"{time.perf_counter() - t0:.2f} s"
    )
    main_nodes = np.unique(network.main_links[["u", "v"]].to_numpy())
    rng = np.random.default_rng(2)
    origin_nodes = rng.choice(main_nodes, n_from, replace=False)
    dest_nodes = rng.choice(main_nodes, n_to, replace=False)
    origins, dests = nodes_as_points(network, origin_nodes), nodes_as_points(network, dest_nodes)
    graph = reversed_nx(network)

    ours, multi, single = [], [], []
    times = None
    travel_times(network, origins.iloc[:50], dests.iloc[:50])  # warm-up
    nx.multi_source_dijkstra_path_length(graph, set(dest_nodes[:5].tolist()), weight="weight")
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        times = travel_times(network, origins, dests)
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        nearest = nx.multi_source_dijkstra_path_length(
            graph, set(dest_nodes.tolist()), weight="weight"
        )
        multi.append(time.perf_counter() - t0)
    columns = {}
    for d in dest_nodes[: args.sample]:
        t0 = time.perf_counter()
        columns[d] = nx.single_source_dijkstra_path_length(graph, int(d), weight="weight")
        single.append(time.perf_counter() - t0)

    minutes = times.minutes
    nearest_ok = np.allclose(
        minutes.min(axis=1) * 60, [nearest[int(o)] for o in origin_nodes], rtol=0, atol=1e-6
    )
    column_ok = all(
        np.allclose(minutes[:, j] * 60, [columns[d][int(o)] for o in origin_nodes], atol=1e-6)
        for j, d in enumerate(dest_nodes[: args.sample])
    )
    full_nx = statistics.median(single) * n_to
    print(f"{n_from:,} x {n_to:,} travel-time matrix ({args.repeats} runs, interleaved):")
    print(f"  localitygis travel_times:            {spread(ours)}")
    print(f"  networkx multi-source (nearest only): {spread(multi)} — same minima: {nearest_ok}")
    print(
        f"  networkx single-source x {n_to:,}:      {full_nx:6.1f} s extrapolated from "
        f"{args.sample} runs (median {statistics.median(single):.3f} s each) — same columns: "
        f"{column_ok}; ratio {full_nx / min(ours):.1f}x"
    )
    if not args.quick:
        print(f"  under the 30 s target: {min(ours) < 30}")
    pmedian(origins, dests, times, rng, quick=args.quick)


def pmedian(origins, dests, times, rng, *, quick: bool) -> None:
    people = origins.assign(population=rng.integers(50, 400, len(origins)).astype(float))
    sites = dests.assign(candidate_id=[f"S{i}" for i in range(len(dests))])
    t0 = time.perf_counter()
    heuristic = optimise_hubs(
        sites, people, k=20, cost=times, solver="heuristic", compare_exact=False
    )
    seconds = time.perf_counter() - t0
    print(
        f"p-median k=20 on {len(people):,} x {len(sites):,} minutes, heuristic: {seconds:.1f} s, "
        f"mean {heuristic.mean_minutes:.2f} min, gap to the Lagrangian bound "
        f"{heuristic.gap:.2e} (under 60 s: {seconds < 60})"
    )


if __name__ == "__main__":
    main()
