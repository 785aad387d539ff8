"""Run vectorised shapely functions over chunks of arrays in threads (GEOS releases the GIL).

Private plumbing shared by the assignment and the geometry checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["map_chunks", "thread_count"]


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
