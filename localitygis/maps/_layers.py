"""Turn localitygis frames into web layer payloads (escaped HTML, styles, compact arrays)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.assets.vocabulary import DEFAULT_SECTORS
from localitygis.colocation import KIND_CONSOLIDATION, KIND_OPPORTUNITY, KIND_SINGLE
from localitygis.crs import to_bng, to_wgs84
from localitygis.maps import style
from localitygis.maps._format import format_value, record_rows
from localitygis.maps._web import (
    PRECISION,
    esc,
    feature_collection,
    popup_table,
    require_columns,
    web_points,
    web_polygons,
)
from localitygis.profiles import COUNTY

LOCALITY_FIELDS = (
    "tier_name",
    "parish_count",
    "population",
    "area_km2",
    "density_per_km2",
    "catchments",
)
_SKIP = {"geometry", "locality", "tier", "_order"}


def _is_missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def profile_lookup(profiles: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """Return locality -> {column: value} from a profiles frame keyed by ``locality``."""
    if profiles is None:
        return {}
    frame = profiles
    if "locality" not in frame.columns:
        if frame.index.name == "locality":
            frame = frame.reset_index()
        else:
            require_columns(frame, ["locality"], "the locality profiles")
    frame = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"]))
    return {str(row["locality"]): row.to_dict() for _, row in frame.iterrows()}


#: Most profile figures shown in a locality popup (breakdowns like "category: library" and
#: "partner: ..." columns are left to the profile table itself).
MAX_PROFILE_ROWS = 14


def _profile_columns(record: Mapping[str, Any], profile: Mapping[str, Any]) -> list[str]:
    """Profile columns worth a popup row: not shown already, not a per-key breakdown."""
    shown = set(LOCALITY_FIELDS) | _SKIP
    if "parish_count" in record:
        shown.add("parishes")
    extra = [c for c in profile if c not in shown and ": " not in str(c)]
    return extra[:MAX_PROFILE_ROWS]


def _lsoa_text(profile: Mapping[str, Any], which: str) -> str:
    code = profile.get(f"{which}_code")
    name = profile.get(f"{which}_name", code)
    decile = format_value(profile.get(f"{which}_decile"), "count")
    return f"{format_value(name)} ({format_value(code)}), decile {decile}"


def needs_rows(profile: Mapping[str, Any], county: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return a locality's needs popup rows (escaped), the 60+ share against the county's.

    Figures use the formatter of their kind: shares as percentages, whole numbers without
    ``.0``; a row whose figure is missing is left out.

    Examples
    --------
    >>> rows = needs_rows({"population": 6474.0, "age_60_plus_share": 0.3631,
    ...     "imd_mean_rank": 12437.4, "most_deprived_20pc_share": 0.0,
    ...     "most_deprived_code": "E01014034", "most_deprived_name": "<b>", "most_deprived_decile":
    ...     4.0}, {"age_60_plus_share": 0.299})
    >>> for label, value in rows:
    ...     print(f"{label}: {value}")
    Population (LSOAs, mid-2015): 6,474
    Aged 60 and over: 36.3% (county 29.9%)
    IMD 2019 mean rank: 12,437 of 32,844 (1 = most deprived)
    In England&#x27;s most deprived 20 %: 0.0%
    Most deprived LSOA: &lt;b&gt; (E01014034), decile 4
    """
    older = profile.get("age_60_plus_share")
    rank = profile.get("imd_mean_rank")
    shown = {
        "Population (LSOAs, mid-2015)": format_value(profile.get("population"), "count"),
        "Aged 60 and over": f"{format_value(older, 'share')} "
        f"(county {format_value(county.get('age_60_plus_share'), 'share')})",
        "IMD 2019 mean rank": f"{format_value(rank, 'count')} of 32,844 (1 = most deprived)",
        "In England's most deprived 20 %": format_value(
            profile.get("most_deprived_20pc_share"), "share"
        ),
        "Most deprived LSOA": _lsoa_text(profile, "most_deprived"),
        "Least deprived LSOA": _lsoa_text(profile, "least_deprived"),
        "Rank spread, middle 80 % of people": format_value(
            profile.get("imd_rank_p10_p90"), "count"
        ),
    }
    return [(esc(label), value) for label, value in shown.items() if not value.startswith("–")]


