"""The deprivation choropleth: LSOAs by IMD 2019 national decile, with the locality outlines.

A *national decile* places a small area among all 32,844 Lower-layer Super Output Areas
(LSOAs, neighbourhoods of about 1,500 people) in England, ranked by the English Index of
Multiple Deprivation 2019: decile 1 holds the 10 % most deprived, decile 10 the 10 % least
deprived. Deciles and ranks are positions, not amounts, so the map shows them as classes and
the popups give the rank "of 32,844"; nothing is averaged.

The web map (:func:`deprivation_map`) is assembled like the other localitygis maps (layer
control, search, legend, attribution, offline by :func:`~localitygis.maps.save_map`); the
printable page (:func:`deprivation_png`) uses the atlas's drawing, scale bar and north arrow,
on a page that says which parts are real.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import folium
import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from localitygis.crs import to_bng
from localitygis.errors import DataError
from localitygis.io import find_field
from localitygis.maps import _layers, static, style
from localitygis.maps._controls import HtmlControl
from localitygis.maps._page import _Page
from localitygis.maps._web import (
    TOLERANCE_M,
    bounds_latlon,
    esc,
    feature_collection,
    popup_table,
    require_crs,
    web_polygons,
)
from localitygis.provenance import IOD2019_ATTRIBUTION, Provenance

__all__ = ["DECILE_COLOURS", "ENGLAND_LSOAS", "deprivation_map", "deprivation_png"]

log = logging.getLogger(__name__)

#: LSOAs in England ranked by the English Indices of Deprivation 2019.
ENGLAND_LSOAS = 32_844

#: IMD decile -> colour: ColorBrewer RdYlBu, dark red (1, most deprived) to dark blue (10).
DECILE_COLOURS: dict[int, str] = dict(
    zip(
        range(1, 11),
        (
            "#a50026",
            "#d73027",
            "#f46d43",
            "#fdae61",
            "#fee090",
            "#e0f3f8",
            "#abd9e9",
            "#74add1",
            "#4575b4",
            "#313695",
        ),
        strict=True,
    )
)

_IOD = Provenance(IOD2019_ATTRIBUTION)
_DECILE_NOTE = (
    f"A national decile places each LSOA (a neighbourhood of about 1,500 people) among "
    f"England's {ENGLAND_LSOAS:,} LSOAs, ranked by the Index of Multiple Deprivation 2019: "
    "decile 1 is the most deprived 10 %, decile 10 the least deprived 10 %. Deciles are "
    "positions, not amounts."
)
_REAL_NOTE = (
    "Real: LSOA boundaries, populations and IMD 2019 (IoD2019, MHCLG). "
    "Generated: the locality outlines (demo parishes)."
)
_PATTERNS = {
    "code": (r"LSOA\d\dCD", r"area_code", r"lsoa_code"),
    "name": (r"LSOA\d\dNM", r"area_name", r"lsoa_name"),
    "decile": (r"imd_decile", r"Index of Multiple Deprivation \(IMD\) Decile.*"),
    "rank": (r"imd_rank", r"Index of Multiple Deprivation \(IMD\) Rank.*"),
    "population": (r"population", r"Total population.*"),
    "older": (r"aged_60_plus", r"age_60_plus"),
}


@dataclass(frozen=True)
class _Columns:
    """The LSOA frame's columns, found by name (``LSOA11CD`` or ``area_code``...)."""

    code: str
    decile: str
    name: str | None
    rank: str | None
    population: str | None
    older: str | None


def _columns(lsoas: pd.DataFrame, *, code: str | None, decile: str | None) -> _Columns:
    names = [str(c) for c in lsoas.columns]

    def find(key: str, explicit: str | None = None, required: bool = False) -> str | None:
        return find_field(
            names,
            _PATTERNS[key],
            what=f"LSOA {key} column",
            source="the LSOAs",
            explicit=explicit,
            required=required,
        )

    found_code = find("code", code, True)
    found_decile = find("decile", decile, True)
    assert found_code is not None  # required: find_field raised otherwise
    assert found_decile is not None
    return _Columns(
        code=found_code,
        decile=found_decile,
        name=find("name"),
        rank=find("rank"),
        population=find("population"),
        older=find("older"),
    )


