"""Printable maps (matplotlib): a county overview PNG and a locality atlas PDF.

Each page has a title, the map, a legend, a scale bar, a north arrow and the data
attribution, printed in full (titles may be shortened, the attribution never is); tier
colours are those of the web maps (:mod:`localitygis.maps.style`).
Drawing uses matplotlib's object API with the Agg/PDF backends (no pyplot, no global
state); maps are drawn in British National Grid, so a metre is a metre on the page.
"""

from __future__ import annotations

import logging
import math
import re
import textwrap
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.patheffects import Stroke
from matplotlib.text import Text

from localitygis.crs import to_bng
from localitygis.errors import DataError
from localitygis.io import atomic_path
from localitygis.maps import style
from localitygis.maps._web import require_columns, require_crs
from localitygis.profiles import COUNTY
from localitygis.provenance import IOD2019_ATTRIBUTION, Provenance, provenance_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.typing import RcKeyType

    from localitygis.localities.scheme import Scheme
    from localitygis.statistics.needs import NeedsAreas

__all__ = ["county_overview_png", "locality_atlas_pdf"]

log = logging.getLogger(__name__)

A4_LANDSCAPE = (11.69, 8.27)
_MARGIN = 0.03  # page margin, figure fraction
_MAP_TOP = 0.89  # the map and side panel end under the heading
_FOOT_Y = 0.012  # the footer's foot
_ATTRIBUTION_SIZES = (7.0, 6.5, 6.0, 5.5)  # points: shrink to fit three lines, never below
_ATTRIBUTION_LINES = 3
_PANEL_CLEARANCE = 20  # display pixels between a box on the map and the area mapped
_RC: dict[RcKeyType, Any] = {
    "pdf.fonttype": 42,  # TrueType: text stays selectable and extractable (pdftotext)
    "ps.fonttype": 42,
    "font.family": "DejaVu Sans",
    "svg.fonttype": "none",
}
# Stroke only: the halo is drawn as a path under a normal (extractable) text.
_HALO = [Stroke(linewidth=2.5, foreground="white")]

#: Asset category -> marker shape, so symbols differ in shape as well as colour.
CATEGORY_MARKERS: Mapping[str, str] = {
    "fire_station": "^",
    "gp_surgery": "P",
    "hospital": "H",
    "library": "s",
    "police_station": "v",
    "customer_service_centre": "D",
    "childrens_centre": "p",
    "leisure_centre": "h",
    "primary_school": "<",
    "secondary_school": ">",
    "village_hall": "o",
}
# Shapes for other categories, in sorted order (cycled).
_SPARE_MARKERS = ("X", "*", "d", "8", "o")


def category_markers(categories: Sequence[str]) -> dict[str, str]:
    """Return category -> marker shape: the fixed ones, then spare shapes in sorted order.

    Examples
    --------
    >>> category_markers(["fire_station", "gp_surgery", "hospital", "bus_stop"])
    {'bus_stop': 'X', 'fire_station': '^', 'gp_surgery': 'P', 'hospital': 'H'}
    """
    out, spare = {}, 0
    for key in sorted(set(categories)):
        if key in CATEGORY_MARKERS:
            out[key] = CATEGORY_MARKERS[key]
        else:
            out[key] = _SPARE_MARKERS[spare % len(_SPARE_MARKERS)]
            spare += 1
    return out


@cache
def _font_chars() -> frozenset[int]:
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return frozenset(FT2Font(path).get_charmap())


def _printable(text: str) -> str:
    """Return ``text`` as the page font can draw it.

    Characters the font lacks (emoji, most symbols) are dropped, and a right-to-left run
    (Hebrew, Arabic) is put in display order, since matplotlib lays text out left to right.

    Examples
    --------
    >>> _printable("Café 🏰 Hall")
    'Café Hall'
    >>> _printable("Beit שלום")
    'Beit םולש'
    """
    known = _font_chars()
    kept = "".join(c for c in str(text) if ord(c) in known or c in "\n\t")
    out: list[str] = []
    run: list[str] = []
    for c in kept:
        if unicodedata.bidirectional(c) in {"R", "AL"} or (run and c == " "):
            run.append(c)
            continue
        trailing = []
        while run and run[-1] == " ":
            trailing.append(run.pop())
        out.extend(reversed(run))
        out.extend(trailing)
        run = []
        out.append(c)
    trailing = []
    while run and run[-1] == " ":
        trailing.append(run.pop())
    out.extend(reversed(run))
    out.extend(trailing)
    return re.sub(r" {2,}", " ", "".join(out)).strip()


# --------------------------------------------------------------------------- drawing helpers


def _geometry_path(geom: shapely.Geometry) -> MplPath:
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon":
            continue
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            ring_codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0] = MplPath.MOVETO
            ring_codes[-1] = MplPath.CLOSEPOLY
            vertices.append(xy)
            codes.append(ring_codes)
    if not vertices:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _polygons(
    ax: Axes,
    geoms: Sequence[shapely.Geometry] | np.ndarray,
    *,
    facecolor: Any,
    edgecolor: str,
    linewidth: float,
    alpha: float = 1.0,
    linestyle: str = "-",
    zorder: int = 1,
) -> None:
    patches = [PathPatch(_geometry_path(g)) for g in geoms]
    collection = PatchCollection(
        patches,
        facecolor=facecolor,
        edgecolor=edgecolor,
        linewidth=linewidth,
        alpha=alpha,
        linestyle=linestyle,
        zorder=zorder,
    )
    ax.add_collection(collection)


