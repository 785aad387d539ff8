"""The deprivation choropleth on the demo's real LSOAs: HTML content, escaping, errors, PNG."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from localitygis.errors import CRSError, DataError
from localitygis.maps import DECILE_COLOURS, deprivation_map, deprivation_png, render_html
from localitygis.maps._offline import external_urls
from localitygis.provenance import IOD2019_ATTRIBUTION
from tests._mapdata import XSS_NAME, demo_map_data

POPUP = re.compile(r'"_p":("(?:[^"\\]|\\.)*")')
FILL = re.compile(r'"fillColor":"(#[0-9a-f]{6})"')


def unjs(page: str) -> str:
    return page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")


@pytest.fixture(scope="module")
def data():
    return demo_map_data()


@pytest.fixture(scope="module")
def lsoas():
    from tests._analysisdata import demo_chain

    return demo_chain().demo.lsoas


@pytest.fixture(scope="module")
def page(lsoas, data):
    return render_html(deprivation_map(lsoas, localities=data.localities))


def popups(page: str) -> list[str]:
    return [json.loads(unjs(m.group(1))) for m in POPUP.finditer(page)]


def test_every_lsoa_is_drawn_in_its_decile_colour(page, lsoas):
    fills = FILL.findall(page)
    for decile, colour in DECILE_COLOURS.items():
        assert fills.count(colour) == int((lsoas["imd_decile"] == decile).sum()), decile
    assert len(popups(page)) == len(lsoas) == 116


def test_legend_says_what_a_national_decile_means_and_counts_the_lsoas(page, lsoas):
    text = unjs(page)
    assert "IMD 2019 national decile" in text
    assert "England&#x27;s 32,844 LSOAs" in text or "England's 32,844 LSOAs" in text
    assert "1 – most deprived 10 % (1 here)" in text
    assert f"5 ({int((lsoas['imd_decile'] == 5).sum())} here)" in text
    assert "10 – least deprived 10 %" in text
    assert "Locality boundary" in text


def test_popups_give_code_name_decile_rank_population_and_older_share(page, lsoas):
    shown = {p.split("<h4>")[1].split("</h4>")[0]: p for p in popups(page)}
    for _, row in lsoas.sample(12, random_state=3).iterrows():
        popup = shown[row["LSOA11NM"]]
        assert f"<td>{row['LSOA11CD']}</td>" in popup
        assert f"<td>{row['imd_decile']} of 10 (1 = most deprived)</td>" in popup
        assert f"<td>{row['imd_rank']:,} of 32,844</td>" in popup
        assert f"<td>{row['population']:,}</td>" in popup
        share = round(100 * row["aged_60_plus"] / row["population"])
        assert f"<td>{share}%</td>" in popup
        assert ".0<" not in popup


def test_locality_outlines_and_names_are_drawn_over_the_lsoas(page, data):
    text = unjs(page)
    assert text.count('"color":"#111","weight":2.4,"fill":false') == len(data.localities)
    for name in data.localities["locality"]:
        assert f'"_l":"{name}"' in text


def test_page_is_offline_and_says_what_is_real(page):
    assert external_urls(page) == []
    assert IOD2019_ATTRIBUTION in page
    assert "Demo data: boundaries generated" in page
    assert "Real: LSOA boundaries, populations and IMD 2019" in page


def test_real_data_page_carries_the_iod_attribution_and_no_demo_note(lsoas):
    real = gpd.GeoDataFrame(lsoas.drop(columns="data_source"), crs=lsoas.crs)
    real.attrs = {}
    page = render_html(deprivation_map(real.head(5)))
    assert IOD2019_ATTRIBUTION in page
    assert "Contains OS data" in page
    assert "Demo data" not in page
    assert "Generated: the locality outlines" not in page


def test_hostile_names_are_escaped(lsoas):
    hostile = lsoas.head(3).copy()
    hostile.loc[hostile.index[0], "LSOA11NM"] = XSS_NAME
    page = unjs(render_html(deprivation_map(hostile)))
    assert XSS_NAME not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_needs_frame_columns_and_missing_deciles(lsoas):
    frame = lsoas.head(6).rename(
        columns={"LSOA11CD": "area_code", "LSOA11NM": "area_name", "aged_60_plus": "age_60_plus"}
    )
    frame["imd_decile"] = frame["imd_decile"].astype("float64")
    frame.loc[frame.index[0], ["imd_decile", "imd_rank"]] = np.nan
    page = unjs(render_html(deprivation_map(frame)))
    assert "No data (1)" in page
    assert page.count("<td>No data</td>") == 2  # decile and rank of the one LSOA
    assert frame["area_code"].iloc[1] in page


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [("imd_decile", 11, "decile"), ("imd_decile", 2.5, "decile"), ("imd_rank", 40_000, "rank")],
)
def test_out_of_range_figures_are_refused_naming_the_lsoa(lsoas, column, value, words):
    bad = lsoas.head(4).copy()
    bad[column] = bad[column].astype("float64")
    bad.loc[bad.index[2], column] = value
    code = bad["LSOA11CD"].iloc[2]
    with pytest.raises(DataError, match=rf"{words}.*{code}.*row 3"):
        deprivation_map(bad)


def test_missing_columns_and_crs_are_refused(lsoas):
    with pytest.raises(DataError, match="decile"):
        deprivation_map(lsoas.drop(columns="imd_decile"))
    with pytest.raises(CRSError):
        deprivation_map(lsoas.set_crs(None, allow_override=True))
    named = deprivation_map(lsoas.head(2).rename(columns={"imd_decile": "d"}), decile_column="d")
    assert "IMD 2019 national decile" in render_html(named)


def _has_colour(image: np.ndarray, colour: str, tol: float = 0.02) -> bool:
    rgb = image[..., :3]
    return bool((np.abs(rgb - np.array(to_rgb(colour))).max(axis=-1) < tol).any())


def test_deprivation_png_draws_every_decile_present(tmp_path, lsoas, data):
    out = deprivation_png(lsoas, tmp_path / "out" / "imd.png", localities=data.localities, dpi=100)
    assert [p.name for p in out.parent.iterdir()] == ["imd.png"]  # no partial file left
    image = imread(out)
    assert image.shape[1] > image.shape[0]  # A4 landscape
    map_area = image[:, : int(image.shape[1] * 0.7)]
    for colour in DECILE_COLOURS.values():
        assert _has_colour(map_area, colour), colour
