"""``localitygis map`` and ``localitygis atlas``: web maps and the printable atlas.

Vector inputs are any OGR file (GeoPackage, GeoJSON, Shapefile...). For a file with several
layers, name the layer after ``#``: ``--localities build/localities.gpkg#localities``. When
the localities come from a GeoPackage that also holds ``parishes``, ``catchments``, ``hubs``
or ``assets`` layers, those are used unless given separately, and the locality scheme the
build stored there names the tiers and vocabulary unless ``--scheme`` names another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import geopandas as gpd
import pandas as pd
import typer
from rich.markup import escape

from localitygis._validate import listing
from localitygis.cli._app import app, console
from localitygis.cli._inputs import read_layer, read_sibling, split_spec
from localitygis.cli._options import (
    LocalitiesLayer,
    MapAssets,
    MapParishes,
    MapScheme,
    SmallAreas,
    SmallAreaTables,
)
from localitygis.cli._scheme_store import chosen_scheme
from localitygis.cli.stats import needs_areas_from_files
from localitygis.crs import to_bng
from localitygis.errors import DataError, InputFileError
from localitygis.io import OutputSet, check_out_file, check_out_folder, read_table
from localitygis.statistics import NeedsAreas, needs_profile

if TYPE_CHECKING:
    import folium

    from localitygis.localities.scheme import Scheme

__all__ = ["atlas", "map_command"]


class MapKind(StrEnum):
    """Which web map to draw."""

    county = "county"
    assets = "assets"
    locality = "locality"
    choropleth = "choropleth"


class ValueKind(StrEnum):
    """How a choropleth's values read (the map's popups and legend format them so)."""

    share = "share"
    percent = "percent"
    count_ = "count"  # `count` would hide str.count
    rank = "rank"
    decile = "decile"
    money = "money"
    area = "area"
    distance = "distance"
    minutes = "minutes"
    density = "density"
    number = "number"


class Classification(StrEnum):
    """Choropleth classifications."""

    quantiles = "quantiles"
    natural_breaks = "natural_breaks"
    equal_interval = "equal_interval"
    fisher_jenks = "fisher_jenks"
    std_mean = "std_mean"
    percentiles = "percentiles"
    max_breaks = "max_breaks"


def _read(spec: str | None, what: str, *, preferred: str) -> gpd.GeoDataFrame | None:
    """Read ``file[#layer]``; in a multi-layer file, the layer named ``preferred`` is used."""
    if spec is None:
        return None
    path, _ = split_spec(spec)
    if path.suffix.lower() in {".csv", ".txt", ".xlsx", ".xls", ".xlsm"}:
        raise InputFileError(
            f"{path} is a table, but {what} must be a vector layer with locations. "
            "Locate an asset register first (localitygis assets ...), which writes a "
            "GeoPackage, and pass that."
        )
    return read_layer(spec, preferred=preferred)


def _either(
    spec: str | None, what: str, *, preferred: str, localities: str
) -> gpd.GeoDataFrame | None:
    """Read ``spec`` if given, else the ``preferred`` layer of the localities file."""
    if spec is not None:
        return _read(spec, what, preferred=preferred)
    return _sibling(localities, preferred)


def _sibling(spec: str, layer: str) -> gpd.GeoDataFrame | None:
    """Read ``layer`` from the localities file if it has one (a build GeoPackage)."""
    if split_spec(spec)[0].suffix.lower() != ".gpkg":
        return None
    return read_sibling(spec, layer)


def _profiles(path: Path | None) -> pd.DataFrame | None:
    if path is None:
        return None
    return read_table(path)


def slug(name: str) -> str:
    """Return a file-name-safe version of a locality name.

    Examples
    --------
    >>> slug("Ross-on-Wye"), slug("Hereford City")
    ('ross-on-wye', 'hereford-city')
    """
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "locality"


def _classification(
    classification: Classification | None, scheme: str | None
) -> tuple[Classification, str | None]:
    """Accept the old ``--scheme natural_breaks`` (a classification) with a warning."""
    if scheme in set(Classification) and not Path(scheme).exists():
        console.print(
            f"[yellow]--scheme {escape(scheme)} names a classification: use --classification "
            f"{escape(scheme)} (--scheme now names the locality scheme).[/]",
            highlight=False,
        )
        return classification or Classification(scheme), None
    return classification or Classification.quantiles, scheme


def _data_date(spec: str) -> str:
    """Return the date the localities file was written, as the atlas's data date."""
    path = split_spec(spec)[0]
    return f"{datetime.fromtimestamp(path.stat().st_mtime):%d %B %Y}" if path.exists() else ""


@dataclass
class _Inputs:
    """What every map kind reads, read once."""

    localities: gpd.GeoDataFrame
    parishes: gpd.GeoDataFrame | None
    spec: str
    scheme: Scheme | None
    tiles: bool

    def common(self) -> dict[str, Any]:
        return {"tiles": self.tiles, "scheme": self.scheme}


@app.command("map")
def map_command(
    kind: Annotated[
        MapKind, typer.Argument(help="Which map: county, assets, locality, choropleth.")
    ],
    localities: LocalitiesLayer,
    parishes: MapParishes = None,
    catchments: Annotated[str | None, typer.Option(help="Catchments layer.")] = None,
    assets: MapAssets = None,
    hubs: Annotated[str | None, typer.Option(help="Hubs layer (name, tier, reach_m).")] = None,
    clusters: Annotated[str | None, typer.Option(help="Co-location clusters layer.")] = None,
    singles: Annotated[
        bool,
        typer.Option(
            "--singles", help="For `assets`: also draw co-location clusters of one asset."
        ),
    ] = False,
    unserved: Annotated[str | None, typer.Option(help="Parishes no hub reaches.")] = None,
    roads: Annotated[
        str | None,
        typer.Option(
            help="For `assets`: road network (OS Open Roads or a line layer with a road class, "
            "file or file#layer); draws each hub's drive-time area (its reach_minutes, else "
            "its tier's minutes) and the nearest hub by road (needs --hubs)."
        ),
    ] = None,
    profiles: Annotated[
        Path | None, typer.Option(help="Locality profiles table (CSV/Excel) keyed by locality.")
    ] = None,
    locality: Annotated[
        str | None,
        typer.Option(help="For `locality`: its name (default: one map per locality)."),
    ] = None,
    column: Annotated[str | None, typer.Option(help="For `choropleth`: the column.")] = None,
    classification: Annotated[
        Classification | None,
        typer.Option(help="For `choropleth`: classification (default: quantiles)."),
    ] = None,
    k: Annotated[int, typer.Option(help="For `choropleth`: number of classes.", min=1)] = 5,
    value_kind: Annotated[
        ValueKind | None,
        typer.Option(
            "--kind",
            help="For `choropleth`: how the values read, e.g. share (a fraction shown as a "
            "percentage), minutes, money (default: guessed from the column's name).",
        ),
    ] = None,
    label: Annotated[
        str | None, typer.Option(help="For `choropleth`: legend heading (default: the column).")
    ] = None,
    by_parish: Annotated[
        bool, typer.Option("--by-parish", help="For `choropleth`: map the parishes' column.")
    ] = False,
    scheme: MapScheme = None,
    title: Annotated[str | None, typer.Option(help="Map title.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Output .html (for all localities: a folder). Default: maps/…"),
    ] = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Load Leaflet from CDNs and start on OpenStreetMap tiles (needs internet). "
            "By default the file is self-contained and works offline.",
        ),
    ] = False,
    small_areas: SmallAreas = None,
    small_area_table: SmallAreaTables = None,
) -> None:
    """Draw an interactive web map and save it as one HTML file."""
    method, scheme = _classification(classification, scheme)
    target = _map_target(kind, out, locality=locality, column=column)
    inputs = _Inputs(
        localities=read_layer(localities, preferred="localities"),
        parishes=_either(parishes, "the parishes", preferred="parishes", localities=localities),
        spec=localities,
        scheme=chosen_scheme(scheme, localities),
        tiles=online,
    )
    if roads is not None and kind is not MapKind.assets:
        raise DataError("--roads is for the assets map (localitygis map assets --roads ...).")
    if kind is MapKind.county:
        needs = _needs(small_areas, small_area_table, inputs.parishes)
        profile = None if needs is None else needs_profile(needs)
        maps = [_county(inputs, catchments, (_profiles(profiles), profile), title, target)]
    elif kind is MapKind.assets:
        layers = {"hubs": hubs, "clusters": clusters, "unserved": unserved}
        maps = [_assets(inputs, assets, layers, roads, singles=singles, title=title, target=target)]
    elif kind is MapKind.locality:
        maps = _localities(inputs, assets, hubs, profiles, locality, target)
    else:
        options = {"method": method, "k": k, "by_parish": by_parish, "title": title}
        options |= {"kind": value_kind and value_kind.value, "label": label}
        maps = [_choropleth(inputs, column, profiles, options, target)]
    as_set = target if kind is MapKind.locality and not locality else None
    for path in _save(maps, as_set, offline=not online):
        size = path.stat().st_size / 1e6
        console.print(
            f"wrote [bold]{escape(str(path))}[/] ({size:.1f} MB{'' if online else ', offline'})"
        )


