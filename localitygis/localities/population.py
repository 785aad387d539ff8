"""Join a population table to the parishes by parish code.

ONS parish boundary files carry no population. The council joins a Census 2021 table of
usual residents by parish (the ONS / Nomis table TS001 at parish level, or its own extract)
on the parish code: :func:`join_population` returns the parishes with a ``population``
column and accounts for every row of the table — each row is either used (its value is the
population of exactly one parish) or listed in ``rejects`` with the reason, so
``rows_read == rows_used + len(rejects)``.

Rules, decided here and relied on by the CLI (``localitygis build --population-table``):

* **Columns** are recognised by name — the ONS parish code names (``PAR21CD``,
  ``PARNCP21CD``…), ``Parish code``, ``geography code``; and ``Usual residents``,
  ``Observation``, ``population``… — or named explicitly (``code_field=``,
  ``population_field=``; ``--population-table-code-field``, ``--population-table-field``).
* **Codes** are compared after stripping surrounding whitespace, and case-sensitively: ONS
  codes are upper case, and a code that differs from a parish's only in case is rejected
  with the parish it probably means, not silently matched.
* **A repeated code** is a question for the data owner: every row of a code that appears
  more than once is rejected (each reason names the other rows), and the parish gets no
  population, rather than one of the rows being picked.
* **Population** must be a whole number of people, at least 0; thousands separators
  (``1,234``, as council spreadsheets write them) are accepted, ``12,34`` is not.
* **Row numbers** are the ones a spreadsheet shows: the header is row 1, the first data row
  is row 2 (as for asset rejects and lookup tables).
* Parishes absent from the table (or whose rows were all rejected) get ``<NA>`` and are
  listed in ``missing``; a ``population`` column the parishes already had is replaced, and
  a note says so.
* The joined parishes carry the table's attribution (Census 2021: "Source: Office for
  National Statistics licensed under the Open Government Licence v3.0") with their own.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from localitygis._validate import listing
from localitygis.errors import DataError
from localitygis.io import PARISH_CODE_PATTERNS, POPULATION_PATTERNS, find_field
from localitygis.localities.quality import rejects_frame
from localitygis.provenance import Provenance, provenance_of, with_provenance

__all__ = [
    "CENSUS_2021",
    "CENSUS_ATTRIBUTION",
    "TABLE_CODE_PATTERNS",
    "TABLE_POPULATION_PATTERNS",
    "PopulationJoin",
    "join_population",
]

#: The attribution ONS asks users of its statistics (Census 2021 tables) to carry.
CENSUS_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0"
)
#: The provenance of a Census 2021 table (TS001 usual residents by parish).
CENSUS_2021 = Provenance(CENSUS_ATTRIBUTION, is_demo=False)

#: Parish code columns of a population table (case-insensitive, whole name), most specific
#: first: the ONS boundary names, then the Census / Nomis download names.
TABLE_CODE_PATTERNS = (
    *PARISH_CODE_PATTERNS,
    r"parish[ _]?code",
    r"(civil[ _])?parish(es)?[ _]\d{4}[ _]code",
    r"geography[ _]code",
    r"code",
)
#: Population columns of a population table, most specific first (TS001 calls the count of
#: usual residents "Observation" in ONS custom downloads and "OBS_VALUE" through Nomis).
TABLE_POPULATION_PATTERNS = (
    r"(all[ _])?usual[ _]residents",
    r"total: all usual residents",
    r"residence type: total; measures: value",
    *POPULATION_PATTERNS,
    r"observation",
    r"obs_value",
)

_SPREADSHEET_FIRST_ROW = 2  # header in row 1
_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d*)?")
_PLAIN = re.compile(r"\d+(\.\d*)?|\.\d+")
_ELSEWHERE = "no parish has code"  # the reason for a row of a parish not being built


@dataclass(frozen=True)
class PopulationJoin:
    """The outcome of :func:`join_population`.

    Attributes
    ----------
    parishes : geopandas.GeoDataFrame
        A copy of the parishes with ``population`` (Int64) from the table; ``<NA>`` where
        the table has no usable row. Its provenance combines the parishes' and the table's.
    rejects : pandas.DataFrame
        Table rows not used: ``source``, ``row`` (spreadsheet row, header = 1), ``reason``,
        then the table's original columns (as text).
    missing : pandas.DataFrame
        Parishes that got no population: ``parish_code``, ``parish_name``, ``reason``.
    replaced : bool
        True when the parishes already had a ``population`` column, which the table's
        values replaced.
    rows_read : int
        Data rows in the table.
    rows_used : int
        Rows whose value became a parish's population.
    source : str
        The table's label, as written in the ``source`` column of ``rejects``.
    notes : tuple of str
        Things to tell the user (a replaced column, codes that differ only in case).
    """

    parishes: gpd.GeoDataFrame
    rejects: pd.DataFrame
    missing: pd.DataFrame
    replaced: bool
    rows_read: int
    rows_used: int
    source: str = "population table"
    notes: tuple[str, ...] = field(default=())

    @property
    def reconciles(self) -> bool:
        """True when every table row is accounted for: ``rows_read == rows_used + rejected``."""
        return self.rows_read == self.rows_used + len(self.rejects)

    def counts(self) -> dict[str, int]:
        """Return the counts: table rows read, used and rejected; parishes with and without.

        Examples
        --------
        >>> import geopandas as gpd, pandas as pd
        >>> from shapely import box
        >>> parishes = gpd.GeoDataFrame({"parish_code": ["E1"], "parish_name": ["A"]},
        ...     geometry=[box(0, 0, 1, 1)], crs=27700)
        >>> table = pd.DataFrame({"Parish code": ["E1", "E9"], "Usual residents": ["7", "8"]})
        >>> join_population(parishes, table).counts()
        {'rows_read': 2, 'rows_used': 1, 'rows_rejected': 1, 'parishes': 1,
         'parishes_with_population': 1, 'parishes_missing': 0}
        """
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_rejected": len(self.rejects),
            "parishes": len(self.parishes),
            "parishes_with_population": int(self.parishes["population"].notna().sum()),
            "parishes_missing": len(self.missing),
        }

    def summary(self) -> str:
        """Say in one line how many parishes got a population, rows rejected, parishes without.

        Examples
        --------
        >>> import geopandas as gpd, pandas as pd
        >>> from shapely import box
        >>> parishes = gpd.GeoDataFrame({"parish_code": ["E1", "E2"], "parish_name": ["A", "B"]},
        ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=27700)
        >>> table = pd.DataFrame({"PAR21CD": ["E1", "E9"], "population": ["1,234", "5"]})
        >>> join_population(parishes, table).summary().split("; ")
        ['population table: 1 of 2 parishes got a population',
         '1 table row rejected (1 for parishes not in this build)', '1 parish had none']
        """
        counts = self.counts()
        rejected = counts["rows_rejected"]
        missing = counts["parishes_missing"]
        # A national table joined to one council: most rows are other councils' parishes.
        elsewhere = int(self.rejects["reason"].str.fullmatch(rf"{_ELSEWHERE} \S+").sum())
        where = f" ({elsewhere:,} for parishes not in this build)" if elsewhere else ""
        return (
            f"{self.source}: {counts['parishes_with_population']:,} of {counts['parishes']:,} "
            f"parishes got a population; {rejected:,} table row{'' if rejected == 1 else 's'} "
            f"rejected{where}; {missing:,} parish{'' if missing == 1 else 'es'} had none"
        )


def join_population(
    parishes: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    code_field: str | None = None,
    population_field: str | None = None,
    source: str = "population table",
    provenance: Provenance | None = None,
) -> PopulationJoin:
    """Give each parish the population a table lists for its parish code.

    Parameters
    ----------
    parishes : geopandas.GeoDataFrame
        Parishes with ``parish_code`` (and ``parish_name``), e.g. from
        :func:`localitygis.io.read_parishes`.
    table : pandas.DataFrame
        One row per parish, e.g. the Census 2021 TS001 table of usual residents by parish
        read with :func:`localitygis.io.read_table` (every column as text). Columns are
        recognised by name (``PAR21CD``, ``Parish code``, ``geography code``…;
        ``Usual residents``, ``Observation``, ``population``…).
    code_field, population_field : str, optional
        The table's parish code and population columns, when they are not recognised.
    source : str
        The table's label in the ``source`` column of the rejects and in messages.
    provenance : Provenance, optional
        The table's attribution. By default a demo table (one whose ``data_source`` names
        the demo generator) is demo data and any other is the Census:
        :data:`CENSUS_2021`.

    Returns
    -------
    PopulationJoin
        ``parishes`` (a copy with ``population``), ``rejects``, ``missing``, ``replaced``
        and the counts; ``rows_read == rows_used + len(rejects)``.

    Raises
    ------
    DataError
        When the parishes have no ``parish_code`` column, or the table's code or population
        column is missing (or is not the one named): the message names the table, the
        columns it has and the option that names the column.

    See Also
    --------
    localitygis.io.read_table : reads the table (CSV in UTF-8 or Windows-1252, or Excel).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["E04000001", "E04000002", "E04000003"],
    ...      "parish_name": ["Weobley", "Dilwyn", "Eardisland"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs=27700)
    >>> table = pd.DataFrame({
    ...     "geography code": ["E04000001", " E04000002 ", "E04999999"],
    ...     "geography": ["Weobley", "Dilwyn", "Elsewhere"],
    ...     "Observation": ["1,234", "650", "99"]})
    >>> join = join_population(parishes, table)
    >>> join.parishes["population"].tolist()
    [1234, 650, <NA>]
    >>> join.rejects[["source", "row", "reason"]].to_dict("records")
    [{'source': 'population table', 'row': 4, 'reason': 'no parish has code E04999999'}]
    >>> join.missing.to_dict("records")
    [{'parish_code': 'E04000003', 'parish_name': 'Eardisland',
      'reason': 'no row in the population table'}]
    >>> join.reconciles, join.replaced
    (True, False)
    """
    _require_parish_codes(parishes)
    code_column, population_column = _table_columns(table, source, code_field, population_field)
    codes = _parish_codes(parishes["parish_code"])
    known = {c for c in codes if c is not None}
    body = table.reset_index(drop=True)
    table_codes = [_cell_text(v) for v in body[code_column].tolist()]
    values = [_cell_text(v) for v in body[population_column].tolist()]
    rows = np.arange(len(body), dtype=np.int64) + _SPREADSHEET_FIRST_ROW
    reasons, case_only = _unmatched_rows(body, table_codes, known)
    population = _population_by_code(table_codes, values, reasons, rows)
    rejected = [i for i, reason in enumerate(reasons) if reason is not None]
    rejects = rejects_frame(
        body, rejected, [str(reasons[i]) for i in rejected], source=source, rows=rows[rejected]
    )
    joined, replaced = _with_population(parishes, codes, population)
    rejected_rows = _rejected_rows_by_code(rejected, table_codes, known, rows)
    missing = _missing(joined, codes, rejected_rows, source)
    table_provenance = provenance if provenance is not None else _table_provenance(table)
    with_provenance(joined, provenance_of(parishes).combined(table_provenance))
    return PopulationJoin(
        parishes=joined,
        rejects=rejects,
        missing=missing,
        replaced=replaced,
        rows_read=len(body),
        rows_used=len(population),
        source=source,
        notes=tuple(_join_notes(source, replaced, len(missing), case_only)),
    )


def _require_parish_codes(parishes: gpd.GeoDataFrame) -> None:
    """Refuse parishes without the ``parish_code`` column the join is on."""
    if "parish_code" not in parishes.columns:
        raise DataError(
            "parishes: no parish_code column to join the population on; read them with "
            "localitygis.io.read_parishes (code_field=... names the column)."
        )


def _rejected_rows_by_code(
    rejected: list[int],
    table_codes: list[str | None],
    known: set[str],
    rows: NDArray[np.int64],
) -> dict[str, list[int]]:
    """Return the spreadsheet rows rejected for each parish code in the build.

    Examples
    --------
    >>> rows = np.array([2, 3, 4, 5])
    >>> _rejected_rows_by_code([0, 1, 3], ["E1", "E9", "E1", "E1"], {"E1"}, rows)
    {'E1': [2, 5]}
    """
    by_code: defaultdict[str, list[int]] = defaultdict(list)
    for i in rejected:
        if table_codes[i] in known:
            by_code[str(table_codes[i])].append(int(rows[i]))
    return dict(by_code)


def _table_columns(
    table: pd.DataFrame, source: str, code_field: str | None, population_field: str | None
) -> tuple[str, str]:
    """Find the table's parish code and population columns (named, or recognised).

    Messages name the table as ``source`` followed by its file, when it was read from one.
    """
    file = table.attrs.get("source")
    label = f"{source} {file}" if file else source
    columns = [str(c) for c in table.columns]
    code_column = _column(
        columns,
        TABLE_CODE_PATTERNS,
        what="parish code",
        label=label,
        explicit=code_field,
        option="--population-table-code-field",
        argument="code_field",
    )
    population_column = _column(
        columns,
        TABLE_POPULATION_PATTERNS,
        what="population",
        label=label,
        explicit=population_field,
        option="--population-table-field",
        argument="population_field",
        exclude=code_column,
    )
    return code_column, population_column


def _unmatched_rows(
    body: pd.DataFrame, table_codes: list[str | None], known: set[str]
) -> tuple[list[str | None], int]:
    """Say why rows match no parish (blank, no code, unknown code); count case-only misses."""
    by_fold: dict[str, str] = {}
    for known_code in sorted(known):
        by_fold.setdefault(known_code.casefold(), known_code)
    blank_rows = body.map(_cell_text).isna().all(axis=1).to_numpy()
    reasons: list[str | None] = [None] * len(body)
    case_only = 0
    for i, code in enumerate(table_codes):
        if blank_rows[i]:
            reasons[i] = "blank row"
        elif code is None:
            reasons[i] = "no parish code"
        elif code not in known:
            near = by_fold.get(code.casefold())
            if near is not None:
                case_only += 1
                reasons[i] = (
                    f"no parish has code {code}; parish {near} differs only in case "
                    "(codes are compared case-sensitively)"
                )
            else:
                reasons[i] = f"{_ELSEWHERE} {code}"
    return reasons, case_only


def _population_by_code(
    table_codes: list[str | None],
    values: list[str | None],
    reasons: list[str | None],
    rows: np.ndarray,
) -> dict[str, int]:
    """Read the population of each code listed once; reject repeated codes and bad numbers.

    ``reasons`` is filled in place for the rows rejected here.
    """
    rows_of: defaultdict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(table_codes):
        if reasons[i] is None and code is not None:
            rows_of[code].append(i)
    population: dict[str, int] = {}
    for code, positions in rows_of.items():
        if len(positions) > 1:
            _reject_repeated(code, positions, values, reasons, rows)
            continue
        (i,) = positions
        number, problem = _whole_number(values[i])
        if number is None:
            reasons[i] = problem
        else:
            population[code] = number
    return population


def _reject_repeated(
    code: str,
    positions: list[int],
    values: list[str | None],
    reasons: list[str | None],
    rows: np.ndarray,
) -> None:
    """Reject every row of a repeated code, naming the other rows (in place)."""
    agree = len({values[i] for i in positions}) == 1
    advice = "; the rows agree, so delete the extra ones" if agree else "; keep the right row"
    for i in positions:
        others = _rows_phrase([int(rows[j]) for j in positions if j != i])
        reasons[i] = (
            f"parish code {code} is repeated (also {others}): every row of a "
            "repeated code is rejected" + advice
        )


def _with_population(
    parishes: gpd.GeoDataFrame, codes: list[str | None], population: dict[str, int]
) -> tuple[gpd.GeoDataFrame, bool]:
    """Return the parishes with ``population`` (after the name), and whether it replaced one."""
    joined = parishes.copy()
    replaced = "population" in joined.columns
    filled = pd.array([population.get(c) if c else None for c in codes], dtype="Int64")
    if replaced:
        joined["population"] = filled
        return joined, True
    anchor = "parish_name" if "parish_name" in joined.columns else "parish_code"
    joined.insert(list(joined.columns).index(anchor) + 1, "population", filled)
    return joined, False


def _join_notes(source: str, replaced: bool, missing: int, case_only: int) -> list[str]:
    """Return the notes of a join: a replaced population column, codes differing in case."""
    notes: list[str] = []
    if replaced:
        lost = f" ({missing:,} parish(es) it gives no value now have none)" if missing else ""
        notes.append(
            f"the parishes' own population column was replaced by the {source}'s values{lost}"
        )
    if case_only:
        notes.append(
            f"{case_only:,} code(s) in the {source} differ from a parish's only in case: codes "
            "are compared case-sensitively (ONS codes are upper case); correct them in the table"
        )
    return notes


# --------------------------------------------------------------------------------------
# Private helpers


def _column(
    columns: list[str],
    patterns: tuple[str, ...],
    *,
    what: str,
    label: str,
    explicit: str | None,
    option: str,
    argument: str,
    exclude: str | None = None,
) -> str:
    """Find the table's ``what`` column, or raise naming the table, its columns, the option.

    ``exclude`` (the code column, when looking for the population) is never recognised by
    pattern, and may not be named explicitly either.
    """
    hint = f"Name it with {option} on the command line ({argument}=... in Python)."
    candidates = columns if explicit is not None else [c for c in columns if c != exclude]
    try:
        found = find_field(
            candidates, patterns, what=what, source=label, explicit=explicit, required=False
        )
    except DataError as error:
        raise DataError(f"{error} {hint}") from None
    if found is None:
        names = ", ".join(columns) or "(none)"
        raise DataError(f"{label}: no {what} column found among: {names}. {hint}")
    if found == exclude:
        raise DataError(
            f"{label}: column {found!r} cannot be both the parish code and the {what}. {hint}"
        )
    return found


def _cell_text(value: Any) -> str | None:
    """Return a cell as stripped text, or None when it is blank or missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _parish_codes(values: pd.Series) -> list[str | None]:
    return [_cell_text(v) for v in values.tolist()]


