"""``localitygis demo``: the whole chain on the generated demo county.

It runs the same commands an officer would, one after another, through real files:
``build`` → ``assets`` → ``colocate`` → ``hubs`` → ``profile`` → ``map`` … →
the deprivation map → ``atlas``.
Data files go to ``OUT/data``; maps to ``OUT`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from localitygis.access import journey_time_indicators, read_roads
from localitygis.cli._app import app, console
from localitygis.cli._inputs import print_written, read_layer, split_spec
from localitygis.cli.assets import assets
from localitygis.cli.build import build
from localitygis.cli.colocate import colocate
from localitygis.cli.hubs import hubs
from localitygis.cli.maps import MapKind, atlas, map_command
from localitygis.cli.profile import profile
from localitygis.demo.county import ROADS_NAME, demo_dir, load_demo, write_demo
from localitygis.hubs import population_points
from localitygis.io import check_out_folder
from localitygis.maps import choropleth_map, deprivation_map, deprivation_png, save_map
from localitygis.provenance import DEMO_NOTICE

__all__ = ["demo"]

_DEMO_FILES = (
    "demo_county.gpkg",
    "asset_register.csv",
    "postcode_directory.csv",
    "parish_catchment_lookup.csv",
    ROADS_NAME,
)


def _demo_inputs(out: Path) -> Path:
    """Return the folder holding the demo input files, generating them if absent."""
    folder = demo_dir()
    if all((folder / name).exists() for name in _DEMO_FILES):
        return folder
    generated = out / "demo-input"
    console.print(
        f"demo files not found in {escape(str(folder))}; generating them in "
        f"{escape(str(generated))}",
        highlight=False,
    )
    write_demo(generated)
    return generated


def _say_small_areas(inputs: Path) -> None:
    """Say what is real in the demo, and which published OA polygons had to be repaired."""
    county = load_demo(inputs)
    oas, repairs = county.output_areas, county.repairs
    listing = "; ".join(f"{r.feature} ({r.problem})" for r in repairs.itertuples(index=False))
    console.print(
        f"{len(oas)} real 2011 Output Areas ({int(oas['population'].sum()):,} people, mid-2015); "
        f"invalid polygons repaired: {len(repairs)}" + (f" — {escape(listing)}" if listing else ""),
        highlight=False,
    )


def _journey_map(localities: str, people: str, hubs: str, roads: str, out: Path) -> None:
    """Write the choropleth of each parish's mean minutes by road to its nearest hub."""
    parishes = read_layer(f"{localities}#parishes", preferred="parishes")
    points = population_points(parishes, points=read_layer(people, preferred="population"))
    path, layer = split_spec(roads)
    network = read_roads(path, layer=layer)
    hub_frame = read_layer(hubs, preferred="hubs")
    journeys = journey_time_indicators(network, points, hubs=hub_frame, by="parish_code")
    wide = journeys.wide().set_index("parish_code")["mean_minutes_hub"]
    frame = parishes.assign(hub_minutes=parishes["parish_code"].map(wide).astype(float))
    m = choropleth_map(
        frame,
        "hub_minutes",
        kind="minutes",
        label="Mean minutes by road to the nearest hub",
        cmap="YlOrRd",
        localities=read_layer(localities, preferred="localities"),
        title="Demo county: minutes by road to the nearest hub, by parish",
    )
    print_written([save_map(m, out / "hub_minutes.html")])


def _deprivation(county: Path, localities: str, out: Path) -> None:
    """Write the deprivation map and page: real LSOA deciles under the generated localities."""
    lsoas = read_layer(f"{county}#lsoas", preferred="lsoas")
    outlines = read_layer(localities, preferred="localities")
    title = "Demo county deprivation: IMD 2019 national deciles"
    m = deprivation_map(lsoas, localities=outlines, title=title)
    print_written(
        [
            save_map(m, out / "deprivation.html"),
            deprivation_png(lsoas, out / "deprivation.png", localities=outlines, title=title),
        ]
    )
    console.print(
        f"The {len(lsoas)} LSOAs, their populations and IMD 2019 deciles are real (English "
        "Indices of Deprivation 2019, MHCLG, Open Government Licence v3.0); the parishes "
        "and locality outlines drawn over them are generated.",
        highlight=False,
    )


