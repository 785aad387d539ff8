"""``localitygis profile``: locality profiles (``profiles.csv``, ``.md`` and ``.html``).

Reads ``localities.gpkg`` from ``localitygis build`` (layers ``parishes`` and
``localities``), with the assets, clusters, hubs, small areas and journey times when given.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from localitygis.access import JourneyTimes, RoadNetwork, journey_time_indicators, read_roads
from localitygis.cli._analysis import (
    _checked_population,
    _done,
    _parishes,
    _population_file,
    _provenance,
    _read,
    _road_rejects,
    _write_table,
)
from localitygis.cli._app import app, console
from localitygis.cli._inputs import (
    split_spec,
)
from localitygis.cli._options import LocalitiesFile, OutFolder
from localitygis.cli.stats import needs_from_files
from localitygis.colocation import find_clusters
from localitygis.errors import DataError
from localitygis.hubs import (
    CoverageResult,
    population_coverage,
    population_points,
)
from localitygis.io import (
    OutputSet,
    check_out_folder,
    list_layers,
)
from localitygis.profiles import (
    escape_markdown,
    locality_profiles,
    profiles_to_html,
    profiles_to_markdown,
)
from localitygis.provenance import Provenance

__all__ = ["profile", "write_profiles"]


def write_profiles(
    table: pd.DataFrame,
    out: Path,
    *,
    provenance: Provenance,
    needs_rejects: pd.DataFrame | None = None,
    road_rejects: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``profiles.csv``, ``profiles.md`` and ``profiles.html`` (escaped).

    With ``needs_rejects`` (the small areas and table rows the needs block did not use),
    ``needs_rejects.csv`` too, and with journey times by road the links, points and sites
    the roads could not serve (``road_rejects``) in ``road_rejects.csv``. The files are put
    in place together (output set ``profile``), or not at all.
    """
    optional = ["needs_rejects.csv", "road_rejects.csv"]
    with OutputSet(out, "profile", optional=optional) as files:
        _write_table(files, "profiles.csv", table, provenance)
        if needs_rejects is not None:
            _write_table(files, "needs_rejects.csv", needs_rejects, provenance)
        if road_rejects is not None:
            _write_table(files, "road_rejects.csv", road_rejects, provenance)
        files.path("profiles.md").write_text(
            "# Locality profiles\n\n"
            + profiles_to_markdown(table)
            + f"\n\n_{escape_markdown(provenance.attribution)}_\n",
            encoding="utf-8",
        )
        files.path("profiles.html").write_text(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Locality profiles</title></head><body>\n"
            + profiles_to_html(table, title="Locality profiles")
            + f"\n<p><small>{html.escape(provenance.attribution)}</small></p>\n</body></html>\n",
            encoding="utf-8",
        )
    return files.written


def _journey_times(
    roads: str | None,
    parishes: gpd.GeoDataFrame,
    population: str | None,
    assets: gpd.GeoDataFrame | None,
    hubs: gpd.GeoDataFrame | None,
) -> tuple[RoadNetwork, JourneyTimes] | None:
    """Journey times by road from the population to the hubs and asset categories."""
    if roads is None:
        return None
    if assets is None and hubs is None:
        raise DataError("--roads measures journeys to hubs and assets: give --hubs or --assets.")
    path, layer = split_spec(roads)
    network = read_roads(path, layer=layer)
    points = _population_file(population) if population else None
    people = population_points(parishes, points=points)
    return network, journey_time_indicators(network, people, assets=assets, hubs=hubs)


_ProfileAssets = Annotated[
    str | None, typer.Option("--assets", "-a", help="Located assets (file or file#layer).")
]


_ProfileHubsFile = Annotated[
    str | None,
    typer.Option("--hubs", help="Hubs (e.g. hubs.gpkg from `localitygis hubs`)."),
]


_ProfilePopulation = Annotated[
    str | None,
    typer.Option("--population", "-p", help="Population points for hub coverage."),
]


_ProfileDistance = Annotated[
    float,
    typer.Option("--distance", "-d", min=0.001, help="Walking distance for co-location (m)."),
]


_ProfileBySector = Annotated[
    bool,
    typer.Option("--by-sector", help="Count assets by sector rather than by partner."),
]


_ProfileSmallAreas = Annotated[
    str | None,
    typer.Option("--small-areas", help="LSOAs for the needs profile (file or file#layer)."),
]


_ProfileSmallAreaTable = Annotated[
    list[str] | None,
    typer.Option("--small-area-table", help="IoD2019 table by LSOA (File 1, File 6); repeat."),
]


