"""Interactive web maps (folium/Leaflet) of localities, parishes, assets and hubs.

Every map has a layer control, fullscreen button, minimap, measuring tool, scale bar, a
search box over parish and asset names, a legend and the data attribution. Layers are
reprojected to WGS84 with OSTN15 (:func:`localitygis.crs.to_wgs84`), polygons are simplified
as a coverage so neighbours keep sharing their edges, and coordinates keep 5 decimals (~1 m).
Assets are built in the browser from one compact array, so 10,000+ assets stay fast.

:func:`save_map` writes a self-contained HTML file by default: every script and stylesheet
is embedded, and no basemap tiles are needed (an OpenStreetMap layer is offered for when the
PC is online).
"""

from __future__ import annotations

import html
import logging
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from localitygis.errors import DataError
from localitygis.io import atomic_path
from localitygis.maps import _layers, style
from localitygis.maps._format import column_kind, column_label, format_value
from localitygis.maps._offline import external_urls, inline_resources
from localitygis.maps._page import (
    CLUSTER_THRESHOLD,
    _add_analysis,
    _add_assets,
    _add_locality_layers,
    _add_travel_areas,
    _line_legend,
    _Page,
    _within,
)
from localitygis.maps._web import (
    TOLERANCE_M,
    bounds_latlon,
    esc,
    feature_collection,
    popup_table,
    require_columns,
    web_polygons,
)
from localitygis.provenance import Provenance

if TYPE_CHECKING:
    from localitygis.localities.scheme import Scheme

__all__ = [
    "CLASSIFICATIONS",
    "CLUSTER_THRESHOLD",
    "asset_map",
    "choropleth_map",
    "county_map",
    "locality_map",
    "render_html",
    "save_map",
]

log = logging.getLogger(__name__)


#: Choropleth classifications (:func:`choropleth_map`'s ``classification``) -> mapclassify
#: class name.
CLASSIFICATIONS: Mapping[str, str] = {
    "quantiles": "Quantiles",
    "natural_breaks": "FisherJenks",
    "fisher_jenks": "FisherJenks",
    "equal_interval": "EqualInterval",
    "std_mean": "StdMean",
    "percentiles": "Percentiles",
    "max_breaks": "MaximumBreaks",
}

Classification = Literal[
    "quantiles",
    "natural_breaks",
    "fisher_jenks",
    "equal_interval",
    "std_mean",
    "percentiles",
    "max_breaks",
]


