"""``localitygis build`` on real files: GeoPackage, Shapefile, GeoJSON, CSV lookups, errors."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from localitygis.cli import main
from localitygis.crs import to_wgs84
from localitygis.demo.county import demo_dir, load_demo
from localitygis.io import read_table
from tests._clidata import demo_build_args, demo_folder, fails, ok

_HEREFORDSHIRE_TOML = Path(__file__).parents[1] / "localitygis" / "data" / "herefordshire.toml"


@pytest.fixture(scope="module")
def demo() -> Path:
    return demo_folder()


def test_build_from_the_demo_geopackage(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ok(demo_build_args(out))
    # The rich tables: the nine localities and the quality checks.
    for name in ("Hereford City", "Golden Valley", "Ross-on-Wye", "Quality report"):
        assert name in result.output
    assert "split parishes" in result.output
    assert "Generated demo data" in result.output
    assert set(pyogrio.list_layers(out / "localities.gpkg")[:, 0]) == {
        "parishes",
        "catchments",
        "localities",
    }
    localities = gpd.read_file(out / "localities.gpkg", layer="localities")
    assert localities.crs == "EPSG:27700"
    assert len(localities) == 9
    assert localities["tier"].tolist() == [3, 2, 2, 2, 2, 2, 1, 1, 1]
    assert localities["attribution"].str.startswith("Generated demo data").all()
    parishes = gpd.read_file(out / "localities.gpkg", layer="parishes")
    assert len(parishes) == 203
    assert {"catchment", "catchment_share", "locality", "tier", "reason"} <= set(parishes.columns)
    web = json.loads((out / "localities.geojson").read_text(encoding="utf-8"))
    assert len(web["features"]) == 9
    lon, lat = web["features"][0]["geometry"]["coordinates"][0][0][:2]
    assert -3.5 < lon < -2.0
    assert 51.7 < lat < 52.6
    summary = read_table(out / "localities_summary.csv")
    assert summary["locality"].tolist()[0] == "Hereford City"
    population = pd.to_numeric(summary["population"]).sum()
    assert population == parishes["population"].sum()
    quality = read_table(out / "quality_report.csv")
    assert list(quality.columns[:4]) == ["check", "status", "count", "detail"]
    split = read_table(out / "split_parishes.csv")
    assert len(split) == 3
    assert not (out / "rejects.csv").exists()


def test_build_from_a_cp1252_lookup_with_curly_apostrophes(demo: Path, tmp_path: Path) -> None:
    lookup = pd.read_csv(demo / "parish_catchment_lookup.csv", encoding="utf-8-sig")
    lookup = lookup.rename(columns={"parish_code": "Parish Code", "catchment": "School Area"})
    lookup["School Area"] = lookup["School Area"].str.replace("'", "\u2019")
    path = tmp_path / "lookup.csv"
    lookup.to_csv(path, index=False, encoding="cp1252")
    assert "\u2019".encode("cp1252") in path.read_bytes()
    out = tmp_path / "out"
    result = ok(
        [
            "build",
            "-p",
            str(demo / "demo_county.gpkg"),
            "--lookup",
            str(path),
            "--lookup-code-field",
            "Parish Code",
            "--catchment-field",
            "School Area",
            "-o",
            str(out),
        ]
    )
    assert "Kington" in result.output
    summary = read_table(out / "localities_summary.csv")
    assert len(summary) == 9
    catchments = gpd.read_file(out / "localities.gpkg", layer="catchments")
    assert len(catchments) == 14
    assert "Lady Hawkins\u2019" in set(catchments["catchment"])
    assert not (out / "split_parishes.csv").exists()  # shares are not measured on this route


def test_build_from_shapefile_and_geojson_with_a_scheme_file(tmp_path: Path) -> None:
    demo = load_demo()
    # A Shapefile keeps names of up to 10 characters: the parish fields without the age bands.
    parishes = demo.parishes[["PAR21CD", "PAR21NM", "population", "geometry"]].rename(
        columns={"PAR21CD": "PCODE", "PAR21NM": "PNAME", "population": "RESIDENTS"}
    )
    parishes.to_file(tmp_path / "parishes.shp")
    catchments = to_wgs84(demo.catchments.drop(columns="data_source"))
    catchments = catchments.rename(columns={"catchment": "area_name"})
    catchments.to_file(tmp_path / "catchments.geojson")
    scheme = _HEREFORDSHIRE_TOML.read_text(encoding="utf-8")
    scheme = scheme.replace('name = "Weobley"\ntier = 1', 'name = "Weobley"\ntier = 2', 1)
    (tmp_path / "my_scheme.toml").write_text(scheme, encoding="utf-8")
    out = tmp_path / "out"
    ok(
        [
            "build",
            "--parishes",
            str(tmp_path / "parishes.shp"),
            "--code-field",
            "PCODE",
            "--name-field",
            "PNAME",
            "--population-field",
            "RESIDENTS",
            "--catchments",
            str(tmp_path / "catchments.geojson"),
            "--catchment-field",
            "area_name",
            "--scheme",
            str(tmp_path / "my_scheme.toml"),
            "--out",
            str(out),
            "--engine",
            "fiona",
        ]
    )
    localities = gpd.read_file(out / "localities.gpkg", layer="localities").set_index("locality")
    assert localities.loc["Weobley", "tier"] == 2
    assert int(localities["population"].sum()) == int(demo.parishes["population"].sum())
    # The catchments went through WGS84 and back: still three split parishes, no more.
    split = read_table(out / "split_parishes.csv")
    assert len(split) == 3


def test_rejected_parishes_are_written_out(tmp_path: Path) -> None:
    demo = load_demo()
    parishes = demo.parishes.copy()
    parishes.loc[5, "geometry"] = None
    path = tmp_path / "parishes.gpkg"
    parishes.to_file(path, layer="parishes")
    demo.catchments.to_file(path, layer="catchments")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "split_parishes.csv").write_text("stale", encoding="utf-8")
    result = ok(["build", "-p", str(path), "-c", str(path), "-o", str(out), "--min-share", "0.5"])
    assert "1 parish feature(s) rejected" in result.output
    rejects = read_table(out / "rejects.csv")
    assert rejects["reason"].tolist() == ["missing geometry"]
    assert rejects["parish_name"].tolist() == [parishes.loc[5, "PAR21NM"]]
    assert rejects["parish_code"].tolist() == [parishes.loc[5, "PAR21CD"]]
    assert rejects["row"].tolist() == ["6"]  # read_table keeps text as text
    # No parish is split below 0.5, so the stale listing is gone rather than misleading.
    assert not (out / "split_parishes.csv").exists()


# ---------------------------------------------------------------- errors


def test_missing_file_is_one_line(tmp_path: Path, capsys) -> None:
    message = fails(
        ["build", "-p", str(tmp_path / "nope.gpkg"), "-c", str(tmp_path / "c.gpkg")], capsys
    )
    assert "nope.gpkg" in message
    assert message.startswith("error:")


def test_catchments_or_lookup_exactly(demo: Path, capsys) -> None:
    gpkg = str(demo / "demo_county.gpkg")
    assert "either --catchments (polygons) or --lookup" in fails(["build", "-p", gpkg], capsys)
    lookup = str(demo / "parish_catchment_lookup.csv")
    message = fails(["build", "-p", gpkg, "-c", gpkg, "-l", lookup], capsys)
    assert "exactly one of them" in message


def test_shapefile_without_crs_needs_crs_option(tmp_path: Path, capsys) -> None:
    demo = load_demo()
    shapefile_fields = ["PAR21CD", "PAR21NM", "population", "geometry"]  # names of ≤ 10 characters
    demo.parishes[shapefile_fields].to_file(tmp_path / "parishes.shp")
    (tmp_path / "parishes.prj").unlink()
    catchments = str(demo_dir() / "demo_county.gpkg")
    args = ["build", "-p", str(tmp_path / "parishes.shp"), "-c", catchments, "-o", str(tmp_path)]
    message = fails(args, capsys)
    assert "CRS" in message
    assert "--crs" in message or "crs" in message.lower()
    assert main([*args, "--crs", "EPSG:27700"]) == 0
    assert (tmp_path / "localities.gpkg").exists()


def test_lookup_with_unknown_parishes(demo: Path, tmp_path: Path, capsys) -> None:
    lookup = pd.read_csv(demo / "parish_catchment_lookup.csv", encoding="utf-8-sig")
    lookup.loc[len(lookup)] = {"parish_code": "E04999999", "catchment": "Weobley"}
    path = tmp_path / "lookup.csv"
    lookup.to_csv(path, index=False)
    message = fails(["build", "-p", str(demo / "demo_county.gpkg"), "-l", str(path)], capsys)
    assert "E04999999 (row 205)" in message


def test_invalid_scheme_file(demo: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "bad.toml").write_text(
        '[scheme]\nname = "Bad"\n[tiers.1]\nname = "Rural"\n'
        '[[localities]]\nname = "A"\ntier = 5\ncatchments = ["Weobley"]\n',
        encoding="utf-8",
    )
    gpkg = str(demo / "demo_county.gpkg")
    message = fails(
        ["build", "-p", gpkg, "-c", gpkg, "--scheme", str(tmp_path / "bad.toml")], capsys
    )
    assert "unknown tier 5" in message
    message = fails(["build", "-p", gpkg, "-c", gpkg, "--scheme", "atlantis"], capsys)
    assert "is not a packaged scheme (herefordshire, demo)" in message


def test_catchments_missing_from_the_scheme(demo: Path, tmp_path: Path, capsys) -> None:
    scheme = _HEREFORDSHIRE_TOML.read_text(encoding="utf-8")
    (tmp_path / "partial.toml").write_text(
        scheme.replace('catchments = ["Fairfield", "Kingstone"]', 'catchments = ["Fairfield"]'),
        encoding="utf-8",
    )
    gpkg = str(demo / "demo_county.gpkg")
    message = fails(
        ["build", "-p", gpkg, "-c", gpkg, "--scheme", str(tmp_path / "partial.toml")], capsys
    )
    assert "does not place in any locality: Kingstone" in message


def test_debug_shows_the_traceback(demo: Path, tmp_path: Path) -> None:
    from localitygis.errors import InputFileError

    with pytest.raises(InputFileError):
        main(["--debug", "build", "-p", str(tmp_path / "nope.gpkg"), "-c", "x.gpkg"])


# ---------------------------------------------------------------- --population-table


def _census_table(demo: Path, path: Path) -> dict[str, int]:
    """Write a cp1252 Census-style table for the demo parishes; return the values it lists.

    Every parish gets a new population ("1,234" style), except the last, which has none; a
    code of no parish, a repeated code and a negative value are rejects.
    """
    parishes = load_demo().parishes
    codes = parishes["PAR21CD"].tolist()
    names = parishes["PAR21NM"].tolist()
    names[0] = "Llancillo & Rowlestone"
    values = {code: 900 + (i * 613) % 3000 for i, code in enumerate(codes[:-2])}
    rows = [[code, names[i], f"{values[code]:,}"] for i, code in enumerate(codes[:-2])]
    rows += [
        ["E04999999", "Much Dewchurch – Bryngwyn", "120"],  # row 203: no such parish
        [codes[-2], names[-2], "-4"],  # row 204: negative
        [codes[3], names[3], "77"],  # row 205: repeats row 5's code
    ]
    del values[codes[3]]
    frame = pd.DataFrame(rows, columns=["Parish code", "Parish name", "Usual residents"])
    frame.to_csv(path, index=False, encoding="cp1252")
    return values


def test_build_with_a_population_table(demo: Path, tmp_path: Path) -> None:
    table = tmp_path / "ts001_parish.csv"
    values = _census_table(demo, table)
    assert "–".encode("cp1252") in table.read_bytes()
    out = tmp_path / "out"
    result = ok([*demo_build_args(out), "--population-table", str(table)])
    assert (
        "population table: 200 of 203 parishes got a population; 4 table rows rejected "
        "(1 for parishes not in this build); 3 parishes had none (ts001_parish.csv; the "
        "rejected rows are in rejects.csv)"
    ) in result.output
    assert "population column was replaced" in result.output

    rejects = read_table(out / "rejects.csv")
    assert list(rejects.columns[:3]) == ["source", "row", "reason"]
    assert rejects["source"].tolist() == ["population table"] * 4
    assert rejects["row"].tolist() == ["5", "203", "204", "205"]
    assert rejects["reason"].tolist()[1:3] == [
        "no parish has code E04999999",
        "population '-4' is negative",
    ]
    assert "is repeated (also row 205)" in rejects["reason"].iloc[0]
    assert rejects["Parish name"].iloc[1] == "Much Dewchurch – Bryngwyn"

    # The localities' populations are the table's values summed by locality.
    parishes = gpd.read_file(out / "localities.gpkg", layer="parishes")
    locality_of = dict(zip(parishes["parish_code"], parishes["locality"], strict=True))
    expected: dict[str, int] = {}
    for code, people in values.items():
        expected[locality_of[code]] = expected.get(locality_of[code], 0) + people
    summary = read_table(out / "localities_summary.csv")
    got = dict(zip(summary["locality"], pd.to_numeric(summary["population"]), strict=True))
    assert got == expected
    assert parishes["population"].isna().sum() == 3
    quality = read_table(out / "quality_report.csv").set_index("check")
    assert quality.loc["parishes without population", "count"] == "3"
    # The Census attribution reaches every output, alongside the demo notice.
    localities = gpd.read_file(out / "localities.gpkg", layer="localities")
    for attribution in (localities["attribution"], summary["attribution"]):
        assert attribution.str.contains("Generated demo data").all()
        assert attribution.str.contains(
            "Source: Office for National Statistics licensed under the Open Government Licence"
        ).all()
    assert "Office for National Statistics" in result.output


def test_population_rejects_join_the_parish_rejects(tmp_path: Path) -> None:
    demo = load_demo()
    parishes = demo.parishes.drop(columns="population")
    parishes.loc[5, "geometry"] = None
    path = tmp_path / "parishes.gpkg"
    parishes.to_file(path, layer="parishes")
    demo.catchments.to_file(path, layer="catchments")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["geography", "geography code", "Observation"])
    for name, code in zip(parishes["PAR21NM"], parishes["PAR21CD"], strict=True):
        sheet.append([name, code, 100])
    sheet.append(["Nowhere", "W04000999", 5])
    book.save(tmp_path / "census.xlsx")
    out = tmp_path / "out"
    args = ["build", "-p", str(path), "-c", str(path), "-o", str(out), "--min-share", "0.5"]
    result = ok([*args, "--population-table", str(tmp_path / "census.xlsx")])
    assert "203 of 203 parishes got a population; 1 table row rejected" in result.output
    assert "replaced" not in result.output
    rejects = read_table(out / "rejects.csv")
    assert rejects["source"].tolist() == ["parishes", "population table"]
    assert rejects["row"].tolist() == ["6", "205"]
    assert rejects["reason"].tolist() == ["missing geometry", "no parish has code W04000999"]
    assert rejects["geography code"].tolist()[1] == "W04000999"
    summary = read_table(out / "localities_summary.csv")
    assert pd.to_numeric(summary["population"]).sum() == 100 * 202  # the rejected parish's too


def test_a_wrong_population_column_is_one_line(demo: Path, tmp_path: Path, capsys) -> None:
    table = tmp_path / "census.csv"
    _census_table(demo, table)
    args = [*demo_build_args(tmp_path / "out"), "--population-table", str(table)]
    message = fails([*args, "--population-table-field", "Residents"], capsys)
    assert message.startswith("error: population table census.csv: no column named 'Residents'")
    assert "Parish code, Parish name, Usual residents" in message
    assert "--population-table-field" in message
    assert not (tmp_path / "out" / "localities.gpkg").exists()
    message = fails([*args, "--population-table-code-field", "GSS"], capsys)
    assert "no column named 'GSS' for the parish code" in message
    assert "--population-table-code-field" in message
    unrecognised = tmp_path / "other.csv"
    unrecognised.write_text("id,people\nE04009001,5\n", encoding="utf-8")
    message = fails(
        [*demo_build_args(tmp_path / "out"), "--population-table", str(unrecognised)], capsys
    )
    assert "other.csv: no parish code column found among: id, people" in message


def test_population_table_options_need_the_table(demo: Path, tmp_path: Path, capsys) -> None:
    args = [*demo_build_args(tmp_path / "out"), "--population-table-field", "Observation"]
    assert "give the table too" in fails(args, capsys)
    missing = [*demo_build_args(tmp_path / "out"), "--population-table", str(tmp_path / "no.csv")]
    assert "no.csv" in fails(missing, capsys)
