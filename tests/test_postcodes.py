"""Postcodes: normalisation cases, ONSPD and Code-Point Open files, lookups."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localitygis.assets.postcodes import (
    CODE_POINT_OPEN,
    ONSPD,
    is_postcode,
    lookup_postcodes,
    normalise_postcode,
    normalise_postcodes,
    read_postcode_directory,
)
from localitygis.crs import bng_to_lonlat
from localitygis.errors import DataError, InputFileError
from localitygis.provenance import provenance_of

NORMALISATION = [
    # (as written, standard form or None)
    ("HR4 0AS", "HR4 0AS"),
    ("hr40as", "HR4 0AS"),
    (" HR4  0AS ", "HR4 0AS"),
    ("hr4\t0as", "HR4 0AS"),
    ("HR4\u00a00AS", "HR4 0AS"),  # non-breaking space from a web page
    ("WR13 6QT", "WR13 6QT"),
    ("wr136qt", "WR13 6QT"),
    ("B1  1AA", "B1 1AA"),  # ONSPD pcd, 7 characters
    ("B1   1AA", "B1 1AA"),  # ONSPD pcd2, 8 characters
    ("SW1A1AA", "SW1A 1AA"),  # pcd with a 4-character outward code
    ("SW1A 1AA", "SW1A 1AA"),
    ("EC1A 1BB", "EC1A 1BB"),
    ("W1A 0AX", "W1A 0AX"),
    ("M1 1AE", "M1 1AE"),
    ("CR2 6XH", "CR2 6XH"),
    ("DN55 1PT", "DN55 1PT"),
    ("GIR 0AA", "GIR 0AA"),  # Girobank
    ("gir0aa", "GIR 0AA"),
    ("ASCN 1ZZ", "ASCN 1ZZ"),  # Ascension Island
    ("STHL 1ZZ", "STHL 1ZZ"),
    ("TDCU 1ZZ", "TDCU 1ZZ"),
    ("BIQQ 1ZZ", "BIQQ 1ZZ"),
    ("FIQQ 1ZZ", "FIQQ 1ZZ"),
    ("SAN TA1", "SAN TA1"),  # Santa Claus
    ("HR4 0A5", None),  # digit in the unit
    ("HR4 OAS", None),  # letter O for zero in the inward code
    ("HR4 0CS", None),  # C is never used in the unit
    ("QR4 0AS", None),  # Q never starts a postcode
    ("HRR 0AS", None),
    ("HR4", None),  # outward code only
    ("0AS", None),
    ("", None),
    ("   ", None),
    ("not a postcode", None),
    ("HR4 0ASX", None),
    ("HR4-0AS", None),
    (None, None),
    (12345, None),
    (float("nan"), None),
]


@pytest.mark.parametrize(("written", "expected"), NORMALISATION)
def test_normalise_postcode(written: object, expected: str | None) -> None:
    assert normalise_postcode(written) == expected
    assert is_postcode(written) is (expected is not None)


def test_vectorised_normalisation_matches_the_scalar_one() -> None:
    written = [w for w, _ in NORMALISATION]
    series = pd.Series(written, index=range(100, 100 + len(written)), dtype=object)
    out = normalise_postcodes(series)
    assert out.index.tolist() == series.index.tolist()
    assert [None if pd.isna(v) else v for v in out] == [e for _, e in NORMALISATION]


@given(
    st.sampled_from(["HR4 0AS", "WR13 6QT", "SW1A 1AA", "B1 1AA", "GIR 0AA"]),
    st.lists(st.sampled_from([" ", "  ", "\t"]), max_size=3),
    st.booleans(),
)
def test_any_spacing_and_case_gives_the_same_postcode(
    postcode: str, padding: list[str], lower: bool
) -> None:
    compact = postcode.replace(" ", "")
    written = "".join(padding) + compact[:-3] + "".join(padding) + compact[-3:]
    written = written.lower() if lower else written
    assert normalise_postcode(written) == postcode


# --------------------------------------------------------------------------------------
# Directories written as real files

ONSPD_HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,osgrdind,oseast1m,osnrth1m,lat,long,parish\n"


def _onspd_row(pcds: str, e: str, n: str, *, doterm: str = "", grdind: str = "1") -> str:
    outward, inward = pcds.split()
    lat, lon = ("99.999999", "0.000000")
    if e and float(e) > 0 and float(n) < 1_000_000:
        lon_, lat_ = bng_to_lonlat([float(e)], [float(n)])
        lat, lon = f"{lat_[0]:.6f}", f"{lon_[0]:.6f}"
    return (
        f"{outward:<4}{inward},{outward:<4} {inward},{pcds},198001,{doterm},E10000034,"
        f"{grdind},{e},{n},{lat},{lon},E04000001\n"
    )


@pytest.fixture
def onspd_file(tmp_path: Path) -> Path:
    rows = [
        _onspd_row("HR4 0AS", "350880", "239843"),
        _onspd_row("B1 1AA", "406925", "286843"),
        _onspd_row("HR9 9ZZ", "", "", grdind="9"),  # no grid reference: blanks
        _onspd_row("HR8 8ZZ", "0", "1000000", grdind="9"),  # no grid reference: 0 / 1,000,000
        _onspd_row("HR1 1XX", "351000", "240000", doterm="200512"),  # terminated
        _onspd_row("BT1 1AA", "333900", "374300"),  # Irish Grid: use lat/long instead
        "JUNK,JUNK,JUNK,,,,,,,,,\n",
    ]
    # BT1 1AA's lat/long: Belfast.
    rows[5] = rows[5].replace(rows[5].split(",")[9] + "," + rows[5].split(",")[10], "54.597,-5.930")
    path = tmp_path / "ONSPD_NOV_2025_UK.csv"
    path.write_text(ONSPD_HEADER + "".join(rows), encoding="utf-8")
    return path


def test_read_onspd_file(onspd_file: Path) -> None:
    directory = read_postcode_directory(onspd_file)
    assert directory.columns.tolist() == ["postcode", "easting", "northing", "terminated"]
    by = directory.set_index("postcode")
    assert len(by) == 6  # the junk row is skipped ...
    assert directory.attrs["skipped"] == 1  # ... and counted
    assert by.loc["HR4 0AS", ["easting", "northing"]].tolist() == [350880.0, 239843.0]
    assert by.loc["B1 1AA", "easting"] == 406925.0
    for no_grid in ("HR9 9ZZ", "HR8 8ZZ"):
        assert np.isnan(by.loc[no_grid, "easting"])
        assert np.isnan(by.loc[no_grid, "northing"])
    assert bool(by.loc["HR1 1XX", "terminated"])
    assert not by.loc["HR4 0AS", "terminated"]
    # Belfast from its latitude/longitude, not from its Irish Grid figures.
    assert 130_000 < by.loc["BT1 1AA", "easting"] < 160_000
    assert 520_000 < by.loc["BT1 1AA", "northing"] < 540_000
    assert provenance_of(directory) == ONSPD
    assert directory.attrs["source"] == onspd_file.name


CODE_POINT_ROWS = [
    '"HR4 0AS",10,350880,239843,"E92000001","E19000001","E18000010","","E06000019","E05012345"',
    '"HR1 2AA",10,351500,240200,"E92000001","E19000001","E18000010","","E06000019","E05012345"',
    '"HR9 9ZZ",90,0,0,"E92000001","E19000001","E18000010","","E06000019","E05012345"',
]


def test_read_code_point_open_without_a_header(tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("\n".join(CODE_POINT_ROWS) + "\n", encoding="utf-8")
    directory = read_postcode_directory(path).set_index("postcode")
    assert directory.loc["HR1 2AA", ["easting", "northing"]].tolist() == [351500.0, 240200.0]
    assert np.isnan(directory.loc["HR9 9ZZ", "easting"])  # quality 90: no coordinates
    assert provenance_of(directory) == CODE_POINT_OPEN


def test_read_code_point_open_with_its_header(tmp_path: Path) -> None:
    header = (
        "Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,"
        "NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code"
    )
    path = tmp_path / "hr.csv"
    path.write_text(header + "\n" + "\n".join(CODE_POINT_ROWS) + "\n", encoding="utf-8")
    directory = read_postcode_directory(path)
    assert sorted(directory["postcode"]) == ["HR1 2AA", "HR4 0AS", "HR9 9ZZ"]


def test_read_code_point_open_folder_and_zip(tmp_path: Path) -> None:
    folder = tmp_path / "codepo_gb" / "Data" / "CSV"
    folder.mkdir(parents=True)
    (folder / "hr.csv").write_text("\n".join(CODE_POINT_ROWS[:2]) + "\n", encoding="utf-8")
    (folder / "wr.csv").write_text(
        '"WR13 6QT",10,375422,242449,"E92000001","","","","",""\n', encoding="utf-8"
    )
    (tmp_path / "codepo_gb" / "Doc").mkdir()
    (tmp_path / "codepo_gb" / "Doc" / "Code-Point_Open_Column_Headers.csv").write_text(
        "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n", encoding="utf-8"
    )
    from_folder = read_postcode_directory(tmp_path / "codepo_gb")
    assert sorted(from_folder["postcode"]) == ["HR1 2AA", "HR4 0AS", "WR13 6QT"]
    archive = tmp_path / "codepo_gb.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file in sorted((tmp_path / "codepo_gb").rglob("*.csv")):
            z.write(file, file.relative_to(tmp_path))
    from_zip = read_postcode_directory(archive)
    pd.testing.assert_frame_equal(from_zip, from_folder)


def test_directory_with_only_latitude_and_longitude(tmp_path: Path) -> None:
    path = tmp_path / "postcodes.csv"
    lon, lat = bng_to_lonlat([350880.0], [239843.0])
    path.write_text(
        f"postcode,latitude,longitude\nhr4 0as,{lat[0]:.7f},{lon[0]:.7f}\n", encoding="utf-8"
    )
    directory = read_postcode_directory(path)
    easting, northing = directory.loc[0, ["easting", "northing"]]
    assert abs(easting - 350880) < 0.1
    assert abs(northing - 239843) < 0.1


def test_duplicates_keep_the_live_postcode_with_a_position() -> None:
    frame = pd.DataFrame(
        {
            "postcode": ["HR4 0AS", "hr40as", "HR4 0AS"],
            "easting": [1.0, 350880, ""],
            "northing": [1.0, 239843, ""],
            "terminated": ["yes", "", ""],
        }
    )
    directory = read_postcode_directory(frame)
    assert len(directory) == 1
    assert directory.loc[0, "easting"] == 350880.0
    assert not directory.loc[0, "terminated"]


def test_the_demo_directory_reads_and_covers_the_register() -> None:
    from localitygis.demo.county import load_demo

    demo = load_demo()
    directory = read_postcode_directory(demo.postcodes)
    assert len(directory) == len(demo.postcodes)
    assert provenance_of(directory).is_demo
    found = lookup_postcodes(demo.assets["postcode"], directory)
    assert (found["status"] == "found").all()


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        ("", InputFileError, "empty"),
        ("code,x,y\nA,1,2\n", DataError, "no postcode column"),
        ("postcode,name\nHR4 0AS,x\n", DataError, "no position columns"),
        ("postcode,easting,northing\nnonsense,1,2\n", DataError, "no valid postcodes"),
    ],
)
def test_bad_directories_are_explained(
    tmp_path: Path, content: str, error: type, match: str
) -> None:
    path = tmp_path / "directory.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=match):
        read_postcode_directory(path)


def test_a_missing_directory_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="postcode directory not found"):
        read_postcode_directory(tmp_path / "nope.csv")


def test_lookup_statuses(onspd_file: Path) -> None:
    directory = read_postcode_directory(onspd_file)
    queries = pd.Series(
        ["hr4 0as", "HR1 1XX", "HR9 9ZZ", "HR2 2ZZ", "rubbish", "", None], index=list("abcdefg")
    )
    out = lookup_postcodes(queries, directory)
    assert out.index.tolist() == list("abcdefg")
    assert out["status"].tolist() == [
        "found", "terminated", "no position", "not found", "invalid", "blank", "blank",
    ]  # fmt: skip
    assert out.loc["a", "easting"] == 350880.0
    assert out.loc["b", "easting"] == 351000.0  # a terminated postcode keeps its position
    assert np.isnan(out.loc["c", "easting"])
    assert out.loc["a", "postcode"] == "HR4 0AS"


def test_lookup_reads_a_raw_onspd_frame() -> None:
    raw = pd.DataFrame({"pcd": ["B1  1AA"], "oseast1m": ["406925"], "osnrth1m": ["286843"]})
    out = lookup_postcodes(["b11aa"], raw)
    assert out.loc[0, "status"] == "found"
    assert out.loc[0, "northing"] == 286843.0
