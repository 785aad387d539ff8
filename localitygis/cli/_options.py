"""Options several ``localitygis`` commands share, each defined once.

A command takes one of these as a parameter's type and sets its own default, e.g.
``out: OutFolder = Path("build")``. Options only one command takes are defined beside that
command, so that each command's body reads as its steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "LocalitiesFile",
    "LocalitiesLayer",
    "MapAssets",
    "MapParishes",
    "MapScheme",
    "OutFolder",
    "ParishesLayer",
    "SmallAreaTables",
    "SmallAreas",
]

OutFolder = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]
LocalitiesFile = Annotated[
    str, typer.Option("--localities", "-l", help="localities.gpkg from `localitygis build`.")
]
ParishesLayer = Annotated[
    str | None, typer.Option("--parishes-layer", help="Parish layer of --localities.")
]

# ``map`` and ``atlas``
LocalitiesLayer = Annotated[
    str,
    typer.Option(
        "--localities",
        "-l",
        help="Localities layer (file or file#layer), e.g. from `localitygis build`.",
    ),
]
MapScheme = Annotated[
    str | None,
    typer.Option(
        "--scheme",
        "-s",
        help="Locality scheme: TOML file, 'herefordshire' or 'demo' (default: the one "
        "`localitygis build` stored in the GeoPackage, else the Herefordshire wording). "
        "Names tiers, asset categories and sectors, and is shown on the map.",
    ),
]
MapParishes = Annotated[
    str | None, typer.Option(help="Parishes layer (default: the localities file's).")
]
MapAssets = Annotated[str | None, typer.Option(help="Located assets layer.")]
SmallAreas = Annotated[
    str | None,
    typer.Option(
        "--small-areas",
        help="LSOAs for the needs (file or file#layer): locality needs in the popups / pages.",
    ),
]
SmallAreaTables = Annotated[
    list[str] | None,
    typer.Option(
        "--small-area-table",
        help="IoD2019 table by LSOA (File 1, File 6); repeat. Not needed if the LSOAs carry "
        "the measures.",
    ),
]
