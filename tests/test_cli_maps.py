"""``localitygis map`` and ``localitygis atlas`` on real files."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import localitygis
from localitygis.maps._offline import external_urls
from tests._clidata import demo_build_args, demo_folder, fails, ok
from tests._mapdata import demo_map_data


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    data = demo_map_data()
    folder = tmp_path_factory.mktemp("inputs")
    build = folder / "build.gpkg"
    data.localities.to_file(build, layer="localities")
    data.parishes.to_file(build, layer="parishes")
    data.catchments.to_file(build, layer="catchments")
    assets = folder / "assets.geojson"
    data.assets.to_crs(4326).to_file(assets)
    hubs = folder / "hubs.shp"
    data.hubs.to_file(hubs)
    profiles = folder / "profiles.csv"
    data.profiles.to_csv(profiles, index=False)
    register = folder / "register.csv"
    pd.DataFrame(data.assets.drop(columns="geometry")).to_csv(register, index=False)
    return {
        "build": build,
        "assets": assets,
        "hubs": hubs,
        "profiles": profiles,
        "register": register,
        "data": data,
    }


def _map(files, kind: str, *options: str) -> list[str]:
    """``localitygis map KIND`` on the fixture's build GeoPackage, with ``options``."""
    return ["map", kind, "-l", str(files["build"]), *options]


def test_map_county_is_offline_by_default(tmp_path, files):
    out = tmp_path / "maps" / "county.html"
    result = ok(
        [
            "map",
            "county",
            "--localities",
            str(files["build"]),
            "--profiles",
            str(files["profiles"]),
            "--out",
            str(out),
        ]
    )
    assert "offline" in result.output
    page = out.read_text(encoding="utf-8")
    assert external_urls(page) == []
    assert '"Parishes"' in page  # parishes came from the build GeoPackage
    assert '"School catchments"' in page


def test_map_county_online(tmp_path, files):
    out = tmp_path / "county.html"
    ok(["map", "county", "-l", f"{files['build']}#localities", "--out", str(out), "--online"])
    assert external_urls(out.read_text(encoding="utf-8"))


def test_map_assets_with_hubs(tmp_path, files):
    out = tmp_path / "assets.html"
    ok(
        _map(
            files,
            "assets",
            "--assets",
            str(files["assets"]),
            "--hubs",
            str(files["hubs"]),
            "--out",
            str(out),
        )
    )
    page = out.read_text(encoding="utf-8")
    assert f"All assets ({len(files['data'].assets):,})" in page
    assert '"Hubs"' in page


def test_map_assets_draws_single_sites_only_when_asked(tmp_path, files):
    from localitygis.colocation import find_clusters

    result = find_clusters(files["data"].assets)
    clusters = tmp_path / "clusters.gpkg"
    result.clusters.to_file(clusters, layer="clusters")
    singles = int((result.clusters["kind"] == "single").sum())
    opportunities = int((result.clusters["kind"] == "co-location opportunity").sum())
    common = ["--assets", str(files["assets"]), "--clusters", str(clusters)]
    out = tmp_path / "assets.html"
    ok(_map(files, "assets", *common, "--out", str(out)))
    page = out.read_text(encoding="utf-8")
    assert f"Co-location opportunities ({opportunities:,})" in page
    assert "Single sites" not in page
    ok(_map(files, "assets", *common, "--singles", "--out", str(out)))
    assert f"Single sites ({singles:,})" in out.read_text(encoding="utf-8")


def test_map_every_locality(tmp_path, files):
    folder = tmp_path / "localities"
    ok(_map(files, "locality", "--assets", str(files["assets"]), "--out", str(folder)))
    written = sorted(p.name for p in folder.glob("*.html"))
    assert len(written) == 9
    assert "ross-on-wye.html" in written


