"""The nested-coverage route: parishes placed from two coverage certificates must get exactly
the answer the general (measured overlap) route gives, and fall back where it must.

Parishes are random Voronoi tessellations (:mod:`tests._tessellations`); catchments are
unions of them (an exact nesting), with some parishes cut along a diagonal and their halves
given to two catchments (partial nesting: the diagonals cross those parishes), some
parishes made of two parts far apart, and some area left in no catchment.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from localitygis.localities import build_localities
from localitygis.localities import certificate as _certificate
from localitygis.localities.assign import _assign_by_overlap, assign_by_overlap
from localitygis.localities.certificate import certify_coverage, nest_coverages
from localitygis.localities.nested import assign_nested, follows_parishes
from localitygis.localities.scheme import LocalityDef, Scheme, Tier
from tests._tessellations import tessellation

OFFSET = (300_000.0, 200_000.0)  # in the British National Grid


def _cut(cell: shapely.Polygon) -> tuple[shapely.Polygon, shapely.Polygon] | None:
    """Two halves of a convex cell, cut along a diagonal between two of its vertices.

    None when the cell has no such diagonal through its interior (a triangle, or two
    vertices on one straight edge).
    """
    xy = shapely.get_coordinates(cell.exterior)[:-1]
    k = len(xy) // 2
    if k < 2:
        return None
    halves = shapely.Polygon(xy[: k + 1]), shapely.Polygon(np.vstack([xy[k:], xy[:1]]))
    if min(h.area for h in halves) <= 0 or not all(h.is_valid for h in halves):
        return None
    return halves


def county(seed: int, n: int, k: int, *, densify, cuts: int, pairs: int, gap: bool):
    """Parishes, catchments and the parishes cut between two catchments (by position)."""
    rng = np.random.default_rng(seed)
    cells = [
        shapely.transform(c, lambda xy: xy + OFFSET) for c in tessellation(seed, n, densify=densify)
    ]
    cells = [shapely.orient_polygons(c) for c in cells]
    centres = shapely.get_coordinates(shapely.centroid(cells))
    seeds = centres[rng.choice(len(cells), size=k, replace=False)]
    group = np.argmin(np.hypot(*(centres[:, None] - seeds[None]).transpose(2, 0, 1)), axis=1)
    pieces: list[list[shapely.Polygon]] = [[] for _ in range(k)]
    cut = (
        set(rng.choice(len(cells), size=min(cuts, len(cells)), replace=False).tolist())
        if k > 1
        else set()
    )
    for i, cell in enumerate(cells):
        halves = _cut(cell) if i in cut else None
        if halves is None:
            cut.discard(i)
            pieces[group[i]].append(cell)
        else:
            pieces[group[i]].append(halves[0])
            pieces[(group[i] + 1) % k].append(halves[1])
    kept = range(1, k) if gap and k > 1 else range(k)  # catchment 0 dropped: a gap
    shapes = [shapely.coverage_union_all(pieces[g]) for g in kept]
    names = [f"School {g:02d}" for g in kept]
    parishes = list(cells)
    joined = []
    for _ in range(pairs):  # two parishes far apart become one of two parts
        i, j = (int(x) for x in rng.choice(len(parishes), size=2, replace=False))
        if shapely.distance(parishes[i], parishes[j]) > 0 and {i, j}.isdisjoint(joined):
            parishes[i] = shapely.MultiPolygon([parishes[i], parishes[j]])
            joined += [i, j]
    keep = [i for i in range(len(parishes)) if i not in joined[1::2]]
    frame = gpd.GeoDataFrame(
        {"parish_code": [f"P{i:03d}" for i in keep]},
        geometry=[parishes[i] for i in keep],
        crs=27700,
    )
    shuffled = rng.permutation(len(names))  # the frame's order is not the names' order
    catchments = gpd.GeoDataFrame(
        {"catchment": [names[i] for i in shuffled]},
        geometry=[shapes[i] for i in shuffled],
        crs=27700,
    )
    crossed = {keep.index(i) for i in cut if i in keep}
    return frame, catchments, crossed


def _chains(parishes, catchments, *, required: bool = True):
    """Both layers' certificates (None, when not ``required``, if one cannot vouch)."""
    p_chain = certify_coverage(np.asarray(parishes.geometry.array, dtype=object))
    c_chain = certify_coverage(np.asarray(catchments.geometry.array, dtype=object))
    if p_chain is None or c_chain is None:
        # Catchments whose parts touch at a vertex: the certificate leaves them to GEOS.
        assert not required
        return None
    return p_chain, c_chain


def _assert_same(nested, general, min_share: float = 0.9) -> None:
    """The nested route's answer is the general route's (as documented)."""
    assert nested["catchment"].tolist() == general["catchment"].tolist()
    np.testing.assert_allclose(nested["catchment_share"], general["catchment_share"], rtol=1e-9)
    low = (general["catchment_share"] < min_share).to_numpy()
    assert nested["second_catchment"][low].tolist() == general["second_catchment"][low].tolist()
    np.testing.assert_allclose(nested["second_share"][low], general["second_share"][low], rtol=1e-9)
    assert nested.attrs["catchments_coverage_valid"] is True


