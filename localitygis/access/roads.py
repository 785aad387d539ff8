"""Reading road networks: OS Open Roads, and any line layer with a class or speed column.

OS Open Roads (the free GB GeoPackage) has a ``road_link`` layer whose links name their
``start_node`` and ``end_node``, with ``road_classification``, ``road_function``,
``form_of_way`` and ``length`` (metres), and a ``road_node`` layer. It carries no one-way
information, so its links are driven both ways. Other layers (OpenStreetMap extracts, a
council's own) need a class column (timed by :class:`RoadSpeeds`) or a speed column in
km/h; a ``oneway`` column (``yes``/``true``/``1`` start to end, ``-1``/``reverse`` end to
start) or an OS Highways ``directionality`` column makes links one-way.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis._validate import require_bng
from localitygis.access.network import BOTH, FORWARD, REVERSE, RoadNetwork, main_component
from localitygis.access.speeds import RoadSpeeds
from localitygis.assets.positions import cell_texts
from localitygis.errors import DataError
from localitygis.io import list_layers, read_vector
from localitygis.io._paths import PathType
from localitygis.localities.quality import rejects_frame
from localitygis.provenance import provenance_of, with_provenance

__all__ = ["read_roads", "road_network"]

#: Class columns tried in turn when none is named: OS Open Roads, then OpenStreetMap.
CLASS_COLUMNS = ("road_function", "road_classification", "highway", "road_class", "class")
ONEWAY_COLUMNS = ("oneway", "directionality")
_FORWARD_WORDS = {"yes", "true", "1", "t", "y", "indirection", "in direction"}
_REVERSE_WORDS = {"-1", "reverse", "inoppositedirection", "in opposite direction"}


def read_roads(
    path: PathType,
    *,
    layer: str | None = None,
    class_column: str | None = None,
    speed_column: str | None = None,
    oneway_column: str | None = None,
    speeds: RoadSpeeds | None = None,
) -> RoadNetwork:
    """Read a road network from a file.

    Parameters
    ----------
    path : str or path-like
        An OS Open Roads GeoPackage (its ``road_link`` layer is read) or any line layer.
    layer : str, optional
        The layer of links; by default ``road_link`` when the file has one, else its only
        layer.
    class_column, speed_column, oneway_column : str, optional
        See :func:`road_network`.
    speeds : RoadSpeeds, optional
        Speeds by class and the walking speed; default :class:`RoadSpeeds`.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    InputFileError
        Missing or unreadable file, or several layers and none named.
    CRSError
        No CRS in the file.
    DataError
        No class or speed column, or no usable link.

    Examples
    --------
    >>> import os, tempfile
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> path = os.path.join(tempfile.mkdtemp(), "roads.gpkg")
    >>> gpd.GeoDataFrame(
    ...     {"highway": ["primary", "residential"], "oneway": ["no", "yes"]},
    ...     geometry=[LineString([(350000, 240000), (351000, 240000)]),
    ...               LineString([(351000, 240000), (351000, 240500)])],
    ...     crs=27700).to_file(path, layer="lines")
    >>> network = read_roads(path)
    >>> network.links[["road_class", "length_m", "direction"]]
        road_class  length_m  direction
    0      primary    1000.0          0
    1  residential     500.0          1
    """
    names = list_layers(path)
    chosen = layer if layer is not None else ("road_link" if "road_link" in names else None)
    frame = read_vector(path, layer=chosen)
    source = Path(path).name + (f" (layer {chosen})" if chosen else "")
    return road_network(
        frame,
        class_column=class_column,
        speed_column=speed_column,
        oneway_column=oneway_column,
        speeds=speeds,
        source=source,
    )


def road_network(
    roads: gpd.GeoDataFrame,
    *,
    class_column: str | None = None,
    speed_column: str | None = None,
    oneway_column: str | None = None,
    speeds: RoadSpeeds | None = None,
    source: str = "roads",
) -> RoadNetwork:
    """Build a :class:`RoadNetwork` from road links.

    Links join where they share a node: named by ``start_node``/``end_node`` columns when
    present (OS Open Roads), else by their end points (to the centimetre). A link's length
    is its ``length`` column when positive (OS Open Roads), else its geometry's.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame
        Line links in EPSG:27700.
    class_column : str, optional
        Road class, timed by ``speeds``; by default the first present of
        ``road_function``, ``road_classification``, ``highway``, ``road_class``, ``class``.
    speed_column : str, optional
        Speed in km/h per link; used instead of classes.
    oneway_column : str, optional
        Which way a link may be driven; by default ``oneway`` or ``directionality`` when
        present, else every link is two-way.
    speeds : RoadSpeeds, optional
        Default :class:`RoadSpeeds`.
    source : str
        Name of the layer in messages and rejects.

    Returns
    -------
    RoadNetwork
        Links that cannot be used (no geometry, not a line, in several pieces, a class
        without a speed, no speed) are in ``rejects`` with the reason. The links carry the
        layer's provenance (demo data stays labelled as generated).

    Raises
    ------
    DataError
        No class or speed column, or not one usable link.
    """
    require_bng(roads, source)
    speeds = speeds or RoadSpeeds()
    frame = roads.reset_index(drop=True)
    lines, reasons = _lines(frame.geometry.array)
    classes, kmh, why = _speeds(frame, class_column, speed_column, speeds, source)
    reasons = np.where(reasons == "", why, reasons)
    keep = reasons == ""
    if not keep.any():
        raise DataError(
            f"{source}: none of its {len(frame)} link(s) can be used; first reason: "
            f"{reasons[0] if len(reasons) else 'the layer is empty'}."
        )
    rejects = rejects_frame(
        pd.DataFrame(frame.drop(columns=frame.geometry.name)),
        np.flatnonzero(~keep).tolist(),
        reasons[~keep].tolist(),
        source=source,
    )
    links, node_xy = _links(frame, lines, classes, kmh, keep, oneway_column, source)
    with_provenance(links, provenance_of(roads))
    return RoadNetwork(links=links, node_xy=node_xy, rejects=rejects, speeds=speeds, source=source)


def _lines(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each geometry as one LineString, or the reason it cannot be one."""
    reasons = np.full(len(geoms), "", dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    reasons[missing] = "no geometry"
    kind = shapely.get_type_id(geoms)
    multi = (kind == 5) & ~missing
    merged = np.array(geoms, dtype=object)
    merged[multi] = shapely.line_merge(geoms[multi])
    kind = shapely.get_type_id(merged)
    reasons[~missing & multi & (kind != 1)] = "a link in several pieces; join or split it"
    reasons[~missing & ~multi & (kind != 1)] = "not a line"
    return merged, reasons


def _speeds(
    frame: pd.DataFrame,
    class_column: str | None,
    speed_column: str | None,
    speeds: RoadSpeeds,
    source: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class, speed (km/h) and the reason a link has no speed, per link."""
    if speed_column is not None:
        _column(frame, speed_column, source)
        kmh = pd.to_numeric(frame[speed_column], errors="coerce").to_numpy(dtype=float)
        bad = ~(np.isfinite(kmh) & (kmh > 0))
        why = np.where(bad, f"{speed_column} is not a positive number of km/h", "")
        classes = frame[class_column] if class_column else pd.Series([None] * len(frame))
        return cell_texts(classes), np.where(bad, np.nan, kmh), why.astype(object)
    column = class_column or next((c for c in CLASS_COLUMNS if c in frame.columns), None)
    if column is None:
        raise DataError(
            f"{source} has no road class column ({', '.join(CLASS_COLUMNS)}) and no speed "
            "column; name one with read_roads(..., class_column=...) or speed_column=..., or "
            "add a road class column (e.g. road_classification, highway) to the file."
        )
    _column(frame, column, source)
    classes = cell_texts(frame[column])
    kmh = speeds.for_classes(frame[column])
    why = np.where(
        pd.isna(classes),
        f"no {column}",
        np.array([f"no speed for {column} {c!r}; add it to the speeds" for c in classes]),
    )
    return classes, kmh, np.where(np.isnan(kmh), why, "").astype(object)


def _column(frame: pd.DataFrame, column: str, source: str) -> None:
    if column not in frame.columns:
        raise DataError(
            f"{source} has no column {column!r}; its columns: {', '.join(map(str, frame.columns))}."
        )


def _links(
    frame: gpd.GeoDataFrame,
    lines: np.ndarray,
    classes: np.ndarray,
    kmh: np.ndarray,
    keep: np.ndarray,
    oneway_column: str | None,
    source: str,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    rows = np.flatnonzero(keep)
    geoms = lines[rows]
    length = _lengths(frame, geoms, rows)
    u, v, node_xy = _nodes(frame, geoms, rows)
    speed = kmh[rows]
    links = gpd.GeoDataFrame(
        {
            "link_id": _link_ids(frame, rows),
            "road_class": pd.array(classes[rows], dtype="str"),
            "u": u,
            "v": v,
            "length_m": length,
            "speed_kmh": speed,
            "seconds": length / (speed / 3.6),
            "direction": _directions(frame, rows, oneway_column, source),
        },
        geometry=gpd.GeoSeries(geoms, crs=frame.crs).values,
        crs=frame.crs,
    )
    component, main = main_component(links, len(node_xy))
    links["component"] = component[links["u"].to_numpy()]
    links["main"] = main
    return links, node_xy


def _lengths(frame: pd.DataFrame, geoms: np.ndarray, rows: np.ndarray) -> np.ndarray:
    drawn = shapely.length(geoms)
    if "length" not in frame.columns:
        return drawn
    given = pd.to_numeric(frame["length"], errors="coerce").to_numpy(dtype=float)[rows]
    return np.where(np.isfinite(given) & (given > 0), given, drawn)


def _nodes(
    frame: pd.DataFrame, geoms: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node numbers of each link's ends, and each node's coordinates."""
    start = shapely.get_coordinates(shapely.get_point(geoms, 0))
    end = shapely.get_coordinates(shapely.get_point(geoms, -1))
    start_key = _node_keys(frame, "start_node", rows, start)
    end_key = _node_keys(frame, "end_node", rows, end)
    codes, _ = pd.factorize(np.concatenate([start_key, end_key]))
    n = len(rows)
    u, v = codes[:n].astype(np.int64), codes[n:].astype(np.int64)
    node_xy = np.zeros((int(codes.max()) + 1 if n else 0, 2))
    node_xy[v] = end
    node_xy[u] = start
    return u, v, node_xy


def _node_keys(frame: pd.DataFrame, column: str, rows: np.ndarray, xy: np.ndarray) -> np.ndarray:
    at = np.array([f"@{x:.2f},{y:.2f}" for x, y in np.round(xy, 2)], dtype=object)
    if column not in frame.columns:
        return at
    named = frame[column].to_numpy(dtype=object)[rows]
    given = pd.notna(named)
    return np.where(given, np.array([str(k) for k in named], dtype=object), at)


def _link_ids(frame: pd.DataFrame, rows: np.ndarray) -> pd.array:
    if "id" in frame.columns and frame["id"].notna().all() and frame["id"].is_unique:
        return pd.array(frame["id"].astype(str).to_numpy(dtype=object)[rows], dtype="str")
    return pd.array([str(r + 1) for r in rows], dtype="str")


def _directions(
    frame: pd.DataFrame, rows: np.ndarray, column: str | None, source: str
) -> np.ndarray:
    column = column or next((c for c in ONEWAY_COLUMNS if c in frame.columns), None)
    if column is None:
        return np.full(len(rows), BOTH, dtype=np.int8)
    _column(frame, column, source)
    words = frame[column].astype(str).str.strip().str.lower().to_numpy(dtype=object)[rows]
    direction = np.full(len(rows), BOTH, dtype=np.int8)
    direction[np.isin(words, list(_FORWARD_WORDS))] = FORWARD
    direction[np.isin(words, list(_REVERSE_WORDS))] = REVERSE
    return direction