def county_map(
    localities: gpd.GeoDataFrame,
    *,
    parishes: gpd.GeoDataFrame | None = None,
    catchments: gpd.GeoDataFrame | None = None,
    profiles: pd.DataFrame | None = None,
    scheme: Scheme | None = None,
    provenance: Provenance | None = None,
    title: str = "Localities",
    tiles: bool = False,
    tolerance: float = TOLERANCE_M,
    needs: pd.DataFrame | None = None,
) -> folium.Map:
    """Map the localities coloured by tier, with parishes and catchments as layers.

    Parameters
    ----------
    localities : geopandas.GeoDataFrame
        ``locality``, ``tier`` and geometry; ``tier_name``, ``parish_count``, ``population``,
        ``area_km2``, ``density_per_km2``, ``catchments`` appear in popups when present.
    parishes : geopandas.GeoDataFrame, optional
        ``parish_name`` (and ``parish_code``, ``locality``, ``population``...); a layer,
        hidden at first, searchable by name.
    catchments : geopandas.GeoDataFrame, optional
        ``catchment`` and geometry; a layer of dashed outlines, hidden at first.
    profiles : pandas.DataFrame, optional
        Locality profiles keyed by ``locality`` (column or index); their figures are added
        to each locality's popup.
    scheme : localitygis.localities.scheme.Scheme, optional
        Names the tiers (legend and popups) and is named on the map; without it, the
        localities' ``tier_name`` column, else the Locality Strategy wording.
    provenance : localitygis.provenance.Provenance, optional
        The attribution; by default read from the frames (demo data says so).
    title : str
        Shown at the top of the map.
    tiles : bool
        Start on the OpenStreetMap basemap (needs internet) instead of a plain background.
    tolerance : float
        Simplification tolerance in metres for the web geometry.
    needs : pandas.DataFrame, optional
        The needs profile (:func:`localitygis.statistics.needs_profile`: one row per
        locality and a ``County`` row). Each popup then shows the locality's population,
        60+ share against the county's, IMD 2019 mean rank, share in England's most deprived
        20 %, most and least deprived LSOA with decile, and the rank spread.

    Returns
    -------
    folium.Map
        Save it with :func:`save_map`.

    Raises
    ------
    DataError
        If a frame lacks a required column.
    CRSError
        If a frame has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> loc = gpd.GeoDataFrame({"locality": ["North", "South"], "tier": [1, 2]},
    ...     geometry=[box(350000, 250000, 360000, 260000), box(350000, 240000, 360000, 250000)],
    ...     crs=27700)
    >>> html = render_html(county_map(loc))
    >>> "Tier one – Rural areas" in html and "North" in html
    True
    """
    prov = style.map_provenance(localities, parishes, catchments, provenance=provenance)
    tier_names = style.tier_labels(scheme, localities)
    page = _Page(title=title, provenance=prov, tiles=tiles, scheme_name=_scheme_name(scheme))
    _add_locality_layers(
        page,
        localities,
        tier_names=tier_names,
        profiles=profiles,
        tolerance=tolerance,
        needs=needs,
    )
    _add_parish_layer(page, parishes, tolerance=tolerance, legend=True)
    if catchments is not None:
        data = _layers.catchment_layer(catchments, tolerance=tolerance)
        page.layer("Boundaries", "School catchments", data, show=False)
        page.legend.append(_line_legend("School catchment (layer)", "#6a3d9a", dash="6 4"))
    return page.finish(bounds=bounds_latlon(page.frames))


