"""Property tests: counts are conserved under both methods, on random tessellations."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tobler.area_weighted import area_interpolate

from localitygis.statistics import Measures, apportion
from tests._tessellations import tessellation

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def layers(seed: int, n_areas: int, n_parishes: int, shift: float, whole: bool):
    """Random small areas (some partly or wholly off the parishes) and random parishes."""
    rng = np.random.default_rng(seed)
    cells = gpd.GeoSeries(tessellation(seed, n_areas)).translate(xoff=shift)
    people = rng.integers(0, 2_000, n_areas) if whole else rng.uniform(0, 2_000, n_areas)
    areas = gpd.GeoDataFrame(
        {
            "area_code": [f"E01{i:06d}" for i in range(n_areas)],
            "people": people,
            "rate": rng.uniform(0, 1, n_areas),
            "decile": rng.integers(1, 11, n_areas),
        },
        geometry=list(cells),
        crs=27700,
    )
    parishes = gpd.GeoDataFrame(
        {
            "parish_code": [f"E04{i:06d}" for i in range(n_parishes)],
            "locality": [f"L{i % 3}" for i in range(n_parishes)],
        },
        geometry=tessellation(seed + 1, n_parishes),
        crs=27700,
    )
    return areas, parishes


SIZES = {
    "seed": st.integers(0, 10_000),
    "n_areas": st.integers(2, 120),
    "n_parishes": st.integers(1, 40),
    "shift": st.sampled_from([0.0, 0.0, 137.5, 1_500.0]),
}


@PROPERTY
@given(**SIZES, whole=st.booleans())
def test_best_fit_conserves_counts_exactly(seed, n_areas, n_parishes, shift, whole):
    areas, parishes = layers(seed, n_areas, n_parishes, shift, whole)
    result = apportion(areas, parishes, Measures(counts=("people",)), by="locality")
    placed = areas["area_code"].isin(result.fit.memberships["area_code"]).to_numpy()
    if whole:
        assert result.table["people"].sum() == areas.loc[placed, "people"].sum()
    else:
        assert result.table["people"].sum() == pytest.approx(areas.loc[placed, "people"].sum())
    assert placed.sum() + len(result.rejects) == n_areas  # every small area accounted for
    assert result.table["small_areas"].sum() == placed.sum()


@PROPERTY
@given(**SIZES)
def test_area_weighting_conserves_counts_and_equals_tobler(seed, n_areas, n_parishes, shift):
    areas, parishes = layers(seed, n_areas, n_parishes, shift, whole=False)
    measures = Measures(counts=("people",), means=("rate",))
    result = apportion(areas, parishes, measures, method="area_weighted")
    placed = areas["area_code"].isin(result.fit.memberships["area_code"]).to_numpy()
    total = areas.loc[placed, "people"].sum()
    assert abs(result.table["people"].sum() - total) <= 1e-9 * max(total, 1.0)
    assert placed.sum() + len(result.rejects) == n_areas
    reference = area_interpolate(
        areas, parishes, extensive_variables=["people"], intensive_variables=["rate"]
    )
    np.testing.assert_allclose(result.table["people"], reference["people"], rtol=1e-6, atol=1e-6)
    reached = result.table["small_areas"].to_numpy() > 0
    np.testing.assert_allclose(
        result.table["rate"].to_numpy()[reached], reference["rate"].to_numpy()[reached], rtol=1e-6
    )


@PROPERTY
@given(**SIZES)
def test_localities_equal_the_sum_of_their_parishes(seed, n_areas, n_parishes, shift):
    areas, parishes = layers(seed, n_areas, n_parishes, shift, whole=True)
    measures = Measures(counts=("people",), deciles=("decile",), weight="people")
    for method in ("best_fit", "area_weighted"):
        by_parish = apportion(areas, parishes, measures, method=method).table
        by_locality = apportion(areas, parishes, measures, method=method, by="locality").table
        summed = by_parish.groupby(parishes["locality"].to_numpy())["people"].sum()
        np.testing.assert_allclose(
            by_locality.set_index("locality")["people"], summed.reindex(by_locality["locality"])
        )
        decile_columns = [c for c in by_locality.columns if ": decile_" in c]
        np.testing.assert_allclose(
            by_locality[decile_columns].sum(axis=1), by_locality["small_areas"], rtol=1e-9
        )
