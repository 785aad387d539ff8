"""A generated road network for the demo county, in the OS Open Roads layout.

Roads join the real places of Herefordshire (the parish places of the demo facts): the
links of a Delaunay triangulation of the places no longer than ``max_link_m``, plus its
minimum spanning tree so every place is reached. A roads join Hereford to each market town
(the shortest routes over those links); B roads are the rest of the spanning tree; the other
links are minor roads. Each link bends a little, so it is longer than the straight line.

Nothing here is the real road network: the links are labelled as generated, like the demo
parishes (``data_source`` and the GeoPackage metadata), and the demo exercises the real
OS Open Roads reader (:func:`localitygis.access.read_roads`) through them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree, shortest_path
from scipy.spatial import Delaunay

from localitygis.demo.county import DATA_SOURCE, ROADS_NAME
from localitygis.demo.facts import load_facts, rng_for
from localitygis.demo.realgeo import pinned_file_date
from localitygis.io import write_geopackage
from localitygis.provenance import DEMO

__all__ = ["ROADS_NAME", "ROAD_LINK_COLUMNS", "demo_roads", "write_demo_roads"]

#: The columns of OS Open Roads' ``road_link`` layer, in the publisher's order.
ROAD_LINK_COLUMNS = (
    "id",
    "fictitious",
    "road_classification",
    "road_function",
    "form_of_way",
    "road_classification_number",
    "name_1",
    "name_1_lang",
    "name_2",
    "name_2_lang",
    "road_structure",
    "length",
    "length_uom",
    "loop",
    "primary_route",
    "trunk_road",
    "start_node",
    "end_node",
    "road_number_toid",
    "road_name_toid",
)

_CLASSES = {  # kind: (road_classification, road_function)
    "A": ("A Road", "A Road"),
    "B": ("B Road", "B Road"),
    "minor": ("Unclassified", "Minor Road"),
}


def demo_roads(
    places: pd.DataFrame | None = None,
    *,
    hub: str = "Hereford",
    towns: list[str] | None = None,
    max_link_m: float = 9_000.0,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Generate the demo road network: ``road_link`` and ``road_node`` layers.

    Parameters
    ----------
    places : pandas.DataFrame, optional
        ``parish_name``, ``easting``, ``northing`` of the places to join; by default the
        demo facts' parish places.
    hub : str, default "Hereford"
        The place the A roads run from.
    towns : list of str, optional
        The places the A roads run to; by default the demo facts' towns.
    max_link_m : float, default 9000.0
        Longest link between neighbouring places (the spanning tree may exceed it).

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``road_link`` (the OS Open Roads columns plus ``data_source``) and ``road_node``
        (``id``, ``form_of_road_node``, ``data_source``), in EPSG:27700.

    Examples
    --------
    >>> links, nodes = demo_roads()
    >>> sorted(links["road_function"].unique())
    ['A Road', 'B Road', 'Minor Road']
    >>> links.columns[:4].tolist()
    ['id', 'fictitious', 'road_classification', 'road_function']
    >>> ends = shapely.get_coordinates(links.geometry.boundary).reshape(-1, 4)
    >>> straight = np.hypot(ends[:, 2] - ends[:, 0], ends[:, 3] - ends[:, 1])
    >>> bool((links["length"] >= straight).all())
    True
    """
    facts = load_facts()
    places = facts.places if places is None else places
    towns = list(facts.towns["parish_name"]) if towns is None else towns
    xy = places[["easting", "northing"]].to_numpy(dtype=float)
    names = places["parish_name"].astype(str).tolist()
    ends = _links_between(xy, max_link_m)
    kinds = _kinds(xy, ends, names.index(hub), [names.index(t) for t in towns if t in names])
    return _link_layer(xy, ends, kinds), _node_layer(xy)


def write_demo_roads(directory: str | Path) -> Path:
    """Write ``demo_roads.gpkg`` (layers ``road_link`` and ``road_node``) into a folder.

    Examples
    --------
    >>> import tempfile
    >>> from localitygis.access import read_roads
    >>> path = write_demo_roads(tempfile.mkdtemp())
    >>> network = read_roads(path)
    >>> bool(network.links["main"].all()), network.links.attrs["provenance"].is_demo
    (True, True)
    """
    links, nodes = demo_roads()
    with pinned_file_date():  # so a regenerated file is byte-identical
        return write_geopackage(
            Path(directory) / ROADS_NAME, {"road_link": links, "road_node": nodes}, provenance=DEMO
        )