def asset_map(
    localities: gpd.GeoDataFrame,
    assets: gpd.GeoDataFrame,
    *,
    hubs: gpd.GeoDataFrame | None = None,
    clusters: gpd.GeoDataFrame | None = None,
    unserved: gpd.GeoDataFrame | None = None,
    parishes: gpd.GeoDataFrame | None = None,
    drive_times: gpd.GeoDataFrame | None = None,
    nearest_hubs: gpd.GeoDataFrame | None = None,
    scheme: Scheme | None = None,
    category_labels: Mapping[str, str] | None = None,
    cluster: bool | None = None,
    singles: bool = False,
    provenance: Provenance | None = None,
    title: str = "Assets and hubs",
    tiles: bool = False,
    tolerance: float = TOLERANCE_M,
) -> folium.Map:
    """Map assets by category and partner, with hubs, reach rings and co-location clusters.

    Parameters
    ----------
    localities : geopandas.GeoDataFrame
        ``locality``, ``tier``, geometry: drawn underneath, coloured by tier.
    assets : geopandas.GeoDataFrame
        Points with ``name``, ``category``, ``partner``; ``asset_id``, ``sector``,
        ``postcode``, ``locality``, ``annual_cost``, ``floor_area_m2`` appear in popups.
        Each category and each partner is a layer; an asset shows when both are on.
    hubs : geopandas.GeoDataFrame, optional
        Points with ``name``, ``tier``, ``reach_m``; drawn with reach rings.
    clusters : geopandas.GeoDataFrame, optional
        Co-location clusters (``cluster_id``; ``kind`` or ``partner_count`` and
        ``member_count``): co-location opportunities (two or more partners) and
        consolidation candidates (one partner, several sites) are separate layers.
    unserved : geopandas.GeoDataFrame, optional
        Parishes no hub reaches (``parish_name``), highlighted.
    parishes : geopandas.GeoDataFrame, optional
        A parish layer (hidden at first), searchable by name.
    drive_times : geopandas.GeoDataFrame, optional
        Each hub's reach by road (:func:`localitygis.access.drive_time_areas`: ``hub_id``,
        ``minutes``; ``population`` and ``area_km2`` appear in popups): translucent areas.
    nearest_hubs : geopandas.GeoDataFrame, optional
        The land nearest each hub by road (:func:`localitygis.access.nearest_hub_areas`),
        hidden at first; popups name the hub from ``hubs`` by its ``hub_id`` or ``asset_id``.
    scheme : localitygis.localities.scheme.Scheme, optional
        Names tiers and, through ``scheme.categories``, asset categories.
    category_labels : mapping, optional
        Category key -> label; overrides the scheme's.
    cluster : bool, optional
        Cluster the markers (default: when there are over :data:`CLUSTER_THRESHOLD` assets).
    singles : bool
        Also draw the co-location "clusters" of one asset (off by default).
    provenance, title, tiles, tolerance
        As for :func:`county_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, box
    >>> loc = gpd.GeoDataFrame({"locality": ["Town"], "tier": [2]},
    ...     geometry=[box(350000, 240000, 360000, 250000)], crs=27700)
    >>> assets = gpd.GeoDataFrame({"name": ["Library"], "category": ["library"],
    ...     "partner": ["Council"]}, geometry=[Point(355000, 245000)], crs=27700)
    >>> "Library" in render_html(asset_map(loc, assets))
    True
    """
    prov = style.map_provenance(localities, assets, hubs, provenance=provenance)
    tier_names = style.tier_labels(scheme, localities)
    words = style.vocabulary(scheme, category_labels)
    page = _Page(title=title, provenance=prov, tiles=tiles, scheme_name=_scheme_name(scheme))
    _add_locality_layers(
        page,
        localities,
        tier_names=tier_names,
        profiles=None,
        tolerance=tolerance,
        fill_opacity=0.25,
    )
    _add_parish_layer(page, parishes, tolerance=tolerance, legend=False)
    _add_analysis(
        page,
        hubs=hubs,
        clusters=clusters,
        unserved=unserved,
        tier_names=tier_names,
        tolerance=tolerance,
        vocabulary=words,
        singles=singles,
    )
    _add_travel_areas(
        page, drive_times=drive_times, nearest_hubs=nearest_hubs, hubs=hubs, tolerance=tolerance
    )
    _add_assets(page, assets, cluster=cluster, vocabulary=words)
    return page.finish(bounds=bounds_latlon(page.frames))


