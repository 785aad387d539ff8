"""The real-data path, end to end, on files shaped exactly like the ones a council downloads.

The fixtures are generated here from the demo geometry but dressed as the real products:
- ONS "Parishes (December 2024) Boundaries EW BFC" GeoPackage: layer
  ``PAR_DEC_2024_EW_BFC``, fields ``FID, PAR24CD, PAR24NM, PAR24NMW, BNG_E, BNG_N, LONG, LAT,
  GlobalID``, covering more than one district;
- ONS "Parish to Local Authority District (December 2024) Lookup in EW" CSV
  (``PAR24CD, PAR24NM, LAD24CD, LAD24NM``);
- the council's catchment layer as WGS84 GeoJSON with its own field name;
- an ONS Postcode Directory extract (``pcd, pcd2, pcds, dointr, doterm, oscty, oslaua,
  osward, parish, usertype, oseast1m, osnrth1m, osgrdind, ctry, lat, long``) and a
  Code-Point Open CSV (no header, 7-character postcodes);
- a council asset register in Excel with the council's own column names.

Nothing here is labelled demo data, so every output must carry the OS / ONS attribution.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from localitygis.assets.postcodes import read_postcode_directory
from localitygis.cli import app
from localitygis.crs import bng_to_lonlat
from localitygis.demo.county import load_demo
from localitygis.io import list_layers, read_table, read_vector
from localitygis.provenance import DEMO_NOTICE, provenance_of

pytestmark = pytest.mark.slow

LAD_CODE, LAD_NAME = "E06000019", "Herefordshire, County of"
BFC_LAYER = "PAR_DEC_2024_EW_BFC"


@pytest.fixture(scope="module")
def real_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    demo = load_demo()

    # Parish boundaries for two districts: ours, and a neighbour 150 km east.
    ours = demo.parishes.rename(columns={"PAR21CD": "PAR24CD", "PAR21NM": "PAR24NM"})
    ours = ours[["PAR24CD", "PAR24NM", "geometry"]]
    theirs = ours.head(12).copy()
    theirs["PAR24CD"] = [f"E04099{i:03d}" for i in range(len(theirs))]
    theirs["PAR24NM"] = [f"Elsewhere {i}" for i in range(len(theirs))]
    theirs["geometry"] = theirs.geometry.translate(150_000, 0)
    national = gpd.GeoDataFrame(pd.concat([ours, theirs], ignore_index=True), crs=27700)
    points = national.geometry.representative_point()
    lon, lat = bng_to_lonlat(points.x, points.y)
    national.insert(0, "FID", np.arange(1, len(national) + 1))
    national.insert(3, "PAR24NMW", " ")
    national["BNG_E"] = points.x.round().astype(int)
    national["BNG_N"] = points.y.round().astype(int)
    national["LONG"], national["LAT"] = lon, lat
    national["GlobalID"] = [f"{{0000-{i:08d}}}" for i in range(len(national))]
    bfc = folder / "PAR_DEC_2024_EW_BFC.gpkg"
    national.to_file(bfc, layer=BFC_LAYER)

    lookup = pd.DataFrame(
        {
            "PAR24CD": national["PAR24CD"],
            "PAR24NM": national["PAR24NM"],
            "LAD24CD": [LAD_CODE] * len(ours) + ["E07000238"] * len(theirs),
            "LAD24NM": [LAD_NAME] * len(ours) + ["Wychavon"] * len(theirs),
        }
    )
    lookup_csv = folder / "PAR24_LAD24_EW_LU.csv"
    lookup.to_csv(lookup_csv, index=False)

    catchments = demo.catchments[["catchment", "geometry"]].rename(
        columns={"catchment": "CATCH_NAME"}
    )
    catchments_json = folder / "secondary_catchments.geojson"
    catchments.to_crs(4326).to_file(catchments_json)

    directory = demo.postcodes.drop(columns=["data_source"])
    onspd = pd.DataFrame(
        {
            "pcd": directory["pcd"],
            "pcd2": directory["pcd2"],
            "pcds": directory["pcds"],
            "dointr": "199801",
            "doterm": "",
            "oscty": "E99999999",
            "oslaua": LAD_CODE,
            "osward": "E05012345",
            "parish": directory["parish"],
            "usertype": "0",
            "oseast1m": directory["oseast1m"],
            "osnrth1m": directory["osnrth1m"],
            "osgrdind": "1",
            "ctry": "E92000001",
            "lat": directory["lat"],
            "long": directory["long"],
        }
    )
    onspd_csv = folder / "ONSPD_NOV_2024_UK_HR.csv"
    onspd.to_csv(onspd_csv, index=False)
    codepoint_csv = folder / "hr.csv"
    pd.DataFrame(
        {
            "Postcode": directory["pcd"],
            "Positional_quality_indicator": 10,
            "Eastings": directory["oseast1m"],
            "Northings": directory["osnrth1m"],
            "Country_code": "E92000001",
            "NHS_regional_HA_code": "E19000001",
            "NHS_HA_code": "E18000001",
            "Admin_county_code": "",
            "Admin_district_code": LAD_CODE,
            "Admin_ward_code": "E05012345",
        }
    ).to_csv(codepoint_csv, index=False, header=False)

    register = demo.assets.drop(columns=["data_source", "place"]).rename(
        columns={
            "asset_id": "Property Ref",
            "name": "Property Name",
            "category": "Service",
            "partner": "Occupier",
            "sector": "Organisation Type",
            "postcode": "Post Code",
            "easting": "Easting",
            "northing": "Northing",
            "latitude": "Latitude",
            "longitude": "Longitude",
            "annual_cost": "Running Cost (£)",
            "floor_area_m2": "GIA m2",
        }
    )
    register_xlsx = folder / "Property Register 2024.xlsx"
    register.to_excel(register_xlsx, index=False, sheet_name="Sites")
    return {
        "bfc": bfc,
        "lookup": lookup_csv,
        "catchments": catchments_json,
        "onspd": onspd_csv,
        "codepoint": codepoint_csv,
        "register": register_xlsx,
        "parish_count": len(ours),
        "asset_count": len(register),
    }


COLUMN_MAPPING = [
    "Property Ref=asset_id",
    "Property Name=name",
    "Service=category",
    "Occupier=partner",
    "Organisation Type=sector",
    "Post Code=postcode",
    "Running Cost (£)=annual_cost",
    "GIA m2=floor_area_m2",
]


@pytest.fixture(scope="module")
def built(real_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("council")
    runner = CliRunner()
    build = runner.invoke(
        app,
        [
            "build",
            "--parishes",
            f"{real_files['bfc']}#{BFC_LAYER}",
            "--district",
            LAD_CODE,
            "--district-lookup",
            str(real_files["lookup"]),
            "--catchments",
            str(real_files["catchments"]),
            "--catchment-field",
            "CATCH_NAME",
            "--out",
            str(out),
        ],
    )
    assets = runner.invoke(
        app,
        [
            "assets",
            str(real_files["register"]),
            "--localities",
            str(out / "localities.gpkg"),
            "--postcodes",
            str(real_files["onspd"]),
            "--sheet",
            "Sites",
            "--out",
            str(out),
            *[arg for pair in COLUMN_MAPPING for arg in ("--column", pair)],
        ],
    )
    return out, build, assets


def test_build_selects_the_district_and_names_the_attribution(built, real_files):
    out, build, _ = built
    assert build.exit_code == 0, build.output
    assert "Crown copyright" in build.output
    assert list_layers(out / "localities.gpkg") == ["parishes", "catchments", "localities"]
    parishes = read_vector(out / "localities.gpkg", layer="parishes")
    assert len(parishes) == real_files["parish_count"]
    assert not parishes["parish_name"].str.startswith("Elsewhere").any()
    localities = read_vector(out / "localities.gpkg", layer="localities")
    assert len(localities) == 9
    assert not provenance_of(localities).is_demo
    assert localities["area_km2"].sum() == pytest.approx(parishes.area.sum() / 1e6, rel=1e-4)


def test_assets_from_the_council_register_reconcile(built, real_files):
    out, _, assets = built
    assert assets.exit_code == 0, assets.output
    located = read_vector(out / "assets.gpkg")
    rejects = read_table(out / "asset_rejects.csv")
    assert len(located) + len(rejects) == real_files["asset_count"]
    assert len(located) == real_files["asset_count"]
    assert located["locality"].notna().all()
    assert (located["attribution"].str.contains("Crown copyright")).all()
    assert DEMO_NOTICE not in assets.output


def test_codepoint_open_and_onspd_agree(real_files):
    onspd = read_postcode_directory(real_files["onspd"])
    codepoint = read_postcode_directory(real_files["codepoint"])
    merged = onspd.merge(codepoint, on="postcode", suffixes=("_onspd", "_cp"))
    assert len(merged) == len(onspd) == len(codepoint)
    assert np.allclose(merged["easting_onspd"], merged["easting_cp"])


def test_locate_a_postcode_with_code_point_open(built, real_files):
    out, _, _ = built
    directory = read_postcode_directory(real_files["codepoint"])
    postcode = str(directory["postcode"].iloc[0])
    result = CliRunner().invoke(
        app,
        [
            "locate",
            postcode,
            "--localities",
            str(out / "localities.gpkg"),
            "--postcodes",
            str(real_files["codepoint"]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert any(name in result.output for name in ("Hereford", "Bromyard", "Ross", "Kington"))


def test_real_data_maps_carry_the_os_attribution(built, tmp_path):
    out, _, _ = built
    target = tmp_path / "county.html"
    result = CliRunner().invoke(
        app, ["map", "county", "--localities", str(out / "localities.gpkg"), "--out", str(target)]
    )
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert "Crown copyright" in html
    assert DEMO_NOTICE not in html


def test_unknown_district_is_a_clear_error(real_files, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--parishes",
            f"{real_files['bfc']}#{BFC_LAYER}",
            "--district",
            "Herefordshire",
            "--district-lookup",
            str(real_files["lookup"]),
            "--catchments",
            str(real_files["catchments"]),
            "--catchment-field",
            "CATCH_NAME",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code != 0
    assert "no district 'Herefordshire'" in result.output + str(result.exception)
    assert "Herefordshire, County of" in result.output + str(result.exception)


def test_the_national_file_without_a_district_reports_parishes_outside_every_catchment(
    real_files, tmp_path
):
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--parishes",
            f"{real_files['bfc']}#{BFC_LAYER}",
            "--catchments",
            str(real_files["catchments"]),
            "--catchment-field",
            "CATCH_NAME",
            "--out",
            str(tmp_path),
        ],
    )
    text = result.output + str(result.exception)
    assert result.exit_code != 0
    assert "Elsewhere" in text or "E04099" in text


def test_fixture_parishes_are_a_valid_coverage(real_files):
    parishes = read_vector(real_files["bfc"], layer=BFC_LAYER)
    assert shapely.coverage_is_valid(parishes.geometry.values)


def test_district_needs_its_lookup(real_files, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "build",
            "--parishes",
            f"{real_files['bfc']}#{BFC_LAYER}",
            "--district",
            LAD_CODE,
            "--catchments",
            str(real_files["catchments"]),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert "--district and --district-lookup go together" in result.output
