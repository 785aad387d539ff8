"""Small-area statistics on the real published files: reading, joining, both methods."""

from __future__ import annotations

import csv
import gzip

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from tobler.area_weighted import area_interpolate

from localitygis.demo import load_demo
from localitygis.errors import CRSError, DataError
from localitygis.provenance import provenance_of
from localitygis.statistics import (
    Measures,
    apportion,
    area_weighted,
    best_fit,
    join_area_table,
    read_area_table,
    read_small_areas,
)
from tests._realdata import (
    COUNTY_AREA_KM2,
    COUNTY_POPULATION,
    ENGLAND_LSOAS,
    IMD,
    IMD_ENGLAND,
    LSOA,
    OA,
    POPULATION,
    WARDS,
    realgeo,
)

TOTAL = "Total population: mid 2015 (excluding prisoners)"
OLDER = "Older population aged 60 and over: mid 2015 (excluding prisoners)"
RANK = "Index of Multiple Deprivation (IMD) Rank"
DECILE = "Index of Multiple Deprivation (IMD) Decile"


def raw_rows(name: str) -> list[dict[str, str]]:
    """The file's rows by the csv module alone (independent of the package's reader)."""
    path = realgeo(name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def lsoas() -> gpd.GeoDataFrame:
    return read_small_areas(realgeo(LSOA))


@pytest.fixture(scope="module")
def lsoa_figures(lsoas) -> gpd.GeoDataFrame:
    joined = join_area_table(lsoas, read_area_table(realgeo(IMD)))
    return join_area_table(joined.frame, read_area_table(realgeo(POPULATION))).frame


@pytest.fixture(scope="module")
def parishes() -> gpd.GeoDataFrame:
    demo = load_demo().parishes
    return demo.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})


# -- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field", "rows"), [(OA, "OA11CD", 640), (LSOA, "LSOA11CD", 116), (WARDS, "WD13CD", 40)]
)
def test_published_geojson_is_read_with_its_code_recognised(name, field, rows):
    areas = read_small_areas(realgeo(name))
    published = gpd.read_file(realgeo(name))
    assert areas.attrs["code_field"] == field
    assert areas["area_code"].tolist() == published[field].tolist()
    assert len(areas) == rows
    assert areas.crs.to_epsg() == 27700
    assert areas.area.sum() / 1e6 == pytest.approx(COUNTY_AREA_KM2, abs=0.1)  # a rounded figure


def test_names_come_from_the_name_field_or_fall_back_to_the_code():
    wards = read_small_areas(realgeo(WARDS))
    assert "Tupsley" in set(wards["area_name"])
    oas = read_small_areas(realgeo(OA))
    assert (oas["area_name"] == oas["area_code"]).all()  # OAs are published without names


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_geopackage_and_shapefile_read_as_the_geojson(tmp_path, lsoas, suffix):
    published = lsoas.rename(columns={"area_code": "LSOA11CD", "area_name": "LSOA11NM"})
    path = tmp_path / f"lsoa{suffix}"
    published.to_file(path)
    again = read_small_areas(path)
    assert again["area_code"].tolist() == lsoas["area_code"].tolist()
    assert again["area_name"].tolist() == lsoas["area_name"].tolist()
    np.testing.assert_allclose(again.area, lsoas.area, rtol=1e-9)


def test_an_unrecognised_code_field_is_named_explicitly(tmp_path):
    layer = gpd.read_file(realgeo(WARDS)).rename(columns={"WD13CD": "zone"})
    layer = layer.drop(columns=["WD13CDO"])
    path = tmp_path / "zones.gpkg"
    layer.to_file(path)
    with pytest.raises(DataError, match="--code-field"):
        read_small_areas(path)
    zones = read_small_areas(path, code_field="zone", name_field="WD13NM")
    assert len(zones) == 40
    assert zones["area_code"].str.startswith("E05").all()


def test_a_layer_without_a_crs_is_refused(tmp_path, lsoas):
    layer = lsoas.set_crs(None, allow_override=True)
    path = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="crs"):
        layer.to_file(path)
    with pytest.raises(CRSError):
        read_small_areas(path)


def test_iod_tables_are_read_as_published():
    assert realgeo(IMD).read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM is there
    table = read_area_table(realgeo(POPULATION))
    raw = raw_rows(POPULATION)
    assert table.attrs["code_field"] == "LSOA code (2011)"
    assert table.columns.tolist()[1:] == list(raw[0].keys())  # columns as published
    assert table[TOTAL].tolist() == [number(r[TOTAL]) for r in raw]
    assert table[TOTAL].sum() == COUNTY_POPULATION
    assert "Indices of Deprivation 2019" in provenance_of(table).attribution


