"""Road networks and travel-time matrices (localitygis.access)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point

from localitygis.access import RoadSpeeds, read_roads, road_network, snap_points, travel_times
from localitygis.demo.roads import ROAD_LINK_COLUMNS
from localitygis.errors import DataError

X0, Y0 = 350_000.0, 240_000.0  # in Herefordshire, so the files read back as BNG


def _link(i, start, end, cls, function, length, coords, number=None):
    return {
        "id": f"L{i:04d}",
        "fictitious": False,
        "road_classification": cls,
        "road_function": function,
        "form_of_way": "Single Carriageway",
        "road_classification_number": number,
        "name_1": None,
        "name_1_lang": None,
        "name_2": None,
        "name_2_lang": None,
        "road_structure": None,
        "length": float(length),
        "length_uom": "m",
        "loop": False,
        "primary_route": number is not None,
        "trunk_road": False,
        "start_node": start,
        "end_node": end,
        "road_number_toid": None,
        "road_name_toid": None,
        "geometry": LineString([(X0 + x, Y0 + y) for x, y in coords]),
    }


def write_open_roads(path):
    """An OS Open Roads GeoPackage: A road west–east, a B road north, a lane, a fragment."""
    rows = [
        _link(1, "N1", "N2", "A Road", "A Road", 6500, [(0, 0), (6500, 0)], "A44"),
        # drawn to end 0.4 m short of N3, but OS names the node: they must join
        _link(2, "N2", "N3", "A Road", "A Road", 6500, [(6500, 0), (12999.6, 0)], "A44"),
        _link(3, "N2", "N4", "B Road", "B Road", 5000, [(6500, 0), (6500, 5000)], "B4355"),
        _link(4, "N4", "N5", "Unclassified", "Local Road", 1500, [(6500, 5000), (8000, 5000)]),
        # an island: two lanes joined to nothing else
        _link(5, "N8", "N9", "Unclassified", "Local Road", 300, [(20000, 0), (20300, 0)]),
        _link(6, "N9", "N10", "Unclassified", "Local Road", 300, [(20300, 0), (20600, 0)]),
        # no road function: cannot be timed
        _link(7, "N3", "N11", "Unknown", None, 800, [(13000, 0), (13800, 0)]),
    ]
    links = gpd.GeoDataFrame(rows, geometry="geometry", crs=27700)[[*ROAD_LINK_COLUMNS, "geometry"]]
    links.to_file(path, layer="road_link", driver="GPKG")
    ends = {}
    for row in rows:
        coords = list(row["geometry"].coords)
        ends[row["start_node"]], ends[row["end_node"]] = Point(coords[0]), Point(coords[-1])
    nodes = gpd.GeoDataFrame(
        {"id": list(ends), "form_of_road_node": ["junction"] * len(ends)},
        geometry=list(ends.values()),
        crs=27700,
    )
    nodes.to_file(path, layer="road_node", driver="GPKG")
    return path


def points(xy, **columns):
    return gpd.GeoDataFrame(
        columns, geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=27700
    ).reset_index(drop=True)


# ----------------------------------------------------------------------------------
# reading


def test_open_roads_geopackage_reads_links_by_function_and_named_nodes(tmp_path):
    network = read_roads(write_open_roads(tmp_path / "oproad.gpkg"))
    links = network.links.set_index("link_id")
    assert list(links.index) == ["L0001", "L0002", "L0003", "L0004", "L0005", "L0006"]
    assert links.loc["L0003", "road_class"] == "B Road"
    assert links.loc["L0004", "speed_kmh"] == 30.0  # Local Road
    # the length column is used, not the drawn length (12999.6 - 6500)
    assert links.loc["L0002", "length_m"] == 6500.0
    assert links.loc["L0001", "seconds"] == pytest.approx(6500 / (65 / 3.6))
    # joined by the node ids: N3 is one node though the drawings miss by 0.4 m
    assert network.n_nodes == 8
    assert links["main"].tolist() == [True, True, True, True, False, False]
    assert network.fragments[["links", "length_m"]].to_dict("records") == [
        {"links": 2, "length_m": 600.0}
    ]
    # nothing lost: the link without a function is listed with the reason
    assert len(network.links) + len(network.rejects) == 7
    reject = network.rejects.iloc[0]
    assert (reject["row"], reject["id"]) == (7, "L0007")
    assert reject["reason"] == "no road_function"


def test_open_roads_travel_time_through_the_junction(tmp_path):
    network = read_roads(write_open_roads(tmp_path / "oproad.gpkg"))
    homes = points([(0, 0), (8000, 5000)])
    hubs = points([(12999.6, 0)])
    minutes = travel_times(network, homes, hubs).minutes
    a_road = 6500 / (65 / 3.6) / 60
    assert minutes[0, 0] == pytest.approx(2 * a_road)
    lane_and_b = (1500 / (30 / 3.6) + 5000 / (50 / 3.6)) / 60
    assert minutes[1, 0] == pytest.approx(lane_and_b + a_road)


def test_line_layer_with_oneway_column_is_driven_one_way(tmp_path):
    # a square: the east side is one-way northbound, so going south takes the long way
    square = [(0, 0), (1000, 0), (1000, 1000), (0, 1000)]
    roads = gpd.GeoDataFrame(
        {
            "highway": ["primary"] * 4,
            "oneway": ["no", "yes", "no", "no"],
        },
        geometry=[
            LineString([(X0 + a[0], Y0 + a[1]), (X0 + b[0], Y0 + b[1])])
            for a, b in zip(square, square[1:] + square[:1], strict=True)
        ],
        crs=27700,
    )
    path = tmp_path / "roads.shp"
    roads.to_file(path)
    network = read_roads(path)
    corners = points([(1000, 0), (1000, 1000)])
    minutes = travel_times(network, corners, corners).minutes
    side = 1000 / (65 / 3.6) / 60
    assert minutes[0, 1] == pytest.approx(side)
    assert minutes[1, 0] == pytest.approx(3 * side)


def test_point_in_the_middle_of_a_one_way_link_cannot_go_back():
    roads = gpd.GeoDataFrame(
        {"speed": [36.0, 36.0], "oneway": ["yes", "no"]},
        geometry=[
            LineString([(X0, Y0), (X0 + 1000, Y0)]),
            LineString([(X0 + 1000, Y0), (X0 + 1000, Y0 + 200), (X0, Y0 + 200), (X0, Y0)]),
        ],
        crs=27700,
    )
    network = road_network(roads, speed_column="speed", oneway_column="oneway")
    middle = points([(500, 0)])
    ends = points([(0, 0), (1000, 0)])
    seconds = travel_times(network, middle, ends).minutes * 60
    # 36 km/h is 10 m/s: on to the east end (50 s), then back round the loop (140 s)
    assert seconds[0].tolist() == pytest.approx([190.0, 50.0])


def test_unknown_class_rejected_or_timed_by_otherwise():
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "cycleway"]},
        geometry=[LineString([(X0, Y0), (X0 + 100, Y0)]), LineString([(X0, Y0), (X0, Y0 + 50)])],
        crs=27700,
    )
    network = road_network(roads)
    assert network.rejects["reason"].tolist() == [
        "no speed for highway 'cycleway'; add it to the speeds"
    ]
    slow = road_network(roads, speeds=RoadSpeeds(otherwise=10.0))
    assert slow.links["speed_kmh"].tolist() == [65.0, 10.0]
    custom = road_network(roads, speeds=RoadSpeeds.with_overrides({"Cycleway": 12}))
    assert custom.links["speed_kmh"].tolist() == [65.0, 12.0]


def test_blank_class_is_rejected_and_padded_class_is_read():
    roads = gpd.GeoDataFrame(
        {"highway": [" primary ", "  ", None]},
        geometry=[
            LineString([(X0, Y0), (X0 + 100, Y0)]),
            LineString([(X0, Y0), (X0, Y0 + 50)]),
            LineString([(X0, Y0), (X0 - 50, Y0)]),
        ],
        crs=27700,
    )
    network = road_network(roads)
    assert network.links["road_class"].tolist() == ["primary"]
    assert network.links["speed_kmh"].tolist() == [65.0]
    # nothing lost: both links without a class are listed, with the reason
    assert network.rejects["reason"].tolist() == ["no highway", "no highway"]


def test_no_class_column_is_a_clear_error():
    roads = gpd.GeoDataFrame({"name": ["x"]}, geometry=[LineString([(0, 0), (1, 0)])], crs=27700)
    with pytest.raises(DataError, match=r"no road class column .* class_column="):
        road_network(roads)


def test_far_points_and_fragment_points_are_rejected_with_reasons(tmp_path):
    network = read_roads(write_open_roads(tmp_path / "oproad.gpkg"))
    homes = points([(100, 10), (20100, 50), (7000, 9000)], name=["near", "by the island", "moor"])
    snapped = snap_points(network, homes, max_snap=1000, source="homes")
    assert snapped.ok.tolist() == [True, False, False]
    reasons = snapped.rejects.set_index("name")["reason"]
    assert reasons["by the island"].startswith("farther than 1000 m from the road network")
    assert "fragment of 2 link(s)" in reasons["by the island"]
    assert reasons["moor"] == "farther than 1000 m from the road network (4000 m)"
    result = travel_times(network, homes, points([(0, 0)]), max_snap=1000)
    assert np.isnan(result.minutes[1:]).all()
    assert np.isfinite(result.minutes[0]).all()
    assert len(result.rejects) == 2  # counts reconcile: 1 routed + 2 listed


def test_walking_legs_and_limit():
    roads = gpd.GeoDataFrame(
        {"speed": [60.0]}, geometry=[LineString([(X0, Y0), (X0 + 6000, Y0)])], crs=27700
    )
    network = road_network(roads, speed_column="speed")
    home = points([(0, 120)])  # 120 m off the road: 1.5 min at 4.8 km/h
    site = points([(6000, 0)])
    assert travel_times(network, home, site).minutes[0, 0] == pytest.approx(6 + 1.5)
    assert travel_times(network, home, site, limit=7).minutes[0, 0] == np.inf


# ----------------------------------------------------------------------------------
# travel times against networkx and closed forms


@st.composite
def random_roads(draw):
    n = draw(st.integers(3, 14))
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=n, max_size=n, unique=True
        )
    )
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            min_size=2,
            max_size=3 * n,
        )
    )
    classes = draw(
        st.lists(
            st.sampled_from(["primary", "secondary", "residential", "service"]),
            min_size=len(pairs),
            max_size=len(pairs),
        )
    )
    ways = draw(
        st.lists(st.sampled_from(["no", "yes", "-1"]), min_size=len(pairs), max_size=len(pairs))
    )
    xy = [(X0 + 97.3 * a, Y0 + 89.1 * b) for a, b in cells]
    return gpd.GeoDataFrame(
        {"highway": classes, "oneway": ways},
        geometry=[LineString([xy[a], xy[b]]) for a, b in pairs],
        crs=27700,
    )


def _networkx(network):
    graph = nx.DiGraph()
    for link in network.links.itertuples():
        steps = {
            0: [(link.u, link.v), (link.v, link.u)],
            1: [(link.u, link.v)],
            -1: [(link.v, link.u)],
        }[link.direction]
        for a, b in steps:
            if not graph.has_edge(a, b) or graph[a][b]["w"] > link.seconds:
                graph.add_edge(a, b, w=link.seconds)
    return graph


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_roads())
def test_travel_times_equal_networkx_dijkstra(roads):
    network = road_network(roads)
    main = network.main_links
    assume(len(main) > 0)  # one-way links only: no node reaches another and back
    nodes = np.unique(np.r_[main["u"].to_numpy(), main["v"].to_numpy()])
    at = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*network.node_xy[nodes].T), crs=27700)
    seconds = travel_times(network, at, at).minutes * 60
    graph = _networkx(network)
    expected = np.array(
        [
            [nx.single_source_dijkstra_path_length(graph, a, weight="w")[b] for b in nodes]
            for a in nodes
        ]
    )
    np.testing.assert_allclose(seconds, expected, rtol=0, atol=1e-9)
    # from the other side (more origins than destinations) the answer is the same
    np.testing.assert_allclose(
        travel_times(network, at, at.iloc[:1]).minutes[:, 0] * 60, expected[:, 0], atol=1e-9
    )


def _grid(side, step, kmh):
    lines = []
    for i in range(side):
        for j in range(side - 1):
            lines.append(
                LineString([(X0 + j * step, Y0 + i * step), (X0 + (j + 1) * step, Y0 + i * step)])
            )
            lines.append(
                LineString([(X0 + i * step, Y0 + j * step), (X0 + i * step, Y0 + (j + 1) * step)])
            )
    roads = gpd.GeoDataFrame({"speed": [kmh] * len(lines)}, geometry=lines, crs=27700)
    return road_network(roads, speed_column="speed")


GRID = _grid(7, 500.0, 30.0)


def _grid_closed_form(a, b, step, kmh, walk_kmh):
    """Minutes between points (col + f, row, off) = f of a block east of a node, off north."""
    (ca, fa, ra, oa), (cb, fb, rb, ob) = a, b
    drive = kmh / 3.6
    walk = (oa + ob) / (walk_kmh / 3.6)
    if ra == rb:
        metres = abs((ca + fa) - (cb + fb)) * step
    else:
        metres = (
            min(
                leg_a + abs(na - nb) * step + leg_b
                for na, leg_a in ((ca, fa * step), (ca + 1, (1 - fa) * step))
                for nb, leg_b in ((cb, fb * step), (cb + 1, (1 - fb) * step))
            )
            + abs(ra - rb) * step
        )
    return (metres / drive + walk) / 60


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(10, 90).map(lambda p: p / 100),
            st.integers(0, 6),
            st.integers(0, 40),
        ),
        min_size=2,
        max_size=8,
    )
)
def test_grid_network_matches_closed_form(spots):
    step, kmh = 500.0, 30.0
    network = GRID
    # a point a fraction f along a block, just north of it: it snaps to that block
    at = points([((c + f) * step, r * step + off) for c, f, r, off in spots])
    minutes = travel_times(network, at, at).minutes
    expected = [[_grid_closed_form(a, b, step, kmh, 4.8) for b in spots] for a in spots]
    np.testing.assert_allclose(minutes, expected, rtol=1e-9, atol=1e-9)


def test_matrix_shape_keeps_input_order_with_rejects_in_place():
    network = _grid(3, 1000.0, 60.0)
    origins = points([(0, 0), (50_000, 0), (2000, 2000)])
    result = travel_times(network, origins, points([(1000, 1000)]))
    assert result.minutes.shape == (3, 1)
    assert result.minutes[[0, 2], 0].tolist() == pytest.approx([2.0, 2.0])
    assert np.isnan(result.minutes[1, 0])
    assert pd.Series(result.rejects["source"]).tolist() == ["origins"]


def test_worker_processes_give_the_same_matrix():
    rng = np.random.default_rng(5)
    spots = points(np.column_stack([rng.uniform(0, 3000, 150), rng.uniform(0, 3000, 150)]))
    sites = spots.iloc[:140]  # more than one chunk of sources
    one = travel_times(GRID, spots, sites, workers=1).minutes
    two = travel_times(GRID, spots, sites, workers=2).minutes
    assert np.isfinite(one).all()
    np.testing.assert_array_equal(one, two)


def test_drive_time_area_holds_the_nodes_reached_and_not_the_far_ones():
    from localitygis.access import drive_time_areas

    hub = points([(1500, 1500)], hub_id=["H"])
    limit = 4.0  # minutes: 2 km on the 30 km/h grid
    area = drive_time_areas(GRID, hub, limit, margin=50).geometry.iloc[0]
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*GRID.node_xy.T), crs=27700)
    minutes = travel_times(GRID, hub, nodes).minutes[0]
    inside = area.contains(nodes.geometry).to_numpy()
    assert inside[minutes <= limit].all()
    assert not inside[minutes > 1.6 * limit].any()


def test_nearest_hub_areas_do_not_overlap_and_follow_travel_time():
    from localitygis.access import nearest_hub_areas

    hubs = points([(250, 250), (2750, 2750)], hub_id=["SW", "NE"])
    areas = nearest_hub_areas(GRID, hubs)
    assert sorted(areas["hub_id"]) == ["NE", "SW"]
    union = areas.geometry.union_all()
    assert union.area == pytest.approx(areas.geometry.area.sum(), rel=1e-9)
    nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*GRID.node_xy.T), crs=27700)
    minutes = travel_times(GRID, nodes, hubs).minutes
    clear = np.abs(minutes[:, 0] - minutes[:, 1]) > 1e-6
    nearest = np.where(minutes[:, 0] < minutes[:, 1], "SW", "NE")
    owner = areas.set_index("hub_id").geometry
    for hub_id in ("SW", "NE"):
        mine = clear & (nearest == hub_id)
        assert owner[hub_id].covers(nodes.geometry[mine]).all()