def _tier_text(tier: Any, tier_names: Mapping[int, str]) -> str:
    if _is_missing(tier):
        return "No tier"
    return tier_names.get(int(tier), f"Tier {tier}")


def locality_layer(
    localities: gpd.GeoDataFrame,
    *,
    tier_names: Mapping[int, str],
    profiles: pd.DataFrame | None = None,
    tolerance: float,
    highlight: str | None = None,
    fill_opacity: float = 0.5,
    needs: pd.DataFrame | None = None,
) -> tuple[str, str, gpd.GeoDataFrame]:
    """Return (polygons GeoJSON, label points GeoJSON, web frame) for the localities.

    Tier names come from ``tier_names`` (the scheme's), so popups and legend agree; with
    ``needs`` (:func:`localitygis.statistics.needs_profile`) each popup ends with the
    locality's needs against the county (:func:`needs_rows`).
    """
    require_columns(localities, ["locality", "tier"], "the localities")
    web = web_polygons(localities, what="the localities", tolerance=tolerance)
    lookup = profile_lookup(profiles)
    needs_of = profile_lookup(needs)
    props = []
    for _, row in web.iterrows():
        name = str(row["locality"])
        tier_text = _tier_text(row["tier"], tier_names)
        record = {k: v for k, v in row.items() if k not in _SKIP}
        rows = record_rows(record, [c for c in LOCALITY_FIELDS if c != "tier_name"])
        profile = lookup.get(name, {})
        rows += record_rows(profile, _profile_columns(record, profile))
        if needs_of:
            rows += needs_rows(needs_of.get(name, {}), needs_of.get(COUNTY, {}))
        faded = highlight is not None and name != highlight
        props.append(
            {
                "_s": {
                    "fillColor": style.tier_colour(row["tier"]),
                    "color": "#333333" if not faded else "#777777",
                    "weight": 2 if not faded else 1,
                    "fillOpacity": fill_opacity if not faded else 0.12,
                    "opacity": 0.9,
                },
                "_t": f"<b>{esc(name)}</b><br>{esc(tier_text)}",
                "_p": popup_table(esc(name), rows, subtitle=esc(tier_text)),
                "_a": f"{name}, {tier_text}",
                "_n": name,
            }
        )
    polygons = feature_collection(web.geometry.values, props)
    keep = localities["locality"].astype("object") != highlight
    labels = label_points(localities[keep], localities["locality"][keep], small=False)
    return polygons, labels, web


def label_points(frame: gpd.GeoDataFrame, names: pd.Series, *, small: bool) -> str:
    """Return GeoJSON label points (inside each polygon) carrying escaped ``_l`` text."""
    bng = to_bng(frame, source="labels")
    inside = gpd.GeoDataFrame(
        {"name": list(names)},
        geometry=shapely.point_on_surface(np.asarray(bng.geometry.values, dtype=object)),
        crs=bng.crs,
    )
    web = to_wgs84(inside)
    geoms = shapely.transform(
        np.asarray(web.geometry.values, dtype=object), lambda xy: np.round(xy, PRECISION)
    )
    cls = "s" if small else ""
    return feature_collection(geoms, [{"_l": esc(n), "_c": cls} for n in web["name"]])


