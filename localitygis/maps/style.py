"""Map styling shared by web and print maps: tier colours and names, asset colours, attribution.

Tier colours (teal, orange, wine from the Paul Tol and Okabe–Ito palettes) were chosen to
stay distinct under simulated protanopia, deuteranopia and tritanopia (a test checks this),
and are the same in the interactive (folium) maps and the
printed (matplotlib) atlas. Tier names follow the Locality Strategy wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from localitygis.assets.vocabulary import DEFAULT_CATEGORIES, DEFAULT_SECTORS
from localitygis.provenance import DEMO, ONS_OS, Provenance, provenance_of

if TYPE_CHECKING:
    from localitygis.localities.scheme import Scheme

__all__ = [
    "CATEGORY_COLOURS",
    "HUB_COLOUR",
    "MISSING_COLOUR",
    "TIER_COLOURS",
    "TIER_NAMES",
    "UNSERVED_COLOUR",
    "attribution_text",
    "category_colours",
    "category_label",
    "map_provenance",
    "partner_colours",
    "resolve_provenance",
    "tier_colour",
    "tier_labels",
    "vocabulary",
]

#: Tier number -> colour: teal (rural), orange (market towns), wine (city).
TIER_COLOURS: Mapping[int, str] = {1: "#44AA99", 2: "#E69F00", 3: "#882255"}

#: Tier number -> name, in the Locality Strategy's wording.
TIER_NAMES: Mapping[int, str] = {
    1: "Tier one – Rural areas",
    2: "Tier two – Market towns",
    3: "Tier three – Hereford City",
}

#: Colour for features with no value or an unknown tier.
MISSING_COLOUR = "#BDBDBD"
#: Colour of hub markers (reach rings take the hub's tier colour).
HUB_COLOUR = "#222222"
#: Colour of parishes no hub reaches: a deep violet that stays distinct over every tier
#: colour, also under simulated colour blindness (a test checks this).
UNSERVED_COLOUR = "#4B0092"

#: Asset category -> colour, for the categories of the demo register and common ones.
CATEGORY_COLOURS: Mapping[str, str] = {
    "library": "#0072B2",
    "gp_surgery": "#D55E00",
    "hospital": "#CC3311",
    "fire_station": "#B2182B",
    "police_station": "#332288",
    "customer_service_centre": "#009E73",
    "childrens_centre": "#E69F00",
    "leisure_centre": "#56B4E9",
    "school": "#882255",
    "primary_school": "#6699CC",
    "secondary_school": "#882255",
    "community_centre": "#117733",
    "village_hall": "#999933",
}

# Further colours, assigned in sorted order to categories or partners not listed above.
_PALETTE = (
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#BBBBBB",
    "#EE7733",
    "#0077BB",
    "#33BBEE",
    "#EE3377",
    "#009988",
)


def tier_labels(
    scheme: Scheme | None = None, localities: pd.DataFrame | None = None
) -> dict[int, str]:
    """Return tier number -> display name.

    From ``scheme`` when given; else from the ``tier_name`` column of ``localities`` (a build
    records its scheme's tier names there); else the Locality Strategy wording. Tiers the
    source lacks keep the defaults.

    Parameters
    ----------
    scheme : localitygis.localities.scheme.Scheme, optional
        A locality scheme whose tiers name themselves.
    localities : pandas.DataFrame, optional
        Localities with ``tier`` and ``tier_name``.

    Returns
    -------
    dict of int to str

    Examples
    --------
    >>> tier_labels()[1]
    'Tier one – Rural areas'
    >>> tier_labels(localities=pd.DataFrame({"tier": [1], "tier_name": ["Countryside"]}))[1]
    'Countryside'
    """
    labels = dict(TIER_NAMES)
    if scheme is not None:
        for number, tier in scheme.tiers.items():
            labels[int(number)] = str(tier.name)
    elif localities is not None and {"tier", "tier_name"} <= set(localities.columns):
        named = localities[["tier", "tier_name"]].dropna().drop_duplicates("tier")
        labels.update(
            {int(t): str(n) for t, n in zip(named["tier"], named["tier_name"], strict=True)}
        )
    return labels


def vocabulary(
    scheme: Scheme | None = None, category_labels: Mapping[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """Return column -> (key -> label) for asset categories and sectors.

    The defaults, then the scheme's extra vocabulary, then ``category_labels``; keyed by the
    columns that hold such keys (``category``/``categories``, ``sector``/``sectors``).

    Examples
    --------
    >>> vocabulary(category_labels={"xss_cat": "Youth club"})["category"]["xss_cat"]
    'Youth club'
    >>> vocabulary()["sectors"]["nhs"]
    'NHS'
    """
    categories = dict(DEFAULT_CATEGORIES)
    sectors = dict(DEFAULT_SECTORS)
    if scheme is not None:
        categories.update(scheme.categories)
        sectors.update(scheme.sectors)
    categories.update(category_labels or {})
    return {
        "category": categories,
        "categories": categories,
        "sector": sectors,
        "sectors": sectors,
    }


def tier_colour(tier: Any) -> str:
    """Return the colour of a tier number; grey for a missing or unknown tier.

    Examples
    --------
    >>> tier_colour(3), tier_colour(None)
    ('#882255', '#BDBDBD')
    """
    try:
        if tier is None or pd.isna(tier):
            return MISSING_COLOUR
        return TIER_COLOURS.get(int(tier), MISSING_COLOUR)
    except (TypeError, ValueError):
        return MISSING_COLOUR


def category_label(category: str, labels: Mapping[str, str] | None = None) -> str:
    """Return a readable label for an asset category key.

    Parameters
    ----------
    category : str
        The key, e.g. ``"gp_surgery"``.
    labels : mapping, optional
        Key -> label (a scheme's ``categories``); used first, then the default
        vocabulary's labels, then the key made readable.

    Examples
    --------
    >>> category_label("gp_surgery")
    'GP surgery'
    >>> category_label("gp_surgery", {"gp_surgery": "Doctors"})
    'Doctors'
    >>> category_label("mobile_library_stop")
    'Mobile library stop'
    """
    if labels and category in labels:
        return str(labels[category])
    if category in DEFAULT_CATEGORIES:
        return str(DEFAULT_CATEGORIES[category])
    text = str(category).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _assign(values: Iterable[Any], fixed: Mapping[str, str]) -> dict[str, str]:
    keys = sorted({str(v) for v in values if v is not None and not pd.isna(v)})
    out: dict[str, str] = {}
    spare = iter(c for c in _PALETTE)
    extra = 0
    for key in keys:
        if key in fixed:
            out[key] = fixed[key]
            continue
        colour = next(spare, None)
        if colour is None:  # more keys than colours: cycle, deterministically
            colour = _PALETTE[extra % len(_PALETTE)]
            extra += 1
        out[key] = colour
    return out


def category_colours(categories: Iterable[Any]) -> dict[str, str]:
    """Return category -> colour for every distinct category, deterministically.

    Known categories keep their :data:`CATEGORY_COLOURS`; others take palette colours in
    sorted order, so the same register always gets the same colours.

    Examples
    --------
    >>> category_colours(["library", "bus_shelter", "library"])
    {'bus_shelter': '#4477AA', 'library': '#0072B2'}
    """
    return _assign(categories, CATEGORY_COLOURS)


def partner_colours(partners: Iterable[Any]) -> dict[str, str]:
    """Return partner -> colour for every distinct partner, in sorted order.

    Examples
    --------
    >>> partner_colours(["NHS", "Council"])
    {'Council': '#4477AA', 'NHS': '#EE6677'}
    """
    return _assign(partners, {})


def resolve_provenance(
    *frames: pd.DataFrame | None, provenance: Provenance | None = None
) -> Provenance:
    """Return ``provenance`` if given, else the combined provenance of ``frames``.

    Frames with no recorded provenance count as real ONS/OS data; any demo frame makes the
    result demo.

    Examples
    --------
    >>> import pandas as pd
    >>> from localitygis.provenance import with_provenance
    >>> resolve_provenance(with_provenance(pd.DataFrame(), DEMO), pd.DataFrame()).is_demo
    True
    """
    if provenance is not None:
        return provenance
    result: Provenance | None = None
    for frame in frames:
        if frame is None:
            continue
        found = provenance_of(frame)
        result = found if result is None else result.combined(found)
    return result if result is not None else ONS_OS


def map_provenance(
    localities: pd.DataFrame, *others: pd.DataFrame | None, provenance: Provenance | None
) -> Provenance:
    """Return a map's provenance: the localities', joined with the others that record one.

    Derived frames such as hubs or clusters record none and add nothing (unlike in
    :func:`resolve_provenance`, where a frame without a record counts as ONS/OS data).

    Examples
    --------
    >>> import pandas as pd
    >>> from localitygis.provenance import with_provenance
    >>> demo = with_provenance(pd.DataFrame(), DEMO)
    >>> map_provenance(demo, pd.DataFrame(), provenance=None) == DEMO
    True
    """
    recorded = [
        f
        for f in others
        if f is not None and ("provenance" in f.attrs or "data_source" in f.columns)
    ]
    return resolve_provenance(localities, *recorded, provenance=provenance)


def attribution_text(provenance: Provenance) -> str:
    """Return the attribution line a map must show for ``provenance``.

    Examples
    --------
    >>> text = attribution_text(DEMO)
    >>> text.startswith("Generated demo data (localitygis.demo)"), "UK-GeoJSON" in text
    (True, True)
    >>> attribution_text(ONS_OS).startswith("Contains OS data © Crown copyright")
    True
    """
    text = provenance.attribution
    if provenance.is_demo and "demo" not in text.lower():
        text = f"{DEMO.attribution}; {text}"
    return text
