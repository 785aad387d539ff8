"""``localitygis map`` and ``localitygis atlas`` on real files."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from localitygis.cli import app, main
from localitygis.maps._offline import external_urls
from tests._mapdata import demo_map_data

runner = CliRunner()


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


def _ok(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_map_county_is_offline_by_default(tmp_path, files):
    out = tmp_path / "maps" / "county.html"
    result = _ok(
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
    _ok(["map", "county", "-l", f"{files['build']}#localities", "--out", str(out), "--online"])
    assert external_urls(out.read_text(encoding="utf-8"))


def test_map_assets_with_hubs(tmp_path, files):
    out = tmp_path / "assets.html"
    _ok(
        [
            "map",
            "assets",
            "-l",
            str(files["build"]),
            "--assets",
            str(files["assets"]),
            "--hubs",
            str(files["hubs"]),
            "--out",
            str(out),
        ]
    )
    page = out.read_text(encoding="utf-8")
    assert f"All assets ({len(files['data'].assets):,})" in page
    assert '"Hubs"' in page


def test_map_every_locality(tmp_path, files):
    folder = tmp_path / "localities"
    _ok(
        [
            "map",
            "locality",
            "-l",
            str(files["build"]),
            "--assets",
            str(files["assets"]),
            "--out",
            str(folder),
        ]
    )
    written = sorted(p.name for p in folder.glob("*.html"))
    assert len(written) == 9
    assert "ross-on-wye.html" in written


def test_map_one_locality_and_a_choropleth(tmp_path, files):
    out = tmp_path / "kington.html"
    _ok(["map", "locality", "-l", str(files["build"]), "--locality", "Kington", "--out", str(out)])
    assert "Kington locality" in out.read_text(encoding="utf-8")
    out = tmp_path / "reach.html"
    _ok(
        [
            "map",
            "choropleth",
            "-l",
            str(files["build"]),
            "--column",
            "assets_per_1000",
            "--profiles",
            str(files["profiles"]),
            "--scheme",
            "equal_interval",
            "--k",
            "3",
            "--out",
            str(out),
        ]
    )
    assert "Classes: equal interval, 3 classes" in out.read_text(encoding="utf-8")


def test_atlas(tmp_path, files):
    out = tmp_path / "atlas.pdf"
    png = tmp_path / "county.png"
    result = _ok(
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
    code = main(
        [
            "map",
            "assets",
            "-l",
            str(files["build"]),
            "--assets",
            str(files["register"]),
            "--out",
            str(tmp_path / "x.html"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "is a table" in err
    assert "Traceback" not in err
    code = main(["map", "choropleth", "-l", str(files["build"]), "--column", "nope"])
    assert code == 2
    assert "lacks column(s) 'nope'" in capsys.readouterr().err
    code = main(
        [
            "map",
            "locality",
            "-l",
            str(files["build"]),
            "--locality",
            "Atlantis",
            "--out",
            str(tmp_path / "a.html"),
        ]
    )
    assert code == 2
    assert "no locality named 'Atlantis'" in capsys.readouterr().err
    code = main(["map", "county", "-l", str(tmp_path / "missing.gpkg")])
    assert code == 2
    assert "not found" in capsys.readouterr().err
