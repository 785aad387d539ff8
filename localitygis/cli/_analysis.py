"""What the analysis commands share: their inputs, population points and tables (private).

Used by ``cli/colocate.py``, ``cli/hubs.py`` and ``cli/profile.py``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rich.markup import escape

from localitygis._validate import listing
from localitygis.access import RoadNetwork, read_roads
from localitygis.cli._app import console
from localitygis.cli._inputs import (
    numeric_tier,
    print_written,
    read_layer,
    read_parish_layer,
    split_spec,
)
from localitygis.crs import BNG, check_coordinates, lonlat_to_bng
from localitygis.errors import DataError
from localitygis.hubs import (
    check_population_points,
)
from localitygis.io import (
    OutputSet,
    find_field,
    read_table,
    write_csv,
)
from localitygis.provenance import Provenance, provenance_of


class CostKind(StrEnum):
    """What hub reach is measured in."""

    straight_line = "straight-line"
    network = "network"


def _read(spec: str, *, layer: str | None, preferred: str) -> gpd.GeoDataFrame:
    """Read a layer with ``tier`` as integers and without the ``attribution`` column."""
    return numeric_tier(read_layer(spec, layer=layer, preferred=preferred, drop_attribution=True))


def _provenance(*frames: pd.DataFrame | None) -> Provenance:
    present = [provenance_of(f) for f in frames if f is not None]
    result = present[0]
    for other in present[1:]:
        result = result.combined(other)
    return result


_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")


def _population_file(spec: str) -> gpd.GeoDataFrame:
    """Read population points from a vector layer, or a table of centroids (CSV or Excel).

    A table needs a population column and either easting/northing (``easting``, ``x``,
    ``oseast1m``…, British National Grid) or longitude/latitude.
    """
    path = Path(spec)
    if path.suffix.lower() not in _TABLE_SUFFIXES:
        return read_layer(spec, preferred="population", drop_attribution=True)
    table = read_table(path)
    source = path.name
    columns = [str(c) for c in table.columns]
    population = find_field(
        columns,
        (r"population", r"pop", r"usual_residents", r"residents", r"count", r"total"),
        what="population",
        source=source,
    )
    east = find_field(
        columns,
        (r"easting", r"x", r"oseast1m", r"east"),
        what="easting",
        source=source,
        required=False,
    )
    north = find_field(
        columns,
        (r"northing", r"y", r"osnrth1m", r"north"),
        what="northing",
        source=source,
        required=False,
    )
    if east is not None and north is not None:
        x = pd.to_numeric(table[east], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(table[north], errors="coerce").to_numpy(dtype=float)
        check_coordinates(x, y, kind="bng", source=source)
    else:
        lon = find_field(
            columns, (r"longitude", r"long", r"lon", r"lng"), what="longitude", source=source
        )
        lat = find_field(columns, (r"latitude", r"lat"), what="latitude", source=source)
        lon_v = pd.to_numeric(table[lon], errors="coerce").to_numpy(dtype=float)
        lat_v = pd.to_numeric(table[lat], errors="coerce").to_numpy(dtype=float)
        check_coordinates(lon_v, lat_v, kind="lonlat", source=source)
        x, y = lonlat_to_bng(lon_v, lat_v)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        rows = np.flatnonzero(bad) + 2  # spreadsheet rows: header is row 1
        raise DataError(
            f"{source}: {int(bad.sum())} row(s) without usable coordinates (rows "
            f"{listing(rows)}); fix or remove them."
        )
    frame = pd.DataFrame(table).rename(columns={population: "population"})
    return gpd.GeoDataFrame(frame, geometry=shapely.points(x, y), crs=BNG)


def _weighted(points: gpd.GeoDataFrame | None, column: str | None) -> gpd.GeoDataFrame | None:
    """Return the population points counting ``column`` (e.g. ``aged_60_plus``) as people."""
    if column is None:
        return points
    if points is None:
        raise DataError(f"--weight {column} needs --population: the points that carry it.")
    if column not in points.columns:
        have = [str(c) for c in points.columns if c != points.geometry.name]
        raise DataError(
            f"the --population points have no column {column!r}; they have {listing(have)}."
        )
    values = pd.to_numeric(points[column], errors="coerce")
    bad = ~(values >= 0)
    if bad.any():
        raise DataError(
            f"column {column!r} of the --population points has {int(bad.sum())} value(s) "
            f"that are not counts of 0 or more (rows {listing(np.flatnonzero(bad) + 1)}); "
            "fix them or choose another column."
        )
    total = pd.to_numeric(points["population"], errors="coerce").sum()
    console.print(
        f"Hubs and coverage weighted by {escape(column)}: {values.sum():,.0f} of "
        f"{total:,.0f} people in the population points.",
        highlight=False,
    )
    return points.assign(population=values)


def _checked_population(
    spec: str | None, parishes: gpd.GeoDataFrame, *, rejects_file: str | None
) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame]:
    """Read ``--population`` and check it against the county; say the counts.

    Returns the points that lie in the county (``None`` without ``spec``) and the rejects
    (points outside, or with easting and northing swapped), with their distances; the
    line printed names ``rejects_file`` when the command writes them (else lists them).
    """
    if spec is None:
        return None, pd.DataFrame()
    path, _ = split_spec(spec)
    first_row = 2 if path.suffix.lower() in _TABLE_SUFFIXES else 1
    check = check_population_points(
        parishes, _population_file(spec), source=path.name, first_row=first_row
    )
    see = f"; the rejected points are in {rejects_file}" if rejects_file else ""
    see = see if len(check.rejects) else ""
    console.print(f"{escape(check.summary())} ({escape(path.name)}{see})", highlight=False)
    if not rejects_file:
        for row, reason in zip(check.rejects["row"], check.rejects["reason"], strict=True):
            console.print(f"  row {row}: {escape(str(reason))}", highlight=False, soft_wrap=True)
    return check.points, check.rejects


def _parishes(localities: str, layer: str | None) -> gpd.GeoDataFrame:
    return read_parish_layer(localities, layer=layer, drop_attribution=True)


def _write_table(files: OutputSet, name: str, frame: pd.DataFrame, provenance: Provenance) -> None:
    write_csv(files.path(name), pd.DataFrame(frame), provenance=provenance)


def _done(provenance: Provenance, paths: list[Path]) -> None:
    """Say the data are demo data (when they are) and name the files written."""
    if provenance.is_demo:
        console.print(f"[dim]{escape(provenance.attribution)}[/]")
    print_written(paths)


def _road_network(
    cost: CostKind, roads: str | None, minutes: float | None, distance: float | None
) -> RoadNetwork | None:
    """Read the road network for ``--cost network``; check the options fit the cost."""
    if cost is CostKind.straight_line:
        if roads is not None or minutes is not None:
            raise DataError("--roads and --minutes need --cost network.")
        return None
    if roads is None:
        raise DataError("--cost network needs --roads roads.gpkg (e.g. OS Open Roads).")
    if distance is not None:
        raise DataError("with --cost network give the service time as --minutes, not --distance.")
    path, layer = split_spec(roads)
    return read_roads(path, layer=layer)


def _road_rejects(network: RoadNetwork, found: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the road rejects: links not used, points and sites the roads cannot reach.

    ``found`` holds the rejects of each stage (choice, coverage, ranking, scenario); a point
    that several stages could not route is listed once.
    """
    return pd.concat([network.rejects, *found], ignore_index=True).drop_duplicates(
        subset=["source", "row", "reason"]
    )
