"""Locality profiles: each locality's figures beside the county's.

One row per locality (in the order of the localities table, which follows the scheme) and
a last ``"County"`` row: tier, parishes, area, population, density, assets by category and
by partner, co-location opportunities, hubs and population coverage, with each locality's
share of the county where a share makes sense.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.errors import DataError
from localitygis.hubs import CoverageResult

if TYPE_CHECKING:
    from localitygis.access import JourneyTimes

__all__ = [
    "COUNTY",
    "escape_markdown",
    "locality_profiles",
    "profiles_to_html",
    "profiles_to_markdown",
]

COUNTY = "County"

_LOCALITY_COLUMNS = ("locality", "tier", "area_km2")


def _frames(build_or_parishes: Any, localities: pd.DataFrame | None) -> tuple[Any, Any]:
    if localities is None:
        if hasattr(build_or_parishes, "parishes") and hasattr(build_or_parishes, "localities"):
            return build_or_parishes.parishes, build_or_parishes.localities
        raise DataError(
            "locality_profiles needs the localities: pass a LocalityBuild, or "
            "locality_profiles(parishes, localities, ...)."
        )
    return build_or_parishes, localities


def _slug(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def locality_profiles(
    build_or_parishes: Any,
    localities: pd.DataFrame | None = None,
    *,
    assets: pd.DataFrame | None = None,
    clusters: pd.DataFrame | None = None,
    hubs: pd.DataFrame | None = None,
    coverage: CoverageResult | pd.DataFrame | None = None,
    partner_column: str = "partner",
    needs: pd.DataFrame | None = None,
    journey_times: JourneyTimes | None = None,
) -> pd.DataFrame:
    """Profile every locality against the county.

    Parameters
    ----------
    build_or_parishes : LocalityBuild or pandas.DataFrame
        A :class:`localitygis.localities.LocalityBuild`, or the annotated parishes
        (``parish_code``, ``locality``, optional ``population``).
    localities : pandas.DataFrame, optional
        The localities table (``locality``, ``tier``, ``area_km2``; ``tier_name``,
        ``population`` when present). Required when parishes are given.
    assets : pandas.DataFrame, optional
        Located assets (``locality``, ``category``, ``partner``).
    clusters : pandas.DataFrame, optional
        Cluster table from :func:`localitygis.colocation.find_clusters` (``locality``,
        ``kind``).
    hubs : pandas.DataFrame, optional
        Hubs with ``locality`` (e.g. ``HubSolution.hubs``).
    coverage : CoverageResult or pandas.DataFrame, optional
        From :func:`localitygis.hubs.population_coverage` grouped by locality (its
        ``table``, with ``locality``, ``population`` and ``covered``).
    partner_column : str, default "partner"
        The asset column counted beside ``category``: ``"partner"`` (one column per owning
        organisation) or ``"sector"`` for a shorter table.
    needs : pandas.DataFrame, optional
        The needs block: :func:`localitygis.statistics.needs_profile` (one row per locality
        and a ``"County"`` row): people and age bands from the small areas, deprivation and
        the variation within each locality. Its ``population`` becomes
        ``small_area_population`` beside the parishes' ``population``.
    journey_times : localitygis.access.JourneyTimes, optional
        Journey times by road grouped by locality
        (:func:`localitygis.access.journey_time_indicators`): for the nearest hub and each
        asset category ``<destination>_minutes`` (the population-weighted mean of the
        minimum minutes) and ``<destination>_within_<m>_share`` (the share of the people
        within ``m`` minutes), per locality and for the county.

    Returns
    -------
    pandas.DataFrame
        One row per locality and a last ``"County"`` row: ``locality``, ``tier``,
        ``tier_name``, ``parishes``, ``area_km2``, ``population``, ``density_per_km2``,
        ``area_share``, ``population_share``, ``parishes_share``; with assets: ``assets``,
        ``assets_share``, ``assets_per_1000`` and one ``category: …`` and ``partner: …``
        (or ``sector: …``) column each; with clusters: ``colocation_opportunities``,
        ``consolidation_candidates``; with hubs: ``hubs``, ``hub_names``; with coverage:
        ``population_covered``, ``coverage_share`` (of the coverage's own population
        points, which can differ a little from the parishes' apportioned figure); with
        journey times,
        ``<destination>_minutes`` and ``<destination>_within_<m>_share``; with needs, its
        columns (see :func:`localitygis.statistics.needs_profile`). The county row holds the
        sums (or the county-wide ratio for density, rates and shares).

    Raises
    ------
    DataError
        Missing columns, or parishes in a locality that is not in the localities table.

    Examples
    --------
    >>> import pandas as pd
    >>> parishes = pd.DataFrame({"parish_code": ["E1", "E2", "E3"],
    ...                          "locality": ["Weobley", "Weobley", "Kington"],
    ...                          "population": [400, 600, 3000]})
    >>> localities = pd.DataFrame({"locality": ["Weobley", "Kington"], "tier": [1, 2],
    ...                            "area_km2": [40.0, 10.0]})
    >>> table = locality_profiles(parishes, localities)
    >>> table[["locality", "parishes", "population", "density_per_km2", "population_share"]]
      locality  parishes  population  density_per_km2  population_share
    0  Weobley         2        1000             25.0              0.25
    1  Kington         1        3000            300.0              0.75
    2   County         3        4000             80.0              1.00
    """
    parishes, localities = _frames(build_or_parishes, localities)
    names = _check_frames(parishes, localities)
    blocks = [_place_block(parishes, localities, names)]
    if assets is not None:
        blocks.append(_assets_block(assets, names, partner_column))
    if clusters is not None:
        blocks.append(_clusters_block(clusters, names))
    if hubs is not None:
        blocks.append(_hubs_block(hubs, names))
    if coverage is not None:
        blocks.append(_coverage_block(coverage, names))
    if journey_times is not None:
        blocks.append(_journey_block(journey_times, names))
    out = _derived(_assembled(blocks, names))
    if needs is not None:
        out = _with_needs(out, needs)
    return _ordered(out)


@dataclass
class _Block:
    """One optional input's columns: a value per locality, the county's, the summed ones."""

    columns: dict[str, Any] = field(default_factory=dict)
    county: dict[str, Any] = field(default_factory=dict)
    summed: list[str] = field(default_factory=list)

    def add(self, label: str, values: Any, county: Any, *, summed: bool = True) -> None:
        self.columns[label] = values
        self.county[label] = county
        if summed:
            self.summed.append(label)


def _check_frames(parishes: pd.DataFrame, localities: pd.DataFrame) -> list[str]:
    """Check the parishes and localities agree; return the locality names in order."""
    missing = [c for c in _LOCALITY_COLUMNS if c not in localities.columns]
    if missing:
        raise DataError(
            f"localities lacks column(s) {', '.join(missing)}; build them with "
            "localitygis.localities.build_localities."
        )
    if "locality" not in parishes.columns:
        raise DataError("parishes lack a locality column; assign them with build_localities.")
    names = localities["locality"].astype(str).tolist()
    if len(set(names)) != len(names):
        raise DataError("localities: a locality appears more than once.")
    strays = sorted(set(_parish_localities(parishes)) - set(names))
    if strays:
        raise DataError(
            f"parishes name locality(ies) {', '.join(strays)} that are not in the "
            "localities table; rebuild both from the same scheme."
        )
    return names


def _parish_localities(parishes: pd.DataFrame) -> pd.Series:
    return parishes["locality"].astype(object).dropna().astype(str)


def _place_block(parishes: pd.DataFrame, localities: pd.DataFrame, names: list[str]) -> _Block:
    """Tier, parishes, area and population."""
    block = _Block()
    tier = pd.array(pd.to_numeric(localities["tier"]).to_numpy(), dtype="Int64")
    block.add("tier", tier, pd.NA, summed=False)
    tier_names = (
        localities["tier_name"].astype(str).to_numpy()
        if "tier_name" in localities
        else [f"Tier {t}" for t in tier]
    )
    block.add("tier_name", tier_names, "All tiers", summed=False)
    counts = _parish_localities(parishes).value_counts()
    parish_counts = counts.reindex(names).fillna(0).astype(np.int64).to_numpy()
    block.add("parishes", parish_counts, int(np.sum(parish_counts)))
    area = pd.to_numeric(localities["area_km2"]).to_numpy(dtype=float)
    block.add("area_km2", area, float(np.sum(area)))
    population = _population(parishes, localities, names)
    block.add("population", population, np.sum(population))
    return block


def _population(parishes: pd.DataFrame, localities: pd.DataFrame, names: list[str]) -> Any:
    if "population" in parishes.columns:
        pop = pd.to_numeric(parishes["population"], errors="coerce").fillna(0)
        sums = pop.groupby(parishes["locality"].astype(object)).sum()
        values = sums.reindex(names).fillna(0).to_numpy()
    elif "population" in localities.columns:
        values = pd.to_numeric(localities["population"]).fillna(0).to_numpy()
    else:
        return np.nan
    population = np.asarray(values, dtype=float)
    if np.isfinite(population).all() and (population % 1 == 0).all():
        return population.astype(np.int64)
    return values


def _assets_block(assets: pd.DataFrame, names: list[str], partner_column: str) -> _Block:
    """Assets, and assets by category and by partner (or sector)."""
    for column in ("locality", "category", partner_column):
        if column not in assets.columns:
            raise DataError(f"assets lack a {column} column; locate them first.")
    block = _Block()
    a_loc = assets["locality"].astype(object)
    located = assets[a_loc.notna() & a_loc.astype(str).isin(names)]
    per = located.groupby("locality").size().reindex(names).fillna(0).astype(np.int64)
    block.add("assets", per.to_numpy(), len(located))
    for column in ("category", partner_column):
        wide = pd.crosstab(located["locality"].astype(str), located[column].astype(str))
        for value in sorted(wide.columns):
            counts = wide[value].reindex(names).fillna(0).astype(np.int64).to_numpy()
            block.add(f"{column}: {_slug(value)}", counts, int(wide[value].sum()))
    return block


def _clusters_block(clusters: pd.DataFrame, names: list[str]) -> _Block:
    """Co-location opportunities and consolidation candidates."""
    for column in ("locality", "kind"):
        if column not in clusters.columns:
            raise DataError(f"clusters lack a {column} column; use find_clusters(...).")
    block = _Block()
    for label, kind in (
        ("colocation_opportunities", "co-location opportunity"),
        ("consolidation_candidates", "consolidation candidate"),
    ):
        chosen = clusters[clusters["kind"].astype(str) == kind]
        per = chosen.groupby(chosen["locality"].astype(object)).size()
        block.add(label, per.reindex(names).fillna(0).astype(np.int64).to_numpy(), len(chosen))
    return block


def _hubs_block(hubs: pd.DataFrame, names: list[str]) -> _Block:
    """Hubs and their names."""
    if "locality" not in hubs.columns:
        raise DataError("hubs lack a locality column; choose them from located sites.")
    block = _Block()
    h_loc = hubs["locality"].astype(object)
    per = hubs.groupby(h_loc).size()
    block.add("hubs", per.reindex(names).fillna(0).astype(np.int64).to_numpy(), len(hubs))
    label = hubs["name"] if "name" in hubs.columns else hubs.index.to_series()
    joined = label.astype(str).groupby(h_loc).agg(lambda s: "; ".join(sorted(s)))
    block.add("hub_names", joined.reindex(names).fillna("").to_numpy(), "", summed=False)
    return block


def _coverage_block(coverage: CoverageResult | pd.DataFrame, names: list[str]) -> _Block:
    """Count the population within reach of a hub."""
    summary = coverage.table if isinstance(coverage, CoverageResult) else coverage
    if "locality" not in summary.columns or "covered" not in summary.columns:
        raise DataError(
            "coverage must be grouped by locality: population_coverage(..., by='locality')."
        )
    by_loc = summary.set_index(summary["locality"].astype(str)).reindex(names)
    covered = by_loc["covered"].fillna(0).to_numpy(dtype=float)
    # the share is of the coverage's own population (its points), never of the parishes'
    # apportioned figure: the two differ a little, and a share over 100 % helps nobody
    people = by_loc["population"].fillna(0).to_numpy(dtype=float)
    share = np.divide(covered, people, out=np.full(len(names), np.nan), where=people > 0)
    total = float(people.sum())
    block = _Block()
    block.add("population_covered", covered, float(covered.sum()))
    block.add(
        "coverage_share",
        share.round(4),
        round(float(covered.sum()) / total, 4) if total else np.nan,
        summed=False,
    )
    return block


def _journey_block(journey_times: JourneyTimes, names: list[str]) -> _Block:
    """Mean minimum minutes by road and the shares within each threshold, per destination."""
    table = journey_times.table
    if table.columns[0] != "locality":
        raise DataError(
            "journey_times must be grouped by locality: journey_time_indicators(..., "
            "by='locality')."
        )
    measures = [c for c in table.columns if c == "mean_minutes" or c.startswith("within_")]
    block = _Block()
    for destination, rows in table.groupby("destination", sort=False):
        by_area = rows.set_index(rows["locality"].astype(str))
        for measure in measures:
            label = _journey_label(str(destination), measure)
            values = by_area[measure].astype(float).round(4 if measure != "mean_minutes" else 1)
            block.add(
                label, values.reindex(names).to_numpy(), values.get(COUNTY, np.nan), summed=False
            )
    return block


def _journey_label(destination: str, measure: str) -> str:
    """``hub`` and ``mean_minutes`` -> ``hub_minutes``; ``within_15`` -> ``hub_within_15_share``."""
    if measure == "mean_minutes":
        return f"{destination}_minutes"
    return f"{destination}_{measure}_share"


def _assembled(blocks: list[_Block], names: list[str]) -> pd.DataFrame:
    """Stack the localities' rows and the county row; summed whole numbers as integers."""
    cols: dict[str, Any] = {"locality": names}
    county: dict[str, Any] = {"locality": COUNTY}
    summed: list[str] = []
    for block in blocks:
        cols |= block.columns
        county |= block.county
        summed += block.summed
    out = pd.concat([pd.DataFrame(cols), pd.DataFrame([county])], ignore_index=True)
    out["tier"] = pd.array(out["tier"], dtype="Int64")
    for column in summed:
        integral = out[column].notna().all() and (out[column] % 1 == 0).all()
        if integral and column not in ("area_km2", "population_covered"):
            out[column] = out[column].astype(np.int64)
    return out


def _ratio(numerator: pd.Series, denominator: pd.Series, *, scale: float = 1.0) -> np.ndarray:
    bottom = denominator.to_numpy(dtype=float)
    return np.divide(
        numerator.to_numpy(dtype=float) * scale,
        bottom,
        out=np.full(len(bottom), np.nan),
        where=bottom > 0,
    )


def _derived(out: pd.DataFrame) -> pd.DataFrame:
    """Density, each locality's share of the county, assets per 1,000 and coverage."""
    extra: dict[str, Any] = {}
    pop = out["population"].astype(float)
    extra["density_per_km2"] = _ratio(pop, out["area_km2"].astype(float)).round(1)
    total = out.iloc[-1]
    for column, share in (
        ("area_km2", "area_share"),
        ("population", "population_share"),
        ("parishes", "parishes_share"),
        ("assets", "assets_share"),
        ("hubs", "hubs_share"),
    ):
        if column in out:
            denominator = float(total[column])
            extra[share] = (
                (out[column].astype(float) / denominator).round(4) if denominator else np.nan
            )
    if "assets" in out:
        extra["assets_per_1000"] = _ratio(out["assets"], pop, scale=1000).round(2)
    out["area_km2"] = out["area_km2"].astype(float).round(2)
    return pd.concat([out, pd.DataFrame(extra, index=out.index)], axis=1)


def _with_needs(out: pd.DataFrame, needs: pd.DataFrame) -> pd.DataFrame:
    """Join the needs block by locality; localities it lacks hold no figures."""
    if "locality" not in needs.columns or COUNTY not in set(needs["locality"].astype(str)):
        raise DataError(
            "needs must be one row per locality and a County row: use "
            "localitygis.statistics.needs_profile(...)."
        )
    strays = sorted(set(needs["locality"].astype(str)) - set(out["locality"].astype(str)))
    if strays:
        raise DataError(
            f"needs name locality(ies) {', '.join(strays)} that are not in the localities "
            "table; best-fit the small areas to the same build's parishes."
        )
    block = needs.rename(columns={"population": "small_area_population"})
    block = block.set_index(block["locality"].astype(str)).drop(columns="locality")
    shares = [c for c in block.columns if c.endswith("_share")]
    block[shares] = block[shares].astype(float).round(4)
    if "imd_mean_rank" in block:
        block["imd_mean_rank"] = block["imd_mean_rank"].astype(float).round(0)
    joined = block.reindex(out["locality"].astype(str)).set_axis(out.index)
    return pd.concat([out, joined], axis=1)


def _ordered(out: pd.DataFrame) -> pd.DataFrame:
    first = [
        "locality",
        "tier",
        "tier_name",
        "parishes",
        "parishes_share",
        "area_km2",
        "area_share",
        "population",
        "population_share",
        "density_per_km2",
        "assets",
        "assets_share",
        "assets_per_1000",
        "colocation_opportunities",
        "consolidation_candidates",
        "hubs",
        "hubs_share",
        "hub_names",
        "population_covered",
        "coverage_share",
    ]
    head = [c for c in first if c in out.columns]
    rest = [c for c in out.columns if c not in head]
    return out[head + rest]


def _cell(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return str(value)


def profiles_to_markdown(profiles: pd.DataFrame, *, transpose: bool = True) -> str:
    """Render profiles as a Markdown table.

    Parameters
    ----------
    profiles : pandas.DataFrame
        From :func:`locality_profiles`.
    transpose : bool, default True
        One column per locality (and the county), one row per measure: readable when there
        are many measures.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"locality": ["Kington", "County"], "population": [3000, 4000]})
    >>> print(profiles_to_markdown(table))
    | measure | Kington | County |
    |---|---|---|
    | population | 3,000 | 4,000 |
    """
    header, rows = _grid(profiles, transpose=transpose)
    md = escape_markdown
    lines = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|])")


