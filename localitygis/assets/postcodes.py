"""UK postcodes: normalise them, read a postcode directory, look postcodes up.

A postcode comes in many spellings: ``"hr40as"``, ``" HR4  0AS "``, the ONS Postcode
Directory's 7-character ``pcd`` (``"HR4 0AS"``, ``"B1  1AA"``, ``"SW1A1AA"``), its
8-character ``pcd2`` (``"B1   1AA"``) and the variable ``pcds`` (``"HR4 0AS"``). All become
the variable form: upper case, one space before the three-character inward code. Anything
that is not a valid UK postcode (including the special cases ``GIR 0AA`` and the overseas
territories' ``ASCN 1ZZ``…) becomes ``None``.

Positions come from a postcode directory supplied by the user: the ONS Postcode Directory
(ONSPD) or National Statistics Postcode Lookup (``pcd``/``pcd2``/``pcds``,
``oseast1m``/``osnrth1m``, ``lat``/``long``, ``doterm``, ``osgrdind``), Ordnance Survey
Code-Point Open (no header row, or with its documented header; a single CSV, a folder of
CSVs or the downloaded zip), or any table with a postcode and easting/northing or
latitude/longitude columns. Terminated postcodes keep their last position and are flagged;
postcodes the directory gives no grid reference (blank, easting 0 / northing 1,000,000, ONSPD
``osgrdind`` 9, Code-Point quality 90) are kept without a position, so a lookup can say so.
"""

from __future__ import annotations

import io as _io
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import IO, overload

import numpy as np
import pandas as pd

from localitygis._validate import listing
from localitygis.crs import classify_coordinates, lonlat_to_bng
from localitygis.errors import DataError, InputFileError
from localitygis.io._tables import decode_text, fold_name
from localitygis.provenance import Provenance, provenance_of, with_provenance

__all__ = [
    "CODE_POINT_COLUMNS",
    "CODE_POINT_OPEN",
    "ONSPD",
    "POSTCODE_PATTERN",
    "is_postcode",
    "lookup_postcodes",
    "normalise_postcode",
    "normalise_postcodes",
    "read_postcode_directory",
]

log = logging.getLogger(__name__)

_AREA = "[A-PR-UWYZ]"
_AREA2 = "[A-HK-Y]"
_OUTWARD = (
    f"(?:{_AREA}[0-9][0-9]?"  # A9, A99
    f"|{_AREA}{_AREA2}[0-9][0-9]?"  # AA9, AA99
    f"|{_AREA}[0-9][A-HJKPSTUW]"  # A9A
    f"|{_AREA}{_AREA2}[0-9][ABEHMNPRVWXY]"  # AA9A
    "|GIR|ASCN|STHL|TDCU|BBND|BIQQ|FIQQ|PCRN|SIQQ|TKCA)"  # special and overseas
)
_INWARD = "[0-9][ABD-HJLNP-UW-Z]{2}"
#: A valid UK postcode in its variable ("pcds") form.
POSTCODE_PATTERN = f"(?:{_OUTWARD} {_INWARD}|SAN TA1)"
_POSTCODE_RE = re.compile(POSTCODE_PATTERN)
_SPACE_RE = re.compile(r"\s+")

#: Column names of Ordnance Survey Code-Point Open CSV files (which have no header row).
CODE_POINT_COLUMNS = (
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
)

#: Attribution for the ONS Postcode Directory / National Statistics Postcode Lookup.
ONSPD = Provenance(
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right. "
    "Contains Royal Mail data © Royal Mail copyright and database right.",
    is_demo=False,
)
#: Attribution for Ordnance Survey Code-Point Open.
CODE_POINT_OPEN = Provenance(
    "Contains OS data © Crown copyright and database right. "
    "Contains Royal Mail data © Royal Mail copyright and database right. "
    "Contains National Statistics data © Crown copyright and database right.",
    is_demo=False,
)

_DIRECTORY_COLUMNS = ["postcode", "easting", "northing", "terminated"]
_MARK = "localitygis_postcode_directory"