def _placed(parishes, catchments, chains) -> np.ndarray:
    geoms = np.asarray(catchments.geometry.array, dtype=object)
    shapely.prepare(geoms)
    p_geoms = np.asarray(parishes.geometry.array, dtype=object)
    found = assign_nested(
        p_geoms, shapely.area(p_geoms), chains, geoms, np.arange(len(geoms)), shapely.STRtree(geoms)
    )
    return found.placed


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(6, 60),
    k=st.integers(1, 6),
    densify=st.sampled_from([None, 30.0, 90.0]),
    cuts=st.integers(0, 3),
    pairs=st.integers(0, 2),
    gap=st.booleans(),
)
def test_nested_route_gives_the_general_answer(seed, n, k, densify, cuts, pairs, gap) -> None:
    parishes, catchments, crossed = county(
        seed, n, k, densify=densify, cuts=cuts, pairs=pairs, gap=gap
    )
    chains = _chains(parishes, catchments, required=False)
    assume(chains is not None)
    nested = _assign_by_overlap(parishes, catchments, chains=chains)
    general = _assign_by_overlap(parishes, catchments)
    _assert_same(nested, general)
    placed = _placed(parishes, catchments, chains)
    # Every parish a cut crosses was left to the general route; every other was placed.
    assert set(np.flatnonzero(~placed).tolist()) <= crossed | _touching_cuts(
        parishes, catchments, chains
    )
    assert not placed[list(crossed)].any()
    # A polygon placed wholly in one catchment has share exactly 1.
    one = (
        placed
        & nested["catchment"].notna().to_numpy()
        & (parishes.geom_type == "Polygon").to_numpy()
    )
    assert (nested["catchment_share"].to_numpy()[one] == 1.0).all()


def _touching_cuts(parishes, catchments, chains) -> set[int]:
    """Parishes touching a catchment segment that is no parish segment (a cut's diagonal)."""
    nesting = nest_coverages(*chains)
    lines = _certificate.segment_lines(chains[1], nesting.loose)
    hit = shapely.STRtree(np.asarray(parishes.geometry.array)).query(lines, predicate="intersects")[
        1
    ]
    return set(hit.tolist())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_loose_segments_are_exactly_the_catchment_segments_no_parish_has(seed: int) -> None:
    parishes, catchments, crossed = county(seed, 40, 4, densify=60.0, cuts=3, pairs=0, gap=False)
    p_chain, c_chain = _chains(parishes, catchments)
    nesting = nest_coverages(p_chain, c_chain)

    def segments(chain, seg):
        a, b = chain.point[seg], chain.point[seg + 1]
        return {frozenset((complex(p), complex(q))) for p, q in zip(a, b, strict=True)}

    every = np.concatenate([c_chain.pair_a, c_chain.pair_b, c_chain.single])
    loose = segments(c_chain, nesting.loose)
    parish_segments = segments(
        p_chain, np.concatenate([p_chain.pair_a, p_chain.pair_b, p_chain.single])
    )
    assert loose == segments(c_chain, every) - parish_segments
    # Each cut's diagonal, once in each of the two catchments it divides.
    assert len(loose) == len(crossed) > 0
    assert len(nesting.loose) == 2 * len(crossed)
    # ``within`` names the catchment holding each parish's interior point, where it says.
    points = shapely.point_on_surface(np.asarray(parishes.geometry.array))
    holder = np.full(len(parishes), -1)
    pi, ci = shapely.STRtree(np.asarray(catchments.geometry.array)).query(
        points, predicate="within"
    )
    holder[pi] = ci
    said = nesting.within >= 0
    clean = np.ones(len(parishes), bool)
    clean[list(crossed)] = False
    assert (nesting.within[said & clean] == holder[said & clean]).all()


@pytest.mark.parametrize("weak", ["zero", 2, 16])
def test_hash_collisions_do_not_change_the_nesting(monkeypatch: pytest.MonkeyPatch, weak) -> None:
    parishes, catchments, _ = county(7, 30, 3, densify=80.0, cuts=2, pairs=1, gap=True)
    chains = _chains(parishes, catchments)
    honest = nest_coverages(*chains)
    general = _assign_by_overlap(parishes, catchments)
    if weak == "zero":
        monkeypatch.setattr(_certificate, "_mix", lambda k: np.multiply(k, 0, out=k))
    else:
        mask = np.uint64((weak - 1) << 41)

        def few(k: np.ndarray) -> np.ndarray:
            k *= np.uint64(0x9E3779B97F4A7C15)
            k &= mask
            return k

        monkeypatch.setattr(_certificate, "_mix", few)
    chains = _chains(parishes, catchments)
    collided = nest_coverages(*chains)
    assert collided.within.tolist() == honest.within.tolist()
    assert collided.loose.tolist() == honest.loose.tolist()
    _assert_same(_assign_by_overlap(parishes, catchments, chains=chains), general)


