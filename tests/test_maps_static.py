"""The printable maps: county overview PNG and locality atlas PDF (rendered with poppler)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from datetime import date

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from localitygis.errors import CRSError, DataError
from localitygis.localities.scheme import demo_scheme
from localitygis.maps import TIER_COLOURS, county_overview_png, locality_atlas_pdf
from localitygis.maps.static import category_markers
from localitygis.maps.style import TIER_NAMES
from tests._mapdata import demo_map_data


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("LOCALITYGIS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{tool} (Debian poppler-utils) is required")
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    return path


@pytest.fixture(scope="module")
def data():
    return demo_map_data()


@pytest.fixture(scope="module")
def atlas(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("atlas") / "atlas.pdf"
    return locality_atlas_pdf(
        data.localities, data.parishes, path, assets=data.assets, hubs=data.hubs
    )


def _page_text(pdf, page: int) -> str:
    out = subprocess.run(
        [_poppler("pdftotext"), "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def _pages(pdf) -> int:
    out = subprocess.run(
        [_poppler("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def test_atlas_has_an_overview_and_one_page_per_locality(atlas, data):
    assert atlas.read_bytes()[:5] == b"%PDF-"
    assert _pages(atlas) == len(data.localities) + 1 == 10
    names = list(data.localities["locality"])
    first = _page_text(atlas, 1)
    assert "Locality atlas" in first
    for name in names:
        assert name in first
    for number, name in enumerate(names, start=2):
        text = _page_text(atlas, number)
        assert f"{name} locality" in text
        own = data.parishes.loc[data.parishes["locality"] == name, "parish_name"]
        found = [p for p in own if p in text]
        assert len(found) >= 0.8 * len(own)  # parish labels are real text (a few may clip)


@pytest.mark.parametrize("page", range(1, 11))
def test_every_atlas_page_has_legend_scale_and_attribution(atlas, page):
    text = _page_text(atlas, page)
    assert "Legend" in text
    for tier in TIER_NAMES.values():
        assert tier in text
    assert "km" in text  # scale bar label
    assert "N" in text.split()  # north arrow
    assert "Generated demo data (localitygis.demo)" in text
    assert "DEMO DATA" in text


def _has_colour(image: np.ndarray, colour: str, alpha: float, *, tol: float = 0.035) -> bool:
    rgb = image[..., :3].astype("float64")
    if rgb.max() > 1.0:
        rgb = rgb / 255.0
    expected = alpha * np.array(to_rgb(colour)) + (1 - alpha) * np.ones(3)
    return bool((np.abs(rgb - expected).max(axis=-1) < tol).any())


def test_rendered_atlas_pages_show_the_tier_colours_in_the_legend(atlas, tmp_path):
    pdftoppm = _poppler("pdftoppm")
    subprocess.run([pdftoppm, "-r", "50", "-png", str(atlas), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 10
    for png in pages:
        image = imread(png)
        width = image.shape[1]
        legend_panel = image[:, int(width * 0.72) :]
        for colour in TIER_COLOURS.values():
            # legend swatches: alpha 0.8 over the white legend box
            assert _has_colour(legend_panel, colour, 0.8), (png.name, colour)


def test_county_overview_png(tmp_path, data):
    path = county_overview_png(
        data.localities, tmp_path / "out" / "county.png", parishes=data.parishes, dpi=60
    )
    image = imread(path)
    assert image.shape[0] > 400
    assert image.shape[1] > image.shape[0]  # A4 landscape
    for colour in TIER_COLOURS.values():
        assert _has_colour(image, colour, 0.8)


def test_static_maps_report_bad_input(tmp_path, data):
    no_crs = gpd.GeoDataFrame(
        data.localities.drop(columns="geometry"),
        geometry=np.asarray(data.localities.geometry.values, dtype=object),
    )
    with pytest.raises(CRSError, match="no coordinate reference system"):
        county_overview_png(no_crs, tmp_path / "x.png")
    with pytest.raises(DataError, match="localities are empty"):
        locality_atlas_pdf(data.localities.iloc[0:0], data.parishes, tmp_path / "x.pdf")
    with pytest.raises(DataError, match=r"lacks column\(s\) 'category'"):
        locality_atlas_pdf(
            data.localities,
            data.parishes,
            tmp_path / "x.pdf",
            assets=data.assets.drop(columns="category"),
        )


@pytest.fixture(scope="module")
def dated_atlas(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("dated") / "atlas.pdf"
    return locality_atlas_pdf(
        data.localities,
        data.parishes,
        path,
        assets=data.assets,
        hubs=data.hubs,
        scheme=demo_scheme(),
        data_date="1 December 2026",
    )


def test_every_page_has_its_number_the_scheme_and_both_dates(dated_atlas):
    printed = f"Printed {date.today():%d %B %Y}"
    for page in range(1, 11):
        text = " ".join(_page_text(dated_atlas, page).split())
        assert f"Page {page} of 10" in text
        assert f"Scheme: {demo_scheme().name}" in text
        assert "Data: 1 December 2026" in text
        assert printed in text


def _word_boxes(pdf, page: int) -> list[tuple[str, float, float, float, float]]:
    out = subprocess.run(
        [_poppler("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        out,
    )
    # each label is drawn twice (white halo, then text) at the same place: keep one
    unique = {(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in words}
    return sorted(unique)


@pytest.mark.parametrize("page", range(2, 11))
def test_no_two_labels_collide_on_a_locality_map(atlas, page):
    width = 11.69 * 72
    boxes = [b for b in _word_boxes(atlas, page) if b[3] < 0.71 * width and b[2] > 0.08 * 595]
    clashes = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if min(a[3], b[3]) - max(a[1], b[1]) > 0.5 and min(a[4], b[4]) - max(a[2], b[2]) > 0.5
    ]
    assert clashes == []


def test_locator_inset_marks_the_locality(atlas, tmp_path):
    pdftoppm = _poppler("pdftoppm")
    subprocess.run(
        [pdftoppm, "-r", "50", "-f", "2", "-l", "3", "-png", str(atlas), str(tmp_path / "p")],
        check=True,
    )
    for png in sorted(tmp_path.glob("p-*.png")):
        image = imread(png)
        height, width = image.shape[:2]
        inset = image[int(height * 0.10) : int(height * 0.31), int(width * 0.79) :]
        assert _has_colour(inset, "#c0392b", 1.0), png.name
        assert _has_colour(inset, "#dddddd", 1.0), png.name


def test_hub_reach_is_a_dashed_outline_as_the_legend_shows(data):
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    from localitygis.maps.static import _draw_hubs

    ax = Figure().add_subplot()
    handles = _draw_hubs(ax, data.hubs.iloc[:3], 1)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 3
    assert all(not c.get_fill() and c.get_linestyle() == "--" for c in circles)
    legend = next(h for h in handles if h.get_label() == "Hub reach")
    assert legend.get_linestyle() == "--"


def test_asset_symbols_differ_in_shape_as_well_as_colour(data):
    cats = sorted(data.assets["category"].unique())
    markers = category_markers(cats)
    assert len(set(markers.values())) == len(cats)
    trio = {markers[c] for c in ("fire_station", "gp_surgery", "hospital")}
    assert len(trio) == 3


def test_emoji_and_right_to_left_names_print_cleanly(tmp_path, data):
    loc = data.localities.copy()
    old = loc["locality"].iloc[1]
    loc.loc[loc.index[1], "locality"] = "Castle 🏰 Town"
    par = data.parishes.copy()
    par.loc[par["locality"] == old, "locality"] = "Castle 🏰 Town"
    first = par.index[par["locality"] == "Castle 🏰 Town"][0]
    par.loc[first, "parish_name"] = "Beit שלום"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf = locality_atlas_pdf(loc, par, tmp_path / "atlas.pdf", title="Atlas ✨ 2026")
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert "Atlas 2026" in _page_text(pdf, 1)
    text = _page_text(pdf, 3)
    assert "Castle Town locality" in text
    assert "🏰" not in text


def test_long_titles_shrink_and_wrap_to_fit_the_page(tmp_path, data):
    title = "Herefordshire Council locality working: assets, hubs and parishes " * 3
    pdf = locality_atlas_pdf(
        data.localities.iloc[:1], data.parishes, tmp_path / "a.pdf", title=title
    )
    boxes = _word_boxes(pdf, 1)
    assert boxes
    assert max(b[3] for b in boxes) <= 11.69 * 72


# -- the needs: the county deprivation page and each locality's needs -------------------


@pytest.fixture(scope="module")
def needs_atlas(tmp_path_factory, data):
    from tests._mapdata import demo_needs

    areas, profile = demo_needs()
    path = tmp_path_factory.mktemp("needs") / "atlas.pdf"
    pdf = locality_atlas_pdf(data.localities, data.parishes, path, needs=areas)
    return pdf, areas, profile.set_index("locality")


def test_needs_atlas_has_the_deprivation_page_after_the_overview(needs_atlas, data):
    pdf, areas, _ = needs_atlas
    assert _pages(pdf) == len(data.localities) + 2
    text = " ".join(_page_text(pdf, 2).split())  # the attribution wraps over lines
    assert "Deprivation: IMD 2019 national deciles" in text
    assert f"{len(areas)} LSOAs" in text
    assert "most deprived 10 %" in text
    assert f"Page 2 of {len(data.localities) + 2}" in text
    assert "Indices of Deprivation 2019" in text  # the IoD attribution


def test_needs_atlas_locality_pages_state_their_needs_against_the_county(needs_atlas, data):
    pdf, _, profile = needs_atlas
    county = profile.loc["County"]
    for number, name in enumerate(data.localities["locality"], start=3):
        text = " ".join(_page_text(pdf, number).split())
        assert f"{name} locality" in text
        row = profile.loc[name]
        assert f"Population (LSOAs): {row['population']:,.0f}" in text
        older = (
            f"Aged 60+: {row['age_60_plus_share']:.1%} (county {county['age_60_plus_share']:.1%})"
        )
        assert older in text
        assert f"IMD mean rank: {row['imd_mean_rank']:,.0f} of 32,844" in text
        assert f"most deprived 20 %: {row['most_deprived_20pc_share']:.1%}" in text
        most = f"{row['most_deprived_code']}), decile {int(row['most_deprived_decile'])}"
        least = f"{row['least_deprived_code']}), decile {int(row['least_deprived_decile'])}"
        assert most in text
        assert least in text


def test_atlas_without_needs_has_no_needs_panel(atlas):
    assert "IMD mean rank" not in _page_text(atlas, 2)
    assert "Deprivation: IMD 2019" not in _page_text(atlas, 2)
