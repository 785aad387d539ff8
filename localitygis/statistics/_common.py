"""What best fit and area weighting share: the checked inputs and the memberships they make."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.errors import CRSError, DataError
from localitygis.localities.quality import repair_geometries

#: Columns of a memberships table: which part of each small area goes to which target.
MEMBERSHIP_COLUMNS = ("area_code", "target", "share", "area_m2")


@dataclass(frozen=True)
class Fit:
    """Which share of each small area belongs to which target (parish or locality).

    Attributes
    ----------
    method : str
        ``"best_fit"`` or ``"area_weighted"``.
    key : str
        The targets' code column (``"parish_code"``).
    memberships : pandas.DataFrame
        ``area_code``, ``target`` (the target's code), ``share`` (0–1; each apportioned small
        area's shares sum to 1) and ``area_m2`` (the overlap; under best fit the whole area);
        best fit adds ``point`` (which point decided).
    rejects : pandas.DataFrame
        Small areas (and targets) that could not be used, with the reason.
    repaired : int
        Invalid polygons repaired before the overlay (both layers).
    """

    method: str
    key: str
    memberships: pd.DataFrame
    rejects: pd.DataFrame
    repaired: int


@dataclass(frozen=True)
class Layers:
    """Small areas and targets, checked and repaired, as geometry arrays."""

    areas: gpd.GeoDataFrame
    targets: gpd.GeoDataFrame
    rejects: pd.DataFrame
    repaired: int
    area_rows: np.ndarray  # each kept small area's feature number in the input (1-based)

    @property
    def area_geoms(self) -> np.ndarray:
        return np.asarray(self.areas.geometry.array, dtype=object)

    @property
    def target_geoms(self) -> np.ndarray:
        return np.asarray(self.targets.geometry.array, dtype=object)


def checked_layers(
    small_areas: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, key: str, *, workers: int = 1
) -> Layers:
    """Check both layers (EPSG:27700, unique codes) and repair invalid polygons.

    ``workers`` threads check validity side by side.
    """
    for frame, what, column in ((small_areas, "small areas", "area_code"), (targets, key, key)):
        if frame.crs is None or frame.crs.to_epsg() != 27700:
            raise CRSError(
                f"{what}: analysis needs EPSG:27700 (British National Grid), not "
                f"{frame.crs}; read the layer with localitygis.io or reproject it."
            )
        _require_codes(frame, column, what)
    areas = repair_geometries(
        small_areas.reset_index(drop=True), layer="small areas", label="area_code", workers=workers
    )
    places = repair_geometries(targets, layer="targets", label=key, workers=workers)
    return Layers(
        area_rows=areas.frame.index.to_numpy() + 1,
        areas=areas.frame.reset_index(drop=True),
        targets=places.frame.reset_index(drop=True),
        rejects=pd.concat([areas.rejects, places.rejects], ignore_index=True),
        repaired=len(areas.repaired) + len(places.repaired),
    )


def _require_codes(frame: pd.DataFrame, column: str, what: str) -> None:
    if column not in frame.columns:
        raise DataError(
            f"{what}: no {column} column; the columns are: {', '.join(map(str, frame.columns))}."
        )
    codes = frame[column]
    if codes.isna().any() or codes.astype(str).duplicated().any():
        raise DataError(f"{what}: every {column} must be present and unique.")


def unplaced_rejects(layers: Layers, positions: np.ndarray, reason: str) -> pd.DataFrame:
    """Return the rejects table for small areas that no target takes."""
    areas = layers.areas
    plain = pd.DataFrame(areas.drop(columns=areas.geometry.name))
    head = pd.DataFrame(
        {
            "source": "small areas",
            "row": layers.area_rows[positions],
            "reason": reason,
        }
    )
    return pd.concat([head, plain.iloc[positions].reset_index(drop=True)], axis=1)
