"""`localitygis demo`: the whole chain on the demo county, through real files."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from localitygis.cli import app
from localitygis.demo.county import demo_dir
from localitygis.io import list_layers, read_table, read_vector
from localitygis.provenance import DEMO, DEMO_NOTICE, provenance_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "maps"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    return out, result


def test_demo_succeeds_and_says_it_is_demo_data(demo_run):
    _, result = demo_run
    assert result.exit_code == 0, result.output
    assert "Generated demo data" in result.output
    # The real small areas, and the published OA polygon that had to be repaired.
    assert "640 real 2011 Output Areas (188,522 people" in result.output
    assert "invalid polygons repaired: 1 — E00070889" in " ".join(result.output.split())
    for step in ("Localities", "Asset register", "Co-location", "Hubs", "profiles", "atlas"):
        assert step in result.output


def test_demo_writes_every_map(demo_run):
    out, _ = demo_run
    for name in ("county.html", "assets.html", "density.html"):
        html = (out / name).read_text(encoding="utf-8")
        assert DEMO_NOTICE in html
        for real in ("UK-GeoJSON by Martin Chorley, CC BY 4.0", "English Indices of Deprivation"):
            assert real in html, (name, real)
        assert (out / name).stat().st_size < 3_000_000
    locality_maps = sorted((out / "localities").glob("*.html"))
    assert len(locality_maps) == 9
    # the assets map draws each hub's reach along the demo roads
    hubs = read_vector(out / "data" / "hubs.gpkg", layer="hubs")
    html = (out / "assets.html").read_text(encoding="utf-8")
    assert "Drive-time areas" in html
    assert 0 < html.count("Drive-time area of hub") <= len(hubs)
    # the minutes-by-road choropleth by parish
    minutes = (out / "hub_minutes.html").read_text(encoding="utf-8")
    assert DEMO_NOTICE in minutes
    assert "Mean minutes by road to the nearest hub" in minutes
    assert re.search(r"\d+(\.\d)? min", minutes)
    # hubs that are soonest reached from at least one road node each own one area
    assert 1 < html.count("Area nearest to hub") <= len(hubs)
    assert (out / "county.png").stat().st_size > 10_000


def test_demo_writes_the_deprivation_map_and_says_it_is_real(demo_run):
    out, result = demo_run
    said = " ".join(result.output.split())
    assert "The 116 LSOAs, their populations and IMD 2019 deciles are real" in said
    assert "Open Government Licence v3.0); the parishes and locality outlines" in said
    assert "deprivation.html" in said
    assert "deprivation.png" in said
    page = (out / "deprivation.html").read_text(encoding="utf-8")
    assert DEMO_NOTICE in page
    assert "English Indices of Deprivation 2019, Ministry of Housing" in page
    assert "Real: LSOA boundaries, populations and IMD 2019" in page
    assert page.count('"_p":') == 116
    assert "32,844" in page
    assert (out / "deprivation.png").read_bytes()[1:4] == b"PNG"


def test_demo_atlas_has_overview_deprivation_and_nine_localities(demo_run):
    out, result = demo_run
    pdf = (out / "atlas.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)
    assert len(pages) == 11  # overview, county deprivation, nine localities
    assert "(11 pages)" in result.output


def test_demo_county_map_popups_carry_the_needs(demo_run):
    out, _ = demo_run
    page = (out / "county.html").read_text(encoding="utf-8")
    page = page.replace("\\u003c", "<").replace("\\u003e", ">")
    for label in ("Aged 60 and over", "IMD 2019 mean rank", "Most deprived LSOA"):
        assert page.count(f"<th>{label}</th>") == 9, label
    assert re.search(r"<th>Aged 60 and over</th><td>\d+\.\d% \(county \d+\.\d%\)</td>", page)


def test_demo_data_files_reconcile_and_carry_provenance(demo_run):
    out, _ = demo_run
    data = out / "data"
    assert list_layers(data / "localities.gpkg") == ["parishes", "catchments", "localities"]
    localities = read_vector(data / "localities.gpkg", layer="localities")
    parishes = read_vector(data / "localities.gpkg", layer="parishes")
    assert len(localities) == 9
    assert provenance_of(localities).is_demo
    assert localities["parish_count"].sum() == len(parishes) == 203
    assert localities["population"].sum() == parishes["population"].sum() == 188_522
    assets = read_vector(data / "assets.gpkg")
    rejects = read_table(data / "asset_rejects.csv")
    register = (
        read_table(data / "demo-input" / "asset_register.csv")
        if (data / "demo-input").exists()
        else None
    )

    register = read_table(demo_dir() / "asset_register.csv")
    assert len(assets) + len(rejects) == len(register)
    profiles = read_table(data / "profiles.csv")
    assert profiles["locality"].iloc[-1] == "County"
    assert (profiles["attribution"] == DEMO.attribution).all()