def _links_between(xy: np.ndarray, max_link_m: float) -> np.ndarray:
    """Pairs of places joined by a road: short Delaunay links and the spanning tree."""
    triangles = Delaunay(xy).simplices
    pairs = np.sort(np.vstack([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]]))
    pairs = np.unique(pairs, axis=0)
    length = np.linalg.norm(xy[pairs[:, 0]] - xy[pairs[:, 1]], axis=1)
    n = len(xy)
    tree = minimum_spanning_tree(coo_matrix((length, (pairs[:, 0], pairs[:, 1])), (n, n)))
    tree_pairs = np.sort(np.column_stack(tree.nonzero()), axis=1)
    keep = np.unique(np.vstack([pairs[length <= max_link_m], tree_pairs]), axis=0)
    return keep


def _kinds(xy: np.ndarray, ends: np.ndarray, hub: int, towns: list[int]) -> np.ndarray:
    """Class each link: A on the routes from the hub to the towns, B on the tree, else minor."""
    n = len(xy)
    length = np.linalg.norm(xy[ends[:, 0]] - xy[ends[:, 1]], axis=1)
    graph = coo_matrix((length, (ends[:, 0], ends[:, 1])), (n, n)).tocsr()
    _, before = shortest_path(graph, directed=False, indices=hub, return_predecessors=True)
    on_a = set()
    for town in towns:
        node = town
        while node != hub and before[node] >= 0:
            on_a.add((min(node, before[node]), max(node, before[node])))
            node = before[node]
    tree = minimum_spanning_tree(graph)
    on_b = {tuple(sorted(p)) for p in np.column_stack(tree.nonzero()).tolist()}
    pairs = [tuple(p) for p in ends.tolist()]
    return np.array(["A" if p in on_a else "B" if p in on_b else "minor" for p in pairs])


def _bent(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> shapely.LineString:
    """Draw a road from ``a`` to ``b`` bending by up to a tenth of its length."""
    step = b - a
    normal = np.array([-step[1], step[0]])
    bends = rng.uniform(-0.1, 0.1, 2)
    middle = [a + step * f + normal * d for f, d in zip((1 / 3, 2 / 3), bends, strict=True)]
    return shapely.LineString(np.round([a, *middle, b], 1))


def _link_layer(xy: np.ndarray, ends: np.ndarray, kinds: np.ndarray) -> gpd.GeoDataFrame:
    rng = rng_for("roads")
    lines = [_bent(xy[a], xy[b], rng) for a, b in ends]
    rows = {
        "id": [f"demo-link-{i + 1:05d}" for i in range(len(ends))],
        "fictitious": False,
        "road_classification": [_CLASSES[k][0] for k in kinds],
        "road_function": [_CLASSES[k][1] for k in kinds],
        "form_of_way": "Single Carriageway",
        "road_classification_number": None,
        "name_1": None,
        "name_1_lang": None,
        "name_2": None,
        "name_2_lang": None,
        "road_structure": None,
        "length": np.round(shapely.length(lines), 1),
        "length_uom": "m",
        "loop": False,
        "primary_route": kinds == "A",
        "trunk_road": False,
        "start_node": [_node_id(a) for a in ends[:, 0]],
        "end_node": [_node_id(b) for b in ends[:, 1]],
        "road_number_toid": None,
        "road_name_toid": None,
        "data_source": DATA_SOURCE,
    }
    return gpd.GeoDataFrame(rows, geometry=lines, crs=27700)


def _node_layer(xy: np.ndarray) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [_node_id(i) for i in range(len(xy))],
            "form_of_road_node": "junction",
            "data_source": DATA_SOURCE,
        },
        geometry=shapely.points(xy),
        crs=27700,
    )


def _node_id(i: int) -> str:
    return f"demo-node-{i + 1:05d}"
