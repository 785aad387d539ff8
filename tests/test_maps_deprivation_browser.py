"""The saved deprivation map in headless Chromium with the network blocked."""

from __future__ import annotations

import pytest

from localitygis.maps import deprivation_map, save_map
from tests._analysisdata import demo_chain
from tests._browser import launch, open_page, require_browser
from tests._mapdata import demo_map_data

pytestmark = pytest.mark.browser

OVERLAY_PATHS = ".folium-map > .leaflet-map-pane > .leaflet-overlay-pane path.leaflet-interactive"


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    require_browser()
    lsoas = demo_chain().demo.lsoas
    localities = demo_map_data().localities
    path = tmp_path_factory.mktemp("deprivation") / "deprivation.html"
    return save_map(deprivation_map(lsoas, localities=localities), path), lsoas, localities


@pytest.fixture(scope="module")
def browser():
    with launch() as shared:
        yield shared


def _clean(log) -> None:
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.dialogs == []
    assert log.blocked == []


def test_map_draws_every_lsoa_and_locality_offline(saved, browser):
    path, lsoas, localities = saved
    with open_page(path, browser=browser) as (page, log):
        page.wait_for_selector(OVERLAY_PATHS)
        assert page.locator(OVERLAY_PATHS).count() == len(lsoas) + len(localities)
        assert page.locator(".folium-map .lgis-label").count() == len(localities)
        legend = page.locator(".lgis-legend").inner_text()
        assert "1 – most deprived 10 %" in legend
        assert "32,844 LSOAs" in legend
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert "English Indices of Deprivation 2019" in attribution
        _clean(log)


def test_search_finds_an_lsoa_by_code_and_opens_its_popup(saved, browser):
    path, lsoas, _ = saved
    row = lsoas.sort_values("imd_rank").iloc[0]  # the most deprived LSOA in the county
    with open_page(path, browser=browser) as (page, log):
        page.locator(".lgis-search input").fill(row["LSOA11CD"])
        hit = page.locator("li.lgis-hit", has_text=row["LSOA11CD"]).first
        hit.wait_for()
        hit.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert row["LSOA11NM"] in text
        assert "1 of 10 (1 = most deprived)" in text
        assert f"{row['imd_rank']:,} of 32,844" in text
        assert f"{row['population']:,}" in text
        _clean(log)