def test_map_one_locality_and_a_choropleth(tmp_path, files):
    out = tmp_path / "kington.html"
    ok(_map(files, "locality", "--locality", "Kington", "--out", str(out)))
    assert "Kington locality" in out.read_text(encoding="utf-8")
    out = tmp_path / "reach.html"
    ok(
        _map(
            files,
            "choropleth",
            "--column",
            "assets_per_1000",
            "--profiles",
            str(files["profiles"]),
            "--classification",
            "equal_interval",
            "--k",
            "3",
            "--out",
            str(out),
        )
    )
    assert "Classes: equal interval, 3 classes" in out.read_text(encoding="utf-8")


def test_choropleth_kind_and_label_say_how_the_values_read(tmp_path, files):
    table = pd.read_csv(files["profiles"], encoding="utf-8-sig")[["locality"]]
    table["journey"] = [12.5 + 3 * i for i in range(len(table))]  # a name with no hint
    path = tmp_path / "journey.csv"
    table.to_csv(path, index=False)
    texts = {}
    for kind in (None, "minutes"):
        out = tmp_path / f"{kind}.html"
        extra = [] if kind is None else ["--kind", kind, "--label", "Minutes <to> a hub"]
        args = ["choropleth", "--column", "journey", "--profiles", str(path)]
        ok(_map(files, *args, *extra, "--out", str(out)))
        texts[kind] = out.read_text(encoding="utf-8")
    assert "12.5 min" in texts["minutes"]
    assert "12.5 min" not in texts[None]
    assert "Minutes &lt;to&gt; a hub" in texts["minutes"]  # the label, escaped
    assert "Minutes <to> a hub" not in texts["minutes"]


def test_choropleth_kinds_are_the_formatters_kinds():
    from localitygis.cli.maps import ValueKind
    from localitygis.maps._format import FORMATTERS

    assert {kind.value for kind in ValueKind} == set(FORMATTERS)


def test_atlas(tmp_path, files):
    out = tmp_path / "atlas.pdf"
    png = tmp_path / "county.png"
    result = ok(
        [
            "atlas",
            "-l",
            str(files["build"]),
            "--assets",
            str(files["assets"]),
            "--hubs",
            str(files["hubs"]),
            "--out",
            str(out),
            "--overview",
            str(png),
        ]
    )
    assert "10 pages" in result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    assert png.read_bytes()[1:4] == b"PNG"


def test_errors_are_one_line_with_exit_code_2(tmp_path, files, capsys):
    message = fails(
        _map(
            files, "assets", "--assets", str(files["register"]), "--out", str(tmp_path / "x.html")
        ),
        capsys,
    )
    assert "is a table" in message
    message = fails(_map(files, "choropleth", "--column", "nope"), capsys)
    assert "lacks column(s) 'nope'" in message
    message = fails(
        _map(files, "locality", "--locality", "Atlantis", "--out", str(tmp_path / "a.html")),
        capsys,
    )
    assert "no locality named 'Atlantis'" in message
    message = fails(["map", "county", "-l", str(tmp_path / "missing.gpkg")], capsys)
    assert "not found" in message


def _custom_scheme(tmp_path):
    """The demo scheme renamed, as another council would write it: tiers, name, vocabulary."""
    text = (Path(localitygis.__file__).parent / "data" / "demo_scheme.toml").read_text("utf-8")
    head = tomllib.loads(text)
    for number, tier in head["tiers"].items():
        text = text.replace(f'"{tier["name"]}"', f'"Band {number} <b>zone</b>"', 1)
    text = text.replace(f'"{head["scheme"]["name"]}"', '"Borsetshire & Felpersham areas"', 1)
    text += '\n[vocabulary.categories]\nxss_cat = "Youth club"\n'
    path = tmp_path / "borsetshire.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_scheme_reaches_every_map_and_the_atlas(tmp_path, capsys):
    scheme = _custom_scheme(tmp_path)
    args = demo_build_args(tmp_path / "build")
    args[args.index("--scheme") + 1] = str(scheme)
    ok(args)
    build = tmp_path / "build" / "localities.gpkg"
    # the build stored the scheme: the map finds it without --scheme
    out = tmp_path / "county.html"
    ok(["map", "county", "-l", str(build), "--out", str(out)])
    page = out.read_text(encoding="utf-8").replace("\\u003c", "<").replace("\\u0026", "&")
    assert "Band 1 &lt;b&gt;zone&lt;/b&gt;" in page  # legend and popups, escaped
    assert "Tier one" not in page
    assert "Borsetshire &amp; Felpersham areas" in page
    # --scheme names another one, which wins
    ok(["map", "county", "-l", str(build), "--scheme", "demo", "--out", str(out)])
    page = out.read_text(encoding="utf-8")
    assert "Band 1" not in page
    assert "Tier one" in page
    # the atlas too
    pdf = tmp_path / "atlas.pdf"
    ok(["atlas", "-l", str(build), "--out", str(pdf)])
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Band 1 <b>zone</b>" in text
    assert "Borsetshire & Felpersham areas" in text
    assert "Tier one" not in text


