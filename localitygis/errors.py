"""Errors raised by localitygis.

Every error derives from :class:`LocalityGISError`, so a caller (or the CLI) can catch
them all in one place. Messages say what was wrong, where (file, row or feature) and
what to do about it.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DataError",
    "GeometryError",
    "InputFileError",
    "LocalityGISError",
    "SchemeError",
]


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
