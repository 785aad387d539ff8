"""Tables (private; see :mod:`localitygis.io`).

CSV (UTF-8, UTF-16 with a byte-order mark, or Windows-1252 as council systems often
write) and Excel tables, read with every column as text. The header row can be named, or
found as the first row whose cells are known column names (a title above the header).
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import logging
import re
import zipfile
from collections.abc import Collection, Sequence
from pathlib import Path

import pandas as pd

from localitygis.errors import InputFileError
from localitygis.io._paths import PathType, _existing
from localitygis.provenance import provenance_of, with_provenance

log = logging.getLogger(__name__)

#: The encodings tried, in order, for a text file whose encoding is not named.
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")

#: The only cell text read as missing: the empty string. pandas' default missing-value
#: strings ("NA", "N/A", "NULL", "nan", "None", "#N/A"...) are switched off, because they
#: are real parish codes, names and places; cells of whitespace alone are made missing
#: after reading (see :func:`_blank_cells_missing`).
_MISSING_CELLS = ("",)

#: How many rows to look through for the header row.
_HEADER_SEARCH_ROWS = 20
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_table(
    path: PathType,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
    expect: Collection[str] | None = None,
) -> pd.DataFrame:
    r"""Read a CSV or Excel table with every column as text.

    CSV files are read as UTF-16 when they start with its byte-order mark, else as UTF-8
    (with or without a byte-order mark) and, failing that, as Windows-1252, the encoding
    many council systems export. Column names are stripped of surrounding spaces. Wholly
    blank rows are kept (as missing values) so that row numbers match what a user sees in
    a spreadsheet: with the header in row ``h`` (1 unless said otherwise), data row ``i``
    (0-based) is spreadsheet row ``i + h + 1``; ``attrs["header_row"]`` holds ``h``.

    Only blank cells are missing: empty cells and cells of whitespace alone. Text that
    pandas would otherwise read as missing ("NA", "N/A", "NULL", "nan", "None" and the
    like, and "#N/A" in a CSV file) is kept as text, since it can be a parish code or
    name. Excel error cells (``#N/A``, ``#REF!``...) hold no value and read as missing.

    Parameters
    ----------
    path : str or path-like
        ``.csv``, ``.txt``, ``.xlsx`` or ``.xlsm``.
    sheet : str or int, optional
        Excel sheet; the first sheet by default.
    encoding : str, optional
        Force a text encoding instead of trying UTF-8 then Windows-1252.
    header_row : int, optional
        The spreadsheet row (1-based) holding the column names, when rows above it hold a
        title or notes.
    expect : collection of str, optional
        Column names the caller knows (compared in lower case, runs of other characters
        as ``_``). Without ``header_row``, the header is the first of the first 20 rows
        with at least two such names (row 1 if none has).

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
    >>> _ = path.write_text("code,name\nNA,N/A\n ,  \n")
    >>> read_table(path).to_dict("records")
    [{'code': 'NA', 'name': 'N/A'}, {'code': nan, 'name': nan}]
    >>> _ = path.write_text("Parish lookup 2024\n\ncode,name\nE04000001,Ash\n")
    >>> table = read_table(path, expect=["code", "name"])
    >>> table.to_dict("records"), table.attrs["header_row"]
    ([{'code': 'E04000001', 'name': 'Ash'}], 3)
    """
    file = _existing(path, "Table")
    suffix = file.suffix.lower()
    if header_row is not None and header_row < 1:
        raise InputFileError(f"{file}: the header row is a spreadsheet row, 1 or more.")
    if suffix in {".xlsx", ".xlsm"}:
        _check_workbook(file)
        frame = _read_excel(file, sheet, header_row, expect)
    elif suffix == ".xls":
        raise InputFileError(
            f"{file} is an old-style .xls workbook; save it as .xlsx or .csv and try again."
        )
    else:
        frame = _read_csv(file, encoding, header_row, expect)
    header = int(frame.attrs.get("header_row", 1))
    frame = _blank_cells_missing(frame)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["source"] = file.name
    frame.attrs["header_row"] = header
    return with_provenance(frame, provenance_of(frame))


def _check_workbook(file: Path) -> None:
    """Refuse, in one line, a workbook that is empty or not a workbook (e.g. a CSV renamed)."""
    with file.open("rb") as stream:
        start = stream.read(4)
    if not start:
        raise InputFileError(f"{file} is empty (0 bytes); export the workbook again.")
    if not zipfile.is_zipfile(file):
        looks = "a text (CSV) file" if _is_text(start) else "not an Excel workbook"
        raise InputFileError(
            f"{file} is named .xlsx but is {looks}; save it from Excel as .xlsx, or "
            "rename it .csv if it is a CSV file."
        )


def _is_text(start: bytes) -> bool:
    return start.startswith(_UTF16_BOMS) or all(b >= 9 and b != 127 for b in start)


def _read_excel(
    file: Path, sheet: str | int | None, header_row: int | None, expect: Collection[str] | None
) -> pd.DataFrame:
    options = {
        "sheet_name": sheet or 0,
        "dtype": str,
        "engine": "openpyxl",
        "keep_default_na": False,
        "na_values": list(_MISSING_CELLS),
    }
    try:
        if header_row is None and expect:
            top = pd.read_excel(file, header=None, nrows=_HEADER_SEARCH_ROWS, **options)
            header_row = _find_header(top.to_numpy(dtype=object).tolist(), expect)
        frame = pd.read_excel(file, header=(header_row or 1) - 1, **options)
    except (ValueError, KeyError, zipfile.BadZipFile, OSError) as error:
        raise InputFileError(f"cannot read {file}: {error}") from None
    frame.attrs["header_row"] = header_row or 1
    return frame


def _find_header(rows: Sequence[Sequence[object]], expect: Collection[str]) -> int:
    """Return the 1-based row of the first row with two or more known column names."""
    known = {fold_name(name) for name in expect}
    for number, cells in enumerate(rows, start=1):
        if sum(fold_name(c) in known for c in cells if isinstance(c, str)) >= 2:
            return number
    return 1


def fold_name(name: object) -> str:
    """Return a column name folded for comparison: lower case, other runs as ``_``.

    Examples
    --------
    >>> fold_name(" Asset ID ")
    'asset_id'
    """
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().casefold()).strip("_")


def decode_text(raw: bytes, source: object, encoding: str | None = None) -> str:
    r"""Decode a text file's bytes: UTF-16 by its byte-order mark, else UTF-8, else Windows-1252.

    Parameters
    ----------
    raw : bytes
        The file's contents.
    source : str or path-like
        The file, for the messages.
    encoding : str, optional
        Decode with this encoding only.

    Returns
    -------
    str

    Raises
    ------
    InputFileError
        The bytes are not text in any of the encodings tried.

    Examples
    --------
    >>> decode_text("Ledbury £".encode("cp1252"), "a.csv")
    'Ledbury £'
    >>> decode_text(b"\xef\xbb\xbfcode", "a.csv")
    'code'
    >>> decode_text("code,name".encode("utf-16"), "a.csv")
    'code,name'
    """
    encodings = _encodings(raw, encoding)
    last_error: Exception | None = None
    for candidate in encodings:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError as error:
            last_error = error
            continue
        if candidate != encodings[0]:
            log.info("%s is not UTF-8; read it as %s", source, candidate)
        return text
    raise InputFileError(
        f"{source} could not be decoded as {' or '.join(encodings)} ({last_error}). "
        "Save it as UTF-8 CSV, or name its encoding."
    )


def _encodings(raw: bytes, encoding: str | None) -> tuple[str, ...]:
    if encoding:
        return (encoding,)
    if raw[:2] in _UTF16_BOMS:
        return ("utf-16",)
    return TEXT_ENCODINGS


def _file_bytes(file: Path) -> bytes:
    """Read the file's bytes, decompressed when it is gzip-compressed (``.csv.gz``)."""
    raw = file.read_bytes()
    if file.suffix.lower() == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise InputFileError(f"{file} is not a readable gzip file ({error}).") from None
    return raw


def _csv_header_row(text: str, header_row: int | None, expect: Collection[str] | None) -> int:
    if header_row is not None or not expect:
        return header_row or 1
    rows = list(itertools.islice(csv.reader(io.StringIO(text, newline="")), _HEADER_SEARCH_ROWS))
    return _find_header(rows, expect)


def _read_csv(
    file: Path,
    encoding: str | None,
    header_row: int | None = None,
    expect: Collection[str] | None = None,
) -> pd.DataFrame:
    text = decode_text(_file_bytes(file), file, encoding)
    header = _csv_header_row(text, header_row, expect)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            skiprows=header - 1,
            skip_blank_lines=False,
            skipinitialspace=True,
            keep_default_na=False,
            na_values=list(_MISSING_CELLS),
        )
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{file} is empty: it needs a header row and data.") from None
    except pd.errors.ParserError as error:
        raise InputFileError(f"{file} is not a well-formed CSV file: {error}") from None
    frame.attrs["header_row"] = header
    return frame


def _blank_cells_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Make cells of whitespace alone missing, as empty cells already are."""
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        blank = values.str.fullmatch(r"\s*", na=False)
        if blank.any():
            frame.iloc[:, position] = values.mask(blank)
    return frame
