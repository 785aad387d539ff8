"""Joining a table keyed by small-area code to the small areas.

Every row and every area is accounted for: matched areas carry the table's columns; table
rows without a code, repeating a code, or naming an area the geometry lacks, and areas the
table lacks, are listed in ``rejects`` with the reason. A national table is filtered to the
areas in hand: rows of other districts are counted (``other_rows``), not listed one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.errors import DataError
from localitygis.io import find_field
from localitygis.localities.quality import rejects_frame
from localitygis.provenance import provenance_of, with_provenance

__all__ = ["DISTRICT_FIELD_PATTERNS", "AreaJoin", "join_area_table"]

#: District columns of small-area tables (ONS names and the IoD2019 header).
DISTRICT_FIELD_PATTERNS = (
    r"(?:LAD|LTLA|UTLA)\d\dCD",
    r"Local Authority District code(?: \(\d{4}\))?",
    r"district_code",
    r"lad_code",
)


@dataclass(frozen=True)
class AreaJoin:
    """The outcome of :func:`join_area_table`.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        The matched small areas with the table's columns.
    rejects : pandas.DataFrame
        ``source``, ``row``, ``reason``, ``area_code`` and the original columns: table rows
        not used and small areas without a row.
    other_rows : int
        Rows of the table for other districts' areas (a national table), counted only.
    table_rows : int
        Rows in the table: ``len(frame)`` + table rejects + ``other_rows``.
    """

    frame: gpd.GeoDataFrame
    rejects: pd.DataFrame
    other_rows: int
    table_rows: int

    def summary(self) -> str:
        """Say what matched, what did not, and how many rows were other areas'.

        Examples
        --------
        >>> import geopandas as gpd, pandas as pd
        >>> from shapely import box
        >>> areas = gpd.GeoDataFrame({"area_code": ["A"], "area_name": ["a"]},
        ...                          geometry=[box(0, 0, 1, 1)], crs=27700)
        >>> table = pd.DataFrame({"area_code": ["A", "B"], "n": [1, 2]})
        >>> print(join_area_table(areas, table).summary())
        1 small area(s) matched 1 of 2 table row(s); 1 row(s) unmatched (listed in rejects)
        """
        unmatched = len(self.rejects)
        text = (
            f"{len(self.frame)} small area(s) matched {len(self.frame)} of "
            f"{self.table_rows:,} table row(s)"
        )
        if self.other_rows:
            text += f"; {self.other_rows:,} row(s) for other districts' areas left out"
        if unmatched:
            text += f"; {unmatched} row(s) unmatched (listed in rejects)"
        return text


def join_area_table(
    small_areas: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    district_field: str | None = None,
) -> AreaJoin:
    """Join a table to small areas by code, accounting for every row and every area.

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        From :func:`~localitygis.statistics.read_small_areas` (``area_code``).
    table : pandas.DataFrame
        From :func:`~localitygis.statistics.read_area_table` (``area_code``).
    district_field : str, optional
        The table's district column (``"Local Authority District code (2019)"``,
        ``LAD19CD``… are recognised). Rows of districts none of the matched rows belong to
        are another area's (a national table): counted, not listed.

    Returns
    -------
    AreaJoin

    Raises
    ------
    DataError
        When no code of the table matches any small area.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> areas = gpd.GeoDataFrame({"area_code": ["E1", "E2"], "area_name": ["a", "b"]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=27700)
    >>> table = pd.DataFrame({"area_code": ["E1", "E1", "W9"], "LAD19CD": ["X", "X", "W"],
    ...                       "n": [5, 6, 7]})
    >>> joined = join_area_table(areas, table)
    >>> joined.frame[["area_code", "n"]].to_dict("records"), joined.other_rows
    ([{'area_code': 'E1', 'n': 5}], 1)
    >>> joined.rejects[["source", "row", "area_code", "reason"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'source': 'table', 'row': 3, 'area_code': 'E1', 'reason': 'repeats the code of row 2'},
     {'source': 'small areas', 'row': 2, 'area_code': 'E2',
      'reason': 'no row in table for this code'}]
    """
    for frame, what in ((small_areas, "small areas"), (table, "table")):
        if "area_code" not in frame.columns:
            raise DataError(
                f"{what} lack an area_code column; read them with read_small_areas / "
                "read_area_table."
            )
    source = str(table.attrs.get("source", "table"))
    geometry_source = str(small_areas.attrs.get("source", "small areas"))
    codes = table["area_code"].astype(object)
    known = set(small_areas["area_code"].astype(str))
    problems = _table_problems(codes, known, geometry_source)
    matched = problems.isna()
    if not matched.any():
        raise DataError(
            f"{source}: no code in the table matches a small area of {geometry_source}; "
            "is it keyed by the same geography (e.g. LSOA 2011, not 2021)?"
        )
    other = _other_districts(table, matched, problems, district_field, source)
    listed = problems.notna() & ~other
    rejects = [_table_rejects(table, listed, problems, source)]
    used = table[matched.to_numpy()]
    missing = ~small_areas["area_code"].astype(str).isin(set(used["area_code"].astype(str)))
    if missing.any():
        rejects.append(_area_rejects(small_areas, missing, source))
    columns = [c for c in used.columns if c not in small_areas.columns or c == "area_code"]
    joined = small_areas.merge(used[columns], on="area_code", how="inner", validate="1:1")
    provenance = provenance_of(small_areas).combined(provenance_of(table))
    return AreaJoin(
        frame=with_provenance(joined, provenance),
        rejects=pd.concat(rejects, ignore_index=True),
        other_rows=int(other.sum()),
        table_rows=len(table),
    )


def _table_problems(codes: pd.Series, known: set[str], geometry_source: str) -> pd.Series:
    """One reason per table row that cannot be used (missing where the row is used)."""
    problems = pd.Series([None] * len(codes), index=codes.index, dtype=object)
    blank = codes.isna()
    problems[blank] = "no code"
    text = codes.astype(str)
    first = pd.Series(np.arange(len(codes)), index=codes.index).groupby(text).transform("min")
    repeated = ~blank & text.duplicated(keep="first")
    problems[repeated] = [f"repeats the code of row {int(r) + 2}" for r in first[repeated]]
    unknown = ~blank & ~repeated & ~text.isin(known)
    problems[unknown] = f"no small area in {geometry_source} has this code"
    return problems


def _other_districts(
    table: pd.DataFrame,
    matched: pd.Series,
    problems: pd.Series,
    district_field: str | None,
    source: str,
) -> pd.Series:
    """Rows unmatched because they belong to other districts than the matched rows'."""
    field = find_field(
        table.columns,
        DISTRICT_FIELD_PATTERNS,
        what="district field",
        source=source,
        explicit=district_field,
        required=False,
    )
    if field is None:
        return pd.Series(False, index=table.index)
    districts = table[field].astype(str)
    ours = set(districts[matched])
    return problems.notna() & ~districts.isin(ours) & table["area_code"].notna()


def _table_rejects(
    table: pd.DataFrame, listed: pd.Series, problems: pd.Series, source: str
) -> pd.DataFrame:
    positions = np.flatnonzero(listed.to_numpy())
    return rejects_frame(
        pd.DataFrame(table),
        positions.tolist(),
        problems.iloc[positions].tolist(),
        source=source,
        rows=(positions + 2).tolist(),
    )


def _area_rejects(small_areas: gpd.GeoDataFrame, missing: pd.Series, source: str) -> pd.DataFrame:
    positions = np.flatnonzero(missing.to_numpy())
    plain = pd.DataFrame(small_areas.drop(columns=small_areas.geometry.name))
    return rejects_frame(
        plain,
        positions.tolist(),
        [f"no row in {source} for this code"] * len(positions),
        source=str(small_areas.attrs.get("source", "small areas")),
    )
