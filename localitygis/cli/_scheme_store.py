"""The locality scheme a build used, kept in its GeoPackage so maps find it again.

``localitygis build`` stores the scheme (as JSON of the scheme file's shape) in the layer
metadata of the ``localities`` layer, under :data:`SCHEME_KEY`; ``localitygis map`` and
``atlas`` read it back when no ``--scheme`` is given, so a council's tier names,
vocabulary and scheme name reach its maps without naming the scheme file again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyogrio

from localitygis.errors import SchemeError
from localitygis.localities.scheme import Scheme, scheme_from_dict

__all__ = ["SCHEME_KEY", "scheme_metadata", "scheme_to_dict", "stored_scheme"]

#: Layer metadata key holding the scheme.
SCHEME_KEY = "localitygis_scheme"


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    """Return ``scheme`` as a mapping of the scheme file's shape (see ``scheme_from_dict``).

    Examples
    --------
    >>> from localitygis.localities.scheme import demo_scheme
    >>> scheme_from_dict(scheme_to_dict(demo_scheme())) == demo_scheme()
    True
    """
    return {
        "scheme": {"name": scheme.name, "description": scheme.description},
        "tiers": {
            str(n): {"name": t.name, "description": t.description} for n, t in scheme.tiers.items()
        },
        "localities": [
            {"name": loc.name, "tier": loc.tier, "catchments": list(loc.catchments)}
            | ({"centre": loc.centre} if loc.centre else {})
            for loc in scheme.localities
        ],
        "overrides": [
            {"parish": o.parish, "locality": o.locality, "reason": o.reason}
            for o in scheme.overrides
        ],
        "groups": [{"name": g.name, "parishes": list(g.parishes)} for g in scheme.groups],
        "vocabulary": {"categories": dict(scheme.categories), "sectors": dict(scheme.sectors)},
    }


def scheme_metadata(scheme: Scheme) -> dict[str, str]:
    """Return the layer metadata that stores ``scheme``.

    Examples
    --------
    >>> from localitygis.localities.scheme import demo_scheme
    >>> list(scheme_metadata(demo_scheme()))
    ['localitygis_scheme']
    """
    return {SCHEME_KEY: json.dumps(scheme_to_dict(scheme), ensure_ascii=False)}


def stored_scheme(path: Path, layer: str = "localities") -> Scheme | None:
    """Return the scheme stored in a GeoPackage layer's metadata, or None if it has none.

    Raises
    ------
    SchemeError
        If the stored scheme cannot be read (naming the file and what to do).
    """
    if path.suffix.lower() != ".gpkg" or not path.exists():
        return None
    try:
        info = pyogrio.read_info(path, layer=layer)
    except pyogrio.errors.DataLayerError:
        return None
    text = (info.get("layer_metadata") or {}).get(SCHEME_KEY)
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SchemeError(
            f"{path} (layer {layer!r}) stores a scheme that is not valid JSON ({exc}); "
            "rebuild it with localitygis build, or give --scheme."
        ) from exc
    return scheme_from_dict(data, source=f"the scheme stored in {path}")
