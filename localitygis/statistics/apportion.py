"""Apportioning small-area figures to parishes and localities, with the totals checked.

Counts (people, households) are summed by share: under best fit each small area goes whole
to one parish, so counts are conserved exactly; under area weighting they are split by
area share and conserved to 1e-9 relative. Rates and scores are means weighted by a
population column (or by area when none is named). Ranks and deciles are never averaged as
amounts (see :mod:`~localitygis.statistics.deprivation`). Every total is checked at run time
and reported in ``totals``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.errors import DataError
from localitygis.provenance import provenance_of, with_provenance
from localitygis.statistics._common import Fit
from localitygis.statistics.bestfit import best_fit
from localitygis.statistics.deprivation import decile_counts, most_deprived_share, weighted_mean
from localitygis.statistics.weighting import area_weighted

__all__ = ["METHODS", "Apportionment", "Measures", "apportion", "fit_small_areas"]

Method = Literal["best_fit", "area_weighted"]
#: The two methods: ONS best fit and area weighting.
METHODS = ("best_fit", "area_weighted")
#: Relative tolerance of the area-weighted count check.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Measures:
    """Which columns are what: counts, means, ranks, deciles, and the weight.

    Attributes
    ----------
    counts : tuple of str
        Amounts that add up (people, households): summed by share.
    means : tuple of str
        Rates and scores: averaged, weighted by ``weight`` (or by area when it is None).
    ranks : tuple of str
        National ranks: population-weighted mean rank (needs ``weight``).
    deciles : tuple of str
        National deciles: share of the population in deciles 1–2 and small areas per decile
        (needs ``weight``).
    weight : str, optional
        The population column weighting means, ranks and deciles.
    """

    counts: tuple[str, ...] = ()
    means: tuple[str, ...] = ()
    ranks: tuple[str, ...] = ()
    deciles: tuple[str, ...] = ()
    weight: str | None = None

    def columns(self) -> list[str]:
        """Every column named, once."""
        named = [*self.counts, *self.means, *self.ranks, *self.deciles]
        named += [self.weight] if self.weight else []
        return list(dict.fromkeys(named))


@dataclass(frozen=True)
class Apportionment:
    """The outcome of :func:`apportion`.

    Attributes
    ----------
    method : str
        ``"best_fit"`` or ``"area_weighted"``.
    by : str
        The grouping column of the table (``"parish_code"``, ``"locality"``).
    table : pandas.DataFrame
        One row per target (every target, in the targets' order): ``by``, ``small_areas``
        (how many small areas, or shares of them, it holds) and the measures.
    fit : Fit
        The memberships behind the table.
    rejects : pandas.DataFrame
        Small areas not apportioned, with the reason.
    totals : pandas.DataFrame
        Per count column: ``small_areas_total`` (of the apportioned areas),
        ``result_total``, ``rejected_total`` (of the rejected areas) and ``difference``.
    """

    method: str
    by: str
    table: pd.DataFrame
    fit: Fit
    rejects: pd.DataFrame
    totals: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """Say the method, what was apportioned and that the totals reconcile.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely import box
        >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1"]},
        ...     geometry=[box(0, 0, 10, 10)], crs=27700)
        >>> areas = gpd.GeoDataFrame({"area_code": ["A"], "people": [7]},
        ...     geometry=[box(1, 1, 9, 9)], crs=27700)
        >>> print(apportion(areas, parishes, Measures(counts=("people",))).summary())
        best fit: 1 small area(s) to 1 parish_code; 0 rejected; people: 7 = 7
        """
        placed = self.fit.memberships["area_code"].nunique()
        text = (
            f"{self.method.replace('_', ' ')}: {placed} small area(s) to {len(self.table)} "
            f"{self.by}; {len(self.rejects)} rejected"
        )
        for row in self.totals.itertuples(index=False):
            text += (
                f"; {row.column}: {_number(row.small_areas_total)} = {_number(row.result_total)}"
            )
        return text


def fit_small_areas(
    small_areas: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    *,
    method: Method = "best_fit",
    key: str = "parish_code",
    points: gpd.GeoDataFrame | None = None,
) -> Fit:
    """Fit small areas to targets by the chosen method.

    See :func:`~localitygis.statistics.best_fit` and
    :func:`~localitygis.statistics.area_weighted`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1"]},
    ...     geometry=[box(0, 0, 10, 10)], crs=27700)
    >>> areas = gpd.GeoDataFrame({"area_code": ["A"]}, geometry=[box(1, 1, 9, 9)], crs=27700)
    >>> fit_small_areas(areas, parishes, method="area_weighted").memberships["share"].tolist()
    [1.0]
    """
    if method == "best_fit":
        return best_fit(small_areas, targets, key=key, points=points)
    if method == "area_weighted":
        if points is not None:
            raise DataError("points (population-weighted centroids) are for best fit only.")
        return area_weighted(small_areas, targets, key=key)
    raise DataError(f"unknown method {method!r}: use 'best_fit' or 'area_weighted'.")


def apportion(
    small_areas: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    measures: Measures,
    *,
    method: Method = "best_fit",
    key: str = "parish_code",
    by: str | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> Apportionment:
    """Apportion small-area figures to parishes (or localities), totals checked.

    Parameters
    ----------
    small_areas : geopandas.GeoDataFrame
        Small areas with their figures (e.g. :attr:`AreaJoin.frame`), EPSG:27700.
    targets : geopandas.GeoDataFrame
        Parishes with ``key`` (and ``by``, e.g. ``locality``), EPSG:27700.
    measures : Measures
        Which columns are counts, means, ranks and deciles, and the population weight.
    method : {"best_fit", "area_weighted"}
        Best fit (each small area whole to the parish holding its point) or area weighting.
    key : str, default "parish_code"
        The targets' code column.
    by : str, optional
        Group the parishes' figures by this column of the targets (``"locality"``);
        default ``key``. Localities are unions of parishes, so both methods give the same
        locality figures as fitting to the localities directly.
    points : geopandas.GeoDataFrame, optional
        Population-weighted centroids (``area_code``) for best fit.

    Returns
    -------
    Apportionment

    Raises
    ------
    DataError
        Unknown columns, non-numeric counts, ranks or deciles without a weight, or a
        total that fails to reconcile (a bug: please report it).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame({"parish_code": ["P1", "P2"], "locality": ["L", "L"]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    >>> areas = gpd.GeoDataFrame({"area_code": ["A", "B"], "people": [30, 60],
    ...                           "rank": [100, 400], "decile": [1, 5]},
    ...     geometry=[box(0, 0, 10, 10), box(5, 0, 20, 10)], crs=27700)
    >>> measures = Measures(counts=("people",), ranks=("rank",), deciles=("decile",),
    ...                     weight="people")
    >>> apportion(areas, parishes, measures, method="area_weighted").table[
    ...     ["parish_code", "people", "rank: mean rank"]]
      parish_code  people  rank: mean rank
    0          P1    50.0            220.0
    1          P2    40.0            400.0
    >>> apportion(areas, parishes, measures, by="locality").table[
    ...     ["locality", "people", "decile: most deprived 20% share"]]
      locality  people  decile: most deprived 20% share
    0        L      90                         0.333333
    """
    _check_measures(small_areas, measures)
    fit = fit_small_areas(small_areas, targets, method=method, key=key, points=points)
    group_by = by or key
    parts = _parts(fit, small_areas, targets, key, group_by, measures)
    groups = parts["group"]
    order = pd.Index(pd.unique(targets[group_by].astype(str)))
    columns: dict[str, pd.Series] = {"small_areas": parts["share"].groupby(groups).sum()}
    columns |= _counts(parts, measures, fit.method)
    columns |= _means(parts, measures)
    table = pd.DataFrame(columns).reindex(order)
    table = pd.concat([table, _deprivation(parts, measures).reindex(order)], axis=1)
    table = _fill_empty(table, measures, fit.method)
    table.index.name = group_by
    table = table.reset_index()
    rejects = fit.rejects
    totals = _reconcile(small_areas, fit, table, measures)
    provenance = provenance_of(small_areas).combined(provenance_of(targets))
    return Apportionment(
        method=fit.method,
        by=group_by,
        table=with_provenance(table, provenance),
        fit=fit,
        rejects=rejects,
        totals=totals,
    )


def _check_measures(small_areas: pd.DataFrame, measures: Measures) -> None:
    missing = [c for c in measures.columns() if c not in small_areas.columns]
    if missing:
        raise DataError(
            f"no column(s) {', '.join(map(repr, missing))} among the small areas' columns: "
            f"{', '.join(map(str, small_areas.columns))}."
        )
    if (measures.ranks or measures.deciles) and not measures.weight:
        raise DataError(
            "ranks and deciles are summarised by population: name the population column "
            "(weight=..., --weight)."
        )
    for column in [*measures.counts, *measures.means, *measures.ranks, *measures.deciles]:
        if not pd.api.types.is_numeric_dtype(small_areas[column]):
            raise DataError(
                f"column {column!r} is not numeric in every row; fix the table or leave the "
                "column out."
            )


def _parts(
    fit: Fit,
    small_areas: pd.DataFrame,
    targets: pd.DataFrame,
    key: str,
    group_by: str,
    measures: Measures,
) -> pd.DataFrame:
    """One row per (small area, target) part: its group, share, overlap and values."""
    values = pd.DataFrame(small_areas[["area_code", *measures.columns()]]).copy()
    values["area_code"] = values["area_code"].astype(str)
    parts = fit.memberships.merge(values, on="area_code", how="left")  # codes are unique
    if group_by not in targets.columns:
        raise DataError(f"targets have no {group_by!r} column to group by.")
    group_of = pd.Series(
        targets[group_by].astype(str).to_numpy(), index=targets[key].astype(str).to_numpy()
    )
    parts["group"] = group_of.reindex(parts["target"]).to_numpy()
    return parts


def _counts(parts: pd.DataFrame, measures: Measures, method: str) -> dict[str, pd.Series]:
    out = {}
    for column in measures.counts:
        values = parts[column]
        if method == "best_fit":
            out[column] = values.groupby(parts["group"]).sum(min_count=0)
        else:
            out[column] = (values.astype(float) * parts["share"]).groupby(parts["group"]).sum()
    return out


def _means(parts: pd.DataFrame, measures: Measures) -> dict[str, pd.Series]:
    if measures.weight:
        weights = parts[measures.weight].astype(float) * parts["share"]
    else:
        weights = parts["area_m2"].astype(float)
    return {
        column: weighted_mean(parts[column], weights, parts["group"]) for column in measures.means
    }


def _deprivation(parts: pd.DataFrame, measures: Measures) -> pd.DataFrame:
    pieces = []
    if measures.weight:
        population = parts[measures.weight].astype(float) * parts["share"]
    for column in measures.ranks:
        mean = weighted_mean(parts[column], population, parts["group"])
        pieces.append(mean.rename(f"{column}: mean rank"))
    for column in measures.deciles:
        share = most_deprived_share(parts[column], population, parts["group"])
        pieces.append(share.rename(f"{column}: most deprived 20% share"))
        counts = decile_counts(parts[column], parts["share"], parts["group"])
        pieces.append(counts.add_prefix(f"{column}: "))
    return pd.concat(pieces, axis=1) if pieces else pd.DataFrame()


def _fill_empty(table: pd.DataFrame, measures: Measures, method: str) -> pd.DataFrame:
    """Targets no small area reaches hold zero counts (means stay missing)."""
    counted = ["small_areas", *measures.counts]
    counted += [c for c in table.columns if ": decile_" in c]
    for column in counted:
        table[column] = table[column].fillna(0)
        if method == "best_fit" and (table[column] % 1 == 0).all():
            table[column] = table[column].astype(np.int64)
    return table


def _reconcile(
    small_areas: pd.DataFrame, fit: Fit, table: pd.DataFrame, measures: Measures
) -> pd.DataFrame:
    """Check every count's total: what went in is what came out."""
    placed = small_areas["area_code"].astype(str).isin(fit.memberships["area_code"])
    rows = []
    for column in measures.counts:
        given = _total(small_areas.loc[placed.to_numpy(), column])
        result = _total(table[column])
        rejected = _total(small_areas.loc[~placed.to_numpy(), column])
        exact = fit.method == "best_fit" and pd.api.types.is_integer_dtype(
            small_areas[column].dtype
        )
        if (exact and given != result) or not math.isclose(given, result, rel_tol=TOLERANCE):
            raise DataError(
                f"{column}: the small areas hold {given} but the result holds {result}; "
                "the apportionment lost people. This is a bug: please report it."
            )
        rows.append((column, given, result, rejected, result - given))
    return pd.DataFrame(
        rows,
        columns=["column", "small_areas_total", "result_total", "rejected_total", "difference"],
    )


def _total(values: pd.Series) -> float | int:
    numbers = values.dropna()
    if pd.api.types.is_integer_dtype(numbers.dtype):
        return int(numbers.sum())
    return math.fsum(numbers.astype(float))


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value) % 1 == 0 else f"{value:,.6g}"
