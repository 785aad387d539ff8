"""A register's source, loaded and its columns mapped to the asset contract (private to assets).

:func:`load_register` reads a register (a frame, a CSV or Excel table, or a vector layer) into an
attribute table, its geometry (or None) and the row numbers a user sees; :func:`map_columns`
maps its columns to the contract names (:data:`CONTRACT_COLUMNS`), first from an explicit
mapping, then from recognised synonyms, and explains every mapping it cannot make.
:func:`positions_of_table` does both for :func:`localitygis.assets.locate.Locator.locate_many`.

Examples
--------
>>> map_columns(["Site Name", "Asset Type", "Eastings", "Northings"], None, "register.csv")
{'name': 'Site Name', 'category': 'Asset Type', 'easting': 'Eastings', 'northing': 'Northings'}
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from localitygis.assets.positions import (
    Positions,
    require_position_columns,
    resolve_positions,
)
from localitygis.assets.postcodes import as_postcode_directory
from localitygis.crs import to_bng
from localitygis.errors import DataError, InputFileError
from localitygis.io._tables import fold_name
from localitygis.provenance import Provenance, provenance_of

#: The asset contract's leading columns, in order.
ASSET_COLUMNS = ("asset_id", "name", "category", "partner", "sector", "postcode")
_POSITION_COLUMNS = ("easting", "northing", "latitude", "longitude")
NUMBER_COLUMNS = ("annual_cost", "floor_area_m2")
#: Every contract name a register column can be mapped to.
CONTRACT_COLUMNS = (*ASSET_COLUMNS, *_POSITION_COLUMNS, *NUMBER_COLUMNS)

# Recognised column names (folded: lower case, underscores), most specific first.
_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "asset_id": ("asset_id", "assetid", "asset_ref", "asset_reference", "asset_no",
                 "asset_number", "asset_code", "property_ref", "property_reference",
                 "site_id", "site_ref", "id", "ref", "reference"),
    "name": ("name", "asset_name", "site_name", "property_name", "building_name",
             "premises_name", "premises", "building", "site"),
    "category": ("category", "asset_category", "asset_type", "category_type", "type",
                 "service_type", "facility_type", "property_type", "service", "use"),
    "partner": ("partner", "owner", "organisation", "organization", "owning_organisation",
                "owner_organisation", "provider", "operator", "agency"),
    "sector": ("sector", "partner_sector", "owner_sector", "organisation_type",
               "organisation_sector"),
    "postcode": ("postcode", "post_code", "postal_code", "pcode", "pcds", "pcd"),
    "easting": ("easting", "eastings", "os_easting", "bng_easting", "grid_easting",
                "easting_m", "oseast1m", "x_bng"),
    "northing": ("northing", "northings", "os_northing", "bng_northing", "grid_northing",
                 "northing_m", "osnrth1m", "y_bng"),
    "latitude": ("latitude", "lat", "wgs84_latitude", "latitude_wgs84"),
    "longitude": ("longitude", "lon", "long", "lng", "wgs84_longitude", "longitude_wgs84"),
    "annual_cost": ("annual_cost", "annual_running_cost", "running_cost", "annual_cost_gbp",
                    "revenue_cost", "cost", "opex"),
    "floor_area_m2": ("floor_area_m2", "floor_area_sqm", "floor_area_m", "floor_area",
                      "gross_internal_area", "gia_m2", "gia", "nia", "area_m2"),
}  # fmt: skip

_TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}


def load_register(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    crs: str | int | None,
    sheet: str | int | None,
    layer: str | int | None,
    source_name: str | None,
    header_row: int | None = None,
) -> tuple[pd.DataFrame, gpd.GeoSeries | None, NDArray[np.int64], str, Provenance]:
    """Return (attribute table, geometry or None, row numbers, name, provenance)."""
    if isinstance(source, gpd.GeoDataFrame):
        name = source_name or str(source.attrs.get("source", "the asset register"))
        frame = to_bng(source, assume_crs=crs, source=name)
        geometry = frame.geometry
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        rows = np.arange(len(frame), dtype=np.int64) + 1
        return table, geometry, rows, name, provenance_of(source)
    if isinstance(source, pd.DataFrame):
        name = source_name or str(source.attrs.get("source", "the asset register"))
        table = source.copy()
        table.columns = [str(c).strip() for c in table.columns]
        rows = np.arange(len(table), dtype=np.int64) + 2
        return table, None, rows, name, provenance_of(source)
    path = Path(source)
    name = source_name or path.name
    if not path.exists():
        raise InputFileError(f"asset register not found: {path}. Check the path.")
    if path.suffix.lower() in _TABLE_SUFFIXES:
        from localitygis.io import read_table

        known = [name for names in _SYNONYMS.values() for name in names]
        table = read_table(path, sheet=sheet, header_row=header_row, expect=known)
        rows = np.arange(len(table), dtype=np.int64) + table.attrs["header_row"] + 1
        return table, None, rows, name, provenance_of(table)
    from localitygis.io import read_vector

    frame = read_vector(path, layer=layer, crs=crs)
    geometry = frame.geometry
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    rows = np.arange(len(frame), dtype=np.int64) + 1
    return table, geometry, rows, name, provenance_of(frame)


def map_columns(
    columns: list[str], mapping: Mapping[str, str] | None, source: str
) -> dict[str, str]:
    """Return contract name -> register column, from the explicit mapping then synonyms."""
    result: dict[str, str] = {}
    problems = []
    folded: dict[str, str] = {}
    for column in columns:
        folded.setdefault(column.casefold(), column)
    for theirs, ours in (mapping or {}).items():
        target = str(ours).strip()
        if target not in CONTRACT_COLUMNS:
            problems.append(
                f"cannot map {theirs!r} to {ours!r}: the names to map to are "
                f"{', '.join(CONTRACT_COLUMNS)}"
            )
            continue
        named = theirs if theirs in columns else folded.get(str(theirs).strip().casefold())
        if named is None:
            problems.append(f"no column named {theirs!r} to map to {target!r}")
            continue
        if target in result:
            problems.append(f"two columns mapped to {target!r}: {result[target]!r}, {named!r}")
            continue
        result[target] = named
    if problems:
        raise DataError(
            f"{source}: " + "; ".join(problems) + f". The columns are: {', '.join(columns)}."
        )
    used = set(result.values())
    by_fold: dict[str, str] = {}
    for column in columns:
        by_fold.setdefault(fold_name(column), column)
    for target, names in _SYNONYMS.items():
        if target in result:
            continue
        for candidate in names:
            found = by_fold.get(candidate)
            if found is not None and found not in used:
                result[target] = found
                used.add(found)
                break
    return result


def positions_of_table(
    frame: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None,
    postcodes: pd.DataFrame | None,
    crs: str | int | None,
) -> Positions:
    """Positions for :func:`localitygis.assets.locate.locate_many` (same rules as the register)."""
    table, geometry, _, name, _ = load_register(
        frame, crs=crs, sheet=None, layer=None, source_name=None
    )
    mapped = map_columns(list(map(str, table.columns)), columns, name)
    require_position_columns(mapped, geometry, postcodes, name)
    directory = as_postcode_directory(postcodes)
    return resolve_positions(table, mapped, geometry, directory, np.zeros(len(table), bool))
