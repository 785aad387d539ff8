"""Open the saved maps in headless Chromium with the network blocked, and use them.

Needs Debian's ``/usr/bin/chromium`` (skipped with a reason when absent, failed when
``LOCALITYGIS_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import re

import pytest

from localitygis.maps import asset_map, county_map, locality_map, save_map
from tests._browser import launch, open_page, require_browser
from tests._mapdata import XSS_NAME, demo_map_data, demo_needs, with_xss_asset

pytestmark = pytest.mark.browser

OVERLAY_PATHS = ".folium-map > .leaflet-map-pane > .leaflet-overlay-pane path.leaflet-interactive"


@pytest.fixture(scope="module")
def browser():
    with launch() as shared:
        yield shared


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    require_browser()
    data = demo_map_data()
    folder = tmp_path_factory.mktemp("maps")
    county = save_map(
        county_map(
            data.localities,
            parishes=data.parishes,
            catchments=data.catchments,
            profiles=data.profiles,
            needs=demo_needs()[1],
        ),
        folder / "county.html",
    )
    assets = save_map(
        asset_map(
            data.localities,
            with_xss_asset(data.assets),
            hubs=data.hubs,
            clusters=data.clusters,
            unserved=data.unserved,
            parishes=data.parishes,
        ),
        folder / "assets.html",
    )
    kington = save_map(
        locality_map("Kington", data.localities, data.parishes, assets=data.assets, hubs=data.hubs),
        folder / "kington.html",
    )
    return {"county": county, "assets": assets, "kington": kington, "data": data}


def _clean(log) -> None:
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.dialogs == []
    assert log.blocked == []  # nothing even tried to reach the network


def test_county_map_loads_offline_and_draws_nine_localities(maps, browser):
    with open_page(maps["county"], browser=browser) as (page, log):
        page.wait_for_selector(OVERLAY_PATHS)
        assert page.locator(OVERLAY_PATHS).count() == 9
        assert page.locator(".folium-map > .leaflet-map-pane .lgis-label").count() == 9
        legend = page.locator(".lgis-legend").inner_text()
        assert "Tier one – Rural areas" in legend
        assert "Tier three – Hereford City" in legend
        assert "Generated demo data" in page.locator(".leaflet-control-attribution").inner_text()
        for control in (
            ".leaflet-control-minimap",
            ".leaflet-control-scale",
            ".leaflet-control-zoom-fullscreen",
            ".leaflet-control-measure",
        ):
            assert page.locator(control).count() == 1, control
        _clean(log)


def _layer_checkbox(page, label: str):
    control = page.locator(".leaflet-control-layers")
    control.hover()
    return control.locator("label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).locator(
        "input"
    )


def test_toggling_layers_in_the_layer_control(maps, browser):
    with open_page(maps["county"], browser=browser) as (page, log):
        page.wait_for_selector(OVERLAY_PATHS)
        localities = _layer_checkbox(page, "Localities")
        assert localities.is_checked()
        localities.click()
        page.wait_for_function(f"() => document.querySelectorAll('{OVERLAY_PATHS}').length === 0")
        assert not localities.is_checked()
        parishes = _layer_checkbox(page, "Parishes")
        parishes.click()
        count = len(maps["data"].parishes)
        page.wait_for_function(
            f"() => document.querySelectorAll('{OVERLAY_PATHS}').length === {count}"
        )
        _clean(log)


def test_clicking_a_locality_opens_its_popup(maps, browser):
    with open_page(maps["county"], browser=browser) as (page, log):
        page.wait_for_selector(OVERLAY_PATHS)
        label = page.locator(".lgis-label", has_text="Golden Valley")
        box = label.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert "Golden Valley" in text
        assert "Tier one – Rural areas" in text
        assert "Population" in text
        _clean(log)


def test_locality_popup_shows_its_needs_against_the_county(maps, browser):
    profile = demo_needs()[1].set_index("locality")
    row, county = profile.loc["Golden Valley"], profile.loc["County"]
    with open_page(maps["county"], browser=browser) as (page, log):
        page.wait_for_selector(OVERLAY_PATHS)
        box = page.locator(".lgis-label", has_text="Golden Valley").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = " ".join(popup.inner_text().split())
        older = f"{row['age_60_plus_share']:.1%} (county {county['age_60_plus_share']:.1%})"
        assert f"Aged 60 and over {older}" in text
        assert f"Population (LSOAs, mid-2015) {row['population']:,.0f}" in text
        assert f"IMD 2019 mean rank {row['imd_mean_rank']:,.0f} of 32,844" in text
        share = f"{row['most_deprived_20pc_share']:.1%}"
        assert f"In England's most deprived 20 % {share}" in text
        assert f"({row['most_deprived_code']}), decile {int(row['most_deprived_decile'])}" in text
        assert f"({row['least_deprived_code']}), decile {int(row['least_deprived_decile'])}" in text
        assert ".0 " not in text.replace("0.0%", "")  # whole numbers have no .0
        _clean(log)


def test_search_box_finds_a_parish(maps, browser):
    parish = maps["data"].parishes.sort_values("parish_name")["parish_name"].iloc[5]
    with open_page(maps["county"], browser=browser) as (page, log):
        box = page.locator(".lgis-search input")
        box.fill(parish[:-1])
        hit = page.locator("li.lgis-hit", has_text=parish).first
        hit.wait_for()
        assert "Parish" in hit.inner_text()
        hit.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert parish in popup.inner_text()
        assert "Civil parish" in popup.inner_text()
        page.wait_for_timeout(400)
        assert page.locator(".leaflet-popup").count() == 1  # and it stays open
        # choosing a parish switched the (hidden) parish layer on
        assert _layer_checkbox(page, "Parishes").is_checked()
        _clean(log)


def test_hostile_asset_name_is_shown_as_text_and_runs_nothing(maps, browser):
    with open_page(maps["assets"], browser=browser) as (page, log):
        page.wait_for_timeout(300)
        box = page.locator(".lgis-search input")
        box.fill("<img src=x")
        hit = page.locator("li.lgis-hit").first
        hit.wait_for()
        assert XSS_NAME in hit.inner_text()
        hit.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.locator("h4").inner_text() == XSS_NAME
        assert "<b onmouseover=alert(2)>cat</b>" in popup.inner_text()
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("b[onmouseover]").count() == 0
        assert "</script><script>alert('partner')</script>" in popup.inner_text()
        _clean(log)


def test_search_opens_a_hub_popup_that_stays_open(maps, browser):
    hub = maps["data"].hubs["name"].iloc[0]
    with open_page(maps["assets"], browser=browser) as (page, log):
        page.locator(".lgis-search input").fill(hub)
        hit = page.locator("li.lgis-hit", has_text="Hub").first
        hit.wait_for()
        hit.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        page.wait_for_timeout(400)
        assert page.locator(".leaflet-popup").count() == 1
        assert hub in popup.inner_text()
        assert "Reach" in popup.inner_text()
        _clean(log)


def test_asset_layers_filter_by_category_and_partner(maps, browser):
    data = maps["data"]
    total = len(data.assets) + 1
    libraries = int((data.assets["category"] == "library").sum())
    with open_page(maps["assets"], browser=browser) as (page, log):
        html = maps["assets"].read_text(encoding="utf-8")
        name = re.search(r"var (lgis_assets_\w+) = \(function", html).group(1)
        shown = f"() => {name}.group.getLayers().length"
        page.wait_for_function(f"{shown} === {total}")
        _layer_checkbox(page, f"Library ({libraries})").click()
        page.wait_for_function(f"{shown} === {total - libraries}")
        _layer_checkbox(page, f"Library ({libraries})").click()
        page.wait_for_function(f"{shown} === {total}")
        _layer_checkbox(page, f"All assets ({total:,})").click()
        page.wait_for_function(f"() => !{name}.group._map")
        _clean(log)


def test_locality_map_opens_with_its_parishes(maps, browser):
    data = maps["data"]
    own = int((data.parishes["locality"] == "Kington").sum())
    with open_page(maps["kington"], browser=browser) as (page, log):
        page.wait_for_selector(OVERLAY_PATHS)
        assert page.locator(".lgis-label.lgis-small").count() == own
        assert "Kington locality" in page.locator(".lgis-title").inner_text()
        _clean(log)