# Recognised column names (case-insensitive), most specific first.
_POSTCODE_NAMES = ("pcds", "pcd", "pcd2", "pcd7", "pcd8", "postcode", "post_code", "postcodes")
_EASTING_NAMES = ("oseast1m", "eastings", "easting", "x_coordinate", "grid_ref_easting")
_NORTHING_NAMES = ("osnrth1m", "northings", "northing", "y_coordinate", "grid_ref_northing")
_LAT_NAMES = ("lat", "latitude")
_LON_NAMES = ("long", "lon", "lng", "longitude")
_TERMINATED_NAMES = ("doterm", "date_of_termination", "terminated")
_QUALITY_NAMES = ("osgrdind", "positional_quality_indicator", "pqi")


# --------------------------------------------------------------------------------------
# Normalisation


def normalise_postcode(value: object) -> str | None:
    """Return a UK postcode in its standard form, or None if it is not a valid postcode.

    Parameters
    ----------
    value : object
        A postcode in any spacing and case (``"hr40as"``, ``" HR4  0AS "``, the ONSPD
        7-character ``pcd`` and 8-character ``pcd2`` forms). Non-text gives None.

    Returns
    -------
    str or None
        Upper case with one space before the inward code (``"HR4 0AS"``).

    Examples
    --------
    >>> normalise_postcode(" hr4  0as ")
    'HR4 0AS'
    >>> normalise_postcode("B1  1AA"), normalise_postcode("SW1A1AA")
    ('B1 1AA', 'SW1A 1AA')
    >>> normalise_postcode("gir0aa")
    'GIR 0AA'
    >>> normalise_postcode("HR4 0A5") is None, normalise_postcode(None) is None
    (True, True)
    """
    if not isinstance(value, str):
        return None
    compact = _SPACE_RE.sub("", value).upper()
    if not 5 <= len(compact) <= 8:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if _POSTCODE_RE.fullmatch(candidate) else None


def is_postcode(value: object) -> bool:
    """Return True if ``value`` is a valid UK postcode in any spacing or case.

    Examples
    --------
    >>> is_postcode("hr4 0as"), is_postcode("HR4 OAS")
    (True, False)
    """
    return normalise_postcode(value) is not None


