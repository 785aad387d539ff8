"""``localitygis colocate``, ``hubs`` and ``profile``: analysis of located assets.

Inputs are the GeoPackages written by ``localitygis build`` (``localities.gpkg`` with layers
``parishes``, ``catchments``, ``localities``) and ``localitygis assets`` (layer ``assets``);
any OGR vector file works (``file#layer`` or ``--layer`` picks a layer).

* ``colocate`` writes ``colocation.gpkg`` (layers ``assets``, ``clusters``,
  ``cluster_outlines``), ``clusters.csv`` and ``colocation_by_locality.csv``.
* ``hubs`` writes ``hubs.gpkg`` (layers ``hubs``, ``assignment``, ``unserved_parishes``),
  ``hub_solution.csv``, ``hub_ranking.csv``, ``hub_coverage.csv``,
  ``unserved_parishes.csv``, ``rationalisation.csv`` and ``rationalisation_assets.csv``;
  with ``--cost network --roads roads.gpkg`` hubs are chosen and coverage measured in
  minutes by road, and ``road_rejects.csv`` lists what the roads could not route.
* ``profile`` writes ``profiles.csv``, ``profiles.md`` and ``profiles.html``.
"""

from __future__ import annotations

import html
import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import typer
from rich.markup import escape
from rich.table import Table

from localitygis._validate import listing
from localitygis.access import JourneyTimes, RoadNetwork, journey_time_indicators, read_roads
from localitygis.cli._app import app, console
from localitygis.cli._inputs import (
    numeric_tier,
    print_written,
    read_layer,
    read_parish_layer,
    split_spec,
)
from localitygis.cli._options import LocalitiesFile, OutFolder, ParishesLayer
from localitygis.cli._scheme_store import chosen_scheme
from localitygis.cli.stats import needs_from_files
from localitygis.colocation import ColocationResult, find_clusters
from localitygis.crs import BNG, check_coordinates, lonlat_to_bng
from localitygis.errors import DataError
from localitygis.hubs import (
    CoverageResult,
    HubReach,
    HubSolution,
    ScenarioResult,
    check_population_points,
    optimise_hubs,
    population_coverage,
    population_points,
    rank_hub_sites,
    rationalisation_scenario,
)
from localitygis.io import (
    OutputSet,
    check_out_folder,
    find_field,
    list_layers,
    read_table,
    write_csv,
    write_geopackage,
)
from localitygis.profiles import (
    escape_markdown,
    locality_profiles,
    profiles_to_html,
    profiles_to_markdown,
)
from localitygis.provenance import Provenance, provenance_of

__all__ = ["colocate", "hubs", "profile", "write_colocation", "write_hubs", "write_profiles"]

log = logging.getLogger(__name__)


class Method(StrEnum):
    """Hub optimisation objective."""

    p_median = "p-median"
    max_coverage = "max-coverage"


class CostKind(StrEnum):
    """What hub reach is measured in."""

    straight_line = "straight-line"
    network = "network"


class Solver(StrEnum):
    """Exact (spopt + CBC) or heuristic."""

    exact = "exact"
    heuristic = "heuristic"


# --------------------------------------------------------------------------------------
# Reading


def _read(spec: str, *, layer: str | None, preferred: str) -> gpd.GeoDataFrame:
    """Read a layer with ``tier`` as integers and without the ``attribution`` column."""
    return numeric_tier(read_layer(spec, layer=layer, preferred=preferred, drop_attribution=True))


def _provenance(*frames: pd.DataFrame | None) -> Provenance:
    present = [provenance_of(f) for f in frames if f is not None]
    result = present[0]
    for other in present[1:]:
        result = result.combined(other)
    return result


_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")


