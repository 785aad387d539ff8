"""The rendered HTML of the web maps: layers, legend, escaping, offline mode, size, geometry."""

from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from localitygis.errors import CRSError, DataError
from localitygis.maps import (
    TIER_COLOURS,
    asset_map,
    choropleth_map,
    county_map,
    locality_map,
    render_html,
    save_map,
    style,
)
from localitygis.maps._offline import external_urls
from localitygis.maps._web import script_json, web_polygons
from localitygis.provenance import ONS_OS_ATTRIBUTION
from tests._mapdata import XSS_NAME, demo_map_data, demo_needs, many_assets, with_xss_asset


def unjs(page: str) -> str:
    """Undo the script-safe JSON escapes (\\u003c etc.), leaving the HTML escapes."""
    return page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")


SCRIPT_OR_LINK = re.compile(r"<(?:script[^>]*\ssrc|link[^>]*\shref)=\"(https?:)?//", re.I)


@pytest.fixture(scope="module")
def data():
    return demo_map_data()


@pytest.fixture(scope="module")
def county_html(data):
    m = county_map(
        data.localities,
        parishes=data.parishes,
        catchments=data.catchments,
        profiles=data.profiles,
        title="Herefordshire localities",
    )
    return render_html(m)


@pytest.fixture(scope="module")
def asset_html(data):
    m = asset_map(
        data.localities,
        with_xss_asset(data.assets),
        hubs=data.hubs,
        clusters=data.clusters,
        unserved=data.unserved,
        parishes=data.parishes,
    )
    return render_html(m)


def test_county_map_has_layers_legend_and_every_locality(county_html, data):
    county_html = unjs(county_html)
    for label in ("Localities", "Locality names", "Parishes", "School catchments"):
        assert json.dumps(label) in county_html
    for name in style.TIER_NAMES.values():
        assert html.escape(name) in county_html
    for name in data.localities["locality"]:
        assert html.escape(name) in county_html
    for colour in TIER_COLOURS.values():
        assert colour in county_html
    for control in ("groupedLayers", "MiniMap", "Control.Measure", "fullscreen", "lgis-search"):
        assert control.lower() in county_html.lower()
    assert "control_scale" not in county_html  # folium turned it into L.control.scale
    assert "L.control.scale" in county_html


def test_county_popups_carry_profile_figures(county_html, data):
    county_html = unjs(county_html)
    row = data.localities.iloc[0]
    profile = data.profiles.set_index("locality").loc[row["locality"]]
    assert f"<th>Population</th><td>{int(row['population']):,}</td>" in county_html
    assert "<th>Assets per 1,000 people</th>" in county_html
    assert f"<th>Assets</th><td>{int(profile['assets']):,}</td>" in county_html
    share = f"<th>Population (share)</th><td>{profile['population_share']:.1%}</td>"
    assert share in county_html
    # whole numbers read as whole numbers: no "9836.0", no bare fractions like "0.1921"
    assert not re.search(r"<td>[\d,]+\.0</td>", county_html)
    assert not re.search(r"<td>0\.\d{3,}</td>", county_html)
    # breakdown columns ("category: library", "partner: ...") stay in the profile table
    assert "<th>Category: library</th>" not in county_html


def test_county_popups_carry_the_needs_against_the_county(data):
    areas, needs = demo_needs()
    needs = needs.set_index("locality")
    page = unjs(render_html(county_map(data.localities, needs=needs.reset_index())))
    county = needs.loc["County"]
    for name in data.localities["locality"]:
        row = needs.loc[name]
        older = f"{row['age_60_plus_share']:.1%} (county {county['age_60_plus_share']:.1%})"
        assert f"<th>Aged 60 and over</th><td>{older}</td>" in page
        assert f"<th>Population (LSOAs, mid-2015)</th><td>{row['population']:,.0f}</td>" in page
        rank = f"{row['imd_mean_rank']:,.0f} of 32,844 (1 = most deprived)"
        assert f"<th>IMD 2019 mean rank</th><td>{rank}</td>" in page
        low = f"{row['most_deprived_20pc_share']:.1%}"
        assert f"<th>In England&#x27;s most deprived 20 %</th><td>{low}</td>" in page
        for which in ("most", "least"):
            lsoa = (
                f"{html.escape(row[f'{which}_deprived_name'])} ({row[f'{which}_deprived_code']}),"
                f" decile {int(row[f'{which}_deprived_decile'])}"
            )
            assert f"<th>{which.title()} deprived LSOA</th><td>{lsoa}</td>" in page
    assert not re.search(r"<td>[\d,]+\.0</td>", page)
    assert len(areas) > 0
    plain = unjs(render_html(county_map(data.localities)))
    assert "IMD 2019 mean rank" not in plain