def _check_range(values: pd.Series, codes: pd.Series, *, what: str, top: int) -> pd.Series:
    """Return whole numbers 1..top (missing stays missing); else a DataError naming a row."""
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.notna() & (numbers == numbers.round()) & numbers.between(1, top)
    bad = values.notna() & ~whole
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise DataError(
            f"the LSOAs have {int(bad.sum())} {what}(s) that are not whole numbers from 1 to "
            f"{top:,} (e.g. {values.iloc[row]!r} for {codes.iloc[row]!r}, row {row + 1}); "
            "give the IMD 2019 national figures as published."
        )
    return numbers.astype("Float64")


def _whole(value: Any) -> str:
    return "–" if pd.isna(value) else f"{round(float(value)):,}"


def _popup_rows(row: pd.Series, cols: _Columns) -> list[tuple[str, str]]:
    decile = row[cols.decile]
    rows = [
        ("LSOA code", esc(row[cols.code])),
        (
            "IMD 2019 national decile",
            "No data" if pd.isna(decile) else f"{int(decile)} of 10 (1 = most deprived)",
        ),
    ]
    if cols.rank is not None:
        rank = row[cols.rank]
        shown = "No data" if pd.isna(rank) else f"{int(rank):,} of {ENGLAND_LSOAS:,}"
        rows.append(("IMD 2019 national rank", shown))
    if cols.population is not None:
        rows.append(("Population (mid-2015)", _whole(row[cols.population])))
        people, older = row[cols.population], row[cols.older] if cols.older else np.nan
        if pd.notna(older) and pd.notna(people) and float(people) > 0:
            rows.append(("Aged 60 and over", f"{float(older) / float(people):.0%}"))
    return rows


def _features(lsoas: pd.DataFrame, cols: _Columns) -> list[dict[str, Any]]:
    props = []
    for _, row in lsoas.iterrows():
        code = esc(row[cols.code])
        name = esc(row[cols.name]) if cols.name else code
        decile = row[cols.decile]
        colour = style.MISSING_COLOUR if pd.isna(decile) else DECILE_COLOURS[int(decile)]
        summary = "no IMD decile" if pd.isna(decile) else f"decile {int(decile)}"
        props.append(
            {
                "_s": {"fillColor": colour, "color": "#555", "weight": 0.6, "fillOpacity": 0.75},
                "_t": f"<b>{name}</b><br>{code} · {summary}",
                "_p": popup_table(name, _popup_rows(row, cols), subtitle="LSOA (2011)"),
                "_n": f"{name} · {code}" if cols.name else code,
            }
        )
    return props


def _legend(deciles: pd.Series, *, demo: bool) -> str:
    counts = deciles.value_counts()
    ends = {1: " – most deprived 10 %", 10: " – least deprived 10 %"}
    rows = [
        f'<div class="lgis-row"><span class="lgis-sw" style="background:{colour}"></span>'
        f"{decile}{ends.get(decile, '')} ({int(counts.get(decile, 0)):,} here)</div>"
        for decile, colour in DECILE_COLOURS.items()
    ]
    missing = int(deciles.isna().sum())
    if missing:
        rows.append(
            f'<div class="lgis-row"><span class="lgis-sw" style="background:'
            f'{style.MISSING_COLOUR}"></span>No data ({missing:,})</div>'
        )
    rows.append(
        '<div class="lgis-row"><span class="lgis-sw" style="border:0;border-top:2px solid '
        '#111;height:0"></span>Locality boundary</div>'
    )
    notes = f'<div class="lgis-note">{esc(_DECILE_NOTE)}</div>'
    if demo:
        notes += f'<div class="lgis-note">{esc(_REAL_NOTE)}</div>'
    return f"<h4>IMD 2019 national decile</h4>{''.join(rows)}{notes}"


def _outline_layer(page: _Page, localities: gpd.GeoDataFrame, *, tolerance: float) -> None:
    outline = web_polygons(localities, what="the localities", tolerance=tolerance)
    names = outline["locality"].astype("object")
    props = [{"_s": {"color": "#111", "weight": 2.4, "fill": False}, "_t": esc(n)} for n in names]
    page.layer("Localities", "Locality boundaries", feature_collection(outline.geometry, props))
    page.layer(
        "Localities",
        "Locality names",
        _layers.label_points(localities, localities["locality"], small=False),
        interactive=False,
    )