def _population_file(spec: str) -> gpd.GeoDataFrame:
    """Read population points from a vector layer, or a table of centroids (CSV or Excel).

    A table needs a population column and either easting/northing (``easting``, ``x``,
    ``oseast1m``…, British National Grid) or longitude/latitude.
    """
    path = Path(spec)
    if path.suffix.lower() not in _TABLE_SUFFIXES:
        return read_layer(spec, preferred="population", drop_attribution=True)
    table = read_table(path)
    source = path.name
    columns = [str(c) for c in table.columns]
    population = find_field(
        columns,
        (r"population", r"pop", r"usual_residents", r"residents", r"count", r"total"),
        what="population",
        source=source,
    )
    east = find_field(
        columns,
        (r"easting", r"x", r"oseast1m", r"east"),
        what="easting",
        source=source,
        required=False,
    )
    north = find_field(
        columns,
        (r"northing", r"y", r"osnrth1m", r"north"),
        what="northing",
        source=source,
        required=False,
    )
    if east is not None and north is not None:
        x = pd.to_numeric(table[east], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(table[north], errors="coerce").to_numpy(dtype=float)
        check_coordinates(x, y, kind="bng", source=source)
    else:
        lon = find_field(
            columns, (r"longitude", r"long", r"lon", r"lng"), what="longitude", source=source
        )
        lat = find_field(columns, (r"latitude", r"lat"), what="latitude", source=source)
        lon_v = pd.to_numeric(table[lon], errors="coerce").to_numpy(dtype=float)
        lat_v = pd.to_numeric(table[lat], errors="coerce").to_numpy(dtype=float)
        check_coordinates(lon_v, lat_v, kind="lonlat", source=source)
        x, y = lonlat_to_bng(lon_v, lat_v)
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        rows = np.flatnonzero(bad) + 2  # spreadsheet rows: header is row 1
        raise DataError(
            f"{source}: {int(bad.sum())} row(s) without usable coordinates (rows "
            f"{listing(rows)}); fix or remove them."
        )
    frame = pd.DataFrame(table).rename(columns={population: "population"})
    return gpd.GeoDataFrame(frame, geometry=shapely.points(x, y), crs=BNG)


def _weighted(points: gpd.GeoDataFrame | None, column: str | None) -> gpd.GeoDataFrame | None:
    """Return the population points counting ``column`` (e.g. ``aged_60_plus``) as people."""
    if column is None:
        return points
    if points is None:
        raise DataError(f"--weight {column} needs --population: the points that carry it.")
    if column not in points.columns:
        have = [str(c) for c in points.columns if c != points.geometry.name]
        raise DataError(
            f"the --population points have no column {column!r}; they have {listing(have)}."
        )
    values = pd.to_numeric(points[column], errors="coerce")
    bad = ~(values >= 0)
    if bad.any():
        raise DataError(
            f"column {column!r} of the --population points has {int(bad.sum())} value(s) "
            f"that are not counts of 0 or more (rows {listing(np.flatnonzero(bad) + 1)}); "
            "fix them or choose another column."
        )
    total = pd.to_numeric(points["population"], errors="coerce").sum()
    console.print(
        f"Hubs and coverage weighted by {escape(column)}: {values.sum():,.0f} of "
        f"{total:,.0f} people in the population points.",
        highlight=False,
    )
    return points.assign(population=values)


def _checked_population(
    spec: str | None, parishes: gpd.GeoDataFrame, *, rejects_file: str | None
) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame]:
    """Read ``--population`` and check it against the county; say the counts.

    Returns the points that lie in the county (``None`` without ``spec``) and the rejects
    (points outside, or with easting and northing swapped), with their distances; the
    line printed names ``rejects_file`` when the command writes them (else lists them).
    """
    if spec is None:
        return None, pd.DataFrame()
    path, _ = split_spec(spec)
    first_row = 2 if path.suffix.lower() in _TABLE_SUFFIXES else 1
    check = check_population_points(
        parishes, _population_file(spec), source=path.name, first_row=first_row
    )
    see = f"; the rejected points are in {rejects_file}" if rejects_file else ""
    see = see if len(check.rejects) else ""
    console.print(f"{escape(check.summary())} ({escape(path.name)}{see})", highlight=False)
    if not rejects_file:
        for row, reason in zip(check.rejects["row"], check.rejects["reason"], strict=True):
            console.print(f"  row {row}: {escape(str(reason))}", highlight=False, soft_wrap=True)
    return check.points, check.rejects


def _parishes(localities: str, layer: str | None) -> gpd.GeoDataFrame:
    return read_parish_layer(localities, layer=layer, drop_attribution=True)


def _write_table(files: OutputSet, name: str, frame: pd.DataFrame, provenance: Provenance) -> None:
    write_csv(files.path(name), pd.DataFrame(frame), provenance=provenance)


def _k_used(solution: HubSolution, k: int, per_locality: bool) -> str:
    """Say how many hubs were chosen, and where the candidate sites allowed fewer than k.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> hubs = pd.DataFrame({"locality": ["A", "A", "B"]})
    >>> _k_used(SimpleNamespace(hubs=hubs), 2, True)
    '2 per locality (fewer where there were fewer candidate sites: B 1)'
    >>> _k_used(SimpleNamespace(hubs=hubs), 500, False)
    'k = 3 (500 asked for; there are only 3 distinct candidate sites)'
    """
    if per_locality:
        counts = solution.hubs.groupby("locality", sort=True).size()
        short = counts[counts < k]
        if not len(short):
            return f"{k} per locality"
        listed = ", ".join(f"{escape(str(name))} {count}" for name, count in short.items())
        return f"{k} per locality (fewer where there were fewer candidate sites: {listed})"
    chosen = len(solution.hubs)
    if chosen < k:
        return f"k = {chosen} ({k} asked for; there are only {chosen} distinct candidate sites)"
    return f"k = {k}"