def _map_target(
    kind: MapKind, out: Path | None, *, locality: str | None, column: str | None
) -> Path:
    """Return the file (or, for every locality's map, the folder) to write, checked now."""
    if kind is MapKind.locality and not locality:
        return check_out_folder(out or Path("maps/localities"))
    default = {
        MapKind.county: "maps/county.html",
        MapKind.assets: "maps/assets.html",
        MapKind.locality: f"maps/locality-{slug(locality or '')}.html",
        MapKind.choropleth: f"maps/{slug(column or 'choropleth')}.html",
    }[kind]
    return check_out_file(out or Path(default))


def _save(maps: list[tuple[folium.Map, Path]], as_set: Path | None, *, offline: bool) -> list[Path]:
    """Save the maps; every locality's map into the folder ``as_set`` as one output set.

    The command owns that folder's maps: a renamed locality leaves no stale page.
    """
    from localitygis.maps.interactive import save_map

    if as_set is None:
        return [save_map(m, target, offline=offline) for m, target in maps]
    with OutputSet(as_set, "map locality") as files:
        for m, target in maps:
            save_map(m, files.path(target.name), offline=offline)
    return files.written


def _needs(
    small_areas: str | None, tables: list[str] | None, parishes: gpd.GeoDataFrame | None
) -> NeedsAreas | None:
    """Best-fit the LSOAs given with --small-areas to the parishes (None without them)."""
    if small_areas is None:
        return None
    if parishes is None:
        raise InputFileError("--small-areas needs the parishes (--parishes).")
    return needs_areas_from_files(small_areas, tables or [], parishes)


