"""``localitygis hubs``: rank hub sites, choose hubs and measure who is within reach.

Writes ``hubs.gpkg`` (layers ``hubs``, ``assignment``, ``unserved_parishes``),
``hub_solution.csv``, ``hub_ranking.csv``, ``hub_coverage.csv``, ``unserved_parishes.csv``,
``rationalisation.csv`` and ``rationalisation_assets.csv``; with ``--cost network --roads
roads.gpkg`` hubs are chosen and coverage measured in minutes by road, and
``road_rejects.csv`` lists what the roads could not route.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from localitygis.cli._analysis import (
    CostKind,
    _checked_population,
    _done,
    _parishes,
    _provenance,
    _read,
    _road_network,
    _road_rejects,
    _weighted,
    _write_table,
)
from localitygis.cli._app import app, console
from localitygis.cli._options import LocalitiesFile, OutFolder, ParishesLayer
from localitygis.cli._scheme_store import chosen_scheme
from localitygis.errors import DataError
from localitygis.hubs import (
    CoverageResult,
    HubReach,
    HubSolution,
    ScenarioResult,
    optimise_hubs,
    population_coverage,
    population_points,
    rank_hub_sites,
    rationalisation_scenario,
)
from localitygis.io import (
    OutputSet,
    check_out_folder,
    write_geopackage,
)
from localitygis.provenance import Provenance

__all__ = ["hubs", "write_hubs"]


class Method(StrEnum):
    """Hub optimisation objective."""

    p_median = "p-median"
    max_coverage = "max-coverage"


class Solver(StrEnum):
    """Exact (spopt + CBC) or heuristic."""

    exact = "exact"
    heuristic = "heuristic"


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