def _nice_length(span_m: float) -> float:
    target = span_m / 5
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def _scale_bar(ax: Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.012
    left = x0 + (x1 - x0) * 0.04
    base = y0 + (y1 - y0) * 0.04
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (left + i * length / 4, base),
                length / 4,
                height,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.8,
                zorder=20,
            )
        )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for x, text in ((left, "0"), (left + length, label)):
        _halo_text(
            ax, x, base + height * 1.8, text, ha="center", va="bottom", fontsize=8, zorder=21
        )


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=13,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 12, "headlength": 10},
        zorder=21,
    )


def _frame(ax: Axes, bounds: Sequence[float], *, margin: float = 0.04) -> None:
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) * margin, (maxy - miny) * margin
    ax.set_xlim(minx - dx, maxx + dx)
    ax.set_ylim(miny - dy, maxy + dy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
        spine.set_linewidth(0.6)
    ax.set_facecolor("#fbfaf7")


@dataclass(frozen=True)
class _Sheet:
    """What every page states besides its map: provenance, scheme, dates, page number."""

    provenance: Provenance
    scheme_name: str = ""
    data_date: str = ""
    printed: str = field(default_factory=lambda: f"{date.today():%d %B %Y}")
    total: int = 1

    def footer(self, number: int) -> str:
        parts = [f"Page {number} of {self.total}"]
        if self.scheme_name:
            parts.append(f"Scheme: {self.scheme_name}")
        parts.append(f"Data: {self.data_date or 'date not recorded'}")
        parts.append(f"Printed {self.printed}")
        return _printable(" · ".join(parts))


def _fit(text: str, size: float, width: int) -> tuple[str, float]:
    """Fit a title into ``width`` characters at ``size``: shrink (to 60 %), wrap, shorten.

    ``width`` is how many characters fit at ``size`` (DejaVu Sans averages about 0.75 em a
    character in mixed text), so a smaller size fits proportionally more. Only titles and
    subtitles are fitted so; the attribution is never shortened (see :func:`_attribution`).

    Examples
    --------
    >>> _fit("Kington locality", 17, 40)
    ('Kington locality', 17)
    >>> text, size = _fit("Long " * 40, 10, 60)
    >>> size, max(len(line) for line in text.splitlines()) <= 100
    (6.0, True)
    """
    text = _printable(text)
    if len(text) <= width:
        return text, size
    smaller = max(size * 0.6, size * width / len(text))
    wide = int(width * size / smaller)
    if len(text) > 2 * wide:
        text = textwrap.shorten(text, width=2 * wide, placeholder="…")
    return textwrap.fill(text, width=wide), smaller


def _wrap(text: str, size: float, width: float, renderer: RendererAgg) -> list[str]:
    """Break ``text`` at spaces into lines at most ``width`` pixels wide at ``size`` points.

    Each line takes words while they fit, measured in the current font (a single word wider
    than ``width`` has a line of its own).

    Examples
    --------
    >>> canvas = FigureCanvasAgg(Figure(dpi=100))
    >>> text = "Contains OS data © Crown copyright and database right. " * 4
    >>> lines = _wrap(text, 7, 250, canvas.get_renderer())
    >>> len(lines) > 1, " ".join(lines) == text.strip()
    (True, True)
    """
    prop = font_manager.FontProperties(size=size)
    lines: list[str] = []
    line = ""
    for word in text.split():
        longer = f"{line} {word}" if line else word
        if line and renderer.get_text_width_height_descent(longer, prop, False)[0] > width:
            lines.append(line)
            longer = word
        line = longer
    return [*lines, line] if line else lines


def _attribution(fig: Figure, text: str, bottom: float) -> Text:
    """Print the attribution whole, from ``bottom`` (figure fraction) up, across the page.

    The type shrinks from 7 pt (6.5, 6, then 5.5 pt, the smallest legible in print) until
    the text fits in three lines; at 5.5 pt it takes as many lines as it needs. Nothing is
    left out.
    """
    renderer = _agg_renderer(fig.canvas)
    # Agg measures as wide as the PDF, or wider; type hinted at print resolution runs a
    # few per cent wider than measured, so leave that much to spare
    width = fig.bbox.width * (1 - 2 * _MARGIN) * 0.96
    text = _printable(text)
    for size in _ATTRIBUTION_SIZES:
        lines = _wrap(text, size, width, renderer)
        if len(lines) <= _ATTRIBUTION_LINES:
            break
    return fig.text(
        _MARGIN,
        bottom,
        "\n".join(lines),
        fontsize=size,
        color="#333333",
        va="bottom",
        parse_math=False,
    )


def _top(text: Text) -> float:
    """Return the top of ``text`` as a fraction of its figure's height."""
    fig = text.get_figure(root=True)
    assert fig is not None  # drawn on a page
    return float(text.get_window_extent(_agg_renderer(fig.canvas)).y1 / fig.bbox.height)


def _foot(fig: Figure, attribution: str, footer: str | None) -> float:
    """Print the footer (if any) and the whole attribution above it; return where they end."""
    bottom = _FOOT_Y
    if footer:
        line = fig.text(
            _MARGIN, bottom, footer, fontsize=7, color="#333333", va="bottom", parse_math=False
        )
        bottom = _top(line) + 0.004
    return _top(_attribution(fig, attribution, bottom))


def _heading(fig: Figure, title: str, subtitle: str, demo_label: str | None) -> None:
    """Print the title, the subtitle and (for demo data) the demo label at the page's head."""
    heading, size = _fit(title, 17, 40)
    fig.text(_MARGIN, 0.955, heading, fontsize=size, fontweight="bold", va="top")
    line, small = _fit(subtitle, 11, 80)
    fig.text(_MARGIN, 0.912, line, fontsize=small, color="#444444", va="top")
    if demo_label:
        fig.text(
            1 - _MARGIN,
            0.955,
            demo_label,
            fontsize=11,
            color="#a0341c",
            fontweight="bold",
            ha="right",
            va="top",
        )


def _page(
    title: str,
    subtitle: str,
    provenance: Provenance,
    *,
    footer: str | None,
    demo_label: str = "DEMO DATA – boundaries generated",
) -> tuple[Figure, Axes, Axes]:
    """Start an A4 landscape page; return the figure, the map's axes and the side panel's.

    The footer and the whole attribution are printed first, at the foot; the map and the side
    panel fill the page from just above them to under the heading, so however long the
    attribution is, it never overlaps them.
    """
    fig = Figure(figsize=A4_LANDSCAPE, dpi=100)
    FigureCanvasAgg(fig)
    _heading(fig, title, subtitle, demo_label if provenance.is_demo else None)
    bottom = _foot(fig, style.attribution_text(provenance), footer) + 0.012
    map_ax = fig.add_axes((_MARGIN, bottom, 0.68, _MAP_TOP - bottom))
    side = fig.add_axes((0.73, bottom, 0.25, _MAP_TOP - bottom))
    side.set_axis_off()
    return fig, map_ax, side


def _tier_handles(tier_names: Mapping[int, str]) -> list[Patch]:
    return [
        Patch(facecolor=style.tier_colour(t), edgecolor="#333333", alpha=0.8, label=name)
        for t, name in sorted(tier_names.items())
    ]


def _legend(side: Axes, handles: Sequence[Any], *, facts: Sequence[tuple[str, str]]) -> None:
    for handle in handles:
        handle.set_label(textwrap.fill(_printable(handle.get_label()), width=34))
    legend = side.legend(
        handles=list(handles),
        loc="upper left",
        title="Legend",
        title_fontproperties={"weight": "bold", "size": 11},
        fontsize=8,
        frameon=True,
        framealpha=1.0,
        edgecolor="#999999",
        borderpad=0.6,
        labelspacing=0.4,
    )
    legend.get_frame().set_linewidth(0.6)
    if facts:
        text = "\n".join(
            textwrap.fill(_printable(f"{label}: {value}"), width=42, subsequent_indent="    ")
            for label, value in facts
        )
        side.text(0.02, 0.0, text, fontsize=8, va="bottom", ha="left", linespacing=1.35)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float | np.floating) and abs(float(value)) < 1000:
        return f"{value:,.1f}{unit}"
    return f"{value:,.0f}{unit}"


