"""Writers (private; see :mod:`localitygis.io`).

GeoPackage (EPSG:27700), GeoJSON (RFC 7946, WGS84) and CSV (UTF-8 with a byte-order mark).
Every file carries its provenance: GeoPackage layers get metadata, and every table gets an
``attribution`` column.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from localitygis.crs import to_bng, to_wgs84
from localitygis.errors import GeometryError
from localitygis.io._paths import PathType
from localitygis.provenance import Provenance


def _with_attribution(frame: pd.DataFrame, provenance: Provenance) -> pd.DataFrame:
    out = frame.copy()
    out["attribution"] = provenance.attribution
    return out


def write_geopackage(
    path: PathType,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    provenance: Provenance,
    metadata: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write layers to one GeoPackage (EPSG:27700) with their provenance.

    Each layer gets an ``attribution`` column and layer metadata naming its provenance.
    An existing file is replaced.

    Parameters
    ----------
    path : str or path-like
        The ``.gpkg`` to write.
    layers : mapping of str to geopandas.GeoDataFrame
        Layer name → layer, written in order.
    provenance : Provenance
        Carried into every layer.
    metadata : mapping of str to mapping, optional
        Layer name → extra layer metadata (key → text), e.g. the scheme of a build.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely import Point
    >>> from localitygis.io import read_vector
    >>> from localitygis.provenance import DEMO
    >>> path = os.path.join(tempfile.mkdtemp(), "out.gpkg")
    >>> layer = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(351000, 240000)], crs=27700)
    >>> _ = write_geopackage(path, {"sites": layer}, provenance=DEMO)
    >>> read_vector(path).attrs["provenance"].is_demo
    True
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if file.exists():
        file.unlink()
    common = {
        "attribution": provenance.attribution,
        "is_demo": str(provenance.is_demo).lower(),
        "generator": "localitygis",
    }
    for name, layer in layers.items():
        if layer.crs is None:
            raise GeometryError(f"layer {name!r} has no CRS; cannot write it to {file}.")
        out = _with_attribution(to_bng(layer, source=f"layer {name!r}"), provenance)
        extra = dict((metadata or {}).get(name, {}))
        pyogrio.write_dataframe(
            out, file, layer=name, driver="GPKG", layer_metadata=common | extra, append=False
        )
    return file


def write_geojson(path: PathType, frame: gpd.GeoDataFrame, *, provenance: Provenance) -> Path:
    """Write a layer as RFC 7946 GeoJSON in WGS84 (EPSG:4326), with an attribution column.

    Parameters
    ----------
    path : str or path-like
        The ``.geojson`` to write (replaced if it exists).
    frame : geopandas.GeoDataFrame
        Any layer with a CRS.
    provenance : Provenance
        Carried into the file.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os, json
    >>> from shapely import Point
    >>> from localitygis.provenance import ONS_OS
    >>> path = os.path.join(tempfile.mkdtemp(), "out.geojson")
    >>> layer = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(351000, 240000)], crs=27700)
    >>> _ = write_geojson(path, layer, provenance=ONS_OS)
    >>> from pathlib import Path
    >>> json.loads(Path(path).read_text())["features"][0]["properties"]["attribution"][:11]
    'Contains OS'
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if file.exists():
        file.unlink()
    out = _with_attribution(to_wgs84(frame), provenance)
    pyogrio.write_dataframe(
        out, file, driver="GeoJSON", layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"}
    )
    return file


def write_csv(path: PathType, frame: pd.DataFrame, *, provenance: Provenance) -> Path:
    """Write a table as UTF-8 CSV (with a byte-order mark, so Excel shows "£" and accents).

    Geometry columns are dropped (use :func:`write_geopackage` for geometry); an
    ``attribution`` column is added.

    Parameters
    ----------
    path : str or path-like
        The ``.csv`` to write.
    frame : pandas.DataFrame
        Any table.
    provenance : Provenance
        Carried into the file.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from localitygis.io import read_table
    >>> from localitygis.provenance import DEMO
    >>> path = os.path.join(tempfile.mkdtemp(), "summary.csv")
    >>> _ = write_csv(path, pd.DataFrame({"locality": ["Weobley"]}), provenance=DEMO)
    >>> read_table(path).columns.tolist()
    ['locality', 'attribution']
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(frame.drop(columns=_geometry_columns(frame)))
    _with_attribution(table, provenance).to_csv(file, index=False, encoding="utf-8-sig")
    return file


def _geometry_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if isinstance(frame[c].dtype, gpd.array.GeometryDtype)
        or (
            frame[c].dtype == object
            and len(frame)
            and isinstance(frame[c].iloc[0], shapely.Geometry)
        )
    ]
