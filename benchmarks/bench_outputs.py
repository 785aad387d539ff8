"""Benchmark: the cost of writing outputs safely (whole files, whole sets, no formulas).

Two figures, on a synthetic asset table of 100,000 rows (15 text and number columns, 1 % of
the text cells hostile: ``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``...):

1. ``write_csv`` (formula cells neutralised, written to a temporary name and renamed)
   against the best plain pandas route giving the same file: neutralise the text columns
   with ``Series.str.startswith`` and ``mask``, ``to_csv`` to a temporary name,
   ``os.replace``. Plain ``to_csv`` (unsafe: formulas kept, a half-written file if
   interrupted) is shown as the floor. The two safe routes' files are checked identical.
2. A command's set of files (``assets.gpkg``, ``assets.csv``, ``asset_rejects.csv``) through
   :class:`localitygis.io.OutputSet` (staging, SHA-256 and row counts for
   ``manifest.json``) against the same writers writing straight into the folder.

Runs are interleaved, after a warm-up; the median and the spread (min–max) are printed.

Run: .venv/bin/python benchmarks/bench_outputs.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.io import FORMULA_STARTS, OutputSet, write_csv, write_geopackage
from localitygis.provenance import DEMO

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def synthetic_assets(n: int, seed: int = 3) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    words = np.array(["Library", "Hall", "Surgery", "Station", "Centre", "Depot", "Office"])
    hostile = np.array(['=HYPERLINK("http://x","y")', "@SUM(1+1)", "-2+3", "+44 1432", "\t=1"])

    def text(prefix: str) -> np.ndarray:
        values = np.char.add(prefix, words[rng.integers(0, len(words), n)]).astype(object)
        bad = rng.random(n) < 0.01
        values[bad] = hostile[rng.integers(0, len(hostile), int(bad.sum()))]
        return values

    frame = {f"text_{i}": text(f"T{i} ") for i in range(10)}
    frame |= {f"number_{i}": rng.normal(0, 1_000, n).round(2) for i in range(5)}
    xy = rng.uniform([320_000, 220_000], [380_000, 270_000], size=(n, 2))
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)


def plain_safe_csv(path: Path, frame: pd.DataFrame) -> None:
    """The best plain pandas route to the same file as ``write_csv``."""
    out = frame.drop(columns="geometry").copy()
    out["attribution"] = DEMO.attribution
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_string_dtype(values.dtype):
            continue
        candidates = values[values.str.startswith(FORMULA_STARTS, na=False)]
        risky = candidates[~candidates.str.fullmatch(_NUMBER)]
        if len(risky):
            out[column] = values.astype(object)
            out.loc[risky.index, column] = "'" + risky
    out.columns = [("'" + c if c.startswith(FORMULA_STARTS) else c) for c in out.columns]
    temporary = path.with_name(path.name + ".tmp")
    out.to_csv(temporary, index=False, encoding="utf-8-sig")
    os.replace(temporary, path)


def plain_unsafe_csv(path: Path, frame: pd.DataFrame) -> None:
    out = frame.drop(columns="geometry").copy()
    out["attribution"] = DEMO.attribution
    out.to_csv(path, index=False, encoding="utf-8-sig")


def assets_set(folder: Path, frame: gpd.GeoDataFrame, rejects: pd.DataFrame) -> None:
    with OutputSet(folder, "assets") as files:
        write_geopackage(files.path("assets.gpkg"), {"assets": frame}, provenance=DEMO)
        write_csv(files.path("assets.csv"), frame, provenance=DEMO)
        write_csv(files.path("asset_rejects.csv"), rejects, provenance=DEMO)


def assets_direct(folder: Path, frame: gpd.GeoDataFrame, rejects: pd.DataFrame) -> None:
    write_geopackage(folder / "assets.gpkg", {"assets": frame}, provenance=DEMO)
    write_csv(folder / "assets.csv", frame, provenance=DEMO)
    write_csv(folder / "asset_rejects.csv", rejects, provenance=DEMO)


def timed(routes: dict[str, Callable[[], None]], repeats: int) -> dict[str, list[float]]:
    for run in routes.values():  # warm-up
        run()
    times: dict[str, list[float]] = {name: [] for name in routes}
    for _ in range(repeats):
        for name, run in routes.items():  # interleaved
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return times


def report(title: str, times: dict[str, list[float]], baseline: str) -> None:
    print(f"\n{title}")
    base = statistics.median(times[baseline])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:<34} median {median:6.3f} s  (min {min(values):.3f}, max "
            f"{max(values):.3f})  {median / base:5.2f}× {baseline}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows, 3 runs")
    args = parser.parse_args()
    n, repeats = (10_000, 3) if args.quick else (100_000, 7)
    frame = synthetic_assets(n)
    rejects = pd.DataFrame(frame.drop(columns="geometry").iloc[: n // 10])
    folder = Path(tempfile.mkdtemp())
    print(f"{n:,} rows, {repeats} interleaved runs after a warm-up")

    safe, plain, unsafe = folder / "safe.csv", folder / "plain.csv", folder / "unsafe.csv"
    times = timed(
        {
            "localitygis write_csv": lambda: write_csv(safe, frame, provenance=DEMO),
            "plain pandas, same file": lambda: plain_safe_csv(plain, frame),
            "plain to_csv (unsafe floor)": lambda: plain_unsafe_csv(unsafe, frame),
        },
        repeats,
    )
    assert safe.read_bytes() == plain.read_bytes(), "the safe routes' files differ"
    assert re.search(r"^\"?'=HYPERLINK", safe.read_text("utf-8-sig"), re.MULTILINE)
    report("1. one CSV, formulas neutralised, written whole", times, "plain pandas, same file")

    with_set, direct = folder / "set", folder / "direct"
    direct.mkdir()
    times = timed(
        {
            "OutputSet + manifest.json": lambda: assets_set(with_set, frame, rejects),
            "same writers, straight in": lambda: assets_direct(direct, frame, rejects),
        },
        repeats,
    )
    for name in ("assets.csv", "asset_rejects.csv"):
        assert (with_set / name).read_bytes() == (direct / name).read_bytes()
    report("2. the assets command's set of three files", times, "same writers, straight in")


if __name__ == "__main__":
    main()
