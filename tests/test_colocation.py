"""Co-location clusters: graph semantics, invariances, kinds, errors and the demo county."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import cdist

from localitygis.colocation import (
    KIND_CONSOLIDATION,
    KIND_OPPORTUNITY,
    KIND_SINGLE,
    find_clusters,
)
from localitygis.errors import CRSError, DataError, GeometryError
from tests._analysisdata import asset_frame, demo_chain


def brute_force(xy: np.ndarray, distance: float) -> np.ndarray:
    d = cdist(xy, xy)
    return connected_components(d <= distance, directed=False)[1]


def test_chain_links_a_to_c_through_b():
    assets = asset_frame(
        np.array([[350000, 240000], [350300, 240000], [350600, 240000]]),
        partners=["Council", "NHS", "Police"],
    )
    result = find_clusters(assets, distance=400)
    assert result.assets["cluster_id"].nunique() == 1
    assert result.clusters.loc[0, "member_count"] == 3
    assert result.clusters.loc[0, "span_m"] == pytest.approx(600.0)
    # without B, A and C are 600 m apart: two clusters
    assert find_clusters(assets.iloc[[0, 2]], distance=400).assets["cluster_id"].nunique() == 2


def test_exactly_distance_apart_is_linked_and_just_over_is_not():
    at = asset_frame(np.array([[350000.0, 240000.0], [350400.0, 240000.0]]))
    over = asset_frame(np.array([[350000.0, 240000.0], [350400.5, 240000.0]]))
    assert len(find_clusters(at, distance=400).clusters) == 1
    assert len(find_clusters(over, distance=400).clusters) == 2


def test_kinds_partners_and_sites():
    xy = np.array(
        [
            [300000, 200000],
            [300050, 200000],  # two partners: opportunity
            [310000, 200000],
            [310100, 200000],  # one partner, two buildings: consolidation
            [320000, 200000],
            [320000, 200000],  # one partner, one building: single site
            [330000, 200000],  # alone
        ]
    )
    partners = ["Council", "NHS", "NHS", "NHS", "Police", "Police", "Fire"]
    result = find_clusters(asset_frame(xy, partners), distance=400)
    kinds = result.clusters.set_index("cluster_id")["kind"].tolist()
    assert kinds == [KIND_OPPORTUNITY, KIND_CONSOLIDATION, KIND_SINGLE, KIND_SINGLE]
    first = result.clusters.iloc[0]
    assert first["partners"] == "Council; NHS"
    assert first["partner_count"] == 2
    assert result.clusters["site_count"].tolist() == [2, 2, 1, 1]
    assert result.assets["cluster_kind"].tolist()[:2] == [KIND_OPPORTUNITY] * 2


def test_cluster_ids_follow_the_smallest_asset_id():
    xy = np.array([[300000, 200000], [400000, 200000], [300100, 200000]])
    assets = asset_frame(xy)
    assets["asset_id"] = ["Z9", "B1", "A0"]
    result = find_clusters(assets)
    # the cluster holding "A0" (with Z9) is number 1, the one of "B1" number 2
    assert dict(zip(result.assets["asset_id"], result.assets["cluster_id"], strict=True)) == {
        "Z9": 1,
        "B1": 2,
        "A0": 1,
    }


coords = st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 3000)), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(
    points=coords,
    seed=st.integers(0, 2**31 - 1),
    shift=st.tuples(st.integers(-9, 9), st.integers(-9, 9)),
)
def test_invariant_to_row_order_and_translation_and_equal_to_brute_force(points, seed, shift):
    xy = np.array(points, dtype=float) + np.array([350000.0, 240000.0])
    partners = [["Council", "NHS", "Police"][i % 3] for i in range(len(xy))]
    assets = asset_frame(xy, partners)
    base = find_clusters(assets, distance=400)

    order = np.random.default_rng(seed).permutation(len(assets))
    shuffled = find_clusters(assets.iloc[order].reset_index(drop=True), distance=400)
    moved = assets.copy()
    moved.geometry = shapely.transform(
        assets.geometry.array, lambda c: c + np.array(shift, float) * 1000
    )
    translated = find_clusters(moved, distance=400)

    def ids(result):
        return dict(zip(result.assets["asset_id"], result.assets["cluster_id"], strict=True))

    assert ids(shuffled) == ids(base)
    assert ids(translated) == ids(base)
    cols = ["cluster_id", "member_count", "partners", "members", "kind"]
    pd.testing.assert_frame_equal(shuffled.clusters[cols], base.clusters[cols])

    expected = brute_force(xy, 400)
    got = base.assets["cluster_id"].to_numpy()
    pairs = pd.DataFrame({"e": expected, "g": got}).drop_duplicates()
    assert pairs["e"].is_unique
    assert pairs["g"].is_unique
    # nothing lost
    assert base.clusters["member_count"].sum() == len(assets)
    assert list(base.assets["asset_id"]) == list(assets["asset_id"])


def test_hulls_are_polygons_holding_their_members():
    xy = np.array([[300000, 200000], [300100, 200000], [300050, 200080], [305000, 200000]])
    result = find_clusters(asset_frame(xy, ["A", "B", "C", "D"]))
    hulls = result.hulls(buffer=10)
    assert set(hulls.geom_type) == {"Polygon"}
    for cid, geom in zip(hulls["cluster_id"], hulls.geometry, strict=True):
        members = result.assets[result.assets["cluster_id"] == cid].geometry
        assert members.within(geom).all()


def test_by_locality_reconciles():
    chain = demo_chain()
    result = find_clusters(chain.assets)
    table = result.by_locality()
    assert table["assets"].sum() == len(chain.assets)
    assert table["clusters"].sum() == len(result.clusters)
    assert (
        table["opportunities"] + table["consolidation_candidates"] + table["singles"]
        == table["clusters"]
    ).all()
    assert set(table["locality"]) <= set(chain.build.localities["locality"]) | {"(no locality)"}


def test_demo_county_has_opportunities_in_every_locality():
    chain = demo_chain()
    result = find_clusters(chain.assets, distance=400)
    opp = result.clusters[result.clusters["kind"] == KIND_OPPORTUNITY]
    assert set(opp["locality"]) == set(chain.build.localities["locality"])
    # a wider walk makes fewer, larger clusters
    wider = find_clusters(chain.assets, distance=800)
    assert len(wider.clusters) <= len(result.clusters)


def test_empty_input_gives_empty_tables():
    empty = asset_frame(np.zeros((0, 2)))
    result = find_clusters(empty)
    assert len(result.clusters) == 0
    assert "cluster_id" in result.assets


def test_errors_name_the_problem():
    xy = np.array([[350000, 240000], [350100, 240000]])
    assets = asset_frame(xy)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        find_clusters(assets.set_crs(None, allow_override=True))
    with pytest.raises(CRSError, match=r"EPSG:4326.*to_bng"):
        find_clusters(assets.to_crs(4326))
    dup = assets.copy()
    dup["asset_id"] = ["X", "X"]
    with pytest.raises(DataError, match="repeated asset_id X"):
        find_clusters(dup)
    with pytest.raises(DataError, match=r"lacks column.*partner"):
        find_clusters(assets.drop(columns="partner"))
    with pytest.raises(DataError, match="positive number"):
        find_clusters(assets, distance=-5)
    bad = assets.copy()
    bad.geometry = [shapely.box(0, 0, 1, 1), None]
    with pytest.raises(GeometryError, match=r"no geometry.*A00001|not a Point.*A00000"):
        find_clusters(bad)


def test_blank_missing_and_repeated_ids_are_named_together():
    xy = np.array([[350000, 240000], [350100, 240000], [350200, 240000], [350300, 240000],
                   [350400, 240000], [350500, 240000], [350600, 240000]])  # fmt: skip
    assets = asset_frame(xy)
    assets["asset_id"] = ["B7", "  ", None, "A1", "B7", "  ", "A1"]
    with pytest.raises(DataError) as caught:
        find_clusters(assets)
    message = str(caught.value)
    assert "blank asset_id in row(s) 1, 2, 5" in message
    assert "repeated asset_id A1, B7." in message  # sorted, blanks not counted as repeats
    assert message.count("\n") == 0
    assets["asset_id"] = ["B7", "  ", None, "A1", "C", "D", "E"]
    with pytest.raises(DataError, match=r"blank asset_id in row\(s\) 1, 2\. Every"):
        find_clusters(assets)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 200))
def test_cluster_numbers_follow_the_smallest_id_as_text(seed, n):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 4_000, size=(n, 2)) + np.array([350_000, 240_000])
    assets = asset_frame(xy)
    assets["asset_id"] = [f"{chr(65 + k % 26)}{k * 7919 % 1000}-{k}" for k in rng.permutation(n)]
    result = find_clusters(assets, distance=300)
    smallest = result.assets.groupby("cluster_id")["asset_id"].min()
    assert smallest.index.tolist() == list(range(1, len(smallest) + 1))
    assert smallest.tolist() == sorted(smallest.tolist())


def test_reads_from_a_real_geopackage(tmp_path):
    from localitygis.io import read_vector, write_geopackage
    from localitygis.provenance import DEMO

    chain = demo_chain()
    path = write_geopackage(tmp_path / "assets.gpkg", {"assets": chain.assets}, provenance=DEMO)
    again = read_vector(path, layer="assets")
    a = find_clusters(chain.assets)
    b = find_clusters(again)
    assert a.assets["cluster_id"].tolist() == b.assets["cluster_id"].tolist()
    assert isinstance(b.clusters, gpd.GeoDataFrame)


def _reference_table(assets: gpd.GeoDataFrame, cluster: pd.Series) -> pd.DataFrame:
    """The cluster table's text columns the plain pandas way: a groupby per cluster."""
    frame = pd.DataFrame(assets.drop(columns="geometry")).assign(c=cluster.to_numpy())

    def joined(values: pd.Series) -> str:
        text = values.astype(object).where(values.notna(), "(unknown)").map(str).str.strip()
        return "; ".join(sorted(set(text)))

    def majority(values: pd.Series) -> object:
        counts = values.dropna().astype(str).value_counts()
        if counts.empty:
            return None
        return sorted(counts.index, key=lambda name: (-counts[name], name))[0]

    grouped = frame.groupby("c", sort=True)
    table = pd.DataFrame(
        {column: grouped[column].agg(joined) for column in ("partner", "sector", "category")}
    )
    table["members"] = grouped["name"].agg(joined)
    table["partner_count"] = grouped["partner"].agg(
        lambda v: len(set(v.astype(object).where(v.notna(), "(unknown)").map(str).str.strip()))
    )
    table["locality"] = grouped["locality"].agg(majority)
    xy = shapely.get_coordinates(assets.geometry.array).round()
    sites = pd.DataFrame({"c": cluster.to_numpy(), "x": xy[:, 0], "y": xy[:, 1]})
    table["site_count"] = sites.drop_duplicates().groupby("c").size()
    xy = shapely.get_coordinates(assets.geometry.array)
    exact = pd.DataFrame({"c": cluster.to_numpy(), "x": xy[:, 0], "y": xy[:, 1]}).groupby("c")
    table["centre_x"], table["centre_y"] = exact["x"].mean(), exact["y"].mean()
    extent = exact.max() - exact.min()
    table["span_m"] = np.hypot(extent["x"], extent["y"]).round(1)
    return table