def _county(
    inputs: _Inputs,
    catchments: str | None,
    tables: tuple[pd.DataFrame | None, pd.DataFrame | None],
    title: str | None,
    target: Path,
) -> tuple[folium.Map, Path]:
    from localitygis.maps import interactive

    cat = _either(catchments, "the catchments", preferred="catchments", localities=inputs.spec)
    profiles, needs = tables
    m = interactive.county_map(
        inputs.localities,
        parishes=inputs.parishes,
        catchments=cat,
        profiles=profiles,
        needs=needs,
        title=title or "Localities",
        **inputs.common(),
    )
    return m, target


def _assets(
    inputs: _Inputs,
    assets: str | None,
    layers: dict[str, str | None],
    roads: str | None,
    *,
    singles: bool,
    title: str | None,
    target: Path,
) -> tuple[folium.Map, Path]:
    from localitygis.maps import interactive

    pts = _either(assets, "the assets", preferred="assets", localities=inputs.spec)
    if pts is None:
        raise InputFileError("the assets map needs --assets (a located assets layer).")
    read = {name: _read(spec, f"the {name}", preferred=name) for name, spec in layers.items()}
    if roads is not None:
        read |= _travel_areas(roads, read["hubs"], inputs)
    m = interactive.asset_map(
        inputs.localities,
        pts,
        parishes=inputs.parishes,
        singles=singles,
        title=title or "Assets and hubs",
        hubs=read["hubs"],
        clusters=read["clusters"],
        unserved=read["unserved"],
        drive_times=read.get("drive_times"),
        nearest_hubs=read.get("nearest_hubs"),
        **inputs.common(),
    )
    return m, target


def _travel_areas(
    roads: str, hubs: gpd.GeoDataFrame | None, inputs: _Inputs
) -> dict[str, gpd.GeoDataFrame]:
    """Return the hubs' drive-time areas and nearest-hub-by-road areas for ``--roads``."""
    from localitygis.access import drive_time_areas, nearest_hub_areas, read_roads

    if hubs is None or not len(hubs):
        raise DataError("--roads draws the hubs' drive-time areas: give --hubs as well.")
    path, layer = split_spec(roads)
    network = read_roads(path, layer=layer)
    minutes = _hub_minutes(hubs, inputs.scheme)
    outline = to_bng(inputs.localities, source="the localities").union_all()
    return {
        "drive_times": drive_time_areas(network, hubs, minutes),
        "nearest_hubs": nearest_hub_areas(network, hubs, outline=outline),
    }


