"""The build route on real boundary files exactly as published (issue 16).

The Herefordshire 2011 Output Areas and LSOAs and the 2013 wards in ``../shared/realgeo``
are GeoJSON in CRS84, as ONS-derived downloads come: the OAs carry codes but no names, and
the LSOAs, reprojected to EPSG:27700, are not a valid coverage (slivers between neighbours).
Each test builds localities through the CLI from a lookup table made here by placing each
small area in the ward holding a point on its surface, with a two-locality scheme: Hereford
City (the seven city wards, tier 3) and the rest of the county (tier 1). Areas reconcile to
the published total, 2,179.7 km².
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from localitygis.io import read_table, read_vector
from localitygis.localities.certificate import certify_coverage
from localitygis.localities.clean import clean_coverage
from localitygis.localities.quality import repair_geometries
from tests._clidata import fails, ok
from tests._realgeo import LSOA, OA, PUBLISHED_AREA_KM2, WARDS, require_realgeo

pytestmark = pytest.mark.slow

CITY_WARDS = (
    "Aylestone",
    "Belmont",
    "Central",
    "St Martins and Hinton",
    "St Nicholas",
    "Three Elms",
    "Tupsley",
)


def _scheme(wards: list[str]) -> str:
    rest = [w for w in wards if w not in CITY_WARDS]
    quoted = ", ".join(f'"{w}"' for w in rest)
    city = ", ".join(f'"{w}"' for w in CITY_WARDS)
    return (
        '[scheme]\nname = "Wards as catchments"\n\n'
        '[tiers.1]\nname = "Rural"\n\n[tiers.3]\nname = "City"\n\n'
        f'[[localities]]\nname = "Hereford City"\ntier = 3\ncatchments = [{city}]\n\n'
        f'[[localities]]\nname = "County"\ntier = 1\ncatchments = [{quoted}]\n'
    )


def _ward_of(areas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> np.ndarray:
    """The ward holding a point on each area's surface (every area must find one)."""
    valid = repair_geometries(areas, layer="areas").frame
    points = gpd.GeoDataFrame(geometry=valid.geometry.representative_point(), crs=valid.crs)
    joined = gpd.sjoin(points, wards[["WD13NM", "geometry"]], predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    assert joined["WD13NM"].notna().all()
    return joined["WD13NM"].to_numpy(dtype=object)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = require_realgeo()
    work = tmp_path_factory.mktemp("published")
    wards = read_vector(folder / WARDS)
    for name, code in ((OA, "OA11CD"), (LSOA, "LSOA11CD")):
        areas = read_vector(folder / name)
        lookup = pd.DataFrame({code: areas[code], "ward": _ward_of(areas, wards)})
        lookup.to_csv(work / f"{code}_to_ward.csv", index=False)
    (work / "scheme.toml").write_text(_scheme(sorted(wards["WD13NM"])), encoding="utf-8")
    return {
        "folder": folder,
        "scheme": work / "scheme.toml",
        "oa_lookup": work / "OA11CD_to_ward.csv",
        "lsoa_lookup": work / "LSOA11CD_to_ward.csv",
        "ward_areas": wards.set_index("WD13NM").geometry.area / 1e6,
    }


def _build(published: dict[str, Path], out: Path, *args: str) -> dict[str, object]:
    result = ok(["build", "--scheme", str(published["scheme"]), "--out", str(out), *args])
    report = read_table(out / "quality_report.csv").set_index("check")
    return {
        "output": result.output,
        "report": report,
        "parishes": read_vector(out / "localities.gpkg", layer="parishes"),
        "localities": read_vector(out / "localities.gpkg", layer="localities"),
    }


def _oa_args(published: dict[str, Path], *fields: str) -> list[str]:
    return [
        "--parishes",
        str(published["folder"] / OA),
        *fields,
        "--lookup",
        str(published["oa_lookup"]),
        "--lookup-code-field",
        "OA11CD",
        "--catchment-field",
        "ward",
    ]


def _lsoa_args(published: dict[str, Path]) -> list[str]:
    return [
        "--parishes",
        str(published["folder"] / LSOA),
        "--code-field",
        "LSOA11CD",
        "--name-field",
        "LSOA11NM",
        "--lookup",
        str(published["lsoa_lookup"]),
        "--lookup-code-field",
        "LSOA11CD",
        "--catchment-field",
        "ward",
    ]


def test_output_areas_with_codes_only_build_and_reconcile_to_the_published_area(
    published, tmp_path
):
    built = _build(published, tmp_path, *_oa_args(published, "--code-field", "OA11CD"))
    parishes, localities, report = built["parishes"], built["localities"], built["report"]
    oas = read_vector(published["folder"] / OA)
    assert len(parishes) == len(oas)
    assert (parishes["parish_name"] == parishes["parish_code"]).all()
    notes = report.loc[["note"], "detail"].tolist()
    assert sum("the parish codes (OA11CD) serve as names" in n for n in notes) == 1
    assert localities["area_km2"].sum() == pytest.approx(PUBLISHED_AREA_KM2, abs=0.05)
    assert report.loc["area reconciliation", "status"] == "ok"
    assert report.loc["dissolve", "detail"] == "coverage_union"
    # The city's OAs make up the city wards, to the slivers between 2011 OAs and 2013 wards.
    city = localities.set_index("locality").loc["Hereford City", "area_km2"]
    wards = published["ward_areas"]
    assert city == pytest.approx(wards[list(CITY_WARDS)].sum(), rel=0.02)


def test_the_code_column_may_also_be_the_name(published, tmp_path):
    args = _oa_args(published, "--code-field", "OA11CD", "--name-field", "OA11CD")
    built = _build(published, tmp_path, *args)
    assert (built["parishes"]["parish_name"] == built["parishes"]["parish_code"]).all()
    assert "serve as names" not in " ".join(built["report"]["detail"].fillna(""))


def test_lsoas_as_published_are_cleaned_and_dissolved_with_the_coverage_union(published, tmp_path):
    raw = read_vector(published["folder"] / LSOA)
    geoms = np.asarray(raw.geometry.array, dtype=object)
    invalid_before = int((~shapely.is_empty(shapely.coverage_invalid_edges(geoms))).sum())
    assert invalid_before > 0  # the published layer is not a coverage once reprojected
    built = _build(published, tmp_path, *_lsoa_args(published))
    report = built["report"]
    cleaned = report.loc["coverage cleaned"]
    assert cleaned["status"] == "repaired"
    assert 0 < int(cleaned["count"]) <= invalid_before
    assert f"{invalid_before} feature(s) with invalid edges before" in cleaned["detail"]
    assert int(report.loc["coverage: invalid edges", "count"]) == 0
    assert int(report.loc["coverage: overlaps", "count"]) == 0
    assert report.loc["dissolve", "detail"] == "coverage_union"
    assert built["localities"]["area_km2"].sum() == pytest.approx(PUBLISHED_AREA_KM2, abs=0.05)
    assert built["localities"]["area_km2"].sum() == pytest.approx(
        shapely.area(geoms).sum() / 1e6, abs=1e-4
    )


def test_without_cleaning_the_slivers_stay_findings(published, tmp_path):
    raw = read_vector(published["folder"] / LSOA)
    geoms = np.asarray(raw.geometry.array, dtype=object)
    invalid = int((~shapely.is_empty(shapely.coverage_invalid_edges(geoms))).sum())
    built = _build(published, tmp_path, *_lsoa_args(published), "--no-clean-coverage")
    report = built["report"]
    assert report.loc["coverage cleaned", "detail"] == "parishes: off"
    assert int(report.loc["coverage: invalid edges", "count"]) == invalid
    assert report.loc["dissolve", "status"] == "warning"
    assert built["localities"]["area_km2"].sum() == pytest.approx(PUBLISHED_AREA_KM2, abs=0.05)


def test_a_tolerance_that_is_not_a_distance_is_one_line(published, tmp_path, capsys):
    message = fails(
        [
            "build",
            *_lsoa_args(published),
            "--scheme",
            str(published["scheme"]),
            "--out",
            str(tmp_path),
            "--clean-coverage",
            "plenty",
        ],
        capsys,
    )
    assert "coverage cleaning tolerance 'plenty' is not a distance" in message
    assert not (tmp_path / "localities.gpkg").exists()


def test_cleaning_the_real_lsoas_moves_only_slivers_and_the_certificate_vouches(published):
    raw = read_vector(published["folder"] / LSOA)
    geoms = np.asarray(raw.geometry.array, dtype=object)
    assert certify_coverage(geoms) is None
    cleaning = clean_coverage(geoms, raw["LSOA11CD"].tolist(), tolerance=1.0)
    assert certify_coverage(cleaning.geometries) is not None
    assert bool(shapely.coverage_is_valid(cleaning.geometries))
    assert len(cleaning.changes) > 0
    # Every change is a sliver: nothing of it is 1 m wide.
    moved = shapely.symmetric_difference(geoms, cleaning.geometries)
    assert shapely.is_empty(shapely.buffer(moved, -0.5)).all()
    assert cleaning.largest_change_m2 == pytest.approx(float(shapely.area(moved).max()), rel=1e-9)
    assert shapely.area(cleaning.geometries).sum() == pytest.approx(
        shapely.area(geoms).sum(), rel=1e-7
    )


def test_output_areas_in_the_published_wards_by_overlap(published, tmp_path):
    args = [
        "--parishes",
        str(published["folder"] / OA),
        "--code-field",
        "OA11CD",
        "--catchments",
        str(published["folder"] / WARDS),
        "--catchment-field",
        "WD13NM",
    ]
    built = _build(published, tmp_path, *args)
    report, localities = built["report"], built["localities"]
    assert report.loc["dissolve", "detail"] == "coverage_union"
    assert int(report.loc["parishes in overlapping catchments", "count"]) == 0
    assert localities["area_km2"].sum() == pytest.approx(PUBLISHED_AREA_KM2, abs=0.05)
    # Each OA went to the ward it overlaps most: the same ward as the lookup's point on it.
    lookup = read_table(published["oa_lookup"]).set_index("OA11CD")["ward"]
    parishes = built["parishes"].set_index("parish_code")
    agree = (parishes["catchment"] == lookup.reindex(parishes.index)).mean()
    assert agree > 0.97