def test_demo_maps_say_so_and_real_maps_carry_ons_attribution(county_html, data):
    county_html = unjs(county_html)
    assert "Generated demo data (localitygis.demo)" in county_html
    assert "Demo data: boundaries generated" in county_html
    real = gpd.GeoDataFrame(
        pd.DataFrame(data.localities.drop(columns="geometry")),
        geometry=data.localities.geometry.values,
        crs=27700,
    )
    real.attrs = {}
    page = unjs(render_html(county_map(real)))
    assert html.escape(ONS_OS_ATTRIBUTION) in page
    assert "Generated demo data" not in page


def test_offline_html_loads_nothing_from_the_network(county_html, asset_html):
    for page in (county_html, asset_html):
        assert external_urls(page) == []
        assert not SCRIPT_OR_LINK.search(page)
        assert "url(images/" not in page  # stylesheet images are inlined as data: URIs
        assert "L.tileLayer" in page  # the optional OpenStreetMap layer is offered...
        assert re.search(r"\.plain\s*\.addTo", page)  # ...but the plain background is shown


def test_online_mode_uses_cdns_and_tiles(data):
    page = render_html(county_map(data.localities, tiles=True), offline=False)
    urls = external_urls(page)
    assert any("leaflet@1.9.3" in u for u in urls)
    assert not any("jquery" in u or "bootstrap" in u for u in urls)
    assert re.search(r"\.osm\s*\.addTo", page)


def test_saved_demo_county_map_is_under_3_mb(tmp_path, data):
    m = county_map(data.localities, parishes=data.parishes, catchments=data.catchments)
    path = save_map(m, tmp_path / "maps" / "county.html")
    assert path.exists()
    assert path.stat().st_size < 3_000_000
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _payload(page: str) -> dict:
    match = re.search(r"var D = (\{.*?\});\n", page, re.S)
    assert match, "asset payload not found"
    return json.loads(match.group(1))


def test_asset_names_and_other_strings_are_escaped(asset_html):
    decoded = unjs(asset_html)
    # in the page source no data string can open an element...
    assert XSS_NAME not in asset_html
    assert "<b onmouseover" not in asset_html
    assert "<script>alert('partner')" not in asset_html
    # the asset payload holds plain text (escaped by the page when shown), JSON-safe
    payload = _payload(asset_html)
    assert XSS_NAME in payload["name"]
    assert "</script><script>alert('partner')</script>" in payload["partners"]
    # labels in the layer control are escaped HTML
    assert html.escape("<b onmouseover=alert(2)>cat</b>") in decoded
    # one </script> per script element: nothing in the data closed one early
    assert asset_html.lower().count("</script>") == asset_html.lower().count("<script")


def test_locality_names_are_escaped_everywhere(data):
    loc = data.localities.copy()
    loc.loc[loc.index[0], "locality"] = "<script>alert(1)</script>"
    par = data.parishes.copy()
    par.loc[par.index[0], "parish_name"] = '"><svg onload=alert(2)>'
    page = render_html(county_map(loc, parishes=par))
    assert "<script>alert(1)" not in page
    assert "<svg onload" not in page
    decoded = unjs(page)
    # HTML fragments (tooltips, popups, labels, legend) carry the names escaped; plain-text
    # fields (search names, aria labels) are set with textContent/setAttribute, never as HTML
    assert f"<b>{html.escape('<script>alert(1)</script>')}</b>" in decoded
    svg = html.escape('"><svg onload=alert(2)>')
    assert f"<h4>{svg}</h4>" in decoded
    html_fields = re.findall(r'"_[tpl]":"((?:[^"\\]|\\.)*)"', decoded)
    assert html_fields
    assert not [f for f in html_fields if "<script>alert" in f or "<svg onload" in f]


