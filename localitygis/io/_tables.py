"""Tables (private; see :mod:`localitygis.io`).

CSV (UTF-8, or Windows-1252 as council systems often write) and Excel tables, read with
every column as text.
"""

from __future__ import annotations

import gzip
import io
import logging
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
    """
    file = _existing(path, "Table")
    suffix = file.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        try:
            frame = pd.read_excel(
                file,
                sheet_name=sheet or 0,
                dtype=str,
                engine="openpyxl",
                keep_default_na=False,
                na_values=list(_MISSING_CELLS),
            )
        except ValueError as error:
            raise InputFileError(f"cannot read {file}: {error}") from None
    elif suffix == ".xls":
        raise InputFileError(
            f"{file} is an old-style .xls workbook; save it as .xlsx or .csv and try again."
        )
    else:
        frame = _read_csv(file, encoding)
    frame = _blank_cells_missing(frame)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["source"] = file.name
    return with_provenance(frame, provenance_of(frame))


def decode_text(raw: bytes, source: object, encoding: str | None = None) -> str:
    r"""Decode a text file's bytes: UTF-8 (with or without a byte-order mark), else Windows-1252.

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
    """
    encodings = (encoding,) if encoding else TEXT_ENCODINGS
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


def _file_bytes(file: Path) -> bytes:
    """Read the file's bytes, decompressed when it is gzip-compressed (``.csv.gz``)."""
    raw = file.read_bytes()
    if file.suffix.lower() == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise InputFileError(f"{file} is not a readable gzip file ({error}).") from None
    return raw


def _read_csv(file: Path, encoding: str | None) -> pd.DataFrame:
    text = decode_text(_file_bytes(file), file, encoding)
    try:
        return pd.read_csv(
            io.StringIO(text),
            dtype=str,
            skip_blank_lines=False,
            skipinitialspace=True,
            keep_default_na=False,
            na_values=list(_MISSING_CELLS),
        )
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{file} is empty: it needs a header row and data.") from None
    except pd.errors.ParserError as error:
        raise InputFileError(f"{file} is not a well-formed CSV file: {error}") from None


def _blank_cells_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """Make cells of whitespace alone missing, as empty cells already are."""
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        blank = values.str.fullmatch(r"\s*", na=False)
        if blank.any():
            frame.iloc[:, position] = values.mask(blank)
    return frame
