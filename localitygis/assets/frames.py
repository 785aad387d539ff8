"""The frames an asset register is made of: originals, assets and rejects.

:func:`originals_frame` keeps the rows as read, indexed by their row number (with a vector
layer's geometry as WKT), so that any later step can reject a row with its original
columns; :func:`register_rejects` builds ``rejects`` (``source``, ``row``, ``reason`` and those
columns); :func:`assets_frame` builds the accepted assets in the contract's column order.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from localitygis.assets.positions import Positions
from localitygis.crs import BNG
from localitygis.provenance import Provenance, with_provenance

_LOCATION_COLUMNS = ("parish_code", "parish_name", "locality", "tier", "tier_name")


def originals_frame(
    table: pd.DataFrame, geometry: gpd.GeoSeries | None, rows: NDArray[np.int64]
) -> pd.DataFrame:
    """Return the rows as read, indexed by row number (a vector layer's geometry as WKT)."""
    out = table.copy()
    if geometry is not None:
        wkt = shapely.to_wkt(np.asarray(geometry.values, dtype=object), rounding_precision=3)
        out["wkt" if "wkt" not in out.columns else "original_wkt"] = wkt
    out.index = pd.Index(rows, name="row")
    return out


def register_rejects(
    originals: pd.DataFrame, rows: NDArray[np.int64], reasons: NDArray[np.object_], source: str
) -> pd.DataFrame:
    """Return ``source``, ``row``, ``reason`` and the original columns of rejected rows."""
    body = originals.loc[rows].reset_index(drop=True)
    body = body.rename(
        columns={c: f"original_{c}" for c in body.columns if c in ("source", "row", "reason")}
    )
    head = pd.DataFrame(
        {
            "source": pd.array([source] * len(rows), dtype="str"),
            "row": np.asarray(rows, dtype=np.int64),
            "reason": pd.array(list(reasons), dtype="str"),
        }
    )
    return pd.concat([head, body], axis=1)


def assets_frame(
    *,
    accepted: NDArray[np.bool_],
    ids: NDArray[np.object_],
    names: NDArray[np.object_],
    category: NDArray[np.object_],
    partner: NDArray[np.object_],
    sector: NDArray[np.object_],
    positions: Positions,
    numbers: dict[str, NDArray],
    rows: NDArray[np.int64],
    table: pd.DataFrame,
    used: set[str],
    provenance: Provenance,
) -> gpd.GeoDataFrame:
    """Return the accepted rows as assets (EPSG:27700) in the contract's column order."""
    keep = np.flatnonzero(accepted)
    data: dict[str, Any] = {
        "asset_id": pd.array(ids[keep], dtype="str"),
        "name": pd.array(names[keep], dtype="str"),
        "category": pd.array(category[keep], dtype="str"),
        "partner": pd.array(partner[keep], dtype="str"),
        "sector": pd.array(sector[keep], dtype="str"),
        "postcode": pd.array(positions.postcode[keep], dtype="str"),
    }
    for column, values in numbers.items():
        data[column] = values[keep]
    data["position_source"] = pd.array(positions.how[keep], dtype="str")
    data["row"] = rows[keep]
    reserved = set(data) | set(_LOCATION_COLUMNS) | {"geometry"}
    for column in table.columns:
        if column in used:
            continue
        target = column if column not in reserved else f"original_{column}"
        data[target] = table[column].to_numpy()[keep]
    geometry = shapely.points(positions.x[keep], positions.y[keep])
    frame = gpd.GeoDataFrame(data, geometry=geometry, crs=BNG)
    return with_provenance(frame, provenance)
