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

from localitygis.cli._app import app, console
from localitygis.cli._inputs import read_layer, read_sibling, split_spec
from localitygis.cli._scheme_store import chosen_scheme
from localitygis.cli.stats import needs_areas_from_files
from localitygis.errors import InputFileError
from localitygis.io import read_table
from localitygis.statistics import NeedsAreas, needs_profile

if TYPE_CHECKING:
    import folium

    from localitygis.localities.scheme import Scheme

__all__ = ["atlas", "map_command"]

SmallAreasOpt = Annotated[
    str | None,
    typer.Option(
        "--small-areas",
        help="LSOAs for the needs (file or file#layer): locality needs in the popups / pages.",
    ),
]
SmallAreaTableOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--small-area-table",
        help="IoD2019 table by LSOA (File 1, File 6); repeat. Not needed if the LSOAs carry "
        "the measures.",
    ),
]


class MapKind(StrEnum):
    """Which web map to draw."""

    county = "county"
    assets = "assets"
    locality = "locality"
    choropleth = "choropleth"


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


LocalitiesOpt = Annotated[
    str,
    typer.Option(
        "--localities",
        "-l",
        help="Localities layer (file or file#layer), e.g. from `localitygis build`.",
    ),
]
SchemeOpt = Annotated[
    str | None,
    typer.Option(
        "--scheme",
        "-s",
        help="Locality scheme: TOML file, 'herefordshire' or 'demo' (default: the one "
        "`localitygis build` stored in the GeoPackage, else the Herefordshire wording). "
        "Names tiers, asset categories and sectors, and is shown on the map.",
    ),
]


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
    localities: LocalitiesOpt,
    parishes: Annotated[
        str | None, typer.Option(help="Parishes layer (default: the localities file's).")
    ] = None,
    catchments: Annotated[str | None, typer.Option(help="Catchments layer.")] = None,
    assets: Annotated[str | None, typer.Option(help="Located assets layer.")] = None,
    hubs: Annotated[str | None, typer.Option(help="Hubs layer (name, tier, reach_m).")] = None,
    clusters: Annotated[str | None, typer.Option(help="Co-location clusters layer.")] = None,
    singles: Annotated[
        bool,
        typer.Option(
            "--singles", help="For `assets`: also draw co-location clusters of one asset."
        ),
    ] = False,
    unserved: Annotated[str | None, typer.Option(help="Parishes no hub reaches.")] = None,
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
    by_parish: Annotated[
        bool, typer.Option("--by-parish", help="For `choropleth`: map the parishes' column.")
    ] = False,
    scheme: SchemeOpt = None,
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
    small_areas: SmallAreasOpt = None,
    small_area_table: SmallAreaTableOpt = None,
) -> None:
    """Draw an interactive web map and save it as one HTML file."""
    method, scheme = _classification(classification, scheme)
    inputs = _Inputs(
        localities=read_layer(localities, preferred="localities"),
        parishes=_either(parishes, "the parishes", preferred="parishes", localities=localities),
        spec=localities,
        scheme=chosen_scheme(scheme, localities),
        tiles=online,
    )
    if kind is MapKind.county:
        needs = _needs(small_areas, small_area_table, inputs.parishes)
        profile = None if needs is None else needs_profile(needs)
        maps = [_county(inputs, catchments, (_profiles(profiles), profile), title, out)]
    elif kind is MapKind.assets:
        layers = {"hubs": hubs, "clusters": clusters, "unserved": unserved}
        maps = [_assets(inputs, assets, layers, singles=singles, title=title, out=out)]
    elif kind is MapKind.locality:
        maps = _localities(inputs, assets, hubs, profiles, locality, out)
    else:
        options = {"method": method, "k": k, "by_parish": by_parish, "title": title}
        maps = [_choropleth(inputs, column, profiles, options, out)]
    from localitygis.maps.interactive import save_map

    for m, target in maps:
        path = save_map(m, target, offline=not online)
        size = path.stat().st_size / 1e6
        console.print(
            f"wrote [bold]{escape(str(path))}[/] ({size:.1f} MB{'' if online else ', offline'})"
        )


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
    out: Path | None,
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
    return m, out or Path("maps/county.html")


def _assets(
    inputs: _Inputs,
    assets: str | None,
    layers: dict[str, str | None],
    *,
    singles: bool,
    title: str | None,
    out: Path | None,
) -> tuple[folium.Map, Path]:
    from localitygis.maps import interactive

    pts = _either(assets, "the assets", preferred="assets", localities=inputs.spec)
    if pts is None:
        raise InputFileError("the assets map needs --assets (a located assets layer).")
    read = {name: _read(spec, f"the {name}", preferred=name) for name, spec in layers.items()}
    m = interactive.asset_map(
        inputs.localities,
        pts,
        parishes=inputs.parishes,
        singles=singles,
        title=title or "Assets and hubs",
        **read,
        **inputs.common(),
    )
    return m, out or Path("maps/assets.html")


def _localities(
    inputs: _Inputs,
    assets: str | None,
    hubs: str | None,
    profiles: Path | None,
    locality: str | None,
    out: Path | None,
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
        if locality:
            target = out or Path(f"maps/locality-{slug(name)}.html")
        else:
            target = (out or Path("maps/localities")) / f"{slug(name)}.html"
        maps.append((m, target))
    return maps


def _choropleth(
    inputs: _Inputs,
    column: str | None,
    profiles: Path | None,
    options: dict[str, Any],
    out: Path | None,
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
        localities=inputs.localities if options["by_parish"] else None,
        title=options["title"],
        **inputs.common(),
    )
    return m, out or Path(f"maps/{slug(column)}.html")


@app.command()
def atlas(
    localities: LocalitiesOpt,
    parishes: Annotated[
        str | None, typer.Option(help="Parishes layer (default: the localities file's).")
    ] = None,
    assets: Annotated[str | None, typer.Option(help="Located assets layer.")] = None,
    hubs: Annotated[str | None, typer.Option(help="Hubs layer.")] = None,
    scheme: SchemeOpt = None,
    title: Annotated[str, typer.Option(help="Title of the overview page.")] = "Locality atlas",
    out: Annotated[Path, typer.Option(help="Output PDF.")] = Path("maps/atlas.pdf"),
    overview: Annotated[
        Path | None, typer.Option(help="Also write the county overview PNG here.")
    ] = None,
    small_areas: SmallAreasOpt = None,
    small_area_table: SmallAreaTableOpt = None,
) -> None:
    """Write the printable locality atlas (PDF: overview + one page per locality)."""
    from localitygis.maps import static

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