_ProfileRoads = Annotated[
    str | None,
    typer.Option(
        "--roads",
        help="Road network (OS Open Roads or a line layer with a road class, file or "
        "file#layer): adds journey times by road to the nearest hub and each asset "
        "category (needs --hubs or --assets); writes road_rejects.csv.",
    ),
]


@app.command()
def profile(
    localities: LocalitiesFile,
    assets: _ProfileAssets = None,
    hubs_file: _ProfileHubsFile = None,
    population: _ProfilePopulation = None,
    distance: _ProfileDistance = 400.0,
    by_sector: _ProfileBySector = False,
    small_areas: _ProfileSmallAreas = None,
    small_area_table: _ProfileSmallAreaTable = None,
    roads: _ProfileRoads = None,
    out: OutFolder = Path("analysis"),
) -> None:
    """Profile the localities against the county: CSV, Markdown and HTML tables."""
    check_out_folder(out)
    _check_build_layers(localities)
    parishes = _parishes(localities, None)
    locality_frame = _read(localities, layer=None, preferred="localities")
    asset_frame = None
    clusters = None
    if assets is not None:
        asset_frame = _read(assets, layer=None, preferred="assets")
        clusters = find_clusters(asset_frame, distance=distance).clusters
    hub_frame = None
    coverage = None
    if hubs_file is not None:
        hub_frame = _read(hubs_file, layer=None, preferred="hubs")
        coverage = _hub_coverage(hub_frame, population, parishes)
    journeys = _journey_times(roads, parishes, population, asset_frame, hub_frame)
    needs, needs_rejects, needs_provenance = None, None, None
    if small_areas is not None:
        needs, needs_rejects, needs_provenance = needs_from_files(
            small_areas, small_area_table or [], parishes
        )
    table = locality_profiles(
        parishes,
        pd.DataFrame(locality_frame.drop(columns="geometry")),
        assets=asset_frame,
        clusters=clusters,
        hubs=hub_frame,
        coverage=coverage,
        partner_column="sector" if by_sector else "partner",
        needs=needs,
        journey_times=journeys[1] if journeys else None,
    )
    provenance = _provenance(parishes, asset_frame, hub_frame)
    if needs_provenance is not None:
        provenance = provenance.combined(needs_provenance)
    road_rejects = None if journeys is None else _road_rejects(journeys[0], [journeys[1].rejects])
    written = write_profiles(
        table,
        out,
        provenance=provenance,
        needs_rejects=needs_rejects,
        road_rejects=road_rejects,
    )
    _print_profiles(table)
    _done(provenance, written)


def _check_build_layers(localities: str) -> None:
    """Refuse a localities file without the ``parishes`` and ``localities`` layers of a build."""
    path, _ = split_spec(localities)
    if not path.exists():
        return  # the reader says the file is missing
    layers = list_layers(path)
    lacking = [name for name in ("parishes", "localities") if name not in layers]
    if lacking:
        raise DataError(
            f"{localities} has no {' or '.join(lacking)} layer (its layers: "
            f"{', '.join(layers)}); give the localities.gpkg written by `localitygis build`."
        )


def _hub_coverage(
    hubs: gpd.GeoDataFrame, population: str | None, parishes: gpd.GeoDataFrame
) -> CoverageResult:
    """Measure the hubs' coverage of the population points (default: parish populations)."""
    points, _ = _checked_population(population, parishes, rejects_file=None)
    return population_coverage(hubs, population_points(parishes, points=points))


def _print_profiles(table: pd.DataFrame) -> None:
    """Print the profiles' headline columns (those the table has) in the terminal."""
    shown = Table(title="Locality profiles", title_justify="left")
    columns = [
        c
        for c in (
            "locality",
            "tier",
            "parishes",
            "area_km2",
            "population",
            "density_per_km2",
            "assets",
            "colocation_opportunities",
            "hubs",
            "coverage_share",
            "hub_minutes",
            "hub_within_15_share",
            "age_60_plus_share",
            "imd_mean_rank",
            "most_deprived_20pc_share",
        )
        if c in table.columns
    ]
    for column in columns:
        shown.add_column(
            column.replace("_", " "), justify="left" if column == "locality" else "right"
        )
    for record in table[columns].itertuples(index=False):
        shown.add_row(*(_profile_cell(c, v) for c, v in zip(columns, record, strict=True)))
    console.print(shown)


def _profile_cell(column: str, value: Any) -> str:
    """One cell of the profiles shown in the terminal, escaped for Rich."""
    if pd.isna(value):
        return ""
    if column.endswith("_share"):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return escape(f"{value:,}" if isinstance(value, int) else str(value))
