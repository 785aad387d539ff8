"""Reading small areas and the tables keyed by their GSS codes.

Small areas come as ONS publishes them (GeoJSON in CRS84, GeoPackage, Shapefile); their
code field is recognised by name (``OA11CD``, ``LSOA11CD``, ``LSOA21CD``, ``MSOA11CD``,
``WD13CD``…) or named by the caller. Tables (CSV, CSV.gz or Excel) are read as published —
byte-order mark, long headers, numbers written with thousands separators (``"1,296"``) —
and keep their columns; columns whose every value is a number become numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis._validate import listing
from localitygis.errors import DataError, GeometryError
from localitygis.io import PathType, find_field, read_table, read_vector
from localitygis.provenance import Provenance, provenance_of, with_provenance

__all__ = [
    "AREA_CODE_PATTERNS",
    "AREA_NAME_PATTERNS",
    "IOD_ATTRIBUTION",
    "TABLE_CODE_PATTERNS",
    "numeric_columns",
    "read_area_table",
    "read_small_areas",
]

_GSS = r"(?:OA|LSOA|MSOA|DZ|IZ|WZ|WD|LAD|UTLA|LTLA|CTY|PAR|PARNCP)"

#: Code fields of small-area boundary files, most specific first (whole-name, any case).
AREA_CODE_PATTERNS = (
    r"OA\d\dCD",
    r"LSOA\d\dCD",
    r"MSOA\d\dCD",
    r"DZ\d\dCD",
    r"WZ\d\dCD",
    r"WD\d\dCD",
    _GSS + r"\d\dCD",
    r"area_code",
    r"code",
)
#: Name fields of small-area boundary files.
AREA_NAME_PATTERNS = (
    r"LSOA\d\dNM",
    r"MSOA\d\dNM",
    r"WD\d\dNM",
    _GSS + r"\d\dNM",
    r"area_name",
    r"name",
)
#: Code columns of tables keyed by small area: ONS field names and the IoD2019 headers
#: ("LSOA code (2011)").
TABLE_CODE_PATTERNS = (
    _GSS + r"\d\dCD",
    r"(?:OA|LSOA|MSOA|ward|area) code(?: \(\d{4}\))?",
    r"geography code",
    r"area_code",
    r"code",
)

#: Attribution of the English Indices of Deprivation 2019, carried into every output.
IOD_ATTRIBUTION = (
    "English Indices of Deprivation 2019, Ministry of Housing, Communities and Local "
    "Government, Open Government Licence v3.0"
)
_IOD_HEADER = re.compile(r"Index of Multiple Deprivation|\(excluding prisoners\)|IoD ?2019")

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")


def read_small_areas(
    path: PathType,
    *,
    layer: str | int | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read a small-area boundary layer (Output Areas, LSOAs, MSOAs, wards…).

    Parameters
    ----------
    path : str or path-like
        GeoJSON (CRS84 as ONS publishes it), GeoPackage, Shapefile or any OGR layer.
    layer : str or int, optional
        Layer of a multi-layer file.
    code_field, name_field : str, optional
        The code and name columns, when not recognised (``OA11CD``, ``LSOA11CD``,
        ``LSOA21CD``, ``MSOA11CD``, ``WD13CD``… and their ``…NM`` names are).
    crs : str or int, optional
        CRS of a file that declares none.

    Returns
    -------
    geopandas.GeoDataFrame
        ``area_code``, ``area_name`` (the code when the layer has no names), the other
        columns, geometry; EPSG:27700. ``attrs["code_field"]`` names the original field.

    Raises
    ------
    DataError
        No code field, blank or repeated codes (listed by feature).
    GeometryError
        Features that are not polygons.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely import box
    >>> path = os.path.join(tempfile.mkdtemp(), "lsoa.geojson")
    >>> gpd.GeoDataFrame({"LSOA11CD": ["E01013986"], "LSOA11NM": ["Herefordshire 012A"]},
    ...                  geometry=[box(-2.72, 52.05, -2.70, 52.07)], crs=4326).to_file(path)
    >>> areas = read_small_areas(path)
    >>> areas[["area_code", "area_name"]].to_dict("records"), areas.crs.to_epsg()
    ([{'area_code': 'E01013986', 'area_name': 'Herefordshire 012A'}], 27700)
    """
    frame = read_vector(path, layer=layer, crs=crs)
    source = Path(path).name
    code = find_field(
        frame.columns, AREA_CODE_PATTERNS, what="code", source=source, explicit=code_field
    )
    assert code is not None
    others = [c for c in frame.columns if c != code]
    name = find_field(
        others,
        AREA_NAME_PATTERNS,
        what="name field",
        source=source,
        explicit=name_field,
        required=False,
    )
    provenance = provenance_of(frame)
    codes = _codes(frame[code], source, what="feature")
    _require_polygons(frame, codes, source)
    out = frame.drop(columns=[c for c in (code, name) if c is not None])
    out.insert(0, "area_code", codes.to_numpy())
    names = frame[name].astype(object).where(frame[name].notna(), codes) if name else codes
    out.insert(1, "area_name", names.astype(str).to_numpy())
    out.attrs["code_field"] = code
    out.attrs["source"] = source
    return with_provenance(out, provenance)