def test_asset_map_layers_every_category_and_partner(asset_html, data):
    asset_html = unjs(asset_html)
    assets = with_xss_asset(data.assets)
    for category in assets["category"].unique():
        label = html.escape(style.category_label(category))
        count = int((assets["category"] == category).sum())
        assert f"{label} ({count:,})" in asset_html
    counts = assets["partner"].value_counts()
    for partner in counts.index[counts > 1]:  # every partner of several buildings
        assert f"{html.escape(partner)} ({int(counts[partner]):,})" in asset_html
    # partners are grouped by sector, and no one-building partner gets its own filter
    for sector in ("Council", "NHS", "Voluntary and community"):
        assert json.dumps(f"Partners: {sector}") in asset_html
    singles = [p for p in counts.index[counts == 1] if "Parish Council" in p]
    assert len(singles) > 100
    for partner in singles[:20]:
        assert f"{html.escape(partner)} (1)" not in asset_html
    others = re.findall(r"Other partners: ([\d,]+) organisations, ([\d,]+) assets", asset_html)
    assert others
    assert "organisations) (" not in asset_html
    for group in ("Asset categories", "Hubs and analysis"):
        assert json.dumps(group) in asset_html
    for label in ("Hubs", "Hub reach", "Parishes no hub reaches"):
        assert json.dumps(label) in asset_html
    assert f"All assets ({len(assets):,})" in asset_html


def test_partner_filters_cover_every_asset_exactly_once(asset_html, data):
    payload = _payload(asset_html)
    groups = payload["pgroup"]
    assert len(groups) == len(payload["partners"])
    per_group = np.bincount([groups[p] for p in payload["par"]])
    assert sum(per_group) == len(data.assets) + 1
    decoded = unjs(asset_html)
    names = re.search(r"var (lgis_assets_\w+) = \(function", asset_html).group(1)
    for k, count in enumerate(per_group):
        # the control's count is what its filter shows
        assert re.search(rf'"[^"]*\({count:,}\)": {names}\.partners\[{k}\]', decoded), k


def test_partner_filters_never_cut_through_a_tie():
    from localitygis.maps._layers import MAX_PARTNER_FILTERS, partner_filters

    partners = [f"P{i:02d}" for i in range(12) for _ in range(3)] + ["Big"] * 9 + ["Solo"]
    sectors = pd.Series(["council"] * len(partners))
    filters, index = partner_filters(pd.Series(partners), sectors, {"council": "Council"})
    labels = [label for _, label, _ in filters]
    assert labels[0] == "Big"
    # twelve partners tie at 3 assets: none gets its own filter when not all fit
    assert MAX_PARTNER_FILTERS < 12
    assert not any(label.startswith("P") for label in labels)
    assert labels[-1] == "Other partners: 13 organisations, 37 assets"
    assert sum(count for _, _, count in filters) == len(partners)
    assert set(index) == set(partners)


def test_every_asset_reaches_the_page_exactly_once(asset_html, data):
    payload = _payload(asset_html)
    assert len(payload["name"]) == len(data.assets) + 1
    ids = next(f for f in payload["fields"] if f["label"] == "Asset ID")
    values = ids.get("values") or [ids["dict"][c] for c in ids["codes"]]
    assert sorted(values) == sorted([*data.assets["asset_id"], "XSS1"])