def test_a_national_table_is_filtered_and_the_other_rows_counted(lsoas):
    table = read_area_table(realgeo(IMD_ENGLAND))
    assert len(table) == ENGLAND_LSOAS
    first = raw_rows(IMD_ENGLAND)[0]
    assert table.iloc[0][RANK] == number(first[RANK])  # "29,199" as published
    joined = join_area_table(lsoas, table)
    assert len(joined.frame) == 116
    assert joined.other_rows == ENGLAND_LSOAS - 116
    assert joined.rejects.empty
    assert f"{ENGLAND_LSOAS - 116:,} row(s) for other districts" in joined.summary()


def test_excel_reads_as_the_csv(tmp_path):
    raw = pd.DataFrame(raw_rows(POPULATION))
    path = tmp_path / "population.xlsx"
    raw.to_excel(path, index=False)
    from_excel = read_area_table(path)
    from_csv = read_area_table(realgeo(POPULATION))
    pd.testing.assert_frame_equal(from_excel, from_csv, check_dtype=False)


def test_unmatched_codes_both_ways_are_listed_and_counts_reconcile(tmp_path, lsoas):
    raw = raw_rows(POPULATION)
    kept = [*raw[2:], dict(raw[0], **{"LSOA code (2011)": "E01999999"}), raw[5]]
    path = tmp_path / "population.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(raw[0]))
        writer.writeheader()
        writer.writerows(kept)
    table = read_area_table(path)
    joined = join_area_table(lsoas, table)
    reasons = joined.rejects.set_index("area_code")["reason"]
    assert reasons[raw[0]["LSOA code (2011)"]].startswith("no row in population.csv")
    assert reasons[raw[1]["LSOA code (2011)"]].startswith("no row in population.csv")
    assert reasons["E01999999"].startswith("no small area in")
    assert joined.rejects.loc[
        joined.rejects["reason"].str.startswith("repeats"), "row"
    ].tolist() == [len(kept) + 1]
    table_rejects = (joined.rejects["source"] == "population.csv").sum()
    assert len(joined.frame) + table_rejects + joined.other_rows == len(table)
    assert len(joined.frame) + (joined.rejects["source"] != "population.csv").sum() == len(lsoas)


def test_a_table_of_another_geography_says_so(lsoas):
    wards = pd.DataFrame({"WD13CD": ["E05008231"], "people": [3]})
    with pytest.raises(DataError, match="same geography"):
        join_area_table(lsoas, read_area_table(wards))


# -- best fit and area weighting -------------------------------------------------------


def test_best_fit_conserves_counts_exactly(lsoa_figures, parishes):
    measures = Measures(counts=(TOTAL, OLDER))
    result = apportion(lsoa_figures, parishes, measures, method="best_fit")
    placed = lsoa_figures["area_code"].isin(result.fit.memberships["area_code"])
    for column in (TOTAL, OLDER):
        assert result.table[column].dtype == np.int64
        assert result.table[column].sum() == lsoa_figures.loc[placed, column].sum()
    totals = result.totals.set_index("column")
    assert totals.loc[TOTAL, "small_areas_total"] + totals.loc[TOTAL, "rejected_total"] == (
        COUNTY_POPULATION
    )
    assert len(result.table) == len(parishes)  # every parish, with or without small areas
    assert result.fit.memberships["area_code"].is_unique
    assert len(result.fit.memberships) + len(result.rejects) == len(lsoa_figures)


def test_best_fit_goes_by_the_representative_point(lsoas, parishes):
    fit = best_fit(lsoas, parishes)
    points = shapely.point_on_surface(np.asarray(lsoas.geometry.array))
    chosen = fit.memberships.set_index("area_code")["target"]
    codes = parishes["parish_code"].to_numpy()
    for code, point in zip(lsoas["area_code"], points, strict=True):
        holding = sorted(codes[shapely.intersects(np.asarray(parishes.geometry.array), point)])
        assert chosen.get(code) == (holding[0] if holding else None)