def read_area_table(
    path: PathType | pd.DataFrame,
    *,
    code_field: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    r"""Read a table keyed by small-area code (IoD2019, Census, mid-year estimates…).

    The file is read as published (see :func:`localitygis.io.read_table`: UTF-8 with or
    without a byte-order mark, or Windows-1252; ``.csv.gz`` too); nothing is reshaped.
    Columns whose every value is a number — ``"1,296"`` included — become numbers.

    Parameters
    ----------
    path : str, path-like or pandas.DataFrame
        CSV (optionally gzip-compressed) or Excel; or a table already read.
    code_field : str, optional
        The code column, when not recognised (``LSOA11CD``, ``"LSOA code (2011)"``… are).
    sheet : str or int, optional
        Excel sheet.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` first, then every column of the file (numbers as numbers);
        ``attrs["source"]`` names the file and ``attrs["code_field"]`` the code column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "imd.csv"
    >>> _ = path.write_bytes('\ufeffLSOA code (2011),Index of Multiple Deprivation (IMD) '
    ...     'Rank\r\nE01000001,"29,199"\r\n'.encode("utf-8"))
    >>> table = read_area_table(path)
    >>> table.columns.tolist()
    ['area_code', 'LSOA code (2011)', 'Index of Multiple Deprivation (IMD) Rank']
    >>> int(table.iloc[0, 2])
    29199
    >>> "Indices of Deprivation 2019" in provenance_of(table).attribution
    True
    """
    if isinstance(path, pd.DataFrame):
        frame = path.copy()
        source = str(path.attrs.get("source", "table"))
    else:
        frame = read_table(path, sheet=sheet)
        source = Path(path).name
    code = find_field(
        frame.columns,
        TABLE_CODE_PATTERNS,
        what="table code",
        source=source,
        explicit=code_field,
    )
    assert code is not None
    provenance = provenance_of(frame)
    if any(_IOD_HEADER.search(str(c)) for c in frame.columns):
        provenance = provenance.combined(Provenance(IOD_ATTRIBUTION))
    out = numeric_columns(frame)
    text = out[code].astype("string").str.strip()
    out.insert(0, "area_code", text.astype(object).where(text.notna() & (text != ""), None))
    out.attrs["source"] = source
    out.attrs["code_field"] = code
    return with_provenance(out, provenance)


def numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Make numbers of the columns whose every non-blank value is a number.

    Thousands separators are understood (``"1,296"`` is 1296); whole numbers become
    integers. Columns with any other text are left as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> out = numeric_columns(pd.DataFrame({"n": ["1,296", "12"], "x": ["0.5", None],
    ...                                     "name": ["a", "1"]}))
    >>> out["n"].tolist(), out["x"].tolist(), out["name"].tolist()
    ([1296, 12], [0.5, nan], ['a', '1'])
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        text = values.dropna().astype(str).str.strip()
        if text.empty or not text.map(lambda v: _NUMBER.fullmatch(v) is not None).all():
            continue
        numbers = pd.to_numeric(values.astype("string").str.replace(",", "", regex=False))
        whole = numbers.notna().all() and bool((numbers % 1 == 0).all())
        out[column] = numbers.astype(np.int64) if whole else numbers.astype(float)
    return out


def _codes(values: pd.Series, source: str, *, what: str) -> pd.Series:
    text = values.astype("string").str.strip()
    blank = (text.isna() | (text == "")).to_numpy()
    if blank.any():
        rows = listing(i + 1 for i in np.flatnonzero(blank))
        raise DataError(f"{source}: {what}(s) {rows} have no code; give every area its code.")
    repeated = text.duplicated(keep=False).to_numpy()
    if repeated.any():
        repeats = listing(sorted(set(text[repeated].astype(str))))
        raise DataError(
            f"{source}: codes must be unique; repeated: {repeats}. "
            "Dissolve the repeated features or name another --code-field."
        )
    return text.astype(str)


def _require_polygons(frame: gpd.GeoDataFrame, codes: pd.Series, source: str) -> None:
    types = frame.geometry.geom_type
    wrong = (~types.isin(["Polygon", "MultiPolygon"])).to_numpy()
    if wrong.any():
        named = listing(f"{codes.iloc[i]} ({types.iloc[i]})" for i in np.flatnonzero(wrong))
        raise GeometryError(
            f"{source}: small areas must be polygons; these are not: {named}. "
            "Check that this is the boundary layer."
        )