def normalise_postcodes(values: Iterable[object]) -> pd.Series:
    """Normalise many postcodes at once (vectorised); invalid or blank ones become None.

    Parameters
    ----------
    values : iterable
        Postcodes as written; a Series keeps its index.

    Returns
    -------
    pandas.Series
        Object dtype: the standard form, or ``None``.

    Examples
    --------
    >>> normalise_postcodes(["hr40as", "junk", None, "WR13 6QT"]).tolist()
    ['HR4 0AS', None, None, 'WR13 6QT']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    raw = series.astype(object)
    is_text = raw.map(lambda v: isinstance(v, str)).astype(bool)
    text = raw.where(is_text, "").astype(str)
    compact = text.str.replace(_SPACE_RE, "", regex=True).str.upper()
    candidate = compact.str[:-3] + " " + compact.str[-3:]
    valid = compact.str.len().between(5, 8) & candidate.str.fullmatch(POSTCODE_PATTERN)
    out = candidate.astype(object).where(valid.to_numpy(dtype=bool), None)
    return pd.Series(out.to_numpy(dtype=object), index=series.index, dtype=object)


# --------------------------------------------------------------------------------------
# Reading a directory


def _pick(columns: Iterable[str], names: Iterable[str]) -> str | None:
    folded = {fold_name(c): c for c in columns}
    for name in names:
        if name in folded:
            return folded[name]
    return None


def _looks_headerless(first_line: str) -> bool:
    first = first_line.split(",")[0].strip().strip('"').strip()
    return normalise_postcode(first) is not None


def _read_csv_text(handle: IO[bytes] | Path, header: bool, name: str) -> pd.DataFrame:
    raw = handle.read_bytes() if isinstance(handle, Path) else handle.read()
    text = decode_text(raw, name)
    if not text.strip():
        raise InputFileError(f"{name} is empty: a postcode directory needs rows.")
    has_header = header and not _looks_headerless(text.split("\n", 1)[0])
    try:
        frame = pd.read_csv(
            _io.StringIO(text),
            dtype=str,
            header=0 if has_header else None,
            keep_default_na=False,
            skipinitialspace=True,
        )
    except pd.errors.ParserError as error:
        raise InputFileError(f"{name} is not a well-formed CSV file: {error}") from None
    if not has_header:
        names = list(CODE_POINT_COLUMNS[: frame.shape[1]])
        names += [f"column_{i + 1}" for i in range(len(names), frame.shape[1])]
        frame.columns = names
        frame.attrs["shape"] = "Code-Point Open"
    return frame


def _read_directory_files(path: Path) -> tuple[pd.DataFrame, str]:
    """Read a CSV, a folder of CSVs or a zip of CSVs into one frame of text columns."""
    if not path.exists():
        raise InputFileError(f"postcode directory not found: {path}. Check the path.")
    frames: list[pd.DataFrame] = []
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".csv", ".txt"})
        files = [f for f in files if not _is_documentation(f.name)]
        if not files:
            raise InputFileError(f"{path} is a folder with no CSV files in it.")
        frames = [_read_csv_text(f, True, f.name) for f in files]
    elif path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise InputFileError(f"{path} is not a readable zip file.") from None
        with archive:
            members = sorted(
                m
                for m in archive.namelist()
                if m.lower().endswith(".csv") and not _is_documentation(Path(m).name)
            )
            if not members:
                raise InputFileError(f"{path} holds no CSV files.")
            for member in members:
                with archive.open(member) as handle:
                    frames.append(_read_csv_text(handle, True, f"{path.name}:{member}"))
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        from localitygis.io import read_table

        frames = [read_table(path)]
    else:
        frames = [_read_csv_text(path, True, path.name)]
    shapes = {f.attrs.get("shape") for f in frames}
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if shapes == {"Code-Point Open"}:
        frame.attrs["shape"] = "Code-Point Open"
    return frame, path.name


def _is_documentation(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in ("header", "readme", "licence", "license", "code_list"))


def _numbers(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    return pd.to_numeric(text.where(text != "", None), errors="coerce").astype("float64")


def read_postcode_directory(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    source_name: str | None = None,
) -> pd.DataFrame:
    """Read a postcode directory into ``postcode``, ``easting``, ``northing``, ``terminated``.

    Parameters
    ----------
    source : str, path-like or pandas.DataFrame
        An ONS Postcode Directory / NSPL CSV, a Code-Point Open CSV (with or without its
        header row), a folder or zip of Code-Point Open CSVs, any CSV/Excel table with a
        postcode and easting/northing (or latitude/longitude) columns, or such a frame.
    source_name : str, optional
        Named in messages (default: the file name).

    Returns
    -------
    pandas.DataFrame
        One row per postcode: ``postcode`` (standard form), ``easting`` and ``northing``
        (EPSG:27700 metres, NaN when the directory gives no grid reference) and
        ``terminated`` (bool). ``attrs["provenance"]`` carries the attribution;
        ``attrs["skipped"]`` counts rows whose postcode is not valid.

    Raises
    ------
    InputFileError
        Missing, empty or unreadable files.
    DataError
        No postcode column, or no position columns.

    Examples
    --------
    >>> import pandas as pd
    >>> onspd = pd.DataFrame({
    ...     "pcd": ["HR4 0AS", "HR1 2AA", "HR9 9ZZ"], "oseast1m": ["350880", "", "0"],
    ...     "osnrth1m": ["239843", "", "1000000"], "doterm": ["", "", "200012"],
    ... })
    >>> read_postcode_directory(onspd)
      postcode   easting  northing  terminated
    0  HR1 2AA       NaN       NaN       False
    1  HR4 0AS  350880.0  239843.0       False
    2  HR9 9ZZ       NaN       NaN        True
    """
    frame, name, file_provenance = _directory_frame(source, source_name)
    columns = _DirectoryColumns.of(frame, name)
    if file_provenance is None:
        file_provenance = provenance_of(
            frame, default=CODE_POINT_OPEN if columns.is_code_point(frame) else ONSPD
        )
    postcode = normalise_postcodes(frame[columns.postcode])
    easting, northing, no_grid = _grid_references(frame, columns, postcode)
    no_grid |= _quality_says_no_grid(frame, columns.quality)
    position_known = easting.notna() & northing.notna() & ~no_grid
    position_known &= ~_outside_great_britain(easting, northing, position_known, name)
    out = pd.DataFrame(
        {
            "postcode": postcode.to_numpy(dtype=object),
            "easting": easting.where(position_known).to_numpy(dtype="float64"),
            "northing": northing.where(position_known).to_numpy(dtype="float64"),
            "terminated": _terminated(frame, columns.terminated).to_numpy(dtype=bool),
        }
    )
    invalid = out["postcode"].isna()
    skipped = int(invalid.sum())
    if skipped:
        log.warning("%s: skipped %d row(s) whose postcode is not a valid UK postcode", name,
                    skipped)  # fmt: skip
    out = _one_row_per_postcode(out[~invalid], name)
    if out.empty:
        raise DataError(f"{name}: no valid postcodes found; is this a postcode directory?")
    out.attrs["source"] = name
    out.attrs["skipped"] = skipped
    out.attrs[_MARK] = True
    return with_provenance(out, file_provenance)


def _directory_frame(
    source: str | PathLike[str] | pd.DataFrame, source_name: str | None
) -> tuple[pd.DataFrame, str, Provenance | None]:
    """Return the directory's rows (column names as text), its name in messages, provenance.

    A frame keeps its own provenance (default ONSPD); a file's is decided from its columns
    later (``None`` here).
    """
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        name = source_name or str(source.attrs.get("source", "the postcode directory"))
        file_provenance: Provenance | None = provenance_of(source, default=ONSPD)
    else:
        frame, name = _read_directory_files(Path(source))
        name = source_name or name
        file_provenance = None
    frame.columns = [str(c) for c in frame.columns]
    return frame, name, file_provenance


@dataclass(frozen=True)
class _DirectoryColumns:
    """The columns of a postcode directory that ``read_postcode_directory`` uses."""

    postcode: str
    easting: str | None
    northing: str | None
    lat: str | None
    lon: str | None
    quality: str | None
    terminated: str | None

    @classmethod
    def of(cls, frame: pd.DataFrame, name: str) -> _DirectoryColumns:
        """Find the columns by their known names; refuse a table without postcode or position.

        Examples
        --------
        >>> frame = pd.DataFrame(columns=["PCDS", "oseast1m", "osnrth1m", "doterm"])
        >>> found = _DirectoryColumns.of(frame, "onspd.csv")
        >>> found.postcode, found.has_grid, found.lat, found.terminated
        ('PCDS', True, None, 'doterm')
        >>> _DirectoryColumns.of(pd.DataFrame(columns=["pcds", "lat"]), "x.csv")
        Traceback (most recent call last):
        ...
        localitygis.errors.DataError: x.csv: no position columns: need easting/northing (oseast1m/osnrth1m, Eastings/Northings) or latitude/longitude (lat/long) next to the postcode.
        """  # noqa: E501
        columns = list(frame.columns)
        postcode = _pick(columns, _POSTCODE_NAMES)
        if postcode is None:
            raise DataError(
                f"{name}: no postcode column found among: {listing(columns)}. Expected an "
                "ONS Postcode Directory (pcd/pcds), Code-Point Open, or a table with a "
                "'postcode' column."
            )
        found = cls(
            postcode=postcode,
            easting=_pick(columns, _EASTING_NAMES),
            northing=_pick(columns, _NORTHING_NAMES),
            lat=_pick(columns, _LAT_NAMES),
            lon=_pick(columns, _LON_NAMES),
            quality=_pick(columns, _QUALITY_NAMES),
            terminated=_pick(columns, _TERMINATED_NAMES),
        )
        if not (found.has_grid or found.has_lat_lon):
            raise DataError(
                f"{name}: no position columns: need easting/northing (oseast1m/osnrth1m, "
                "Eastings/Northings) or latitude/longitude (lat/long) next to the postcode."
            )
        return found

    @property
    def has_grid(self) -> bool:
        return bool(self.easting and self.northing)

    @property
    def has_lat_lon(self) -> bool:
        return bool(self.lat and self.lon)

    def is_code_point(self, frame: pd.DataFrame) -> bool:
        """Tell whether ``frame`` is Ordnance Survey Code-Point Open (else ONSPD-like)."""
        return frame.attrs.get("shape") == "Code-Point Open" or (
            _pick(frame.columns, ("positional_quality_indicator",)) is not None
        )


def _grid_references(
    frame: pd.DataFrame, columns: _DirectoryColumns, postcode: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Return each row's easting and northing (EPSG:27700) and where it has none.

    The grid columns are used when there are any (easting 0 or northing 1,000,000 meaning
    none), else latitude/longitude (latitude 99 or 0, 0 meaning none), converted through
    OSTN15. ONSPD gives Northern Ireland (BT) grid references on the Irish Grid, not the
    National Grid: those rows use their latitude/longitude instead, or have no position.
    """
    if not columns.has_grid:
        lat, lon = _numbers(frame[columns.lat]), _numbers(frame[columns.lon])
        no_grid = (lat >= 99.0) | ((lat == 0) & (lon == 0))
        e, n = lonlat_to_bng(lon.mask(no_grid).to_numpy(), lat.mask(no_grid).to_numpy())
        return pd.Series(e, index=frame.index), pd.Series(n, index=frame.index), no_grid
    easting, northing = _numbers(frame[columns.easting]), _numbers(frame[columns.northing])
    no_grid = ((easting == 0) & (northing == 0)) | (northing == 1_000_000)
    irish = postcode.fillna("").str.startswith("BT").to_numpy(dtype=bool)
    if not irish.any():
        return easting, northing, no_grid
    if not columns.has_lat_lon:
        return easting, northing, no_grid | irish
    lat, lon = _numbers(frame[columns.lat]), _numbers(frame[columns.lon])
    e, n = lonlat_to_bng(lon.to_numpy()[irish], lat.to_numpy()[irish])
    easting, northing = easting.copy(), northing.copy()
    easting.iloc[np.flatnonzero(irish)] = e
    northing.iloc[np.flatnonzero(irish)] = n
    return easting, northing, no_grid


