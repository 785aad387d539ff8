"""Joining a population table (Census 2021 TS001 by parish) to the parishes, from real files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

import localitygis as lg
from localitygis.demo.county import load_demo
from localitygis.errors import DataError
from localitygis.io import read_table
from localitygis.localities.population import CENSUS_ATTRIBUTION, join_population
from localitygis.provenance import DEMO, ONS_OS, Provenance, provenance_of, with_provenance


@pytest.fixture(scope="module")
def demo_parishes() -> gpd.GeoDataFrame:
    """The demo county's 203 parishes in the parish contract (with their own population)."""
    parishes = load_demo().parishes.rename(
        columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"}
    )
    return with_provenance(parishes, DEMO)


def _small_parishes(codes: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"parish_code": codes, "parish_name": [f"Parish {c}" for c in codes]},
        geometry=[box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(len(codes))],
        crs=27700,
    )


def _write_csv(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _census_value(i: int) -> int:
    return 150 + (i * 7919) % 4200  # deterministic, varied, some over 1,000


# ---------------------------------------------------------------- the good join


def test_locality_populations_are_the_sums_of_the_table(demo_parishes, tmp_path: Path) -> None:
    codes = demo_parishes["parish_code"].tolist()
    path = _write_csv(
        tmp_path / "ts001_parishes.csv",
        ["Parish code", "Parish name", "Usual residents"],
        [
            [code, name, f"{_census_value(i):,}"]
            for i, (code, name) in enumerate(zip(codes, demo_parishes["parish_name"], strict=True))
        ],
    )
    join = join_population(demo_parishes, read_table(path))
    assert join.reconciles
    assert join.rows_used == len(codes) == join.rows_read
    assert join.rejects.empty
    assert join.missing.empty
    assert join.parishes["population"].dtype == "Int64"

    build = lg.build_localities(
        join.parishes, catchments=load_demo().catchments, scheme=lg.demo_scheme()
    )
    # Independently: the file's values, parsed here, summed by each parish's locality.
    with path.open(encoding="utf-8") as handle:
        table = {
            r["Parish code"]: int(r["Usual residents"].replace(",", ""))
            for r in csv.DictReader(handle)
        }
    locality_of = dict(zip(build.parishes["parish_code"], build.parishes["locality"], strict=True))
    expected = Counter()
    for code, people in table.items():
        expected[locality_of[code]] += people
    got = dict(zip(build.localities["locality"], build.localities["population"], strict=True))
    assert got == dict(expected)
    assert sum(got.values()) == sum(table.values())
    # ...and the table really replaced the demo's own populations.
    assert sum(got.values()) != int(demo_parishes["population"].sum())


def test_the_input_parishes_are_not_changed(demo_parishes) -> None:
    before = demo_parishes["population"].copy()
    table = pd.DataFrame({"PAR21CD": demo_parishes["parish_code"], "population": "5"})
    join = join_population(demo_parishes, table)
    assert (join.parishes["population"] == 5).all()
    pd.testing.assert_series_equal(demo_parishes["population"], before)


def test_population_column_is_added_after_the_name(demo_parishes) -> None:
    parishes = demo_parishes.drop(columns="population")
    table = pd.DataFrame({"PAR21CD": parishes["parish_code"].iloc[:3], "population": "10"})
    join = join_population(parishes, table)
    assert not join.replaced
    assert join.notes == ()
    assert list(join.parishes.columns[:3]) == ["parish_code", "parish_name", "population"]
    assert join.parishes["population"].notna().sum() == 3
    assert join.parishes["population"].isna().sum() == len(parishes) - 3
    assert isinstance(join.parishes, gpd.GeoDataFrame)
    assert join.parishes.crs == parishes.crs


def test_a_replaced_population_column_is_flagged_and_noted(demo_parishes) -> None:
    table = pd.DataFrame({"PAR21CD": demo_parishes["parish_code"].iloc[:2], "population": "10"})
    join = join_population(demo_parishes, table)
    assert join.replaced
    assert any("replaced" in note for note in join.notes)
    # Parishes absent from the table lose the old value rather than keep a different source's.
    assert join.parishes["population"].isna().sum() == len(demo_parishes) - 2
    assert demo_parishes["population"].notna().all()


# ---------------------------------------------------------------- rejects, reason by reason


def test_every_kind_of_bad_row_is_rejected_with_its_reason(tmp_path: Path) -> None:
    parishes = _small_parishes([f"E0400000{i}" for i in range(1, 10)])
    rows = [
        ["E04000001", "1,234"],  # row 2: used, thousands separator
        ["E04999999", "50"],  # row 3: no such parish
        ["", "60"],  # row 4: no code
        ["E04000002", "70"],  # row 5: repeated (with row 8)
        ["E04000003", "abc"],  # row 6: not a number
        ["E04000004", "-5"],  # row 7: negative
        ["E04000002", "71"],  # row 8: repeated (with row 5)
        ["E04000005", "12.5"],  # row 9: not whole
        ["E04000006", ""],  # row 10: no value
        ["e04000007", "80"],  # row 11: differs only in case
        ["", ""],  # row 12: blank row
        ["E04000008", "12,34"],  # row 13: misplaced comma
        [" E04000009 ", " 2,000,001 "],  # row 14: used, after stripping
    ]
    path = _write_csv(tmp_path / "pop.csv", ["PAR21CD", "population"], rows)
    join = join_population(parishes, read_table(path))
    reasons = dict(zip(join.rejects["row"], join.rejects["reason"], strict=True))
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert reasons[3] == "no parish has code E04999999"
    assert reasons[4] == "no parish code"
    assert "E04000002 is repeated (also row 8)" in reasons[5]
    assert "E04000002 is repeated (also row 5)" in reasons[8]
    assert reasons[6] == "population 'abc' is not a number"
    assert reasons[7] == "population '-5' is negative"
    assert reasons[9] == "population '12.5' is not a whole number of people"
    assert reasons[10] == "no population value"
    assert "E04000007 differs only in case" in reasons[11]
    assert reasons[12] == "blank row"
    assert "commas must separate thousands" in reasons[13]
    assert (join.rejects["source"] == "population table").all()
    assert list(join.rejects.columns) == ["source", "row", "reason", "PAR21CD", "population"]
    assert join.rejects.loc[join.rejects["row"] == 6, "population"].item() == "abc"

    population = dict(zip(join.parishes["parish_code"], join.parishes["population"], strict=True))
    assert population["E04000001"] == 1234
    assert population["E04000009"] == 2_000_001
    assert join.rows_used == 2
    assert join.reconciles
    assert join.counts() == {
        "rows_read": 13,
        "rows_used": 2,
        "rows_rejected": 11,
        "parishes": 9,
        "parishes_with_population": 2,
        "parishes_missing": 7,
    }
    missing = dict(zip(join.missing["parish_code"], join.missing["reason"], strict=True))
    assert set(missing) == {f"E0400000{i}" for i in range(2, 9)}
    assert missing["E04000002"] == "rejected in the population table: rows 5, 8"
    assert missing["E04000007"] == "no row in the population table"  # its row has another code
    assert join.missing["parish_name"].tolist()[0] == "Parish E04000002"
    assert any("only in case" in note for note in join.notes)
    assert join.summary() == (
        "population table: 2 of 9 parishes got a population; 11 table rows rejected "
        "(1 for parishes not in this build); 7 parishes had none"
    )


def test_a_repeated_code_rejects_every_row_and_names_the_others() -> None:
    parishes = _small_parishes(["E04000001", "E04000002"])
    table = pd.DataFrame(
        {
            "Parish code": ["E04000001", "E04000002", "E04000001", "E04000001"],
            "Usual residents": ["10", "20", "10", "30"],
        }
    )
    join = join_population(parishes, table)
    reasons = dict(zip(join.rejects["row"], join.rejects["reason"], strict=True))
    assert sorted(reasons) == [2, 4, 5]
    assert "(also rows 4, 5)" in reasons[2]
    assert "(also rows 2, 5)" in reasons[4]
    assert "(also rows 2, 4)" in reasons[5]
    assert join.parishes["population"].tolist()[0] is pd.NA
    assert join.parishes["population"].tolist()[1] == 20
    # Rows that agree are still rejected, with advice to delete the copy.
    same = join_population(parishes, table.iloc[:3])
    assert "the rows agree" in same.rejects["reason"].iloc[0]
    assert same.parishes["population"].isna().tolist() == [True, False]


def test_a_lower_case_code_is_not_matched() -> None:
    parishes = _small_parishes(["E04000001"])
    join = join_population(parishes, pd.DataFrame({"PAR21CD": ["e04000001"], "population": ["5"]}))
    assert join.parishes["population"].isna().all()
    assert (
        join.rejects["reason"].item().startswith("no parish has code e04000001; parish E04000001")
    )


def test_parish_codes_are_stripped_too() -> None:
    parishes = _small_parishes([" E04000001", "E04000002 "])
    table = pd.DataFrame({"PAR21CD": ["E04000001", "E04000002"], "population": ["5", "6"]})
    assert join_population(parishes, table).parishes["population"].tolist() == [5, 6]


# ---------------------------------------------------------------- real files


def test_a_cp1252_csv_keeps_dashes_and_ampersands(demo_parishes, tmp_path: Path) -> None:
    code, other = demo_parishes["parish_code"].iloc[:2]
    path = _write_csv(
        tmp_path / "census.csv",
        ["geography code", "geography", "Observation"],
        [
            [code, "Llancillo & Rowlestone", "1,045"],
            [other, "Much Dewchurch – Bryngwyn", "n/a"],
            ["E04999999", "Much Dewchurch – Bryngwyn", "12"],
        ],
        encoding="cp1252",
    )
    assert "–".encode("cp1252") in path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    join = join_population(demo_parishes, read_table(path))
    assert join.parishes.set_index("parish_code").loc[code, "population"] == 1045
    assert join.rejects["geography"].tolist() == ["Much Dewchurch – Bryngwyn"] * 2
    assert join.rejects["reason"].tolist() == [
        "population 'n/a' is not a number",
        "no parish has code E04999999",
    ]
    assert join.reconciles


def test_an_excel_table_with_numbers_and_text(tmp_path: Path) -> None:
    parishes = _small_parishes(["E04000001", "E04000002", "E04000003"])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Parish Code", "Parish Name", "Usual Residents"])
    sheet.append(["E04000001", "Weobley", 1234])  # a number cell
    sheet.append(["E04000002", "Dilwyn", "2,345"])  # text with a separator
    sheet.append(["E04000003", "Eardisland", -1])
    assert sheet["C4"].value == -1  # the row number a user sees in Excel
    book.save(tmp_path / "population.xlsx")
    join = join_population(parishes, read_table(tmp_path / "population.xlsx"))
    assert join.parishes["population"].tolist()[:2] == [1234, 2345]
    assert join.rejects[["row", "reason"]].to_dict("records") == [
        {"row": 4, "reason": "population '-1' is negative"}
    ]


@pytest.mark.parametrize(
    ("code", "population"),
    [
        ("PAR21CD", "population"),
        ("PAR24CD", "Population"),
        ("PARNCP21CD", "usual_residents"),
        ("Parish code", "Usual residents"),
        ("parish_code", "All usual residents"),
        ("geography code", "Observation"),
        ("GEOGRAPHY_CODE", "OBS_VALUE"),
        ("Parishes 2021 Code", "Observation"),
        ("Civil Parishes 2021 Code", "Residence type: Total; measures: Value"),
    ],
)
def test_census_and_ons_column_names_are_recognised(code: str, population: str) -> None:
    parishes = _small_parishes(["E04000001"])
    table = pd.DataFrame(
        {"geography": ["Weobley"], code: ["E04000001"], "date": ["2021"], population: ["1,100"]}
    )
    assert join_population(parishes, table).parishes["population"].tolist() == [1100]


def test_named_columns_win_over_recognised_ones() -> None:
    parishes = _small_parishes(["E04000001"])
    table = pd.DataFrame(
        {"PAR21CD": ["X"], "my code": ["E04000001"], "population": ["1"], "mid-2022": ["9"]}
    )
    join = join_population(parishes, table, code_field="my code", population_field="MID-2022")
    assert join.parishes["population"].tolist() == [9]


# ---------------------------------------------------------------- errors


def test_a_table_without_a_population_column_names_file_columns_and_option(
    tmp_path: Path,
) -> None:
    path = _write_csv(tmp_path / "ts001.csv", ["Parish code", "Total persons"], [["E1", "5"]])
    with pytest.raises(
        DataError,
        match=r"ts001\.csv: no population column found among: Parish code, Total persons\. "
        r"Name it with --population-table-field",
    ):
        join_population(_small_parishes(["E1"]), read_table(path))


def test_a_wrongly_named_column_names_file_columns_and_option(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "ts001.csv", ["Parish code", "Observation"], [["E1", "5"]])
    with pytest.raises(
        DataError,
        match=r"ts001\.csv.*'Residents'.*Parish code, Observation.*"
        r"--population-table-field",
    ):
        join_population(_small_parishes(["E1"]), read_table(path), population_field="Residents")
    with pytest.raises(DataError, match=r"ts001\.csv.*'Code'.*--population-table-code-field"):
        join_population(_small_parishes(["E1"]), read_table(path), code_field="Code")
    with pytest.raises(DataError, match=r"both the parish code and the population"):
        join_population(_small_parishes(["E1"]), read_table(path), population_field="Parish code")


def test_a_table_without_a_code_column_names_the_code_option() -> None:
    table = pd.DataFrame({"name": ["Weobley"], "population": ["5"]})
    with pytest.raises(
        DataError,
        match=r"population table: no parish code column found among: "
        r"name, population\. Name it with --population-table-code-field",
    ):
        join_population(_small_parishes(["E1"]), table)


def test_parishes_need_codes() -> None:
    parishes = _small_parishes(["E1"]).rename(columns={"parish_code": "PAR21CD"})
    with pytest.raises(DataError, match="no parish_code column"):
        join_population(parishes, pd.DataFrame({"PAR21CD": ["E1"], "population": ["5"]}))


# ---------------------------------------------------------------- provenance


def test_the_census_attribution_is_carried_once() -> None:
    table = pd.DataFrame({"PAR21CD": ["E1"], "population": ["5"]})
    demo = join_population(with_provenance(_small_parishes(["E1"]), DEMO), table)
    carried = provenance_of(demo.parishes)
    assert carried.is_demo
    # The demo already carries the ONS statement (its outline and populations are real ONS
    # data), so the census table's attribution is said once, inside it.
    assert carried.attribution.startswith(DEMO.attribution)
    assert carried.attribution.count(CENSUS_ATTRIBUTION) == 1
    # The build then combines it with the demo catchments' provenance: nothing repeats.
    assert carried.combined(DEMO).attribution == carried.attribution
    # ONS boundaries already carry the ONS statement: nothing is repeated.
    ons = join_population(with_provenance(_small_parishes(["E1"]), ONS_OS), table)
    assert provenance_of(ons.parishes) == ONS_OS
    assert provenance_of(ons.parishes).attribution.count("Office for National Statistics") == 1
    council = Provenance("Contains Herefordshire Council data")
    own = join_population(
        with_provenance(_small_parishes(["E1"]), ONS_OS), table, provenance=council
    )
    assert provenance_of(own.parishes).attribution.endswith("Contains Herefordshire Council data")


# ---------------------------------------------------------------- invariants

_CODES = [f"E0400000{i}" for i in range(1, 6)]
_cells = st.one_of(
    st.sampled_from(_CODES),
    st.sampled_from(["E04999999", "", " ", "e04000001", f" {_CODES[0]} "]),
)
_values = st.one_of(
    st.integers(0, 20_000).map(str),
    st.integers(1_000, 2_000_000).map(lambda n: f"{n:,}"),
    st.sampled_from(["", "-3", "1.5", "abc", "12,34", "7.0"]),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_cells, _values), max_size=25))
def test_every_row_is_used_or_rejected(rows: list[tuple[str, str]]) -> None:
    parishes = _small_parishes(_CODES)
    table = pd.DataFrame(rows, columns=["PAR21CD", "population"], dtype=object)
    join = join_population(parishes, table)
    assert join.reconciles
    assert join.rows_read == len(rows)
    assert join.rows_used + len(join.rejects) == len(rows)
    assert len(set(join.rejects["row"])) == len(join.rejects)
    # Each parish has a population exactly when one row, and only one, names its code.
    named = Counter(code.strip() for code, _ in rows)
    population = join.parishes.set_index("parish_code")["population"]
    for code in _CODES:
        if pd.notna(population[code]):
            assert named[code] == 1
            (value,) = [v for c, v in rows if c.strip() == code]
            assert population[code] == int(float(value.replace(",", "")))
    assert join.rows_used == int(population.notna().sum())
    assert set(join.missing["parish_code"]) == set(population.index[population.isna()])
