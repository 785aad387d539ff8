"""Maps of localities, parishes, assets and hubs: interactive (folium) and printable (matplotlib).

The interactive maps are self-contained HTML files that work offline; the printable maps are
a county overview PNG and a locality atlas PDF. Both use the same tier colours
(:mod:`localitygis.maps.style`).
"""

from __future__ import annotations

from localitygis.maps.deprivation import DECILE_COLOURS, deprivation_map, deprivation_png
from localitygis.maps.interactive import (
    asset_map,
    choropleth_map,
    county_map,
    locality_map,
    render_html,
    save_map,
)
from localitygis.maps.static import county_overview_png, locality_atlas_pdf
from localitygis.maps.style import TIER_COLOURS, TIER_NAMES, tier_labels

__all__ = [
    "DECILE_COLOURS",
    "TIER_COLOURS",
    "TIER_NAMES",
    "asset_map",
    "choropleth_map",
    "county_map",
    "county_overview_png",
    "deprivation_map",
    "deprivation_png",
    "locality_atlas_pdf",
    "locality_map",
    "render_html",
    "save_map",
    "tier_labels",
]