@dataclass(frozen=True)
class _Files:
    """The demo's input files and the data files its steps write and read again."""

    inputs: Path
    data: Path

    @property
    def county(self) -> Path:
        return self.inputs / "demo_county.gpkg"

    @property
    def roads(self) -> str:
        return f"{self.inputs / ROADS_NAME}#road_link"

    @property
    def people(self) -> str:
        return f"{self.county}#population_points"

    @property
    def localities(self) -> str:
        return str(self.data / "localities.gpkg")

    @property
    def located(self) -> str:
        return str(self.data / "assets.gpkg")

    @property
    def hubs(self) -> str:
        return f"{self.data / 'hubs.gpkg'}#hubs"


def _step(title: str) -> None:
    console.rule(f"[bold]{title}")


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the maps (data files go in OUT/data).")
    ] = Path("maps"),
    hubs_per_locality: Annotated[
        int, typer.Option("--hubs-per-locality", min=1, help="Hubs to choose in each locality.")
    ] = 2,
) -> None:
    """Run the whole chain on the generated demo county and write every map and table."""
    check_out_folder(out / "data")
    files = _Files(inputs=_demo_inputs(out), data=out / "data")
    _step("0. The real small areas the demo is built on")
    _say_small_areas(files.inputs)
    _localities_and_assets(files)
    _analysis(files, hubs_per_locality)
    _step("6. Interactive maps")
    _web_maps(files, out)
    _journey_map(files.localities, files.people, files.hubs, files.roads, out)
    _step("7. Deprivation: the real LSOAs by IMD 2019 national decile")
    _deprivation(files.county, files.localities, out)
    _step("8. Printable atlas")
    atlas(
        localities=files.localities,
        assets=files.located,
        hubs=files.hubs,
        title="Demo county locality atlas",
        out=out / "atlas.pdf",
        overview=out / "county.png",
        small_areas=f"{files.county}#lsoas",
    )
    console.rule()
    console.print(
        f"Done. Open [bold]{escape(str(out / 'county.html'))}[/] in a browser; data files are "
        f"in {escape(str(files.data))}.",
        highlight=False,
    )
    console.print(f"[yellow]{DEMO_NOTICE}[/]", highlight=False)


def _localities_and_assets(files: _Files) -> None:
    """Build the localities, then locate the asset register in them (steps 1 and 2)."""
    _step("1. Localities from parishes and catchments")
    build(
        parishes=f"{files.county}#parishes",
        catchments=f"{files.county}#catchments",
        scheme="demo",
        out=files.data,
    )
    _step("2. Asset register located in parishes and localities")
    assets(
        register=str(files.inputs / "asset_register.csv"),
        localities=files.localities,
        postcodes=files.inputs / "postcode_directory.csv",
        scheme="demo",
        out=files.data,
    )


def _analysis(files: _Files, hubs_per_locality: int) -> None:
    """Find co-location, hubs in each locality and the locality profiles (steps 3 to 5)."""
    _step("3. Co-location opportunities")
    colocate(assets=files.located, out=files.data)
    _step(f"4. Hubs: {hubs_per_locality} per locality (p-median), coverage, rationalisation")
    hubs(
        assets=files.located,
        localities=files.localities,
        k=hubs_per_locality,
        per_locality=True,
        population=files.people,
        out=files.data,
    )
    _step("5. Locality profiles")
    profile(
        localities=files.localities,
        assets=files.located,
        hubs_file=files.hubs,
        population=files.people,
        by_sector=True,
        out=files.data,
    )


def _web_maps(files: _Files, out: Path) -> None:
    """Draw the county, assets, locality and density maps (step 6)."""
    profiles = files.data / "profiles.csv"
    map_command(
        MapKind.county,
        localities=files.localities,
        profiles=profiles,
        title="Demo county localities",
        out=out / "county.html",
        small_areas=f"{files.county}#lsoas",
    )
    map_command(
        MapKind.assets,
        localities=files.localities,
        assets=files.located,
        hubs=files.hubs,
        clusters=f"{files.data / 'colocation.gpkg'}#clusters",
        unserved=f"{files.data / 'hubs.gpkg'}#unserved_parishes",
        roads=files.roads,
        title="Demo county assets and hubs",
        out=out / "assets.html",
    )
    map_command(
        MapKind.locality,
        localities=files.localities,
        assets=files.located,
        hubs=files.hubs,
        profiles=profiles,
        out=out / "localities",
    )
    map_command(
        MapKind.choropleth,
        localities=files.localities,
        column="density_per_km2",
        title="Population density (people per km²)",
        out=out / "density.html",
    )
