"""Reading and writing files: the only place (with the CLI) where localitygis touches disk.

Vector layers (GeoPackage, Shapefile, GeoJSON, FlatGeobuf — anything OGR reads) come in
through pyogrio, or fiona when asked, and leave in EPSG:27700. Tables come from CSV (UTF-8,
or Windows-1252 as council systems often write) or Excel. ONS boundary files name their
fields by vintage (``PAR21CD``/``PAR21NM``, ``PARNCP21CD``/``PARNCP21NM``, ``PAR24CD``…);
these are recognised, and any other name can be given explicitly.

Writers carry provenance into every file: GeoPackage layers get metadata, and every table
gets an ``attribution`` column.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from localitygis.crs import to_bng, to_wgs84
from localitygis.errors import DataError, GeometryError, InputFileError
from localitygis.provenance import (
    DEMO_NOTICE,
    Provenance,
    provenance_of,
    with_provenance,
)

__all__ = [
    "find_field",
    "list_layers",
    "read_catchments",
    "read_lookup",
    "read_parishes",
    "read_table",
    "read_vector",
    "select_district",
    "write_csv",
    "write_geojson",
    "write_geopackage",
]

log = logging.getLogger(__name__)

PathType = str | PathLike[str]
Engine = Literal["pyogrio", "fiona"]

#: Patterns (case-insensitive, whole name) that identify parish fields, most specific first.
PARISH_CODE_PATTERNS = (r"PAR\d\dCD", r"PARNCP\d\dCD", r"parish_code", r"parish_cd", r"PARCD")
PARISH_NAME_PATTERNS = (r"PAR\d\dNM", r"PARNCP\d\dNM", r"parish_name", r"parish", r"PARNM", r"name")
POPULATION_PATTERNS = (r"population", r"pop", r"pop_?\d{2,4}", r"usual_residents", r"residents")
DISTRICT_CODE_PATTERNS = (r"LAD\d\dCD", r"LTLA\d\dCD", r"UTLA\d\dCD", r"district_code", r"lad_code")
DISTRICT_NAME_PATTERNS = (r"LAD\d\dNM", r"LTLA\d\dNM", r"UTLA\d\dNM", r"district_name", r"lad_name")
CATCHMENT_PATTERNS = (r"catchment", r"catchment_name", r"catchment_code", r"school_catchment")

_TEXT_ENCODINGS = ("utf-8-sig", "cp1252")
_POLYGONAL = {"Polygon", "MultiPolygon"}


# --------------------------------------------------------------------------------------
# Low-level readers


def _existing(path: PathType, what: str) -> Path:
    file = Path(path)
    if not file.exists():
        raise InputFileError(f"{what} file not found: {file}. Check the path.")
    return file


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


def read_table(
    path: PathType,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    r"""Read a CSV or Excel table with every column as text.

    CSV files are read as UTF-8 (with or without a byte-order mark) and, failing that, as
    Windows-1252, the encoding many council systems export. Column names are stripped of
    surrounding spaces. Wholly blank rows are kept (as missing values) so that row numbers
    match what a user sees in a spreadsheet: data row ``i`` (0-based) is spreadsheet row
    ``i + 2``.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.txt``, ``.xlsx`` or ``.xlsm``.
    sheet : str or int, optional
        Excel sheet; the first sheet by default.
    encoding : str, optional
        Force a text encoding instead of trying UTF-8 then Windows-1252.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InputFileError
        Missing, empty, undecodable or unsupported files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lookup.csv"
    >>> _ = path.write_bytes("code,name\nE04000001,Much Marcle £\n".encode("cp1252"))
    >>> read_table(path)["name"].tolist()
    ['Much Marcle £']
    """
    file = _existing(path, "Table")
    suffix = file.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        try:
            frame = pd.read_excel(file, sheet_name=sheet or 0, dtype=str, engine="openpyxl")
        except ValueError as error:
            raise InputFileError(f"cannot read {file}: {error}") from None
    elif suffix == ".xls":
        raise InputFileError(
            f"{file} is an old-style .xls workbook; save it as .xlsx or .csv and try again."
        )
    else:
        frame = _read_csv(file, encoding)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["source"] = file.name
    return with_provenance(frame, provenance_of(frame))


def _read_csv(file: Path, encoding: str | None) -> pd.DataFrame:
    encodings = (encoding,) if encoding else _TEXT_ENCODINGS
    last_error: Exception | None = None
    for candidate in encodings:
        try:
            frame = pd.read_csv(
                file, dtype=str, encoding=candidate, skip_blank_lines=False, skipinitialspace=True
            )
        except UnicodeDecodeError as error:
            last_error = error
            continue
        except pd.errors.EmptyDataError:
            raise InputFileError(f"{file} is empty: it needs a header row and data.") from None
        except pd.errors.ParserError as error:
            raise InputFileError(f"{file} is not a well-formed CSV file: {error}") from None
        if candidate != encodings[0]:
            log.info("%s is not UTF-8; read it as %s", file, candidate)
        return frame
    raise InputFileError(
        f"{file} could not be decoded as {' or '.join(encodings)} ({last_error}). "
        "Save it as UTF-8 CSV, or name its encoding."
    )


# --------------------------------------------------------------------------------------
# Field recognition


def find_field(
    columns: Iterable[str],
    patterns: Sequence[str],
    *,
    what: str,
    source: str,
    explicit: str | None = None,
    required: bool = True,
) -> str | None:
    """Find the column holding ``what``: the one named explicitly, or the first pattern match.

    Patterns are regular expressions matched case-insensitively against whole column names,
    in order; within one pattern, several matches (``PAR21CD`` and ``PAR24CD``) take the
    newest vintage.

    Parameters
    ----------
    columns : iterable of str
        Column names.
    patterns : sequence of str
        Regular expressions, most specific first.
    what : str
        What the column holds, for messages ("parish code").
    source : str
        Where the columns came from, for messages.
    explicit : str, optional
        A name given by the user; it must exist.
    required : bool
        Raise when nothing matches (otherwise return None).

    Returns
    -------
    str or None

    Raises
    ------
    DataError
        When the explicit column is missing or nothing matches and ``required``.

    Examples
    --------
    >>> find_field(["FID", "PAR21CD", "PAR24CD"], PARISH_CODE_PATTERNS, what="code", source="x")
    'PAR24CD'
    >>> find_field(["id"], PARISH_CODE_PATTERNS, what="parish code", source="p.gpkg")
    Traceback (most recent call last):
    ...
    localitygis.errors.DataError: p.gpkg: no parish code column found among: id. ...
    """
    names = [str(c) for c in columns]
    if explicit is not None:
        if explicit in names:
            return explicit
        folded = {n.casefold(): n for n in names}
        if explicit.casefold() in folded:
            return folded[explicit.casefold()]
        raise DataError(
            f"{source}: no column named {explicit!r} for the {what}; "
            f"the columns are: {', '.join(names)}."
        )
    for pattern in patterns:
        regex = re.compile(pattern, re.IGNORECASE)
        matches = [n for n in names if regex.fullmatch(n)]
        if matches:
            return max(matches, key=_vintage)
    if not required:
        return None
    raise DataError(
        f"{source}: no {what} column found among: {', '.join(names)}. "
        f"Name it explicitly (e.g. --{what.replace(' ', '-')}-field on the command line)."
    )


def _vintage(name: str) -> tuple[int, str]:
    digits = re.findall(r"\d{2}", name)
    return (int(digits[-1]) if digits else -1, name)


# --------------------------------------------------------------------------------------
# Boundary readers


def read_parishes(
    path: PathType,
    *,
    layer: str | int | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    crs: str | int | None = None,
    engine: Engine = "pyogrio",
) -> gpd.GeoDataFrame:
    """Read a parish boundary layer into the parish contract.

    Parameters
    ----------
    path : str or path-like
        The parish boundaries (e.g. the ONS "Parishes (December 2021) Boundaries EW BFC").
    layer : str or int, optional
        Layer to read from a multi-layer file.
    code_field, name_field, population_field : str, optional
        Column names, when they are not recognised (ONS names such as ``PAR21CD`` and
        ``PAR21NM`` are).
    crs : str or int, optional
        CRS of a file that declares none.
    engine : {"pyogrio", "fiona"}
        The reading library.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parish_code`` (str), ``parish_name`` (str), ``population`` (if found) and
        geometry, in EPSG:27700. Other columns are kept after these.

    Raises
    ------
    DataError
        Missing fields, or population values that are not whole numbers (listed by row).
    GeometryError
        Geometry that is not polygonal (listed by feature).

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely import box
    >>> path = os.path.join(tempfile.mkdtemp(), "parishes.gpkg")
    >>> gpd.GeoDataFrame(
    ...     {"PAR21CD": ["E04000001"], "PAR21NM": ["Weobley"]},
    ...     geometry=[box(340000, 250000, 342000, 252000)], crs=27700,
    ... ).to_file(path)
    >>> read_parishes(path)[["parish_code", "parish_name"]].to_dict("records")
    [{'parish_code': 'E04000001', 'parish_name': 'Weobley'}]
    """
    frame = read_vector(path, layer=layer, crs=crs, engine=engine)
    source = Path(path).name
    code = find_field(
        frame.columns, PARISH_CODE_PATTERNS, what="parish code", source=source, explicit=code_field
    )
    name = find_field(
        [c for c in frame.columns if c != code],
        PARISH_NAME_PATTERNS,
        what="parish name",
        source=source,
        explicit=name_field,
    )
    population = find_field(
        frame.columns,
        POPULATION_PATTERNS,
        what="population",
        source=source,
        explicit=population_field,
        required=population_field is not None,
    )
    _require_polygons(frame, source, label=frame[code])
    renames = {code: "parish_code", name: "parish_name"}
    if population:
        renames[population] = "population"
    provenance = provenance_of(frame)
    frame = frame.rename(columns=renames)
    frame["parish_code"] = _clean_text(frame["parish_code"])
    frame["parish_name"] = _clean_text(frame["parish_name"])
    if population:
        frame["population"] = _whole_numbers(frame["population"], source, "population")
    leading = [c for c in ("parish_code", "parish_name", "population") if c in frame.columns]
    geometry = frame.geometry.name
    rest = [c for c in frame.columns if c not in leading and c != geometry]
    return with_provenance(frame[[*leading, *rest, geometry]], provenance)


def select_district(
    parishes: gpd.GeoDataFrame,
    lookup: PathType | pd.DataFrame,
    district: str,
) -> gpd.GeoDataFrame:
    """Keep the parishes of one local authority district, using the ONS parish → LAD lookup.

    The ONS parish boundary files cover all of England and Wales; the ONS publishes a
    "Parish to Local Authority District Lookup" (fields ``PAR24CD``, ``PAR24NM``,
    ``LAD24CD``, ``LAD24NM`` or another vintage) to pick out one council's parishes.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        Parishes with ``parish_code`` (from :func:`read_parishes`).
    lookup : str, path-like or pandas.DataFrame
        The lookup table (CSV or Excel) or the frame read from it.
    district : str
        District code (``E06000019``) or name (``Herefordshire, County of``; case and spaces
        ignored).

    Returns
    -------
    geopandas.GeoDataFrame
        The district's parishes. ``attrs["selection"]`` says how many were read and kept.

    Raises
    ------
    DataError
        If the district is not in the lookup (the message lists near matches), or if
        parishes the lookup puts in the district are missing from the boundaries.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["E1", "E2"], "parish_name": ["A", "B"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=27700)
    >>> lookup = pd.DataFrame({"PAR24CD": ["E1", "E2"], "LAD24CD": ["E06000019", "E07000001"],
    ...     "LAD24NM": ["Herefordshire, County of", "Elsewhere"]})
    >>> select_district(parishes, lookup, "herefordshire, county of")["parish_code"].tolist()
    ['E1']
    """
    table = lookup if isinstance(lookup, pd.DataFrame) else read_table(lookup)
    source = "the lookup" if isinstance(lookup, pd.DataFrame) else Path(lookup).name
    columns = [str(c) for c in table.columns]
    code = find_field(columns, PARISH_CODE_PATTERNS, what="parish code", source=source)
    lad_code = find_field(columns, DISTRICT_CODE_PATTERNS, what="district code", source=source)
    lad_name = find_field(
        columns, DISTRICT_NAME_PATTERNS, what="district name", source=source, required=False
    )
    wanted = " ".join(district.split()).casefold()
    codes = table[lad_code].astype("string").str.strip().str.casefold()
    match = codes == wanted
    if lad_name is not None:
        names = table[lad_name].astype("string").str.split().str.join(" ").str.casefold()
        match = match | (names == wanted)
    match = match.fillna(False).astype(bool)
    if not match.any():
        known = table[lad_name] if lad_name is not None else table[lad_code]
        near = sorted(
            {str(v) for v in known.dropna() if wanted[:4] and wanted[:4] in str(v).casefold()}
        )[:5]
        hint = f" Near matches: {', '.join(near)}." if near else ""
        raise DataError(
            f"{source}: no district {district!r} (by {lad_code}"
            f"{' or ' + lad_name if lad_name else ''}).{hint} Give its code, e.g. E06000019."
        )
    in_district = set(table.loc[match, code].astype(str).str.strip())
    kept = parishes[parishes["parish_code"].isin(in_district)]
    missing = sorted(in_district - set(kept["parish_code"]))
    if missing:
        raise DataError(
            f"{source} puts {len(missing)} parish(es) in {district} that the boundary layer "
            f"lacks: {', '.join(missing[:10])}. Use boundaries and lookup of the same vintage."
        )
    kept = kept.copy()
    kept.attrs["selection"] = {"district": district, "read": len(parishes), "kept": len(kept)}
    return with_provenance(kept, provenance_of(parishes))


def read_catchments(
    path: PathType,
    *,
    layer: str | int | None = None,
    field: str | None = None,
    crs: str | int | None = None,
    engine: Engine = "pyogrio",
) -> gpd.GeoDataFrame:
    """Read a catchment boundary layer into the catchment contract.

    Parameters
    ----------
    path : str or path-like
        The council's secondary school catchment areas.
    layer : str or int, optional
        Layer to read from a multi-layer file.
    field : str, optional
        The column naming each catchment, when it is not called ``catchment``.
    crs : str or int, optional
        CRS of a file that declares none.
    engine : {"pyogrio", "fiona"}
        The reading library.

    Returns
    -------
    geopandas.GeoDataFrame
        ``catchment`` (str) and geometry in EPSG:27700; other columns kept after.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely import box
    >>> path = os.path.join(tempfile.mkdtemp(), "catchments.shp")
    >>> gpd.GeoDataFrame(
    ...     {"School": ["Weobley"]}, geometry=[box(340000, 250000, 342000, 252000)], crs=27700
    ... ).to_file(path)
    >>> read_catchments(path, field="School")["catchment"].tolist()
    ['Weobley']
    """
    frame = read_vector(path, layer=layer, crs=crs, engine=engine)
    source = Path(path).name
    column = find_field(
        frame.columns, CATCHMENT_PATTERNS, what="catchment", source=source, explicit=field
    )
    _require_polygons(frame, source, label=frame[column])
    provenance = provenance_of(frame)
    frame = frame.rename(columns={column: "catchment"})
    frame["catchment"] = _clean_text(frame["catchment"])
    missing = frame["catchment"].isna()
    if missing.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(missing.to_numpy())[:10])
        raise DataError(
            f"{source}: {int(missing.sum())} catchment feature(s) have no name (feature "
            f"{rows}). Give every catchment a name."
        )
    geometry = frame.geometry.name
    rest = [c for c in frame.columns if c not in ("catchment", geometry)]
    return with_provenance(frame[["catchment", *rest, geometry]], provenance)


def read_lookup(
    path: PathType,
    *,
    parish_field: str | None = None,
    catchment_field: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    r"""Read a parish → catchment lookup table (CSV or Excel).

    Parameters
    ----------
    path : str or path-like
        The table; one row per parish.
    parish_field, catchment_field : str, optional
        Column names when they are not recognised (``PAR21CD``/``parish_code`` and
        ``catchment`` are).
    sheet : str or int, optional
        Excel sheet.

    Returns
    -------
    pandas.DataFrame
        ``parish_code``, ``catchment`` and ``row`` (the spreadsheet row number).

    Raises
    ------
    DataError
        Rows with a missing code or catchment, or a parish listed twice, by row number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lookup.csv"
    >>> _ = path.write_text("PAR21CD,catchment\nE04000001,Weobley\n")
    >>> read_lookup(path).to_dict("records")
    [{'parish_code': 'E04000001', 'catchment': 'Weobley', 'row': 2}]
    """
    table = read_table(path, sheet=sheet)
    source = Path(path).name
    code = find_field(
        table.columns,
        PARISH_CODE_PATTERNS,
        what="parish code",
        source=source,
        explicit=parish_field,
    )
    catchment = find_field(
        table.columns,
        CATCHMENT_PATTERNS,
        what="catchment",
        source=source,
        explicit=catchment_field,
    )
    result = pd.DataFrame(
        {
            "parish_code": _clean_text(table[code]),
            "catchment": _clean_text(table[catchment]),
            "row": np.arange(len(table)) + 2,
        }
    )
    blank = result["parish_code"].isna() & result["catchment"].isna()
    result = result[~blank]
    problems = []
    incomplete = result[result["parish_code"].isna() | result["catchment"].isna()]
    if len(incomplete):
        problems.append(
            f"{len(incomplete)} row(s) lack a parish code or a catchment (rows "
            f"{_row_list(incomplete['row'])})"
        )
    twice = result[result["parish_code"].duplicated(keep=False) & result["parish_code"].notna()]
    if len(twice):
        codes = ", ".join(
            f"{c} (rows {_row_list(g['row'])})" for c, g in twice.groupby("parish_code", sort=True)
        )
        problems.append(f"parishes listed more than once: {codes}")
    if problems:
        raise DataError(
            f"{source}: " + "; ".join(problems) + ". Each parish needs exactly one catchment."
        )
    return with_provenance(result.reset_index(drop=True), provenance_of(table))


def _row_list(rows: pd.Series, limit: int = 10) -> str:
    values = [str(int(r)) for r in rows.tolist()]
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def _clean_text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "").astype(object).where(text.notna() & (text != ""), None)


def _whole_numbers(values: pd.Series, source: str, what: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() & values.notna()) | (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        rows = ", ".join(
            f"feature {i + 1} ({values.iloc[i]!r})" for i in np.flatnonzero(bad.to_numpy())[:10]
        )
        raise DataError(f"{source}: {what} must be a whole number of people; not so for {rows}.")
    if numbers.isna().any():
        return numbers.astype("Int64")
    return numbers.astype("int64")


def _require_polygons(frame: gpd.GeoDataFrame, source: str, *, label: pd.Series) -> None:
    types = frame.geometry.geom_type
    wrong = types.notna() & ~types.isin(list(_POLYGONAL))
    if wrong.any():
        listing = ", ".join(
            f"{label.iloc[i]} ({types.iloc[i]})" for i in np.flatnonzero(wrong.to_numpy())[:10]
        )
        raise GeometryError(
            f"{source}: boundaries must be polygons, but {int(wrong.sum())} feature(s) are "
            f"not: {listing}. Check that this is the boundary layer."
        )


# --------------------------------------------------------------------------------------
# Writers


def _with_attribution(frame: pd.DataFrame, provenance: Provenance) -> pd.DataFrame:
    out = frame.copy()
    out["attribution"] = provenance.attribution
    return out


def write_geopackage(
    path: PathType,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    provenance: Provenance,
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

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> from shapely import Point
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
    metadata = {
        "attribution": provenance.attribution,
        "is_demo": str(provenance.is_demo).lower(),
        "generator": "localitygis",
    }
    for name, layer in layers.items():
        if layer.crs is None:
            raise GeometryError(f"layer {name!r} has no CRS; cannot write it to {file}.")
        out = _with_attribution(to_bng(layer, source=f"layer {name!r}"), provenance)
        pyogrio.write_dataframe(
            out, file, layer=name, driver="GPKG", layer_metadata=metadata, append=False
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
