"""Benchmark: coverage cleaning with its report, against shapely's ``coverage_clean`` alone.

:func:`localitygis.localities.clean.clean_coverage` does more than clean: it checks first
whether the coverage needs cleaning at all, counts the invalid edges, refuses overlaps wider
than the tolerance and lists every feature that moved with the area moved. The plain route a
competent user would write is one call, ``shapely.coverage_clean(geoms, gap_width=1,
snapping_distance=1)``, with no report. This measures what the checks and the report cost.

Inputs: the real Herefordshire LSOAs and Output Areas as published (CRS84, reprojected; from
``../shared/realgeo`` when present) and a synthetic coverage of 10,000 polygons (the build
benchmark's wiggled Voronoi cells, each polygon's vertices then moved a few centimetres on
its own, as reprojection rounding does). Runs are interleaved, after a warm-up; the best and
the spread of ``--repeats`` runs are printed, and the cleaned geometries are checked
identical.

Run ``.venv/bin/python benchmarks/bench_clean.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import shapely
from bench_build import voronoi_coverage

from localitygis.io import read_vector
from localitygis.localities.clean import clean_coverage
from localitygis.localities.quality import repair_geometries

REALGEO = Path(__file__).resolve().parents[1].parent / "shared" / "realgeo"


def _real(name: str, code: str) -> tuple[np.ndarray, list[str]] | None:
    path = Path(os.environ.get("LOCALITYGIS_REALGEO", REALGEO)) / name
    if not path.exists():
        return None
    frame = repair_geometries(read_vector(path), layer=name).frame
    return np.asarray(frame.geometry.array, dtype=object), frame[code].astype(str).tolist()


def _jittered(n: int) -> tuple[np.ndarray, list[str]]:
    side = 4_000.0 * np.sqrt(n)
    cells = voronoi_coverage(
        n, side=side, seed=3, spacing=70.0, amplitude=120.0, wavelength=1_500.0
    )

    def move(i: int):
        def shift(xy: np.ndarray) -> np.ndarray:
            value = np.sin(xy[:, :1] * 12.9898 + xy[:, 1:] * 78.233 + i * 37.719) * 43758.5453
            return xy + 0.05 * ((value - np.floor(value)) * 2 - 1)

        return shift

    moved = np.array([shapely.transform(c, move(i)) for i, c in enumerate(cells)], dtype=object)
    moved = shapely.make_valid(moved, method="structure", keep_collapsed=False)
    return moved, [f"P{i}" for i in range(n)]


def _plain(geoms: np.ndarray) -> np.ndarray:
    return shapely.coverage_clean(geoms, gap_width=1.0, snapping_distance=1.0)


def _ours(geoms: np.ndarray, labels: list[str]) -> np.ndarray:
    return clean_coverage(geoms, labels, tolerance=1.0).geometries


def _time(func) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def _measure(name: str, geoms: np.ndarray, labels: list[str], repeats: int) -> None:
    ours, plain = _ours(geoms, labels), _plain(geoms)  # warm-up, and the check
    same = bool(shapely.equals_exact(ours, plain, 0.0).all())
    cleaning = clean_coverage(geoms, labels, tolerance=1.0)
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "plain": []}
    for _ in range(repeats):  # interleaved
        times["ours"].append(_time(lambda: _ours(geoms, labels)))
        times["plain"].append(_time(lambda: _plain(geoms)))
    best = {k: min(t[0] for t in v) for k, v in times.items()}
    cpu = {k: min(t[1] for t in v) for k, v in times.items()}
    spread = {k: ", ".join(f"{t[0]:.3f}" for t in v) for k, v in times.items()}
    print(f"{name}: {len(geoms):,} polygons; {cleaning.describe()}; results identical: {same}")
    print(
        f"  clean_coverage (with report)  best {best['ours']:.3f} s  CPU {cpu['ours']:.3f} s"
        f"  runs {spread['ours']}"
    )
    print(
        f"  shapely.coverage_clean alone  best {best['plain']:.3f} s  CPU {cpu['plain']:.3f} s"
        f"  runs {spread['plain']}"
    )
    print(f"  ratio (ours / plain, wall): {best['ours'] / best['plain']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 synthetic polygons")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved runs of each")
    args = parser.parse_args()
    inputs = {
        "real LSOAs 2011": _real("herefordshire_lsoa_2011.geojson", "LSOA11CD"),
        "real Output Areas 2011": _real("herefordshire_oa_2011.geojson", "OA11CD"),
    }
    for name, data in inputs.items():
        if data is None:
            print(f"{name}: skipped ({REALGEO} not found)")
        else:
            _measure(name, *data, repeats=args.repeats)
    n = 1_000 if args.quick else 10_000
    _measure("synthetic jittered coverage", *_jittered(n), repeats=args.repeats)
    print(f"cpus available: {len(os.sched_getaffinity(0))}; load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
