"""Reading and writing real files: every format, ONS field names, encodings, bad input."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString, Point, Polygon, box

from localitygis.errors import CRSError, DataError, GeometryError, InputFileError
from localitygis.io import (
    list_layers,
    read_catchments,
    read_lookup,
    read_parishes,
    read_table,
    read_vector,
    select_district,
    write_csv,
    write_geojson,
    write_geopackage,
)
from localitygis.provenance import DEMO, ONS_OS, provenance_of


@pytest.fixture
def ons_parishes() -> gpd.GeoDataFrame:
    """Three parishes with ONS December 2021 field names, in British National Grid."""
    return gpd.GeoDataFrame(
        {
            "FID": [1, 2, 3],
            "PAR21CD": ["E04000101", "E04000102", "E04000103"],
            "PAR21NM": ["Weobley", "Dilwyn", "Much Marcle"],
            "PAR21NMW": [" ", " ", " "],
            "population": [1100, 700, 650],
        },
        geometry=[
            box(340000, 250000, 342000, 252000),
            box(342000, 250000, 344000, 252000),
            box(344000, 250000, 346000, 252000),
        ],
        crs=27700,
    )


FORMATS = [
    ("parishes.gpkg", {}),
    ("parishes.shp", {}),
    ("parishes.geojson", {}),
    ("parishes.fgb", {}),
]


@pytest.mark.parametrize(("name", "options"), FORMATS)
@pytest.mark.parametrize("engine", ["pyogrio", "fiona"])
def test_read_parishes_round_trips_every_format(tmp_path, ons_parishes, name, options, engine):
    path = tmp_path / name
    ons_parishes.to_file(path, **options)
    # FlatGeobuf's spatial index reorders features: compare by code.
    parishes = read_parishes(path, engine=engine).sort_values("parish_code")
    assert parishes.columns[:3].tolist() == ["parish_code", "parish_name", "population"]
    assert parishes["parish_code"].tolist() == ons_parishes["PAR21CD"].tolist()
    assert parishes["parish_name"].tolist() == ons_parishes["PAR21NM"].tolist()
    assert parishes["population"].tolist() == [1100, 700, 650]
    assert parishes.crs.to_epsg() == 27700
    assert parishes.geometry.area.sum() == pytest.approx(ons_parishes.area.sum(), rel=1e-6)


@pytest.mark.parametrize(
    ("code", "name"),
    [("PARNCP21CD", "PARNCP21NM"), ("PAR24CD", "PAR24NM"), ("par22cd", "par22nm")],
)
def test_ons_field_names_of_any_vintage_are_recognised(tmp_path, ons_parishes, code, name):
    renamed = ons_parishes.rename(columns={"PAR21CD": code, "PAR21NM": name})
    renamed.to_file(tmp_path / "p.gpkg")
    parishes = read_parishes(tmp_path / "p.gpkg")
    assert parishes["parish_code"].tolist() == ons_parishes["PAR21CD"].tolist()


def test_the_newest_vintage_wins_when_several_are_present(tmp_path, ons_parishes):
    both = ons_parishes.assign(PAR24CD=["E04009991", "E04009992", "E04009993"])
    both.to_file(tmp_path / "p.gpkg")
    assert read_parishes(tmp_path / "p.gpkg")["parish_code"].iloc[0] == "E04009991"


def test_user_named_fields(tmp_path, ons_parishes):
    custom = ons_parishes.rename(
        columns={"PAR21CD": "Code", "PAR21NM": "Label", "population": "Residents_2021"}
    )
    custom.to_file(tmp_path / "p.gpkg")
    parishes = read_parishes(
        tmp_path / "p.gpkg",
        code_field="Code",
        name_field="Label",
        population_field="Residents_2021",
    )
    assert parishes["parish_name"].tolist() == ["Weobley", "Dilwyn", "Much Marcle"]
    assert parishes["population"].sum() == 2450


def test_unrecognised_fields_name_the_columns_and_the_fix(tmp_path, ons_parishes):
    ons_parishes.rename(columns={"PAR21CD": "ident"}).to_file(tmp_path / "p.gpkg")
    with pytest.raises(DataError, match=r"p\.gpkg: no parish code column found among: .*ident"):
        read_parishes(tmp_path / "p.gpkg")


def test_explicit_field_that_does_not_exist(tmp_path, ons_parishes):
    ons_parishes.to_file(tmp_path / "p.gpkg")
    with pytest.raises(DataError, match="no column named 'CODE_X'"):
        read_parishes(tmp_path / "p.gpkg", code_field="CODE_X")


def test_population_that_is_not_a_number_is_listed(tmp_path, ons_parishes):
    bad = ons_parishes.assign(population=["1100", "lots", "650"])
    bad.to_file(tmp_path / "p.gpkg")
    with pytest.raises(DataError, match=r"feature 2 \('lots'\)"):
        read_parishes(tmp_path / "p.gpkg")


def test_shapefile_without_prj_needs_a_crs(tmp_path, ons_parishes):
    path = tmp_path / "p.shp"
    ons_parishes.to_file(path)
    (tmp_path / "p.prj").unlink()
    with pytest.raises(CRSError, match=r"p\.shp has no coordinate reference system"):
        read_parishes(path)
    assert read_parishes(path, crs="EPSG:27700").crs.to_epsg() == 27700


def test_wgs84_geojson_is_reprojected(tmp_path, ons_parishes):
    ons_parishes.to_crs(4326).to_file(tmp_path / "p.geojson")
    parishes = read_parishes(tmp_path / "p.geojson")
    assert parishes.crs.to_epsg() == 27700
    # OSTN15 vs pyproj's Helmert on the way out: a few metres on 2 km squares at most.
    assert parishes.geometry.area.sum() == pytest.approx(ons_parishes.area.sum(), rel=1e-3)


def test_multi_layer_geopackage_needs_a_layer(tmp_path, ons_parishes):
    path = tmp_path / "boundaries.gpkg"
    ons_parishes.to_file(path, layer="parishes")
    ons_parishes.rename(columns={"PAR21NM": "catchment"}).to_file(path, layer="catchments")
    assert list_layers(path) == ["parishes", "catchments"]
    with pytest.raises(InputFileError, match=r"has 2 layers .*parishes, catchments.*--layer"):
        read_parishes(path)
    assert len(read_parishes(path, layer="parishes")) == 3
    with pytest.raises(InputFileError, match="no layer 'wards'"):
        read_parishes(path, layer="wards")


def test_lines_are_not_boundaries(tmp_path):
    lines = gpd.GeoDataFrame(
        {"PAR21CD": ["E1"], "PAR21NM": ["Road"]},
        geometry=[LineString([(340000, 250000), (341000, 251000)])],
        crs=27700,
    )
    lines.to_file(tmp_path / "roads.gpkg")
    with pytest.raises(GeometryError, match=r"must be polygons.*E1 \(LineString\)"):
        read_parishes(tmp_path / "roads.gpkg")


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_vector(tmp_path / "nope.gpkg")
    junk = tmp_path / "junk.gpkg"
    junk.write_text("this is not a geopackage")
    with pytest.raises(InputFileError, match=r"junk\.gpkg"):
        read_vector(junk)


def test_read_catchments(tmp_path):
    frame = gpd.GeoDataFrame(
        {"Catchment": [" Weobley ", "Kington"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
        crs=27700,
    )
    frame.geometry = frame.geometry.translate(340000, 250000)
    frame.to_file(tmp_path / "c.gpkg")
    catchments = read_catchments(tmp_path / "c.gpkg")
    assert catchments["catchment"].tolist() == ["Weobley", "Kington"]


def test_catchment_without_a_name_is_an_error(tmp_path):
    frame = gpd.GeoDataFrame(
        {"catchment": ["Weobley", None]},
        geometry=[box(340000, 250000, 340010, 250010), box(340010, 250000, 340020, 250010)],
        crs=27700,
    )
    frame.to_file(tmp_path / "c.gpkg")
    with pytest.raises(DataError, match=r"no name \(feature 2\)"):
        read_catchments(tmp_path / "c.gpkg")


def test_read_lookup_utf8_and_windows_1252(tmp_path):
    text = "PAR21CD,Catchment\nE04000101,Lady Hawkins’\nE04000102,Weobley\n"
    (tmp_path / "utf8.csv").write_text(text, encoding="utf-8")
    (tmp_path / "win.csv").write_bytes(text.encode("cp1252"))
    for name in ("utf8.csv", "win.csv"):
        lookup = read_lookup(tmp_path / name)
        assert lookup["catchment"].tolist() == ["Lady Hawkins’", "Weobley"]
        assert lookup["row"].tolist() == [2, 3]


def test_read_lookup_excel(tmp_path):
    frame = pd.DataFrame({"parish_code": ["E04000101"], "catchment": ["Weobley"]})
    frame.to_excel(tmp_path / "lookup.xlsx", index=False)
    assert read_lookup(tmp_path / "lookup.xlsx")["catchment"].tolist() == ["Weobley"]


def test_read_lookup_reports_every_problem_with_row_numbers(tmp_path):
    (tmp_path / "l.csv").write_text(
        "parish_code,catchment\nE1,Weobley\nE2,\n,\nE1,Kington\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"rows 3\).*E1 \(rows 2, 5\)"):
        read_lookup(tmp_path / "l.csv")


# Text pandas reads as missing by default, each a possible parish code, name or catchment.
# ("#N/A" too, but only in CSV: in a workbook it is an Excel error value, not text.)
NA_LIKE = ["NA", "N/A", "NULL", "nan", "None", "n/a", "null", "<NA>"]


def _write_table(path, rows):
    """Write ``rows`` (a header row then data; None for an empty cell) as CSV or Excel."""
    if path.suffix == ".csv":
        lines = [",".join("" if cell is None else f'"{cell}"' for cell in row) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        pd.DataFrame(rows[1:], columns=rows[0]).to_excel(path, index=False)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_read_table_keeps_na_like_text_and_only_blank_cells_are_missing(tmp_path, suffix):
    path = tmp_path / f"lookup{suffix}"
    na_like = [*NA_LIKE, "#N/A"] if suffix == ".csv" else NA_LIKE
    rows = [
        ["parish_code", "parish_name", "catchment"],
        ["E04000101", "NA", "Weobley"],
        ["NA", "N/A", "NULL"],
        *[[f"E0400020{i}", text, text] for i, text in enumerate(na_like)],
        [None, None, None],
        ["E04000103", None, "   "],
    ]
    _write_table(path, rows)
    table = read_table(path)
    assert table["parish_name"].iloc[0] == "NA"
    assert table.iloc[1].tolist() == ["NA", "N/A", "NULL"]
    assert table["parish_name"].iloc[2 : 2 + len(na_like)].tolist() == na_like
    assert table["catchment"].iloc[2 : 2 + len(na_like)].tolist() == na_like
    # A wholly blank row, an empty cell and a cell of spaces are still missing.
    assert len(table) == len(rows) - 1
    assert table.iloc[-2].isna().all()
    assert table["parish_code"].iloc[-1] == "E04000103"
    assert table[["parish_name", "catchment"]].iloc[-1].isna().all()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_read_lookup_parish_coded_na_survives_and_blank_cells_are_missing(tmp_path, suffix):
    path = tmp_path / f"lookup{suffix}"
    rows = [
        ["PAR21CD", "catchment"],
        ["NA", "NA"],
        ["E04000102", "N/A"],
        [None, None],
        ["E04000103", "Weobley"],
    ]
    _write_table(path, rows)
    lookup = read_lookup(path)
    assert lookup.to_dict("records") == [
        {"parish_code": "NA", "catchment": "NA", "row": 2},
        {"parish_code": "E04000102", "catchment": "N/A", "row": 3},
        {"parish_code": "E04000103", "catchment": "Weobley", "row": 5},
    ]
    _write_table(path, [*rows, ["E04000104", None], ["E04000105", "  "]])
    with pytest.raises(
        DataError, match=r"2 row\(s\) lack a parish code or a catchment \(rows 6, 7\)"
    ):
        read_lookup(path)


def test_read_lookup_wrong_columns(tmp_path):
    (tmp_path / "l.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="no parish code column found among: a, b"):
        read_lookup(tmp_path / "l.csv")


def test_old_excel_and_empty_csv(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputFileError, match=r"save it as \.xlsx"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputFileError, match="is empty"):
        read_table(tmp_path / "empty.csv")


def test_undecodable_csv_with_a_forced_encoding(tmp_path):
    (tmp_path / "x.csv").write_bytes("a\n£\n".encode("cp1252"))
    with pytest.raises(InputFileError, match="could not be decoded as utf-8"):
        read_table(tmp_path / "x.csv", encoding="utf-8")


def test_geopackage_writer_carries_provenance(tmp_path, ons_parishes):
    path = write_geopackage(
        tmp_path / "out.gpkg", {"a": ons_parishes, "b": ons_parishes.head(1)}, provenance=DEMO
    )
    assert list_layers(path) == ["a", "b"]
    layer = read_vector(path, layer="b")
    assert provenance_of(layer).is_demo
    assert (layer["attribution"] == DEMO.attribution).all()


def test_real_data_keeps_its_attribution(tmp_path, ons_parishes):
    path = write_geopackage(tmp_path / "out.gpkg", {"p": ons_parishes}, provenance=ONS_OS)
    layer = read_vector(path)
    assert not provenance_of(layer).is_demo
    assert "Crown copyright" in provenance_of(layer).attribution


def test_geojson_writer_is_wgs84(tmp_path, ons_parishes):
    path = write_geojson(tmp_path / "out.geojson", ons_parishes, provenance=ONS_OS)
    data = json.loads(path.read_text())
    x, y = data["features"][0]["geometry"]["coordinates"][0][0]
    assert -3.5 < x < -2
    assert 51.5 < y < 52.5
    assert "Crown copyright" in data["features"][0]["properties"]["attribution"]


def test_csv_writer_drops_geometry_and_keeps_accents(tmp_path, ons_parishes):
    table = ons_parishes.assign(note="café £5")
    path = write_csv(tmp_path / "out.csv", table, provenance=DEMO)
    back = read_table(path)
    assert "geometry" not in back.columns
    assert back["note"].iloc[0] == "café £5"
    assert provenance_of(back).is_demo


def test_point_layers_read(tmp_path):
    sites = gpd.GeoDataFrame({"name": ["Library"]}, geometry=[Point(-2.716, 52.056)], crs=4326)
    sites.to_file(tmp_path / "s.geojson")
    assert read_vector(tmp_path / "s.geojson").geometry.iloc[0].x == pytest.approx(351000, abs=500)


def test_polygon_with_hole_survives_the_reprojection(tmp_path):
    shell = [(340000, 250000), (345000, 250000), (345000, 255000), (340000, 255000)]
    hole = [(342000, 252000), (343000, 252000), (343000, 253000), (342000, 253000)]
    frame = gpd.GeoDataFrame(geometry=[Polygon(shell, [hole])], crs=27700).to_crs(4326)
    frame.to_file(tmp_path / "h.geojson")
    back = read_vector(tmp_path / "h.geojson")
    assert back.geometry.area.iloc[0] == pytest.approx(25e6 - 1e6, rel=1e-3)


def _lookup_frame():
    return pd.DataFrame(
        {
            "PAR24CD": ["E04000101", "E04000102", "E04000103"],
            "PAR24NM": ["Weobley", "Dilwyn", "Much Marcle"],
            "LAD24CD": ["E06000019", "E06000019", "E07000238"],
            "LAD24NM": ["Herefordshire, County of", "Herefordshire, County of", "Wychavon"],
        }
    )


def test_select_district_by_code_or_name(tmp_path, ons_parishes):
    ons_parishes.to_file(tmp_path / "p.gpkg")
    parishes = read_parishes(tmp_path / "p.gpkg")
    _lookup_frame().to_csv(tmp_path / "lu.csv", index=False)
    by_code = select_district(parishes, tmp_path / "lu.csv", "E06000019")
    by_name = select_district(parishes, _lookup_frame(), "  HEREFORDSHIRE,  county of ")
    assert by_code["parish_code"].tolist() == ["E04000101", "E04000102"]
    assert by_name["parish_code"].tolist() == by_code["parish_code"].tolist()
    assert by_code.attrs["selection"] == {"district": "E06000019", "read": 3, "kept": 2}


def test_select_district_unknown_suggests_near_matches(ons_parishes):
    parishes = ons_parishes.rename(columns={"PAR21CD": "parish_code"})
    with pytest.raises(DataError, match=r"no district 'Herefordshire'.*Herefordshire, County of"):
        select_district(parishes, _lookup_frame(), "Herefordshire")


def test_select_district_needs_boundaries_of_the_same_vintage(ons_parishes):
    parishes = ons_parishes.rename(columns={"PAR21CD": "parish_code"}).head(1)
    with pytest.raises(DataError, match=r"lacks: E04000102.*same vintage"):
        select_district(parishes, _lookup_frame(), "E06000019")