def _agg_renderer(canvas: FigureCanvasBase) -> RendererAgg:
    """Return the renderer that measures text: every page here is drawn on an Agg canvas."""
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError(
            f"static maps measure their labels on an Agg canvas, not a {type(canvas).__name__}; "
            "draw the figure with matplotlib.backends.backend_agg.FigureCanvasAgg."
        )
    return canvas.get_renderer()


def _halo_text(ax: Axes, x: float, y: float, text: str, **kwargs: Any) -> None:
    """Draw text with a white halo, keeping the text itself real (selectable in the PDF)."""
    ax.text(x, y, text, color="white", path_effects=_HALO, **kwargs)
    ax.text(x, y, text, **kwargs)


def _labels(
    ax: Axes,
    geoms: np.ndarray,
    names: Sequence[Any],
    *,
    size: float,
    bold: bool,
    placed: list[Any] | None = None,
) -> int:
    """Label polygons at a point inside each; return how many labels were drawn.

    With ``placed`` (display boxes of text already on the map), labels are placed largest
    polygon first, a label that would overlap one already placed is dropped, and the boxes
    of those drawn are added to ``placed``, so no two labels collide.
    """
    avoid = placed is not None
    points = shapely.point_on_surface(geoms)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    dx, dy = (x1 - x0) * 0.06, (y1 - y0) * 0.03
    order = np.argsort(-shapely.area(geoms), kind="stable") if avoid else range(len(geoms))
    renderer = _agg_renderer(ax.figure.canvas) if avoid else None
    if avoid:
        ax.apply_aspect()  # measure in the final axes box (equal aspect shrinks it on draw)
    drawn = 0
    for i in order:
        point, name = points[i], names[i]
        if not (x0 + dx < point.x < x1 - dx and y0 + dy < point.y < y1 - dy):
            continue  # a neighbour's label that would be cut by the frame
        text = _printable(str(name))
        style_: dict[str, Any] = {
            "fontsize": size,
            "ha": "center",
            "va": "center",
            "fontweight": "bold" if bold else "normal",
            "zorder": 15,
            "clip_on": True,
        }
        if renderer is not None and placed is not None:
            box = ax.text(point.x, point.y, text, **style_).get_window_extent(renderer)
            ax.texts[-1].remove()
            if any(box.overlaps(other) for other in placed):
                continue
            placed.append(box.expanded(1.05, 1.15))
        _halo_text(ax, point.x, point.y, text, **style_)
        drawn += 1
    return drawn


