"""``localitygis build`` on layers whose fields or coordinates are not what they seem (#10, #16).

Named fields whose contract name is already taken, layers without names, empty layers,
swapped axes and overlapping catchments: each through the CLI, on the demo county's files
changed the way real files are.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from localitygis.demo.county import load_demo
from localitygis.io import read_table, read_vector
from tests._clidata import fails, ok

DEMO_TOML = Path(__file__).parents[1] / "localitygis" / "data" / "demo_scheme.toml"


@pytest.fixture(scope="module")
def demo():
    return load_demo()


def _write(tmp_path: Path, parishes: gpd.GeoDataFrame, catchments: gpd.GeoDataFrame) -> Path:
    path = tmp_path / "county.gpkg"
    parishes.drop(columns="data_source").to_file(path, layer="parishes")
    catchments.drop(columns="data_source").to_file(path, layer="catchments")
    return path


def _build(path: Path, out: Path, *extra: str) -> list[str]:
    return ["build", "-p", f"{path}#parishes", "-c", f"{path}#catchments", "-o", str(out), *extra]


def _report(out: Path):
    return read_table(out / "quality_report.csv")


def _notes(out: Path) -> list[str]:
    report = _report(out)
    return report.loc[report["check"] == "note", "detail"].tolist()


# ------------------------------------------------------------ a named field's name is taken


def test_code_field_wins_over_an_existing_parish_code(demo, tmp_path):
    parishes = demo.parishes.assign(parish_code=[f"OLD{i}" for i in range(len(demo.parishes))])
    path = _write(tmp_path, parishes, demo.catchments)
    out = tmp_path / "out"
    ok(_build(path, out, "--scheme", "demo", "--code-field", "PAR21CD"))
    built = read_vector(out / "localities.gpkg", layer="parishes")
    assert sorted(built["parish_code"]) == sorted(demo.parishes["PAR21CD"])
    assert sorted(built["original_parish_code"]) == sorted(parishes["parish_code"])
    assert any("'parish_code' is kept as 'original_parish_code'" in n for n in _notes(out))


def test_population_field_wins_over_an_existing_population(demo, tmp_path):
    parishes = demo.parishes.assign(pop2021=demo.parishes["population"] * 2)
    path = _write(tmp_path, parishes, demo.catchments)
    out = tmp_path / "out"
    ok(_build(path, out, "--scheme", "demo", "--population-field", "pop2021"))
    localities = read_vector(out / "localities.gpkg", layer="localities")
    assert localities["population"].sum() == 2 * demo.parishes["population"].sum()
    built = read_vector(out / "localities.gpkg", layer="parishes")
    assert built["original_population"].sum() == demo.parishes["population"].sum()


def _school_scheme(demo, tmp_path: Path) -> Path:
    """The demo scheme with each catchment named by its school."""
    school = dict(zip(demo.catchments["catchment"], demo.catchments["school"], strict=True))
    text = DEMO_TOML.read_text(encoding="utf-8")

    def rename(line: re.Match[str]) -> str:
        names = re.findall(r'"([^"]+)"', line.group(0))
        return "catchments = [" + ", ".join(f'"{school[n]}"' for n in names) + "]"

    path = tmp_path / "schools.toml"
    path.write_text(re.sub(r"^catchments = \[.*\]$", rename, text, flags=re.M), encoding="utf-8")
    return path


def test_catchment_field_wins_over_an_existing_catchment(demo, tmp_path, capsys):
    path = _write(tmp_path, demo.parishes, demo.catchments)
    out = tmp_path / "out"
    # Under the demo scheme the schools are unknown catchments: a clear error, not a crash.
    message = fails(_build(path, out, "--scheme", "demo", "--catchment-field", "school"), capsys)
    assert "does not place in any locality" in message
    assert "Aylestone School" in message
    scheme = str(_school_scheme(demo, tmp_path))
    ok(_build(path, out, "--scheme", scheme, "--catchment-field", "school"))
    catchments = read_vector(out / "localities.gpkg", layer="catchments")
    assert set(catchments["catchment"]) == set(demo.catchments["school"])
    assert any("'catchment' is kept as 'original_catchment'" in n for n in _notes(out))


# ------------------------------------------------------------ names, empty layers, axes


def test_a_layer_with_codes_only_names_parishes_by_code(demo, tmp_path):
    parishes = demo.parishes.drop(columns="PAR21NM")
    path = _write(tmp_path, parishes, demo.catchments)
    out = tmp_path / "out"
    ok(_build(path, out, "--scheme", "herefordshire"))
    built = read_vector(out / "localities.gpkg", layer="parishes")
    assert (built["parish_name"] == built["parish_code"]).all()
    assert sum("serve as names" in n for n in _notes(out)) == 1


def test_a_layer_with_no_features_says_so(demo, tmp_path, capsys):
    path = _write(tmp_path, demo.parishes.iloc[:0], demo.catchments)
    message = fails(_build(path, tmp_path / "out"), capsys)
    assert "county.gpkg: the file has no features" in message


def test_swapped_easting_and_northing_are_named(demo, tmp_path, capsys):
    swapped = demo.parishes.copy()
    swapped["geometry"] = shapely.transform(
        swapped.geometry.to_numpy(), lambda xy: np.ascontiguousarray(xy[:, ::-1])
    )
    path = _write(tmp_path, swapped, demo.catchments)
    message = fails(_build(path, tmp_path / "out", "--scheme", "demo"), capsys)
    assert "easting and northing look swapped" in message
    assert "Swap the coordinates" in message


# ------------------------------------------------------------ overlapping catchments


def _overlapping(demo):
    """Catchments where Weobley's also covers one parish wholly inside Kingstone's."""
    parishes = demo.parishes.reset_index(drop=True)
    catchments = demo.catchments.set_index("catchment")
    kingstone = catchments.loc["Kingstone", "geometry"]
    inside = parishes[parishes.within(kingstone)]
    parish = inside.iloc[0]
    catchments.loc["Weobley", "geometry"] = shapely.union(
        catchments.loc["Weobley", "geometry"], parish.geometry
    )
    return parishes, catchments.reset_index(), parish


def test_a_parish_in_two_overlapping_catchments_is_listed_with_the_rule(demo, tmp_path):
    parishes, catchments, parish = _overlapping(demo)
    path = _write(tmp_path, parishes, catchments)
    out = tmp_path / "out"
    ok(_build(path, out, "--scheme", "demo"))
    report = _report(out).set_index("check")
    # Only the parish both claim is listed: not the parishes across catchment boundaries.
    assert int(report.loc["parishes in overlapping catchments", "count"]) == 1
    assert report.loc["parishes in overlapping catchments", "detail"] == (
        f"{parish['PAR21NM']} (Kingstone 100.0%, Weobley 100.0%: equal shares: the catchment "
        "whose name sorts first)"
    )
    built = read_vector(out / "localities.gpkg", layer="parishes").set_index("parish_code")
    row = built.loc[parish["PAR21CD"]]
    # Equal shares (wholly inside both): the name that sorts first, Kingstone, wins.
    assert row["catchment"] == "Kingstone"
    assert row["reason"] == (
        "equal shares (100.0%) in catchments Kingstone and Weobley: the name that sorts first"
    )
