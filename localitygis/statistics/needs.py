"""Locality needs profiles: people, ages and deprivation, and the variation within.

The small areas are LSOAs with the IoD2019 tables (File 1, the Index of Multiple
Deprivation; File 6, the population denominators) or any tables with the same measures.
Each LSOA goes whole to the locality of the parish holding its point (best fit, the ONS
method for building areas from LSOAs), so each locality's most and least deprived
neighbourhoods are real LSOAs and its population is the sum of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.errors import DataError
from localitygis.io import find_field
from localitygis.profiles import COUNTY
from localitygis.provenance import provenance_of, with_provenance
from localitygis.statistics.bestfit import best_fit
from localitygis.statistics.deprivation import decile_counts, most_deprived_share, weighted_mean
from localitygis.statistics.join import join_area_table

__all__ = ["AGE_BANDS", "NEEDS_FIELDS", "NeedsAreas", "needs_profile", "needs_small_areas"]

#: The needs measures and the column names that hold them (IoD2019 headers first).
NEEDS_FIELDS: dict[str, tuple[str, ...]] = {
    "population": (r"Total population.*", r"population", r"total_population"),
    "age_0_15": (r".*aged 0-15.*", r"aged?_0_15"),
    "age_16_59": (r".*aged 16-59.*", r"aged?_16_59"),
    "age_60_plus": (r".*aged 60 and over.*", r"aged?_60_plus"),
    "imd_rank": (r"Index of Multiple Deprivation \(IMD\) Rank.*", r"imd_rank"),
    "imd_decile": (r"Index of Multiple Deprivation \(IMD\) Decile.*", r"imd_decile"),
}
#: Age bands of the IoD2019 population denominators.
AGE_BANDS = ("age_0_15", "age_16_59", "age_60_plus")


@dataclass(frozen=True)
class NeedsAreas:
    """Small areas with their needs measures and the parish and locality each best-fits.

    Attributes
    ----------
    frame : geopandas.GeoDataFrame
        ``area_code``, ``area_name``, the measures found (``population``, ``age_0_15``,
        ``age_16_59``, ``age_60_plus``, ``imd_rank``, ``imd_decile``), ``parish_code``,
        ``locality`` (when the parishes have one) and geometry: ready for a choropleth.
    rejects : pandas.DataFrame
        Table rows and small areas not used, with the reason.
    other_rows : int
        Rows of national tables for other districts' areas, counted only.
    """

    frame: gpd.GeoDataFrame
    rejects: pd.DataFrame
    other_rows: int


def needs_small_areas(
    small_areas: gpd.GeoDataFrame,
    parishes: gpd.GeoDataFrame,
    tables: Sequence[pd.DataFrame],
    *,
    points: gpd.GeoDataFrame | None = None,
    key: str = "parish_code",
) -> NeedsAreas:
    """Join the needs tables to the small areas and best-fit each to a parish and locality.

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        LSOAs from :func:`~localitygis.statistics.read_small_areas`.
    parishes : geopandas.GeoDataFrame
        Parishes with ``key`` and (for profiles) ``locality``, EPSG:27700.
    tables : sequence of pandas.DataFrame
        From :func:`~localitygis.statistics.read_area_table`: e.g. IoD2019 File 1 and
        File 6, national or cut to the county. Their measures are recognised by header
        (see :data:`NEEDS_FIELDS`) and renamed. Measures the small areas carry themselves
        (as the demo's ``lsoas`` layer does) are recognised too, so ``tables`` may be empty.
    points : geopandas.GeoDataFrame, optional
        Population-weighted centroids (``area_code``) for the best fit.
    key : str, default "parish_code"
        The parishes' code column.

    Returns
    -------
    NeedsAreas

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1"], "locality": ["Kington"]},
    ...     geometry=[box(0, 0, 10, 10)], crs=27700)
    >>> lsoas = gpd.GeoDataFrame({"area_code": ["E01"], "area_name": ["Kington 001A"]},
    ...     geometry=[box(1, 1, 9, 9)], crs=27700)
    >>> imd = pd.DataFrame({"area_code": ["E01"], "Index of Multiple Deprivation (IMD) Rank":
    ...     [1296], "Index of Multiple Deprivation (IMD) Decile": [1]})
    >>> needs = needs_small_areas(lsoas, parishes, [imd])
    >>> needs.frame[["area_code", "imd_rank", "imd_decile", "locality"]].to_dict("records")
    [{'area_code': 'E01', 'imd_rank': 1296, 'imd_decile': 1, 'locality': 'Kington'}]
    """
    frame = _recognised(small_areas, required=False)
    rejects = []
    other_rows = 0
    for table in tables:
        renamed = _recognised(table)
        joined = join_area_table(frame, renamed)
        frame, other_rows = joined.frame, other_rows + joined.other_rows
        rejects.append(joined.rejects)
    fit = best_fit(frame, parishes, key=key, points=points)
    rejects.append(fit.rejects)
    where = fit.memberships[["area_code", "target"]].rename(columns={"target": key})
    if "locality" in parishes.columns:
        localities = pd.DataFrame(parishes[[key, "locality"]]).astype({key: str})
        where = where.merge(localities, on=key, how="left")
    placed = frame.merge(where, on="area_code", how="inner")
    provenance = provenance_of(frame).combined(provenance_of(parishes))
    return NeedsAreas(
        frame=with_provenance(placed, provenance),
        rejects=pd.concat(rejects, ignore_index=True),
        other_rows=other_rows,
    )


def _recognised(table: pd.DataFrame, *, required: bool = True) -> pd.DataFrame:
    """Rename the needs measures found by header; none found is an error if ``required``."""
    source = str(table.attrs.get("source", "table"))
    renames = {}
    for measure, patterns in NEEDS_FIELDS.items():
        column = find_field(
            [c for c in table.columns if c != "area_code"],
            patterns,
            what=measure,
            source=source,
            required=False,
        )
        if column is not None:
            renames[column] = measure
    if not renames and required:
        raise DataError(
            f"{source}: none of the needs measures ({', '.join(NEEDS_FIELDS)}) found among "
            f"its columns; is it an IoD2019 table?"
        )
    out = table.rename(columns=renames)
    out.attrs = dict(table.attrs)
    return out


def needs_profile(needs: gpd.GeoDataFrame | NeedsAreas, *, by: str = "locality") -> pd.DataFrame:
    """Profile each locality's needs against the county, and the variation within it.

    Parameters
    ----------
    needs : NeedsAreas or geopandas.GeoDataFrame
        From :func:`needs_small_areas` (its ``frame``): one row per small area with ``by``
        and the measures.
    by : str, default "locality"
        The grouping column.

    Returns
    -------
    pandas.DataFrame
        One row per locality (in order of first appearance) and a last ``"County"`` row:
        ``small_areas``; with populations ``population`` and each age band with its
        ``…_share``, and ``age_60_plus_vs_county`` (the 60+ share over the county's: 1.2
        means a fifth more older people than the county); with deprivation
        ``imd_mean_rank`` (population-weighted; 1 = most deprived in England),
        ``most_deprived_20pc_share`` (of the population, deciles 1–2), ``imd_decile_1`` …
        ``imd_decile_10`` (small areas), the most and least deprived small areas
        (``most_deprived_code``, ``…_name``, ``…_decile``; ``least_deprived_…``) and
        ``imd_rank_range`` (the least deprived rank minus the most deprived) and
        ``imd_rank_p10_p90``, the interdecile spread: the population-weighted 90th minus
        10th percentile of rank (the middle 80 % of the people; by small area when there is
        no population), which one outlying small area does not stretch.

    Examples
    --------
    >>> import pandas as pd
    >>> areas = pd.DataFrame({"area_code": ["A", "B", "C"], "area_name": ["a", "b", "c"],
    ...     "locality": ["Kington", "Kington", "Ross"], "population": [1000, 1000, 2000],
    ...     "age_60_plus": [500, 300, 400], "imd_rank": [3000, 30000, 12000],
    ...     "imd_decile": [1, 10, 4]})
    >>> table = needs_profile(areas)
    >>> table[["locality", "age_60_plus_share", "age_60_plus_vs_county", "imd_mean_rank"]]
      locality  age_60_plus_share  age_60_plus_vs_county  imd_mean_rank
    0  Kington                0.4                   1.33        16500.0
    1     Ross                0.2                   0.67        12000.0
    2   County                0.3                   1.00        14250.0
    >>> table["most_deprived_code"].tolist(), table["imd_rank_range"].tolist()
    (['A', 'C', 'A'], [27000, 0, 27000])
    >>> table["imd_rank_p10_p90"].tolist()
    [27000.0, 0.0, 27000.0]
    """
    frame = pd.DataFrame(needs.frame if isinstance(needs, NeedsAreas) else needs)
    if by not in frame.columns:
        raise DataError(f"the small areas have no {by!r} column; best-fit them first.")
    frame = frame[frame[by].notna()].copy()
    names = pd.Index(pd.unique(frame[by].astype(str)))
    local = _block(frame, frame[by].astype(str)).reindex(names)
    county = _block(frame, pd.Series(COUNTY, index=frame.index))
    table = pd.concat([local, county])
    table = _against_county(table)
    table.index.name = by
    return table.reset_index()


def _block(frame: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Every measure for the groups: people, ages, deprivation and its variation."""
    parts = [groups.groupby(groups).size().rename("small_areas")]
    if "population" in frame:
        parts.append(_people(frame, groups))
    if "imd_rank" in frame and "population" in frame:
        parts.append(
            weighted_mean(frame["imd_rank"], frame["population"], groups).rename("imd_mean_rank")
        )
    if "imd_decile" in frame and "population" in frame:
        share = most_deprived_share(frame["imd_decile"], frame["population"], groups)
        parts.append(share.rename("most_deprived_20pc_share"))
    if "imd_decile" in frame:
        counts = decile_counts(frame["imd_decile"], pd.Series(1, index=frame.index), groups)
        parts.append(counts.add_prefix("imd_").astype(np.int64))
    if "imd_rank" in frame:
        parts.append(_variation(frame, groups))
    return pd.concat(parts, axis=1)