# --------------------------------------------------------------------------- inputs


def _prepare(
    localities: gpd.GeoDataFrame,
    parishes: gpd.GeoDataFrame | None,
    assets: gpd.GeoDataFrame | None,
    hubs: gpd.GeoDataFrame | None,
) -> tuple[gpd.GeoDataFrame, ...]:
    require_crs(localities, "the localities")
    require_columns(localities, ["locality", "tier"], "the localities")
    out = [to_bng(localities, source="the localities")]
    for frame, what, cols in (
        (parishes, "the parishes", ["parish_name"]),
        (assets, "the assets", ["name", "category"]),
        (hubs, "the hubs", ["name"]),
    ):
        if frame is None:
            out.append(None)
            continue
        require_crs(frame, what)
        require_columns(frame, cols, what)
        out.append(to_bng(frame, source=what))
    return tuple(out)


def _draw_county(
    ax: Axes,
    localities: gpd.GeoDataFrame,
    parishes: gpd.GeoDataFrame | None,
    *,
    highlight: str | None = None,
) -> None:
    geoms = np.asarray(localities.geometry.values, dtype=object)
    colours = [style.tier_colour(t) for t in localities["tier"]]
    _polygons(ax, geoms, facecolor=colours, edgecolor="#333333", linewidth=0.4, alpha=0.7)
    if parishes is not None:
        _polygons(
            ax,
            np.asarray(parishes.geometry.values, dtype=object),
            facecolor="none",
            edgecolor="#555555",
            linewidth=0.25,
            alpha=0.7,
            zorder=2,
        )
    _polygons(ax, geoms, facecolor="none", edgecolor="#222222", linewidth=1.3, zorder=3)
    if highlight is not None:
        chosen = localities[localities["locality"].astype("object") == highlight]
        _polygons(
            ax,
            np.asarray(chosen.geometry.values, dtype=object),
            facecolor="none",
            edgecolor="#c0392b",
            linewidth=2.5,
            zorder=4,
        )
    _labels(ax, geoms, localities["locality"].tolist(), size=9, bold=True)


# --------------------------------------------------------------------------- public


def county_overview_png(
    localities: gpd.GeoDataFrame,
    path: str | Path,
    *,
    parishes: gpd.GeoDataFrame | None = None,
    scheme: Scheme | None = None,
    provenance: Provenance | None = None,
    title: str = "Localities",
    data_date: str | None = None,
    dpi: int = 150,
) -> Path:
    """Draw the county overview: localities by tier, parish boundaries, legend, scale, north.

    Parameters
    ----------
    localities : geopandas.GeoDataFrame
        ``locality``, ``tier`` and geometry.
    path : str or pathlib.Path
        The ``.png`` to write; its folder is created.
    parishes : geopandas.GeoDataFrame, optional
        Parish boundaries drawn as thin lines.
    scheme : localitygis.localities.scheme.Scheme, optional
        Names the tiers; defaults to the Locality Strategy wording.
    provenance : localitygis.provenance.Provenance, optional
        The attribution; by default read from the frames.
    title : str
        Page title.
    data_date : str, optional
        When the data was made (e.g. the build's date), printed with the print date.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError, CRSError
        If a frame lacks a column or a CRS.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> loc = gpd.GeoDataFrame({"locality": ["North", "South"], "tier": [1, 2]},
    ...     geometry=[box(350000, 250000, 360000, 260000), box(350000, 240000, 360000, 250000)],
    ...     crs=27700)
    >>> out = county_overview_png(loc, pathlib.Path(tempfile.mkdtemp()) / "county.png", dpi=40)
    >>> out.read_bytes()[1:4]
    b'PNG'
    """
    loc, par, _, _ = _prepare(localities, parishes, None, None)
    prov = style.map_provenance(localities, parishes, provenance=provenance)
    tier_names = style.tier_labels(scheme, localities)
    sheet = _Sheet(prov, scheme_name=scheme.name if scheme else "", data_date=data_date or "")
    out = Path(path)
    with mpl.rc_context(_RC), atomic_path(out) as temporary:
        fig = _overview_figure(loc, par, title=title, tier_names=tier_names, sheet=sheet)
        fig.savefig(temporary, dpi=dpi, metadata={"Software": "localitygis"})
    log.info("wrote %s", out)
    return out


