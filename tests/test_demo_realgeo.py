"""The demo's bundled copy of the real small areas, and the population apportionment rule."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from localitygis.demo.population import AGE_BANDS, apportion, oa_populations, split_integer
from localitygis.demo.realgeo import (
    IMD_FILE,
    POPULATION_FILE,
    SMALL_AREAS_FILE,
    derive_small_areas,
    load_small_areas,
)
from localitygis.errors import InputFileError

BUNDLED = Path(__file__).resolve().parents[1] / "localitygis" / "data" / "realgeo"
SHARED = Path(
    os.environ.get(
        "LOCALITYGIS_REALGEO", Path(__file__).resolve().parents[1] / ".." / "shared" / "realgeo"
    )
)


def test_bundled_copy_is_small_and_attributed() -> None:
    files = [p for p in BUNDLED.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1.5 * 1024 * 1024
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    for text in ("Open Government Licence", "UK-GeoJSON by Martin Chorley, CC BY 4.0",
                 "English Indices of Deprivation 2019"):  # fmt: skip
        assert text in readme.replace("\n", " ")


def test_bundled_copy_reads_back_with_the_real_facts() -> None:
    small = load_small_areas()
    oas = small.output_areas
    assert oas.crs.to_epsg() == 27700
    assert len(oas) == 640
    assert oas["OA11CD"].is_unique
    assert oas["OA11CD"].str.fullmatch(r"E00\d{6}").all()
    assert oas["LSOA11CD"].nunique() == 116
    assert oas["WD13CD"].nunique() == 40
    # Kept as published: one polygon is invalid (the demo repairs it, counted).
    assert (~oas.geometry.is_valid).sum() == 1
    assert abs(shapely.area(shapely.make_valid(oas.geometry.values)).sum() / 1e6 - 2_179.7) < 0.05
    # Coordinates are rounded to 0.1 m.
    xy = shapely.get_coordinates(oas.geometry.values)
    assert np.allclose(xy * 10, np.round(xy * 10), atol=1e-6)
    lsoas = small.lsoas
    assert len(lsoas) == 116
    assert set(lsoas["LSOA11CD"]) == set(oas["LSOA11CD"])
    assert lsoas["population"].sum() == 188_522
    assert (lsoas[list(AGE_BANDS)].sum(axis=1) == lsoas["population"]).all()
    assert lsoas["imd_decile"].between(1, 10).all()
    assert lsoas["imd_rank"].between(1, 32_844).all()
    assert set(small.wards["WD13CD"]) == set(oas["WD13CD"])


def test_missing_bundled_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        InputFileError, match=r"lacks .*herefordshire_small_areas\.gpkg.*--small-areas"
    ):
        load_small_areas(tmp_path)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the real files as published are not here")
def test_derivation_from_the_published_files_reproduces_the_bundled_copy(tmp_path: Path) -> None:
    facts = derive_small_areas(SHARED, tmp_path)
    for name in (IMD_FILE, POPULATION_FILE, SMALL_AREAS_FILE):
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes()
    fresh = pyogrio.read_dataframe(tmp_path / SMALL_AREAS_FILE, layer="output_areas")
    bundled = pyogrio.read_dataframe(BUNDLED / SMALL_AREAS_FILE, layer="output_areas")
    pd.testing.assert_frame_equal(fresh.drop(columns="geometry"), bundled.drop(columns="geometry"))
    assert shapely.equals_exact(fresh.geometry.values, bundled.geometry.values, tolerance=0).all()
    # The measured facts the README reports.
    assert facts["lsoa_min_share"] > 0.999
    assert 0.9 < facts["ward_min_share"] < 1.0
    assert facts["invalid_oas"] == 1
    assert (BUNDLED / "README.md").read_text(encoding="utf-8") == (
        tmp_path / "README.md"
    ).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# Apportionment


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 5_000), min_size=1, max_size=6),
    st.lists(st.floats(0.01, 1e6), min_size=1, max_size=30),
)
def test_split_integer_conserves_and_stays_within_one_of_the_exact_share(
    totals: list[int], weights: list[float]
) -> None:
    w = np.asarray(weights)
    for total in totals:
        parts = split_integer(total, w)
        assert parts.sum() == total
        assert (parts >= 0).all()
        assert np.abs(parts - total * w / w.sum()).max() < 1.0


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_apportion_conserves_every_band_of_every_whole(data: st.DataObject) -> None:
    n_wholes = data.draw(st.integers(1, 5))
    bands = {b: data.draw(st.lists(st.integers(0, 3_000), min_size=n_wholes, max_size=n_wholes))
             for b in AGE_BANDS}  # fmt: skip
    totals = pd.DataFrame(bands, index=[f"L{i}" for i in range(n_wholes)])
    owners = data.draw(
        st.lists(st.sampled_from(list(totals.index)), min_size=n_wholes, max_size=40)
    )
    owners = [*totals.index, *owners]  # every whole has a part
    weights = np.asarray(data.draw(st.lists(st.floats(0.1, 1e4), min_size=len(owners),
                                            max_size=len(owners))))  # fmt: skip
    parts = apportion(totals, pd.Series(owners), weights)
    back = parts.groupby(np.asarray(owners))[list(AGE_BANDS)].sum()
    pd.testing.assert_frame_equal(back.loc[totals.index], totals, check_names=False)
    assert (parts["population"] == parts[list(AGE_BANDS)].sum(axis=1)).all()


def test_oa_populations_split_each_lsoa_equally_lower_codes_first() -> None:
    lsoas = pd.DataFrame(
        {"LSOA11CD": ["L1", "L2"], "aged_0_15": [10, 4], "aged_16_59": [20, 9],
         "aged_60_plus": [7, 0]}
    )  # fmt: skip
    oas = pd.Series(["E3", "E1", "E2", "E9"], index=[10, 11, 12, 13])
    table = oa_populations(oas, pd.Series(["L1", "L1", "L1", "L2"], index=oas.index), lsoas)
    assert list(table.index) == [10, 11, 12, 13]
    # L1's 10 children over E1, E2, E3: the spare one goes to the lowest code, E1 (row 11).
    assert table["aged_0_15"].tolist() == [3, 4, 3, 4]
    assert table["aged_16_59"].tolist() == [6, 7, 7, 9]
    assert table["population"].sum() == lsoas[list(AGE_BANDS)].to_numpy().sum()
