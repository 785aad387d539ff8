"""Drive-time and nearest-hub-by-road areas on the asset map: in the HTML and in Chromium.

The areas come from the generated demo road network (written as OS Open Roads and read back
through :func:`localitygis.access.read_roads`) and the demo hubs of ``tests._mapdata``.
"""

from __future__ import annotations

import re
from functools import cache

import geopandas as gpd
import pytest

from localitygis.access import drive_time_areas, nearest_hub_areas, read_roads
from localitygis.demo.roads import write_demo_roads
from localitygis.maps import asset_map, render_html, save_map
from localitygis.maps._format import format_value
from tests._browser import launch, open_page, require_browser
from tests._mapdata import XSS_NAME, demo_map_data

OVERLAY_PATHS = ".folium-map > .leaflet-map-pane > .leaflet-overlay-pane path.leaflet-interactive"


@cache
def _areas(folder: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from pathlib import Path

    network = read_roads(write_demo_roads(Path(folder)))
    hubs = demo_map_data().hubs.copy()
    hubs["hub_id"] = [f"H{i}" for i in range(len(hubs))]
    hubs.loc[hubs.index[0], "name"] = XSS_NAME
    drive = drive_time_areas(network, hubs, hubs["tier"].map({1: 15.0, 2: 20.0, 3: 10.0}))
    drive["population"] = 1000.0 + 10 * drive.index.to_numpy()
    return hubs, drive, nearest_hub_areas(network, hubs)


@pytest.fixture(scope="module")
def travel(tmp_path_factory):
    return _areas(str(tmp_path_factory.mktemp("roads")))


def _map(travel, **options):
    hubs, drive, nearest = travel
    data = demo_map_data()
    return asset_map(
        data.localities, data.assets, hubs=hubs, drive_times=drive, nearest_hubs=nearest, **options
    )


def test_drive_time_layers_have_legend_popups_and_escape_names(travel):
    hubs, drive, nearest = travel
    html = render_html(_map(travel))
    assert "Drive-time areas" in html
    assert "Nearest hub by road" in html
    assert "Travel time by road" in html  # the legend section
    assert "Hub reach by road (drive time)" in html
    # every area has a popup naming its hub and its minutes, population when given
    first = drive.iloc[0]
    assert first["hub_id"] == "H0"
    assert "Drive-time area of hub " + XSS_NAME not in html  # never raw
    assert XSS_NAME not in html
    name = hubs["name"].iloc[1]
    minutes = format_value(drive["minutes"].iloc[1], "minutes")
    assert re.search(re.escape(f"{name}: within {minutes} by road").replace("\\ ", " "), html)
    # a hub farther from any road than it can walk in its minutes has no area: named instead
    empty = drive.geometry.is_empty
    assert empty.any()
    assert html.count("Drive-time area of hub") == int((~empty).sum())
    missing = hubs.set_index("hub_id").loc[drive.loc[empty, "hub_id"], "name"]
    assert "No road within reach of: " + ", ".join(missing) in html
    assert html.count("Area nearest to hub") == len(nearest)
    assert "1,010" in html  # the second area's population, formatted as a count


def test_without_areas_the_map_has_no_travel_layers():
    data = demo_map_data()
    html = render_html(asset_map(data.localities, data.assets, hubs=data.hubs))
    assert "Drive-time areas" not in html
    assert "Travel time by road" not in html


def test_areas_without_hub_id_are_a_clear_error(travel):
    from localitygis.errors import DataError

    drive = travel[1]
    data = demo_map_data()
    with pytest.raises(DataError, match="hub_id"):
        asset_map(data.localities, data.assets, drive_times=drive.drop(columns="hub_id"))


def test_minutes_are_formatted_as_minutes():
    assert format_value(17.25, "minutes") == "17.2 min"
    assert format_value(15.0, "minutes") == "15 min"


@pytest.mark.browser
def test_drive_time_areas_in_the_browser(travel, tmp_path):
    require_browser()
    _, drive, nearest = travel
    drawn_areas = int((~drive.geometry.is_empty).sum())
    path = save_map(_map(travel), tmp_path / "assets.html")
    with launch() as browser, open_page(path, browser=browser) as (page, log):
        page.wait_for_selector(OVERLAY_PATHS)
        drawn = page.locator(OVERLAY_PATHS).count()
        control = page.locator(".leaflet-control-layers")
        control.hover()
        box = control.locator("label", has_text=re.compile(r"^\s*Drive-time areas\s*$"))
        box.locator("input").click()
        page.wait_for_function(
            f"() => document.querySelectorAll('{OVERLAY_PATHS}').length === {drawn - drawn_areas}"
        )
        near = control.locator("label", has_text=re.compile(r"^\s*Nearest hub by road\s*$"))
        near.locator("input").click()
        page.wait_for_function(
            "() => document.querySelectorAll("
            f"'{OVERLAY_PATHS}').length === {drawn - drawn_areas + len(nearest)}"
        )
        assert "Travel time by road" in page.locator(".lgis-legend").inner_text()
        assert page.locator("img[src='x']").count() == 0
        assert log.console_errors == []
        assert log.page_errors == []
        assert log.dialogs == []
        assert log.blocked == []
