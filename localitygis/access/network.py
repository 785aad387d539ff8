"""A road network as a directed graph of timed links (nodes, links, components).

:class:`RoadNetwork` holds the usable links with their end nodes, length, speed and time,
and which way they may be driven; the links that could not be used are in its ``rejects``
with a reason each, so the link count reconciles. Only the largest strongly connected
component — the main network, where every node can reach every other — is routed on; the
other components (fragments) are listed by :attr:`RoadNetwork.fragments`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from localitygis.access.speeds import RoadSpeeds

__all__ = ["BOTH", "FORWARD", "REVERSE", "RoadNetwork"]

#: Direction codes of a link: driven both ways, only from start to end, only from end to start.
BOTH, FORWARD, REVERSE = 0, 1, -1


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Road links timed by speed, as a directed graph.

    Attributes
    ----------
    links : geopandas.GeoDataFrame
        One row per usable link, in EPSG:27700, geometry drawn from its start node to its
        end node: ``link_id``, ``road_class``, ``u`` and ``v`` (start and end node
        numbers), ``length_m``, ``speed_kmh``, ``seconds``, ``direction`` (0 both ways, 1
        start to end only, -1 end to start only) and ``main`` (on the main network).
    node_xy : numpy.ndarray
        Node coordinates, one row per node number.
    rejects : pandas.DataFrame
        Links not used: ``source``, ``row``, ``reason`` and the link's columns.
    speeds : RoadSpeeds
        The speed table the links were timed with.
    source : str
        Where the links came from (file and layer).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> from localitygis.access import road_network
    >>> roads = gpd.GeoDataFrame(
    ...     {"road_class": ["A Road", "B Road", "Minor Road"]},
    ...     geometry=[LineString([(0, 0), (6500, 0)]), LineString([(6500, 0), (6500, 5000)]),
    ...               LineString([(9000, 9000), (9100, 9000)])], crs=27700)
    >>> network = road_network(roads, class_column="road_class")
    >>> network.links[["road_class", "seconds", "main"]]
       road_class  seconds   main
    0      A Road    360.0   True
    1      B Road    360.0   True
    2  Minor Road      9.0  False
    >>> len(network.fragments)
    1
    """

    links: gpd.GeoDataFrame
    node_xy: np.ndarray
    rejects: pd.DataFrame
    speeds: RoadSpeeds
    source: str

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @cached_property
    def main_links(self) -> gpd.GeoDataFrame:
        """The links of the main network (positions in :attr:`links` kept as the index)."""
        return self.links[self.links["main"].to_numpy()]

    @property
    def fragments(self) -> pd.DataFrame:
        """Components cut off from the main network: ``component``, ``links``, ``length_m``."""
        off = self.links[~self.links["main"].to_numpy()]
        table = off.groupby("component").agg(
            links=("link_id", "size"), length_m=("length_m", "sum")
        )
        return table.reset_index().sort_values("links", ascending=False, ignore_index=True)

    def graph(self, *, reverse: bool = False) -> csr_matrix:
        """Return the directed graph in seconds, as a sparse ``n_nodes × n_nodes`` matrix.

        Parallel links keep the fastest; ``reverse=True`` gives the graph with every edge
        turned round (times *to* a node from everywhere).
        """
        return _csr(self.links, self.n_nodes, reverse=reverse)


def edges(links: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed edges (tail, head, seconds) of the links, both ways for two-way links."""
    u = links["u"].to_numpy(dtype=np.int64)
    v = links["v"].to_numpy(dtype=np.int64)
    w = links["seconds"].to_numpy(dtype=np.float64)
    direction = links["direction"].to_numpy()
    ahead = direction != REVERSE
    back = direction != FORWARD
    return (
        np.concatenate([u[ahead], v[back]]),
        np.concatenate([v[ahead], u[back]]),
        np.concatenate([w[ahead], w[back]]),
    )


def _csr(links: pd.DataFrame, n: int, *, reverse: bool) -> csr_matrix:
    tail, head, w = edges(links)
    if reverse:
        tail, head = head, tail
    return sparse_graph(tail, head, w, n)


def sparse_graph(tail: np.ndarray, head: np.ndarray, w: np.ndarray, n: int) -> csr_matrix:
    """Return an ``n × n`` sparse graph of the edges, keeping the fastest of parallel edges.

    (A sparse matrix would add parallel edges up.) Zero weights stay edges.
    """
    order = np.lexsort((w, head, tail))
    tail, head, w = tail[order], head[order], w[order]
    first = np.r_[True, (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])] if len(w) else []
    return coo_matrix((w[first], (tail[first], head[first])), shape=(n, n)).tocsr()


def main_component(links: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Strongly connected component of every node, and which links lie in the largest."""
    graph = _csr(links, n, reverse=False)
    graph.data = np.ones_like(graph.data)  # zero-length links still join their nodes
    _, labels = connected_components(graph, directed=True, connection="strong")
    largest = np.bincount(labels).argmax() if n else 0
    u = links["u"].to_numpy(dtype=np.int64)
    v = links["v"].to_numpy(dtype=np.int64)
    return labels, (labels[u] == largest) & (labels[v] == largest)
