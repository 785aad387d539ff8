"""``localitygis hubs --cost network --roads ...`` on the demo county and its generated roads."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from localitygis.access import read_roads
from localitygis.demo.roads import write_demo_roads
from localitygis.io import read_table, read_vector, write_geopackage
from localitygis.provenance import DEMO
from tests._analysisdata import demo_chain
from tests._clidata import build_demo, demo_build_args, fails, ok


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("access_cli")
    chain = demo_chain()
    assets = write_geopackage(root / "assets.gpkg", {"assets": chain.assets}, provenance=DEMO)
    return {
        "root": root,
        "localities": build_demo(root / "build"),
        "assets": assets,
        "roads": write_demo_roads(root),
    }


def _hubs(files: dict[str, Path], *options: str) -> list[str]:
    return ["hubs", "-a", str(files["assets"]), "-l", str(files["localities"]), *options]


def test_hubs_by_road_on_the_demo_roads(files):
    out = files["root"] / "by_road"
    result = ok(
        _hubs(
            files,
            "--k",
            "1",
            "--per-locality",
            "--cost",
            "network",
            "--roads",
            f"{files['roads']}#road_link",
            "--out",
            str(out),
        )
    )
    assert "mean time to nearest hub by road" in result.output
    assert "proven optimal" in result.output
    assignment = read_vector(out / "hubs.gpkg", layer="assignment")
    assert assignment.attrs["provenance"].is_demo
    minutes = assignment["minutes"].astype(float)
    assert np.isfinite(minutes).all()
    assert (minutes > 0).all()
    hubs = read_vector(out / "hubs.gpkg", layer="hubs")
    assert len(hubs) == 9
    assert set(hubs["reach_minutes"].astype(float)) <= {10.0, 15.0, 20.0}
    coverage = read_table(out / "hub_coverage.csv")
    assert "mean_minutes" in coverage.columns
    # the ranking counts people within each site's tier minutes by road
    ranking = read_table(out / "hub_ranking.csv")
    assert set(ranking["reach_minutes"].astype(float)) <= {10.0, 15.0, 20.0}
    assert (ranking["population_in_reach"].astype(float) > 0).any()
    # the scenario measures minutes by road to the nearest service point before and after
    scenario = read_table(out / "rationalisation.csv")
    county = scenario.iloc[-1]
    assert float(county["mean_minutes_after"]) >= float(county["mean_minutes_before"])
    assert "mean time by road" in result.output
    rejects = read_table(out / "road_rejects.csv")
    # nothing lost: parish points routed plus points listed add up to the parishes
    n_parishes = len(read_vector(files["localities"], layer="parishes"))
    listed = (rejects["source"] == "population").sum() if len(rejects) else 0
    assert len(assignment) + listed == n_parishes


def test_hubs_reach_by_road_comes_from_the_scheme(files, tmp_path):
    from importlib import resources

    text = resources.files("localitygis").joinpath("data", "demo_scheme.toml").read_text("utf-8")
    for before, after in (("= 15", "= 25"), ("= 20", "= 35"), ("= 10", "= 12")):
        text = text.replace(f"reach_minutes {before}", f"reach_minutes {after}")
    scheme = tmp_path / "slow_roads.toml"
    scheme.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    args = ["--k", "1", "--per-locality", "--cost", "network", "--roads", str(files["roads"])]
    ok(_hubs(files, *args, "--scheme", str(scheme), "--out", str(out)))
    ranking = read_table(out / "hub_ranking.csv")
    minutes = ranking["reach_minutes"].astype(float)
    assert minutes.groupby(ranking["tier"].astype(int)).unique().map(list).to_dict() == {
        1: [25.0],
        2: [35.0],
        3: [12.0],
    }
    hubs = read_vector(out / "hubs.gpkg", layer="hubs")
    assert set(hubs["reach_minutes"].astype(float)) <= {25.0, 35.0, 12.0}
    # a build with that scheme stores it: hubs finds the reach there without --scheme
    built = tmp_path / "build"
    ok([*demo_build_args(built)[:-4], "--scheme", str(scheme), "--out", str(built)])
    stored_out = tmp_path / "stored"
    ok(["hubs", "-a", str(files["assets"]), "-l", str(built / "localities.gpkg"), *args,
        "--out", str(stored_out)])  # fmt: skip
    stored = read_table(stored_out / "hub_ranking.csv")
    assert stored["reach_minutes"].astype(float).tolist() == minutes.tolist()
    coverage = read_table(out / "hub_coverage.csv")
    default_out = tmp_path / "default"
    ok(_hubs(files, *args, "--out", str(default_out)))
    default = read_table(default_out / "hub_coverage.csv")
    # longer reach by road covers at least as many people as the default scheme
    assert float(coverage["covered"].iloc[-1]) >= float(default["covered"].iloc[-1])


def test_network_cost_options_are_checked(files, capsys):
    assert "--cost network needs --roads" in fails(_hubs(files, "--cost", "network"), capsys)
    message = fails(_hubs(files, "--roads", str(files["roads"])), capsys)
    assert "--roads and --minutes need --cost network" in message
    message = fails(
        _hubs(files, "--cost", "network", "--roads", str(files["roads"]), "--distance", "900"),
        capsys,
    )
    assert "give the service time as --minutes" in message


def test_demo_roads_read_back_through_the_os_reader(files):
    network = read_roads(files["roads"])
    assert network.links["main"].all()
    assert len(network.rejects) == 0
    assert set(network.links["road_class"]) == {"A Road", "B Road", "Minor Road"}
    assert network.links.attrs["provenance"].is_demo


def test_journey_time_indicators_on_the_demo(files):
    from localitygis.access import journey_time_indicators

    chain = demo_chain()
    network = read_roads(files["roads"])
    hubs = chain.assets[chain.assets["category"] == "library"]
    result = journey_time_indicators(network, chain.population, assets=chain.assets, hubs=hubs)
    table = result.table
    county = table[table["locality"] == "County"].set_index("destination")
    # nothing lost: routed people plus rejected points make the county's population
    lost = (
        chain.population.iloc[result.rejects["row"].to_numpy() - 1]["population"].sum()
        if (len(result.rejects))
        else 0.0
    )
    total = chain.population["population"].sum()
    assert total == pytest.approx(188_522)  # the demo's real IoD2019 mid-2015 population
    assert county.loc["hub", "population"] + lost == pytest.approx(total)
    assert (table["within_15"] <= table["within_30"]).all()
    # the county figure is the population-weighted mean of the points' nearest times
    minutes = result.points["minutes_to_hub"].to_numpy()
    people = result.points["population"].to_numpy()
    assert county.loc["hub", "mean_minutes"] == pytest.approx(
        (minutes * people).sum() / people.sum(), abs=0.006
    )
    gp = result.points["minutes_to_gp_surgery"].to_numpy()
    assert county.loc["gp_surgery", "within_30"] == pytest.approx(
        people[gp <= 30].sum() / people.sum(), abs=1e-4
    )
    wide = result.wide()
    assert len(wide) == 10
    assert {"mean_minutes_hub", "within_15_library", "population"} <= set(wide.columns)


def test_locate_by_road_through_the_cli(files, capsys):
    hubs_file = files["root"] / "by_road" / "hubs.gpkg"
    if not hubs_file.exists():  # written by test_hubs_by_road_on_the_demo_roads
        ok(
            _hubs(
                files,
                "--k",
                "1",
                "--per-locality",
                "--cost",
                "network",
                "--roads",
                str(files["roads"]),
                "--out",
                str(hubs_file.parent),
            )
        )
    hubs = read_vector(hubs_file, layer="hubs")
    site = hubs.geometry.iloc[0]
    result = ok(
        [
            "locate",
            "--easting",
            f"{site.x + 300:.0f}",
            "--northing",
            f"{site.y:.0f}",
            "-l",
            str(files["localities"]),
            "--hubs",
            f"{hubs_file}#hubs",
            "--roads",
            str(files["roads"]),
        ]
    )
    assert "nearest hub by road" in result.output
    assert "min by road" in result.output
    message = fails(
        [
            "locate",
            "--easting",
            "350000",
            "--northing",
            "240000",
            "-l",
            str(files["localities"]),
            "--roads",
            str(files["roads"]),
        ],
        capsys,
    )
    assert "--roads gives the minutes to a hub" in message


def _library_hubs(files: dict[str, Path]) -> Path:
    """Write the demo libraries as a hubs layer (name, tier, locality; no reach_minutes)."""
    assets = demo_chain().assets
    libraries = assets[(assets["category"] == "library") & assets["tier"].notna()]
    hubs = libraries[["asset_id", "name", "tier", "locality", "geometry"]].copy()
    return write_geopackage(files["root"] / "library_hubs.gpkg", {"hubs": hubs}, provenance=DEMO)


def test_assets_map_draws_drive_time_areas_from_the_roads(files):
    hubs = _library_hubs(files)
    out = files["root"] / "drive_times.html"
    common = ["-l", str(files["localities"]), "--assets", str(files["assets"])]
    ok(
        [
            "map",
            "assets",
            *common,
            "--hubs",
            str(hubs),
            "--roads",
            str(files["roads"]),
            "--out",
            str(out),
        ]
    )
    html = out.read_text(encoding="utf-8")
    assert "Drive-time areas" in html
    assert "Nearest hub by road" in html
    # every library is either drawn with its tier's minutes or named as reaching no road
    libraries = read_vector(hubs, layer="hubs")
    drawn = html.count("Drive-time area of hub")
    unreached = re.search(r"No road within reach of: (.*?)(?:<|\\u003c)", html)
    named = unreached.group(1).split(", ") if unreached else []
    assert drawn + len(named) == len(libraries)
    assert drawn > 0
    for minutes in ("10 min", "15 min", "20 min"):
        assert minutes in html  # the three tiers' reach by road
    without = files["root"] / "straight.html"
    ok(["map", "assets", *common, "--hubs", str(hubs), "--out", str(without)])
    assert "Drive-time areas" not in without.read_text(encoding="utf-8")


def test_map_roads_option_is_checked(files, capsys):
    common = ["-l", str(files["localities"]), "--roads", str(files["roads"])]
    message = fails(["map", "assets", *common, "--assets", str(files["assets"])], capsys)
    assert "--hubs" in message
    message = fails(["map", "county", *common], capsys)
    assert "assets map" in message


def test_profiles_carry_the_journey_times_per_locality_and_county(files):
    from localitygis.access import journey_time_indicators
    from localitygis.profiles import locality_profiles

    chain = demo_chain()
    hubs = chain.assets[chain.assets["category"] == "library"]
    network = read_roads(files["roads"])
    journeys = journey_time_indicators(network, chain.population, assets=chain.assets, hubs=hubs)
    plain = locality_profiles(chain.build, assets=chain.assets)
    table = locality_profiles(chain.build, assets=chain.assets, journey_times=journeys)
    # the block only adds columns: every other figure is unchanged
    assert table[plain.columns].equals(plain)
    indicators = journeys.table.set_index(["locality", "destination"])
    for locality in ("Kington", "Golden Valley", "County"):
        row = table.set_index("locality").loc[locality]
        hub = indicators.loc[(locality, "hub")]
        assert row["hub_minutes"] == pytest.approx(hub["mean_minutes"], abs=0.05)
        assert row["hub_within_15_share"] == pytest.approx(hub["within_15"], abs=1e-4)
        gp = indicators.loc[(locality, "gp_surgery")]
        assert row["gp_surgery_within_30_share"] == pytest.approx(gp["within_30"], abs=1e-4)
    assert (table["hub_within_15_share"] <= table["hub_within_30_share"]).all()


def test_profiles_reject_journey_times_not_by_locality(files):
    from localitygis.access import journey_time_indicators
    from localitygis.errors import DataError
    from localitygis.profiles import locality_profiles

    chain = demo_chain()
    network = read_roads(files["roads"])
    people = chain.population.assign(area=chain.population["locality"])
    journeys = journey_time_indicators(network, people, hubs=chain.assets.iloc[:3], by="area")
    with pytest.raises(DataError, match="by='locality'"):
        locality_profiles(chain.build, journey_times=journeys)


def test_profile_with_roads_adds_journey_times_through_the_cli(files, capsys):
    hubs = _library_hubs(files)
    out = files["root"] / "profile_roads"
    common = ["profile", "-l", str(files["localities"]), "--assets", str(files["assets"])]
    result = ok([*common, "--hubs", str(hubs), "--roads", str(files["roads"]), "--out", str(out)])
    assert "hub minutes" in result.output
    table = read_table(out / "profiles.csv")
    assert len(table) == 10
    minutes = table["hub_minutes"].astype(float)
    assert (minutes > 0).all()
    assert {"gp_surgery_minutes", "library_within_30_share"} <= set(table.columns)
    shares = table["hub_within_15_share"].astype(float)
    assert ((shares >= 0) & (shares <= table["hub_within_30_share"].astype(float))).all()
    assert (out / "road_rejects.csv").exists()
    plain = files["root"] / "profile_plain"
    ok([*common, "--hubs", str(hubs), "--out", str(plain)])
    assert "hub_minutes" not in read_table(plain / "profiles.csv").columns
    message = fails(
        ["profile", "-l", str(files["localities"]), "--roads", str(files["roads"])], capsys
    )
    assert "--hubs or --assets" in message
