"""Vector layers (private; see :mod:`localitygis.io`).

Any layer OGR reads (GeoPackage, Shapefile, GeoJSON, FlatGeobuf...) comes in through
pyogrio, or fiona when asked, and leaves in EPSG:27700 with its provenance recorded: demo
data is recognised by its GeoPackage metadata or its ``data_source`` column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import pyogrio

from localitygis.crs import to_bng
from localitygis.errors import InputFileError
from localitygis.io._paths import PathType, _existing
from localitygis.provenance import DEMO_NOTICE, Provenance, provenance_of, with_provenance

Engine = Literal["pyogrio", "fiona"]


def list_layers(path: PathType) -> list[str]:
    """Return the names of the layers in a vector file.

    Parameters
    ----------
    path : str or path-like
        Any OGR-readable vector file.

    Returns
    -------
    list of str

    Raises
    ------
    InputFileError
        If the file is missing or not a vector file.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely import Point
    >>> folder = tempfile.mkdtemp()
    >>> gpkg = os.path.join(folder, "two.gpkg")
    >>> layer = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(351000, 240000)], crs=27700)
    >>> layer.to_file(gpkg, layer="first")
    >>> layer.to_file(gpkg, layer="second")
    >>> list_layers(gpkg)
    ['first', 'second']
    """
    file = _existing(path, "Vector")
    try:
        return [str(name) for name in pyogrio.list_layers(file)[:, 0]]
    except pyogrio.errors.DataSourceError as error:
        raise InputFileError(f"{file} is not a vector file OGR can read ({error}).") from None


def read_vector(
    path: PathType,
    *,
    layer: str | int | None = None,
    crs: str | int | None = None,
    engine: Engine = "pyogrio",
) -> gpd.GeoDataFrame:
    """Read a vector layer and return it in British National Grid (EPSG:27700).

    Parameters
    ----------
    path : str or path-like
        GeoPackage, Shapefile, GeoJSON, FlatGeobuf or any other OGR vector file.
    layer : str or int, optional
        The layer to read. Required when the file has more than one.
    crs : str or int, optional
        The CRS of the data, used only when the file does not declare one.
    engine : {"pyogrio", "fiona"}
        The reading library.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:27700, with ``attrs["provenance"]`` recorded (demo data is recognised by its
        metadata or its ``data_source`` column).

    Raises
    ------
    InputFileError
        Missing file, unreadable file, unknown layer, or several layers and none named.
    CRSError
        No CRS in the file and none given, or coordinates that contradict it.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely import Point
    >>> path = os.path.join(tempfile.mkdtemp(), "sites.geojson")
    >>> gpd.GeoDataFrame(geometry=[Point(-2.716, 52.056)], crs=4326).to_file(path)
    >>> read_vector(path).crs.to_epsg()
    27700
    """
    file = _existing(path, "Vector")
    layers = list_layers(file)
    if layer is None and len(layers) > 1:
        raise InputFileError(
            f"{file} has {len(layers)} layers ({', '.join(layers)}): name the one to read "
            "(layer=... in Python, --layer on the command line)."
        )
    if isinstance(layer, str) and layer not in layers:
        raise InputFileError(f"{file} has no layer {layer!r}; its layers are: {', '.join(layers)}.")
    read_layer = layer if layer is not None else (layers[0] if layers else None)
    try:
        if engine == "fiona":
            frame = gpd.read_file(file, layer=read_layer, engine="fiona")
        elif engine == "pyogrio":
            frame = gpd.read_file(file, layer=read_layer, engine="pyogrio")
        else:
            raise InputFileError(f'unknown engine {engine!r}: use "pyogrio" or "fiona".')
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise InputFileError(f"cannot read {file}: {error}") from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise InputFileError(f"{file} has no geometry column; is it a table rather than a layer?")
    source = f"{file.name}" + (f" (layer {read_layer})" if len(layers) > 1 else "")
    result = to_bng(frame, assume_crs=crs, source=source)
    return with_provenance(result, _file_provenance(file, read_layer, result))


def _file_provenance(file: Path, layer: str | int | None, frame: gpd.GeoDataFrame) -> Provenance:
    """Work out where a layer came from: its GeoPackage metadata, then its columns."""
    from_columns = provenance_of(frame)
    if from_columns.is_demo:
        return from_columns
    try:
        info = pyogrio.read_info(file, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        return from_columns
    for key in ("layer_metadata", "dataset_metadata"):
        metadata = info.get(key) or {}
        text = " ".join(str(v) for v in metadata.values())
        if "localitygis.demo" in text or DEMO_NOTICE in text:
            from localitygis.provenance import DEMO

            return DEMO
        if "attribution" in metadata:
            return Provenance(str(metadata["attribution"]), False)
    return from_columns