def _overview_figure(
    loc: gpd.GeoDataFrame,
    par: gpd.GeoDataFrame | None,
    *,
    title: str,
    tier_names: Mapping[int, str],
    sheet: _Sheet,
) -> Figure:
    count = len(loc)
    subtitle = f"{count} localities by tier"
    fig, ax, side = _page(title, subtitle, sheet.provenance, footer=sheet.footer(1))
    _frame(ax, loc.total_bounds)
    _draw_county(ax, loc, par)
    _scale_bar(ax)
    _north_arrow(ax)
    handles: list[Any] = _tier_handles(tier_names)
    handles.append(Line2D([], [], color="#222222", linewidth=1.3, label="Locality boundary"))
    if par is not None:
        handles.append(Line2D([], [], color="#555555", linewidth=0.5, label="Parish boundary"))
    facts = []
    if "population" in loc.columns:
        facts.append(("Population", _fmt(pd.to_numeric(loc["population"]).sum())))
    area = float(loc.geometry.area.sum()) / 1e6
    facts.append(("Area", f"{area:,.0f} km²"))
    if par is not None:
        facts.append(("Parishes", f"{len(par):,}"))
    _legend(side, handles, facts=facts)
    return fig


def locality_atlas_pdf(
    localities: gpd.GeoDataFrame,
    parishes: gpd.GeoDataFrame,
    path: str | Path,
    *,
    assets: gpd.GeoDataFrame | None = None,
    hubs: gpd.GeoDataFrame | None = None,
    scheme: Scheme | None = None,
    category_labels: Mapping[str, str] | None = None,
    provenance: Provenance | None = None,
    title: str = "Locality atlas",
    data_date: str | None = None,
    needs: NeedsAreas | gpd.GeoDataFrame | None = None,
) -> Path:
    """Write the locality atlas: an overview page, then one page per locality.

    With ``needs``, a county deprivation page (LSOAs by IMD 2019 national decile under the
    locality outlines) follows the overview, and each locality page lists its needs against
    the county (see :func:`localitygis.statistics.needs_profile`).
    Each locality page shows its parishes (named), the neighbouring localities faded,
    its assets by category and its hubs with reach rings; the side panel has the legend
    and the locality's figures. Every page has a scale bar, north arrow and attribution.

    Parameters
    ----------
    localities : geopandas.GeoDataFrame
        ``locality``, ``tier`` (and ``tier_name``, ``population``, ``parish_count``,
        ``area_km2``...), geometry.
    parishes : geopandas.GeoDataFrame
        ``parish_name`` and geometry; ``locality`` if assigned (else chosen spatially).
    path : str or pathlib.Path
        The ``.pdf`` to write; its folder is created.
    assets : geopandas.GeoDataFrame, optional
        Points with ``name`` and ``category``.
    hubs : geopandas.GeoDataFrame, optional
        Points with ``name``, optional ``tier`` and ``reach_m``.
    scheme : localitygis.localities.scheme.Scheme, optional
        Names tiers and asset categories.
    category_labels : mapping, optional
        Category key -> label.
    provenance : localitygis.provenance.Provenance, optional
        The attribution; by default read from the frames.
    title : str
        Title of the overview page.
    data_date : str, optional
        When the data was made (e.g. the build's date); every page prints it with the
        print date, the page number and the scheme's name.
    needs : localitygis.statistics.NeedsAreas or geopandas.GeoDataFrame, optional
        The small areas best-fitted to the localities
        (:func:`~localitygis.statistics.needs_small_areas`, or its ``frame``): LSOA
        polygons with ``locality``, ``imd_decile`` and (for the figures) ``population``,
        ``age_60_plus``, ``imd_rank``, ``area_name``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError, CRSError
        If a frame lacks a column or a CRS, or there are no localities.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> loc = gpd.GeoDataFrame({"locality": ["Town"], "tier": [2]},
    ...     geometry=[box(350000, 240000, 360000, 250000)], crs=27700)
    >>> par = gpd.GeoDataFrame({"parish_name": ["Upton"], "locality": ["Town"]},
    ...     geometry=[box(350000, 240000, 360000, 250000)], crs=27700)
    >>> out = locality_atlas_pdf(loc, par, pathlib.Path(tempfile.mkdtemp()) / "atlas.pdf")
    >>> out.read_bytes()[:5]
    b'%PDF-'
    """
    if len(localities) == 0:
        raise DataError("the localities are empty, so there is no atlas to draw.")
    atlas = _Atlas.of(
        (localities, parishes, assets, hubs),
        needs,
        scheme=scheme,
        category_labels=category_labels,
        provenance=provenance,
        title=title,
        data_date=data_date,
    )
    out = Path(path)
    with (
        mpl.rc_context(_RC),
        atomic_path(out) as temporary,
        PdfPages(temporary, metadata=atlas.metadata()) as pdf,
    ):
        for figure in atlas.pages():
            pdf.savefig(figure)
    log.info("wrote %s (%d pages)", out, atlas.sheet.total)
    return out


