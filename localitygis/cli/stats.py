"""``localitygis stats``: small-area figures apportioned to parishes or localities.

Reads small areas as ONS publishes them and one or more tables keyed by their codes, joins
them (every row accounted for), and apportions the figures by best fit or area weighting.
Writes ``small_area_statistics.csv`` (one row per parish or locality),
``small_area_fit.csv`` (which share of each small area went where), ``small_area_totals.csv``
(each count's total in and out) and ``small_area_rejects.csv`` (rows and areas not used, with
the reason).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer
from rich.markup import escape

from localitygis.cli._app import app, console
from localitygis.cli._inputs import (
    print_written,
    read_parish_layer,
    split_spec,
)
from localitygis.cli._options import LocalitiesFile, OutFolder
from localitygis.errors import DataError
from localitygis.io import OutputSet, check_out_folder, find_field, read_vector, write_csv
from localitygis.provenance import Provenance, provenance_of, with_provenance
from localitygis.statistics import (
    AGE_BANDS,
    AREA_CODE_PATTERNS,
    NEEDS_FIELDS,
    Apportionment,
    Measures,
    NeedsAreas,
    apportion,
    join_area_table,
    needs_profile,
    needs_small_areas,
    read_area_table,
    read_small_areas,
)

__all__ = [
    "Grouping",
    "StatsMethod",
    "needs_areas_from_files",
    "needs_from_files",
    "read_centroids",
    "read_joined",
    "stats",
]


class StatsMethod(StrEnum):
    """How small areas reach parishes."""

    best_fit = "best-fit"
    area_weighted = "area-weighted"


class Grouping(StrEnum):
    """One row per parish or per locality."""

    parish = "parish"
    locality = "locality"


def read_joined(
    small_areas: str,
    tables: list[str],
    *,
    code_field: str | None = None,
    table_code_field: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[pd.DataFrame], list[str]]:
    """Read the small areas and join each table; return them, the rejects and what was said."""
    path, layer = split_spec(small_areas)
    frame = read_small_areas(path, layer=layer, code_field=code_field)
    rejects, said = [], []
    for table in tables:
        joined = join_area_table(frame, read_area_table(table, code_field=table_code_field))
        frame = joined.frame
        rejects.append(joined.rejects)
        said.append(f"{Path(table).name}: {joined.summary()}")
    return frame, rejects, said


def read_centroids(spec: str | None) -> gpd.GeoDataFrame | None:
    """Read population-weighted centroids (points with a small-area code), if given."""
    if spec is None:
        return None
    path, layer = split_spec(spec)
    frame = read_vector(path, layer=layer)
    code = find_field(frame.columns, AREA_CODE_PATTERNS, what="code", source=path.name)
    return frame.rename(columns={code: "area_code"}).astype({"area_code": str})


def needs_from_files(
    small_areas: str,
    tables: list[str],
    parishes: gpd.GeoDataFrame,
    *,
    points: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Provenance]:
    """Read LSOAs and IoD tables, best-fit them to the parishes; the needs block and rejects.

    Used by ``localitygis profile --small-areas … --small-area-table …``.
    """
    if not tables:
        raise DataError(
            "--small-areas needs its tables: --small-area-table for IoD2019 File 1 (IMD) "
            "and File 6 (population)."
        )
    needs = needs_areas_from_files(small_areas, tables, parishes, points=points)
    return needs_profile(needs), needs.rejects, provenance_of(needs.frame)


def needs_areas_from_files(
    small_areas: str,
    tables: list[str],
    parishes: gpd.GeoDataFrame,
    *,
    points: str | None = None,
) -> NeedsAreas:
    """Read LSOAs and any IoD tables and best-fit them to the parishes (maps and atlas).

    Without tables, the LSOAs must carry the measures (as the demo's ``lsoas`` layer does).
    """
    path, layer = split_spec(small_areas)
    frame = read_small_areas(path, layer=layer)
    read = [read_area_table(table) for table in tables]
    needs = needs_small_areas(frame, parishes, read, points=read_centroids(points))
    provenance = provenance_of(frame)
    for table in read:
        provenance = provenance.combined(provenance_of(table))
    if needs.other_rows:
        console.print(
            f"{needs.other_rows:,} table row(s) for other districts' areas left out",
            highlight=False,
        )
    return NeedsAreas(with_provenance(needs.frame, provenance), needs.rejects, needs.other_rows)


def _column(name: str, columns: list[str]) -> str:
    """Find the column a user named: exactly, in any case, or by a part only it has."""
    if name in columns:
        return name
    folded = [c for c in columns if c.casefold() == name.casefold()]
    within = [c for c in columns if name.casefold() in c.casefold()]
    for found in (folded, within):
        if len(found) == 1:
            return found[0]
    hint = f"it matches {len(within)} columns" if within else "no column matches"
    raise DataError(
        f"column {name!r}: {hint}; the columns are: {', '.join(columns)}. "
        "Name it exactly (--count, --mean, --rank, --decile, --weight)."
    )


def _measures(
    columns: list[str],
    counts: list[str],
    means: list[str],
    ranks: list[str],
    deciles: list[str],
    weight: str | None,
) -> Measures:
    if not (counts or means or ranks or deciles):
        return _recognised_measures(columns, weight)
    return Measures(
        counts=tuple(_column(c, columns) for c in counts),
        means=tuple(_column(c, columns) for c in means),
        ranks=tuple(_column(c, columns) for c in ranks),
        deciles=tuple(_column(c, columns) for c in deciles),
        weight=_column(weight, columns) if weight else None,
    )


def _recognised_measures(columns: list[str], weight: str | None) -> Measures:
    """Recognise the IoD2019 measures by their headers, when no column is named."""
    found = {
        measure: find_field(columns, patterns, what=measure, source="tables", required=False)
        for measure, patterns in NEEDS_FIELDS.items()
    }
    counts = tuple(str(found[m]) for m in ("population", *AGE_BANDS) if found[m])
    if not counts and not found["imd_rank"]:
        raise DataError(
            "no column named and no IoD2019 measure recognised: name the columns with "
            "--count, --mean, --rank or --decile."
        )
    return Measures(
        counts=counts,
        ranks=tuple(c for c in (found["imd_rank"],) if c),
        deciles=tuple(c for c in (found["imd_decile"],) if c),
        weight=_column(weight, columns) if weight else found["population"],
    )


def _write(
    result: Apportionment, rejects: pd.DataFrame, out: Path, provenance: Provenance
) -> list[Path]:
    """Write the four tables together (output set ``stats``), or none of them."""
    with OutputSet(out, "stats") as files:
        for name, table in (
            ("small_area_statistics.csv", result.table),
            ("small_area_fit.csv", result.fit.memberships),
            ("small_area_totals.csv", result.totals),
            ("small_area_rejects.csv", rejects),
        ):
            write_csv(files.path(name), table, provenance=provenance)
    return files.written


@app.command()
def stats(
    small_areas: Annotated[
        str, typer.Argument(help="Small areas: OAs, LSOAs, MSOAs, wards (file or file#layer).")
    ],
    tables: Annotated[
        list[str], typer.Argument(help="Tables keyed by the small areas' codes (CSV, Excel).")
    ],
    localities: LocalitiesFile,
    method: Annotated[
        StatsMethod, typer.Option("--method", "-m", help="Best fit (ONS) or area weighted.")
    ] = StatsMethod.best_fit,
    by: Annotated[Grouping, typer.Option("--by", help="One row per parish or locality.")] = (
        Grouping.locality
    ),
    count: Annotated[
        list[str] | None, typer.Option("--count", help="A count column (people): summed.")
    ] = None,
    mean: Annotated[
        list[str] | None, typer.Option("--mean", help="A rate or score column: weighted mean.")
    ] = None,
    rank: Annotated[
        list[str] | None, typer.Option("--rank", help="A national rank column (1 = most).")
    ] = None,
    decile: Annotated[
        list[str] | None, typer.Option("--decile", help="A national decile column.")
    ] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Population column weighting means and ranks.")
    ] = None,
    code_field: Annotated[
        str | None, typer.Option("--code-field", help="The small areas' code field.")
    ] = None,
    table_code_field: Annotated[
        str | None, typer.Option("--table-code-field", help="The tables' code column.")
    ] = None,
    points: Annotated[
        str | None,
        typer.Option("--points", help="Population-weighted centroids, for best fit."),
    ] = None,
    out: OutFolder = Path("statistics"),
) -> None:
    """Apportion small-area figures (IoD, Census) to parishes or localities."""
    check_out_folder(out)
    frame, rejects, said = read_joined(
        small_areas, tables, code_field=code_field, table_code_field=table_code_field
    )
    parishes = read_parish_layer(localities, drop_attribution=True)
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    measures = _measures(columns, count or [], mean or [], rank or [], decile or [], weight)
    result = apportion(
        frame,
        parishes,
        measures,
        method="best_fit" if method is StatsMethod.best_fit else "area_weighted",
        by="parish_code" if by is Grouping.parish else "locality",
        points=read_centroids(points),
    )
    provenance = provenance_of(frame).combined(provenance_of(parishes))
    all_rejects = pd.concat([*rejects, result.rejects], ignore_index=True)
    written = _write(result, all_rejects, out, provenance)
    for line in [*said, result.summary()]:
        console.print(escape(line), highlight=False, soft_wrap=True)
    if provenance.is_demo:
        console.print(f"[dim]{escape(provenance.attribution)}[/]")
    print_written(written)