def test_scheme_option_naming_a_classification_still_works_with_a_note(tmp_path, files):
    out = tmp_path / "density.html"
    result = ok(
        _map(
            files,
            "choropleth",
            "--column",
            "population",
            "--scheme",
            "natural_breaks",
            "--out",
            str(out),
        )
    )
    assert "use --classification natural_breaks" in result.output
    assert "Classes: natural breaks (Jenks)" in out.read_text(encoding="utf-8")


def test_unknown_scheme_is_a_one_line_error(tmp_path, files, capsys):
    message = fails(_map(files, "county", "--scheme", "atlantis"), capsys)
    assert "scheme 'atlantis' is not a packaged scheme (herefordshire, demo)" in message
    assert "give its path, e.g. atlantis.toml" in message
    assert demo_folder().exists()


@pytest.fixture(scope="module")
def lsoas(tmp_path_factory):
    """The demo's real LSOAs: one GeoPackage with the measures, and geometry plus a CSV."""
    from tests._analysisdata import demo_chain

    frame = demo_chain().demo.lsoas
    folder = tmp_path_factory.mktemp("lsoas")
    carrying = folder / "lsoas.gpkg"
    frame.to_file(carrying, layer="lsoas")
    bare = folder / "bare.geojson"
    frame[["LSOA11CD", "LSOA11NM", "geometry"]].to_crs(4326).to_file(bare)
    table = folder / "imd.csv"
    pd.DataFrame(
        {
            "LSOA code (2011)": frame["LSOA11CD"],
            "Index of Multiple Deprivation (IMD) Rank": frame["imd_rank"],
            "Index of Multiple Deprivation (IMD) Decile": frame["imd_decile"],
            "Total population: mid 2015 (excluding prisoners)": frame["population"],
        }
    ).to_csv(table, index=False)
    return {"carrying": f"{carrying}#lsoas", "bare": str(bare), "table": str(table)}


def test_atlas_with_small_areas_has_the_needs(tmp_path, files, lsoas):
    out = tmp_path / "atlas.pdf"
    result = ok(
        ["atlas", "-l", str(files["build"]), "--small-areas", lsoas["carrying"], "--out", str(out)]
    )
    assert "11 pages" in result.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Deprivation: IMD 2019 national deciles" in text
    assert text.count("Aged 60+:") == 9  # one needs panel per locality page
    assert "IMD mean rank" in text


def test_map_county_with_small_areas_and_a_table_has_needs_popups(tmp_path, files, lsoas):
    out = tmp_path / "county.html"
    options = ["--small-areas", lsoas["bare"], "--small-area-table", lsoas["table"]]
    ok(_map(files, "county", *options, "--out", str(out)))
    page = out.read_text(encoding="utf-8").replace("\\u003c", "<").replace("\\u003e", ">")
    assert page.count("<th>IMD 2019 mean rank</th>") == 9
    assert page.count("<th>Most deprived LSOA</th>") == 9
    assert "<th>Aged 60 and over</th>" not in page  # the table has no age bands


def test_small_areas_without_measures_is_a_one_line_error(tmp_path, files, lsoas, capsys):
    message = fails(
        [
            "atlas",
            "-l",
            str(files["build"]),
            "--small-areas",
            lsoas["bare"],
            "--out",
            str(tmp_path / "a.pdf"),
        ],
        capsys,
    )
    assert "imd_decile" in message
