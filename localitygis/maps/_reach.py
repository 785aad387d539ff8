"""Web layers of travel-time reach: drive-time areas and nearest-hub-by-time areas.

Both take the frames :func:`localitygis.access.drive_time_areas` and
:func:`localitygis.access.nearest_hub_areas` return (``hub_id``, ``minutes`` or ``nodes``,
``area_km2``; ``population`` when the caller added it) and give escaped GeoJSON for
:class:`localitygis.maps._page._Page`.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from localitygis.maps._format import format_value, record_rows
from localitygis.maps._web import (
    TOLERANCE_M,
    esc,
    feature_collection,
    popup_table,
    require_columns,
    web_polygons,
)

#: Outline and fill of drive-time areas and of nearest-hub areas.
DRIVE_TIME_COLOUR = "#08519c"
NEAREST_HUB_COLOUR = "#54278f"

#: Popup columns, in order, after the hub.
_AREA_FIELDS = ["minutes", "population", "area_km2", "nodes"]
_LABELS: Mapping[str, str] = {"minutes": "Reach by road", "nodes": "Road nodes"}


def _hub_name(record: Mapping[str, object], names: Mapping[str, str]) -> str:
    hub_id = str(record["hub_id"])
    return names.get(hub_id, hub_id)


def drive_time_layer(
    areas: gpd.GeoDataFrame,
    *,
    names: Mapping[str, str] | None = None,
    tolerance: float = TOLERANCE_M,
) -> str:
    """Return each hub's drive-time area as translucent polygons with escaped popups.

    ``names`` maps ``hub_id`` to the hub's name shown in popups (default: the id).
    """
    require_columns(areas, ["hub_id", "minutes"], "the drive-time areas")
    web = web_polygons(areas, what="the drive-time areas", tolerance=tolerance)
    props = []
    for _, row in web.iterrows():
        record = row.to_dict()
        hub = _hub_name(record, names or {})
        minutes = format_value(record["minutes"], "minutes")
        props.append(
            {
                "_s": {
                    "color": DRIVE_TIME_COLOUR,
                    "weight": 1.5,
                    "fillColor": DRIVE_TIME_COLOUR,
                    "fillOpacity": 0.12,
                },
                "_t": f"{esc(hub)}: within {minutes} by road",
                "_p": popup_table(
                    esc(hub),
                    record_rows(record, _AREA_FIELDS, labels=_LABELS),
                    subtitle="Drive-time area",
                ),
                "_a": f"Drive-time area of hub {hub}",
            }
        )
    return feature_collection(web.geometry.values, props)


def nearest_hub_layer(
    areas: gpd.GeoDataFrame,
    *,
    names: Mapping[str, str] | None = None,
    tolerance: float = TOLERANCE_M,
) -> str:
    """Return the nearest-hub-by-time areas as outlined polygons with escaped popups."""
    require_columns(areas, ["hub_id"], "the nearest-hub areas")
    web = web_polygons(areas, what="the nearest-hub areas", tolerance=tolerance)
    props = []
    for _, row in web.iterrows():
        record = row.to_dict()
        hub = _hub_name(record, names or {})
        props.append(
            {
                "_s": {
                    "color": NEAREST_HUB_COLOUR,
                    "weight": 2,
                    "dashArray": "4 3",
                    "fillColor": NEAREST_HUB_COLOUR,
                    "fillOpacity": 0.05,
                },
                "_t": f"Nearest hub by road: {esc(hub)}",
                "_p": popup_table(
                    esc(hub),
                    record_rows(record, _AREA_FIELDS, labels=_LABELS),
                    subtitle="Area nearest to this hub by road",
                ),
                "_a": f"Area nearest to hub {hub} by road",
            }
        )
    return feature_collection(web.geometry.values, props)