def escape_markdown(text: str) -> str:
    r"""Return ``text`` safe in a Markdown table cell, even where viewers render HTML.

    HTML is written as entities (``<script>`` shows as text and never runs), the
    characters that make links, code, emphasis and cell breaks are backslash-escaped, and
    line breaks become spaces.

    Examples
    --------
    >>> escape_markdown('<img src=x onerror="alert(1)"> [a](javascript:x) | *b*')
    '&lt;img src=x onerror="alert(1)"&gt; \\[a\\](javascript:x) \\| \\*b\\*'
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return html.escape(text, quote=False).replace("\r", " ").replace("\n", " ")


def profiles_to_html(profiles: pd.DataFrame, *, transpose: bool = True, title: str = "") -> str:
    """Render profiles as an HTML table; every name and value is escaped.

    Parameters
    ----------
    profiles : pandas.DataFrame
        From :func:`locality_profiles`.
    transpose : bool, default True
        One column per locality (see :func:`profiles_to_markdown`).
    title : str
        Caption of the table.

    Returns
    -------
    str
        A ``<table>`` element.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"locality": ["<b>Kington</b>", "County"], "hubs": [1, 2]})
    >>> "&lt;b&gt;Kington&lt;/b&gt;" in profiles_to_html(table)
    True
    """
    header, rows = _grid(profiles, transpose=transpose)
    esc = html.escape
    parts = ['<table class="locality-profiles">']
    if title:
        parts.append(f"<caption>{esc(title)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        cells = [f'<th scope="row">{esc(row[0])}</th>'] + [f"<td>{esc(c)}</td>" for c in row[1:]]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _grid(profiles: pd.DataFrame, *, transpose: bool) -> tuple[list[str], list[list[str]]]:
    frame = pd.DataFrame(profiles)
    if isinstance(frame, gpd.GeoDataFrame) or "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns=["geometry"], errors="ignore"))
    if "locality" not in frame.columns:
        raise DataError("profiles need a locality column; use locality_profiles(...).")
    if transpose:
        header = ["measure", *[str(v) for v in frame["locality"]]]
        rows = [
            [str(column), *[_cell(v) for v in frame[column].tolist()]]
            for column in frame.columns
            if column != "locality"
        ]
    else:
        header = [str(c) for c in frame.columns]
        rows = [[_cell(v) for v in record] for record in frame.itertuples(index=False)]
    return header, rows
