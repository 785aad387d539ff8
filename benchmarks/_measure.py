"""Side-by-side timing for the benchmarks: interleaved routes, a warm-up, the spread, memory.

Each route is a function of a fresh input (made by ``fresh()`` before every run, outside the
timing) returning its result. :func:`compare` runs a warm-up round, then ``runs`` rounds in
which every route runs once, in turn, so load on a shared machine hits all routes alike.
Memory is measured after the timed rounds, one more run of each route in a forked child
(:func:`forked_peak`): the growth of the peak resident set over the call (Linux).
"""

from __future__ import annotations

import contextlib
import ctypes
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


def measured(func: Callable[[], object]) -> tuple[float, object]:
    """Wall seconds of one call, and its result."""
    gc.collect()
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _release_free_heap() -> None:
    """Give memory freed earlier back to the system (glibc), so a run's growth is all its own.

    Without it a route made of many small allocations (GEOS) reuses heap freed by earlier
    runs and seems to need nothing, while one of large arrays (numpy, mapped afresh) shows
    its full size.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def forked_peak(func: Callable[[], object]) -> float:
    """Peak resident-set growth (MB) of one call, run in a forked child of this process.

    Each route gets a child of its own, which first returns the heap's free memory to the
    system (:func:`_release_free_heap`); the peak is reset at the start of the call by
    writing 5 to ``/proc/self/clear_refs``.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            gc.collect()
            _release_free_heap()
            with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
                refs.write("5")
            before = _status("VmRSS")
            func()
            os.write(write_end, str((_status("VmHWM") - before) / 2**20).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return float(answer) if answer else float("nan")


@dataclass
class Figures:
    """One route's runs."""

    seconds: list[float] = field(default_factory=list)
    megabytes: float = float("nan")

    @property
    def median(self) -> float:
        ordered = sorted(self.seconds)
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

    def describe(self) -> str:
        runs = ", ".join(f"{s:.2f}" for s in self.seconds)
        return (
            f"median {self.median:6.2f} s (min {min(self.seconds):.2f}, max "
            f"{max(self.seconds):.2f}; runs {runs}), peak RSS growth {self.megabytes:.0f} MB"
        )


def compare(
    routes: dict[str, Callable[[object], object]],
    fresh: Callable[[], object],
    runs: int,
    check: Callable[[dict[str, object]], str],
) -> dict[str, Figures]:
    """Run every route ``runs`` times interleaved after a warm-up; check the results agree.

    ``check`` gets the results of each round's routes (by name) and returns a line to
    print; it raises when they differ (checked after the warm-up and the last round).
    """
    figures = {name: Figures() for name in routes}
    for round_ in range(runs + 1):  # round 0 is the warm-up
        results = {}
        for name, route in routes.items():
            data = fresh()
            seconds, results[name] = measured(lambda r=route, d=data: r(d))
            if round_:
                figures[name].seconds.append(seconds)
            del data
        if round_ in (0, runs):
            print("check:", check(results))
        del results
    for name, route in routes.items():
        data = fresh()
        figures[name].megabytes = forked_peak(lambda r=route, d=data: r(d))
        del data
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
        f"{first.megabytes / max(last.megabytes, 1):.2f}"
    )
    return ratios


def machine() -> str:
    """CPUs and load average, to print with the figures."""
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)"
