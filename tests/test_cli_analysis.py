"""``localitygis colocate``, ``hubs`` and ``profile`` on real files, and their errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from localitygis.io import read_table, read_vector, write_geopackage
from localitygis.provenance import DEMO
from tests._analysisdata import demo_chain
from tests._clidata import build_demo, fails, ok


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """localities.gpkg from the real ``build`` command; assets and population as GPKG."""
    root = tmp_path_factory.mktemp("analysis_cli")
    chain = demo_chain()
    assets = write_geopackage(root / "assets.gpkg", {"assets": chain.assets}, provenance=DEMO)
    population = root / "population.gpkg"
    write_geopackage(population, {"population": chain.raw_population}, provenance=DEMO)
    return {
        "root": root,
        "localities": build_demo(root / "build"),
        "assets": assets,
        "population": population,
    }


def _hubs(files: dict[str, Path], *options: str) -> list[str]:
    """``localitygis hubs`` on the fixture's assets and localities, with ``options``."""
    return ["hubs", "-a", str(files["assets"]), "-l", str(files["localities"]), *options]


def test_colocate_writes_clusters_and_prints_the_summary(files):
    out = files["root"] / "colocate"
    result = ok(["colocate", str(files["assets"]), "--distance", "400", "--out", str(out)])
    assert "Co-location at 400 m" in result.output
    assert "Golden Valley" in result.output
    assert "Generated demo data" in result.output
    assert set(pyogrio.list_layers(out / "colocation.gpkg")[:, 0]) == {
        "assets",
        "clusters",
        "cluster_outlines",
    }
    clusters = read_table(out / "clusters.csv")
    by_locality = read_table(out / "colocation_by_locality.csv")
    n_assets = len(demo_chain().assets)
    assert clusters["member_count"].astype(int).sum() == n_assets
    assert by_locality["assets"].astype(int).sum() == n_assets
    layer = read_vector(out / "colocation.gpkg", layer="assets")
    assert len(layer) == n_assets
    assert layer.attrs["provenance"].is_demo


def test_hubs_per_locality_with_population_points(files):
    out = files["root"] / "hubs"
    result = ok(
        [
            "hubs",
            "--assets",
            str(files["assets"]),
            "--localities",
            str(files["localities"]),
            "--k",
            "1",
            "--per-locality",
            "--population",
            str(files["population"]),
            "--out",
            str(out),
        ]
    )
    assert "proven optimal" in result.output
    assert "rationalisation:" in result.output
    hubs = read_vector(out / "hubs.gpkg", layer="hubs")
    assert len(hubs) == 9
    assert hubs["locality"].nunique() == 9
    solution = read_table(out / "hub_solution.csv")
    assert float(solution.loc[0, "gap"]) == 0.0
    coverage = read_table(out / "hub_coverage.csv")
    assert coverage["locality"].iloc[-1] == "County"
    assert float(coverage["population"].iloc[-1]) == pytest.approx(
        demo_chain().population["population"].sum()
    )
    ranking = read_table(out / "hub_ranking.csv")
    assert len(ranking) == len(demo_chain().assets)
    scenario = read_table(out / "rationalisation.csv")
    assert scenario["locality"].iloc[-1] == "County"
    for name in ("unserved_parishes.csv", "rationalisation_assets.csv"):
        assert (out / name).exists()


def test_hubs_county_wide_max_coverage_with_required_site(files):
    out = files["root"] / "hubs_mclp"
    ok(
        _hubs(
            files,
            "--k",
            "4",
            "--method",
            "max-coverage",
            "--distance",
            "8000",
            "--required",
            "A0001",
            "--candidate-category",
            "library",
            "--out",
            str(out),
        )
    )
    hubs = read_vector(out / "hubs.gpkg", layer="hubs")
    assert len(hubs) <= 4
    assert "A0001" in set(hubs["hub_id"])
    assert set(hubs["category"]) == {"library"}
    solution = read_table(out / "hub_solution.csv")
    assert 0 <= float(solution.loc[0, "covered_share"]) <= 1


def test_hubs_with_an_absent_candidate_category_names_those_present(files, capsys):
    out = files["root"] / "hubs_no_category"
    message = fails(_hubs(files, "--candidate-category", "lighthouse", "--out", str(out)), capsys)
    present = sorted(set(demo_chain().assets["category"].astype(str)))
    assert message == (
        f"error: no asset has category lighthouse; categories present: {', '.join(present)}."
    )
    assert not (out / "hubs.gpkg").exists()


