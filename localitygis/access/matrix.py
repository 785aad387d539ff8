"""Travel-time matrices from many origins to many destinations over a road network.

Each point is snapped to the nearest point of the main network (:func:`snap_points`); the
leg between the point and the road is walked, the rest driven at the speed of each link.
Shortest paths are scipy's Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`) run from the
smaller side: every source becomes a virtual node joined to both ends of its link at the
time along the link to each end, so a point in the middle of a long lane is not moved to a
junction. Two points on the same link may also go straight along it.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from localitygis.access.network import FORWARD, REVERSE, RoadNetwork, sparse_graph
from localitygis.access.snap import MAX_SNAP_M, Snapped, snap_points
from localitygis.errors import DataError
from localitygis.localities._threads import thread_count

__all__ = ["TravelTimes", "travel_times"]

#: Sources per Dijkstra call: the distances of a chunk to every node are held at once.
CHUNK = 64


@dataclass(frozen=True)
class TravelTimes:
    """Minutes from every origin to every destination.

    Attributes
    ----------
    minutes : numpy.ndarray
        ``len(origins) × len(destinations)``; NaN in the rows and columns of rejected
        points, ``inf`` where there is no route (or none within ``limit``).
    origins, destinations : Snapped
        Where each point joined the network (``ok`` says which were used).
    rejects : pandas.DataFrame
        Origins and destinations not routed (``source`` says which), with the reason.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from localitygis.access import road_network
    >>> roads = gpd.GeoDataFrame({"speed": [60.0, 30.0]}, geometry=[
    ...     LineString([(0, 0), (10_000, 0)]), LineString([(10_000, 0), (10_000, 5_000)])],
    ...     crs=27700)
    >>> network = road_network(roads, speed_column="speed")
    >>> homes = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(5_000, 0)], crs=27700)
    >>> sites = gpd.GeoDataFrame(geometry=[Point(10_000, 5_000)], crs=27700)
    >>> travel_times(network, homes, sites).minutes.round(6).tolist()
    [[20.0], [15.0]]
    """

    minutes: np.ndarray
    origins: Snapped
    destinations: Snapped
    rejects: pd.DataFrame


def travel_times(
    network: RoadNetwork,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame,
    *,
    max_snap: float = MAX_SNAP_M,
    limit: float | None = None,
    workers: int | None = None,
) -> TravelTimes:
    """Travel time in minutes from every origin to every destination.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`read_roads` or :func:`road_network`.
    origins, destinations : geopandas.GeoDataFrame
        Points in EPSG:27700 (population points, small-area centroids, sites).
    max_snap : float, default 2000.0
        Points farther than this many metres from the main network are rejected.
    limit : float, optional
        Search no farther than this many minutes (much faster for drive-time reach);
        longer journeys are ``inf``.
    workers : int, optional
        Processes searching at once (scipy's Dijkstra holds the GIL, so threads would not
        help); by default up to 4, the CPUs available. Large matrices only.

    Returns
    -------
    TravelTimes
    """
    if limit is not None and not (np.isfinite(limit) and limit > 0):
        raise DataError(f"limit must be a positive number of minutes, not {limit!r}.")
    start = snap_points(network, origins, max_snap=max_snap, source="origins")
    end = snap_points(network, destinations, max_snap=max_snap, source="destinations")
    cutoff = None if limit is None else limit * 60.0
    seconds = _seconds(network, start, end, cutoff, thread_count(workers))
    seconds = np.minimum(seconds, _along(network, start, end))
    walk = network.speeds.walking / 3.6
    seconds = seconds + start.offroad_m[start.ok, None] / walk + end.offroad_m[None, end.ok] / walk
    if limit is not None:
        seconds[seconds > limit * 60.0] = np.inf
    minutes = np.full((len(origins), len(destinations)), np.nan)
    minutes[np.ix_(start.ok, end.ok)] = seconds / 60.0
    rejects = pd.concat([start.rejects, end.rejects], ignore_index=True)
    return TravelTimes(minutes=minutes, origins=start, destinations=end, rejects=rejects)


def _seconds(
    network: RoadNetwork, start: Snapped, end: Snapped, limit: float | None, workers: int
) -> np.ndarray:
    """Driving seconds between the snapped positions, through the network's nodes."""
    if start.ok.sum() <= end.ok.sum():
        ahead = network.graph()
        return _from_sources(ahead, start.exits(network), end.entries(network), limit, workers)
    back = network.graph(reverse=True)
    return _from_sources(back, end.entries(network), start.exits(network), limit, workers).T


