"""``localitygis build``: parishes + catchments (or a lookup table) → localities.

Reads the parish and catchment layers (any OGR vector file; ``file.gpkg#layer`` or
``--layer`` picks a layer), optionally joins a population table to the parishes by parish
code (``--population-table``: e.g. the Census 2021 TS001 usual residents by parish, CSV or
Excel; its rejected rows go to ``rejects.csv`` with source "population table"), applies a
locality scheme, and writes to ``--out``:

* ``localities.gpkg`` — layers ``parishes``, ``catchments`` and ``localities`` (EPSG:27700);
* ``localities.geojson`` — the localities in WGS84 (EPSG:4326) for the web;
* ``localities_summary.csv`` — one row per locality;
* ``quality_report.csv`` — one row per check, and ``rejects.csv`` / ``split_parishes.csv``
  when there are any.

Slivers narrower than ``--clean-coverage`` (default 1 m) are cleaned from the parish and
catchment coverages first (``--no-clean-coverage`` keeps them as given).
"""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer
from rich.console import JustifyMethod
from rich.markup import escape
from rich.table import Table

from localitygis.cli._app import app, console, fail
from localitygis.cli._inputs import (
    choose_layer,
    print_written,
    resolve_scheme,
    split_spec,
)
from localitygis.cli._options import OutFolder
from localitygis.cli._scheme_store import scheme_metadata
from localitygis.io import (
    OutputSet,
    check_out_folder,
    read_catchments,
    read_lookup,
    read_parishes,
    read_table,
    select_district,
    write_csv,
    write_geojson,
    write_geopackage,
)
from localitygis.localities.build import LocalityBuild, build_localities
from localitygis.localities.clean import parse_tolerance
from localitygis.localities.population import PopulationJoin, join_population
from localitygis.provenance import provenance_of

__all__ = ["build"]

log = logging.getLogger(__name__)

_STATUS_STYLE = {
    "ok": "green",
    "info": "cyan",
    "repaired": "yellow",
    "warning": "yellow",
    "rejected": "red",
}


class GroupSplit(StrEnum):
    """What to do with a parish group found in several localities."""

    majority = "majority"
    refuse = "refuse"


class Engine(StrEnum):
    """Vector reading library."""

    pyogrio = "pyogrio"
    fiona = "fiona"


_Parishes = Annotated[
    str, typer.Option("--parishes", "-p", help="Parish boundaries (file or file#layer).")
]
_Catchments = Annotated[
    str | None,
    typer.Option("--catchments", "-c", help="Catchment polygons (file or file#layer)."),
]
_Lookup = Annotated[
    str | None,
    typer.Option("--lookup", "-l", help="Parish → catchment table (CSV or Excel)."),
]
_Scheme = Annotated[
    str | None,
    typer.Option(
        "--scheme",
        "-s",
        help="Scheme: 'herefordshire' (default), 'demo', or the path of a TOML file "
        "(an argument with a suffix or a / is a path).",
    ),
]
_Layer = Annotated[str | None, typer.Option("--layer", help="Layer of the parish file.")]
_CatchmentsLayer = Annotated[
    str | None, typer.Option("--catchments-layer", help="Layer of the catchment file.")
]
_CodeField = Annotated[
    str | None, typer.Option("--code-field", help="Parish code column (if not ONS-named).")
]
_NameField = Annotated[str | None, typer.Option("--name-field", help="Parish name column.")]
_PopulationField = Annotated[
    str | None, typer.Option("--population-field", help="Parish population column.")
]
_PopulationTable = Annotated[
    Path | None,
    typer.Option(
        "--population-table",
        help="Population by parish code (CSV or Excel), e.g. the Census 2021 TS001 usual "
        "residents by parish; replaces the parish layer's population. Rows not used are "
        "listed in rejects.csv.",
    ),
]
_PopulationTableCodeField = Annotated[
    str | None,
    typer.Option("--population-table-code-field", help="Parish code column of --population-table."),
]
_PopulationTableField = Annotated[
    str | None,
    typer.Option("--population-table-field", help="Population column of --population-table."),
]
_CatchmentField = Annotated[
    str | None,
    typer.Option("--catchment-field", help="Catchment name column (layer or lookup)."),
]
_LookupCodeField = Annotated[
    str | None, typer.Option("--lookup-code-field", help="Parish code column of the lookup.")
]
_Crs = Annotated[
    str | None,
    typer.Option("--crs", help="CRS of input files that declare none, e.g. EPSG:27700."),
]
_MinShare = Annotated[
    float,
    typer.Option("--min-share", min=0.0, max=1.0, help="List parishes split below this."),
]
_OnGroupSplit = Annotated[
    GroupSplit,
    typer.Option("--on-group-split", help="Resolve split parish groups or refuse them."),
]
_Engine = Annotated[Engine, typer.Option("--engine", help="Vector reading library.")]
_District = Annotated[
    str | None,
    typer.Option(
        "--district",
        help="Keep only this local authority district's parishes (code, e.g. E06000019, "
        "or name); needs --district-lookup.",
    ),
]
_DistrictLookup = Annotated[
    Path | None,
    typer.Option(
        "--district-lookup",
        help="The ONS parish to local authority district lookup (CSV or Excel).",
    ),
]
_CleanCoverage = Annotated[
    str,
    typer.Option(
        "--clean-coverage",
        help="Clean slivers (overlaps, gaps, unmatched edges) narrower than this from the "
        "parish and catchment coverages, e.g. 1m or 50cm; what moved is in the quality "
        "report, wider problems stay findings.",
    ),
]
_NoCleanCoverage = Annotated[
    bool,
    typer.Option("--no-clean-coverage", help="Use the coverages exactly as given."),
]


