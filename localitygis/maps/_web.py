"""Preparing layers for the web: reprojection, coverage simplification, precision, safe JSON."""

from __future__ import annotations

import html
import json
import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from localitygis._validate import listing
from localitygis.crs import to_bng, to_wgs84
from localitygis.errors import CRSError, DataError, GeometryError

log = logging.getLogger(__name__)

#: Decimal places kept in web coordinates (5 places of a degree is about 1 m).
PRECISION = 5
#: Default simplification tolerance for web polygons, in metres.
TOLERANCE_M = 20.0


def esc(value: Any) -> str:
    """HTML-escape any value for display; missing values become an empty string."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True)


def script_json(data: Any) -> str:
    r"""Dump ``data`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u003c`` etc., so no string can close the
    script element or open a comment, and U+2028/U+2029 are escaped for older parsers.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _script_safe(text)


def _script_safe(text: str) -> str:
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def require_crs(frame: gpd.GeoDataFrame, what: str) -> None:
    """Raise CRSError if ``frame`` has no CRS (we never guess one)."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise DataError(
            f"{what} must be a GeoDataFrame with geometry, got {type(frame).__name__}. "
            "Read it with localitygis.io.read_vector or join it to the localities first."
        )
    if frame.crs is None:
        raise CRSError(
            f"{what} has no coordinate reference system, so it cannot be mapped. "
            "Set it with localitygis.crs.to_bng(frame, assume_crs=...)."
        )


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise DataError naming every missing column at once."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} lacks column(s) {', '.join(repr(c) for c in missing)}; it has "
            f"{', '.join(repr(str(c)) for c in frame.columns)}. "
            "See the data contracts in the localitygis documentation."
        )


def _round(geoms: np.ndarray, precision: int) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, precision))


def web_polygons(
    frame: gpd.GeoDataFrame,
    *,
    what: str,
    tolerance: float = TOLERANCE_M,
    precision: int = PRECISION,
) -> gpd.GeoDataFrame:
    """Return polygons simplified as a coverage in EPSG:27700, then in EPSG:4326, rounded.

    The layer is simplified with :func:`shapely.coverage_simplify`, so neighbours keep
    sharing their edges; a layer that is not a valid coverage (overlaps) is simplified
    feature by feature instead, and a log message says so.
    """
    require_crs(frame, what)
    bng = to_bng(frame, source=what)
    geoms = np.asarray(bng.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.all():
        raise GeometryError(
            f"{what} has {int((~present).sum())} feature(s) with no geometry "
            f"(rows {listing(bng.index[~present])}); remove or repair them before mapping."
        )
    if tolerance > 0:
        polys = shapely.get_type_id(geoms)
        if np.isin(polys, [3, 6]).all() and bool(shapely.coverage_is_valid(geoms)):
            geoms = shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True)
        else:
            log.info("%s is not a valid coverage; simplifying feature by feature", what)
            geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    out = bng.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=bng.crs)
    web = to_wgs84(out)
    web[web.geometry.name] = gpd.GeoSeries(
        _round(np.asarray(web.geometry.values, dtype=object), precision),
        index=web.index,
        crs=web.crs,
    )
    return web


def web_points(
    frame: gpd.GeoDataFrame, *, what: str, precision: int = PRECISION
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Return (frame in EPSG:4326, lat/lon array rounded) for a point layer.

    Rows with missing or empty geometry raise a GeometryError listing them.
    """
    require_crs(frame, what)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        raise GeometryError(
            f"{what} has {int(bad.sum())} feature(s) with no location (rows "
            f"{listing(frame.index[bad])}); locate them first (localitygis assets) or drop them."
        )
    web = to_wgs84(frame) if CRS.from_user_input(frame.crs).to_epsg() != 4326 else frame
    pts = shapely.get_coordinates(shapely.centroid(np.asarray(web.geometry.values, dtype=object)))
    latlon = np.round(pts[:, ::-1], precision)
    return web, latlon


def feature_collection(
    geometries: Sequence[Any] | np.ndarray, properties: Sequence[Mapping[str, Any]]
) -> str:
    """Return a GeoJSON FeatureCollection text, safe to embed in a script element."""
    geoms = np.asarray(geometries, dtype=object)
    geo_json = shapely.to_geojson(geoms) if len(geoms) else np.array([], dtype=object)
    parts = [
        '{"type":"Feature","properties":'
        + json.dumps(_clean(props), ensure_ascii=False, separators=(",", ":"))
        + ',"geometry":'
        + str(g)
        + "}"
        for g, props in zip(geo_json, properties, strict=True)
    ]
    return _script_safe('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}")


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in props.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out


def popup_table(title: str, rows: Sequence[tuple[str, str]], *, subtitle: str = "") -> str:
    """Build popup HTML from an already escaped title and (label, value) pairs."""
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    sub = f'<div class="lgis-sub">{subtitle}</div>' if subtitle else ""
    return f'<div class="lgis-pop"><h4>{title}</h4>{sub}<table>{body}</table></div>'


def bounds_latlon(frames: Sequence[gpd.GeoDataFrame]) -> list[list[float]]:
    """Return [[south, west], [north, east]] over web frames (EPSG:4326)."""
    boxes = [f.total_bounds for f in frames if len(f)]
    if not boxes:
        return [[51.8, -3.2], [52.4, -2.3]]
    arr = np.vstack(boxes)
    return [
        [float(arr[:, 1].min()), float(arr[:, 0].min())],
        [float(arr[:, 3].max()), float(arr[:, 2].max())],
    ]