def locality_map(
    name: str,
    localities: gpd.GeoDataFrame,
    parishes: gpd.GeoDataFrame,
    *,
    assets: gpd.GeoDataFrame | None = None,
    hubs: gpd.GeoDataFrame | None = None,
    clusters: gpd.GeoDataFrame | None = None,
    unserved: gpd.GeoDataFrame | None = None,
    profiles: pd.DataFrame | None = None,
    scheme: Scheme | None = None,
    category_labels: Mapping[str, str] | None = None,
    provenance: Provenance | None = None,
    tiles: bool = False,
    tolerance: float = TOLERANCE_M,
) -> folium.Map:
    """Map one locality for its officers: its parishes (labelled), assets and hubs.

    The other localities stay visible, faded, for context. Assets, hubs and parishes are
    those with ``locality == name`` (or, without that column, those that intersect it).

    Parameters
    ----------
    name : str
        The locality, as in ``localities["locality"]``.
    localities, parishes : geopandas.GeoDataFrame
        As for :func:`county_map`; parishes are shown, labelled and searchable.
    assets, hubs, clusters, unserved, profiles, scheme, category_labels
        As for :func:`asset_map` and :func:`county_map`.
    provenance, tiles, tolerance
        As for :func:`county_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    DataError
        If ``name`` is not one of the localities.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> loc = gpd.GeoDataFrame({"locality": ["Town"], "tier": [2]},
    ...     geometry=[box(350000, 240000, 360000, 250000)], crs=27700)
    >>> par = gpd.GeoDataFrame({"parish_name": ["Upton", "Downton"], "locality": ["Town"] * 2},
    ...     geometry=[box(350000, 240000, 355000, 250000), box(355000, 240000, 360000, 250000)],
    ...     crs=27700)
    >>> "Downton" in render_html(locality_map("Town", loc, par))
    True
    """
    require_columns(localities, ["locality", "tier"], "the localities")
    names = localities["locality"].astype("object")
    if not (names == name).any():
        raise DataError(
            f"no locality named {name!r}; the localities are {', '.join(sorted(map(str, names)))}."
        )
    area = localities[names == name]
    prov = style.map_provenance(localities, parishes, assets, provenance=provenance)
    tier_names = style.tier_labels(scheme, localities)
    words = style.vocabulary(scheme, category_labels)
    page = _Page(
        title=f"{name} locality", provenance=prov, tiles=tiles, scheme_name=_scheme_name(scheme)
    )
    _add_locality_layers(
        page,
        localities,
        tier_names=tier_names,
        profiles=profiles,
        tolerance=tolerance,
        highlight=name,
        fill_opacity=0.25,
    )
    _add_named_parishes(page, _within(parishes, name, area.geometry), tolerance=tolerance)
    _add_analysis(
        page,
        hubs=_within(hubs, name, area.geometry),
        clusters=_within(clusters, name, area.geometry),
        unserved=_within(unserved, name, area.geometry),
        tier_names=tier_names,
        tolerance=tolerance,
        vocabulary=words,
    )
    own_assets = _within(assets, name, area.geometry)
    if own_assets is not None:
        _add_assets(page, own_assets, cluster=None, vocabulary=words)
    focus = web_polygons(area, what=f"the locality {name!r}", tolerance=0)
    return page.finish(bounds=bounds_latlon([focus]))


def _add_parish_layer(
    page: _Page, parishes: gpd.GeoDataFrame | None, *, tolerance: float, legend: bool
) -> None:
    """Add the parish outlines as a layer, hidden at first and searchable by name."""
    if parishes is None:
        return
    data = _layers.parish_layer(parishes, tolerance=tolerance, filled=False)
    page.layer("Boundaries", "Parishes", data, show=False, search_kind="Parish")
    if legend:
        page.legend.append(_line_legend("Parish boundary (layer)", "#4d4d4d"))


def _add_named_parishes(
    page: _Page, parishes: gpd.GeoDataFrame | None, *, tolerance: float
) -> None:
    """Add a locality's own parishes, filled and searchable, with their names as labels."""
    if parishes is None or not len(parishes):
        return
    data = _layers.parish_layer(parishes, tolerance=tolerance, filled=True)
    page.layer("Boundaries", "Parishes", data, search_kind="Parish")
    page.layer(
        "Boundaries",
        "Parish names",
        _layers.label_points(parishes, parishes["parish_name"], small=True),
        interactive=False,
    )
    page.legend.append(_line_legend("Parish boundary", "#4d4d4d"))


def _scheme_name(scheme: Scheme | None) -> str:
    return "" if scheme is None else f"Scheme: {scheme.name}"


