"""``localitygis assets`` and ``localitygis locate`` on real files."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely import Point

from localitygis.io import read_table
from tests._clidata import build_demo, demo_folder, fails, ok


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The demo folder and a localities.gpkg built from it by ``localitygis build``."""
    return demo_folder(), build_demo(tmp_path_factory.mktemp("build"))


def test_assets_on_the_demo_register(built, tmp_path: Path) -> None:
    demo, localities = built
    out = tmp_path / "out"
    result = ok(
        ["assets", str(demo / "asset_register.csv"), "--localities", str(localities),
         "--postcodes", str(demo / "postcode_directory.csv"), "--scheme", "demo",
         "--out", str(out)]
    )  # fmt: skip
    register = read_table(demo / "asset_register.csv")
    assets = gpd.read_file(out / "assets.gpkg", layer="assets")
    rejects = read_table(out / "asset_rejects.csv")
    assert len(assets) + len(rejects) == len(register)
    assert re.search(rf"read\s*│\s*{len(register):,}\s*│", result.output)
    assert re.search(rf"located\s*│\s*{len(assets):,}\s*│", result.output)
    for text in ("located", "rejected", "Hereford City", "Golden Valley", "Generated demo data"):
        assert text in result.output
    assert assets.crs == "EPSG:27700"
    assert {"parish_code", "locality", "tier", "tier_name"} <= set(assets.columns)
    assert assets["attribution"].str.startswith("Generated demo data").all()
    table = read_table(out / "assets.csv")
    assert table["asset_id"].tolist() == assets["asset_id"].tolist()
    assert {"easting", "northing"} <= set(table.columns)
    assert pyogrio.list_layers(out / "assets.gpkg")[:, 0].tolist() == ["assets"]


def test_assets_with_bad_rows_and_column_mapping(built, tmp_path: Path) -> None:
    _, localities = built
    register = tmp_path / "register.csv"
    register.write_bytes(
        (
            "Ref,Site Name,What,Owner,Type Of Owner,E,N\n"
            "S1,Hereford Library,Library,Herefordshire Council,Council,350880,239843\n"
            "S2,Liberry,Liberry,Herefordshire Council,Council,350880,239843\n"
            ",,,,,,\n"
            "S4,Café in Wales,Café,Private,Private,300000,270000\n"
            "S1,Dup,Library,Council,Council,350880,239843\n"
        ).encode("cp1252")
    )
    out = tmp_path / "out"
    result = ok(
        ["assets", str(register), "-l", str(localities), "--out", str(out),
         "--column", "What=category", "--column", "Type Of Owner=sector",
         "-c", "E=easting", "-c", "N=northing", "-c", "Ref=asset_id"]
    )  # fmt: skip
    for text in ("unknown category", "blank row", "duplicate asset_id"):
        assert text in result.output
    rejects = read_table(out / "asset_rejects.csv")
    assert rejects["row"].tolist() == ["3", "4", "5", "6"]
    assert rejects["Site Name"].tolist()[0] == "Liberry"
    assert "Café" in rejects["What"].tolist()
    assets = read_table(out / "assets.csv")
    assert assets["asset_id"].tolist() == ["S1"]
    assert assets["locality"].tolist() == ["Hereford City"]


def test_assets_errors_are_one_line(built, tmp_path: Path, capsys) -> None:
    _, localities = built
    register = tmp_path / "register.csv"
    register.write_text("name,category\nLibrary,library\n", encoding="utf-8")
    assert "no position columns" in fails(
        ["assets", str(register), "-l", str(localities), "--out", str(tmp_path)], capsys
    )
    message = fails(["assets", str(register), "-l", str(localities), "-c", "x=nonsense"], capsys)
    assert "bad --column" in message
    assert "nonsense" in message
    assert "asset register not found" in fails(
        ["assets", str(tmp_path / "none.csv"), "-l", str(localities)], capsys
    )
    demo = demo_folder()
    message = fails(["assets", str(register), "-l", str(demo / "demo_county.gpkg")], capsys)
    assert "lacks" in message or "localitygis build" in message


def test_locate_by_postcode_coordinates_and_degrees(built, tmp_path: Path) -> None:
    demo, localities = built
    hubs = tmp_path / "hubs.gpkg"
    gpd.GeoDataFrame(
        {"name": ["Hereford <b>Hub</b>"]}, geometry=[Point(351_000, 240_000)], crs=27700
    ).to_file(hubs, layer="hubs")
    by_postcode = ok(
        ["locate", "hr4 0as", "-l", str(localities), "-p", str(demo / "postcode_directory.csv"),
         "--hubs", str(hubs)]
    )  # fmt: skip
    for text in ("HR4 0AS", "Hereford City", "3", "Hereford <b>Hub</b>", "m"):
        assert text in by_postcode.output
    by_grid = ok(["locate", "-e", "350880", "-n", "239843", "-l", str(localities)])
    assert "Hereford City" in by_grid.output
    by_degrees = ok(["locate", "--lat", "52.056", "--lon", "-2.716", "-l", str(localities)])
    assert "Hereford City" in by_degrees.output
    assert "Generated demo data" in by_degrees.output


def test_locate_errors(built, capsys) -> None:
    demo, localities = built
    assert "outside the county" in fails(
        ["locate", "-e", "300000", "-n", "270000", "-l", str(localities)], capsys
    )
    assert "look swapped" in fails(
        ["locate", "--lat", "-2.716", "--lon", "52.056", "-l", str(localities)], capsys
    )
    assert "needs a postcode directory" in fails(
        ["locate", "HR4 0AS", "-l", str(localities)], capsys
    )
    assert "exactly one place" in fails(
        ["locate", "HR4 0AS", "-e", "1", "-n", "2", "-l", str(localities)], capsys
    )
    assert "exactly one place" in fails(["locate", "-l", str(localities)], capsys)
    assert "give both --easting and --northing" in fails(
        ["locate", "-e", "350880", "-l", str(localities)], capsys
    )
    assert "is not in" in fails(
        ["locate", "SW1A 1AA", "-l", str(localities), "-p",
         str(demo / "postcode_directory.csv")], capsys,
    )  # fmt: skip
