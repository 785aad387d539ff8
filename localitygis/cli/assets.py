"""``localitygis assets`` and ``localitygis locate``: the asset register and "where am I?".

``assets`` reads an asset register (CSV, Excel, GeoPackage, GeoJSON…), checks every row,
locates each asset in its parish, locality and tier using the ``localities.gpkg`` written by
``localitygis build``, and writes to ``--out``:

* ``assets.gpkg`` — layer ``assets`` (EPSG:27700), the located assets;
* ``assets.csv`` — the same without geometry (easting/northing columns added);
* ``asset_rejects.csv`` — every row not located, with its spreadsheet row number and reason.

It prints the counts (read / located / rejected, by reason), which always reconcile.

``locate`` answers, for one postcode, easting/northing or latitude/longitude, which parish,
locality and tier it is in, and its nearest hub.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import shapely
import typer
from rich.markup import escape
from rich.table import Table

from localitygis.access import read_roads
from localitygis.assets.locate import LocationResult, describe_distance
from localitygis.assets.locate import locate as locate_place
from localitygis.assets.postcodes import read_postcode_directory
from localitygis.assets.register import CONTRACT_COLUMNS, locate_assets, read_assets
from localitygis.cli._app import app, console, fail
from localitygis.cli._inputs import (
    print_written,
    read_layer,
    read_parish_layer,
    resolve_scheme,
    split_spec,
    with_tier_names,
)
from localitygis.cli._options import LocalitiesFile, OutFolder, ParishesLayer
from localitygis.io import OutputSet, check_out_folder, write_csv, write_geopackage
from localitygis.provenance import provenance_of

__all__ = ["assets", "locate"]

log = logging.getLogger(__name__)

_PARISH_COLUMNS = ("parish_code", "parish_name", "locality", "tier")


def _parishes(localities: str, layer: str | None) -> gpd.GeoDataFrame:
    """Read the annotated parishes of a ``localities.gpkg``, with ``tier_name`` when known."""
    parishes = read_parish_layer(localities, layer=layer, required=_PARISH_COLUMNS)
    return with_tier_names(parishes, localities)


def _column_mapping(specs: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    problems = []
    for spec in specs or []:
        if "=" not in spec:
            problems.append(f"{spec!r} (expected 'Their Name=contract_name')")
            continue
        theirs, ours = spec.rsplit("=", 1)
        theirs, ours = theirs.strip(), ours.strip()
        if ours not in CONTRACT_COLUMNS:
            problems.append(f"{spec!r} ({ours!r} is not one of {', '.join(CONTRACT_COLUMNS)})")
            continue
        mapping[theirs] = ours
    if problems:
        fail("bad --column: " + "; ".join(problems))
    return mapping


@app.command()
def assets(
    register: Annotated[
        str, typer.Argument(help="Asset register: CSV, Excel, GeoPackage, GeoJSON (file#layer).")
    ],
    localities: LocalitiesFile,
    postcodes: Annotated[
        Path | None,
        typer.Option(
            "--postcodes",
            "-p",
            help="Postcode directory: ONS Postcode Directory / NSPL, or Code-Point Open "
            "(CSV, folder or zip).",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            help="Map a register column to a contract name, e.g. --column 'Site Name=name' "
            "(repeatable).",
        ),
    ] = None,
    scheme: Annotated[
        str | None,
        typer.Option(
            "--scheme",
            "-s",
            help="Scheme whose [vocabulary] extends the asset categories and sectors: "
            "'herefordshire', 'demo', or the path of a TOML file (an argument with a suffix "
            "or a / is a path).",
        ),
    ] = None,
    out: OutFolder = Path("build"),
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet.")] = None,
    header_row: Annotated[
        int | None,
        typer.Option(
            "--header-row",
            min=1,
            help="Spreadsheet row of the column names (default: the first row with known "
            "column names, so a title row above them is skipped).",
        ),
    ] = None,
    layer: Annotated[
        str | None, typer.Option("--layer", help="Layer of a multi-layer register file.")
    ] = None,
    parishes_layer: ParishesLayer = None,
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS of a register layer that declares none.")
    ] = None,
) -> None:
    """Read an asset register, locate every asset in its locality, and list the rejects."""
    mapping = _column_mapping(column)
    check_out_folder(out)
    parishes = _parishes(localities, parishes_layer)
    directory = read_postcode_directory(postcodes) if postcodes is not None else None
    path, register_layer = split_spec(register, layer)
    read = read_assets(
        path,
        columns=mapping,
        postcodes=directory,
        vocabulary=None if scheme is None else resolve_scheme(scheme),
        crs=crs,
        sheet=sheet,
        header_row=header_row,
        layer=register_layer,
    )
    located = locate_assets(read, parishes)
    provenance = located.provenance
    if directory is not None:
        provenance = provenance.combined(provenance_of(directory))
    table = pd.DataFrame(located.assets.drop(columns=located.assets.geometry.name))
    table.insert(table.columns.get_loc("postcode") + 1, "easting",
                 shapely.get_x(located.assets.geometry.values))  # fmt: skip
    table.insert(table.columns.get_loc("easting") + 1, "northing",
                 shapely.get_y(located.assets.geometry.values))  # fmt: skip
    with OutputSet(out, "assets") as files:
        write_geopackage(
            files.path("assets.gpkg"), {"assets": located.assets}, provenance=provenance
        )
        write_csv(files.path("assets.csv"), table, provenance=provenance)
        write_csv(files.path("asset_rejects.csv"), located.rejects, provenance=provenance)
    _print_counts(located.counts(), located.source, located.notes)
    _print_by_locality(located.assets, parishes)
    if provenance.is_demo:
        console.print(escape(provenance.attribution), style="yellow", highlight=False)
    print_written(files.written)


def _print_counts(counts: dict, source: str, notes: tuple[str, ...]) -> None:
    table = Table(title=f"Asset register {escape(source)}", title_justify="left")
    table.add_column("")
    table.add_column("rows", justify="right")
    table.add_row("read", f"{counts['read']:,}")
    table.add_row("[green]located[/]", f"{counts['accepted']:,}")
    table.add_row("[red]rejected[/]", f"{counts['rejected']:,}")
    for reason, count in counts["by_reason"].items():
        table.add_row(f"  {escape(reason)}", f"{count:,}")
    console.print(table)
    for note in notes:
        console.print(f"note: {escape(note)}", style="cyan", highlight=False, soft_wrap=True)


def _print_by_locality(frame: gpd.GeoDataFrame, parishes: gpd.GeoDataFrame) -> None:
    if frame.empty:
        return
    order = list(dict.fromkeys(parishes.sort_values("tier", ascending=False)["locality"]))
    counts = frame.groupby("locality", sort=False).size()
    tiers = frame.groupby("locality", sort=False)["tier"].first()
    table = Table(title="Located assets by locality", title_justify="left")
    table.add_column("locality")
    table.add_column("tier", justify="right")
    table.add_column("assets", justify="right")
    for name in [n for n in order if n in counts.index]:
        table.add_row(escape(str(name)), str(tiers[name]), f"{counts[name]:,}")
    console.print(table)


@app.command()
def locate(
    postcode: Annotated[
        str | None, typer.Argument(help="A postcode (needs --postcodes).", show_default=False)
    ] = None,
    localities: LocalitiesFile = "build/localities.gpkg",
    easting: Annotated[float | None, typer.Option("--easting", "-e", help="Easting, m.")] = None,
    northing: Annotated[float | None, typer.Option("--northing", "-n", help="Northing, m.")] = None,
    lat: Annotated[float | None, typer.Option("--lat", help="WGS84 latitude.")] = None,
    lon: Annotated[float | None, typer.Option("--lon", help="WGS84 longitude.")] = None,
    postcodes: Annotated[
        Path | None,
        typer.Option("--postcodes", "-p", help="Postcode directory (ONSPD or Code-Point Open)."),
    ] = None,
    hubs: Annotated[
        str | None,
        typer.Option("--hubs", help="Hub points with a 'name' column (file or file#layer)."),
    ] = None,
    roads: Annotated[
        str | None,
        typer.Option(
            "--roads",
            help="Road network (OS Open Roads or a line layer with a road class, file or "
            "file#layer): also the hub soonest reached by road and the minutes (needs --hubs).",
        ),
    ] = None,
    parishes_layer: ParishesLayer = None,
) -> None:
    """Say which parish, locality and tier a place is in, and its nearest hub."""
    given = [
        name
        for name, present in (
            ("a postcode", postcode is not None),
            ("--easting/--northing", easting is not None or northing is not None),
            ("--lat/--lon", lat is not None or lon is not None),
        )
        if present
    ]
    if len(given) != 1:
        fail(
            "give exactly one place: a postcode, --easting and --northing, or --lat and --lon"
            + (f" (got {' and '.join(given)})" if given else "")
        )
    if (easting is None) != (northing is None):
        fail("give both --easting and --northing")
    if (lat is None) != (lon is None):
        fail("give both --lat and --lon")
    if postcode is not None and postcodes is None:
        fail("locating a postcode needs a postcode directory: --postcodes FILE")
    if roads is not None and hubs is None:
        fail("--roads gives the minutes to a hub: give the hubs too (--hubs FILE)")
    parishes = _parishes(localities, parishes_layer)
    directory = read_postcode_directory(postcodes) if postcodes is not None else None
    hub_frame = read_layer(hubs, preferred="hubs") if hubs is not None else None
    query: object = postcode
    if easting is not None:
        query = (easting, northing)
    network = None
    if roads is not None:
        roads_path, roads_layer = split_spec(roads)
        network = read_roads(roads_path, layer=roads_layer)
    result = locate_place(
        query,
        parishes=parishes,
        hubs=hub_frame,
        postcodes=directory,
        lat=lat,
        lon=lon,
        cost=network,
    )
    table = Table(title=escape(result.query), title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("easting, northing", f"{result.easting:.0f}, {result.northing:.0f}")
    table.add_row("parish", f"{escape(result.parish_name)} ({escape(result.parish_code)})")
    table.add_row("locality", escape(result.locality or "(none)"))
    tier = "" if result.tier is None else str(result.tier)
    if result.tier_name:
        tier += f" — {escape(result.tier_name)}"
    table.add_row("tier", tier)
    if result.nearest_hub is not None and result.hub_distance_m is not None:
        table.add_row(
            "nearest hub",
            f"{escape(result.nearest_hub)}, {describe_distance(result.hub_distance_m)}",
        )
    if network is not None:
        table.add_row("nearest hub by road", _by_road(result))
    if result.postcode_terminated:
        table.add_row("note", f"postcode {result.postcode} is terminated; last position used")
    console.print(table)
    attribution = provenance_of(parishes)
    if attribution.is_demo:
        console.print(escape(attribution.attribution), style="yellow", highlight=False)


def _by_road(result: LocationResult) -> str:
    """Describe the hub soonest reached by road and the minutes, or why there is none."""
    if result.hub_by_road is None or result.hub_minutes is None:
        return "off the road network (more than 2 km from a road)"
    return f"{escape(result.hub_by_road)}, {result.hub_minutes:.0f} min by road"