def parish_layer(parishes: gpd.GeoDataFrame, *, tolerance: float, filled: bool) -> str:
    """Return the parish polygons as GeoJSON with tooltips, popups, search names and codes."""
    require_columns(parishes, ["parish_name"], "the parishes")
    web = web_polygons(parishes, what="the parishes", tolerance=tolerance)
    props = []
    for _, row in web.iterrows():
        record = row.to_dict()
        name = str(record["parish_name"])
        code = "" if _is_missing(record.get("parish_code")) else str(record["parish_code"])
        rows = [("Code", esc(code))] if code else []
        rows += record_rows(record, ["locality", "catchment", "population", "catchment_share"])
        if not _is_missing(record.get("reason")):
            rows.append(("Assignment", esc(record["reason"])))
        props.append(
            {
                "_s": {
                    "color": "#4d4d4d",
                    "weight": 0.8,
                    "fill": True,
                    "fillColor": "#ffffff",
                    "fillOpacity": 0.0 if not filled else 0.05,
                },
                "_t": esc(name),
                "_p": popup_table(esc(name), rows, subtitle="Civil parish"),
                "_a": f"Parish {name}",
                "_n": name,
                "_q": code,
            }
        )
    return feature_collection(web.geometry.values, props)


def catchment_layer(catchments: gpd.GeoDataFrame, *, tolerance: float) -> str:
    """Return catchment outlines as GeoJSON (no fill)."""
    require_columns(catchments, ["catchment"], "the catchments")
    web = web_polygons(catchments, what="the catchments", tolerance=tolerance)
    props = [
        {
            "_s": {"color": "#6a3d9a", "weight": 2.5, "dashArray": "6 4", "fill": False},
            "_t": f"Catchment: {esc(name)}",
            "_p": popup_table(esc(name), [], subtitle="Secondary school catchment"),
            "_a": f"School catchment {name}",
        }
        for name in web["catchment"]
    ]
    return feature_collection(web.geometry.values, props)


def unserved_layer(unserved: gpd.GeoDataFrame, *, tolerance: float) -> str:
    """Return parishes no hub reaches: hatched outlines that stay readable over any tier."""
    require_columns(unserved, ["parish_name"], "the unserved parishes")
    web = web_polygons(unserved, what="the unserved parishes", tolerance=tolerance)
    props = []
    for _, row in web.iterrows():
        name = str(row["parish_name"])
        rows = record_rows(row.to_dict(), ["locality", "population"])
        props.append(
            {
                "_s": {
                    "color": style.UNSERVED_COLOUR,
                    "weight": 3,
                    "fillColor": style.UNSERVED_COLOUR,
                    "fillOpacity": 0.45,
                    "dashArray": "2 4",
                },
                "_t": f"{esc(name)}: not reached by a hub",
                "_p": popup_table(esc(name), rows, subtitle="Not reached by any hub"),
                "_a": f"Parish {name}, not reached by any hub",
                "_n": name,
            }
        )
    return feature_collection(web.geometry.values, props)


#: Register columns shown in asset popups, in order, with their labels.
ASSET_FIELDS = (
    ("asset_id", "Asset ID"),
    ("sector", "Sector"),
    ("postcode", "Postcode"),
    ("address", "Address"),
    ("parish_name", "Parish"),
    ("parish_code", "Parish code"),
    ("locality", "Locality"),
    ("annual_cost", "Annual cost"),
    ("floor_area_m2", "Floor area (m²)"),
)

#: Register columns the search box looks in, besides the name.
ASSET_SEARCH_FIELDS = ("asset_id", "postcode", "parish_code")

#: Most partners with their own filter in one sector; the rest share that sector's "Other".
MAX_PARTNER_FILTERS = 8


def _labelled(values: pd.Series, missing: str) -> pd.Series:
    return values.astype("object").map(lambda v: missing if _is_missing(v) else str(v))