@app.command()
def build(
    parishes: _Parishes,
    catchments: _Catchments = None,
    lookup: _Lookup = None,
    scheme: _Scheme = None,
    out: OutFolder = Path("build"),
    layer: _Layer = None,
    catchments_layer: _CatchmentsLayer = None,
    code_field: _CodeField = None,
    name_field: _NameField = None,
    population_field: _PopulationField = None,
    population_table: _PopulationTable = None,
    population_table_code_field: _PopulationTableCodeField = None,
    population_table_field: _PopulationTableField = None,
    catchment_field: _CatchmentField = None,
    lookup_code_field: _LookupCodeField = None,
    crs: _Crs = None,
    min_share: _MinShare = 0.9,
    on_group_split: _OnGroupSplit = GroupSplit.majority,
    engine: _Engine = Engine.pyogrio,
    district: _District = None,
    district_lookup: _DistrictLookup = None,
    clean_coverage: _CleanCoverage = "1m",
    no_clean_coverage: _NoCleanCoverage = False,
) -> None:
    """Build localities from parishes and catchments (or a lookup table) and write them out."""
    _check_option_pairs(
        catchments=catchments,
        lookup=lookup,
        district=district,
        district_lookup=district_lookup,
        population_table=population_table,
        population_table_fields=(population_table_code_field, population_table_field),
    )
    check_out_folder(out)
    tolerance = 0.0 if no_clean_coverage else parse_tolerance(clean_coverage)
    chosen = resolve_scheme(scheme)
    p_path, p_layer = split_spec(parishes, layer)
    parish_frame = read_parishes(
        p_path,
        layer=choose_layer(p_path, p_layer, preferred="parishes"),
        code_field=code_field,
        name_field=name_field,
        population_field=population_field,
        crs=crs,
        engine=engine.value,
    )
    if district is not None and district_lookup is not None:
        parish_frame = _district_parishes(parish_frame, district_lookup, district)
    population_join = None
    if population_table is not None:
        population_join = _population_join(
            parish_frame,
            population_table,
            code_field=population_table_code_field,
            population_field=population_table_field,
        )
        parish_frame = population_join.parishes
    catchment_frame, lookup_frame = _catchments_or_lookup(
        catchments,
        lookup,
        catchments_layer=catchments_layer,
        catchment_field=catchment_field,
        lookup_code_field=lookup_code_field,
        crs=crs,
        engine=engine,
    )
    result = build_localities(
        parish_frame,
        catchments=catchment_frame,
        lookup=lookup_frame,
        scheme=chosen,
        min_share=min_share,
        on_group_split=on_group_split.value,
        clean_coverage=tolerance,
    )
    written = _write_outputs(
        result, out, population_rejects=population_join.rejects if population_join else None
    )
    _print_localities(result)
    _print_quality(result)
    print_written(written)
    console.print(
        f"[dim]{escape(provenance_of(result.localities).attribution)}[/]",
        highlight=False,
        soft_wrap=True,
    )


def _check_option_pairs(
    *,
    catchments: str | None,
    lookup: str | None,
    district: str | None,
    district_lookup: Path | None,
    population_table: Path | None,
    population_table_fields: tuple[str | None, str | None],
) -> None:
    """Refuse options given without the ones they go with, before reading anything."""
    if (catchments is None) == (lookup is None):
        fail("give either --catchments (polygons) or --lookup (a table), exactly one of them")
    if (district is None) != (district_lookup is None):
        fail("--district and --district-lookup go together: give both, or neither")
    if population_table is None and any(population_table_fields):
        fail(
            "--population-table-code-field and --population-table-field name columns of "
            "--population-table: give the table too"
        )


def _district_parishes(
    parishes: gpd.GeoDataFrame, district_lookup: Path, district: str
) -> gpd.GeoDataFrame:
    """Keep the parishes of ``district`` and say how many of those read they are."""
    kept = select_district(parishes, district_lookup, district)
    selection = kept.attrs["selection"]
    console.print(
        f"{selection['kept']:,} of {selection['read']:,} parishes are in {escape(district)}",
        highlight=False,
    )
    return kept