def _hub_minutes(hubs: gpd.GeoDataFrame, scheme: Scheme | None) -> pd.Series:
    """Each hub's reach in minutes: its ``reach_minutes``, else its tier's in the scheme."""
    from localitygis.hubs import HubReach

    reach = HubReach.from_scheme(scheme) if scheme is not None else HubReach()
    by_tier = {number: tier.minutes for number, tier in reach.tiers.items()}
    tiers = pd.to_numeric(hubs.get("tier", pd.Series(index=hubs.index)), errors="coerce")
    minutes = tiers.map(by_tier).astype(float)
    if "reach_minutes" in hubs.columns:
        minutes = pd.to_numeric(hubs["reach_minutes"], errors="coerce").fillna(minutes)
    missing = minutes.index[~(minutes > 0)]
    if len(missing):
        raise DataError(
            f"the hubs have no reach in minutes at rows {listing(missing)}: give them a "
            "reach_minutes column or a tier (1, 2 or 3)."
        )
    return minutes


def _localities(
    inputs: _Inputs,
    assets: str | None,
    hubs: str | None,
    profiles: Path | None,
    locality: str | None,
    target: Path,
) -> list[tuple[folium.Map, Path]]:
    from localitygis.maps import interactive

    if inputs.parishes is None:
        raise InputFileError("the locality map needs --parishes (a parishes layer).")
    pts = _read(assets, "the assets", preferred="assets")
    hub = _read(hubs, "the hubs", preferred="hubs")
    table = _profiles(profiles)
    names = [locality] if locality else [str(n) for n in inputs.localities["locality"]]
    maps = []
    for name in names:
        m = interactive.locality_map(
            name,
            inputs.localities,
            inputs.parishes,
            assets=pts,
            hubs=hub,
            profiles=table,
            **inputs.common(),
        )
        maps.append((m, target if locality else target / f"{slug(name)}.html"))
    return maps


def _choropleth(
    inputs: _Inputs,
    column: str | None,
    profiles: Path | None,
    options: dict[str, Any],
    target: Path,
) -> tuple[folium.Map, Path]:
    from localitygis.maps import interactive

    if column is None:
        raise InputFileError("the choropleth needs --column (the indicator to map).")
    frame = inputs.localities
    if options["by_parish"]:
        if inputs.parishes is None:
            raise InputFileError("--by-parish needs --parishes.")
        frame = inputs.parishes
    table = _profiles(profiles)
    if table is not None and column not in frame.columns:
        key = "parish_code" if options["by_parish"] else "locality"
        if key not in table.columns:
            raise InputFileError(f"{profiles} has no {key!r} column to join on.")
        frame = frame.merge(table[[key, column]], on=key, how="left")
    m = interactive.choropleth_map(
        frame,
        column,
        classification=options["method"].value,
        k=options["k"],
        kind=options["kind"],
        label=options["label"],
        localities=inputs.localities if options["by_parish"] else None,
        title=options["title"],
        **inputs.common(),
    )
    return m, target


@app.command()
def atlas(
    localities: LocalitiesLayer,
    parishes: MapParishes = None,
    assets: MapAssets = None,
    hubs: Annotated[str | None, typer.Option(help="Hubs layer.")] = None,
    scheme: MapScheme = None,
    title: Annotated[str, typer.Option(help="Title of the overview page.")] = "Locality atlas",
    out: Annotated[Path, typer.Option(help="Output PDF.")] = Path("maps/atlas.pdf"),
    overview: Annotated[
        Path | None, typer.Option(help="Also write the county overview PNG here.")
    ] = None,
    small_areas: SmallAreas = None,
    small_area_table: SmallAreaTables = None,
) -> None:
    """Write the printable locality atlas (PDF: overview + one page per locality)."""
    from localitygis.maps import static

    check_out_file(out)
    if overview is not None:
        check_out_file(overview)
    loc = read_layer(localities, preferred="localities")
    par = _either(parishes, "the parishes", preferred="parishes", localities=localities)
    if par is None:
        raise InputFileError("the atlas needs --parishes (a parishes layer).")
    chosen = chosen_scheme(scheme, localities)
    pts = _read(assets, "the assets", preferred="assets")
    hub = _read(hubs, "the hubs", preferred="hubs")
    made = _data_date(localities)
    needs = _needs(small_areas, small_area_table, par)
    path = static.locality_atlas_pdf(
        loc,
        par,
        out,
        assets=pts,
        hubs=hub,
        scheme=chosen,
        title=title,
        data_date=made,
        needs=needs,
    )
    pages = len(loc) + (1 if needs is None else 2)
    console.print(f"wrote [bold]{escape(str(path))}[/] ({pages} pages)")
    if overview is not None:
        png = static.county_overview_png(
            loc, overview, parishes=par, scheme=chosen, title=title, data_date=made
        )
        console.print(f"wrote [bold]{escape(str(png))}[/]")
