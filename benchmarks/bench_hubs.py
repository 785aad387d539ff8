"""Benchmark: hub optimisation (p-median) — the demo exactly, a large instance by heuristic.

1. The demo county (627 synthetic output-area points, 380 located assets as candidates):
   county-wide p-median with k = 9, solved to proven optimality by localitygis (heuristic +
   Lagrangian bound + reduced-cost fixing, then spopt/CBC on what remains), and per locality
   (k = 2 in each of the nine). Side by side: plain spopt ``PMedian.from_cost_matrix`` + CBC
   on the same matrices (county-wide only in the full run, with a time limit, because it is
   slow).
2. Gap of the heuristic to the exact optimum (spopt) on small random instances.
3. A 10,000-demand × 1,000-candidate p-median (k = 25) by the heuristic, with its gap to the
   Lagrangian lower bound.

Run: .venv/bin/python benchmarks/bench_hubs.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import numpy as np
import pulp
import shapely
from scipy.spatial.distance import cdist
from spopt.locate import PMedian

from localitygis.assets.register import locate_assets, read_assets
from localitygis.demo.county import load_demo
from localitygis.hubs import optimise_hubs, population_points
from localitygis.localities.build import build_localities


def plain_spopt(cost: np.ndarray, weights: np.ndarray, k: int, time_limit: float | None):
    """The naive way: spopt's PMedian on the whole matrix, CBC."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*PuLP 4\.0.*", category=DeprecationWarning)
        model = PMedian.from_cost_matrix(cost, weights, p_facilities=k)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
        model.problem.solve(solver)
    status = pulp.LpStatus[model.problem.status]
    value = model.problem.objective.value()
    return value, status, time.perf_counter() - start


def xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    return np.column_stack([frame.geometry.x, frame.geometry.y])


def demo(quick: bool) -> None:
    county = load_demo()
    parishes = county.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
    build = build_localities(parishes, catchments=county.catchments)
    assets = locate_assets(
        read_assets(county.assets, postcodes=county.postcodes), build.parishes
    ).assets
    people = population_points(build.parishes, points=county.population_points)
    print(f"demo county: {len(people)} demand points, {len(assets)} candidate sites")

    t0 = time.perf_counter()
    solution = optimise_hubs(assets, people, k=9)
    t_ours = time.perf_counter() - t0
    print(
        f"  county-wide k=9, localitygis exact: {t_ours:6.2f} s, objective "
        f"{solution.objective:,.0f} person-m, gap {solution.gap:.2e} "
        f"({'under' if t_ours < 5 else 'OVER'} the 5 s target)"
    )
    if quick:
        print("  plain spopt county-wide: skipped in --quick (minutes)")
    else:
        cost = cdist(xy(people), xy(assets))
        value, status, t_plain = plain_spopt(cost, people["population"].to_numpy(float), 9, 600)
        same = value is not None and abs(value - solution.objective) <= 1e-6 * solution.objective
        print(
            f"  county-wide k=9, plain spopt+CBC:   {t_plain:6.2f} s, status {status}, "
            f"objective {value:,.0f} — same optimum: {same}; ratio {t_ours / t_plain:.3f}"
        )

    t0 = time.perf_counter()
    local = optimise_hubs(assets, people, k=2, per_locality=True)
    t_local = time.perf_counter() - t0
    t_plain_total = 0.0
    all_same = True
    for name, row in local.by_locality.set_index("locality").iterrows():
        c = assets[assets["locality"] == name]
        d = people[people["locality"] == name]
        value, _, seconds = plain_spopt(
            cdist(xy(d), xy(c)), d["population"].to_numpy(float), 2, None
        )
        t_plain_total += seconds
        all_same &= abs(value - row["objective"]) <= 1e-6 * value
    print(
        f"  per locality k=2: localitygis {t_local:6.2f} s, plain spopt {t_plain_total:6.2f} s "
        f"(ratio {t_local / t_plain_total:.2f}); same optimum in all nine: {all_same}"
    )


def random_instance(n: int, m: int, seed: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    towns = rng.uniform(0, 60_000, (40, 2))
    which = rng.integers(0, len(towns), n)
    demand_xy = towns[which] + rng.normal(0, 2500, (n, 2))
    cand_xy = rng.uniform(0, 60_000, (m, 2))
    demand = gpd.GeoDataFrame(
        {"population": rng.integers(50, 400, n).astype(float)},
        geometry=shapely.points(demand_xy + 300_000),
        crs=27700,
    )
    cands = gpd.GeoDataFrame(
        {"candidate_id": [f"S{i:04d}" for i in range(m)]},
        geometry=shapely.points(cand_xy + 300_000),
        crs=27700,
    )
    return cands, demand


def small_gaps(quick: bool) -> None:
    seeds = range(3 if quick else 8)
    gaps, times = [], []
    for seed in seeds:
        cands, demand = random_instance(300, 60, seed)
        sol = optimise_hubs(cands, demand, k=6, solver="heuristic", compare_exact=True)
        gaps.append(sol.gap_to_optimum)
        times.append(sol.seconds)
    print(
        f"heuristic vs exact optimum, {len(gaps)} instances of 300 × 60, k=6: mean gap "
        f"{np.mean(gaps):.3%}, worst {np.max(gaps):.3%}; optimal in "
        f"{sum(g <= 1e-12 for g in gaps)}/{len(gaps)}"
    )


def large(quick: bool) -> None:
    n, m, k = (2_000, 200, 10) if quick else (10_000, 1_000, 25)
    cands, demand = random_instance(n, m, 42)
    t0 = time.perf_counter()
    sol = optimise_hubs(cands, demand, k=k, solver="heuristic", compare_exact=False)
    total = time.perf_counter() - t0
    print(
        f"{n:,} demand × {m:,} candidates, k={k}, heuristic + Lagrangian bound: {total:6.2f} s; "
        f"objective {sol.objective:,.0f}, lower bound {sol.bound:,.0f}, gap {sol.gap:.3%} "
        f"({'under' if total < 30 else 'OVER'} the 30 s target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller instances, no slow baseline")
    args = parser.parse_args()
    demo(args.quick)
    small_gaps(args.quick)
    large(args.quick)


if __name__ == "__main__":
    main()