def _names(rng: np.random.Generator, n: int, distinct: bool) -> list:
    """A few names over and over, or mostly distinct ones (some repeated, padded or missing)."""
    if not distinct:
        return list(rng.choice(["Hall", "Library", " Hall", "Surgery", "Depot"], n))
    names = np.array([f"Hall {k}" for k in rng.integers(0, 4 * n, n)], dtype=object)
    names[rng.random(n) < 0.1] = None
    names[rng.random(n) < 0.1] = " Hall 1 "
    return list(names)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), distinct_names=st.booleans())
def test_cluster_table_equals_a_plain_groupby(seed: int, n: int, distinct_names: bool) -> None:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 3_000, size=(n, 2)) + np.array([350_000, 240_000])
    xy[rng.random(n) < 0.2] = xy[0]  # shared buildings
    words = np.array(["Council", " NHS", "NHS ", "Police", None], dtype=object)  # spaces, gaps
    assets = asset_frame(
        xy,
        partners=list(words[rng.integers(0, len(words), n)]),
        name=_names(rng, n, distinct_names),
        locality=list(rng.choice(np.array(["East", "West", None], dtype=object), n)),
    )
    result = find_clusters(assets, distance=300)
    reference = _reference_table(assets, result.assets["cluster_id"])
    table = result.clusters.set_index("cluster_id")
    assert table.index.tolist() == reference.index.tolist()
    for column, theirs in (
        ("partners", "partner"), ("sectors", "sector"), ("categories", "category"),
        ("members", "members"), ("partner_count", "partner_count"),
        ("site_count", "site_count"),
    ):  # fmt: skip
        assert table[column].tolist() == reference[theirs].tolist(), column

    def plain(values: pd.Series) -> list:
        return [None if pd.isna(v) else v for v in values]

    assert plain(table["locality"]) == plain(reference["locality"])
    assert table["span_m"].tolist() == reference["span_m"].tolist()
    centre = shapely.get_coordinates(table.geometry.array)
    np.testing.assert_allclose(centre[:, 0], reference["centre_x"], rtol=1e-12)
    np.testing.assert_allclose(centre[:, 1], reference["centre_y"], rtol=1e-12)
    # The same partition as scipy's labelling of the raw pairs.
    assert _same_partition(result.assets["cluster_id"].to_numpy(), brute_force(xy, 300))


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = pd.DataFrame({"a": a, "b": b}).drop_duplicates()
    return bool(pairs["a"].is_unique and pairs["b"].is_unique)