def _people(frame: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    bands = [b for b in AGE_BANDS if b in frame.columns]
    sums = frame[["population", *bands]].groupby(groups).sum()
    for band in bands:
        sums[f"{band}_share"] = sums[band] / sums["population"].where(sums["population"] > 0)
    return sums


def _variation(frame: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Most and least deprived small area of each group, and the spread of ranks."""
    ranked = frame.assign(_group=groups.to_numpy()).dropna(subset=["imd_rank"])
    ranked = ranked.sort_values(["_group", "imd_rank", "area_code"])
    grouped = ranked.groupby("_group")
    out = {}
    for label, pick in (("most_deprived", grouped.head(1)), ("least_deprived", grouped.tail(1))):
        chosen = pick.set_index("_group")
        out[f"{label}_code"] = chosen["area_code"]
        out[f"{label}_name"] = chosen["area_name"] if "area_name" in chosen else chosen["area_code"]
        if "imd_decile" in chosen:
            out[f"{label}_decile"] = chosen["imd_decile"]
    ranks = grouped["imd_rank"]
    out["imd_rank_range"] = ranks.max() - ranks.min()
    weights = (
        ranked["population"].fillna(0) if "population" in ranked else ranked["imd_rank"] * 0 + 1
    )
    spread = {
        group: _interdecile(part["imd_rank"].to_numpy(float), weights[part.index].to_numpy(float))
        for group, part in grouped
    }
    out["imd_rank_p10_p90"] = pd.Series(spread)
    return pd.DataFrame(out)


def _interdecile(ranks: np.ndarray, weights: np.ndarray) -> float:
    """Weighted 90th minus 10th percentile of the ranks (lower weighted quantiles).

    The people in the middle 80 % live between these ranks; one outlying small area does
    not widen it, as it widens the range.

    Examples
    --------
    >>> _interdecile(np.array([100.0, 200.0, 300.0]), np.array([1.0, 18.0, 1.0]))
    0.0
    >>> _interdecile(np.array([100.0, 200.0]), np.array([1.0, 1.0]))
    100.0
    """
    order = np.argsort(ranks, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum() if weights.sum() > 0 else None
    if cumulative is None:
        return float("nan")
    at = np.minimum(np.searchsorted(cumulative, [0.1, 0.9], side="left"), len(ranks) - 1)
    low, high = ranks[order][at]
    return float(high - low)


def _against_county(table: pd.DataFrame) -> pd.DataFrame:
    if "age_60_plus_share" in table:
        county = table.loc[COUNTY, "age_60_plus_share"]
        ratio = table["age_60_plus_share"] / county if county else np.nan
        position = table.columns.get_loc("age_60_plus_share") + 1
        table.insert(position, "age_60_plus_vs_county", np.round(ratio, 2))
    return table
