"""Hubs measured in minutes by road: ``cost=`` a road network or travel times."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import pytest
import shapely
from shapely import LineString
from spopt.locate import MCLP, PMedian

from localitygis.access import road_network, travel_times
from localitygis.errors import DataError, SchemeError
from localitygis.hubs import optimise_hubs, population_coverage

X0, Y0 = 350_000.0, 240_000.0


def points(xy, **columns) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, float) + np.array([X0, Y0])
    return gpd.GeoDataFrame(columns, geometry=shapely.points(xy), crs=27700)


def river_roads() -> gpd.GeoDataFrame:
    """Two roads along the banks of a river (y = 0 and y = 600) joined by one far bridge."""
    lines = [
        [(0, 0), (20_000, 0)],
        [(0, 600), (20_000, 600)],
        [(20_000, 0), (20_000, 600)],  # the bridge, 20 km east
    ]
    return gpd.GeoDataFrame(
        {"road_function": ["B Road", "B Road", "A Road"]},
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in line]) for line in lines],
        crs=27700,
    )


def random_grid(seed: int, side: int = 8, step: float = 700.0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lines, kinds = [], []
    for i in range(side):
        for j in range(side - 1):
            for a, b in (((j, i), (j + 1, i)), ((i, j), (i, j + 1))):
                if rng.random() < 0.9:
                    lines.append(
                        LineString(
                            [
                                (X0 + a[0] * step, Y0 + a[1] * step),
                                (X0 + b[0] * step, Y0 + b[1] * step),
                            ]
                        )
                    )
                    kinds.append(rng.choice(["A Road", "B Road", "Local Road"]))
    return gpd.GeoDataFrame({"road_function": kinds}, geometry=lines, crs=27700)


def spopt_objective(model_class, cost, weights, **options) -> float:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*PuLP 4\.0.*", category=DeprecationWarning)
        model = model_class.from_cost_matrix(cost, weights, **options)
        model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    return float(model.problem.objective.value())


def test_across_the_river_the_network_chooses_the_near_bank():
    network = road_network(river_roads())
    # villagers on the north bank; one site on each bank, 600 m apart as the crow flies
    people = points([(1_000, 650), (2_000, 650), (3_000, 650)], population=[100.0] * 3)
    sites = points([(2_000, -40), (9_000, 640)], candidate_id=["south", "north"])
    straight = optimise_hubs(sites, people, k=1)
    by_road = optimise_hubs(sites, people, k=1, cost=network)
    assert straight.hubs["hub_id"].tolist() == ["south"]
    assert by_road.hubs["hub_id"].tolist() == ["north"]
    assert by_road.cost == "network"
    assert straight.cost == "straight-line"
    # B road 50 km/h: 7 km from the middle villager; walking legs 50 m and 40 m at 4.8 km/h
    minutes = by_road.assignment["minutes"]
    assert minutes.iloc[1] == pytest.approx(7_000 / (50 / 0.06) + 90 / 80, abs=0.01)
    assert by_road.mean_minutes == pytest.approx(minutes.mean(), abs=0.01)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_p_median_on_minutes_equals_spopt_on_the_same_matrix(seed):
    rng = np.random.default_rng(seed)
    network = road_network(random_grid(seed))
    people = points(rng.uniform(0, 4_900, (60, 2)), population=rng.integers(1, 300, 60) * 1.0)
    sites = points(rng.uniform(0, 4_900, (15, 2)), candidate_id=[f"S{i}" for i in range(15)])
    times = travel_times(network, people, sites)
    assert np.isfinite(times.minutes).all()
    solution = optimise_hubs(sites, people, k=3, cost=times)
    expected = spopt_objective(
        PMedian, times.minutes, people["population"].to_numpy(), p_facilities=3
    )
    assert solution.objective == pytest.approx(expected, rel=1e-9)
    # the same answer when the network is given and routed inside
    assert optimise_hubs(sites, people, k=3, cost=network).objective == pytest.approx(expected)
    heuristic = optimise_hubs(sites, people, k=3, cost=times, solver="heuristic")
    assert heuristic.objective >= expected - 1e-9
    assert heuristic.bound <= expected + 1e-9


@pytest.mark.parametrize("seed", [3, 4])
def test_max_coverage_on_minutes_equals_spopt(seed):
    rng = np.random.default_rng(seed)
    network = road_network(random_grid(seed))
    people = points(rng.uniform(0, 4_900, (50, 2)), population=rng.integers(1, 300, 50) * 1.0)
    sites = points(rng.uniform(0, 4_900, (12, 2)), candidate_id=[f"S{i}" for i in range(12)])
    times = travel_times(network, people, sites)
    solution = optimise_hubs(sites, people, k=2, method="max-coverage", minutes=6, cost=times)
    covered = spopt_objective(
        MCLP, times.minutes, people["population"].to_numpy(), service_radius=6.0, p_facilities=2
    )
    assert solution.objective == pytest.approx(covered)
    assert solution.assignment["covered"].eq(solution.assignment["minutes"] <= 6).all()
    assert solution.covered_share == pytest.approx(covered / people["population"].sum())


def test_points_off_the_network_are_left_out_and_listed():
    network = road_network(river_roads())
    people = points([(1_000, 650), (5_000, 30_000)], population=[100.0, 50.0], name=["a", "b"])
    sites = points([(2_000, 0), (40_000, 40_000)], candidate_id=["on", "off"])
    solution = optimise_hubs(sites, people, k=1, cost=network)
    assert solution.hubs["hub_id"].tolist() == ["on"]
    assert solution.assignment["name"].tolist() == ["a"]
    assert sorted(solution.rejects["source"]) == ["candidates", "population"]
    assert len(solution.assignment) + (solution.rejects["source"] == "population").sum() == 2
    with pytest.raises(DataError, match=r"required site.*off the road network"):
        optimise_hubs(sites, people, k=1, cost=network, required=["off"])


def test_options_that_do_not_fit_the_cost_are_errors():
    network = road_network(river_roads())
    people = points([(1_000, 650)], population=[1.0])
    sites = points([(2_000, 0)])
    with pytest.raises(DataError, match=r"minutes=\.\.\. needs a road network"):
        optimise_hubs(sites, people, k=1, minutes=10)
    with pytest.raises(DataError, match="give the service time as minutes"):
        optimise_hubs(sites, people, k=1, cost=network, distance=5_000)
    with pytest.raises(DataError, match=r"max-coverage needs minutes"):
        optimise_hubs(sites, people, k=1, cost=network, method="max-coverage")
    with pytest.raises(DataError, match="travel times are 1 × 2 but there are 1 population"):
        optimise_hubs(sites, people, k=1, cost=travel_times(network, people, sites.iloc[[0, 0]]))
    with pytest.raises(DataError, match="cost must be None"):
        optimise_hubs(sites, people, k=1, cost="network")


def test_demand_keyword_still_works_with_a_deprecation_warning():
    people = points([(0, 0), (900, 0)], population=[1.0, 2.0])
    sites = points([(0, 0), (1_000, 0)], candidate_id=["w", "e"])
    with pytest.warns(DeprecationWarning, match="renamed population"):
        old = optimise_hubs(sites, demand=people, k=1)
    assert old.hubs["hub_id"].tolist() == optimise_hubs(sites, people, k=1).hubs["hub_id"].tolist()


def test_coverage_by_road_uses_tier_minutes_and_the_river_matters():
    network = road_network(river_roads())
    hubs = points([(2_000, -40)], hub_id=["south"], tier=[1])
    people = points(
        [(1_000, 650), (3_000, -300), (2_500, 30_000)],
        population=[100.0, 60.0, 5.0],
        locality=["North", "South", "Moor"],
        parish_code=["E1", "E2", "E3"],
        parish_name=["Northbank", "Southbank", "Moor"],
    )
    straight = population_coverage(hubs, people.iloc[:2])
    assert straight.county_share == 1.0  # both within the rural 5 km
    by_road = population_coverage(hubs, people, cost=network)
    table = by_road.table.set_index("locality")
    # the north bank is 36 km round by the bridge: beyond the rural 15 minutes
    assert table.loc["North", "share"] == 0.0
    assert table.loc["South", "share"] == 1.0
    assert table.loc["County", "population"] == 160.0  # the moor point is off the network
    assert by_road.rejects["reason"].str.startswith("farther than").tolist() == [True]
    assert by_road.unserved["parish_name"].tolist() == ["Northbank"]
    assert population_coverage(hubs, people.iloc[:2], cost=network, minutes=47).county_share == 1
    assert population_coverage(hubs, people.iloc[:2], cost=network, minutes=46).county_share < 1
    north = by_road.points.set_index("parish_code").loc["E1", "minutes"]
    bridge_route = (19_000 + 18_000) / (50 / 0.06) + 600 / (65 / 0.06)  # 45 min
    assert north == pytest.approx(bridge_route + (50 + 40) / 80, abs=0.01)


def test_scenario_by_road_shows_what_the_straight_line_hides():
    from localitygis.hubs import rationalisation_scenario

    network = road_network(river_roads())
    hubs = points([(2_000, -40)], asset_id=["lib"], tier=[1])
    assets = points(
        [(2_000, -40), (2_000, 640)],
        asset_id=["lib", "hall"],
        category=["library", "village_hall"],
        locality=["A", "A"],
    )
    people = points([(2_000, 700)], population=[100.0], locality=["A"])
    result = rationalisation_scenario(hubs, assets, people, cost=network)
    assert result.assets["status"].tolist() == ["hub", "move to hub"]
    county = result.table.iloc[-1]
    # the hall across the river moves in: 680 m further as the crow flies...
    assert county["change_m"] == pytest.approx(740 - 60, abs=0.1)
    # ...but 36 km round by the bridge; the walks: 100 m from the person, 40 m to each site
    walks = (100 + 40) / 80  # metres per minute at 4.8 km/h
    road = 36_000 / (50 / 0.06) + 600 / (65 / 0.06)
    assert county["mean_minutes_before"] == pytest.approx(walks, abs=0.06)
    assert county["mean_minutes_after"] == pytest.approx(road + walks, abs=0.06)
    assert county["change_minutes"] == pytest.approx(road, abs=0.1)
    assert result.population["minutes_after"].iloc[0] == pytest.approx(road + walks, abs=0.006)


def test_rank_by_road_counts_only_people_within_the_tier_minutes():
    from localitygis.hubs import rank_hub_sites

    network = road_network(river_roads())
    sites = points(
        [(2_000, -40), (2_000, 640)],
        asset_id=["south", "north"],
        category=["library", "library"],
        partner=["Council", "Council"],
        locality=["A", "A"],
        tier=[1, 1],
    )
    # 500 people on the north bank, 100 on the south bank
    people = points(
        [(2_500, 700), (2_500, -100)], population=[500.0, 100.0], locality=["A", "A"], tier=[1, 1]
    )
    straight = rank_hub_sites(sites, assets=sites, population=people).set_index("candidate_id")
    assert straight["population_in_reach"].to_dict() == {"south": 600.0, "north": 600.0}
    by_road = rank_hub_sites(sites, assets=sites, population=people, cost=network)
    table = by_road.set_index("candidate_id")
    assert table["population_in_reach"].to_dict() == {"north": 500.0, "south": 100.0}
    assert table["reach_minutes"].tolist() == [15.0, 15.0]
    assert by_road["candidate_id"].tolist() == ["north", "south"]
    assert by_road.attrs["rejects"].empty


def test_reach_minutes_come_from_the_scheme_toml(tmp_path):
    from localitygis.hubs import HubReach
    from localitygis.localities.scheme import load_scheme

    toml = """