def test_catchments_digitised_apart_fall_back_to_measuring(monkeypatch) -> None:
    parishes, catchments, _ = county(4, 40, 3, densify=60.0, cuts=0, pairs=0, gap=False)
    moved = catchments.copy()
    moved["geometry"] = shapely.transform(moved.geometry.values, lambda xy: xy + 0.5)
    chains = _chains(parishes, moved)
    assert len(nest_coverages(*chains).within) == len(parishes)
    placed = _placed(parishes, moved, chains)
    # Only parishes no catchment boundary comes near are placed, by points.
    boundary = shapely.union_all(moved.boundary.values)
    near = shapely.intersects(np.asarray(parishes.geometry.array), boundary)
    assert not placed[near].any()
    _assert_same(
        _assign_by_overlap(parishes, moved, chains=chains), _assign_by_overlap(parishes, moved)
    )


def test_a_point_not_properly_inside_its_part_leaves_the_parish_to_measuring(monkeypatch) -> None:
    parishes, catchments, _ = county(9, 30, 3, densify=None, cuts=0, pairs=2, gap=False)
    chains = _chains(parishes, catchments)
    general = _assign_by_overlap(parishes, catchments)
    # A point on the part's boundary: the interior test fails, the parish is not placed.
    monkeypatch.setattr(
        shapely, "point_on_surface", lambda g: shapely.get_point(shapely.get_exterior_ring(g), 0)
    )
    placed = _placed(parishes, catchments, chains)
    multi = (parishes.geom_type == "MultiPolygon").to_numpy()
    assert multi.any()
    assert not placed[multi].any()
    _assert_same(_assign_by_overlap(parishes, catchments, chains=chains), general)


def test_a_multipart_parish_across_two_catchments_gets_both_shares() -> None:
    left, right = shapely.box(0, 0, 10, 10), shapely.box(30, 0, 40, 10)
    middle = shapely.box(10, 0, 30, 10)
    parishes = gpd.GeoDataFrame(
        {"parish_code": ["two parts", "middle"]},
        geometry=[shapely.MultiPolygon([left, right]), middle],
        crs=27700,
    )
    catchments = gpd.GeoDataFrame(
        {"catchment": ["West", "East"]},
        geometry=[shapely.coverage_union_all([left, middle]), right],
        crs=27700,
    )
    chains = _chains(parishes, catchments)
    nested = _assign_by_overlap(parishes, catchments, chains=chains, min_share=0.9)
    assert _placed(parishes, catchments, chains).all()
    assert nested["catchment"].tolist() == ["East", "West"]  # equal halves: the name first
    assert nested["catchment_share"].tolist() == [0.5, 1.0]
    assert nested["second_catchment"].iloc[0] == "West"
    assert pd.isna(nested["second_catchment"].iloc[1])
    assert nested["second_share"].tolist()[0] == 0.5


def test_the_build_uses_the_nested_route_and_agrees_with_assign_by_overlap(monkeypatch) -> None:
    import localitygis.localities.assign as assign

    parishes, catchments, crossed = county(12, 80, 4, densify=50.0, cuts=2, pairs=0, gap=False)
    parishes["parish_name"] = parishes["parish_code"]
    scheme = Scheme(
        name="nested",
        tiers={1: Tier(1, "Rural")},
        localities=(LocalityDef("All", 1, tuple(catchments["catchment"])),),
    )
    measured = []
    original = assign._clipped_intersection_area

    def counting(parts, big):
        measured.append(len(parts))
        return original(parts, big)

    monkeypatch.setattr(assign, "_clipped_intersection_area", counting)
    build = build_localities(parishes, catchments=catchments, scheme=scheme, workers=1)
    # Only the parishes a cut crosses (or touches) were measured against catchments.
    touching = _touching_cuts(parishes, catchments, _chains(parishes, catchments))
    assert crossed <= touching
    assert len(touching) < len(parishes) / 4
    assert 0 < sum(measured) <= len(touching) * len(catchments)
    monkeypatch.setattr(assign, "_clipped_intersection_area", original)
    general = assign_by_overlap(parishes, catchments)
    assert build.parishes["catchment"].tolist() == general["catchment"].tolist()
    np.testing.assert_allclose(
        build.parishes["catchment_share"], general["catchment_share"], rtol=1e-9
    )
    whole = np.ones(len(parishes), bool)
    whole[list(crossed)] = False
    assert (build.parishes["catchment_share"].to_numpy()[~whole] < 1.0).all()


def test_catchments_digitised_apart_do_not_wait_for_the_nested_route() -> None:
    parishes, catchments, _ = county(4, 40, 3, densify=60.0, cuts=0, pairs=0, gap=False)
    c_chain = _chains(parishes, catchments)[1]
    geoms = np.asarray(parishes.geometry.array, dtype=object)
    assert follows_parishes(geoms, c_chain)
    moved = shapely.transform(np.asarray(catchments.geometry.array), lambda xy: xy + 0.5)
    assert not follows_parishes(geoms, certify_coverage(moved))