@dataclass(frozen=True)
class _Atlas:
    """What the atlas's pages are drawn from: the frames, the needs, the legend's words."""

    frames: tuple[Any, Any, Any, Any]  # localities, parishes, assets, hubs
    needs: gpd.GeoDataFrame | None
    title: str
    tier_names: Mapping[int, str]
    symbols: tuple[Mapping[str, str], Mapping[str, str]]
    labels: Mapping[str, str]
    sheet: _Sheet

    @classmethod
    def of(
        cls,
        frames: tuple[Any, Any, Any, Any],
        needs: NeedsAreas | gpd.GeoDataFrame | None,
        *,
        scheme: Scheme | None,
        category_labels: Mapping[str, str] | None,
        provenance: Provenance | None,
        title: str,
        data_date: str | None,
    ) -> _Atlas:
        """Check and prepare the frames as :func:`locality_atlas_pdf` takes them."""
        localities, parishes, assets, _ = frames
        loc, par, pts, hub = _prepare(*frames)
        prov = style.map_provenance(localities, parishes, assets, provenance=provenance)
        small = _needs_areas(needs)
        if small is not None:
            prov = prov.combined(provenance_of(small)).combined(Provenance(IOD2019_ATTRIBUTION))
        keys = _category_keys(pts)
        return cls(
            frames=(loc, par, pts, hub),
            needs=small,
            title=title,
            tier_names=style.tier_labels(scheme, localities),
            symbols=(style.category_colours(keys), category_markers(list(keys))),
            labels=style.vocabulary(scheme, category_labels)["category"],
            sheet=_Sheet(
                prov,
                scheme_name=scheme.name if scheme else "",
                data_date=data_date or "",
                total=len(loc) + (1 if small is None else 2),
            ),
        )

    def metadata(self) -> dict[str, Any]:
        """Return the PDF's document information: title, attribution, creator (no date)."""
        return {
            "Title": self.title,
            "Subject": style.attribution_text(self.sheet.provenance),
            "Creator": "localitygis",
            "CreationDate": None,
        }

    def pages(self) -> Iterator[Figure]:
        """Draw the overview, the county's needs (with needs), then each locality's page."""
        loc, par = self.frames[0], self.frames[1]
        yield _overview_figure(
            loc, par, title=self.title, tier_names=self.tier_names, sheet=self.sheet
        )
        if self.needs is not None:
            yield _needs_page(self.needs, loc, self.sheet)
        profile = _needs_lookup(self.needs)
        first = 2 if self.needs is None else 3
        for number, (_, row) in enumerate(loc.iterrows(), start=first):
            own = (profile.get(str(row["locality"]), {}), profile[COUNTY]) if profile else None
            yield _locality_figure(
                row,
                self.frames,
                tier_names=self.tier_names,
                symbols=self.symbols,
                labels=self.labels,
                sheet=self.sheet,
                number=number,
                needs=own,
            )


