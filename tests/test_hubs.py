"""Hubs: reach, population points, ranking, coverage, optimisation and the scenario."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist
from shapely import Point
from spopt.locate import PMedian

from localitygis.errors import DataError
from localitygis.hubs import (
    HubReach,
    TierReach,
    optimise_hubs,
    population_coverage,
    population_points,
    rank_hub_sites,
    rationalisation_scenario,
)
from tests._analysisdata import asset_frame, demo_chain


def points(xy, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=shapely.points(np.asarray(xy, float)), crs=27700)


def spopt_pmedian(cost: np.ndarray, weights: np.ndarray, k: int) -> float:
    """spopt's own optimum, straight from its documented API."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*PuLP 4\.0.*", category=DeprecationWarning)
        model = PMedian.from_cost_matrix(cost, weights, p_facilities=k)
        model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    return float(model.problem.objective.value())


# --------------------------------------------------------------------------------------
# Reach


def test_reach_defaults_follow_the_tiers():
    reach = HubReach()
    assert reach.for_tier(1).distance < reach.for_tier(2).distance
    assert reach.for_tier(2).scope == "locality+rural"
    assert HubReach.specialist().for_tier(3).scope == "county"
    with pytest.raises(DataError, match="no hub reach defined for tier 4"):
        reach.for_tier(4)
    with pytest.raises(DataError, match="unknown reach scope"):
        TierReach(1000, "everywhere", 100)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="positive number"):
        HubReach(walking=0)


# --------------------------------------------------------------------------------------
# Population


def test_population_points_conserve_parish_population():
    chain = demo_chain()
    parishes = chain.build.parishes
    total = parishes["population"].sum()
    at_parishes = population_points(parishes)
    assert len(at_parishes) == len(parishes)
    assert at_parishes["population"].sum() == pytest.approx(total)
    # spread over the demo points without their counts
    bare = chain.raw_population.drop(columns=["population", "parish_code"])
    spread = population_points(parishes, points=bare)
    assert spread["population"].sum() == pytest.approx(total)
    per_parish = spread.groupby("parish_code")["population"].sum()
    expected = parishes.set_index("parish_code")["population"].astype(float)
    pd.testing.assert_series_equal(
        per_parish.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )
    # the demo's own counts, placed in their parishes
    assert chain.population["population"].sum() == pytest.approx(
        chain.raw_population["population"].sum()
    )
    assert chain.population["locality"].notna().all()


def test_population_points_outside_every_parish_are_an_error():
    parishes = gpd.GeoDataFrame(
        {"parish_code": ["E1"], "population": [10]},
        geometry=[shapely.box(0, 0, 1000, 1000)],
        crs=27700,
    )
    near = points([[1100, 500]], population=[5.0])
    assert population_points(parishes, points=near)["parish_code"].tolist() == ["E1"]
    far = points([[500, 500], [5000, 500]], population=[5.0, 6.0])
    with pytest.raises(DataError, match=r"1 point\(s\) lie more than 250 m outside.*feature 2"):
        population_points(parishes, points=far)
    with pytest.raises(DataError, match=r"population missing.*feature"):
        population_points(parishes.assign(population=[None]))


# --------------------------------------------------------------------------------------
# Ranking


def test_rank_counts_services_and_partners_within_walking_distance():
    chain = demo_chain()
    assets = chain.assets
    ranked = rank_hub_sites(assets, assets=assets, population=chain.population)
    assert len(ranked) == len(assets)
    assert ranked["rank"].tolist() == list(range(1, len(assets) + 1))
    assert ranked["score"].is_monotonic_decreasing
    for column in ("services_score", "partners_score", "population_score", "score"):
        assert ranked[column].between(0, 1).all()
    xy = np.column_stack([assets.geometry.x, assets.geometry.y])
    d = cdist(xy, xy)
    by_id = ranked.set_index("candidate_id")
    for i in np.random.default_rng(3).choice(len(assets), 15, replace=False):
        near = d[i] <= 400
        row = by_id.loc[assets["asset_id"].iloc[i]]
        assert row["services"] == assets["category"][near].nunique()
        assert row["partners"] == assets["partner"][near].nunique()
        assert row["assets_nearby"] == near.sum()
    firsts = ranked[ranked["rank_in_locality"] == 1]
    assert len(firsts) == ranked["locality"].nunique()


