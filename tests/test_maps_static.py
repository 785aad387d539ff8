"""The printable maps: county overview PNG and locality atlas PDF (rendered with poppler)."""

from __future__ import annotations

import os
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread

from localitygis.errors import CRSError, DataError
from localitygis.maps import TIER_COLOURS, county_overview_png, locality_atlas_pdf
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
