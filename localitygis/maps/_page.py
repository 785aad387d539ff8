"""Assembling a localitygis web map: the page, its layers, legend and controls."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure
from folium import plugins

from localitygis.maps import _layers, _reach, style
from localitygis.maps._controls import (
    AssetLayer,
    Attribution,
    BaseLayers,
    GeoJsonLayer,
    GroupedLayers,
    HtmlControl,
    MiniMap,
    SearchBox,
    Tools,
    add_page_assets,
)
from localitygis.maps._offline import CDN
from localitygis.maps._web import esc, require_columns
from localitygis.provenance import Provenance

#: Above this many assets, markers are clustered by default.
CLUSTER_THRESHOLD = 1000


def _page_of(m: folium.Map) -> Figure:
    """Return the HTML page (branca ``Figure``) that holds ``m``."""
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError(
            f"the map sits in a {type(root).__name__}, not a page (branca Figure); "
            "build it with folium.Map and do not add it to another element."
        )
    return root


@dataclass
class _Page:
    """Collects the layers, legend and search entries of one map, then assembles it."""

    title: str
    provenance: Provenance
    tiles: bool
    scheme_name: str = ""
    closed_groups: list[str] = field(default_factory=list)
    overlays: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    legend: list[str] = field(default_factory=list)
    frames: list[gpd.GeoDataFrame] = field(default_factory=list)
    minimap: str | None = None  # the JavaScript name of the layer the minimap shows
    map: folium.Map = field(init=False)

    def __post_init__(self) -> None:
        self.map = folium.Map(
            location=[52.08, -2.75],
            zoom_start=10,
            tiles=None,
            control_scale=True,
            zoom_snap=0.25,
        )
        self.map.options.update(maxZoom=19, minZoom=7)
        # Leaflet only: no jQuery, Bootstrap or Font Awesome (nothing here uses them).
        self.map.default_js = [("leaflet", CDN["leaflet_js"])]
        self.map.default_css = [("leaflet_css", CDN["leaflet_css"])]
        add_page_assets(_page_of(self.map))
        self.base = BaseLayers(tiles=self.tiles)
        self.map.add_child(self.base)

    def layer(
        self,
        group: str,
        label: str,
        data: str,
        *,
        show: bool = True,
        interactive: bool = True,
        search_kind: str | None = None,
    ) -> GeoJsonLayer:
        element = GeoJsonLayer(
            data, name=label, show=show, interactive=interactive, search_kind=search_kind
        )
        self.map.add_child(element)
        self.overlays.setdefault(group, []).append((label, element.get_name()))
        return element

    def finish(self, *, bounds: list[list[float]]) -> folium.Map:
        m = self.map
        m.fit_bounds(bounds, padding=(10, 10))
        title = f"<h1>{esc(self.title)}</h1>"
        if self.scheme_name:
            title += f'<div class="lgis-scheme">{esc(self.scheme_name)}</div>'
        if self.provenance.is_demo:
            title += '<div class="lgis-demo">Demo data: boundaries generated</div>'
        note = esc(style.attribution_text(self.provenance))
        _page_of(m).title = esc(self.title)
        m.add_child(HtmlControl(title, position="topright", css_class="lgis-title"))
        entries = sum(len(v) for v in self.overlays.values())
        m.add_child(
            GroupedLayers(
                [
                    ("Plain background (works offline)", f"{self.base.get_name()}.plain"),
                    ("OpenStreetMap (needs internet)", f"{self.base.get_name()}.osm"),
                ],
                list(self.overlays.items()),
                collapsed=entries > 9,
                closed_groups=self.closed_groups,
            )
        )
        legend = (
            "<details open><summary>Legend</summary>"
            + "".join(self.legend)
            + f'<div class="lgis-note">{note}</div></details>'
        )
        m.add_child(HtmlControl(legend, position="bottomright", css_class="lgis-legend"))
        m.add_child(SearchBox())
        plugins.Fullscreen(position="topleft", title="Full screen").add_to(m)
        plugins.MeasureControl(
            position="topleft",
            primary_length_unit="kilometers",
            secondary_length_unit="miles",
            primary_area_unit="hectares",
            secondary_area_unit="sqmeters",
        ).add_to(m)
        if self.minimap:
            m.add_child(MiniMap(self.minimap))
        m.add_child(Attribution(note))
        m.add_child(Tools(html.unescape(note), f"Map made {date.today():%d %B %Y}"))
        return m


def _tier_legend(tiers: list[int], tier_names: Mapping[int, str], scheme_name: str = "") -> str:
    rows = "".join(
        f'<div class="lgis-row"><span class="lgis-sw" style="background:{style.tier_colour(t)}">'
        f"</span>{esc(tier_names.get(t, f'Tier {t}'))}</div>"
        for t in tiers
    )
    source = f'<div class="lgis-note">{esc(scheme_name)}</div>' if scheme_name else ""
    return f"<h2>Locality tiers</h2>{source}{rows}"


def _line_legend(label: str, colour: str, dash: str = "") -> str:
    border = f"border:0;border-top:2px {'dashed' if dash else 'solid'} {colour};height:0"
    return f'<div class="lgis-row"><span class="lgis-sw" style="{border}"></span>{esc(label)}</div>'


def _tiers(localities: gpd.GeoDataFrame, tier_names: Mapping[int, str]) -> list[int]:
    present = sorted({int(t) for t in localities["tier"].dropna()})
    return sorted(set(present) | ({1, 2, 3} & set(tier_names)))


def _add_locality_layers(
    page: _Page,
    localities: gpd.GeoDataFrame,
    *,
    tier_names: Mapping[int, str],
    profiles: pd.DataFrame | None,
    tolerance: float,
    highlight: str | None = None,
    show: bool = True,
    fill_opacity: float = 0.5,
    needs: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    polygons, labels, web = _layers.locality_layer(
        localities,
        tier_names=tier_names,
        profiles=profiles,
        needs=needs,
        tolerance=tolerance,
        highlight=highlight,
        fill_opacity=fill_opacity,
    )
    layer = page.layer("Boundaries", "Localities", polygons, show=show, search_kind="Locality")
    page.layer("Boundaries", "Locality names", labels, interactive=False)
    page.minimap = layer.get_name()
    page.legend.append(_tier_legend(_tiers(localities, tier_names), tier_names, page.scheme_name))
    page.frames.append(web)
    return web


def _add_assets(
    page: _Page,
    assets: gpd.GeoDataFrame,
    *,
    cluster: bool | None,
    vocabulary: Mapping[str, Mapping[str, str]],
) -> None:
    if len(assets) == 0:
        return
    use_cluster = len(assets) > CLUSTER_THRESHOLD if cluster is None else cluster
    payload, cat_colours, filters = _layers.asset_payload(
        assets,
        category_labels=vocabulary["category"],
        sector_labels=vocabulary["sector"],
        cluster=use_cluster,
    )
    element = AssetLayer(payload)
    page.map.add_child(element)
    name = element.get_name()
    page.overlays.setdefault("Assets", []).append(
        (f"All assets ({len(assets):,})", f"{name}.group")
    )
    counts = pd.Series(payload["cat"]).value_counts()
    cat_items, legend_rows = [], []
    for k, colour in enumerate(cat_colours.values()):
        label = esc(payload["cats"][k][0])
        dot = f'<span class="lgis-dot" style="background:{colour}"></span>'
        cat_items.append((f"{dot}{label} ({int(counts.get(k, 0)):,})", f"{name}.cats[{k}]"))
        legend_rows.append(f'<div class="lgis-row">{dot}{label}</div>')
    page.overlays["Asset categories"] = cat_items
    for k, (sector, label, count) in enumerate(filters):
        group = f"Partners: {esc(sector)}"
        page.overlays.setdefault(group, []).append(
            (f"{esc(label)} ({count:,})", f"{name}.partners[{k}]")
        )
        if group not in page.closed_groups:
            page.closed_groups.append(group)
    page.legend.append("<h2>Assets</h2>" + "".join(legend_rows))


def _legend_row(swatch_style: str, label: str, *, dot: bool = False) -> str:
    cls = "lgis-dot" if dot else "lgis-sw"
    return (
        f'<div class="lgis-row"><span class="{cls}" style="{swatch_style}"></span>'
        f"{esc(label)}</div>"
    )


def _add_clusters(
    page: _Page,
    clusters: gpd.GeoDataFrame,
    *,
    singles: bool,
    vocabulary: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """Add one layer per cluster kind (singles only when asked); return legend rows."""
    kinds = _layers.cluster_kinds(clusters)
    rows = []
    for kind, (label, _, stroke, fill, dash) in _layers.CLUSTER_STYLES.items():
        chosen = clusters[(kinds == kind).to_numpy()]
        if len(chosen) == 0 or (kind == _layers.KIND_SINGLE and not singles):
            continue
        data = _layers.cluster_layer(chosen, kind, vocabulary=vocabulary)
        page.layer("Hubs and analysis", f"{label} ({len(chosen):,})", data)
        border = "dashed" if dash else "solid"
        rows.append(_legend_row(f"background:{fill};border:2px {border} {stroke}", label, dot=True))
    return rows


def _add_analysis(
    page: _Page,
    *,
    hubs: gpd.GeoDataFrame | None,
    clusters: gpd.GeoDataFrame | None,
    unserved: gpd.GeoDataFrame | None,
    tier_names: Mapping[int, str],
    tolerance: float,
    vocabulary: Mapping[str, Mapping[str, str]],
    singles: bool = False,
) -> None:
    rows = []
    if unserved is not None and len(unserved):
        data = _layers.unserved_layer(unserved, tolerance=tolerance)
        page.layer("Hubs and analysis", "Parishes no hub reaches", data, search_kind="Unserved")
        rows.append(
            _legend_row(
                f"background:{style.UNSERVED_COLOUR}80;border:2px dashed {style.UNSERVED_COLOUR}",
                "Parish no hub reaches",
            )
        )
    if hubs is not None and len(hubs):
        markers, rings = _layers.hub_layers(hubs, tier_names=tier_names, vocabulary=vocabulary)
        page.layer("Hubs and analysis", "Hub reach", rings)
        page.layer("Hubs and analysis", "Hubs", markers, search_kind="Hub")
        rows.append(
            _legend_row(
                "background:#fff;box-shadow:0 0 0 3px #222", "Hub (fill: tier colour)", dot=True
            )
        )
        rows.append(_line_legend("Hub reach (outline)", "#555555", dash="8 6"))
    if clusters is not None and len(clusters):
        rows += _add_clusters(page, clusters, singles=singles, vocabulary=vocabulary)
    if rows:
        page.legend.append("<h2>Hubs and analysis</h2>" + "".join(rows))


def _hub_names(hubs: gpd.GeoDataFrame | None) -> dict[str, str]:
    """Return hub id (``hub_id`` or ``asset_id``) -> hub name, for travel-time popups."""
    if hubs is None or "name" not in hubs.columns:
        return {}
    for column in ("hub_id", "asset_id"):
        if column in hubs.columns:
            return dict(zip(hubs[column].astype(str), hubs["name"].astype(str), strict=True))
    return {}


def _unreached_note(unreached: gpd.GeoDataFrame, names: Mapping[str, str]) -> list[str]:
    """Return a legend note naming the hubs whose drive-time area is empty (off the roads)."""
    if not len(unreached):
        return []
    hubs = ", ".join(names.get(str(h), str(h)) for h in unreached["hub_id"])
    text = f"No road within reach of: {hubs}"
    return [f'<div class="lgis-row lgis-note">{esc(text)}</div>']


def _add_travel_areas(
    page: _Page,
    *,
    drive_times: gpd.GeoDataFrame | None,
    nearest_hubs: gpd.GeoDataFrame | None,
    hubs: gpd.GeoDataFrame | None,
    tolerance: float,
) -> None:
    """Add the drive-time and nearest-hub-by-time layers, with their legend section."""
    names, rows = _hub_names(hubs), []
    if nearest_hubs is not None and len(nearest_hubs):
        data = _reach.nearest_hub_layer(nearest_hubs, names=names, tolerance=tolerance)
        page.layer("Hubs and analysis", "Nearest hub by road", data, show=False)
        colour = _reach.NEAREST_HUB_COLOUR
        rows.append(
            _legend_row(
                f"background:{colour}0d;border:2px dashed {colour}", "Nearest hub by road (layer)"
            )
        )
    if drive_times is not None and len(drive_times):
        require_columns(drive_times, ["hub_id", "minutes"], "the drive-time areas")
        reached = ~(drive_times.geometry.is_empty | drive_times.geometry.isna())
        rows += _unreached_note(drive_times[~reached], names)
        drive_times = drive_times[reached]
    if drive_times is not None and len(drive_times):
        data = _reach.drive_time_layer(drive_times, names=names, tolerance=tolerance)
        page.layer("Hubs and analysis", "Drive-time areas", data)
        colour = _reach.DRIVE_TIME_COLOUR
        rows.append(
            _legend_row(
                f"background:{colour}1f;border:1px solid {colour}", "Hub reach by road (drive time)"
            )
        )
    if rows:
        page.legend.append("<h2>Travel time by road</h2>" + "".join(rows))


def _within(
    frame: gpd.GeoDataFrame | None, name: str, area: gpd.GeoSeries
) -> gpd.GeoDataFrame | None:
    """Rows of ``frame`` in the locality: by ``locality`` column, else spatially."""
    if frame is None:
        return None
    if "locality" in frame.columns:
        return frame[frame["locality"].astype("object") == name]
    if frame.crs is None:
        return frame  # require_crs raises later with a clear message
    shape = area.to_crs(frame.crs).union_all()
    return frame[frame.geometry.intersects(shape)]