def _own_filters(counts: pd.Series) -> list[str]:
    """Partners of one sector that get their own filter, largest first.

    At most :data:`MAX_PARTNER_FILTERS`, never a partner with one asset when others also
    have one, and never a cut through a tie (all partners of a tied count go to "Other").
    """
    ranked = sorted(counts.index, key=lambda k: (-int(counts[k]), k))
    if int((counts == 1).sum()) > 1:
        ranked = [k for k in ranked if int(counts[k]) > 1]
    if len(ranked) > MAX_PARTNER_FILTERS:
        cut = int(counts[ranked[MAX_PARTNER_FILTERS]])
        ranked = [k for k in ranked[:MAX_PARTNER_FILTERS] if int(counts[k]) != cut]
    if len(ranked) == len(counts) - 1:  # "Other" would hold one partner: give it its own
        ranked = sorted(counts.index, key=lambda k: (-int(counts[k]), k))
    return ranked


def partner_filters(
    partners: pd.Series, sectors: pd.Series, sector_labels: Mapping[str, str]
) -> tuple[list[tuple[str, str, int]], dict[str, int]]:
    """Group partner filters by sector.

    Returns (filters, partner -> filter index); each filter is (sector label, label, asset
    count), and every partner is in exactly one filter.

    Examples
    --------
    >>> par = pd.Series(["Council", "Council", "A", "B", "NHS"])
    >>> sec = pd.Series(["council", "council", "community", "community", "nhs"])
    >>> partner_filters(par, sec, {"council": "Council"})[0]
    [('Community', 'Other partners: 2 organisations, 2 assets', 2), ('Council', 'Council', 2), \
('Nhs', 'NHS', 1)]
    """
    frame = pd.DataFrame({"partner": partners.to_numpy(), "sector": sectors.to_numpy()})
    home = frame.groupby("partner")["sector"].agg(lambda s: s.value_counts().index[0])
    counts = frame["partner"].value_counts()
    filters: list[tuple[str, str, int]] = []
    index: dict[str, int] = {}
    for sector in sorted(set(home), key=lambda k: style.category_label(k, sector_labels)):
        heading = style.category_label(sector, sector_labels)
        members = counts[home.index[home == sector]]
        own = _own_filters(members)
        for partner in own:
            index[partner] = len(filters)
            filters.append((heading, partner, int(members[partner])))
        rest = [p for p in members.index if p not in set(own)]
        if rest:
            total = int(members[rest].sum())
            label = f"Other partners: {len(rest):,} organisations, {total:,} assets"
            index.update({p: len(filters) for p in rest})
            filters.append((heading, label, total))
    return filters, index


def _column(values: list[Any], formatted: bool) -> dict[str, Any]:
    """Return a payload column: plain values, or codes into a dictionary when values repeat."""
    if formatted:
        values = [None if _is_missing(v) else format_value(v, "money") for v in values]
    else:
        values = [None if _is_missing(v) else str(v) for v in values]
    distinct = list(dict.fromkeys(values))
    if len(distinct) * 2 <= len(values):
        code = {v: i for i, v in enumerate(distinct)}
        return {"dict": distinct, "codes": [code[v] for v in values]}
    return {"values": values}