def _classify(values: pd.Series, method: str, k: int) -> tuple[np.ndarray, list[float]]:
    import mapclassify

    if method not in CLASSIFICATIONS:
        raise DataError(
            f"unknown classification {method!r}; use one of {', '.join(CLASSIFICATIONS)}."
        )
    present = values.dropna().to_numpy(dtype="float64")
    distinct = np.unique(present)
    if distinct.size == 0:
        return np.full(len(values), -1), []
    k = max(1, min(int(k), distinct.size))
    if distinct.size == 1:
        bins = [float(distinct[0])]
    else:
        classifier = getattr(mapclassify, CLASSIFICATIONS[method])
        with warnings.catch_warnings():
            # FisherJenks says once that numba would make it faster; for the few hundred
            # areas of a choropleth the pure Python version takes milliseconds.
            warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
            if method in {"std_mean", "percentiles"}:
                result = classifier(present)
            else:
                result = classifier(present, k=k)
        bins = [float(b) for b in result.bins]
    classes = np.full(len(values), -1)
    mask = values.notna().to_numpy()
    classes[mask] = np.searchsorted(np.asarray(bins), values[mask].to_numpy("float64"), "left")
    classes[mask] = np.minimum(classes[mask], len(bins) - 1)
    return classes, bins


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    require_columns(frame, [column], "the choropleth frame")
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values):
        converted = pd.to_numeric(values, errors="coerce")
        bad = values.notna() & converted.isna()
        if bad.any():
            raise DataError(
                f"column {column!r} is not numeric (e.g. {values[bad].iloc[0]!r} in row "
                f"{frame.index[bad][0]}); choose a numeric column."
            )
        values = converted
    return values.astype("float64")


def _choose_classification(
    classification: str | None, scheme: Scheme | str | None
) -> tuple[str, Scheme | None]:
    """Return (classification, scheme), accepting the old ``scheme="quantiles"`` spelling."""
    if isinstance(scheme, str):
        warnings.warn(
            "choropleth_map(scheme=...) naming a classification is deprecated; use "
            f"classification={scheme!r} (scheme= now means a locality Scheme).",
            DeprecationWarning,
            stacklevel=3,
        )
        if classification is None:
            classification = scheme
        scheme = None
    return classification or "quantiles", scheme


def _class_legend(
    heading: str,
    bins: list[float],
    colours: list[str],
    *,
    values: pd.Series,
    classes: np.ndarray,
    kind: str,
    method: str,
) -> str:
    """Return the legend: each class's range from the lowest value up, "No data" if any."""
    lower = float(np.nanmin(values)) if values.notna().any() else 0.0
    rows = []
    for i, upper in enumerate(bins):
        start, end = format_value(lower if i == 0 else bins[i - 1], kind), format_value(upper, kind)
        span = end if start == end else f"{start} – {end}"
        rows.append(
            f'<div class="lgis-row"><span class="lgis-sw" style="background:{colours[i]}">'
            f"</span>{span}</div>"
        )
    if (classes < 0).any():
        rows.append(
            f'<div class="lgis-row"><span class="lgis-sw" style="background:'
            f'{style.MISSING_COLOUR}"></span>No data</div>'
        )
    name = {"natural_breaks": "natural breaks (Jenks)"}.get(method, method.replace("_", " "))
    return (
        f"<h2>{esc(heading)}</h2>{''.join(rows)}"
        f'<div class="lgis-note">Classes: {esc(name)}, {len(bins)} classes</div>'
    )


def _class_features(
    names: list[object],
    values: pd.Series,
    classes: np.ndarray,
    colours: list[str],
    *,
    heading: str,
    kind: str,
) -> list[dict[str, object]]:
    props: list[dict[str, object]] = []
    for feature_name, value, cls in zip(names, values.tolist(), classes.tolist(), strict=True):
        missing = cls < 0
        colour = style.MISSING_COLOUR if missing else colours[cls]
        shown = "No data" if missing else format_value(value, kind)
        props.append(
            {
                "_s": {"fillColor": colour, "color": "#444", "weight": 1, "fillOpacity": 0.8},
                "_t": f"<b>{esc(feature_name)}</b><br>{esc(heading)}: {shown}",
                "_p": popup_table(esc(feature_name), [(esc(heading), shown)]),
                "_a": f"{feature_name}: {html.unescape(shown)}",
                "_n": "" if feature_name is None else str(feature_name),
            }
        )
    return props


