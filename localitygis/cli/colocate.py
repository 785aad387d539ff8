"""``localitygis colocate``: clusters of assets within walking distance of each other.

Reads the ``assets`` layer written by ``localitygis assets`` (any OGR vector file works;
``file#layer`` or ``--layer`` picks a layer) and writes ``colocation.gpkg`` (layers
``assets``, ``clusters``, ``cluster_outlines``), ``clusters.csv`` and
``colocation_by_locality.csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from localitygis.cli._analysis import (
    _done,
    _provenance,
    _read,
    _write_table,
)
from localitygis.cli._app import app, console
from localitygis.cli._options import OutFolder
from localitygis.colocation import ColocationResult, find_clusters
from localitygis.io import (
    OutputSet,
    check_out_folder,
    write_geopackage,
)
from localitygis.provenance import Provenance

__all__ = ["colocate", "write_colocation"]


def write_colocation(result: ColocationResult, out: Path, *, provenance: Provenance) -> list[Path]:
    """Write ``colocation.gpkg``, ``clusters.csv`` and ``colocation_by_locality.csv``.

    The files are put in place together (output set ``colocate``), or not at all.
    """
    with OutputSet(out, "colocate") as files:
        write_geopackage(
            files.path("colocation.gpkg"),
            {
                "assets": result.assets,
                "clusters": result.clusters,
                "cluster_outlines": result.hulls(),
            },
            provenance=provenance,
        )
        _write_table(files, "clusters.csv", result.clusters, provenance)
        _write_table(files, "colocation_by_locality.csv", result.by_locality(), provenance)
    return files.written


@app.command()
def colocate(
    assets: Annotated[str, typer.Argument(help="Located assets (file or file#layer).")],
    distance: Annotated[
        float, typer.Option("--distance", "-d", min=0.001, help="Walking distance in metres.")
    ] = 400.0,
    out: OutFolder = Path("analysis"),
    layer: Annotated[str | None, typer.Option("--layer", help="Layer of the asset file.")] = None,
) -> None:
    """Find clusters of assets within walking distance: co-location opportunities."""
    check_out_folder(out)
    frame = _read(assets, layer=layer, preferred="assets")
    result = find_clusters(frame, distance=distance)
    provenance = _provenance(frame)
    summary = result.by_locality()
    written = write_colocation(result, out, provenance=provenance)
    table = Table(
        title=f"Co-location at {distance:,.0f} m — {len(frame):,} assets", title_justify="left"
    )
    for column in ("locality", "assets", "clusters", "opportunities", "consolidation", "single"):
        table.add_column(column, justify="left" if column == "locality" else "right")
    for row in summary.itertuples(index=False):
        table.add_row(
            escape(str(row.locality)),
            f"{row.assets:,}",
            f"{row.clusters:,}",
            f"{row.opportunities:,}",
            f"{row.consolidation_candidates:,}",
            f"{row.singles:,}",
        )
    table.add_row(
        "[bold]County[/]",
        f"{summary['assets'].sum():,}",
        f"{summary['clusters'].sum():,}",
        f"{summary['opportunities'].sum():,}",
        f"{summary['consolidation_candidates'].sum():,}",
        f"{summary['singles'].sum():,}",
    )
    console.print(table)
    _done(provenance, written)
