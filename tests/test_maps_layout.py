"""The printable pages' layout: the attribution in full and clear, the needs box clear too.

Every figure the printable maps save is caught at ``Figure.savefig`` (the PDF pages too:
``PdfPages.savefig`` saves through it), and its attribution is checked as drawn: all of it,
at 5.5 pt or more, inside the page margins, and clear of the map, the legend, the side
panel's facts and the footer. The atlas's pages are also read back with poppler's
``pdftotext``, so the text is checked as printed. A locality page's needs box must leave the
locality itself clear.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import shapely
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from localitygis.maps import county_overview_png, deprivation_png, locality_atlas_pdf
from localitygis.maps.style import attribution_text
from localitygis.provenance import DEMO, IOD2019_ATTRIBUTION, Provenance
from tests._mapdata import demo_map_data, demo_needs
from tests.test_maps_static import _page_text, _pages

#: The demo's attribution: the demo notice (two parts), OS/ONS, UK-GeoJSON, IoD 2019.
DEMO_PARTS = DEMO.attribution.split("; ")

#: Three times the demo's attribution, each part distinct, so none is merged away when the
#: maps combine it with the frames' and the IoD's attributions.
LONG = Provenance(
    "; ".join(f"{part} (copy {copy} of 3)" for copy in (1, 2, 3) for part in DEMO_PARTS),
    is_demo=True,
)


def test_the_long_attribution_is_three_times_the_demos_and_survives_combining():
    assert len(LONG.attribution) > 3 * len(attribution_text(DEMO))
    assert LONG.combined(DEMO).combined(Provenance(IOD2019_ATTRIBUTION)) == LONG


def _flat(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Drawn:
    """What one saved figure showed: the attribution's artists and what it must not touch."""

    attribution: list[tuple[str, float, Bbox]]  # text, font size, display box
    others: dict[str, Bbox]
    page: Bbox


def _survey(fig: Figure, expected: str) -> Drawn:
    renderer = fig.canvas.get_renderer()
    map_ax, side = fig.axes[0], fig.axes[1]
    others = {"map": map_ax.get_window_extent(renderer)}
    legend = side.get_legend()
    if legend is not None:
        others["legend"] = legend.get_window_extent(renderer)
    for i, text in enumerate(side.texts):
        others[f"side text {i}"] = text.get_window_extent(renderer)
    attribution = []
    for i, text in enumerate(fig.texts):
        box = text.get_window_extent(renderer)
        if _flat(text.get_text()) and _flat(text.get_text()) in _flat(expected):
            attribution.append((text.get_text(), text.get_fontsize(), box))
        else:
            others[f"page text {i}: {text.get_text()[:30]!r}"] = box
    return Drawn(attribution, others, fig.bbox)


@pytest.fixture
def saved(monkeypatch):
    """Catch every figure as it is saved, in order."""
    caught: list[Figure] = []
    original = Figure.savefig

    def spy(self, *args, **kwargs):
        caught.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    return caught


def _assert_full_and_clear(fig: Figure, expected: str) -> None:
    drawn = _survey(fig, expected)
    shown = " ".join(_flat(text) for text, _, _ in drawn.attribution)
    assert shown == _flat(expected), [t.get_text()[-50:] for t in fig.texts]
    assert "…" not in shown
    for text, size, box in drawn.attribution:
        assert size >= 5.5, (text[:40], size)
        margin = 0.02 * drawn.page.width
        assert box.x0 >= margin, text[:40]
        assert box.x1 <= drawn.page.width - margin, text[:40]
        assert box.y0 >= 0
        for name, other in drawn.others.items():
            assert not box.overlaps(other), (text[:40], name)


@pytest.fixture(scope="module")
def data():
    return demo_map_data()


def test_county_overview_png_prints_the_demo_attribution_in_full(tmp_path, data, saved):
    county_overview_png(data.localities, tmp_path / "c.png", parishes=data.parishes, dpi=40)
    assert len(saved) == 1
    _assert_full_and_clear(saved[0], attribution_text(DEMO))


def test_county_overview_png_prints_a_long_attribution_in_full(tmp_path, data, saved):
    county_overview_png(
        data.localities, tmp_path / "c.png", parishes=data.parishes, provenance=LONG, dpi=40
    )
    _assert_full_and_clear(saved[0], LONG.attribution)


@pytest.mark.parametrize("provenance", [None, LONG], ids=["demo", "long"])
def test_deprivation_png_prints_the_attribution_in_full(tmp_path, data, saved, provenance):
    areas, _ = demo_needs()
    deprivation_png(
        areas, tmp_path / "d.png", localities=data.localities, provenance=provenance, dpi=40
    )
    expected = attribution_text(DEMO) if provenance is None else LONG.attribution
    _assert_full_and_clear(saved[0], expected)


@pytest.mark.parametrize("provenance", [None, LONG], ids=["demo", "long"])
def test_every_atlas_page_prints_the_attribution_in_full(tmp_path, data, saved, provenance):
    areas, _ = demo_needs()
    hereford = data.localities[data.localities["locality"] == "Hereford City"]
    kington = data.localities[data.localities["locality"] == "Kington"]
    localities = data.localities.loc[[*hereford.index, *kington.index]]
    pdf = locality_atlas_pdf(
        localities,
        data.parishes,
        tmp_path / "atlas.pdf",
        assets=data.assets,
        hubs=data.hubs,
        needs=areas,
        provenance=provenance,
        data_date="1 December 2026",
    )
    expected = attribution_text(DEMO) if provenance is None else LONG.attribution
    assert _pages(pdf) == len(saved) == 4  # overview, deprivation, two localities
    for number, fig in enumerate(saved, start=1):
        _assert_full_and_clear(fig, expected)
        text = _flat(_page_text(pdf, number))
        assert _flat(expected) in text, number
        assert "…" not in text
        assert f"Page {number} of 4" in text


def test_the_needs_box_leaves_the_locality_clear(tmp_path, data, saved):
    areas, _ = demo_needs()
    names = ["Kington", "Ledbury", "Mortimer"]  # tall, wide with a bay, round
    chosen = data.localities[data.localities["locality"].isin(names)]
    locality_atlas_pdf(chosen, data.parishes, tmp_path / "atlas.pdf", needs=areas)
    pages = saved[2:]  # after the overview and the deprivation page
    assert len(pages) == len(chosen) == 3
    for fig, area in zip(pages, chosen.to_crs(27700).geometry, strict=True):
        renderer = fig.canvas.get_renderer()
        panel = next(t for t in fig.texts if t.get_text().startswith("Needs (IMD 2019"))
        box = panel.get_window_extent(renderer).padded(4 * fig.dpi / 72)  # its frame's pad
        corners = fig.axes[0].transData.inverted().transform(box.get_points())
        covered = shapely.box(*corners[0], *corners[1])
        assert not covered.intersects(area)