def test_population_in_reach_respects_tier_scope():
    cands = points(
        [[0, 0], [0, 0]], locality=["Town", "Village"], tier=[2, 1], candidate_id=["t", "v"]
    )
    people = points(
        [[3000, 0], [3000, 0], [3000, 0]],
        population=[100.0, 10.0, 1.0],
        locality=["Town", "Village", "Other rural"],
        tier=[2, 1, 1],
    )
    assets = asset_frame(np.array([[0.0, 0.0]]))
    ranked = rank_hub_sites(cands, assets=assets, population=people).set_index("candidate_id")
    # market town: own locality plus rural parishes around it
    assert ranked.loc["t", "population_in_reach"] == 111.0
    # rural hub: own locality only
    assert ranked.loc["v", "population_in_reach"] == 10.0
    county = rank_hub_sites(
        cands.assign(tier=[3, 3]), assets=assets, population=people, reach=HubReach.specialist()
    )
    assert set(county["population_in_reach"]) == {111.0}


# --------------------------------------------------------------------------------------
# Coverage


def test_coverage_shares_and_conservation_on_the_demo():
    chain = demo_chain()
    hubs = chain.assets[chain.assets["category"] == "library"]
    cov = population_coverage(hubs, chain.population)
    summary = cov.table
    assert summary["share"].between(0, 1).all()
    body, county = summary.iloc[:-1], summary.iloc[-1]
    assert county["locality"] == "County"
    assert county["population"] == pytest.approx(chain.population["population"].sum())
    assert body["population"].sum() == pytest.approx(county["population"])
    assert body["covered"].sum() == pytest.approx(county["covered"])
    assert (summary["covered"] <= summary["population"] + 1e-9).all()
    assert 0 <= cov.county_share <= 1
    assert (cov.unserved["share"] < 0.5).all()
    # a wider reach never covers fewer people
    shares = [
        population_coverage(hubs, chain.population, distance=d).county_share
        for d in (1000, 5000, 15000)
    ]
    assert shares == sorted(shares)
    assert population_coverage(hubs, chain.population, distance=1e6).county_share == 1.0
    by_parish = population_coverage(hubs, chain.population, by="parish")
    assert by_parish.table["population"].iloc[:-1].sum() == pytest.approx(county["population"])


def test_unserved_parishes_are_listed():
    hubs = points([[0, 0]], hub_id=["H"], tier=[1])
    people = points(
        [[1000, 0], [20000, 0], [21000, 0]],
        population=[50.0, 30.0, 20.0],
        parish_code=["E1", "E2", "E2"],
        parish_name=["Near", "Far", "Far"],
        locality=["A", "A", "A"],
    )
    cov = population_coverage(hubs, people)  # tier 1 reach, 5 km
    assert cov.unserved["parish_code"].tolist() == ["E2"]
    assert cov.unserved.loc[0, "population"] == 50.0
    assert cov.county_share == pytest.approx(0.5)