def test_profile_writes_csv_markdown_and_escaped_html(files):
    out = files["root"] / "profile"
    hubs_dir = files["root"] / "hubs_for_profile"
    ok(_hubs(files, "--per-locality", "--solver", "heuristic", "--out", str(hubs_dir)))
    result = ok(
        [
            "profile",
            "--localities",
            str(files["localities"]),
            "--assets",
            str(files["assets"]),
            "--hubs",
            str(hubs_dir / "hubs.gpkg"),
            "--out",
            str(out),
        ]
    )
    assert "Locality profiles" in result.output
    table = read_table(out / "profiles.csv")
    assert len(table) == 10
    assert table["locality"].iloc[-1] == "County"
    body = table.iloc[:-1]
    assert pd.to_numeric(body["population"]).sum() == int(table["population"].iloc[-1])
    assert int(table["hubs"].iloc[-1]) == 9
    assert (out / "profiles.md").read_text(encoding="utf-8").startswith("# Locality profiles")
    page = (out / "profiles.html").read_text(encoding="utf-8")
    assert "<table" in page
    assert "Generated demo data" in page


def test_profile_without_assets(files):
    out = files["root"] / "profile_plain"
    ok(["profile", "-l", str(files["localities"]), "--out", str(out)])
    table = read_table(out / "profiles.csv")
    assert "assets" not in table.columns
    assert len(table) == 10


def test_errors_are_one_line(files, capsys, tmp_path):
    message = fails(["colocate", str(tmp_path / "missing.gpkg")], capsys)
    assert "missing.gpkg" in message
    message = fails(_hubs(files, "--method", "max-coverage"), capsys)
    assert "needs distance" in message
    message = fails(_hubs(files, "-r", "NOPE"), capsys)
    assert "NOPE" in message
    message = fails(_hubs(files, "-c", "castle"), capsys)
    assert "categories present" in message
    # the assets layer is not a parish layer
    message = fails(["profile", "-l", str(files["assets"])], capsys)
    assert "has no parishes or localities layer" in message
    assert "localitygis build" in message


def test_hubs_with_a_csv_of_population_centroids(files, tmp_path, capsys):
    chain = demo_chain()
    raw = chain.raw_population
    table = pd.DataFrame(
        {
            "OA21CD": raw["area_code"],
            "x": raw.geometry.x.round(1),
            "y": raw.geometry.y.round(1),
            "Population": raw["population"],
        }
    )
    csv = tmp_path / "centroids.csv"
    table.to_csv(csv, index=False)
    out = tmp_path / "out"
    ok(_hubs(files, "--population", str(csv), "--k", "3", "--out", str(out)))
    coverage = read_table(out / "hub_coverage.csv")
    assert float(coverage["population"].iloc[-1]) == pytest.approx(raw["population"].sum())
    # latitude/longitude given as easting/northing is caught and explained
    swapped = table.assign(x=52.05, y=-2.72)
    bad = tmp_path / "swapped.csv"
    swapped.to_csv(bad, index=False)
    message = fails(_hubs(files, "-p", str(bad)), capsys)
    assert "swapped.csv" in message


def test_hubs_weighted_by_the_older_population(files):
    out = files["root"] / "hubs_60"
    raw = demo_chain().raw_population
    result = ok(
        _hubs(
            files,
            "--k",
            "1",
            "--per-locality",
            "--population",
            str(files["population"]),
            "--weight",
            "aged_60_plus",
            "--out",
            str(out),
        )
    )
    older, everyone = int(raw["aged_60_plus"].sum()), int(raw["population"].sum())
    said = " ".join(result.output.split())
    assert f"weighted by aged_60_plus: {older:,} of {everyone:,} people" in said
    coverage = read_table(out / "hub_coverage.csv")
    assert float(coverage["population"].iloc[-1]) == pytest.approx(older)
    covered = pd.to_numeric(coverage["covered"])
    assert 0 < covered.iloc[-1] <= older
    assert covered.iloc[:-1].sum() == pytest.approx(covered.iloc[-1])


def test_hubs_weight_must_be_a_count_column_of_the_points(files, tmp_path, capsys):
    message = fails(_hubs(files, "--weight", "aged_60_plus", "--out", str(tmp_path)), capsys)
    assert "--weight aged_60_plus needs --population" in message
    population = ["--population", str(files["population"])]
    message = fails(
        _hubs(files, *population, "--weight", "over_90", "--out", str(tmp_path)), capsys
    )
    assert "no column 'over_90'" in message
    assert "aged_60_plus" in message
    bad = demo_chain().raw_population.copy()
    bad.loc[bad.index[4], "aged_60_plus"] = -3
    path = write_geopackage(tmp_path / "bad.gpkg", {"population": bad}, provenance=DEMO)
    message = fails(
        _hubs(files, "-p", str(path), "-w", "aged_60_plus", "--out", str(tmp_path)), capsys
    )
    assert "1 value(s) that are not counts of 0 or more (rows 5)" in message
