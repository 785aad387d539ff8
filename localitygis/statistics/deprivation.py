"""Deprivation summaries: ranks and deciles summarised without averaging them as amounts.

A rank or a decile is a position in England's order, not an amount: the mean of two deciles
is not a decile. So a group of small areas is summarised by its population-weighted mean
rank (where 1 is the most deprived of England's 32,844 LSOAs), the share of its population
in England's most deprived 20 % (deciles 1 and 2), and the count of small areas in each
national decile.
"""

from __future__ import annotations

import pandas as pd

from localitygis.errors import DataError

__all__ = ["MOST_DEPRIVED_DECILES", "decile_counts", "most_deprived_share", "weighted_mean"]

#: National deciles counted as "England's most deprived 20 %".
MOST_DEPRIVED_DECILES = (1, 2)


def weighted_mean(values: pd.Series, weights: pd.Series, groups: pd.Series) -> pd.Series:
    """Weighted mean of ``values`` per group (NaN values and their weights left out).

    Examples
    --------
    >>> import pandas as pd
    >>> weighted_mean(pd.Series([100, 300]), pd.Series([3, 1]), pd.Series(["a", "a"]))
    a    150.0
    dtype: float64
    """
    values = pd.to_numeric(values, errors="coerce").astype(float)
    usable = values.notna()
    w = weights.astype(float).where(usable, 0.0)
    numerator = (values.fillna(0.0) * w).groupby(groups.to_numpy()).sum()
    denominator = w.groupby(groups.to_numpy()).sum()
    return numerator / denominator.where(denominator > 0)


def most_deprived_share(deciles: pd.Series, population: pd.Series, groups: pd.Series) -> pd.Series:
    """Share of each group's population living in national deciles 1 and 2.

    Examples
    --------
    >>> import pandas as pd
    >>> most_deprived_share(pd.Series([1, 2, 7]), pd.Series([100, 50, 850]),
    ...                     pd.Series(["a", "a", "a"]))
    a    0.15
    dtype: float64
    """
    decile = _deciles(deciles)
    low = decile.isin(MOST_DEPRIVED_DECILES).astype(float)
    known = decile.notna().astype(float)
    pop = population.astype(float)
    numerator = (low * pop).groupby(groups.to_numpy()).sum()
    denominator = (known * pop).groupby(groups.to_numpy()).sum()
    return numerator / denominator.where(denominator > 0)


def decile_counts(deciles: pd.Series, shares: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Small areas of each national decile per group (``decile_1`` … ``decile_10``).

    Under best fit each small area counts once; under area weighting it counts by its share.

    Examples
    --------
    >>> import pandas as pd
    >>> decile_counts(pd.Series([1, 1, 10]), pd.Series([1.0, 1.0, 1.0]),
    ...               pd.Series(["a", "b", "a"]))[["decile_1", "decile_10"]]
       decile_1  decile_10
    a       1.0        1.0
    b       1.0        0.0
    """
    decile = _deciles(deciles)
    table = pd.crosstab(
        groups.to_numpy(), decile.to_numpy(), values=shares.to_numpy(), aggfunc="sum"
    )
    table = table.reindex(columns=range(1, 11)).fillna(0.0)
    table.columns = [f"decile_{d}" for d in range(1, 11)]
    table.index.name = None
    return table


def _deciles(values: pd.Series) -> pd.Series:
    decile = pd.to_numeric(values, errors="coerce")
    wrong = decile.notna() & ~decile.isin(range(1, 11))
    if wrong.any():
        raise DataError(
            f"deciles must be whole numbers 1 to 10; found {decile[wrong].iloc[0]!r}. "
            "Is this the decile column?"
        )
    return decile.astype("Int64")
