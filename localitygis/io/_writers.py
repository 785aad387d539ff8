"""Writers (private; see :mod:`localitygis.io`).

GeoPackage (EPSG:27700), GeoJSON (RFC 7946, WGS84) and CSV (UTF-8 with a byte-order mark).
Every file carries its provenance: GeoPackage layers get metadata, and every table gets an
``attribution`` column. Every file is written whole or not at all (see
:func:`~localitygis.io.atomic_path`), a multi-layer GeoPackage included; CSV cells that a
spreadsheet would run as a formula are neutralised (:func:`neutralise_formulas`), while
GeoPackage and GeoJSON keep the original text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from localitygis.crs import to_bng, to_wgs84
from localitygis.errors import GeometryError
from localitygis.io._outputs import atomic_path
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
    The whole GeoPackage is written to a temporary file and renamed into place, so an
    existing file is replaced only once every layer is written.

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
    common = {
        "attribution": provenance.attribution,
        "is_demo": str(provenance.is_demo).lower(),
        "generator": "localitygis",
    }
    for name, layer in layers.items():
        if layer.crs is None:
            raise GeometryError(f"layer {name!r} has no CRS; cannot write it to {file}.")
    with atomic_path(file) as temporary:
        for name, layer in layers.items():
            out = _with_attribution(to_bng(layer, source=f"layer {name!r}"), provenance)
            extra = dict((metadata or {}).get(name, {}))
            pyogrio.write_dataframe(
                out,
                temporary,
                layer=name,
                driver="GPKG",
                layer_metadata=common | extra,
                append=False,
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
    out = _with_attribution(to_wgs84(frame), provenance)
    with atomic_path(file) as temporary:
        pyogrio.write_dataframe(
            out, temporary, driver="GeoJSON", layer_options={"RFC7946": "YES", "WRITE_NAME": "NO"}
        )
    return file


def write_csv(path: PathType, frame: pd.DataFrame, *, provenance: Provenance) -> Path:
    """Write a table as UTF-8 CSV (with a byte-order mark, so Excel shows "£" and accents).

    Geometry columns are dropped (use :func:`write_geopackage` for geometry); an
    ``attribution`` column is added. Text cells (and column names) a spreadsheet would run
    as formulas are neutralised with :func:`neutralise_formulas`. The file is written whole
    or not at all.

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
    table = pd.DataFrame(frame.drop(columns=_geometry_columns(frame)))
    safe = neutralise_formulas(_with_attribution(table, provenance))
    with atomic_path(file) as temporary:
        safe.to_csv(temporary, index=False, encoding="utf-8-sig")
    return file


#: What a spreadsheet takes for the start of a formula (the OWASP CSV-injection rule).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    r"""Return a copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    A text cell (or column name) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading apostrophe, as OWASP advises for CSV files: Excel then
    shows the text instead of running it, and the value stays readable. Numbers are left
    alone, both in numeric columns and as text that is a plain number (``"-12.5"``).
    Used by every CSV and spreadsheet writer; GeoPackage and GeoJSON keep the original.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table.

    Returns
    -------
    pandas.DataFrame
        A copy; the input is not changed.

    Examples
    --------
    >>> table = pd.DataFrame({"name": ['=HYPERLINK("x")', "@SUM(1)", "-12.5", "\tx", "Ross"],
    ...                       "cost": [-1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> neutralise_formulas(table).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'name': ['\'=HYPERLINK("x")', "'@SUM(1)", '-12.5', "'\tx", 'Ross'],
     'cost': [-1.0, 2.0, 3.0, 4.0, 5.0]}
    """
    out = frame.copy()
    out.columns = [_neutralised(c) if isinstance(c, str) else c for c in out.columns]
    for position in range(out.shape[1]):
        values = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values):
            continue
        cells = values.to_numpy(dtype=object)
        risky = _formula_cells(cells)
        if len(risky):
            cells = cells.copy()
            cells[risky] = ["'" + v for v in cells[risky]]
            out.isetitem(position, cells)
    return out


def _formula_cells(cells: np.ndarray) -> np.ndarray:
    """Positions of the text cells that start like a formula and are not plain numbers."""
    try:  # vectorised for text columns; cells that are not text give False
        starts = pd.Series(cells, dtype=object).str.startswith(FORMULA_STARTS, na=False)
        candidates = np.flatnonzero(starts.to_numpy(dtype=bool))
    except AttributeError:  # a column of numbers or other objects held as objects
        candidates = np.arange(len(cells))
    return np.array([i for i in candidates if _is_formula(cells[i])], dtype=np.int64)


def _is_formula(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and _NUMBER.fullmatch(value) is None
    )


def _neutralised(text: str) -> str:
    return "'" + text if _is_formula(text) else text


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