# --------------------------------------------------------------------------------------
# Optimisation


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(1, 4),
    n_required=st.integers(0, 2),
    method=st.sampled_from(["p-median", "max-coverage"]),
    solver=st.sampled_from(["exact", "heuristic"]),
)
def test_never_more_than_k_and_required_sites_stay_open(seed, k, n_required, method, solver):
    rng = np.random.default_rng(seed)
    cands = points(rng.uniform(0, 20000, (12, 2)), asset_id=[f"S{i:02d}" for i in range(12)])
    demand = points(rng.uniform(0, 20000, (40, 2)), population=rng.integers(1, 100, 40) * 1.0)
    required = [f"S{i:02d}" for i in rng.choice(12, min(n_required, k), replace=False)]
    solution = optimise_hubs(
        cands, demand, k=k, method=method, distance=4000, required=required, solver=solver
    )
    assert len(solution.hubs) <= k
    assert set(required) <= set(solution.hubs["hub_id"])
    assert solution.hubs["required"].sum() == len(required)
    assert solution.assignment["hub_id"].isin(solution.hubs["hub_id"]).all()
    assert solution.hubs["population_served"].sum() == pytest.approx(demand["population"].sum())
    assert 0 <= solution.covered_share <= 1
    if solution.gap_to_optimum is not None:
        assert solution.gap_to_optimum >= -1e-9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_p_median_equals_spopt_and_brute_force(seed):
    rng = np.random.default_rng(seed)
    cxy = rng.uniform(0, 20000, (10, 2))
    dxy = rng.uniform(0, 20000, (60, 2))
    w = rng.integers(1, 500, 60).astype(float)
    k = 3
    cost = cdist(dxy, cxy)
    brute = min(
        float(w @ cost[:, list(c)].min(axis=1)) for c in itertools.combinations(range(10), k)
    )
    solution = optimise_hubs(
        points(cxy, asset_id=[f"S{i}" for i in range(10)]), points(dxy, population=w), k=k
    )
    assert solution.objective == pytest.approx(brute, rel=1e-9)
    assert solution.objective == pytest.approx(spopt_pmedian(cost, w, k), rel=1e-9)
    assert solution.gap == pytest.approx(0.0, abs=1e-9)


def test_demo_per_locality_equals_spopt_and_heuristic_gap_is_reported():
    chain = demo_chain()
    assets, people = chain.assets, chain.population
    small = ["Weobley", "Mortimer", "Kington"]
    cands = assets[assets["locality"].isin(small)]
    demand = people[people["locality"].isin(small)]
    solution = optimise_hubs(cands, demand, k=2, per_locality=True)
    assert solution.by_locality.set_index("locality")["hubs"].to_dict() == dict.fromkeys(small, 2)
    for name, row in solution.by_locality.set_index("locality").iterrows():
        c = cands[cands["locality"] == name]
        d = demand[demand["locality"] == name]
        cost = cdist(
            np.column_stack([d.geometry.x, d.geometry.y]),
            np.column_stack([c.geometry.x, c.geometry.y]),
        )
        optimum = spopt_pmedian(cost, d["population"].to_numpy(float), 2)
        assert row["objective"] == pytest.approx(optimum, rel=1e-9)
    # county-wide: exact, and the heuristic with its gaps reported
    exact = optimise_hubs(assets, people, k=9)
    heuristic = optimise_hubs(assets, people, k=9, solver="heuristic", compare_exact=True)
    assert len(exact.hubs) == 9
    assert exact.gap == 0.0
    assert heuristic.optimum == pytest.approx(exact.objective, rel=1e-9)
    assert heuristic.objective >= exact.objective * (1 - 1e-12)
    assert heuristic.gap is not None
    assert heuristic.gap >= 0
    assert heuristic.gap_to_optimum == pytest.approx(
        (heuristic.objective - exact.objective) / heuristic.objective, abs=1e-12
    )
    assert heuristic.bound <= exact.objective * (1 + 1e-9)


def test_max_coverage_exact_is_at_least_the_heuristic():
    chain = demo_chain()
    cands = chain.assets[chain.assets["category"].isin(["library", "gp_surgery"])]
    exact = optimise_hubs(cands, chain.population, k=5, method="max-coverage", distance=5000)
    heur = optimise_hubs(
        cands, chain.population, k=5, method="max-coverage", distance=5000, solver="heuristic"
    )
    assert exact.objective >= heur.objective - 1e-9
    assert heur.bound >= exact.objective - 1e-9
    assert exact.covered_share == pytest.approx(
        exact.objective / chain.population["population"].sum()
    )