def _done(provenance: Provenance, paths: list[Path]) -> None:
    """Say the data are demo data (when they are) and name the files written."""
    if provenance.is_demo:
        console.print(f"[dim]{escape(provenance.attribution)}[/]")
    print_written(paths)


# --------------------------------------------------------------------------------------
# Writers (also used by ``localitygis demo``)


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


def write_hubs(
    out: Path,
    *,
    solution: HubSolution,
    ranking: pd.DataFrame,
    coverage: CoverageResult,
    scenario: ScenarioResult,
    parishes: gpd.GeoDataFrame,
    provenance: Provenance,
    population_rejects: pd.DataFrame | None = None,
    road_rejects: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``hubs.gpkg`` (hubs, assignment, unserved_parishes) and the hub tables.

    The files are put in place together (output set ``hubs``), or not at all; the
    population points rejected (``population_rejects``), if any, go to
    ``population_rejects.csv``, and with travel by road the links, points and sites the
    roads could not serve (``road_rejects``) to ``road_rejects.csv``.
    """
    unserved = parishes.merge(
        coverage.unserved[["parish_code", "share", "nearest_hub", "distance_m"]],
        on="parish_code",
    )
    report = pd.DataFrame(
        [
            {
                "method": solution.method,
                "solver": solution.solver,
                "k": solution.k,
                "hubs": len(solution.hubs),
                "objective": solution.objective,
                "mean_distance_m": round(solution.mean_distance_m, 1),
                "covered_share": solution.covered_share,
                "bound": solution.bound,
                "gap": solution.gap,
                "optimum": solution.optimum,
                "gap_to_optimum": solution.gap_to_optimum,
                "seconds": round(solution.seconds, 3),
            }
        ]
    )
    optional = ["population_rejects.csv", "road_rejects.csv"]
    with OutputSet(out, "hubs", optional=optional) as files:
        write_geopackage(
            files.path("hubs.gpkg"),
            {
                "hubs": solution.hubs,
                "assignment": solution.assignment,
                "unserved_parishes": unserved,
            },
            provenance=provenance,
        )
        for name, table in (
            ("hub_solution.csv", report),
            ("hub_ranking.csv", ranking),
            ("hub_coverage.csv", coverage.table),
            ("unserved_parishes.csv", coverage.unserved),
            ("rationalisation.csv", scenario.table),
            ("rationalisation_assets.csv", scenario.assets),
        ):
            _write_table(files, name, table, provenance)
        if population_rejects is not None and len(population_rejects):
            _write_table(files, "population_rejects.csv", population_rejects, provenance)
        if road_rejects is not None:
            _write_table(files, "road_rejects.csv", road_rejects, provenance)
    return files.written


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


# --------------------------------------------------------------------------------------
# colocate


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


# --------------------------------------------------------------------------------------
# hubs


_HubsAssets = Annotated[
    str, typer.Option("--assets", "-a", help="Located assets (file or file#layer).")
]
_HubsK = Annotated[
    int,
    typer.Option("--k", "-k", min=1, help="Hubs to choose (in each locality with --per-locality)."),
]
_HubsMethod = Annotated[Method, typer.Option("--method", help="Objective.")]
_HubsPerLocality = Annotated[
    bool, typer.Option("--per-locality", help="Choose k hubs in every locality.")
]
_HubsPopulation = Annotated[
    str | None,
    typer.Option(
        "--population",
        "-p",
        help="Population points: a layer, or a CSV/Excel table of centroids with "
        "population and easting/northing or longitude/latitude (e.g. ONS output-area "
        "population-weighted centroids); default: parish populations.",
    ),
]
_HubsWeight = Annotated[
    str | None,
    typer.Option(
        "--weight",
        "-w",
        help="Count this column of the --population points instead of their population "
        "when choosing hubs and measuring coverage: who is within reach, e.g. "
        "aged_60_plus, or the people in IMD deciles 1-2.",
    ),
]
_HubsDistance = Annotated[
    float | None,
    typer.Option(
        "--distance",
        min=0.001,
        help="Service distance in metres (needed for max-coverage; default for coverage: "
        "each hub's tier reach).",
    ),
]
_HubsRequired = Annotated[
    list[str] | None,
    typer.Option("--required", "-r", help="Asset id that must be a hub (repeatable)."),
]
_HubsCandidateCategory = Annotated[
    list[str] | None,
    typer.Option(
        "--candidate-category",
        "-c",
        help="Only assets of this category may become hubs (repeatable); default: all.",
    ),
]
_HubsSolver = Annotated[Solver, typer.Option("--solver", help="Exact or heuristic.")]
_HubsCost = Annotated[
    CostKind,
    typer.Option(
        "--cost",
        help="Measure hub choice and coverage in straight-line metres or in minutes along "
        "the roads of --roads.",
    ),
]
_HubsRoads = Annotated[
    str | None,
    typer.Option(
        "--roads",
        help="Road network for --cost network: an OS Open Roads GeoPackage (road_link) or "
        "a line layer with a road class or speed column (file or file#layer).",
    ),
]
_HubsMinutes = Annotated[
    float | None,
    typer.Option(
        "--minutes",
        min=0.001,
        help="Service time by road for --cost network (needed for max-coverage; default "
        "for coverage: each hub's tier reach, rural 15, market town 20, city 10).",
    ),
]
_HubsScheme = Annotated[
    str | None,
    typer.Option(
        "--scheme",
        "-s",
        help="Scheme whose tiers' reach_minutes set the reach by road (TOML file, "
        "'herefordshire' or 'demo'); default: the scheme stored by the build.",
    ),
]
_HubsAssetsLayer = Annotated[
    str | None, typer.Option("--assets-layer", help="Layer of the asset file.")
]


@app.command()
def hubs(
    assets: _HubsAssets,
    localities: LocalitiesFile,
    k: _HubsK = 1,
    method: _HubsMethod = Method.p_median,
    per_locality: _HubsPerLocality = False,
    population: _HubsPopulation = None,
    weight: _HubsWeight = None,
    distance: _HubsDistance = None,
    required: _HubsRequired = None,
    candidate_category: _HubsCandidateCategory = None,
    solver: _HubsSolver = Solver.exact,
    cost: _HubsCost = CostKind.straight_line,
    roads: _HubsRoads = None,
    minutes: _HubsMinutes = None,
    scheme: _HubsScheme = None,
    out: OutFolder = Path("analysis"),
    assets_layer: _HubsAssetsLayer = None,
    parishes_layer: ParishesLayer = None,
) -> None:
    """Rank hub sites, choose k hubs, measure coverage and the rationalisation scenario."""
    check_out_folder(out)
    network = _road_network(cost, roads, minutes, distance)
    asset_frame = _read(assets, layer=assets_layer, preferred="assets")
    parishes = _parishes(localities, parishes_layer)
    points, population_rejects = _checked_population(
        population, parishes, rejects_file="population_rejects.csv"
    )
    people = population_points(parishes, points=_weighted(points, weight))
    candidates = _candidates(asset_frame, candidate_category, per_locality=per_locality)
    chosen = chosen_scheme(scheme, localities)
    reach = HubReach() if chosen is None else HubReach.from_scheme(chosen)
    ranking = rank_hub_sites(
        candidates, assets=asset_frame, population=people, reach=reach, cost=network
    )
    solution = optimise_hubs(
        candidates,
        people,
        k=k,
        method=method.value,
        distance=distance,
        required=tuple(required or ()),
        per_locality=per_locality,
        solver=solver.value,
        minutes=minutes,
        reach=reach,
        cost=network,
    )
    coverage = population_coverage(
        solution.hubs, people, distance=distance, minutes=minutes, reach=reach, cost=network
    )
    scenario = rationalisation_scenario(
        solution.hubs, asset_frame, people, reach=reach, cost=network
    )
    provenance = _provenance(
        asset_frame, parishes, points, None if network is None else network.links
    )
    road_rejects = None
    if network is not None:
        found = [solution.rejects, coverage.rejects, ranking.attrs["rejects"], scenario.rejects]
        road_rejects = _road_rejects(network, found)
    written = write_hubs(
        out,
        solution=solution,
        ranking=ranking,
        coverage=coverage,
        scenario=scenario,
        parishes=parishes,
        provenance=provenance,
        population_rejects=population_rejects,
        road_rejects=road_rejects,
    )
    _print_hubs(solution, _k_used(solution, k, per_locality))
    console.print(_solution_line(solution, coverage), highlight=False)
    console.print(_rationalisation_line(scenario), highlight=False)
    _done(provenance, written)


def _candidates(
    assets: gpd.GeoDataFrame, categories: list[str] | None, *, per_locality: bool
) -> gpd.GeoDataFrame:
    """Return the assets that may become hubs: of ``categories`` (all if none), located.

    With ``per_locality`` an asset outside every locality cannot be a locality's hub.
    """
    candidates = assets
    if categories:
        wanted = set(categories)
        candidates = assets[assets["category"].astype(str).isin(wanted)]
        if len(candidates) == 0:
            present = sorted(set(assets["category"].astype(str)))
            raise DataError(
                f"no asset has category {', '.join(sorted(wanted))}; categories present: "
                f"{', '.join(present)}."
            )
    return candidates[candidates["locality"].notna()] if per_locality else candidates


def _print_hubs(solution: HubSolution, k_used: str) -> None:
    """Print the chosen hubs as a table: who each serves and how far they travel."""
    table = Table(
        title=f"{solution.method} hubs ({solution.solver}), {k_used}", title_justify="left"
    )
    for column in ("hub", "name", "locality", "people served", "mean distance"):
        table.add_column(
            column, justify="right" if column.startswith(("people", "mean")) else "left"
        )
    chosen = solution.hubs
    names = chosen["name"] if "name" in chosen else chosen["hub_id"]
    locs = chosen["locality"] if "locality" in chosen else [""] * len(names)
    for hub_id, name, loc, served, mean in zip(
        chosen["hub_id"],
        names,
        locs,
        chosen["population_served"],
        chosen["mean_distance_m"],
        strict=True,
    ):
        table.add_row(
            escape(str(hub_id)),
            escape(str(name)),
            escape(str(loc)),
            f"{served:,.0f}",
            f"{mean:,.0f} m",
        )
    console.print(table)


def _solution_line(solution: HubSolution, coverage: CoverageResult) -> str:
    """One line on the solution: travel to the nearest hub, coverage, the optimality gap."""
    if solution.gap == 0:
        gap = "proven optimal"
    else:
        gap = f"gap to bound {solution.gap:.3%}" if solution.gap is not None else "no bound"
    by_road = (
        f"mean time to nearest hub by road {solution.mean_minutes:,.1f} min "
        f"({len(solution.rejects)} point(s) or site(s) off the road network); "
        if solution.mean_minutes is not None
        else ""
    )
    return (
        by_road + f"mean distance to nearest hub {solution.mean_distance_m:,.0f} m; "
        f"{coverage.county_share:.1%} of the population within reach; {gap}; "
        f"{len(coverage.unserved)} parish(es) unserved."
    )


def _rationalisation_line(scenario: ScenarioResult) -> str:
    """One line on the rationalisation scenario's county row: moves, distance, cost, time."""
    county = scenario.table.iloc[-1]
    return (
        f"rationalisation: {county['moving']} asset(s) could move into a hub, "
        f"{county['staying']} stay; mean distance to a service point "
        f"{county['mean_distance_before_m']:,.0f} m → {county['mean_distance_after_m']:,.0f} m; "
        f"running cost released £{county['cost_released']:,.0f}"
        + (f" ({county['cost_unknown']} without a cost)" if county["cost_unknown"] else "")
        + (
            f"; mean time by road {county['mean_minutes_before']:,.1f} → "
            f"{county['mean_minutes_after']:,.1f} min"
            if "mean_minutes_before" in county
            else ""
        )
    )


def _road_network(
    cost: CostKind, roads: str | None, minutes: float | None, distance: float | None
) -> RoadNetwork | None:
    """Read the road network for ``--cost network``; check the options fit the cost."""
    if cost is CostKind.straight_line:
        if roads is not None or minutes is not None:
            raise DataError("--roads and --minutes need --cost network.")
        return None
    if roads is None:
        raise DataError("--cost network needs --roads roads.gpkg (e.g. OS Open Roads).")
    if distance is not None:
        raise DataError("with --cost network give the service time as --minutes, not --distance.")
    path, layer = split_spec(roads)
    return read_roads(path, layer=layer)


def _road_rejects(network: RoadNetwork, found: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the road rejects: links not used, points and sites the roads cannot reach.

    ``found`` holds the rejects of each stage (choice, coverage, ranking, scenario); a point
    that several stages could not route is listed once.
    """
    return pd.concat([network.rejects, *found], ignore_index=True).drop_duplicates(
        subset=["source", "row", "reason"]
    )


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


# --------------------------------------------------------------------------------------
# profile


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