[scheme]
name = "Minutes"

[tiers.1]
name = "Rural"
reach_minutes = 25

[tiers.2]
name = "Town"

[[localities]]
name = "Vale"
tier = 1
catchments = ["Vale"]
"""
    path = tmp_path / "scheme.toml"
    path.write_text(toml, encoding="utf-8")
    reach = HubReach.from_scheme(load_scheme(path))
    assert reach.for_tier(1).minutes == 25.0
    assert reach.for_tier(2).minutes == 20.0  # not in the file: the default stays
    bad = path.read_text(encoding="utf-8").replace("reach_minutes = 25", 'reach_minutes = "x"')
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(SchemeError, match=r"\[tiers.1\] reach_minutes must be a positive number"):
        load_scheme(path)


def test_locate_gives_minutes_to_the_hub_by_road():
    from shapely import box

    from localitygis.assets.locate import locate, locate_many

    network = road_network(river_roads())
    parishes = gpd.GeoDataFrame(
        {"parish_code": ["E1"], "parish_name": ["Riverside"], "locality": ["A"], "tier": [1]},
        geometry=[box(X0 - 1_000, Y0 - 1_000, X0 + 21_000, Y0 + 1_600)],
        crs=27700,
    )
    hubs = points([(2_000, -40), (15_000, 640)], name=["South library", "North hall"])
    result = locate((X0 + 2_000, Y0 + 700), parishes=parishes, hubs=hubs, cost=network)
    assert result.nearest_hub == "South library"  # 740 m as the crow flies
    assert result.hub_by_road == "North hall"  # 13 km along the north bank: 15.6 min
    assert result.hub_minutes == pytest.approx(13_000 / (50 / 0.06) + 140 / 80, abs=0.06)
    assert "by road: North hall, 17 min" in result.describe()
    table = locate_many(
        pd.DataFrame({"easting": [X0 + 2_000, X0 + 2_000], "northing": [Y0 + 700, Y0 - 300]}),
        parishes=parishes,
        hubs=hubs,
        cost=network,
    )
    assert table["hub_by_road"].tolist() == ["North hall", "South library"]
    assert table["hub_minutes"].iloc[1] == pytest.approx((300 + 40) / 80, abs=0.06)