def test_large_asset_sets_are_built_in_the_browser(data):
    assets = many_assets(data, 10_000)
    page = render_html(asset_map(data.localities, assets))
    payload = _payload(page)
    assert len(payload["name"]) == len(payload["lat"]) == len(payload["lon"]) == 10_000
    assert page.count("L.circleMarker(") < 5  # one constructor in a loop, not 10,000 calls
    assert payload["cluster"] is True
    # repeated values are stored once: a dictionary and small codes
    postcodes = next(f for f in payload["fields"] if f["label"] == "Postcode")
    assert postcodes["dict"] == ["HR1 1AA"]
    assert set(postcodes["codes"]) == {0}
    assert len(page) < 1_500_000
    # positions: whole 10⁻⁵ degrees from an origin, within a metre of the input
    from localitygis.crs import to_wgs84

    web = to_wgs84(assets)  # as the maps do it (OSTN15)
    lat0, lon0 = payload["origin"]
    lats = lat0 + np.asarray(payload["lat"]) * 1e-5
    lons = lon0 + np.asarray(payload["lon"]) * 1e-5
    assert all(isinstance(v, int) and v >= 0 for v in payload["lat"][:500] + payload["lon"][:500])
    assert np.abs(lats - web.geometry.y.to_numpy()).max() < 1e-5
    assert np.abs(lons - web.geometry.x.to_numpy()).max() < 1e-5


def test_locality_map_shows_its_parishes_and_assets_only(data):
    name = "Kington"
    page = render_html(
        locality_map(
            name,
            data.localities,
            data.parishes,
            assets=data.assets,
            hubs=data.hubs,
            profiles=data.profiles,
        )
    )
    own = data.parishes[data.parishes["locality"] == name]
    other = data.parishes[data.parishes["locality"] != name]
    page = unjs(page)
    for parish in own["parish_name"]:
        assert f'"_n":{json.dumps(parish, ensure_ascii=False)}' in page
    towns = set(data.localities["locality"])  # localities are searchable too
    outsiders = [
        p
        for p in other["parish_name"]
        if p not in towns and f'"_n":{json.dumps(p, ensure_ascii=False)}' in page
    ]
    assert outsiders == []
    assert len(_payload(page)["name"]) == int((data.assets["locality"] == name).sum())
    assert "Kington locality" in page


def test_locality_map_rejects_unknown_names(data):
    with pytest.raises(DataError, match=r"no locality named 'Atlantis'.*Bromyard"):
        locality_map("Atlantis", data.localities, data.parishes)


def test_missing_crs_and_columns_are_reported(data):
    no_crs = gpd.GeoDataFrame(
        data.localities.drop(columns="geometry"),
        geometry=np.asarray(data.localities.geometry.values, dtype=object),
    )
    assert no_crs.crs is None
    with pytest.raises(CRSError, match="no coordinate reference system"):
        county_map(no_crs)
    with pytest.raises(DataError, match=r"lacks column\(s\) 'tier'"):
        county_map(data.localities.drop(columns="tier"))
    with pytest.raises(DataError, match="lacks column"):
        asset_map(data.localities, data.assets.drop(columns=["partner"]))


def test_choropleth_classes_and_legend(data):
    page = unjs(
        render_html(
            choropleth_map(data.localities, "density_per_km2", classification="quantiles", k=4)
        )
    )
    assert "Density per km²" in page
    assert "Classes: quantiles, 4 classes" in page
    swatches = re.findall(r'lgis-sw\\" style=\\"background:(#[0-9a-f]{6})', page)
    assert len(set(swatches)) == 4


def test_choropleth_missing_values_and_few_distinct_values(data):
    parishes = data.parishes.copy()
    parishes["survey"] = np.where(np.arange(len(parishes)) % 3 == 0, np.nan, 1.0)
    parishes.loc[parishes.index[1], "survey"] = 2.0
    page = render_html(
        choropleth_map(
            parishes, "survey", classification="natural_breaks", k=5, localities=data.localities
        )
    )
    assert "No data" in page
    assert "2 classes" in page  # only two distinct values: k is reduced, without warnings
    legend = unjs(page)
    assert "1 – 1" not in legend  # a one-value class reads "1", not "1 – 1" (nor "1.0")
    assert "</span>1</div>" in legend


def test_choropleth_rejects_bad_input(data):
    with pytest.raises(DataError, match="unknown classification 'magic'"):
        choropleth_map(data.localities, "population", classification="magic")  # type: ignore[arg-type]


