"""File paths for the readers and writers (private; see :mod:`localitygis.io`).

The path type every reader and writer accepts, and the check that an input file exists.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from localitygis.errors import InputFileError

PathType = str | PathLike[str]


def _existing(path: PathType, what: str) -> Path:
    file = Path(path)
    if not file.exists():
        raise InputFileError(f"{what} file not found: {file}. Check the path.")
    return file
