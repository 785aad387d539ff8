"""``localitygis stats`` and ``localitygis profile --small-areas`` on the real published files."""

from __future__ import annotations

import csv

import pytest

from localitygis.io import read_table
from localitygis.statistics import read_small_areas
from tests._clidata import build_demo, fails, ok
from tests._realdata import (
    COUNTY_POPULATION,
    IMD,
    IMD_ENGLAND,
    LSOA,
    OA,
    POPULATION,
    POPULATION_ENGLAND,
    realgeo,
)

TOTAL = "Total population: mid 2015 (excluding prisoners)"


@pytest.fixture(scope="module")
def localities(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("stats_build"))


def stats_args(localities, out, *extra):
    return [
        "stats",
        str(realgeo(LSOA)),
        str(realgeo(IMD_ENGLAND)),
        str(realgeo(POPULATION)),
        "-l",
        str(localities),
        "--out",
        str(out),
        *extra,
    ]


def test_stats_best_fit_by_locality_with_the_iod_recognised(localities, tmp_path):
    result = ok(stats_args(localities, tmp_path))
    assert "32,728 row(s) for other districts' areas left out" in result.output
    table = read_table(tmp_path / "small_area_statistics.csv")
    assert len(table) == 9
    totals = read_table(tmp_path / "small_area_totals.csv").set_index("column")
    given = int(totals.loc[TOTAL, "small_areas_total"])
    assert int(pd_sum(table[TOTAL])) == given
    assert given + int(float(totals.loc[TOTAL, "rejected_total"])) == COUNTY_POPULATION
    rejects = read_table(tmp_path / "small_area_rejects.csv")
    fit = read_table(tmp_path / "small_area_fit.csv")
    assert len(fit) + (rejects["source"] != IMD_ENGLAND).sum() == 116
    assert "English Indices of Deprivation 2019" in table["attribution"].iloc[0]
    assert "Index of Multiple Deprivation (IMD) Rank: mean rank" in table.columns


def pd_sum(values):
    return sum(int(v) for v in values)


def test_stats_area_weighted_by_parish_with_named_columns(localities, tmp_path):
    ok(
        stats_args(
            localities,
            tmp_path,
            "--method",
            "area-weighted",
            "--by",
            "parish",
            "--count",
            "total population",
            "--rank",
            "IMD) Rank",
            "--decile",
            "IMD) Decile",
            "--weight",
            "total population",
        )
    )
    table = read_table(tmp_path / "small_area_statistics.csv")
    assert table.columns[0] == "parish_code"
    assert len(table) == 203
    people = sum(float(v) for v in table[TOTAL])
    assert people == pytest.approx(COUNTY_POPULATION, rel=1e-9)  # every LSOA overlaps a parish
    fit = read_table(tmp_path / "small_area_fit.csv")
    shares = fit.assign(share=fit["share"].astype(float)).groupby("area_code")["share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)


def test_stats_on_output_areas_with_a_table_of_its_own(localities, tmp_path):
    table = tmp_path / "oa_people.csv"
    codes = read_small_areas(realgeo(OA))["area_code"].tolist()
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["OA11CD", "people"])
        writer.writerows([code, i % 7] for i, code in enumerate(codes))
    ok(
        [
            "stats",
            str(realgeo(OA)),
            str(table),
            "-l",
            str(localities),
            "--count",
            "people",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    result = read_table(tmp_path / "out" / "small_area_statistics.csv")
    rejects = read_table(tmp_path / "out" / "small_area_rejects.csv")
    lost = sum(i % 7 for i, code in enumerate(codes) if code in set(rejects["area_code"]))
    assert sum(int(v) for v in result["people"]) + lost == sum(i % 7 for i in range(len(codes)))


def test_stats_errors_are_one_line(localities, tmp_path, capsys):
    message = fails(stats_args(localities, tmp_path, "--count", "no such column"), capsys)
    assert "no such column" in message
    assert "--count" in message
    zones = tmp_path / "zones.csv"
    zones.write_text("zone,people\nE01013986,5\n", encoding="utf-8")
    message = fails(["stats", str(realgeo(LSOA)), str(zones), "-l", str(localities)], capsys)
    assert "zones.csv: no table code column found among: zone, people" in message
    assert "--table-code-field" in message
    ok(
        [
            "stats",
            str(realgeo(LSOA)),
            str(zones),
            "-l",
            str(localities),
            "--count",
            "people",
            "--table-code-field",
            "zone",
            "--out",
            str(tmp_path / "zones"),
        ]
    )
    message = fails(
        stats_args(localities, tmp_path, "--rank", "IMD) Rank", "--count", "total population"),
        capsys,
    )
    assert "population" in message


def test_profile_with_the_needs_block(localities, tmp_path):
    result = ok(
        [
            "profile",
            "-l",
            str(localities),
            "--small-areas",
            str(realgeo(LSOA)),
            "--small-area-table",
            str(realgeo(IMD)),
            "--small-area-table",
            str(realgeo(POPULATION_ENGLAND)),
            "--out",
            str(tmp_path),
        ]
    )
    assert "imd mean rank" in result.output
    table = read_table(tmp_path / "profiles.csv")
    assert table["locality"].iloc[-1] == "County"
    for column in ("age_60_plus_share", "imd_mean_rank", "most_deprived_code", "imd_decile_1"):
        assert column in table.columns
    assert (tmp_path / "needs_rejects.csv").exists()
    page = (tmp_path / "profiles.html").read_text(encoding="utf-8")
    assert "most_deprived_name" in page
    assert "English Indices of Deprivation 2019" in page


def test_profile_small_areas_need_their_tables(localities, tmp_path, capsys):
    message = fails(
        [
            "profile",
            "-l",
            str(localities),
            "--small-areas",
            str(realgeo(LSOA)),
            "-o",
            str(tmp_path),
        ],
        capsys,
    )
    assert "--small-area-table" in message


def test_stats_best_fit_with_population_weighted_centroids(localities, tmp_path):
    lsoas = read_small_areas(realgeo(LSOA))
    centroids = lsoas[["area_code"]].rename(columns={"area_code": "LSOA11CD"})
    centroids = centroids.set_geometry(lsoas.representative_point(), crs=27700)
    path = tmp_path / "lsoa_pwc.gpkg"
    centroids.iloc[:100].to_file(path)
    ok(stats_args(localities, tmp_path / "out", "--points", str(path)))
    fit = read_table(tmp_path / "out" / "small_area_fit.csv")
    given = set(centroids["LSOA11CD"].iloc[:100])
    chosen = fit.set_index("area_code")["point"]
    assert (chosen[chosen.index.isin(given)] == "population-weighted centroid").all()
    assert (chosen[~chosen.index.isin(given)] == "representative point").all()