def test_choropleth_scheme_keyword_naming_a_classification_is_deprecated(data):
    with pytest.warns(DeprecationWarning, match="classification='natural_breaks'"):
        m = choropleth_map(data.localities, "population", scheme="natural_breaks", k=3)  # type: ignore[arg-type]
    assert "Classes: natural breaks (Jenks), 3 classes" in unjs(render_html(m))
    with pytest.raises(DataError, match="column 'catchments' is not numeric"):
        choropleth_map(data.localities, "catchments")


def test_web_polygons_keep_a_coverage_and_round_coordinates(data):
    web = web_polygons(data.parishes, what="parishes", tolerance=50)
    geoms = np.asarray(web.geometry.values, dtype=object)
    before = shapely.get_num_coordinates(np.asarray(data.parishes.geometry.values)).sum()
    assert shapely.get_num_coordinates(geoms).sum() < before
    assert bool(shapely.coverage_is_valid(geoms))
    coords = shapely.get_coordinates(geoms)
    assert np.array_equal(coords, np.round(coords, 5))


@st.composite
def tessellations(draw):
    n = draw(st.integers(min_value=3, max_value=40))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    pts = shapely.multipoints(
        np.column_stack([rng.uniform(340_000, 360_000, n), rng.uniform(230_000, 250_000, n)])
    )
    frame = shapely.box(338_000, 228_000, 362_000, 252_000)
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    return gpd.GeoDataFrame(
        {"parish_name": [f"P{i}" for i in range(len(cells))]}, geometry=cells, crs=27700
    )


@settings(max_examples=15, deadline=None)
@given(tessellations(), st.sampled_from([10.0, 100.0, 500.0]))
def test_random_tessellations_stay_coverages_after_web_simplification(frame, tolerance):
    web = web_polygons(frame, what="cells", tolerance=tolerance)
    geoms = np.asarray(web.geometry.values, dtype=object)
    assert len(web) == len(frame)
    assert bool(shapely.coverage_is_valid(geoms, gap_width=0))


@given(st.text())
def test_script_json_cannot_break_out_of_a_script_element(text):
    dumped = script_json({"name": text, "html": f"</script>{text}<!--"})
    assert "<" not in dumped
    assert ">" not in dumped
    assert json.loads(dumped)["name"] == text


def _simulate(rgb: np.ndarray, kind: str) -> np.ndarray:
    # Machado, Oliveira and Fernandes (2009) matrices, severity 1.0, on linear RGB.
    matrices = {
        "protan": [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ],
        "deutan": [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ],
        "tritan": [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ],
    }
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return np.clip(linear @ np.asarray(matrices[kind]).T, 0, 1)