def test_optimise_errors():
    cands = points([[0, 0], [1000, 0]], asset_id=["a", "b"])
    demand = points([[0, 0]], population=[1.0])
    with pytest.raises(DataError, match="at least 1"):
        optimise_hubs(cands, demand, k=0)
    with pytest.raises(DataError, match="not among the candidates"):
        optimise_hubs(cands, demand, k=1, required=["zz"])
    with pytest.raises(DataError, match="2 required sites but k is 1"):
        optimise_hubs(cands, demand, k=1, required=["a", "b"])
    with pytest.raises(DataError, match="needs distance"):
        optimise_hubs(cands, demand, k=1, method="max-coverage")
    with pytest.raises(DataError, match="no population to serve"):
        optimise_hubs(cands, demand.assign(population=[0.0]), k=1)
    with pytest.raises(DataError, match="no candidate site in B"):
        optimise_hubs(
            cands.assign(locality=["A", "A"]),
            points([[0, 0], [5, 5]], population=[1.0, 1.0], locality=["A", "B"]),
            k=1,
            per_locality=True,
        )


# --------------------------------------------------------------------------------------
# Scenario


def test_rationalisation_scenario_on_the_demo():
    chain = demo_chain()
    solution = optimise_hubs(chain.assets, chain.population, k=2, per_locality=True)
    result = rationalisation_scenario(solution.hubs, chain.assets, chain.population)
    assets = result.assets
    assert len(assets) == len(chain.assets)
    assert set(assets["status"]) <= {"hub", "move to hub", "stays"}
    assert (assets["status"] == "hub").sum() == len(solution.hubs)
    moving = assets[assets["status"] == "move to hub"]
    assert moving["distance_to_hub_m"].max() <= 2000
    assert not moving["category"].isin(["primary_school", "fire_station", "hospital"]).any()
    county = result.table.iloc[-1]
    body = result.table.iloc[:-1]
    assert county["locality"] == "County"
    assert county["moving"] == len(moving) == body["moving"].sum()
    assert county["cost_released"] == pytest.approx(moving["annual_cost"].sum())
    assert county["population"] == pytest.approx(chain.population["population"].sum())
    assert county["moving"] + county["staying"] + county["hubs"] == len(assets)
    # fewer service points: nobody is nearer than before unless a hub is a new site
    pop = result.population
    assert (pop["distance_after_m"] >= pop["distance_before_m"] - 0.11).all()
    everything = rationalisation_scenario(
        solution.hubs, chain.assets, chain.population, fixed_categories=()
    )
    assert everything.table.iloc[-1]["moving"] >= county["moving"]


def test_the_old_summary_attribute_warns_and_gives_the_table():
    chain = demo_chain()
    hubs = chain.assets[chain.assets["category"] == "library"]
    coverage = population_coverage(hubs, chain.population)
    scenario = rationalisation_scenario(hubs, chain.assets, chain.population)
    for result, name in ((coverage, "CoverageResult"), (scenario, "ScenarioResult")):
        with pytest.warns(FutureWarning, match=rf"{name}\.summary is deprecated.*{name}\.table"):
            old = result.summary
        pd.testing.assert_frame_equal(old, result.table)


@pytest.mark.parametrize("seed", [3, 4])
def test_exact_with_required_sites_and_max_coverage_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    cxy = rng.uniform(0, 20000, (9, 2))
    dxy = rng.uniform(0, 20000, (50, 2))
    w = rng.integers(1, 500, 50).astype(float)
    cost = cdist(dxy, cxy)
    combos = [c for c in itertools.combinations(range(9), 3) if 0 in c]
    brute_pm = min(float(w @ cost[:, list(c)].min(axis=1)) for c in combos)
    brute_mc = max(float(w[(cost[:, list(c)] <= 5000).any(axis=1)].sum()) for c in combos)
    cands = points(cxy, asset_id=[f"S{i}" for i in range(9)])
    demand = points(dxy, population=w)
    for solver in ("exact", "heuristic"):
        pm = optimise_hubs(cands, demand, k=3, required=["S0"], solver=solver)
        mc = optimise_hubs(
            cands,
            demand,
            k=3,
            required=["S0"],
            method="max-coverage",
            distance=5000,
            solver=solver,
        )
        assert pm.optimum == pytest.approx(brute_pm, rel=1e-9)
        assert mc.optimum == pytest.approx(brute_mc)
        assert pm.objective >= brute_pm * (1 - 1e-12)
        assert mc.objective <= brute_mc + 1e-9
        assert "S0" in set(pm.hubs["hub_id"]) & set(mc.hubs["hub_id"])