def _needs_areas(needs: NeedsAreas | gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Return the needs small areas as a frame in EPSG:27700 (or None)."""
    if needs is None:
        return None
    frame = needs if isinstance(needs, gpd.GeoDataFrame) else needs.frame
    require_crs(frame, "the needs small areas")
    require_columns(frame, ["locality", "imd_decile"], "the needs small areas")
    return to_bng(frame, source="the needs small areas")


def _needs_lookup(small: gpd.GeoDataFrame | None) -> dict[str, dict[str, Any]]:
    """Locality (and ``County``) -> its needs profile figures."""
    if small is None:
        return {}
    from localitygis.statistics.needs import needs_profile

    table = needs_profile(pd.DataFrame(small.drop(columns="geometry")))
    return {str(r["locality"]): r.to_dict() for _, r in table.iterrows()}


def _needs_page(small: gpd.GeoDataFrame, loc: gpd.GeoDataFrame, sheet: _Sheet) -> Figure:
    """Draw the county deprivation page (the deprivation PNG's drawing) with the footer."""
    from localitygis.maps import deprivation

    frame, cols = deprivation._prepared(small, None, None)
    title = "Deprivation: IMD 2019 national deciles"
    return deprivation._deprivation_figure(
        frame, loc, cols, title=title, provenance=sheet.provenance, footer=sheet.footer(2)
    )


def _share(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.1%}"


def _lsoa(profile: Mapping[str, Any], which: str) -> str:
    code = profile.get(f"{which}_code")
    if code is None or pd.isna(code):
        return "–"
    decile = profile.get(f"{which}_decile")
    shown = "" if decile is None or pd.isna(decile) else f", decile {int(decile)}"
    return f"{profile.get(f'{which}_name', code)} ({code}){shown}"


def _needs_facts(profile: Mapping[str, Any], county: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (label, text) lines of a locality's needs against the county's, for a page.

    Examples
    --------
    >>> local = {"population": 9836, "age_60_plus_share": 0.312, "imd_mean_rank": 16500.4,
    ...     "most_deprived_20pc_share": 0.05, "most_deprived_code": "E01", "most_deprived_name":
    ...     "Kington 001A", "most_deprived_decile": 3, "imd_rank_p10_p90": 9000}
    >>> facts = dict(_needs_facts(local, {"age_60_plus_share": 0.27}))
    >>> facts["Aged 60+"], facts["IMD mean rank"]
    ('31.2% (county 27.0%)', '16,500 of 32,844 (1 = most deprived)')
    >>> facts["Most deprived LSOA"], facts["Least deprived LSOA"]
    ('Kington 001A (E01), decile 3', '–')
    """
    rank = profile.get("imd_mean_rank")
    spread = profile.get("imd_rank_p10_p90")
    return [
        ("Population (LSOAs)", _fmt(profile.get("population"))),
        (
            "Aged 60+",
            f"{_share(profile.get('age_60_plus_share'))} "
            f"(county {_share(county.get('age_60_plus_share'))})",
        ),
        (
            "IMD mean rank",
            "–"
            if rank is None or pd.isna(rank)
            else f"{float(rank):,.0f} of 32,844 (1 = most deprived)",
        ),
        ("In England's most deprived 20 %", _share(profile.get("most_deprived_20pc_share"))),
        ("Most deprived LSOA", _lsoa(profile, "most_deprived")),
        ("Least deprived LSOA", _lsoa(profile, "least_deprived")),
        ("Middle 80 % of people: rank spread", _fmt(spread)),
    ]


def _needs_panel(fig: Figure, profile: Mapping[str, Any], county: Mapping[str, Any]) -> Text:
    """Print the locality's needs in a box at the map's foot, right (clear of the scale).

    The map's frame is first widened to leave that corner clear of the locality (see
    :func:`_make_room`); call it once the frame is set.
    """
    lines = [
        textwrap.fill(_printable(f"{label}: {value}"), width=70, subsequent_indent="    ")
        for label, value in _needs_facts(profile, county)
    ]
    text = "Needs (IMD 2019, mid-2015 populations)\n" + "\n".join(lines)
    map_ax = fig.axes[0]  # _page adds the map first
    panel = fig.text(
        0,
        0,
        text,
        fontsize=7.5,
        va="bottom",
        ha="right",
        multialignment="left",
        linespacing=1.35,
        zorder=30,
        bbox={"facecolor": "white", "edgecolor": "#999999", "alpha": 0.92, "pad": 4},
    )
    extent = panel.get_window_extent(_agg_renderer(fig.canvas))
    _make_room(map_ax, extent.width + _PANEL_CLEARANCE, extent.height + _PANEL_CLEARANCE)
    box = map_ax.get_position()  # as the frame's aspect leaves it
    panel.set_position((box.x1 - 0.005, box.y0 + 0.01))
    return panel


def _make_room(ax: Axes, width: float, height: float) -> None:
    """Widen the map's frame right or down to leave a clear corner at its foot, right.

    The corner is ``width`` × ``height`` display pixels. The frame grows the way that keeps
    the larger scale in the axes' box: a tall area gains room beside it, a wide one below.

    Examples
    --------
    A 400-pixel square box: a 1 × 4 km area is drawn at 0.1 pixel a metre, so a 150-pixel
    wide corner takes 1.5 km beside it; a 4 × 1 km area gets its 100 pixels (1 km) below.

    >>> ax = Figure(figsize=(4, 4), dpi=100).add_axes((0, 0, 1, 1))
    >>> _frame(ax, (0, 0, 1000, 4000), margin=0)
    >>> _make_room(ax, 150, 100)
    >>> [float(v) for v in (*ax.get_xlim(), *ax.get_ylim())]
    [0.0, 2500.0, 0.0, 4000.0]
    >>> _frame(ax, (0, 0, 4000, 1000), margin=0)
    >>> _make_room(ax, 150, 100)
    >>> [float(v) for v in (*ax.get_xlim(), *ax.get_ylim())]
    [0.0, 4000.0, -1000.0, 1000.0]
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    box = ax.get_position(original=True).transformed(ax.figure.transFigure)
    down = min(box.width / (x1 - x0), (box.height - height) / (y1 - y0))  # pixels a metre
    right = min((box.width - width) / (x1 - x0), box.height / (y1 - y0))
    if max(down, right) <= 0:  # no room either way: leave the frame
        return
    if down >= right:
        ax.set_ylim(y0 - height / down, y1)
    else:
        ax.set_xlim(x0, x1 + width / right)


def _members(frame: gpd.GeoDataFrame | None, name: str, area: shapely.Geometry) -> Any:
    if frame is None:
        return None
    if "locality" in frame.columns:
        return frame[frame["locality"].astype("object") == name]
    return frame[frame.geometry.intersects(area)]


def _category_keys(assets: gpd.GeoDataFrame | None) -> pd.Series:
    if assets is None:
        return pd.Series([], dtype="object")
    return assets["category"].astype("object").fillna("uncategorised").astype(str)


def _locator(fig: Figure, loc: gpd.GeoDataFrame, name: str) -> None:
    """Draw a small county map in the side panel with this locality highlighted."""
    inset = fig.add_axes((0.80, 0.70, 0.17, 0.19))
    _frame(inset, loc.total_bounds, margin=0.03)
    chosen = (loc["locality"].astype("object") == name).to_numpy()
    geoms = np.asarray(loc.geometry.values, dtype=object)
    _polygons(inset, geoms[~chosen], facecolor="#dddddd", edgecolor="#888888", linewidth=0.3)
    _polygons(inset, geoms[chosen], facecolor="#c0392b", edgecolor="#222222", linewidth=0.6)
    inset.set_title("Where", fontsize=7, loc="left", pad=2)


def _draw_assets(
    ax: Axes,
    members: gpd.GeoDataFrame,
    symbols: tuple[Mapping[str, str], Mapping[str, str]],
    labels: Mapping[str, str],
) -> list[Any]:
    """Draw assets by category (colour and shape); return their legend handles."""
    colours, markers = symbols
    xy = shapely.get_coordinates(shapely.centroid(np.asarray(members.geometry.values)))
    cats = _category_keys(members).to_numpy()
    handles = []
    for key in sorted(set(cats)):
        here = cats == key
        colour = colours.get(key, style.MISSING_COLOUR)
        marker = markers.get(key, "o")
        ax.scatter(
            xy[here, 0],
            xy[here, 1],
            s=34,
            c=colour,
            marker=marker,
            edgecolors="white",
            linewidths=0.6,
            zorder=10,
        )
        label = f"{style.category_label(key, labels)} ({int(here.sum())})"
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="none",
                markersize=7,
                markerfacecolor=colour,
                markeredgecolor="white",
                label=label,
            )
        )
    return handles