def _prepared(
    lsoas: gpd.GeoDataFrame, code: str | None, decile: str | None
) -> tuple[gpd.GeoDataFrame, _Columns]:
    require_crs(lsoas, "the LSOAs")
    cols = _columns(lsoas, code=code, decile=decile)
    frame = lsoas.copy()
    frame[cols.decile] = _check_range(frame[cols.decile], frame[cols.code], what="decile", top=10)
    if cols.rank is not None:
        frame[cols.rank] = _check_range(
            frame[cols.rank], frame[cols.code], what="rank", top=ENGLAND_LSOAS
        )
    return frame, cols


def deprivation_map(
    lsoas: gpd.GeoDataFrame,
    *,
    localities: gpd.GeoDataFrame | None = None,
    code_column: str | None = None,
    decile_column: str | None = None,
    provenance: Provenance | None = None,
    title: str = "Deprivation: IMD 2019 national deciles",
    tiles: bool = False,
    tolerance: float = TOLERANCE_M,
) -> folium.Map:
    """Map LSOAs by IMD 2019 national decile, with the locality outlines over them.

    Parameters
    ----------
    lsoas : geopandas.GeoDataFrame
        LSOA polygons with a code (``LSOA11CD``, ``LSOA21CD`` or ``area_code``) and the IMD
        decile (``imd_decile`` or the IoD2019 header); the name (``LSOA11NM``/``area_name``),
        ``imd_rank``, ``population`` and ``aged_60_plus``/``age_60_plus`` go into the popups
        when present. Missing deciles are drawn grey as "No data". The demo's ``lsoas``
        layer and :func:`localitygis.statistics.needs_small_areas` frames both fit.
    localities : geopandas.GeoDataFrame, optional
        ``locality`` and geometry: drawn as outlines, named.
    code_column, decile_column : str, optional
        The code and decile columns, when their names are not recognised.
    provenance : localitygis.provenance.Provenance, optional
        The attribution; by default read from the frames. The IoD2019 attribution (MHCLG,
        Open Government Licence v3.0) is always added.
    title, tiles, tolerance
        As for :func:`~localitygis.maps.county_map`.

    Returns
    -------
    folium.Map
        Save it with :func:`~localitygis.maps.save_map`.

    Raises
    ------
    DataError
        If a column is missing, or a decile or rank is not a whole number in range.
    CRSError
        If a frame has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from localitygis.maps import render_html
    >>> lsoas = gpd.GeoDataFrame({"LSOA11CD": ["E01000001", "E01000002"],
    ...     "LSOA11NM": ["Town 001A", "Town 001B"], "imd_decile": [2, 9],
    ...     "imd_rank": [4_100, 29_000], "population": [1500, 1620]},
    ...     geometry=[box(350000, 240000, 351000, 241000), box(351000, 240000, 352000, 241000)],
    ...     crs=27700)
    >>> page = render_html(deprivation_map(lsoas))
    >>> "4,100 of 32,844" in page and "most deprived 10 %" in page
    True
    """
    frame, cols = _prepared(lsoas, code_column, decile_column)
    prov = style.map_provenance(lsoas, localities, provenance=provenance).combined(_IOD)
    page = _Page(title=title, provenance=prov, tiles=tiles)
    web = web_polygons(frame, what="the LSOAs", tolerance=tolerance)
    data = feature_collection(web.geometry.values, _features(frame, cols))
    page.layer("Deprivation", "LSOAs by IMD 2019 decile", data, search_kind="LSOA")
    page.frames.append(web)
    if localities is not None:
        _outline_layer(page, localities, tolerance=tolerance)
    page.legend.append(_legend(frame[cols.decile], demo=prov.is_demo))
    if prov.is_demo:
        note = f'<div style="max-width:300px;font-size:12px">{esc(_REAL_NOTE)}</div>'
        page.map.add_child(HtmlControl(note, position="topright", css_class="lgis-title"))
    return page.finish(bounds=bounds_latlon(page.frames))


def _decile_handles(deciles: pd.Series) -> list[Any]:
    counts = deciles.value_counts()
    ends = {1: " – most deprived 10 %", 10: " – least deprived 10 %"}
    handles: list[Any] = [
        Patch(
            facecolor=colour,
            edgecolor="#555555",
            label=f"{d}{ends.get(d, '')} ({int(counts.get(d, 0))})",
        )
        for d, colour in DECILE_COLOURS.items()
    ]
    if deciles.isna().any():
        handles.append(Patch(facecolor=style.MISSING_COLOUR, label="No data"))
    handles.append(Line2D([], [], color="#111111", linewidth=1.8, label="Locality boundary"))
    return handles


