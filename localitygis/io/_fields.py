"""Field recognition (private; see :mod:`localitygis.io`).

ONS boundary files and lookups name their fields by vintage (``PAR21CD``/``PAR21NM``,
``PARNCP21CD``/``PARNCP21NM``, ``PAR24CD``, ``LAD24CD``...). The patterns here recognise
them, and :func:`find_field` picks the column for a role: the one named explicitly, or the
first (newest-vintage) pattern match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal, overload

import pandas as pd

from localitygis.errors import DataError

#: Patterns (case-insensitive, whole name) that identify parish fields, most specific first.
PARISH_CODE_PATTERNS = (r"PAR\d\dCD", r"PARNCP\d\dCD", r"parish_code", r"parish_cd", r"PARCD")
PARISH_NAME_PATTERNS = (r"PAR\d\dNM", r"PARNCP\d\dNM", r"parish_name", r"parish", r"PARNM", r"name")
POPULATION_PATTERNS = (r"population", r"pop", r"pop_?\d{2,4}", r"usual_residents", r"residents")
DISTRICT_CODE_PATTERNS = (r"LAD\d\dCD", r"LTLA\d\dCD", r"UTLA\d\dCD", r"district_code", r"lad_code")
DISTRICT_NAME_PATTERNS = (r"LAD\d\dNM", r"LTLA\d\dNM", r"UTLA\d\dNM", r"district_name", r"lad_name")
CATCHMENT_PATTERNS = (r"catchment", r"catchment_name", r"catchment_code", r"school_catchment")


@overload
def find_field(
    columns: Iterable[str],
    patterns: Sequence[str],
    *,
    what: str,
    source: str,
    explicit: str | None = None,
    required: Literal[True] = True,
    option: str | None = None,
) -> str: ...


@overload
def find_field(
    columns: Iterable[str],
    patterns: Sequence[str],
    *,
    what: str,
    source: str,
    explicit: str | None = None,
    required: bool,
    option: str | None = None,
) -> str | None: ...


def find_field(
    columns: Iterable[str],
    patterns: Sequence[str],
    *,
    what: str,
    source: str,
    explicit: str | None = None,
    required: bool = True,
    option: str | None = None,
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
    option : str, optional
        The command-line option that names this column (``"--code-field"``), for the hint
        in messages; without it the hint says to name the column explicitly.

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
    >>> find_field(["id"], PARISH_CODE_PATTERNS, what="parish code", source="p.gpkg",
    ...            option="--code-field")
    Traceback (most recent call last):
    ...
    localitygis.errors.DataError: p.gpkg: no parish code column found among: id. Name it
    explicitly (--code-field on the command line).
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
    where = f" ({option} on the command line)" if option else ""
    raise DataError(
        f"{source}: no {what} column found among: {', '.join(names)}. Name it explicitly{where}."
    )


def _vintage(name: str) -> tuple[int, str]:
    digits = re.findall(r"\d{2}", name)
    return (int(digits[-1]) if digits else -1, name)


def to_contract(
    frame: pd.DataFrame, roles: dict[str, str], *, source: str
) -> tuple[pd.DataFrame, list[str]]:
    """Give columns their contract names; keep any column the renaming would displace.

    Parameters
    ----------
    frame : pandas.DataFrame
        The layer or table as read.
    roles : dict
        Contract name → the column that fills it (``{"parish_code": "PAR21CD"}``). One
        column may fill several roles (a code that also serves as the name).
    source : str
        The file, for the notes.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The frame with the contract columns, and a note for each column that already had
        a contract name but was not chosen: it is kept as ``original_<name>``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"catchment": ["old"], "school": ["Weobley"]})
    >>> frame, notes = to_contract(table, {"catchment": "school"}, source="c.gpkg")
    >>> frame.to_dict("records")
    [{'original_catchment': 'old', 'catchment': 'Weobley'}]
    >>> notes
    ["c.gpkg: column 'catchment' is kept as 'original_catchment', because 'school' gives the catchment."]
    """  # noqa: E501
    values = {target: frame[column].to_numpy() for target, column in roles.items()}
    displaced = {
        target: _free_name(f"original_{target}", frame.columns)
        for target, column in roles.items()
        if target in frame.columns and column != target
    }
    notes = [
        f"{source}: column {target!r} is kept as {new!r}, because {roles[target]!r} gives "
        f"the {target.replace('_', ' ')}."
        for target, new in displaced.items()
    ]
    used = {c for t, c in roles.items() if c != t and c not in displaced}
    out = frame.rename(columns=displaced).drop(columns=sorted(used))
    for target, column_values in values.items():
        out[target] = column_values
    return out, notes


def _free_name(name: str, taken: Iterable[object]) -> str:
    names = {str(c) for c in taken}
    candidate, n = name, 2
    while candidate in names:
        candidate, n = f"{name}_{n}", n + 1
    return candidate
