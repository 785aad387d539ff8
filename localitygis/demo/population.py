"""Populations of the demo county: parish totals and small-area population points."""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

from localitygis.demo.facts import rng_for

__all__ = ["parish_populations", "population_points", "split_integer"]

PEOPLE_PER_POINT = 300  # like an ONS output area (100-625 residents, typically ~300)


def split_integer(total: int, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    Ties are broken by position, so the result never depends on anything but the inputs.
    """
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    order = np.lexsort((np.arange(len(exact)), -(exact - base)))
    base[order[:short]] += 1
    return base


def parish_populations(
    names: list[str],
    areas_km2: NDArray[np.float64],
    services: NDArray[np.int64],
    towns: dict[str, int],
    *,
    total: int,
    calibrated: NDArray[np.bool_],
    calibrated_total: int,
) -> NDArray[np.int64]:
    """Towns as given; villages drawn to make up ``total``.

    A village's share grows with the square root of its area and with the public services
    it has (a GP surgery, a library, a fire station make a bigger village), times a
    log-normal draw; every village has at least 40 residents. The villages flagged
    ``calibrated`` (e.g. one locality with a known total) get ``calibrated_total`` between
    them, the other villages the rest.
    """
    rng = rng_for("parish_populations")
    noise = rng.lognormal(mean=0.0, sigma=0.55, size=len(names))
    weights = np.sqrt(areas_km2) * (1.0 + 0.8 * services) * noise
    is_town = np.array([name in towns for name in names])
    floor = 40
    population = np.zeros(len(names), dtype=np.int64)
    calibrated = np.asarray(calibrated, dtype=bool) & ~is_town
    rest = ~is_town & ~calibrated
    for group, group_total in (
        (calibrated, calibrated_total),
        (rest, total - sum(towns.values()) - calibrated_total),
    ):
        if group.any():
            drawn = split_integer(group_total - floor * int(group.sum()), weights[group])
            population[group] = drawn + floor
    for i, name in enumerate(names):
        if name in towns:
            population[i] = towns[name]
    return population


def population_points(
    code: str,
    polygon: shapely.Polygon,
    place: tuple[float, float],
    population: int,
    *,
    town: bool,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Population-weighted centroids for one parish, summing exactly to ``population``.

    About one point per :data:`PEOPLE_PER_POINT` residents. Most points cluster round the
    settlement (the whole built-up area for a town); in a village a few are scattered hamlets
    and farms. All points lie at least 20 m inside the parish.
    """
    rng = rng_for("population_points", code)
    count = max(1, round(population / PEOPLE_PER_POINT))
    inner = polygon.buffer(-20.0)
    if inner.is_empty:  # pragma: no cover - parishes are kilometres across
        inner = polygon
    spread = min(80.0 * np.sqrt(population / 100.0), 0.35 * np.sqrt(polygon.area))
    spread = max(spread, 150.0)
    minx, miny, maxx, maxy = inner.bounds
    points: list[tuple[float, float]] = []
    clustered = count if town else max(1, int(np.ceil(0.7 * count)))
    while len(points) < count:
        if len(points) < clustered:
            x, y = rng.normal(place, spread)
        else:
            x, y = rng.uniform((minx, miny), (maxx, maxy))
        x, y = round(float(x), 1), round(float(y), 1)
        if (x, y) not in points and inner.contains(shapely.Point(x, y)):
            points.append((x, y))
    shares = rng.uniform(0.7, 1.3, count)
    people = split_integer(population, shares)
    return np.asarray(points, dtype=float), people
