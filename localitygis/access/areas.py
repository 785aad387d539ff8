"""Drive-time areas: each hub's reach by road as a polygon, and nearest-hub-by-time areas.

A hub's drive-time area is drawn round the road network it reaches within its minutes:
every node reached, and the point along each link where the time runs out, wrapped in a
concave hull (``shapely.concave_hull``) and widened by ``margin`` metres, the walk from the
road. Nearest-hub areas split the land between hubs by the hub each road node reaches
soonest: the Voronoi cells of the nodes, dissolved by hub (so they never overlap).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from localitygis.access.matrix import node_seconds
from localitygis.access.network import FORWARD, REVERSE, RoadNetwork
from localitygis.errors import DataError

__all__ = ["drive_time_areas", "nearest_hub_areas"]


def drive_time_areas(
    network: RoadNetwork,
    hubs: gpd.GeoDataFrame,
    minutes: float | Sequence[float],
    *,
    margin: float = 250.0,
    ratio: float = 0.3,
) -> gpd.GeoDataFrame:
    """Each hub's reach within its minutes by road, as a polygon (EPSG:27700).

    Parameters
    ----------
    network : RoadNetwork
    hubs : geopandas.GeoDataFrame
        Hub points; ``hub_id`` (or ``asset_id``) names them.
    minutes : float or sequence of float
        One reach for every hub, or one per hub (e.g. ``HubSolution.hubs["reach_minutes"]``).
    margin : float, default 250.0
        Metres added round the roads reached.
    ratio : float, default 0.3
        Concave hull ratio (0 follows the roads closely, 1 is the convex hull).

    Returns
    -------
    geopandas.GeoDataFrame
        ``hub_id``, ``minutes``, ``area_km2``, geometry; hubs off the network are left out
        (see :func:`snap_points`).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString, Point
    >>> from localitygis.access import road_network
    >>> roads = gpd.GeoDataFrame({"speed": [60.0]}, geometry=[
    ...     LineString([(350_000, 240_000), (370_000, 240_000)])], crs=27700)
    >>> hub = gpd.GeoDataFrame({"hub_id": ["H"]}, geometry=[Point(350_000, 240_000)], crs=27700)
    >>> area = drive_time_areas(road_network(roads, speed_column="speed"), hub, 5, margin=100)
    >>> area.total_bounds.round().tolist()  # 5 km along the road at 60 km/h
    [349900.0, 239900.0, 355100.0, 240100.0]
    """
    limits = np.broadcast_to(np.asarray(minutes, dtype=float), (len(hubs),))
    if not (np.isfinite(limits) & (limits > 0)).all():
        raise DataError("minutes must be positive numbers of minutes, one or one per hub.")
    seconds, snapped = node_seconds(network, hubs, limit=float(limits.max()))
    ids = _hub_ids(hubs)[snapped.ok]
    rows = []
    for i, (hub_id, limit) in enumerate(zip(ids, limits[snapped.ok], strict=True)):
        reached = _reached(network, seconds[i], limit * 60.0)
        shape = shapely.concave_hull(reached, ratio=ratio).buffer(margin)
        rows.append(
            {"hub_id": hub_id, "minutes": limit, "area_km2": shape.area / 1e6, "geometry": shape}
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=network.links.crs)


def nearest_hub_areas(
    network: RoadNetwork, hubs: gpd.GeoDataFrame, *, outline: shapely.Geometry | None = None
) -> gpd.GeoDataFrame:
    """Split the land between hubs by the hub each road node reaches soonest by road.

    Parameters
    ----------
    network : RoadNetwork
    hubs : geopandas.GeoDataFrame
        Hub points; ``hub_id`` (or ``asset_id``) names them.
    outline : shapely geometry, optional
        Clip the areas to it (e.g. the county); by default the network's convex hull.

    Returns
    -------
    geopandas.GeoDataFrame
        ``hub_id``, ``nodes`` (road nodes nearest to it by time), ``area_km2``, geometry;
        the areas do not overlap.
    """
    seconds, snapped = node_seconds(network, hubs)
    main = np.unique(network.main_links[["u", "v"]].to_numpy())
    best = np.argmin(seconds[:, main], axis=0)
    points = shapely.points(network.node_xy[main])
    outline = outline if outline is not None else shapely.convex_hull(shapely.multipoints(points))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline)
    )
    # each Voronoi cell holds one node: match them by containment
    owner = np.full(len(cells), -1)
    cell_of, node_of = shapely.STRtree(cells).query(points, predicate="within")
    owner[node_of] = best[cell_of]
    ids = _hub_ids(hubs)[snapped.ok]
    frame = gpd.GeoDataFrame({"hub": owner}, geometry=cells, crs=network.links.crs)
    frame = frame[frame["hub"] >= 0].dissolve("hub").reset_index()
    frame["geometry"] = frame.geometry.intersection(outline)
    counts = np.bincount(best, minlength=len(ids))
    return gpd.GeoDataFrame(
        {
            "hub_id": ids[frame["hub"].to_numpy()],
            "nodes": counts[frame["hub"].to_numpy()],
            "area_km2": frame.geometry.area.to_numpy() / 1e6,
        },
        geometry=frame.geometry.values,
        crs=network.links.crs,
    )


def _hub_ids(hubs: gpd.GeoDataFrame) -> np.ndarray:
    for column in ("hub_id", "asset_id"):
        if column in hubs.columns:
            return hubs[column].astype(str).to_numpy(dtype=object)
    return np.array([str(i) for i in hubs.index], dtype=object)


def _reached(network: RoadNetwork, seconds: np.ndarray, limit: float) -> shapely.Geometry:
    """Return the nodes reached and the points along the links where the time runs out."""
    links = network.main_links
    u, v = links["u"].to_numpy(), links["v"].to_numpy()
    secs = links["seconds"].to_numpy()
    lines = links.geometry.array
    ahead = links["direction"].to_numpy() != REVERSE
    back = links["direction"].to_numpy() != FORWARD
    parts = [shapely.points(network.node_xy[np.isfinite(seconds) & (seconds <= limit)])]
    for start, line_ok, frac in (
        (seconds[u], ahead, lambda left: left / secs),
        (seconds[v], back, lambda left: 1 - left / secs),
    ):
        going = line_ok & (start <= limit)
        left = np.where(going, limit - start, 0.0)
        where = np.clip(np.where(secs > 0, frac(left), 1.0), 0.0, 1.0)
        parts.append(shapely.line_interpolate_point(lines[going], where[going], normalized=True))
    return shapely.multipoints(np.concatenate([np.asarray(p) for p in parts]))
