"""Figures and labels for popups, legends and tables: one formatter per kind of column.

A column's *kind* says how its values read: ``share`` (a fraction shown as a percentage),
``percent`` (already in per cent), ``count`` (a whole number), ``rank``, ``decile``,
``money`` (£), ``area`` (km²), ``distance`` (m or km), ``minutes`` (travel time),
``density`` (per km²), ``number`` or ``text``. :func:`column_kind` guesses it from the
column name; callers (a deprivation choropleth, needs figures) can say it instead with
``kinds={"imd_decile": "decile"}``.
Every formatter returns HTML-escaped text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from localitygis.maps._web import esc
from localitygis.maps.style import category_label

#: Column name -> kind, for names that say nothing by their ending.
COLUMN_KINDS: Mapping[str, str] = {
    "population": "count",
    "parishes": "count",
    "parish_count": "count",
    "assets": "count",
    "member_count": "count",
    "site_count": "count",
    "partner_count": "count",
    "category_count": "count",
    "covered": "count",
    "share": "share",
    "annual_cost": "money",
    "rank": "rank",
    "decile": "decile",
    "reach_m": "distance",
    "span_m": "distance",
    "distance_m": "distance",
    "minutes": "minutes",
}

#: Name ending -> kind, longest ending first.
SUFFIX_KINDS: tuple[tuple[str, str], ...] = (
    ("_per_km2", "density"),
    ("_per_1000", "number"),
    ("_share", "share"),
    ("_pct", "percent"),
    ("_count", "count"),
    ("_rank", "rank"),
    ("_decile", "decile"),
    ("_gbp", "money"),
    ("_cost", "money"),
    ("_minutes", "minutes"),
    ("_km2", "area"),
    ("_m2", "number"),
    ("_m", "distance"),
)

#: Name ending -> unit shown in the label, longest ending first.
_LABEL_UNITS: tuple[tuple[str, str], ...] = (
    ("_per_km2", " per km²"),
    ("_per_1000", " per 1,000 people"),
    ("_share", " (share)"),
    ("_pct", " (%)"),
    ("_km2", " (km²)"),
    ("_m2", " (m²)"),
    ("_gbp", " (£)"),
    ("_minutes", " (minutes)"),
    ("_m", ""),
)

#: Words written in capitals or otherwise in labels.
_WORDS: Mapping[str, str] = {"id": "ID", "gp": "GP", "nhs": "NHS", "imd": "IMD", "lsoa": "LSOA"}


def column_kind(column: str, kinds: Mapping[str, str] | None = None) -> str:
    """Return the kind of a column: from ``kinds``, its name, or its ending.

    Examples
    --------
    >>> column_kind("population_share"), column_kind("population"), column_kind("imd_decile")
    ('share', 'count', 'decile')
    >>> column_kind("score", {"score": "rank"})
    'rank'
    """
    name = str(column)
    if kinds and name in kinds:
        return kinds[name]
    if name in COLUMN_KINDS:
        return COLUMN_KINDS[name]
    for suffix, kind in SUFFIX_KINDS:
        if name.endswith(suffix):
            return kind
    return "number"


def column_label(column: str, labels: Mapping[str, str] | None = None) -> str:
    """Return the escaped display label of a column: ``area_km2`` -> ``Area (km²)``.

    Examples
    --------
    >>> column_label("area_km2"), column_label("asset_id"), column_label("reach_m")
    ('Area (km²)', 'Asset ID', 'Reach')
    >>> column_label("x", {"x": "<b>Index</b>"})
    '&lt;b&gt;Index&lt;/b&gt;'
    """
    name = str(column)
    if labels and name in labels:
        return esc(labels[name])
    unit = ""
    for suffix, text in _LABEL_UNITS:
        if name.endswith(suffix):
            name, unit = name[: -len(suffix)], text
            break
    words = [_WORDS.get(w.lower(), w) for w in name.replace("_", " ").split()]
    text = " ".join(words)
    return esc(text[:1].upper() + text[1:] + unit)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool | str):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _plain(x: float) -> str:
    """Format a figure with sensible decimals and no ``.0`` on whole numbers."""
    if x.is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.1f}"
    return f"{x:.2g}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _distance(x: float) -> str:
    return f"{x / 1000:,.1f} km" if abs(x) >= 1000 else f"{x:,.0f} m"


#: Kind -> formatter of a finite number.
FORMATTERS: Mapping[str, Callable[[float], str]] = {
    "share": lambda x: f"{x:.1%}",
    "percent": lambda x: f"{x:.1f}%",
    "count": lambda x: f"{round(x):,}",
    "rank": lambda x: _ordinal(round(x)),
    "decile": lambda x: f"{round(x)} of 10",
    "money": lambda x: f"£{x:,.0f}",
    "area": lambda x: f"{_plain(x)} km²",
    "distance": _distance,
    "minutes": lambda x: f"{_plain(x)} min",
    "density": lambda x: f"{_plain(x)} per km²",
    "number": _plain,
}


def format_value(value: Any, kind: str = "number") -> str:
    """Return ``value`` formatted for its kind as escaped HTML; missing values are ``–``.

    Examples
    --------
    >>> format_value(0.1921, "share"), format_value(9836.0, "count"), format_value(5.0)
    ('19.2%', '9,836', '5')
    >>> format_value(12000, "distance"), format_value(3, "decile"), format_value(None)
    ('12.0 km', '3 of 10', '–')
    >>> format_value("<b>")
    '&lt;b&gt;'
    """
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    number = _number(value)
    if number is not None:
        return FORMATTERS.get(kind, _plain)(number)
    try:
        if value is None or pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    if isinstance(value, float | np.floating):
        return "–"
    return esc(value)


def record_rows(
    record: Mapping[str, Any],
    columns: list[str],
    *,
    kinds: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[str, str]]:
    """Return (label, value) popup rows for the present, non-missing ``columns`` of a record.

    ``values`` maps a column to a key -> label vocabulary (e.g. ``category`` keys to
    "Community hospital"), so no raw key reaches the reader; keys it lacks are made
    readable (see :func:`localitygis.maps.style.category_label`), and "; "-joined keys are
    labelled one by one.

    Examples
    --------
    >>> record_rows({"population": 9836.0, "category": "library", "x": None},
    ...             ["population", "category", "x"], values={"category": {"library": "Library"}})
    [('Population', '9,836'), ('Category', 'Library')]
    """
    out = []
    for column in columns:
        value = record.get(column)
        if column not in record or format_value(value) == "–":
            continue
        vocabulary = (values or {}).get(column)
        if vocabulary is not None and isinstance(value, str):
            parts = value.split("; ")  # joined keys, as in co-location clusters
            shown = esc("; ".join(category_label(p, vocabulary) for p in parts))
        else:
            shown = format_value(value, column_kind(column, kinds))
        out.append((column_label(column, labels), shown))
    return out