def _from_sources(
    graph: csr_matrix,
    sources: tuple[np.ndarray, ...],
    targets: tuple[np.ndarray, ...],
    limit: float | None,
    workers: int,
) -> np.ndarray:
    """Seconds from each source to each target, the sources joined to the graph as nodes."""
    n = graph.shape[0]
    s_u, s_us, s_v, s_vs = sources
    joined = _with_sources(graph, s_u, s_us, s_v, s_vs)
    chunks = [n + np.arange(i, min(i + CHUNK, len(s_u))) for i in range(0, len(s_u), CHUNK)]
    task = (joined, targets, np.inf if limit is None else limit)
    if workers < 2 or len(chunks) < 2 or "fork" not in get_all_start_methods():
        _TASK[:] = task
        rows = [_search(chunk) for chunk in chunks]
    else:
        with ProcessPoolExecutor(
            min(workers, len(chunks)),
            mp_context=get_context("fork"),
            initializer=_set_task,
            initargs=task,
        ) as pool:
            rows = list(pool.map(_search, chunks))
    _TASK.clear()
    return np.vstack(rows) if rows else np.zeros((0, len(targets[0])))


#: The search every worker runs: the joined graph, the targets' legs and the limit.
_TASK: list = []


def _set_task(*task: object) -> None:
    _TASK[:] = task


def _search(chunk: np.ndarray) -> np.ndarray:
    """Dijkstra from a chunk of source nodes; seconds to each target."""
    joined, (t_u, t_us, t_v, t_vs), limit = _TASK
    reach = dijkstra(joined, indices=chunk, limit=limit)
    return np.minimum(reach[:, t_u] + t_us, reach[:, t_v] + t_vs)


def _with_sources(
    graph: csr_matrix, u: np.ndarray, us: np.ndarray, v: np.ndarray, vs: np.ndarray
) -> csr_matrix:
    """Add one node per source to the graph, with edges only out of it to its link's ends."""
    n = graph.shape[0]
    coo = graph.tocoo()
    virtual = n + np.arange(len(u))
    tail = np.concatenate([coo.row, virtual, virtual])
    head = np.concatenate([coo.col, u, v])
    w = np.concatenate([coo.data, us, vs])
    usable = np.isfinite(w)
    return sparse_graph(tail[usable], head[usable], w[usable], n + len(u))


def _along(network: RoadNetwork, start: Snapped, end: Snapped) -> np.ndarray:
    """Seconds straight along the link for origin–destination pairs on the same link."""
    o_link, d_link = start.link[start.ok], end.link[end.ok]
    out = np.full((len(o_link), len(d_link)), np.inf)
    pairs = pd.merge(
        pd.DataFrame({"link": o_link, "i": np.arange(len(o_link))}),
        pd.DataFrame({"link": d_link, "j": np.arange(len(d_link))}),
        on="link",
    )
    if pairs.empty:
        return out
    i, j, link = pairs["i"].to_numpy(), pairs["j"].to_numpy(), pairs["link"].to_numpy()
    step = end.along[end.ok][j] - start.along[start.ok][i]
    secs = network.links["seconds"].to_numpy()[link]
    direction = network.links["direction"].to_numpy()[link]
    allowed = np.where(step >= 0, direction != REVERSE, direction != FORWARD) | (step == 0)
    out[i, j] = np.where(allowed, np.abs(step) * secs, np.inf)
    return out


def node_seconds(
    network: RoadNetwork, points: gpd.GeoDataFrame, *, limit: float | None = None
) -> tuple[np.ndarray, Snapped]:
    """Seconds from each snapped point to every node, walking leg included (limit in minutes).

    Rows are the snapped points in order (``Snapped.ok``); ``inf`` beyond ``limit``.
    """
    snapped = snap_points(network, points, source="points")
    joined = _with_sources(network.graph(), *snapped.exits(network))
    n = network.n_nodes
    sources = n + np.arange(int(snapped.ok.sum()))
    walk = snapped.offroad_m[snapped.ok] / (network.speeds.walking / 3.6)
    cutoff = np.inf if limit is None else limit * 60.0
    out = np.empty((len(sources), n))
    for first in range(0, len(sources), CHUNK):
        rows = slice(first, first + CHUNK)
        chunk = dijkstra(joined, indices=sources[rows], limit=cutoff)[:, :n]
        out[rows] = chunk + walk[rows, None]
    out[out > cutoff] = np.inf
    return out, snapped