def choropleth_map(
    frame: gpd.GeoDataFrame,
    column: str,
    *,
    classification: Classification | None = None,
    k: int = 5,
    kind: str | None = None,
    label: str | None = None,
    name_column: str | None = None,
    cmap: str = "YlGnBu",
    localities: gpd.GeoDataFrame | None = None,
    scheme: Scheme | None = None,
    provenance: Provenance | None = None,
    title: str | None = None,
    tiles: bool = False,
    tolerance: float = TOLERANCE_M,
) -> folium.Map:
    """Map any per-locality or per-parish indicator in classes (mapclassify) with a legend.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Polygons (localities or parishes) with the indicator ``column``.
    column : str
        Numeric column to map; missing values are drawn grey as "No data".
    classification : str, optional
        A key of :data:`CLASSIFICATIONS` (default ``quantiles``); ``natural_breaks`` is Jenks'
        optimal (Fisher–Jenks) classification, so deterministic.
    k : int
        Number of classes (fewer if there are fewer distinct values).
    kind : str, optional
        How values read (``share``, ``percent``, ``count``, ``rank``, ``decile``, ``money``,
        ``area``, ``distance``, ``minutes``, ``density``, ``number``); guessed from the
        column name.
    label : str, optional
        Legend heading; defaults to the column name.
    name_column : str, optional
        Feature names; defaults to ``locality`` or ``parish_name``.
    cmap : str
        A matplotlib sequential colour map name.
    localities : geopandas.GeoDataFrame, optional
        Locality outlines drawn on top (useful over parishes).
    scheme : localitygis.localities.scheme.Scheme, optional
        The locality scheme, named on the map. (Passing a classification name here is
        deprecated: use ``classification``.)
    provenance, title, tiles, tolerance
        As for :func:`county_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    DataError
        If ``column`` is missing or not numeric, or ``classification`` is unknown.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> loc = gpd.GeoDataFrame({"locality": ["A", "B", "C"], "density": [10.0, 55.5, 900.0]},
    ...     geometry=[box(350000 + i * 5000, 240000, 355000 + i * 5000, 245000) for i in range(3)],
    ...     crs=27700)
    >>> html = render_html(choropleth_map(loc, "density", k=3))
    >>> "Density" in html and "No data" not in html
    True
    """
    method, scheme = _choose_classification(classification, scheme)
    values = _numeric(frame, column)
    kind = kind or column_kind(column)
    if name_column is None:
        name_column = _default_name_column(frame)
    classes, bins = _classify(values, method, k)
    colours = _class_colours(cmap, len(bins))
    heading = label or html.unescape(column_label(column))
    prov = style.map_provenance(frame, localities, provenance=provenance)
    page = _Page(
        title=title or heading, provenance=prov, tiles=tiles, scheme_name=_scheme_name(scheme)
    )
    features = _class_features(
        _feature_names(frame, name_column), values, classes, colours, heading=heading, kind=kind
    )
    _add_class_layer(page, frame, features, heading=heading, names=name_column, tolerance=tolerance)
    if localities is not None:
        _outline(page, localities, tolerance=tolerance)
    page.legend.append(
        _class_legend(
            heading, bins, colours, values=values, classes=classes, kind=kind, method=method
        )
    )
    return page.finish(bounds=bounds_latlon(page.frames))


def _class_colours(cmap: str, n: int) -> list[str]:
    """Return ``n`` colours from the matplotlib colour map ``cmap``, light to dark.

    Examples
    --------
    >>> _class_colours("Greys", 2)
    ['#ececec', '#0e0e0e']
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    return [to_hex(c) for c in colormaps[cmap](np.linspace(0.15, 0.95, max(n, 1)))]


def _default_name_column(frame: gpd.GeoDataFrame) -> str | None:
    """Return the column naming the features: ``locality``, ``parish_name`` or ``name``."""
    return next((c for c in ("locality", "parish_name", "name") if c in frame.columns), None)


def _feature_names(frame: gpd.GeoDataFrame, name_column: str | None) -> list[object]:
    """Each feature's name: ``name_column``, else the index."""
    return frame[name_column].astype("object").tolist() if name_column else list(frame.index)


