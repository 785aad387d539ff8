"""Side-by-side timing for the benchmarks: interleaved routes, a warm-up, the spread, memory.

Each route is a function of a fresh input (made by ``fresh()`` before every run, outside the
timing) returning its result. :func:`compare` runs a warm-up round, then ``runs`` rounds in
which every route runs once, in turn, so load on a shared machine hits all routes alike.
Memory is the growth of the process's peak resident set over a run: the peak is reset before
each run by writing 5 to ``/proc/self/clear_refs`` (Linux), so routes in one process do not
hide behind each other's peaks.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def _status(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def measured(func: Callable[[], object]) -> tuple[float, float, object]:
    """Wall seconds and peak RSS growth (MB) of one call, and its result."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # the peak resident set starts again from the current one
    except OSError:
        pass
    before = _status("VmRSS")
    start = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - start
    return seconds, (_status("VmHWM") - before) / 2**20, result


@dataclass
class Figures:
    """One route's runs."""

    seconds: list[float] = field(default_factory=list)
    megabytes: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        ordered = sorted(self.seconds)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

    def describe(self) -> str:
        runs = ", ".join(f"{s:.2f}" for s in self.seconds)
        return (
            f"median {self.median:6.2f} s (min {min(self.seconds):.2f}, max "
            f"{max(self.seconds):.2f}; runs {runs}), peak RSS growth {max(self.megabytes):.0f} MB"
        )


def compare(
    routes: dict[str, Callable[[object], object]],
    fresh: Callable[[], object],
    runs: int,
    check: Callable[[dict[str, object]], str],
) -> dict[str, Figures]:
    """Run every route ``runs`` times interleaved after a warm-up; check the results agree.

    ``check`` gets the last result of each route (by name) and returns a line to print; it
    raises when they differ. Also returns the paired ratio of each route to the last one.
    """
    figures = {name: Figures() for name in routes}
    for round_ in range(runs + 1):  # round 0 is the warm-up
        results = {}
        for name, route in routes.items():
            data = fresh()
            seconds, mb, results[name] = measured(lambda r=route, d=data: r(d))
            if round_:
                figures[name].seconds.append(seconds)
                figures[name].megabytes.append(mb)
            del data
        if round_ in (0, runs):
            print("check:", check(results))
        del results
    return figures


def report(figures: dict[str, Figures]) -> list[float]:
    """Print each route and the paired ratios of the first route to the last one."""
    for name, fig in figures.items():
        print(f"  {name:<40} {fig.describe()}")
    (first_name, first), *_, (last_name, last) = figures.items()
    ratios = sorted(a / b for a, b in zip(first.seconds, last.seconds, strict=True))
    mid = ratios[len(ratios) // 2]
    print(
        f"  ratio {first_name} / {last_name}: median {mid:.2f} (paired runs "
        f"{ratios[0]:.2f}-{ratios[-1]:.2f}); memory ratio "
        f"{max(first.megabytes) / max(max(last.megabytes), 1):.2f}"
    )
    return ratios


def machine() -> str:
    """CPUs and load average, to print with the figures."""
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)"