def _population_join(
    parishes: gpd.GeoDataFrame,
    table: Path,
    *,
    code_field: str | None,
    population_field: str | None,
) -> PopulationJoin:
    """Join the ``--population-table`` to the parishes by code and say how it went."""
    join = join_population(
        parishes, read_table(table), code_field=code_field, population_field=population_field
    )
    _print_population(join, table)
    return join


def _catchments_or_lookup(
    catchments: str | None,
    lookup: str | None,
    *,
    catchments_layer: str | None,
    catchment_field: str | None,
    lookup_code_field: str | None,
    crs: str | None,
    engine: Engine,
) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """Read the catchment polygons, or else the parish → catchment lookup (one is given)."""
    if catchments is not None:
        c_path, c_layer = split_spec(catchments, catchments_layer)
        frame = read_catchments(
            c_path,
            layer=choose_layer(c_path, c_layer, preferred="catchments"),
            field=catchment_field,
            crs=crs,
            engine=engine.value,
        )
        return frame, None
    assert lookup is not None  # _check_option_pairs let exactly one of them through
    table = read_lookup(
        Path(lookup), parish_field=lookup_code_field, catchment_field=catchment_field
    )
    return None, table


def _write_outputs(
    result: LocalityBuild, out: Path, *, population_rejects: pd.DataFrame | None = None
) -> list[Path]:
    """Write the build's files into ``out`` and return their paths.

    ``rejects.csv`` holds the build's rejects followed by the population table's (same
    ``source``, ``row``, ``reason`` contract; each keeps its own original columns).
    """
    provenance = provenance_of(result.localities)
    parts = [pd.DataFrame(t) for t in (result.report.rejects, population_rejects) if t is not None]
    parts = [t for t in parts if len(t)]
    rejects = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    optional = {"rejects.csv": rejects, "split_parishes.csv": result.report.split_parishes}
    # a stale rejects.csv or split_parishes.csv from an earlier run would mislead: the set
    # removes the one this run does not write
    with OutputSet(out, "build", optional=optional) as files:
        write_geopackage(
            files.path("localities.gpkg"),
            {
                "parishes": result.parishes,
                "catchments": result.catchments,
                "localities": result.localities,
            },
            provenance=provenance,
            metadata={"localities": scheme_metadata(result.scheme)},
        )
        write_geojson(files.path("localities.geojson"), result.localities, provenance=provenance)
        write_csv(files.path("localities_summary.csv"), result.localities, provenance=provenance)
        write_csv(files.path("quality_report.csv"), result.report.to_frame(), provenance=provenance)
        for name, table in optional.items():
            if len(table):
                write_csv(files.path(name), pd.DataFrame(table), provenance=provenance)
    return files.written


def _print_population(join: PopulationJoin, path: Path) -> None:
    """Print one line for the population join (and its notes)."""
    see = "; the rejected rows are in rejects.csv" if len(join.rejects) else ""
    console.print(
        f"{escape(join.summary())} ({escape(path.name)}{see})", highlight=False, soft_wrap=True
    )
    for note in join.notes:
        console.print(f"note: {escape(note)}", style="cyan", highlight=False, soft_wrap=True)


def _print_localities(result: LocalityBuild) -> None:
    table = Table(title=f"Localities — {escape(result.scheme.name)}", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("locality", "left"),
        ("tier", "right"),
        ("parishes", "right"),
        ("area km²", "right"),
        ("population", "right"),
        ("per km²", "right"),
        ("catchments", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for row in result.localities.itertuples(index=False):
        population = "—" if pd.isna(row.population) else f"{int(row.population):,}"
        density = "—" if pd.isna(row.density_per_km2) else f"{row.density_per_km2:,.0f}"
        table.add_row(
            escape(str(row.locality)),
            f"{row.tier} {escape(str(row.tier_name))}",
            f"{row.parish_count:,}",
            f"{row.area_km2:,.1f}",
            population,
            density,
            escape(str(row.catchments)),
        )
    console.print(table)
    if result.report.parishes_in != result.report.parishes_out:
        console.print(
            f"[yellow]{result.report.parishes_in - result.report.parishes_out} parish "
            "feature(s) rejected: see rejects.csv[/]"
        )


def _print_quality(result: LocalityBuild) -> None:
    frame = result.report.to_frame()
    table = Table(title="Quality report", title_justify="left")
    table.add_column("check")
    table.add_column("status")
    table.add_column("count", justify="right")
    table.add_column("detail")
    for row in frame.itertuples(index=False):
        style = _STATUS_STYLE.get(row.status, "")
        table.add_row(
            escape(row.check),
            f"[{style}]{escape(row.status)}[/]" if style else escape(row.status),
            str(row.count) if row.count else "",
            escape(row.detail),
        )
    console.print(table)