def test_rank_places_given_points_with_the_parishes():
    chain = demo_chain()
    sites = chain.assets.iloc[:5][["geometry"]].copy()
    sites["candidate_id"] = [f"P{i}" for i in range(5)]
    ranked = rank_hub_sites(
        sites, assets=chain.assets, population=chain.population, parishes=chain.build.parishes
    ).set_index("candidate_id")
    expected = chain.assets.iloc[:5].set_index(sites["candidate_id"].to_numpy())
    assert ranked.loc[expected.index, "locality"].tolist() == expected["locality"].tolist()
    far = points([[0, 0]], candidate_id=["sea"])
    with pytest.raises(DataError, match=r"candidates: 1 point\(s\) lie more than 250 m"):
        rank_hub_sites(
            far, assets=chain.assets, population=chain.population, parishes=chain.build.parishes
        )
    with pytest.raises(DataError, match="pass parishes"):
        rank_hub_sites(far, assets=chain.assets, population=chain.population)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_parishes=st.integers(2, 25),
    n_points=st.integers(0, 80),
    weighted=st.booleans(),
)
def test_population_conserved_on_random_tessellations(seed, n_parishes, n_points, weighted):
    rng = np.random.default_rng(seed)
    frame = shapely.box(300_000, 200_000, 320_000, 215_000)
    seeds = shapely.multipoints(
        rng.uniform([300_000, 200_000], [320_000, 215_000], (n_parishes, 2))
    )
    cells = shapely.intersection(
        np.asarray(shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))), frame
    )
    parishes = gpd.GeoDataFrame(
        {
            "parish_code": [f"E{i:03d}" for i in range(len(cells))],
            "population": rng.integers(0, 5000, len(cells)),
            "locality": ["L"] * len(cells),
        },
        geometry=cells,
        crs=27700,
    )
    homes = points(rng.uniform([300_000, 200_000], [320_000, 215_000], (n_points, 2)))
    if weighted:
        homes["weight"] = rng.integers(0, 4, n_points)
    people = population_points(parishes, points=homes)
    assert people["population"].sum() == pytest.approx(parishes["population"].sum())
    per = people.groupby("parish_code")["population"].sum()
    want = parishes.set_index("parish_code")["population"]
    assert np.allclose(per.reindex(want.index).to_numpy(float), want.to_numpy(float))
    assert (people["population"] >= 0).all()
    # every point is in (or on the edge of) the parish it was given
    joined = parishes.set_index("parish_code").geometry.loc[people["parish_code"]]
    assert joined.buffer(1e-6).contains(people.geometry, align=False).all()


def test_hubs_carry_their_reach_for_the_maps():
    sites = gpd.GeoDataFrame(
        {"asset_id": ["rural", "town"], "tier": [1, 2]},
        geometry=[Point(0, 0), Point(50_000, 0)],
        crs=27700,
    )
    people = gpd.GeoDataFrame(
        {"population": [10.0, 10.0]}, geometry=[Point(0, 0), Point(50_000, 0)], crs=27700
    )
    by_tier = optimise_hubs(sites, people, k=2).hubs.set_index("hub_id")["reach_m"]
    reach = HubReach()
    assert by_tier["rural"] == reach.for_tier(1).distance
    assert by_tier["town"] == reach.for_tier(2).distance
    fixed = optimise_hubs(sites, people, k=2, distance=2_500, method="max-coverage").hubs
    assert (fixed["reach_m"] == 2_500).all()
