"""Speeds by road class, and the walking speed of the off-road legs.

The default table is an assumption, stated here so it can be argued with and overridden:
typical average car speeds (km/h) on rural English roads outside the peaks, by the classes
of OS Open Roads (``road_function`` and ``road_classification``) and of OpenStreetMap
(``highway``), all in one table keyed by the lower-cased class name. The walking speed,
4.8 km/h, is the one the Department for Transport's Journey Time Statistics used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import SupportsFloat, SupportsIndex

import numpy as np
import pandas as pd

from localitygis.errors import DataError

__all__ = ["DEFAULT_SPEEDS_KMH", "WALKING_KMH", "RoadSpeeds"]

#: Walking speed of the legs between a point and its road (DfT Journey Time Statistics).
WALKING_KMH = 4.8

#: Average car speed (km/h) by road class: OS Open Roads ``road_function`` and
#: ``road_classification`` values, and OpenStreetMap ``highway`` values.
DEFAULT_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {
        # OS Open Roads: road_function
        "motorway": 100.0,
        "a road": 65.0,
        "b road": 50.0,
        "minor road": 40.0,
        "local road": 30.0,
        "local access road": 20.0,
        "restricted local access road": 15.0,
        "secondary access road": 15.0,
        # OS Open Roads: road_classification
        "classified unnumbered": 40.0,
        "unclassified": 30.0,
        "not classified": 25.0,
        "unknown": 25.0,
        # OpenStreetMap: highway
        "motorway_link": 60.0,
        "trunk": 70.0,
        "trunk_link": 50.0,
        "primary": 65.0,
        "primary_link": 45.0,
        "secondary": 50.0,
        "secondary_link": 40.0,
        "tertiary": 40.0,
        "tertiary_link": 35.0,
        "residential": 25.0,
        "living_street": 10.0,
        "service": 15.0,
        "road": 25.0,
    }
)


def _default_table() -> Mapping[str, float]:
    return DEFAULT_SPEEDS_KMH


@dataclass(frozen=True)
class RoadSpeeds:
    """Car speeds by road class and the walking speed, in km/h.

    Parameters
    ----------
    by_class : mapping of str to float
        Speed of each road class; keys are matched without regard to case or surrounding
        spaces. Defaults to :data:`DEFAULT_SPEEDS_KMH`.
    walking : float, default 4.8
        Speed of the off-road legs between a point and the road it snaps to.
    otherwise : float, optional
        Speed of a class the table lacks. By default such links are rejected (listed
        with the reason), never routed at a guessed speed.

    Examples
    --------
    >>> speeds = RoadSpeeds()
    >>> speeds.for_classes(["A Road", "Minor Road"]).tolist()
    [65.0, 40.0]
    >>> RoadSpeeds.with_overrides({"A Road": 55}).for_classes(["a road"]).tolist()
    [55.0]
    """

    by_class: Mapping[str, float] = field(default_factory=_default_table)
    walking: float = WALKING_KMH
    otherwise: float | None = None

    def __post_init__(self) -> None:
        table = {_key(k): _positive(v, f"speed of {k!r}") for k, v in self.by_class.items()}
        object.__setattr__(self, "by_class", MappingProxyType(table))
        _positive(self.walking, "walking speed")
        if self.otherwise is not None:
            _positive(self.otherwise, "speed of other classes")

    @classmethod
    def with_overrides(
        cls,
        changes: Mapping[str, float],
        *,
        walking: float = WALKING_KMH,
        otherwise: float | None = None,
    ) -> RoadSpeeds:
        """Return the default table with some classes changed or added."""
        table = {**DEFAULT_SPEEDS_KMH, **{_key(k): v for k, v in changes.items()}}
        return cls(by_class=table, walking=walking, otherwise=otherwise)

    def for_classes(self, classes: pd.Series | list) -> np.ndarray:
        """Speed (km/h) of each class; NaN for a class the table lacks (and no ``otherwise``)."""
        keys = pd.Series(classes, dtype=object).map(lambda c: _key(c) if pd.notna(c) else None)
        missing = np.nan if self.otherwise is None else float(self.otherwise)
        return keys.map(self.by_class).astype(float).fillna(missing).to_numpy()


def _key(value: object) -> str:
    return str(value).strip().lower()


def _positive(value: object, what: str) -> float:
    try:
        if not isinstance(value, SupportsFloat | SupportsIndex | str | bytes):
            raise TypeError(value)
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number of km/h, not {value!r}.") from None
    if not np.isfinite(number) or number <= 0:
        raise DataError(f"{what} must be a positive number of km/h, not {value!r}.")
    return number
