"""Errors raised by localitygis.

Every error derives from :class:`LocalityGISError`, so a caller (or the CLI) can catch
them all in one place. Messages say what was wrong, where (file, row or feature) and
what to do about it.
"""

from __future__ import annotations

import contextlib
import warnings

__all__ = [
    "CRSError",
    "DataError",
    "GeometryError",
    "InputFileError",
    "LocalityGISError",
    "SchemeError",
    "shown",
]


def shown(value: object) -> str:
    """Return a cell value as a message should show it: plain numbers, quoted text.

    Examples
    --------
    >>> import numpy as np
    >>> shown(np.float64(-100.0)), shown(np.float64(2.5)), shown(7), shown("x1"), shown(None)
    ('-100', '2.5', '7', "'x1'", 'None')
    """
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str):
        with contextlib.suppress(TypeError, ValueError):
            value = item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return repr(value)


class LocalityGISError(Exception):
    """Base class for every error raised by localitygis."""


class InputFileError(LocalityGISError):
    """A file cannot be found, opened or decoded."""


class DataError(LocalityGISError, ValueError):
    """Tabular input is unusable: missing or ambiguous columns, duplicate keys, bad values.

    It is also a :class:`ValueError`, so callers that catch ``ValueError`` for bad
    arguments keep working.

    Examples
    --------
    >>> from localitygis import find_clusters
    >>> try:
    ...     find_clusters(None, distance=-1)
    ... except ValueError as error:
    ...     print(type(error).__name__)
    DataError
    """


class GeometryError(LocalityGISError):
    """Geometry is unusable: wrong type, empty, invalid beyond repair."""


class CRSError(LocalityGISError):
    """A coordinate reference system is missing, wrong or inconsistent with the data."""


class SchemeError(LocalityGISError):
    """A locality scheme is invalid: unknown tier, a catchment in two localities, and so on."""


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn (FutureWarning) that ``old`` is deprecated in favour of ``new``.

    For the package's own deprecations: the old name keeps working, with this warning,
    until it is removed.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("Result.summary", "Result.table", stacklevel=2)
    >>> print(caught[0].message)
    Result.summary is deprecated and will be removed; use Result.table instead.
    """
    warnings.warn(
        f"{old} is deprecated and will be removed; use {new} instead.",
        FutureWarning,
        stacklevel=stacklevel,
    )
