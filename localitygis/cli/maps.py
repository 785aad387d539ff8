"""``localitygis map`` and ``localitygis atlas``: web maps and the printable atlas.

Vector inputs are any OGR file (GeoPackage, GeoJSON, Shapefile...). For a file with several
layers, name the layer after ``#``: ``--localities build/localities.gpkg#localities``. When
the localities come from a GeoPackage that also holds ``parishes``, ``catchments``, ``hubs``
or ``assets`` layers, those are used unless given separately.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer
from rich.markup import escape

from localitygis.cli._app import app, console
from localitygis.cli._inputs import read_layer, read_sibling, split_spec
from localitygis.errors import InputFileError
from localitygis.io import OutputSet, check_out_file, check_out_folder, read_table

__all__ = ["atlas", "map_command"]


class MapKind(StrEnum):
    """Which web map to draw."""

    county = "county"
    assets = "assets"
    locality = "locality"
    choropleth = "choropleth"


class ClassScheme(StrEnum):
    """Choropleth classification schemes."""

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


LocalitiesOpt = Annotated[
    str,
    typer.Option(
        "--localities",
        "-l",
        help="Localities layer (file or file#layer), e.g. from `localitygis build`.",
    ),
]


@app.command("map")
def map_command(
    kind: Annotated[
        MapKind, typer.Argument(help="Which map: county, assets, locality, choropleth.")
    ],
    localities: LocalitiesOpt,
    parishes: Annotated[
        str | None, typer.Option(help="Parishes layer (default: the localities file's).")
    ] = None,
    catchments: Annotated[str | None, typer.Option(help="Catchments layer.")] = None,
    assets: Annotated[str | None, typer.Option(help="Located assets layer.")] = None,
    hubs: Annotated[str | None, typer.Option(help="Hubs layer (name, tier, reach_m).")] = None,
    clusters: Annotated[str | None, typer.Option(help="Co-location clusters layer.")] = None,
    unserved: Annotated[str | None, typer.Option(help="Parishes no hub reaches.")] = None,
    profiles: Annotated[
        Path | None, typer.Option(help="Locality profiles table (CSV/Excel) keyed by locality.")
    ] = None,
    locality: Annotated[
        str | None,
        typer.Option(help="For `locality`: its name (default: one map per locality)."),
    ] = None,
    column: Annotated[str | None, typer.Option(help="For `choropleth`: the column.")] = None,
    scheme: Annotated[
        ClassScheme, typer.Option(help="For `choropleth`: classification.")
    ] = ClassScheme.quantiles,
    k: Annotated[int, typer.Option(help="For `choropleth`: number of classes.", min=1)] = 5,
    by_parish: Annotated[
        bool, typer.Option("--by-parish", help="For `choropleth`: map the parishes' column.")
    ] = False,
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
) -> None:
    """Draw an interactive web map and save it as one HTML file."""
    from localitygis.maps import interactive

    target = _map_target(kind, out, locality=locality, column=column)
    loc = read_layer(localities, preferred="localities")
    par = _either(parishes, "the parishes", preferred="parishes", localities=localities)
    offline = not online
    written: list[Path] = []
    common = {"tiles": online}
    if kind is MapKind.county:
        cat = _either(catchments, "the catchments", preferred="catchments", localities=localities)
        m = interactive.county_map(
            loc,
            parishes=par,
            catchments=cat,
            profiles=_profiles(profiles),
            title=title or "Localities",
            **common,
        )
        written.append(interactive.save_map(m, target, offline=offline))
    elif kind is MapKind.assets:
        pts = _either(assets, "the assets", preferred="assets", localities=localities)
        if pts is None:
            raise InputFileError("the assets map needs --assets (a located assets layer).")
        m = interactive.asset_map(
            loc,
            pts,
            hubs=_read(hubs, "the hubs", preferred="hubs"),
            clusters=_read(clusters, "the clusters", preferred="clusters"),
            unserved=_read(unserved, "the unserved parishes", preferred="unserved"),
            parishes=par,
            title=title or "Assets and hubs",
            **common,
        )
        written.append(interactive.save_map(m, target, offline=offline))
    elif kind is MapKind.locality:
        if par is None:
            raise InputFileError("the locality map needs --parishes (a parishes layer).")
        pts = _read(assets, "the assets", preferred="assets")
        hub = _read(hubs, "the hubs", preferred="hubs")
        table = _profiles(profiles)
        if locality:
            m = interactive.locality_map(
                locality, loc, par, assets=pts, hubs=hub, profiles=table, **common
            )
            written.append(interactive.save_map(m, target, offline=offline))
        else:
            # the command owns the folder's maps: a renamed locality leaves no stale page
            with OutputSet(target, "map locality") as files:
                for name in [str(n) for n in loc["locality"]]:
                    m = interactive.locality_map(
                        name, loc, par, assets=pts, hubs=hub, profiles=table, **common
                    )
                    interactive.save_map(m, files.path(f"{slug(name)}.html"), offline=offline)
            written += files.written
    else:
        if column is None:
            raise InputFileError("the choropleth needs --column (the indicator to map).")
        frame = loc
        if by_parish:
            if par is None:
                raise InputFileError("--by-parish needs --parishes.")
            frame = par
        table = _profiles(profiles)
        if table is not None and column not in frame.columns:
            key = "locality" if not by_parish else "parish_code"
            if key not in table.columns:
                raise InputFileError(f"{profiles} has no {key!r} column to join on.")
            frame = frame.merge(table[[key, column]], on=key, how="left")
        m = interactive.choropleth_map(
            frame,
            column,
            scheme=scheme.value,  # type: ignore[arg-type]
            k=k,
            localities=loc if by_parish else None,
            title=title,
            **common,
        )
        written.append(interactive.save_map(m, target, offline=offline))
    for path in written:
        size = path.stat().st_size / 1e6
        console.print(
            f"wrote [bold]{escape(str(path))}[/] ({size:.1f} MB{', offline' if offline else ''})"
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


@app.command()
def atlas(
    localities: LocalitiesOpt,
    parishes: Annotated[
        str | None, typer.Option(help="Parishes layer (default: the localities file's).")
    ] = None,
    assets: Annotated[str | None, typer.Option(help="Located assets layer.")] = None,
    hubs: Annotated[str | None, typer.Option(help="Hubs layer.")] = None,
    title: Annotated[str, typer.Option(help="Title of the overview page.")] = "Locality atlas",
    out: Annotated[Path, typer.Option(help="Output PDF.")] = Path("maps/atlas.pdf"),
    overview: Annotated[
        Path | None, typer.Option(help="Also write the county overview PNG here.")
    ] = None,
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
    pts = _read(assets, "the assets", preferred="assets")
    hub = _read(hubs, "the hubs", preferred="hubs")
    path = static.locality_atlas_pdf(loc, par, out, assets=pts, hubs=hub, title=title)
    console.print(f"wrote [bold]{escape(str(path))}[/] ({len(loc) + 1} pages)")
    if overview is not None:
        png = static.county_overview_png(loc, overview, parishes=par, title=title)
        console.print(f"wrote [bold]{escape(str(png))}[/]")
