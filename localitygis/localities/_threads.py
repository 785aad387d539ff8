"""Run vectorised shapely functions over chunks of arrays in threads (GEOS releases the GIL).

Private plumbing shared by the assignment and the geometry checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

import numpy as np

__all__ = ["InBackground", "map_chunks", "thread_count"]

T = TypeVar("T")


def thread_count(workers: int | None) -> int:
    """Threads to use: ``workers``, or by default up to 4, the number of CPUs available.

    Examples
    --------
    >>> thread_count(3)
    3
    >>> 1 <= thread_count(None) <= 4
    True
    """
    if workers is not None:
        return max(1, int(workers))
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


def _chunks(n: int, pieces: int) -> list[slice]:
    if n == 0:
        return []
    size = max(1, -(-n // max(1, pieces)))
    return [slice(i, min(n, i + size)) for i in range(0, n, size)]


def map_chunks(
    func: Callable[..., np.ndarray], *arrays: np.ndarray, workers: int, minimum: int = 256
) -> np.ndarray:
    """Apply ``func`` to aligned chunks of ``arrays`` in ``workers`` threads; concatenate.

    Fewer than ``minimum`` items, or one worker, and ``func`` is simply called.

    Examples
    --------
    >>> import shapely
    >>> squares = shapely.box(np.arange(1000), 0, np.arange(1000) + 2, 1)
    >>> float(map_chunks(shapely.area, squares, workers=2).sum())
    2000.0
    """
    n = len(arrays[0])
    if workers <= 1 or n < minimum:
        return func(*arrays)
    parts = _chunks(n, workers * 4)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda s: func(*(a[s] for a in arrays)), parts))
    return np.concatenate(results)


class InBackground(Generic[T]):
    """A call run in a thread of its own beside the caller's work.

    With one thread nothing starts until :meth:`result` is asked for, and then the call
    runs in the caller's thread.

    Examples
    --------
    >>> job = InBackground(lambda: sum([1, 2, 3]), threads=2)
    >>> job.result()
    6
    >>> job.close()
    """

    def __init__(self, call: Callable[[], T], *, threads: int) -> None:
        self._call = call
        self._pool = ThreadPoolExecutor(max_workers=1) if threads > 1 else None
        self._future: Future[T] | None = self._pool.submit(call) if self._pool is not None else None

    def result(self) -> T:
        """Wait for the answer (or work it out now, when it was not started)."""
        if self._future is None:
            self._future = Future()
            self._future.set_result(self._call())
        return self._future.result()

    def close(self) -> None:
        """Stop waiting: after an error the call may still be running, and ends on its own."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
