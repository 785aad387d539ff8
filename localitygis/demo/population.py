"""Populations of the demo county: the real LSOA figures, apportioned to OAs and parishes.

The rule, documented so a user can check it:

1. **LSOA → OA**: each age band (0–15, 16–59, 60+) of an LSOA's IoD2019 mid-2015 population
   is split equally over its Output Areas (OAs are designed to hold similar numbers of
   people), in whole people by the largest remainder, ties going to the OA with the lower
   code. An OA's total is the sum of its bands.
2. **OA → parish**: an OA cut by parish boundaries shares each band among its pieces by area,
   again in whole people by the largest remainder. A parish's bands are the sums over its
   pieces, and its total the sum of its bands.

Nothing is lost or made up at either step: every total is an exact integer sum, so the county
adds up to the LSOAs' 188,522 and every band to the county's band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["AGE_BANDS", "apportion", "oa_populations", "split_integer"]

#: The age-band columns, in order; ``population`` is always their sum.
AGE_BANDS = ("aged_0_15", "aged_16_59", "aged_60_plus")


def split_integer(total: int, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    Ties are broken by position, so the result never depends on anything but the inputs.

    Examples
    --------
    >>> split_integer(10, np.array([1.0, 1.0, 1.0])).tolist()
    [4, 3, 3]
    """
    weights = np.asarray(weights, dtype=float)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(np.int64)
    short = int(total - base.sum())
    order = np.lexsort((np.arange(len(exact)), -(exact - base)))
    base[order[:short]] += 1
    return base


def apportion(
    totals: pd.DataFrame, parts: pd.Series, weights: NDArray[np.float64] | None = None
) -> pd.DataFrame:
    """Split each whole's age bands over its parts, in whole people (largest remainder).

    Parameters
    ----------
    totals : pandas.DataFrame
        Indexed by whole (e.g. LSOA code), with the :data:`AGE_BANDS` columns.
    parts : pandas.Series
        For each part (in order), the whole it belongs to.
    weights : numpy.ndarray, optional
        Each part's weight (e.g. its area); equal weights when not given.

    Returns
    -------
    pandas.DataFrame
        One row per part (same index as ``parts``): the bands and their sum ``population``.

    Examples
    --------
    >>> lsoa = pd.DataFrame({"aged_0_15": [3], "aged_16_59": [10], "aged_60_plus": [5]},
    ...                     index=["L1"])
    >>> apportion(lsoa, pd.Series(["L1", "L1"], index=["A", "B"])).to_dict("index")
    {'A': {'aged_0_15': 2, 'aged_16_59': 5, 'aged_60_plus': 3, 'population': 10}, \
'B': {'aged_0_15': 1, 'aged_16_59': 5, 'aged_60_plus': 2, 'population': 8}}
    """
    weight = np.ones(len(parts)) if weights is None else np.asarray(weights, dtype=float)
    out = np.zeros((len(parts), len(AGE_BANDS)), dtype=np.int64)
    whole = parts.to_numpy()
    for key in pd.unique(whole):
        rows = np.flatnonzero(whole == key)
        for b, band in enumerate(AGE_BANDS):
            out[rows, b] = split_integer(int(totals.at[key, band]), weight[rows])
    frame = pd.DataFrame(out, columns=list(AGE_BANDS), index=parts.index)
    frame["population"] = frame.sum(axis=1)
    return frame


def oa_populations(oa_codes: pd.Series, lsoa_codes: pd.Series, lsoas: pd.DataFrame) -> pd.DataFrame:
    """Apportion the LSOAs' age bands equally over their OAs (rule 1 above).

    Parameters
    ----------
    oa_codes, lsoa_codes : pandas.Series
        Each OA's code and its LSOA's code.
    lsoas : pandas.DataFrame
        ``LSOA11CD`` and the :data:`AGE_BANDS` columns.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``oa_codes``: the bands and ``population``.
    """
    order = np.lexsort((oa_codes.to_numpy(), lsoa_codes.to_numpy()))  # ties: lower OA code
    parts = lsoa_codes.iloc[order]
    table = apportion(lsoas.set_index("LSOA11CD"), parts)
    return table.loc[oa_codes.index]