def _add_class_layer(
    page: _Page,
    frame: gpd.GeoDataFrame,
    features: list[dict[str, object]],
    *,
    heading: str,
    names: str | None,
    tolerance: float,
) -> None:
    """Add the classed polygons as the map's main layer (searchable, on the minimap).

    Up to 60 features are labelled with their ``names`` column, in a layer of their own.
    """
    web = web_polygons(frame, what="the choropleth frame", tolerance=tolerance)
    data = feature_collection(web.geometry.values, features)
    layer = page.layer("Layers", esc(heading), data, search_kind="Area")
    page.minimap = layer.get_name()
    page.frames.append(web)
    if names and len(frame) <= 60:
        page.layer(
            "Layers",
            "Names",
            _layers.label_points(frame, frame[names], small=len(frame) > 15),
            interactive=False,
        )


def _outline(page: _Page, localities: gpd.GeoDataFrame, *, tolerance: float) -> None:
    outline = web_polygons(localities, what="the localities", tolerance=tolerance)
    names = outline.get("locality", pd.Series([""] * len(outline))).astype("object")
    line_props = [
        {"_s": {"color": "#111", "weight": 2.2, "fill": False}, "_t": esc(n), "_a": str(n)}
        for n in names
    ]
    page.layer(
        "Layers", "Locality boundaries", feature_collection(outline.geometry.values, line_props)
    )


_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def _accessible(page: str) -> str:
    """Declare the page language and let readers zoom (no ``user-scalable=no``)."""
    page = page.replace("<html>", '<html lang="en-GB">', 1)
    return _VIEWPORT.sub(
        '<meta name="viewport" content="width=device-width, initial-scale=1" />', page, count=1
    )


def render_html(m: folium.Map, *, offline: bool = True) -> str:
    """Return the map's full HTML page; self-contained when ``offline`` (the default).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> loc = gpd.GeoDataFrame({"locality": ["Town"], "tier": [2]},
    ...     geometry=[box(350000, 240000, 360000, 250000)], crs=27700)
    >>> "<script src=" in render_html(county_map(loc), offline=True)
    False
    """
    page = _accessible(m.get_root().render())
    if offline:
        page = inline_resources(page)
        left = external_urls(page)
        if left:  # pragma: no cover - inline_resources raises first
            raise DataError(f"the map still refers to {', '.join(left)}")
    return page


def save_map(m: folium.Map, path: str | Path, *, offline: bool = True) -> Path:
    """Write the map as one HTML file and return its path.

    Parameters
    ----------
    m : folium.Map
        A map from this module (or any folium map using only vendored plugins).
    path : str or pathlib.Path
        The ``.html`` file; its folder is created if needed.
    offline : bool
        Embed every script and stylesheet so the file opens without internet (default).
        With ``offline=False`` the page loads Leaflet and plugins from public CDNs.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        If ``offline`` and the map uses a library localitygis has no offline copy of.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> loc = gpd.GeoDataFrame({"locality": ["Town"], "tier": [2]},
    ...     geometry=[box(350000, 240000, 360000, 250000)], crs=27700)
    >>> out = save_map(county_map(loc), pathlib.Path(tempfile.mkdtemp()) / "m.html")
    >>> out.suffix, out.stat().st_size > 100_000
    ('.html', True)
    """
    out = Path(path)
    page = render_html(m, offline=offline)
    with atomic_path(out) as temporary:
        temporary.write_text(page, encoding="utf-8")
    log.info("wrote %s (%.1f MB)", out, out.stat().st_size / 1e6)
    return out