def _facts(frame: pd.DataFrame, cols: _Columns) -> list[tuple[str, str]]:
    deciles = frame[cols.decile]
    facts = [("LSOAs", f"{len(frame):,}")]
    if cols.population is not None:
        people = pd.to_numeric(frame[cols.population])
        in_20 = people[deciles.isin([1, 2]).to_numpy()].sum()
        facts.append(("Population", _whole(people.sum())))
        facts.append(("In the most deprived 20 % nationally", f"{in_20 / people.sum():.0%}"))
    facts.append(("National decile", "1 = most deprived 10 % of England's 32,844 LSOAs"))
    return facts


def deprivation_png(
    lsoas: gpd.GeoDataFrame,
    path: str | Path,
    *,
    localities: gpd.GeoDataFrame | None = None,
    code_column: str | None = None,
    decile_column: str | None = None,
    provenance: Provenance | None = None,
    title: str = "Deprivation: IMD 2019 national deciles",
    dpi: int = 150,
) -> Path:
    """Draw the county deprivation page (A4 landscape PNG): LSOA deciles, locality outlines.

    The page has the legend with the LSOA count in each decile, the population and its share
    in the most deprived 20 % nationally, a scale bar, a north arrow and the attribution.

    Parameters
    ----------
    lsoas, localities, code_column, decile_column, provenance, title
        As for :func:`deprivation_map`.
    path : str or pathlib.Path
        The ``.png`` to write, whole or not at all; its folder is created.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> lsoas = gpd.GeoDataFrame({"LSOA11CD": ["E01000001"], "imd_decile": [3]},
    ...     geometry=[box(350000, 240000, 351000, 241000)], crs=27700)
    >>> out = deprivation_png(lsoas, pathlib.Path(tempfile.mkdtemp()) / "imd.png", dpi=40)
    >>> out.read_bytes()[1:4]
    b'PNG'
    """
    frame, cols = _prepared(lsoas, code_column, decile_column)
    prov = style.map_provenance(lsoas, localities, provenance=provenance).combined(_IOD)
    bng = to_bng(frame, source="the LSOAs")
    outlines = None if localities is None else to_bng(localities, source="the localities")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context(cast("Any", static._RC)):  # the atlas's fonts (TrueType, DejaVu)
        fig = _deprivation_figure(bng, outlines, cols, title=title, provenance=prov)
        partial = out.with_name(f".{out.name}.partial")
        fig.savefig(partial, dpi=dpi, format="png", metadata={"Software": "localitygis"})
        partial.replace(out)
    log.info("wrote %s", out)
    return out


def _deprivation_figure(
    lsoas: gpd.GeoDataFrame,
    localities: gpd.GeoDataFrame | None,
    cols: _Columns,
    *,
    title: str,
    provenance: Provenance,
    footer: str | None = None,
) -> Figure:
    """Draw the deprivation page: LSOAs by decile, locality outlines, legend, attribution."""
    deciles = lsoas[cols.decile]
    subtitle = f"{len(lsoas):,} LSOAs by national decile of the Index of Multiple Deprivation"
    demo_label = "DEMO DATA – localities generated, deprivation real"
    fig, ax, side = static._page(title, subtitle, provenance, footer=footer, demo_label=demo_label)
    static._frame(ax, lsoas.total_bounds)
    colours = [style.MISSING_COLOUR if pd.isna(d) else DECILE_COLOURS[int(d)] for d in deciles]
    geoms = np.asarray(lsoas.geometry.values, dtype=object)
    static._polygons(ax, geoms, facecolor=colours, edgecolor="#666666", linewidth=0.2)
    if localities is not None:
        outline = np.asarray(localities.geometry.values, dtype=object)
        static._polygons(ax, outline, facecolor="none", edgecolor="#111111", linewidth=1.6)
        static._labels(ax, outline, localities["locality"].tolist(), size=9, bold=True)
    static._scale_bar(ax)
    static._north_arrow(ax)
    facts = _facts(lsoas, cols)
    if provenance.is_demo:
        facts.append(("Note", _REAL_NOTE))
    static._legend(side, _decile_handles(deciles), facts=facts)
    return fig
