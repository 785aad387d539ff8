"""Locality profiles: each locality's figures beside the county's.

One row per locality (in the order of the localities table, which follows the scheme) and
a last ``"County"`` row: tier, parishes, area, population, density, assets by category and
by partner, co-location opportunities, hubs and population coverage, with each locality's
share of the county where a share makes sense.
"""

from __future__ import annotations

import html
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.errors import DataError

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
    coverage: Any = None,
    partner_column: str = "partner",
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
        ``summary``, with ``locality``, ``population`` and ``covered``).
    partner_column : str, default "partner"
        The asset column counted beside ``category``: ``"partner"`` (one column per owning
        organisation) or ``"sector"`` for a shorter table.

    Returns
    -------
    pandas.DataFrame
        One row per locality and a last ``"County"`` row: ``locality``, ``tier``,
        ``tier_name``, ``parishes``, ``area_km2``, ``population``, ``density_per_km2``,
        ``area_share``, ``population_share``, ``parishes_share``; with assets: ``assets``,
        ``assets_share``, ``assets_per_1000`` and one ``category: …`` and ``partner: …``
        (or ``sector: …``) column each; with clusters: ``colocation_opportunities``,
        ``consolidation_candidates``; with hubs: ``hubs``, ``hub_names``; with coverage:
        ``population_covered``, ``coverage_share``. The county row holds the sums (or the
        county-wide ratio for density, rates and shares).

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
    p_loc = parishes["locality"].astype(object).dropna().astype(str)
    strays = sorted(set(p_loc) - set(names))
    if strays:
        raise DataError(
            f"parishes name locality(ies) {', '.join(strays)} that are not in the "
            "localities table; rebuild both from the same scheme."
        )

    cols: dict[str, Any] = {"locality": names}
    cols["tier"] = pd.array(pd.to_numeric(localities["tier"]).to_numpy(), dtype="Int64")
    cols["tier_name"] = (
        localities["tier_name"].astype(str).to_numpy()
        if "tier_name" in localities
        else [f"Tier {t}" for t in cols["tier"]]
    )
    counts = p_loc.value_counts()
    cols["parishes"] = counts.reindex(names).fillna(0).astype(np.int64).to_numpy()
    cols["area_km2"] = pd.to_numeric(localities["area_km2"]).to_numpy(dtype=float)
    if "population" in parishes.columns:
        pop = pd.to_numeric(parishes["population"], errors="coerce").fillna(0)
        sums = pop.groupby(parishes["locality"].astype(object)).sum()
        cols["population"] = sums.reindex(names).fillna(0).to_numpy()
    elif "population" in localities.columns:
        cols["population"] = pd.to_numeric(localities["population"]).fillna(0).to_numpy()
    else:
        cols["population"] = np.nan
    population = np.asarray(cols["population"], dtype=float)
    if np.isfinite(population).all() and (population % 1 == 0).all():
        cols["population"] = population.astype(np.int64)

    county: dict[str, Any] = {
        "locality": COUNTY,
        "tier": pd.NA,
        "tier_name": "All tiers",
        "parishes": int(np.sum(cols["parishes"])),
        "area_km2": float(np.sum(cols["area_km2"])),
        "population": np.sum(cols["population"]),
    }
    extra_sum: list[str] = ["parishes", "area_km2", "population"]

    if assets is not None:
        for column in ("locality", "category", partner_column):
            if column not in assets.columns:
                raise DataError(f"assets lack a {column} column; locate them first.")
        a_loc = assets["locality"].astype(object)
        located = assets[a_loc.notna() & a_loc.astype(str).isin(names)]
        cols["assets"] = (
            located.groupby("locality").size().reindex(names).fillna(0).astype(np.int64).to_numpy()
        )
        county["assets"] = len(located)
        extra_sum.append("assets")
        for column in ("category", partner_column):
            wide = pd.crosstab(located["locality"].astype(str), located[column].astype(str))
            for value in sorted(wide.columns):
                label = f"{column}: {_slug(value)}"
                cols[label] = wide[value].reindex(names).fillna(0).astype(np.int64).to_numpy()
                county[label] = int(wide[value].sum())
                extra_sum.append(label)

    if clusters is not None:
        for column in ("locality", "kind"):
            if column not in clusters.columns:
                raise DataError(f"clusters lack a {column} column; use find_clusters(...).")
        for label, kind in (
            ("colocation_opportunities", "co-location opportunity"),
            ("consolidation_candidates", "consolidation candidate"),
        ):
            chosen = clusters[clusters["kind"].astype(str) == kind]
            per = chosen.groupby(chosen["locality"].astype(object)).size()
            cols[label] = per.reindex(names).fillna(0).astype(np.int64).to_numpy()
            county[label] = len(chosen)
            extra_sum.append(label)

    if hubs is not None:
        if "locality" not in hubs.columns:
            raise DataError("hubs lack a locality column; choose them from located sites.")
        h_loc = hubs["locality"].astype(object)
        per = hubs.groupby(h_loc).size()
        cols["hubs"] = per.reindex(names).fillna(0).astype(np.int64).to_numpy()
        county["hubs"] = len(hubs)
        extra_sum.append("hubs")
        label = hubs["name"] if "name" in hubs.columns else hubs.index.to_series()
        joined = label.astype(str).groupby(h_loc).agg(lambda s: "; ".join(sorted(s)))
        cols["hub_names"] = joined.reindex(names).fillna("").to_numpy()
        county["hub_names"] = ""

    if coverage is not None:
        summary = coverage.summary if hasattr(coverage, "summary") else coverage
        if "locality" not in summary.columns or "covered" not in summary.columns:
            raise DataError(
                "coverage must be grouped by locality: population_coverage(..., by='locality')."
            )
        by_loc = summary.set_index(summary["locality"].astype(str))
        covered = by_loc["covered"].reindex(names).fillna(0).to_numpy(dtype=float)
        cols["population_covered"] = covered
        county["population_covered"] = float(covered.sum())
        extra_sum.append("population_covered")

    table = pd.DataFrame(cols)
    out = pd.concat([table, pd.DataFrame([county])], ignore_index=True)
    out["tier"] = pd.array(out["tier"], dtype="Int64")
    for column in extra_sum:
        integral = column in out and out[column].notna().all() and (out[column] % 1 == 0).all()
        if integral and column not in ("area_km2", "population_covered"):
            out[column] = out[column].astype(np.int64)
    extra: dict[str, Any] = {}
    pop = out["population"].astype(float)
    area = out["area_km2"].astype(float)
    extra["density_per_km2"] = np.divide(
        pop.to_numpy(), area.to_numpy(), out=np.full(len(out), np.nan), where=area.to_numpy() > 0
    ).round(1)
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
        extra["assets_per_1000"] = np.divide(
            out["assets"].to_numpy(dtype=float) * 1000,
            pop.to_numpy(),
            out=np.full(len(out), np.nan),
            where=pop.to_numpy() > 0,
        ).round(2)
    if "population_covered" in out:
        extra["coverage_share"] = np.divide(
            out["population_covered"].to_numpy(dtype=float),
            pop.to_numpy(),
            out=np.full(len(out), np.nan),
            where=pop.to_numpy() > 0,
        ).round(4)
    out["area_km2"] = out["area_km2"].astype(float).round(2)
    out = pd.concat([out, pd.DataFrame(extra, index=out.index)], axis=1)
    return _ordered(out)


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