def asset_payload(
    assets: gpd.GeoDataFrame,
    *,
    category_labels: Mapping[str, str] | None = None,
    sector_labels: Mapping[str, str] | None = None,
    cluster: bool,
) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, str, int]]]:
    """Return (columnar payload, category -> colour, partner filters) for the asset layer.

    The payload holds plain (unescaped) text, column by column; the page escapes it when it
    builds a popup, a tooltip or a search hit. Positions are whole 10⁻⁵ degrees from
    ``origin`` (latitude, longitude), which keeps the file small. Partner filters are
    grouped by sector (see :func:`partner_filters`).
    """
    require_columns(assets, ["name", "category", "partner"], "the assets")
    _, latlon = web_points(assets, what="the assets")
    categories = _labelled(assets["category"], "uncategorised")
    partners = _labelled(assets["partner"], "Unknown partner")
    sector_names = dict(DEFAULT_SECTORS) | dict(sector_labels or {})
    sectors = (
        _labelled(assets["sector"], "other")
        if "sector" in assets.columns
        else pd.Series("other", index=assets.index)
    )
    cat_colours = style.category_colours(categories)
    filters, filter_of = partner_filters(partners, sectors, sector_names)
    cat_keys = list(cat_colours)
    par_keys = sorted(filter_of)
    fields = []
    for column, label in ASSET_FIELDS:
        if column not in assets.columns:
            continue
        values = assets[column].tolist()
        if column == "sector":
            values = [sector_names.get(v, v) if isinstance(v, str) else v for v in values]
        if column == "floor_area_m2":
            values = [None if _is_missing(v) else format_value(v) for v in values]
        field = _column(values, formatted=column == "annual_cost")
        fields.append(field | {"label": label, "search": column in ASSET_SEARCH_FIELDS})
    # positions as whole units of 10⁻⁵ degree (about a metre) from the south-west corner
    steps = np.round(latlon * 10**PRECISION).astype(np.int64)
    origin = steps.min(axis=0)
    payload = {
        "origin": (origin / 10**PRECISION).tolist(),
        "lat": (steps[:, 0] - origin[0]).tolist(),
        "lon": (steps[:, 1] - origin[1]).tolist(),
        "cat": pd.Series(range(len(cat_keys)), index=cat_keys).loc[categories].tolist(),
        "par": pd.Series(range(len(par_keys)), index=par_keys).loc[partners].tolist(),
        "name": [str(v) if not _is_missing(v) else "(unnamed)" for v in assets["name"]],
        "cats": [[style.category_label(k, category_labels), cat_colours[k]] for k in cat_keys],
        "partners": par_keys,
        "pgroup": [filter_of[k] for k in par_keys],
        "fields": fields,
        "cluster": bool(cluster),
    }
    return payload, cat_colours, filters


#: Hub columns never shown in its popup (drawn otherwise, or bookkeeping).
_HUB_SKIP = {"name", "tier", "tier_name", "reach_m", "row", "place", "data_source"}
_HUB_SKIP |= {"position_source", "attribution", "geometry", "_order"}


def _hub_columns(columns: Sequence[str]) -> list[str]:
    """Columns for a hub popup: one identifier only, no bookkeeping."""
    out, has_id = [], False
    for column in columns:
        is_id = column == "id" or str(column).endswith("_id")
        if column in _HUB_SKIP or (is_id and has_id):
            continue
        has_id = has_id or is_id
        out.append(column)
    return out[:12]


