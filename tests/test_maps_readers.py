"""The web maps as officers, other councils and screen-reader users use them, in Chromium.

Network blocked, as in ``test_maps_browser``: search by code, id and postcode; popups that
fit the screen; the "needs internet" note; print, PNG export, CSV download and the table
alternative; narrow screens; co-location layers; and axe-core (vendored, injected from a
local file) finding no WCAG 2.2 A/AA violation on every demo map.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from localitygis.colocation import find_clusters
from localitygis.maps import asset_map, choropleth_map, county_map, locality_map, save_map
from tests._browser import launch, open_page, require_browser
from tests._mapdata import demo_map_data, with_xss_asset

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
LONG_WORD = "Supercalifragilistic" * 30  # 600 characters, no space to break at
FORMULA = '=HYPERLINK("http://example.com","click")'


@pytest.fixture(scope="module")
def browser():
    with launch() as shared:
        yield shared


def _assets(data):
    """Demo assets plus a hostile one, one with a 600-character name and a formula name."""
    assets = with_xss_asset(data.assets)
    extra = assets.iloc[[1, 2]].copy()
    extra["asset_id"] = ["LONG1", "FORM1"]
    extra["name"] = [LONG_WORD, FORMULA]
    out = pd.concat([assets, extra], ignore_index=True)
    return type(assets)(out, geometry="geometry", crs=assets.crs).pipe(_keep_attrs, assets)


def _keep_attrs(frame, like):
    frame.attrs = dict(like.attrs)
    return frame


def _with_twins(assets):
    """Assets plus, next to three lone buildings, a second building of the same partner.

    The demo register has no consolidation candidate (one partner on several sites close
    together); these make three, so the map has both kinds of cluster.
    """
    lone = find_clusters(assets).assets
    lone = lone[lone["cluster_kind"] == "single"].iloc[:3]
    twins = assets.loc[lone.index].copy()
    twins["asset_id"] = [f"TWIN{i}" for i in range(len(twins))]
    twins["name"] = twins["name"] + " annexe"
    twins["geometry"] = twins.geometry.translate(25, 0)
    out = pd.concat([assets, twins], ignore_index=True)
    return _keep_attrs(type(assets)(out, geometry="geometry", crs=assets.crs), assets)


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    require_browser()
    data = demo_map_data()
    every = find_clusters(_with_twins(data.assets)).clusters
    folder = tmp_path_factory.mktemp("readers")
    assets = _assets(data)
    out = {
        "county": save_map(
            county_map(
                data.localities,
                parishes=data.parishes,
                catchments=data.catchments,
                profiles=data.profiles,
            ),
            folder / "county.html",
        ),
        "assets": save_map(
            asset_map(
                data.localities,
                assets,
                hubs=data.hubs,
                clusters=every,
                unserved=data.unserved,
                parishes=data.parishes,
            ),
            folder / "assets.html",
        ),
        "kington": save_map(
            locality_map(
                "Kington", data.localities, data.parishes, assets=data.assets, hubs=data.hubs
            ),
            folder / "kington.html",
        ),
        "density": save_map(
            choropleth_map(data.localities, "density_per_km2", k=4), folder / "density.html"
        ),
        "online": save_map(county_map(data.localities, tiles=True), folder / "online.html"),
    }
    return out | {"data": data, "clusters": every, "asset_frame": assets}


def _clean(log) -> None:
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.dialogs == []
    assert log.blocked == []


def _search(page, text: str):
    page.locator(".lgis-search input").fill(text)
    page.wait_for_selector(".lgis-results li")
    return page.locator(".lgis-results li")


@pytest.mark.parametrize("name", ["county", "assets", "kington", "density"])
def test_no_wcag_22_a_or_aa_violations(maps, browser, name):
    with open_page(maps[name], browser=browser) as (page, log):
        page.wait_for_timeout(300)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => ({id: v.id, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
            WCAG_22_A_AA,
        )
        assert result == []
        assert page.title()
        assert page.evaluate("document.documentElement.lang") == "en-GB"
        viewport = page.locator("meta[name=viewport]").get_attribute("content")
        assert "user-scalable=no" not in viewport
        assert "maximum-scale" not in viewport
        _clean(log)


def test_polygons_and_markers_have_accessible_names(maps, browser):
    data = maps["data"]
    with open_page(maps["county"], browser=browser) as (page, log):
        labels = page.locator("path.leaflet-interactive[aria-label]")
        labels.first.wait_for()
        names = [labels.nth(i).get_attribute("aria-label") for i in range(labels.count())]
        for locality in data.localities["locality"]:
            assert any(n.startswith(f"{locality}, ") for n in names), locality
        _clean(log)


def test_search_finds_parish_codes_asset_ids_and_postcodes(maps, browser):
    data = maps["data"]
    parish = data.parishes.iloc[7]
    asset = data.assets.iloc[11]
    with open_page(maps["assets"], browser=browser) as (page, log):
        hits = _search(page, parish["parish_code"].lower())
        assert parish["parish_name"] in hits.first.inner_text()
        hits = _search(page, asset["asset_id"])
        assert asset["name"] in hits.first.inner_text()
        hits.first.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert asset["asset_id"] in popup.inner_text()
        same_postcode = data.assets[data.assets["postcode"] == asset["postcode"]]["name"]
        hits = _search(page, asset["postcode"])
        shown = hits.all_inner_texts()
        assert any(name in " ".join(shown) for name in same_postcode)
        _clean(log)


def test_search_matches_text_not_its_html_escapes(maps, browser):
    apostrophes = [n for n in maps["data"].parishes["parish_name"] if "'" in n]
    assert apostrophes  # e.g. Bishop's Frome
    with open_page(maps["county"], browser=browser) as (page, log):
        assert _search(page, "x27").all_inner_texts() == ["No match"]
        assert _search(page, "amp;").all_inner_texts() == ["No match"]
        hits = _search(page, apostrophes[0][:-2])
        assert apostrophes[0] in hits.first.inner_text()
        _clean(log)


def test_popups_and_tooltips_fit_a_phone_screen(maps, browser):
    with open_page(maps["assets"], browser=browser, width=390, height=844) as (page, log):
        _search(page, "LONG1").first.click()
        popup = page.locator(".leaflet-popup-content-wrapper")
        popup.wait_for()
        box = popup.bounding_box()
        assert box["width"] <= 390
        content = page.locator(".leaflet-popup-content").bounding_box()
        assert content["height"] <= 0.6 * 844
        scroll = page.evaluate(
            "() => { const c = document.querySelector('.leaflet-popup-content');"
            " return [c.scrollWidth, c.clientWidth]; }"
        )
        assert scroll[0] <= scroll[1] + 1  # the 600-character word wraps, no overflow
        # hover the long-named asset: its tooltip stays on the screen
        page_html = maps["assets"].read_text(encoding="utf-8")
        layer = re.search(r"var (lgis_assets_\w+) = \(function", page_html).group(1)
        map_name = re.search(r"var (map_\w+) = L\.map\(", page_html).group(1)
        page.evaluate(f"() => {{ {map_name}.closePopup(); }}")
        index = maps["asset_frame"].index[maps["asset_frame"]["asset_id"] == "LONG1"][0]
        x, y = page.evaluate(
            f"() => {{ const p = {map_name}.latLngToContainerPoint("
            f"{layer}.markers[{index}].getLatLng()); return [p.x, p.y]; }}"
        )
        page.mouse.move(x, y)
        tip = page.locator(".leaflet-tooltip")
        tip.wait_for()
        box = tip.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
        assert LONG_WORD[:40] in tip.inner_text()
        _clean(log)


def test_clicking_a_polygon_draws_no_focus_rectangle(maps, browser):
    with open_page(maps["county"], browser=browser) as (page, log):
        label = page.locator(".lgis-label", has_text="Golden Valley")
        box = label.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.locator(".leaflet-popup-content").wait_for()
        outline = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e.tagName === 'path' ? getComputedStyle(e).outlineStyle : 'none'; }"
        )
        assert outline == "none"
        _clean(log)


def test_offline_openstreetmap_says_it_needs_internet(maps, browser):
    with open_page(maps["online"], browser=browser) as (page, log):
        note = page.locator(".lgis-offline")
        note.wait_for()
        assert "needs internet" in note.inner_text()
        assert note.get_attribute("role") == "status"
        assert log.blocked  # the tiles were tried, and blocked


def test_colocation_layers_separate_opportunities_and_candidates(maps, browser):
    clusters = maps["clusters"]
    opportunities = int((clusters["partner_count"] > 1).sum())
    candidates = int(((clusters["partner_count"] == 1) & (clusters["member_count"] > 1)).sum())
    singles = int((clusters["member_count"] == 1).sum())
    assert opportunities
    assert singles
    before = find_clusters(maps["data"].assets).clusters
    assert candidates == int((before["kind"] == "consolidation candidate").sum()) + 3  # twins
    page_text = maps["assets"].read_text(encoding="utf-8")
    assert f"Co-location opportunities ({opportunities:,})" in page_text
    assert f"Consolidation candidates ({candidates:,})" in page_text
    assert "Single sites" not in page_text
    with open_page(maps["assets"], browser=browser) as (page, log):
        rings = page.locator("path.leaflet-interactive[aria-label^='Cluster ']")
        rings.first.wait_for()
        names = rings.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
        assert sum("opportunity" in n for n in names) == opportunities
        assert sum("Consolidation candidate" in n for n in names) == candidates
        _clean(log)


def test_partner_groups_fold_and_unfold(maps, browser):
    expand = (
        "() => document.querySelector('.leaflet-control-layers')"
        ".classList.add('leaflet-control-layers-expanded')"
    )
    with open_page(maps["assets"], browser=browser) as (page, log):
        control = page.locator(".leaflet-control-layers")
        page.evaluate(expand)  # as hovering does, without a pointer that may wander off
        heading = control.locator(".lgis-toggle", has_text="Partners: Council")
        assert heading.get_attribute("aria-expanded") == "false"
        count = int((maps["asset_frame"]["partner"] == "Herefordshire Council").sum())
        partner = control.locator("label", has_text=f"Herefordshire Council ({count})")
        assert not partner.is_visible()
        heading.dispatch_event("click")  # a mouse click
        assert heading.get_attribute("aria-expanded") == "true"
        assert partner.is_visible()
        heading.focus()
        page.keyboard.press("Enter")  # the keyboard folds it again
        assert heading.get_attribute("aria-expanded") == "false"
        assert not partner.is_visible()
        page.keyboard.press(" ")
        assert partner.is_visible()
        _clean(log)


def _download(page, button: str):
    with page.expect_download() as info:
        page.locator(".lgis-tools button", has_text=button).click()
    return Path(info.value.path()).read_bytes()


def test_csv_download_holds_the_features_on_screen_with_formulas_neutralised(maps, browser):
    total = len(maps["asset_frame"])
    with open_page(maps["assets"], browser=browser) as (page, log):
        page.wait_for_timeout(300)
        text = _download(page, "Download data on screen").decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0]
        assert header[:2] == ["Layer", "Name"]
        assets = [r for r in rows[1:] if r[0] == "Assets"]
        assert 0 < len(assets) <= total
        names = {r[1] for r in assets}
        assert "'" + FORMULA in names
        assert FORMULA not in names
        assert rows[-1][0].startswith("Source: Generated demo data")
        # zoomed in on one asset, only what is on screen is downloaded
        _search(page, "FORM1").first.click()
        page.locator(".leaflet-popup-content").wait_for()
        page.wait_for_timeout(200)
        fewer = list(csv.reader(io.StringIO(_download(page, "Download").decode("utf-8-sig"))))
        assert 0 < len([r for r in fewer if r[0] == "Assets"]) < len(assets)
        _clean(log)


def test_export_view_as_png_works_offline(maps, browser):
    with open_page(maps["county"], browser=browser) as (page, log):
        page.wait_for_timeout(300)
        data = _download(page, "Export view")
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 10_000
        _clean(log)


def test_table_alternative_lists_every_feature(maps, browser):
    data = maps["data"]
    with open_page(maps["county"], browser=browser) as (page, log):
        page.locator(".lgis-tools button", has_text="Data as tables").click()
        panel = page.locator(".lgis-panel")
        panel.wait_for()
        captions = panel.locator("caption").all_inner_texts()
        assert f"Localities ({len(data.localities)})" in captions
        assert f"Parishes ({len(data.parishes)})" in captions
        table = panel.locator("table", has=page.locator("caption", has_text="Localities"))
        assert table.locator("tbody tr").count() == len(data.localities)
        assert "Population" in table.locator("thead").inner_text()
        page.locator(".lgis-panel .lgis-close").click()
        assert page.locator(".lgis-panel").count() == 0
        _clean(log)


def test_narrow_screen_folds_the_legend_and_keeps_search_clear(maps, browser):
    with open_page(maps["assets"], browser=browser, width=390, height=844) as (page, log):
        page.wait_for_timeout(200)
        assert page.evaluate("document.querySelector('.lgis-legend details').open") is False
        title = page.locator(".lgis-title").bounding_box()
        search = page.locator(".lgis-search").bounding_box()
        apart = (
            title["x"] >= search["x"] + search["width"]
            or search["y"] >= title["y"] + title["height"]
            or title["y"] >= search["y"] + search["height"]
        )
        assert apart
        assert title["x"] + title["width"] <= 390
        _clean(log)


def test_print_gives_an_a4_page_with_title_legend_scale_and_attribution(maps, browser, tmp_path):
    with open_page(maps["county"], browser=browser) as (page, log):
        page.wait_for_timeout(300)
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.emulate_media(media="print")
        hidden = page.evaluate(
            "() => ['.leaflet-control-layers', '.lgis-search', '.lgis-tools',"
            " '.leaflet-control-zoom'].map(s => getComputedStyle(document.querySelector(s))"
            ".display)"
        )
        assert hidden == ["none"] * 4
        assert page.evaluate("document.querySelector('.lgis-legend details').open")
        pdf = tmp_path / "print.pdf"
        page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Localities" in text
        assert "printed" in text
        assert "Tier one" in text
        assert "Tier three" in text
        assert re.search(r"\d+ (km|m)\b", text)  # the scale bar
        assert "Generated demo data" in text
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert re.search(r"Pages:\s+1\b", pages)
        _clean(log)


def test_expanded_layer_control_and_legend_do_not_overlap(maps, browser):
    with open_page(maps["assets"], browser=browser, width=1280, height=604) as (page, log):
        page.evaluate(
            "() => document.querySelector('.leaflet-control-layers')"
            ".classList.add('leaflet-control-layers-expanded')"
        )
        layers = page.locator(".leaflet-control-layers").bounding_box()
        legend = page.locator(".lgis-legend").bounding_box()
        assert layers["y"] + layers["height"] <= legend["y"]
        scrolls = page.evaluate(
            "() => { const c = document.querySelector('.leaflet-control-layers');"
            " return c.scrollHeight > c.clientHeight && getComputedStyle(c).overflowY; }"
        )
        assert scrolls == "auto"  # the rest scrolls instead of running under the legend
        _clean(log)