def _quality_says_no_grid(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """Rows whose positional quality (ONSPD ``osgrdind`` 9, Code-Point 90) means no position.

    Examples
    --------
    >>> frame = pd.DataFrame({"osgrdind": ["1", "9", None, " 90"]})
    >>> _quality_says_no_grid(frame, "osgrdind").tolist()
    [False, True, False, True]
    """
    if column is None:
        return pd.Series(False, index=frame.index)
    quality = frame[column].astype(object).where(frame[column].notna(), "")
    return quality.astype(str).str.strip().isin(["9", "90"])


def _outside_great_britain(
    easting: pd.Series, northing: pd.Series, position_known: pd.Series, name: str
) -> pd.Series:
    """Positions that are not plausible National Grid references in Great Britain (logged)."""
    kinds = classify_coordinates(easting.to_numpy(), northing.to_numpy())
    implausible = position_known & (kinds != "bng")
    if implausible.any():
        log.warning(
            "%s: %d postcode(s) have grid references outside Great Britain; treated as "
            "having no position",
            name,
            int(implausible.sum()),
        )
    return implausible


def _terminated(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """Whether each postcode is terminated: its termination column is neither blank nor no.

    Examples
    --------
    >>> frame = pd.DataFrame({"doterm": ["", "202001", None, "No", "0"]})
    >>> _terminated(frame, "doterm").tolist()
    [False, True, False, False, False]
    """
    if column is None:
        return pd.Series(False, index=frame.index)
    term = frame[column].astype(object).where(frame[column].notna(), "")
    term = term.astype(str).str.strip().str.casefold()
    return ~term.isin(["", "0", "false", "no", "n", "nan", "none"])


def _one_row_per_postcode(directory: pd.DataFrame, name: str) -> pd.DataFrame:
    """Keep one row per postcode, preferring a live postcode with a position (logged).

    Examples
    --------
    >>> rows = pd.DataFrame({
    ...     "postcode": ["HR1 1AA", "HR1 1AA", "HR1 1AA"], "easting": [1.0, None, 3.0],
    ...     "northing": [1.0, None, 3.0], "terminated": [True, False, False],
    ... })
    >>> _one_row_per_postcode(rows, "x.csv")
      postcode  easting  northing  terminated
    0  HR1 1AA      3.0       3.0       False
    """
    rank = directory["terminated"].astype(int) * 2 + directory["easting"].isna().astype(int)
    ranked = directory.assign(_rank=rank).sort_values(["postcode", "_rank"], kind="stable")
    duplicated = ranked["postcode"].duplicated()
    if duplicated.any():
        log.warning("%s: %d postcode(s) listed more than once; kept one each", name,
                    int(duplicated.sum()))  # fmt: skip
    return ranked[~duplicated].drop(columns="_rank").reset_index(drop=True)


@overload
def as_postcode_directory(postcodes: None) -> None: ...
@overload
def as_postcode_directory(postcodes: pd.DataFrame | str | PathLike[str]) -> pd.DataFrame: ...
def as_postcode_directory(
    postcodes: pd.DataFrame | str | PathLike[str] | None,
) -> pd.DataFrame | None:
    """Return a directory from :func:`read_postcode_directory` as it is; read anything else.

    For the assets package: every function that takes ``postcodes=`` accepts a directory
    already read, a raw table or a path. ``None`` stays ``None``.
    """
    if postcodes is None:
        return None
    if (
        isinstance(postcodes, pd.DataFrame)
        and postcodes.attrs.get(_MARK)
        and set(_DIRECTORY_COLUMNS) <= set(postcodes.columns)
    ):
        return postcodes
    return read_postcode_directory(postcodes)


# --------------------------------------------------------------------------------------
# Lookup


def lookup_postcodes(postcodes: Iterable[object], directory: pd.DataFrame) -> pd.DataFrame:
    """Look postcodes up in a directory (vectorised).

    Parameters
    ----------
    postcodes : iterable
        Postcodes as written; a Series keeps its index.
    directory : pandas.DataFrame
        From :func:`read_postcode_directory` (a raw ONSPD / Code-Point frame is read first).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``postcodes``: ``postcode`` (standard form, or missing), ``easting``,
        ``northing``, ``terminated`` and ``status``, one of ``"found"``, ``"terminated"``
        (found, but no longer in use), ``"no position"`` (in the directory without a grid
        reference), ``"not found"``, ``"invalid"`` (not a postcode) and ``"blank"``.

    Examples
    --------
    >>> import pandas as pd
    >>> directory = read_postcode_directory(pd.DataFrame(
    ...     {"pcds": ["HR4 0AS"], "oseast1m": [350880], "osnrth1m": [239843]}))
    >>> lookup_postcodes(["hr40as", "HR1 1AA", "nonsense", ""], directory)
      postcode   easting  northing  terminated     status
    0  HR4 0AS  350880.0  239843.0       False      found
    1  HR1 1AA       NaN       NaN       False  not found
    2      NaN       NaN       NaN       False    invalid
    3      NaN       NaN       NaN       False      blank
    """
    series = postcodes if isinstance(postcodes, pd.Series) else pd.Series(list(postcodes))
    table = as_postcode_directory(directory)
    normal = normalise_postcodes(series)
    raw = series.astype(object)
    blank = raw.map(lambda v: v is None or (isinstance(v, str) and not v.strip()) or
                    (not isinstance(v, str) and bool(pd.isna(v)))).to_numpy(dtype=bool)  # fmt: skip
    position = pd.Index(table["postcode"]).get_indexer(normal.where(normal.notna(), ""))
    found = position >= 0
    take = np.where(found, position, 0)
    easting = np.where(found, table["easting"].to_numpy()[take], np.nan)
    northing = np.where(found, table["northing"].to_numpy()[take], np.nan)
    terminated = np.where(found, table["terminated"].to_numpy()[take], False)
    status = np.full(len(series), "not found", dtype=object)
    status[found] = "found"
    status[found & terminated] = "terminated"
    status[found & np.isnan(easting)] = "no position"
    status[normal.isna().to_numpy()] = "invalid"
    status[blank] = "blank"
    return pd.DataFrame(
        {
            "postcode": normal.to_numpy(dtype=object),
            "easting": easting.astype("float64"),
            "northing": northing.astype("float64"),
            "terminated": terminated.astype(bool),
            "status": status,
        },
        index=series.index,
    )