def hub_layers(
    hubs: gpd.GeoDataFrame,
    *,
    tier_names: Mapping[int, str],
    vocabulary: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[str, str]:
    """Return (hub markers GeoJSON, reach rings GeoJSON).

    ``vocabulary`` maps a column (``category``, ``sector``) to key -> label, so popups show
    "Library" and "Council", not raw keys. Reach is drawn as a dashed outline, as the legend
    shows it.
    """
    require_columns(hubs, ["name"], "the hubs")
    web, _ = web_points(hubs, what="the hubs")
    points = shapely.transform(
        shapely.centroid(np.asarray(web.geometry.values, dtype=object)),
        lambda xy: np.round(xy, PRECISION),
    )
    extra = _hub_columns([c for c in web.columns if c != web.geometry.name])
    marker_props, ring_props, ring_geoms = [], [], []
    for geom, (_, row) in zip(points, web.iterrows(), strict=True):
        name = str(row["name"])
        colour = style.tier_colour(row.get("tier"))
        tier_text = "" if _is_missing(row.get("tier")) else _tier_text(row["tier"], tier_names)
        record = row.to_dict()
        rows = record_rows(
            record, ["reach_m", *extra], labels={"reach_m": "Reach"}, values=vocabulary
        )
        marker_props.append(
            {
                "_s": {
                    "radius": 9,
                    "color": style.HUB_COLOUR,
                    "weight": 3,
                    "fillColor": colour,
                    "fillOpacity": 1,
                },
                "_t": f"Hub: {esc(name)}",
                "_p": popup_table(
                    esc(name), rows, subtitle=f"Hub · {esc(tier_text)}" if tier_text else "Hub"
                ),
                "_a": f"Hub {name}",
                "_n": name,
            }
        )
        reach = record.get("reach_m")
        if not _is_missing(reach) and float(reach) > 0:
            ring_geoms.append(geom)
            ring_props.append(
                {
                    "_r": float(reach),
                    "_s": {"color": colour, "weight": 2, "dashArray": "8 6", "fill": False},
                    "_t": f"Reach of {esc(name)}: {format_value(reach, 'distance')}",
                    "_a": f"Reach of hub {name}",
                }
            )
    return feature_collection(points, marker_props), feature_collection(ring_geoms, ring_props)


#: Cluster kind -> (layer label, popup subtitle, stroke, fill, dash).
CLUSTER_STYLES: Mapping[str, tuple[str, str, str, str, str]] = {
    KIND_OPPORTUNITY: (
        "Co-location opportunities",
        "Co-location opportunity: two or more partners",
        "#7a0177",
        "#f768a1",
        "",
    ),
    KIND_CONSOLIDATION: (
        "Consolidation candidates",
        "Consolidation candidate: one partner on several sites",
        "#00441b",
        "#41ab5d",
        "4 3",
    ),
    KIND_SINGLE: ("Single sites", "Single site", "#555555", "#bbbbbb", "1 3"),
}


def cluster_kinds(clusters: pd.DataFrame) -> pd.Series:
    """Each cluster's kind: its ``kind`` column, or from its partner and member counts.

    Examples
    --------
    >>> cluster_kinds(pd.DataFrame({"partner_count": [3, 1, 1], "member_count": [3, 2, 1]}))
    0    co-location opportunity
    1    consolidation candidate
    2                     single
    dtype: object
    """
    if "kind" in clusters.columns:
        return clusters["kind"].astype("object")
    partners = pd.to_numeric(clusters.get("partner_count", 1), errors="coerce")
    members = pd.to_numeric(clusters.get("member_count", 1), errors="coerce")
    kinds = np.where(
        partners > 1, KIND_OPPORTUNITY, np.where(members > 1, KIND_CONSOLIDATION, KIND_SINGLE)
    )
    return pd.Series(kinds, index=clusters.index, dtype="object")


def cluster_layer(
    clusters: gpd.GeoDataFrame,
    kind: str,
    *,
    vocabulary: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Return the co-location clusters of one ``kind`` as GeoJSON circle markers."""
    require_columns(clusters, ["cluster_id"], "the co-location clusters")
    web, _ = web_points(clusters, what="the co-location clusters")
    _, subtitle, stroke, fill, dash = CLUSTER_STYLES.get(kind, CLUSTER_STYLES[KIND_SINGLE])
    geoms = shapely.transform(
        shapely.centroid(np.asarray(web.geometry.values, dtype=object)),
        lambda xy: np.round(xy, PRECISION),
    )
    columns = ["member_count", "partner_count", "partners", "categories", "span_m", "locality"]
    props = []
    for _, row in web.iterrows():
        count = pd.to_numeric(row.get("member_count"), errors="coerce")
        title = f"Cluster {esc(row['cluster_id'])}"
        rows = record_rows(
            row.to_dict(),
            columns,
            labels={"member_count": "Assets", "partner_count": "Partners", "span_m": "Extent"},
            values=vocabulary,
        )
        size = 6 + 1.5 * float(np.sqrt(float(count))) if not _is_missing(count) else 7
        props.append(
            {
                "_s": {
                    "radius": round(size, 1),
                    "color": stroke,
                    "weight": 2,
                    "dashArray": dash,
                    "fillColor": fill,
                    "fillOpacity": 0.25,
                },
                "_t": f"{title}: {esc(subtitle.split(':')[0].lower())}",
                "_p": popup_table(title, rows, subtitle=esc(subtitle)),
                "_a": f"Cluster {row['cluster_id']}, {subtitle}",
            }
        )
    return feature_collection(geoms, props)