def _whole_number(value: str | None) -> tuple[int | None, str | None]:
    """Parse a population cell: (number, None) or (None, the reason it is not one)."""
    if value is None:
        return None, "no population value"
    digits = value.replace(",", "") if _GROUPED.fullmatch(value) else value
    negative = digits.startswith("-")
    unsigned = digits[1:].strip() if negative else digits
    if not _PLAIN.fullmatch(unsigned):
        if "," in value:
            return None, (
                f"population {value!r} is not a number (commas must separate thousands, "
                "as in 1,234)"
            )
        return None, f"population {value!r} is not a number"
    if negative and float(unsigned) != 0:
        return None, f"population {value!r} is negative"
    number = float(unsigned)
    if number != int(number):
        return None, f"population {value!r} is not a whole number of people"
    return int(number), None


def _rows_phrase(rows: list[int]) -> str:
    """``"row 5"`` or ``"rows 5, 9"`` (the first ten, then how many more)."""
    return f"row{'s' if len(rows) > 1 else ''} {listing(rows)}"


def _missing(
    joined: gpd.GeoDataFrame,
    codes: list[str | None],
    rejected_rows: dict[str, list[int]],
    source: str,
) -> pd.DataFrame:
    """List the parishes that got no population, with the reason."""
    absent = joined["population"].isna().to_numpy()
    names = (
        joined["parish_name"].tolist() if "parish_name" in joined.columns else [None] * len(joined)
    )
    out_codes: list[str | None] = []
    out_names: list[Any] = []
    reasons: list[str] = []
    for i in np.flatnonzero(absent):
        code = codes[i]
        out_codes.append(code)
        out_names.append(names[i])
        if code is None:
            reasons.append("the parish has no code")
        elif code in rejected_rows:
            reasons.append(f"rejected in the {source}: {_rows_phrase(rejected_rows[code])}")
        else:
            reasons.append(f"no row in the {source}")
    return pd.DataFrame(
        {
            "parish_code": pd.array(out_codes, dtype="str"),
            "parish_name": pd.array(out_names, dtype="str"),
            "reason": pd.array(reasons, dtype="str"),
        }
    )


def _table_provenance(table: pd.DataFrame) -> Provenance:
    """Return a demo table's provenance, or the Census's (ONS, OGL v3) for any other."""
    recorded = provenance_of(table)
    return recorded if recorded.is_demo else CENSUS_2021
