"""Hub reach by tier (private; see :mod:`localitygis.hubs`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal, TypedDict, Unpack

from localitygis._validate import require_distance
from localitygis.errors import DataError
from localitygis.localities.scheme import Scheme

log = logging.getLogger(__name__)


Scope = Literal["locality", "locality+rural", "county"]
_SCOPES = ("locality", "locality+rural", "county")


@dataclass(frozen=True)
class TierReach:
    """How far a hub of one tier reaches.

    Parameters
    ----------
    distance : float
        Population reach in metres (straight line).
    scope : {"locality", "locality+rural", "county"}
        Whose population counts: the hub's own locality only; its own locality plus tier-1
        (rural) parishes of any locality within ``distance``; or the whole county
        (``distance`` is then ignored for ranking).
    gather : float
        Assets within this many metres of a hub are candidates to move into it
        (:func:`rationalisation_scenario`).
    minutes : float, optional
        Population reach in minutes by road, used when a road network is the cost
        (``cost=`` in the hubs functions).

    Examples
    --------
    >>> TierReach(5_000, "locality", 1_000).scope
    'locality'
    """

    distance: float
    scope: Scope
    gather: float
    minutes: float | None = None

    def __post_init__(self) -> None:
        require_distance(self.distance, "TierReach distance")
        require_distance(self.gather, "TierReach gather")
        if self.minutes is not None:
            require_distance(self.minutes, "TierReach minutes")
        if self.scope not in _SCOPES:
            raise DataError(f"unknown reach scope {self.scope!r}; use one of {', '.join(_SCOPES)}.")


class _TierChanges(TypedDict, total=False):
    """What :meth:`HubReach.with_tier` may change in a tier's reach."""

    distance: float
    scope: Scope
    gather: float
    minutes: float | None


def _default_tiers() -> Mapping[int, TierReach]:
    return MappingProxyType(
        {
            1: TierReach(5_000.0, "locality", 1_000.0, minutes=15.0),
            2: TierReach(12_000.0, "locality+rural", 2_000.0, minutes=20.0),
            3: TierReach(3_000.0, "locality", 2_000.0, minutes=10.0),
        }
    )


@dataclass(frozen=True)
class HubReach:
    """Reach of hubs by tier, and the walking distance that makes services "together".

    The defaults follow the locality tiers:

    * tier 1, rural (Weobley, Golden Valley, Mortimer): a rural hub serves its immediate
      area — 5 km, about a 10-minute drive or a short bus hop, within its own locality
      (15 minutes by road); assets within 1 km (the same village) could move in.
    * tier 2, market town (Bromyard, Kington, Ledbury, Leominster, Ross-on-Wye): the town
      hub serves the town and the surrounding rural parishes — 12 km (the middle of the
      10–15 km market-town hinterland), its own locality plus tier-1 parishes of
      neighbouring localities in that distance (20 minutes by road); assets within 2 km (the
      town) could move in.
    * tier 3, city (Hereford): the city hub serves its own locality at short distance —
      3 km, walking or a short bus ride (10 minutes by road); assets within 2 km could move
      in. For specialist
      services it serves the whole county: use :meth:`specialist`.

    Parameters
    ----------
    walking : float, default 400.0
        Services within this many metres of a site count as "at" the site (400 m is about
        five minutes' walk, the co-location distance).
    tiers : mapping of int to TierReach
        Reach per tier number.

    Examples
    --------
    >>> reach = HubReach()
    >>> reach.for_tier(2).distance
    12000.0
    >>> HubReach.specialist().for_tier(3).scope
    'county'
    >>> reach.with_tier(1, distance=8_000).for_tier(1).distance
    8000
    """

    walking: float = 400.0
    tiers: Mapping[int, TierReach] = field(default_factory=_default_tiers)

    def __post_init__(self) -> None:
        require_distance(self.walking, "walking distance")
        bad = [k for k, v in self.tiers.items() if not isinstance(v, TierReach)]
        if bad:
            raise DataError(f"HubReach tiers {bad} must be TierReach(distance, scope, gather).")
        object.__setattr__(self, "tiers", MappingProxyType(dict(self.tiers)))

    def for_tier(self, tier: int) -> TierReach:
        """Return the reach of a tier.

        Raises
        ------
        DataError
            The tier has no reach defined.
        """
        try:
            return self.tiers[int(tier)]
        except (KeyError, TypeError, ValueError):
            raise DataError(
                f"no hub reach defined for tier {tier!r}; tiers with a reach: "
                f"{', '.join(map(str, sorted(self.tiers)))}. Add it: "
                "HubReach(tiers={..., tier: TierReach(distance, scope, gather)})."
            ) from None

    def with_tier(self, tier: int, **changes: Unpack[_TierChanges]) -> HubReach:
        """Return a copy with one tier's reach changed (``distance``, ``scope``, ``gather``)."""
        tiers = dict(self.tiers)
        tiers[int(tier)] = replace(self.for_tier(tier), **changes)
        return HubReach(walking=self.walking, tiers=tiers)

    @classmethod
    def from_scheme(cls, scheme: Scheme, *, walking: float | None = None) -> HubReach:
        """Return the default reach with each tier's minutes by road taken from the scheme.

        A tier whose ``[tiers.N]`` table has ``reach_minutes`` reaches that far by road;
        ``walking`` replaces the default walking distance (metres).

        Examples
        --------
        >>> from localitygis.localities.scheme import herefordshire_scheme
        >>> HubReach.from_scheme(herefordshire_scheme()).for_tier(2).minutes
        20.0
        """
        reach = cls() if walking is None else cls(walking=walking)
        for number, tier in scheme.tiers.items():
            if tier.reach_minutes is not None and number in reach.tiers:
                reach = reach.with_tier(number, minutes=tier.reach_minutes)
        return reach

    @classmethod
    def specialist(cls) -> HubReach:
        """Reach for specialist services: the city (tier 3) hub serves the whole county."""
        return cls().with_tier(3, scope="county")
