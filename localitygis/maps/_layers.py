"""Turn localitygis frames into web layer payloads (escaped HTML, styles, compact arrays)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis.crs import to_bng, to_wgs84
from localitygis.maps import style
from localitygis.maps._web import (
    PRECISION,
    esc,
    feature_collection,
    fmt_value,
    humanise,
    popup_table,
    require_columns,
    web_points,
    web_polygons,
)

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


def _rows(record: Mapping[str, Any], columns: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for column in columns:
        if column in record and not _is_missing(record[column]):
            value = record[column]
            if str(column).endswith("_share") and isinstance(value, float | int | np.number):
                shown = f"{float(value):.1%}"
            else:
                shown = fmt_value(value)
            out.append((humanise(column), shown))
    return out


#: Most profile figures shown in a locality popup (breakdowns like "category: library" and
#: "partner: ..." columns are left to the profile table itself).
MAX_PROFILE_ROWS = 14


def locality_layer(
    localities: gpd.GeoDataFrame,
    *,
    tier_names: Mapping[int, str],
    profiles: pd.DataFrame | None = None,
    tolerance: float,
    highlight: str | None = None,
    fill_opacity: float = 0.5,
) -> tuple[str, str, gpd.GeoDataFrame]:
    """Return (polygons GeoJSON, label points GeoJSON, web frame) for the localities."""
    require_columns(localities, ["locality", "tier"], "the localities")
    web = web_polygons(localities, what="the localities", tolerance=tolerance)
    lookup = profile_lookup(profiles)
    props = []
    for _, row in web.iterrows():
        name = str(row["locality"])
        tier = row["tier"]
        tier_text = (
            str(row["tier_name"])
            if "tier_name" in row and not _is_missing(row["tier_name"])
            else tier_names.get(int(tier), f"Tier {tier}")
            if not _is_missing(tier)
            else "No tier"
        )
        record = {k: v for k, v in row.items() if k not in _SKIP}
        rows = _rows(record, [c for c in LOCALITY_FIELDS if c != "tier_name"])
        profile = lookup.get(name, {})
        shown = set(LOCALITY_FIELDS)
        duplicates = {"parishes"} if "parish_count" in record else set()
        extra = [
            c
            for c in profile
            if c not in shown
            and c not in _SKIP
            and c not in duplicates
            and c != "tier_name"
            and ": " not in str(c)
        ][:MAX_PROFILE_ROWS]
        rows += _rows(profile, extra)
        faded = highlight is not None and name != highlight
        props.append(
            {
                "_s": {
                    "fillColor": style.tier_colour(tier),
                    "color": "#333333" if not faded else "#777777",
                    "weight": 2 if not faded else 1,
                    "fillOpacity": fill_opacity if not faded else 0.12,
                    "opacity": 0.9,
                },
                "_t": f"<b>{esc(name)}</b><br>{esc(tier_text)}",
                "_p": popup_table(esc(name), rows, subtitle=esc(tier_text)),
                "_n": esc(name),
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
    """Return the parish polygons as GeoJSON with tooltips, popups and search names."""
    require_columns(parishes, ["parish_name"], "the parishes")
    web = web_polygons(parishes, what="the parishes", tolerance=tolerance)
    props = []
    for _, row in web.iterrows():
        name = esc(row["parish_name"])
        record = row.to_dict()
        rows = []
        if "parish_code" in record:
            rows.append(("Code", esc(record["parish_code"])))
        for column in ("locality", "catchment", "population"):
            if column in record and not _is_missing(record[column]):
                rows.append((humanise(column), fmt_value(record[column])))
        if "catchment_share" in record and not _is_missing(record["catchment_share"]):
            rows.append(("Share in catchment", f"{float(record['catchment_share']):.0%}"))
        if "reason" in record and not _is_missing(record["reason"]):
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
                "_t": name,
                "_p": popup_table(name, rows, subtitle="Civil parish"),
                "_n": name,
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
        }
        for name in web["catchment"]
    ]
    return feature_collection(web.geometry.values, props)


def unserved_layer(unserved: gpd.GeoDataFrame, *, tolerance: float) -> str:
    """Return parishes no hub reaches, highlighted."""
    require_columns(unserved, ["parish_name"], "the unserved parishes")
    web = web_polygons(unserved, what="the unserved parishes", tolerance=tolerance)
    props = []
    for _, row in web.iterrows():
        name = esc(row["parish_name"])
        rows = _rows(row.to_dict(), ["locality", "population"])
        props.append(
            {
                "_s": {
                    "color": style.UNSERVED_COLOUR,
                    "weight": 2,
                    "fillColor": style.UNSERVED_COLOUR,
                    "fillOpacity": 0.3,
                    "dashArray": "3 3",
                },
                "_t": f"{name}: not reached by a hub",
                "_p": popup_table(name, rows, subtitle="Not reached by any hub"),
                "_n": name,
            }
        )
    return feature_collection(web.geometry.values, props)


ASSET_FIELDS = (
    ("asset_id", "Asset ID"),
    ("sector", "Sector"),
    ("postcode", "Postcode"),
    ("address", "Address"),
    ("parish_name", "Parish"),
    ("locality", "Locality"),
    ("annual_cost", "Annual cost (£)"),
    ("floor_area_m2", "Floor area (m²)"),
)


#: Partners with their own filter in the layer control; the rest share "Other partners".
MAX_PARTNER_FILTERS = 15


def asset_payload(
    assets: gpd.GeoDataFrame,
    *,
    category_labels: Mapping[str, str] | None = None,
    cluster: bool,
) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, int]]]:
    """Return (compact payload, category -> colour, partner filters) for the asset layer.

    Partner filters are (escaped label, asset count): one per partner, or, when there are
    more than :data:`MAX_PARTNER_FILTERS`, the largest partners and one "Other partners"
    filter for the rest (every asset stays reachable through exactly one filter).
    """
    require_columns(assets, ["name", "category", "partner"], "the assets")
    _, latlon = web_points(assets, what="the assets")
    categories = assets["category"].astype("object").where(assets["category"].notna(), None)
    categories = categories.map(lambda c: "uncategorised" if _is_missing(c) else str(c))
    partners = (
        assets["partner"]
        .astype("object")
        .map(lambda p: "Unknown partner" if _is_missing(p) else str(p))
    )
    cat_colours = style.category_colours(categories)
    counts = partners.value_counts()
    par_keys = sorted(counts.index)
    if len(par_keys) > MAX_PARTNER_FILTERS:
        ranked = sorted(par_keys, key=lambda k: (-int(counts[k]), k))
        own = sorted(ranked[: MAX_PARTNER_FILTERS - 1])
        rest = [k for k in par_keys if k not in set(own)]
        groups = [(esc(k), int(counts[k])) for k in own]
        groups.append((f"Other partners ({len(rest):,} organisations)", int(counts[rest].sum())))
        group_of = {k: i for i, k in enumerate(own)} | {k: len(own) for k in rest}
    else:
        groups = [(esc(k), int(counts[k])) for k in par_keys]
        group_of = {k: i for i, k in enumerate(par_keys)}
    cat_keys = list(cat_colours)
    cat_index = pd.Series(range(len(cat_keys)), index=cat_keys)
    par_index = pd.Series(range(len(par_keys)), index=par_keys)
    fields = [(c, label) for c, label in ASSET_FIELDS if c in assets.columns]
    columns = [
        latlon[:, 0].tolist(),
        latlon[:, 1].tolist(),
        cat_index.loc[categories.to_numpy()].tolist(),
        par_index.loc[partners.to_numpy()].tolist(),
        [esc(v) or "(unnamed)" for v in assets["name"].tolist()],
    ]
    for column, _ in fields:
        values = assets[column].tolist()
        if column in {"annual_cost", "floor_area_m2"}:
            columns.append([None if _is_missing(v) else fmt_value(v) for v in values])
        else:
            columns.append([esc(v) or None for v in values])
    rows = [list(r) for r in zip(*columns, strict=True)]
    payload = {
        "rows": rows,
        "cats": [[esc(style.category_label(k, category_labels)), cat_colours[k]] for k in cat_keys],
        "partners": [esc(k) for k in par_keys],
        "pgroup": [group_of[k] for k in par_keys],
        "groups": [label for label, _ in groups],
        "fields": [esc(label) for _, label in fields],
        "cluster": bool(cluster),
    }
    return payload, cat_colours, groups


def hub_layers(hubs: gpd.GeoDataFrame, *, tier_names: Mapping[int, str]) -> tuple[str, str]:
    """Return (hub markers GeoJSON, reach rings GeoJSON)."""
    require_columns(hubs, ["name"], "the hubs")
    web, _ = web_points(hubs, what="the hubs")
    points = shapely.transform(
        shapely.centroid(np.asarray(web.geometry.values, dtype=object)),
        lambda xy: np.round(xy, PRECISION),
    )
    marker_props, ring_props, ring_geoms = [], [], []
    extra = [c for c in web.columns if c not in {web.geometry.name, "name", "tier", "reach_m"}]
    for geom, (_, row) in zip(points, web.iterrows(), strict=True):
        name = esc(row["name"])
        tier = row.get("tier")
        colour = style.tier_colour(tier)
        tier_text = esc(tier_names.get(int(tier), f"Tier {tier}")) if not _is_missing(tier) else ""
        rows = []
        reach = row.get("reach_m")
        if not _is_missing(reach):
            rows.append(("Reach", f"{float(reach) / 1000:,.1f} km"))
        rows += _rows(row.to_dict(), extra[:12])
        marker_props.append(
            {
                "_s": {
                    "radius": 9,
                    "color": style.HUB_COLOUR,
                    "weight": 3,
                    "fillColor": colour,
                    "fillOpacity": 1,
                },
                "_t": f"Hub: {name}",
                "_p": popup_table(
                    name, rows, subtitle=f"Hub · {tier_text}" if tier_text else "Hub"
                ),
                "_n": name,
            }
        )
        if not _is_missing(reach) and float(reach) > 0:
            ring_geoms.append(geom)
            ring_props.append(
                {
                    "_r": float(reach),
                    "_s": {
                        "color": colour,
                        "weight": 2,
                        "dashArray": "8 6",
                        "fillColor": colour,
                        "fillOpacity": 0.06,
                    },
                    "_t": f"Reach of {name}: {float(reach) / 1000:,.1f} km",
                }
            )
    return feature_collection(points, marker_props), feature_collection(ring_geoms, ring_props)


def cluster_layer(clusters: gpd.GeoDataFrame, *, tolerance: float) -> str:
    """Return co-location clusters (points or polygons) as GeoJSON."""
    require_columns(clusters, ["cluster_id"], "the co-location clusters")
    web, _ = web_points(clusters, what="the co-location clusters")
    geoms = np.asarray(web.geometry.values, dtype=object)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, PRECISION))
    props = []
    for _, row in web.iterrows():
        count = row.get("member_count")
        title = f"Co-location cluster {esc(row['cluster_id'])}"
        rows = _rows(row.to_dict(), ["kind", "partners", "member_count"])
        size = 6 + 1.5 * float(np.sqrt(float(count))) if not _is_missing(count) else 7
        props.append(
            {
                "_s": {
                    "radius": round(size, 1),
                    "color": "#7a0177",
                    "weight": 1.5,
                    "dashArray": "3 3",
                    "fillColor": "#f768a1",
                    "fillOpacity": 0.12,
                },
                "_t": title,
                "_p": popup_table(title, rows, subtitle="Co-location opportunity"),
            }
        )
    return feature_collection(geoms, props)