@pytest.mark.parametrize("kind", ["protan", "deutan", "tritan", "none"])
def test_tier_colours_stay_distinct_for_colour_blind_readers(kind):
    from matplotlib.colors import to_rgb

    rgb = np.array([to_rgb(c) for c in TIER_COLOURS.values()])
    seen = rgb if kind == "none" else _simulate(rgb, kind)
    distances = [np.linalg.norm(seen[i] - seen[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(distances) > 0.25


def test_tier_labels_follow_the_scheme():
    from localitygis.localities.scheme import herefordshire_scheme

    labels = style.tier_labels(herefordshire_scheme())
    assert labels[1] == "Tier one – Rural areas"
    assert labels[3].startswith("Tier three")


def _with_youth_club(assets):
    out = assets.copy()
    out.loc[out.index[0], "category"] = "youth_club"
    return out


def _renamed_scheme():
    from localitygis.localities.scheme import Scheme, Tier, demo_scheme

    base = demo_scheme()
    return Scheme(
        name="Borsetshire <areas>",
        tiers={n: Tier(n, f"Band {n}", t.description) for n, t in base.tiers.items()},
        localities=base.localities,
        categories={"youth_club": "Young people's centre"},
        sectors={"council": "Borough council"},
    )


def test_a_custom_scheme_names_tiers_vocabulary_and_itself_on_every_map(data):
    scheme = _renamed_scheme()
    pages = [
        county_map(data.localities, scheme=scheme),
        asset_map(data.localities, _with_youth_club(data.assets), hubs=data.hubs, scheme=scheme),
        locality_map("Kington", data.localities, data.parishes, scheme=scheme),
        choropleth_map(data.localities, "population", scheme=scheme),
    ]
    for m in pages:
        page = unjs(render_html(m))
        assert "Scheme: Borsetshire &lt;areas&gt;" in page
        if "Locality tiers" in page:
            assert "Band 1" in page
            assert "Tier one – Rural areas" not in page
    asset_page = unjs(render_html(pages[1]))
    assert "Young people&#x27;s centre (1)" in asset_page  # the scheme's label
    assert "Young people" not in unjs(
        render_html(asset_map(data.localities, _with_youth_club(data.assets)))
    )
    assert json.dumps("Partners: Borough council") in asset_page


def test_without_a_scheme_the_tier_names_come_from_the_build(data):
    loc = data.localities.copy()
    loc["tier_name"] = loc["tier"].map({1: "Countryside", 2: "Towns", 3: "City"})
    page = unjs(render_html(county_map(loc)))
    legend = re.search(r"Locality tiers.*?lgis-note", page, re.S).group(0)
    assert "Countryside" in legend
    assert "Tier one" not in legend


def test_hub_and_cluster_popups_read_as_words_and_figures(data):
    from localitygis.colocation import find_clusters

    hubs = data.hubs.copy()
    hubs["asset_id"] = [f"H{i}" for i in range(len(hubs))]
    hubs["hub_id"] = hubs["asset_id"]
    hubs["category"] = "library"
    hubs["sector"] = "council"
    hubs["population"] = 9836.0
    hubs["share"] = 0.1921
    clusters = find_clusters(data.assets).clusters
    page = unjs(render_html(asset_map(data.localities, data.assets, hubs=hubs, clusters=clusters)))
    assert "<th>Category</th><td>Library</td>" in page
    assert "<th>Sector</th><td>Council</td>" in page
    assert "<th>Population</th><td>9,836</td>" in page
    assert "<th>Share</th><td>19.2%</td>" in page
    assert "<th>Reach</th><td>12.0 km</td>" in page
    assert "Hub ID" not in page  # one identifier is enough
    assert "9836.0" not in page
    assert "0.1921" not in page
    assert "Co-location opportunity: two or more partners" in page
    assert "Children&#x27;s centre" in page  # cluster categories as labels, not keys
    assert "Single site" not in page  # singles are not drawn by default
    assert "Member count" not in page


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0.1921, "share", "19.2%"),
        (9836.0, "count", "9,836"),
        (5.0, "number", "5"),
        (12.34, "number", "12.3"),
        (0.0412, "number", "0.041"),
        (3, "rank", "3rd"),
        (11, "rank", "11th"),
        (22, "rank", "22nd"),
        (7.0, "decile", "7 of 10"),
        (1250000, "money", "£1,250,000"),
        (950.0, "distance", "950 m"),
        (12000, "distance", "12.0 km"),
        (87.5, "density", "87.5 per km²"),
        (np.float64("nan"), "count", "–"),
        (None, "share", "–"),
        ("<b>", "number", "&lt;b&gt;"),
    ],
)
def test_each_kind_of_figure_has_its_format(value, kind, shown):
    from localitygis.maps._format import format_value

    assert format_value(value, kind) == shown


def test_unserved_colour_stays_distinct_over_every_tier():
    from matplotlib.colors import to_rgb

    background = np.array(to_rgb("#f4f2ec"))
    for tier in TIER_COLOURS.values():
        under = 0.25 * np.array(to_rgb(tier)) + 0.75 * background  # tier fill on asset maps
        over = 0.45 * np.array(to_rgb(style.UNSERVED_COLOUR)) + 0.55 * under
        for kind in ("protan", "deutan", "tritan", "none"):
            a, b = (x if kind == "none" else _simulate(x[None], kind)[0] for x in (under, over))
            assert np.linalg.norm(a - b) > 0.3, (tier, kind)
