"""The point-in-parish search: every route gives the answer of a brute-force check, and sjoin's.

The search finds candidates from bounding boxes (points sorted into bands, an R-tree of the
points, or the parish R-tree), tests them on their coordinates against prepared or plain
parishes, in chunks and threads, and settles boundary points by code. Whatever the route,
the answer must be the rule's: the parish whose interior holds the point; on a boundary (or
in an overlap) the covering parish whose code sorts first; -1 outside every parish.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localitygis.assets import parish_index
from localitygis.assets.locate import Locator, locate_many
from localitygis.assets.parish_index import _ParishIndex
from localitygis.assets.point_bands import PointBands
from localitygis.errors import GeometryError
from tests._sjoin import assert_same_as_sjoin
from tests._tessellations import tessellation

X0, Y0 = 340_000.0, 250_000.0
ORIGIN = np.array([X0, Y0])


def parishes_of(cells: list[shapely.Geometry], seed: int) -> gpd.GeoDataFrame:
    """Annotated parishes over the cells, their codes in shuffled order (ties go by code)."""
    n = len(cells)
    order = np.random.default_rng(seed).permutation(n)
    return gpd.GeoDataFrame(
        {
            "parish_code": [f"E04{i:06d}" for i in order],
            "parish_name": [f"P{i % 7}" for i in order],
            "locality": [f"L{i % 5}" for i in order],
            "tier": [int(i % 3 + 1) for i in order],
        },
        geometry=gpd.GeoSeries(cells).translate(X0, Y0).to_numpy(),
        crs=27700,
    )


def awkward_points(parishes: gpd.GeoDataFrame, seed: int, n: int) -> np.ndarray:
    """Random points, every vertex (on two or three boundaries), edge points, strays, NaN."""
    rng = np.random.default_rng(seed)
    vertices = np.unique(shapely.get_coordinates(parishes.geometry.values), axis=0)
    ring = shapely.get_coordinates(parishes.geometry.values[0])
    on_edges = (ring[:-1] + ring[1:]) / 2  # near or on the first parish's edges
    inside = rng.uniform(-60, 1_060, size=(n, 2)) + ORIGIN  # some outside the square
    xy = np.vstack([inside, vertices, on_edges, [[np.nan, np.nan]], [[X0 - 5e4, Y0]]])
    return xy[rng.permutation(len(xy))]


def brute_force(parishes: gpd.GeoDataFrame, xy: np.ndarray) -> np.ndarray:
    """The rule, checked pair by pair with plain shapely predicates (no index, no preparing)."""
    geoms = np.asarray(parishes.geometry.values, dtype=object)
    rank = np.argsort(np.argsort(parishes["parish_code"].to_numpy()))
    points = shapely.points(xy)
    answer = np.full(len(xy), -1)
    for i, point in enumerate(points):
        if not np.isfinite(xy[i]).all():
            continue
        interior = np.flatnonzero(shapely.contains_properly(geoms, point))
        covering = interior if len(interior) else np.flatnonzero(shapely.intersects(geoms, point))
        if len(covering):
            answer[i] = covering[np.argmin(rank[covering])]
    return answer


ROUTES = {
    "point bands, threads": {"index_points": True, "workers": 2},
    "point bands, one thread": {"index_points": True, "workers": 1},
    "point R-tree": {"index_points": True, "point_index": "tree", "workers": 2},
    "parish R-tree": {"index_points": False},
}


def every_route(
    parishes: gpd.GeoDataFrame, xy: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> dict[str, np.ndarray]:
    """The answer of each route, with parishes prepared for every point, for none, or some."""
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    points = shapely.points(xy)
    points[~np.isfinite(xy).all(axis=1)] = None
    answers = {}
    for prepare_at in (1, 16, 10**9):
        monkeypatch.setattr(parish_index, "_PREPARE_AT", prepare_at)
        monkeypatch.setattr(parish_index, "_POINTS_PER_CHUNK", 97)  # many small chunks
        monkeypatch.setattr(parish_index, "_VERTICES_PER_CHUNK", 50)  # (some of one parish)
        for name, route in ROUTES.items():
            index = _ParishIndex(parishes)
            if route.get("point_index") == "tree":
                route = {**route, "point_index": shapely.STRtree(points)}
                answers[f"{name}, prepare at {prepare_at}"] = index.parish_of(points, **route)
            else:
                answers[f"{name}, prepare at {prepare_at}"] = index.parish_of_xy(x, y, **route)
            assert not shapely.is_prepared(index.geoms).any(), "a parish was left prepared"
    return answers


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    n=st.integers(min_value=2, max_value=40),
    densify=st.sampled_from([None, 35.0, 120.0]),
)
def test_every_route_gives_the_rule_on_random_tessellations(seed, n, densify, monkeypatch):
    parishes = parishes_of(tessellation(seed, n, densify=densify), seed)
    xy = awkward_points(parishes, seed, 300)
    expected = brute_force(parishes, xy)
    assert (expected == -1).any()
    assert (expected >= 0).any()
    for name, found in every_route(parishes, xy, monkeypatch).items():
        differ = np.flatnonzero(found != expected)
        assert len(differ) == 0, f"{name}: {len(differ)} points differ, e.g. {xy[differ[:3]]}"


def test_an_overlap_goes_to_the_first_code_and_a_gap_to_none(monkeypatch) -> None:
    # Two overlapping squares (the second's code sorts first) and a third apart, with a gap;
    # the last point is on the second's edge but inside the first: the interior wins.
    cells = [shapely.box(0, 0, 600, 600), shapely.box(400, 0, 1_000, 600)]
    cells += [shapely.box(0, 700, 1_000, 1_000)]
    parishes = parishes_of(cells, seed=0)
    parishes["parish_code"] = ["E2", "E1", "E3"]
    xy = np.array([[X0 + 500, Y0 + 300], [X0 + 100, Y0 + 300], [X0 + 500, Y0 + 650],
                   [X0 + 500, Y0 + 700], [X0 + 400, Y0 + 300]])  # fmt: skip
    assert brute_force(parishes, xy).tolist() == [1, 0, -1, 2, 0]
    for name, found in every_route(parishes, xy, monkeypatch).items():
        assert found.tolist() == [1, 0, -1, 2, 0], name


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31 - 1), n=st.integers(0, 400))
def test_point_bands_find_every_point_in_every_box(seed, n):
    rng = np.random.default_rng(seed)
    # Points on a coarse grid, so many lie exactly on box edges; some without a position.
    xy = rng.integers(0, 50, size=(n, 2)).astype(float) * 20.0 + 300_000.0
    xy[rng.random(n) < 0.05] = np.nan
    corner = rng.integers(0, 50, size=(30, 2)) * 20.0 + 300_000.0
    boxes = np.hstack([corner, corner + rng.integers(0, 15, size=(30, 2)) * 20.0])
    boxes[3] = np.nan  # a missing parish
    box_idx, point_idx = PointBands(xy[:, 0], xy[:, 1], boxes).in_boxes(boxes)
    found = set(zip(box_idx.tolist(), point_idx.tolist(), strict=True))
    assert len(found) == len(box_idx), "a pair was given twice"
    x, y = xy[:, 0], xy[:, 1]
    for b, (x_min, y_min, x_max, y_max) in enumerate(boxes):
        within = (x >= x_min) & (x <= x_max) & (y >= y_min) & (y <= y_max)
        mine = {p for bb, p in found if bb == b}
        assert set(np.flatnonzero(within).tolist()) <= mine
        # Candidates beyond the box are only those of its bands (the box widened in y).
        beyond = np.array(sorted(mine - set(np.flatnonzero(within).tolist())), dtype=int)
        assert ((x[beyond] >= x_min) & (x[beyond] <= x_max)).all()


def test_locate_many_agrees_with_sjoin_and_leaves_the_parishes_unprepared() -> None:
    parishes = parishes_of(tessellation(8, 120, densify=40.0), seed=8)
    rng = np.random.default_rng(9)
    xy = rng.uniform(-80, 1_080, size=(20_000, 2)) + ORIGIN  # many: the point bands
    frame = gpd.GeoDataFrame({"ref": np.arange(len(xy))}, geometry=shapely.points(xy), crs=27700)
    out = locate_many(frame, parishes=parishes)
    assert not shapely.is_prepared(parishes.geometry.values).any()
    assert_same_as_sjoin(out, frame, parishes)


def test_a_locator_answers_the_same_again_and_leaves_the_parishes_unprepared() -> None:
    parishes = parishes_of(tessellation(12, 30, densify=25.0), seed=12)
    xy = awkward_points(parishes, 12, 5_000)[:5_000]
    places = pd.DataFrame({"easting": xy[:, 0], "northing": xy[:, 1]})
    locator = Locator(parishes)
    first = locator.locate_many(places)
    assert not shapely.is_prepared(parishes.geometry.values).any()
    pd.testing.assert_frame_equal(locator.locate_many(places), first)
    expected = brute_force(parishes, xy)
    codes = parishes["parish_code"].to_numpy()
    want = np.where(expected >= 0, codes[np.maximum(expected, 0)], None)
    got = first["parish_code"].astype(object).where(first["parish_code"].notna(), None)
    assert got.tolist() == want.tolist()


def test_the_demo_county_agrees_with_sjoin_and_the_rule(monkeypatch) -> None:
    from localitygis.demo.county import load_demo
    from localitygis.localities.build import build_localities
    from localitygis.localities.scheme import demo_scheme

    demo = load_demo()
    parishes = demo.parishes.rename(columns={"PAR21CD": "parish_code", "PAR21NM": "parish_name"})
    built = build_localities(parishes, catchments=demo.catchments, scheme=demo_scheme()).parishes
    x0, y0, x1, y1 = built.total_bounds
    rng = np.random.default_rng(3)
    xy = rng.uniform((x0 - 2_000, y0 - 2_000), (x1 + 2_000, y1 + 2_000), size=(30_000, 2))
    frame = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=27700)
    out = locate_many(frame, parishes=built)
    joined = gpd.sjoin(frame, built, predicate="within")
    single = joined[~joined.index.duplicated(keep=False)]
    assert (out.loc[single.index, "parish_code"].astype(str) == single["parish_code"]).all()
    assert out["parish_code"].notna().sum() == joined.index.nunique()
    # Every vertex of the demo parishes (shared boundaries): the rule, on every route.
    vertices = np.unique(shapely.get_coordinates(built.geometry.values), axis=0)
    sample = vertices[np.random.default_rng(4).choice(len(vertices), 400, replace=False)]
    expected = brute_force(built, sample)
    for name, found in every_route(built, sample, monkeypatch).items():
        assert (found == expected).all(), name


def test_parishes_without_geometry_hold_no_point(monkeypatch) -> None:
    cells = tessellation(5, 12, densify=60.0)
    parishes = parishes_of(cells, seed=5)
    geometry = parishes.geometry.to_numpy().copy()
    geometry[[2, 7]] = [None, shapely.Polygon()]
    parishes = parishes.set_geometry(gpd.GeoSeries(geometry, crs=27700))
    xy = awkward_points(parishes_of(cells, seed=5), 5, 400)  # also where 2 and 7 were
    expected = brute_force(parishes, xy)
    assert not np.isin(expected, [2, 7]).any()
    for name, found in every_route(parishes, xy, monkeypatch).items():
        assert (found == expected).all(), name


def test_only_points_are_searched() -> None:
    index = _ParishIndex(parishes_of(tessellation(1, 4), seed=1))
    lines = np.array([shapely.LineString([(X0, Y0), (X0 + 10, Y0 + 10)])], dtype=object)
    with pytest.raises(GeometryError, match="only points"):
        index.parish_of(lines)
    empty = np.array([shapely.Point(), None, shapely.Point(X0 + 500, Y0 + 500)], dtype=object)
    assert index.parish_of(empty).tolist()[:2] == [-1, -1]
    assert index.parish_of(empty)[2] >= 0