def test_best_fit_prefers_population_weighted_centroids(lsoas, parishes):
    target = parishes.iloc[40]
    inside = shapely.point_on_surface(target.geometry)
    points = gpd.GeoDataFrame(
        {"area_code": [lsoas["area_code"].iloc[0]]}, geometry=[inside], crs=27700
    )
    fit = best_fit(lsoas, parishes, points=points)
    first = fit.memberships.set_index("area_code").loc[lsoas["area_code"].iloc[0]]
    assert first["target"] == target["parish_code"]
    assert first["point"] == "population-weighted centroid"
    assert (fit.memberships["point"] == "representative point").sum() == len(fit.memberships) - 1


def test_area_weighting_conserves_and_equals_tobler(lsoa_figures, parishes):
    measures = Measures(counts=(TOTAL, OLDER), means=("older_rate",))
    figures = lsoa_figures.assign(older_rate=lsoa_figures[OLDER] / lsoa_figures[TOTAL])
    result = apportion(figures, parishes, measures, method="area_weighted", key="parish_code")
    assert result.table[TOTAL].sum() == pytest.approx(COUNTY_POPULATION, rel=1e-9)
    reference = area_interpolate(
        figures.astype({TOTAL: float, OLDER: float}),
        parishes,
        extensive_variables=[TOTAL, OLDER],
        intensive_variables=["older_rate"],
    )
    for column in (TOTAL, OLDER, "older_rate"):
        np.testing.assert_allclose(
            result.table[column].to_numpy(float), reference[column].to_numpy(float), rtol=1e-6
        )


def test_shares_of_each_small_area_sum_to_one(lsoas, parishes):
    fit = area_weighted(lsoas, parishes)
    sums = fit.memberships.groupby("area_code")["share"].sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)
    straddling = fit.memberships["area_code"].duplicated(keep=False)
    assert straddling.any()  # the demo parishes do not nest the real LSOAs


def test_invalid_published_polygons_are_repaired_and_counted(parishes):
    oas = read_small_areas(realgeo(OA))
    invalid = int((~oas.is_valid).sum())
    assert invalid >= 1
    fit = area_weighted(oas, parishes)
    assert fit.repaired == invalid + int((~parishes.is_valid).sum())


# -- deprivation: ranks and deciles never averaged as amounts ---------------------------


def test_county_deprivation_figures_match_the_published_file(lsoa_figures, parishes):
    county = parishes.assign(county="Herefordshire")
    measures = Measures(ranks=(RANK,), deciles=(DECILE,), weight=TOTAL, counts=(TOTAL,))
    result = apportion(lsoa_figures, county, measures, method="area_weighted", by="county")
    row = result.table.iloc[0]
    imd = {r["LSOA code (2011)"]: r for r in raw_rows(IMD)}
    pop = {r["LSOA code (2011)"]: number(r[TOTAL]) for r in raw_rows(POPULATION)}
    ranks = np.array([number(imd[c][RANK]) for c in pop])
    deciles = np.array([int(imd[c][DECILE]) for c in pop])
    people = np.array(list(pop.values()), dtype=float)
    assert row[f"{RANK}: mean rank"] == pytest.approx((ranks * people).sum() / people.sum())
    low = people[deciles <= 2].sum() / people.sum()
    assert row[f"{DECILE}: most deprived 20% share"] == pytest.approx(low)
    for decile in range(1, 11):
        assert row[f"{DECILE}: decile_{decile}"] == pytest.approx((deciles == decile).sum())


def test_ranks_without_a_population_weight_are_refused(lsoa_figures, parishes):
    with pytest.raises(DataError, match="population"):
        apportion(lsoa_figures, parishes, Measures(ranks=(RANK,)))


def test_a_layer_not_in_british_national_grid_is_refused(lsoa_figures, parishes):
    with pytest.raises(CRSError, match="27700"):
        apportion(lsoa_figures.to_crs(4326), parishes, Measures(counts=(TOTAL,)))


def test_rejected_small_areas_keep_their_feature_numbers(lsoas, parishes):
    empty = lsoas.copy()
    empty.loc[3, "geometry"] = shapely.Polygon()
    far = lsoas.copy()
    far.loc[7, "geometry"] = shapely.affinity.translate(lsoas.geometry.iloc[7], xoff=500_000)
    for method in (best_fit, area_weighted):
        fit = method(empty, parishes)
        assert fit.rejects.set_index("area_code").loc[lsoas["area_code"].iloc[3], "row"] == 4
        fit = method(far, parishes)
        assert fit.rejects.set_index("area_code").loc[lsoas["area_code"].iloc[7], "row"] == 8
