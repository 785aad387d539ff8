"""Boundary and lookup readers (private; see :mod:`localitygis.io`).

Parish and catchment layers are read into their contracts (``parish_code``,
``parish_name``, ``population``; ``catchment``), checked to be polygons, and validated;
the parish → catchment lookup and the ONS parish → district lookup are read from tables.
Problems are reported by row or feature number.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis._validate import listing
from localitygis.errors import DataError, GeometryError, shown
from localitygis.io._fields import (
    CATCHMENT_PATTERNS,
    DISTRICT_CODE_PATTERNS,
    DISTRICT_NAME_PATTERNS,
    PARISH_CODE_PATTERNS,
    PARISH_NAME_PATTERNS,
    POPULATION_PATTERNS,
    find_field,
    to_contract,
)
from localitygis.io._paths import PathType
from localitygis.io._tables import read_table
from localitygis.io._vectors import Engine, read_vector
from localitygis.provenance import provenance_of, with_provenance

_POLYGONAL = {"Polygon", "MultiPolygon"}


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
        ``PAR21NM`` are). The same column may be both code and name; a layer with codes
        but no name column takes the codes as names (said in ``attrs["notes"]``).
    crs : str or int, optional
        CRS of a file that declares none.
    engine : {"pyogrio", "fiona"}
        The reading library.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parish_code`` (str), ``parish_name`` (str), ``population`` (if found) and
        geometry, in EPSG:27700. Other columns are kept after these; a column that already
        had one of those names but was not chosen is kept as ``original_<name>``.
        ``attrs["notes"]`` lists such notes (a build repeats them in its quality report).

    Raises
    ------
    DataError
        A file with no features, missing fields, or population values that are not whole
        numbers (listed by row).
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
    _require_features(frame, source)
    roles, notes = _parish_roles(frame, source, code_field, name_field, population_field)
    _require_polygons(frame, source, label=frame[roles["parish_code"]])
    provenance = provenance_of(frame)
    frame, displaced = to_contract(frame, roles, source=source)
    frame["parish_code"] = _clean_text(frame["parish_code"])
    frame["parish_name"] = _clean_text(frame["parish_name"])
    if "population" in roles:
        frame["population"] = _whole_numbers(frame["population"], source, "population")
    leading = [c for c in ("parish_code", "parish_name", "population") if c in frame.columns]
    geometry = frame.geometry.name
    rest = [c for c in frame.columns if c not in leading and c != geometry]
    out = with_provenance(frame[[*leading, *rest, geometry]], provenance)
    out.attrs["notes"] = [*notes, *displaced]
    return out


def _parish_roles(
    frame: gpd.GeoDataFrame,
    source: str,
    code_field: str | None,
    name_field: str | None,
    population_field: str | None,
) -> tuple[dict[str, str], list[str]]:
    """Pick the code, name and population columns (contract name → column) and notes.

    A layer with codes but no names (Output Areas, many council layers) takes the code as
    the name, with a note; the same column may be named as both code and name.
    """
    code = find_field(
        frame.columns,
        PARISH_CODE_PATTERNS,
        what="parish code",
        source=source,
        explicit=code_field,
        option="--code-field",
    )
    name = find_field(
        frame.columns if name_field is not None else [c for c in frame.columns if c != code],
        PARISH_NAME_PATTERNS,
        what="parish name",
        source=source,
        explicit=name_field,
        required=False,
    )
    notes = []
    if name is None:
        name = code
        notes.append(
            f"{source}: no parish name column, so the parish codes ({code}) serve as names "
            "(name one with --name-field, or name_field= in Python)."
        )
    roles = {"parish_code": code, "parish_name": name}
    population = find_field(
        frame.columns,
        POPULATION_PATTERNS,
        what="population",
        source=source,
        explicit=population_field,
        required=population_field is not None,
        option="--population-field",
    )
    if population:
        roles["population"] = population
    return roles, notes


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
            f"lacks: {listing(missing)}. Use boundaries and lookup of the same vintage."
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
        ``catchment`` (str) and geometry in EPSG:27700; other columns kept after (a
        ``catchment`` column displaced by ``field`` as ``original_catchment``, said in
        ``attrs["notes"]``).

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
    _require_features(frame, source)
    column = find_field(
        frame.columns,
        CATCHMENT_PATTERNS,
        what="catchment",
        source=source,
        explicit=field,
        option="--catchment-field",
    )
    _require_polygons(frame, source, label=frame[column])
    provenance = provenance_of(frame)
    frame, displaced = to_contract(frame, {"catchment": column}, source=source)
    frame["catchment"] = _clean_text(frame["catchment"])
    missing = frame["catchment"].isna()
    if missing.any():
        rows = listing(np.flatnonzero(missing.to_numpy()) + 1)
        raise DataError(
            f"{source}: {int(missing.sum())} catchment feature(s) have no name (feature "
            f"{rows}). Give every catchment a name."
        )
    geometry = frame.geometry.name
    rest = [c for c in frame.columns if c not in ("catchment", geometry)]
    out = with_provenance(frame[["catchment", *rest, geometry]], provenance)
    out.attrs["notes"] = displaced
    return out


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
        option="--lookup-code-field",
    )
    catchment = find_field(
        table.columns,
        CATCHMENT_PATTERNS,
        what="catchment",
        source=source,
        explicit=catchment_field,
        option="--catchment-field",
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


def _row_list(rows: pd.Series) -> str:
    return listing(int(r) for r in rows.tolist())


def _clean_text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "").astype(object).where(text.notna() & (text != ""), None)


def _whole_numbers(values: pd.Series, source: str, what: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() & values.notna()) | (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        rows = listing(
            f"feature {i + 1} ({shown(values.iloc[i])})" for i in np.flatnonzero(bad.to_numpy())
        )
        raise DataError(f"{source}: {what} must be a whole number of people; not so for {rows}.")
    if numbers.isna().any():
        return numbers.astype("Int64")
    return numbers.astype("int64")


def _require_features(frame: gpd.GeoDataFrame, source: str) -> None:
    if frame.empty:
        raise DataError(
            f"{source}: the file has no features. Check that it is the boundary layer (and "
            "the layer, if the file has several)."
        )


def _require_polygons(frame: gpd.GeoDataFrame, source: str, *, label: pd.Series) -> None:
    types = frame.geometry.geom_type
    wrong = types.notna() & ~types.isin(list(_POLYGONAL))
    if wrong.any():
        shown = listing(
            f"{label.iloc[i]} ({types.iloc[i]})" for i in np.flatnonzero(wrong.to_numpy())
        )
        raise GeometryError(
            f"{source}: boundaries must be polygons, but {int(wrong.sum())} feature(s) are "
            f"not: {shown}. Check that this is the boundary layer."
        )