def _draw_hubs(ax: Axes, hubs: gpd.GeoDataFrame, tier: Any) -> list[Any]:
    """Draw hubs and their reach as a dashed outline (as the legend shows it)."""
    for _, h in hubs.iterrows():
        centre = h.geometry.centroid
        colour = style.tier_colour(h.get("tier", tier))
        reach = h.get("reach_m")
        if reach is not None and not pd.isna(reach) and float(reach) > 0:
            ax.add_patch(
                Circle(
                    (centre.x, centre.y),
                    float(reach),
                    fill=False,
                    edgecolor=colour,
                    linestyle="--",
                    linewidth=1.4,
                    zorder=5,
                )
            )
        ax.scatter(
            [centre.x],
            [centre.y],
            s=110,
            c=[colour],
            edgecolors="#222222",
            linewidths=2,
            marker="o",
            zorder=12,
        )
    return [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=9,
            markerfacecolor="white",
            markeredgecolor="#222222",
            markeredgewidth=2,
            label="Hub (fill: tier colour)",
        ),
        Line2D([], [], color="#555555", linestyle="--", linewidth=1.4, label="Hub reach"),
    ]


def _locality_facts(row: pd.Series, members: Any, own_hubs: Any) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    for column, label, unit in (
        ("parish_count", "Parishes", ""),
        ("population", "Population", ""),
        ("area_km2", "Area", " km²"),
        ("density_per_km2", "Density", " per km²"),
    ):
        if column in row.index:
            facts.append((label, _fmt(row[column], unit)))
    if members is not None:
        facts.append(("Assets", f"{len(members):,}"))
    if own_hubs is not None:
        facts.append(("Hubs", f"{len(own_hubs):,}"))
    if "catchments" in row.index and isinstance(row["catchments"], str):
        facts.append(("Catchments", row["catchments"]))
    return facts


def _locality_figure(
    row: pd.Series,
    frames: tuple[Any, Any, Any, Any],
    *,
    tier_names: Mapping[int, str],
    symbols: tuple[Mapping[str, str], Mapping[str, str]],
    labels: Mapping[str, str],
    sheet: _Sheet,
    number: int,
    needs: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
) -> Figure:
    """Draw a locality's page; with ``needs`` (its profile, the county's) the needs box too.

    Labels are placed after the scale bar, north arrow and needs box, clear of them.
    """
    loc, par, pts, hub = frames
    name = str(row["locality"])
    tier = row["tier"]
    tier_text = tier_names.get(int(tier), f"Tier {tier}") if not pd.isna(tier) else "No tier"
    fig, ax, side = _page(
        f"{name} locality", tier_text, sheet.provenance, footer=sheet.footer(number)
    )
    bottom = ax.get_position(original=True).y0
    side.set_position((0.73, bottom, 0.25, 0.67 - bottom))  # under the locator
    _locator(fig, loc, name)
    area = row.geometry
    _frame(ax, area.bounds, margin=0.06)
    panel = None if needs is None else _needs_panel(fig, *needs)
    others = loc[loc["locality"].astype("object") != name]
    _polygons(
        ax,
        np.asarray(others.geometry.values, dtype=object),
        facecolor=[style.tier_colour(t) for t in others["tier"]],
        edgecolor="#777777",
        linewidth=0.8,
        alpha=0.18,
    )
    _polygons(
        ax, [area], facecolor=style.tier_colour(tier), edgecolor="none", linewidth=0, alpha=0.35
    )
    _scale_bar(ax)
    _north_arrow(ax)
    renderer = _agg_renderer(fig.canvas)
    placed = [t.get_window_extent(renderer).expanded(1.05, 1.15) for t in ax.texts]
    if panel is not None:
        placed.append(panel.get_window_extent(renderer).padded(6))
    own = _members(par, name, area)
    if own is not None and len(own):
        own_geoms = np.asarray(own.geometry.values, dtype=object)
        _polygons(ax, own_geoms, facecolor="none", edgecolor="#555555", linewidth=0.5, zorder=2)
        _labels(ax, own_geoms, own["parish_name"].tolist(), size=6, bold=False, placed=placed)
    _labels(
        ax,
        np.asarray(others.geometry.values, dtype=object),
        others["locality"].tolist(),
        size=8,
        bold=False,
        placed=placed,
    )
    _polygons(ax, [area], facecolor="none", edgecolor="#222222", linewidth=2.0, zorder=3)
    handles: list[Any] = _tier_handles(tier_names)
    handles.append(Line2D([], [], color="#222222", linewidth=2, label="Locality boundary"))
    handles.append(Line2D([], [], color="#555555", linewidth=0.6, label="Parish boundary"))
    members = _members(pts, name, area)
    if members is not None and len(members):
        handles += _draw_assets(ax, members, symbols, labels)
    own_hubs = _members(hub, name, area)
    if own_hubs is not None and len(own_hubs):
        handles += _draw_hubs(ax, own_hubs, tier)
    _legend(side, handles, facts=_locality_facts(row, members, own_hubs))
    return fig
