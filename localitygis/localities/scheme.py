"""Locality schemes: which catchments make each locality, its tier, and manual adjustments.

A scheme is written in TOML so that a council can keep its own next to its data::

    [scheme]
    name = "Herefordshire locality working"
    description = "Nine localities built from secondary school catchments"

    [tiers.1]
    name = "Tier one – Rural areas"
    description = "serving the needs of their immediate customers"

    [[localities]]
    name = "Weobley"
    tier = 1
    centre = "Weobley"
    catchments = ["Weobley"]

    [[overrides]]            # optional: parish (code or name) -> locality, with the evidence
    parish = "Dilwyn"
    locality = "Leominster"
    reason = "GP registrations mostly at Leominster"

    [[groups]]               # optional: parishes that must stay in one locality
    name = "Dilwyn and Stretford Group Parish Council"
    parishes = ["Dilwyn", "Stretford"]

    [vocabulary.categories]  # optional: extra asset categories, key = label
    village_hall = "Village hall"

Every problem in a scheme is collected and reported in one :class:`SchemeError`. Overrides
and groups name parishes, which are only known when the scheme meets the parish layer:
:meth:`Scheme.resolve_parishes` checks them then.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from localitygis.errors import InputFileError, SchemeError

__all__ = [
    "LocalityDef",
    "Override",
    "ParishGroup",
    "Scheme",
    "Tier",
    "demo_scheme",
    "herefordshire_scheme",
    "load_scheme",
    "normalise_name",
    "scheme_from_dict",
]


def normalise_name(name: str) -> str:
    """Return the matching key of a catchment, locality or parish name.

    Case, surrounding and repeated spaces, curly apostrophes and dashes do not matter when
    names from different files are matched.

    Examples
    --------
    >>> normalise_name("  Lady  Hawkins’ ") == normalise_name("lady hawkins'")
    True
    >>> normalise_name("Ross–on–Wye")
    'ross-on-wye'
    """
    return _normalised_text(str(name))


@functools.lru_cache(maxsize=1 << 16)
def _normalised_text(text: str) -> str:
    """Return :func:`normalise_name` of a string (cached: a build asks for each name often)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = _DASHES.sub("-", text)
    return _SPACES.sub(" ", text).strip().casefold()


_DASHES = re.compile("[\u2010-\u2015]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Tier:
    """A tier of locality (1 rural, 2 market town, 3 city in Herefordshire).

    ``reach_minutes`` (``reach_minutes = 15`` under ``[tiers.1]`` in the TOML) is how far a
    hub of this tier reaches by road; ``HubReach.from_scheme`` uses it.

    Examples
    --------
    >>> Tier(1, "Tier one – Rural areas", "serving the needs of their immediate customers").name
    'Tier one – Rural areas'
    """

    number: int
    name: str
    description: str = ""
    reach_minutes: float | None = None


@dataclass(frozen=True)
class LocalityDef:
    """One locality of a scheme: its name, tier, the catchments it is made of, its centre.

    Examples
    --------
    >>> LocalityDef("Kington", 2, ("Lady Hawkins'",), "Kington").catchments
    ("Lady Hawkins'",)
    """

    name: str
    tier: int
    catchments: tuple[str, ...]
    centre: str | None = None


@dataclass(frozen=True)
class Override:
    """A manual adjustment: a parish (code or name) placed in a locality, with the reason.

    Examples
    --------
    >>> Override("Dilwyn", "Leominster", "GP registrations").locality
    'Leominster'
    """

    parish: str
    locality: str
    reason: str


@dataclass(frozen=True)
class ParishGroup:
    """Parishes (codes or names) that must end up in the same locality.

    Examples
    --------
    >>> ParishGroup("Dilwyn group", ("Dilwyn", "Stretford")).parishes
    ('Dilwyn', 'Stretford')
    """

    name: str
    parishes: tuple[str, ...]


def _frozen_map(mapping: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, eq=False)
class Scheme:
    """A locality scheme: tiers, localities (from catchments), overrides, groups, vocabulary.

    Constructing a scheme validates it; every problem is collected and reported in one
    :class:`~localitygis.errors.SchemeError`.

    Parameters
    ----------
    name : str
        The scheme's name.
    tiers : mapping of int to Tier
        Tier number → :class:`Tier`.
    localities : tuple of LocalityDef
        In the order outputs should list them.
    overrides : tuple of Override, optional
        Manual parish → locality adjustments.
    groups : tuple of ParishGroup, optional
        Parishes that must stay in one locality.
    categories, sectors : mapping of str to str, optional
        Extra asset vocabulary (key → label).
    description : str, optional
        What the scheme is and where it comes from.

    Raises
    ------
    SchemeError
        Unknown tiers, duplicate locality names, a catchment in two localities, an override
        naming an unknown locality, empty groups…

    Examples
    --------
    >>> scheme = Scheme(
    ...     name="Two towns",
    ...     tiers={1: Tier(1, "Rural"), 2: Tier(2, "Town")},
    ...     localities=(LocalityDef("North", 2, ("A", "B")), LocalityDef("South", 1, ("C",))),
    ... )
    >>> scheme.locality_of_catchment("b"), scheme.tier_of("South")
    ('North', 1)
    >>> Scheme(name="Bad", tiers={1: Tier(1, "Rural")},
    ...        localities=(LocalityDef("X", 4, ("A",)), LocalityDef("Y", 1, ("A",))))
    Traceback (most recent call last):
    ...
    localitygis.errors.SchemeError: scheme 'Bad' is invalid: ...
    """

    name: str
    tiers: Mapping[int, Tier]
    localities: tuple[LocalityDef, ...]
    overrides: tuple[Override, ...] = ()
    groups: tuple[ParishGroup, ...] = ()
    categories: Mapping[str, str] = field(default_factory=dict)
    sectors: Mapping[str, str] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "tiers", _frozen_map(self.tiers))
        set_(self, "localities", tuple(self.localities))
        set_(self, "overrides", tuple(self.overrides))
        set_(self, "groups", tuple(self.groups))
        set_(self, "categories", _frozen_map(self.categories))
        set_(self, "sectors", _frozen_map(self.sectors))
        problems = _validate(self)
        if problems:
            raise SchemeError(_problem_message(f"scheme {self.name!r}", problems))
        catchment_map = {
            normalise_name(c): loc.name for loc in self.localities for c in loc.catchments
        }
        set_(self, "_catchment_map", MappingProxyType(catchment_map))
        set_(
            self,
            "_by_name",
            MappingProxyType({normalise_name(loc.name): loc for loc in self.localities}),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scheme):
            return NotImplemented
        return (
            self.name == other.name
            and dict(self.tiers) == dict(other.tiers)
            and self.localities == other.localities
            and self.overrides == other.overrides
            and self.groups == other.groups
            and dict(self.categories) == dict(other.categories)
            and dict(self.sectors) == dict(other.sectors)
            and self.description == other.description
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Scheme(name={self.name!r}, localities={len(self.localities)}, "
            f"catchments={len(self.catchments)}, overrides={len(self.overrides)}, "
            f"groups={len(self.groups)})"
        )

    # ---------------------------------------------------------------- lookups
    @property
    def locality_names(self) -> tuple[str, ...]:
        """Locality names in scheme order.

        Examples
        --------
        >>> herefordshire_scheme().locality_names[:2]
        ('Hereford City', 'Bromyard')
        """
        return tuple(loc.name for loc in self.localities)

    @property
    def catchments(self) -> tuple[str, ...]:
        """Every catchment named by the scheme, in scheme order.

        Examples
        --------
        >>> len(herefordshire_scheme().catchments)
        14
        """
        return tuple(c for loc in self.localities for c in loc.catchments)

    def locality(self, name: str) -> LocalityDef:
        """Return the definition of locality ``name`` (matched loosely, see :func:`normalise_name`).

        Raises
        ------
        SchemeError
            When the scheme has no such locality.

        Examples
        --------
        >>> herefordshire_scheme().locality("ross-on-wye").centre
        'Ross-on-Wye'
        """
        found = self._by_name.get(normalise_name(name))  # type: ignore[attr-defined]
        if found is None:
            raise SchemeError(
                f"scheme {self.name!r} has no locality {name!r}; its localities are "
                f"{', '.join(self.locality_names)}."
            )
        return found

    def locality_of_catchment(self, name: str) -> str:
        """Return the locality a catchment belongs to.

        Raises
        ------
        SchemeError
            When no locality of the scheme lists the catchment.

        Examples
        --------
        >>> herefordshire_scheme().locality_of_catchment("Lady Hawkins'")
        'Kington'
        """
        found = self._catchment_map.get(normalise_name(name))  # type: ignore[attr-defined]
        if found is None:
            raise SchemeError(
                f"catchment {name!r} is not part of any locality in scheme {self.name!r}; "
                f"its catchments are {', '.join(self.catchments)}."
            )
        return found

    def tier_of(self, locality: str) -> int:
        """Return the tier number of a locality.

        Examples
        --------
        >>> herefordshire_scheme().tier_of("Hereford City")
        3
        """
        return self.locality(locality).tier

    def tier_name_of(self, locality: str) -> str:
        """Return the tier name of a locality.

        Examples
        --------
        >>> herefordshire_scheme().tier_name_of("Mortimer")
        'Tier one – Rural areas'
        """
        return self.tiers[self.tier_of(locality)].name

    def catchment_table(self) -> pd.DataFrame:
        """One row per catchment: ``catchment``, ``locality``, ``tier``, ``tier_name``.

        Examples
        --------
        >>> herefordshire_scheme().catchment_table().iloc[0].to_dict()
        {'catchment': 'Aylestone', 'locality': 'Hereford City', 'tier': 3,
         'tier_name': 'Tier three – Hereford City'}
        """
        rows = [
            {
                "catchment": c,
                "locality": loc.name,
                "tier": loc.tier,
                "tier_name": self.tiers[loc.tier].name,
            }
            for loc in self.localities
            for c in loc.catchments
        ]
        return pd.DataFrame(rows, columns=["catchment", "locality", "tier", "tier_name"])

    # ---------------------------------------------------------------- parishes
    def resolve_parishes(
        self, codes: Sequence[str], names: Sequence[str] | None = None
    ) -> ResolvedScheme:
        """Resolve the parish references of overrides and groups to parish codes.

        A reference matches a parish code exactly, or else a parish name (loosely). Unknown
        names, and names shared by several parishes, are collected and raised together.

        Parameters
        ----------
        codes : sequence of str
            The parish codes of the layer.
        names : sequence of str, optional
            Their names, aligned with ``codes``.

        Returns
        -------
        ResolvedScheme
            ``overrides`` as (code, locality, reason) and ``groups`` as (name, codes).

        Raises
        ------
        SchemeError
            Listing every unknown or ambiguous parish reference.

        Examples
        --------
        >>> s = Scheme(name="S", tiers={1: Tier(1, "Rural")},
        ...            localities=(LocalityDef("A", 1, ("a",)),),
        ...            overrides=(Override("Eye", "A", "transport"),))
        >>> s.resolve_parishes(["E1", "E2"], ["Eye", "Bee"]).overrides
        (('E1', 'A', 'transport'),)
        >>> s.resolve_parishes(["E2"], ["Bee"])
        Traceback (most recent call last):
        ...
        localitygis.errors.SchemeError: scheme 'S' names parishes that are not in the parish
        layer: override 1 'Eye'...
        """
        code_list = [str(c) for c in codes]
        code_set = set(code_list)
        by_name: dict[str, list[str]] = {}
        if names is not None:
            for code, name in zip(code_list, names, strict=True):
                if name is not None and not (isinstance(name, float) and name != name):
                    by_name.setdefault(normalise_name(name), []).append(code)
        unknown: list[str] = []
        ambiguous: list[str] = []

        def resolve(ref: str, where: str) -> str | None:
            if ref in code_set:
                return ref
            matches = by_name.get(normalise_name(ref), [])
            if len(matches) == 1:
                return matches[0]
            if matches:
                ambiguous.append(f"{where} {ref!r} (codes {', '.join(sorted(matches))})")
            else:
                unknown.append(f"{where} {ref!r}")
            return None

        overrides = []
        for i, o in enumerate(self.overrides, start=1):
            resolved = resolve(o.parish, f"override {i}")
            if resolved is not None:
                overrides.append((resolved, self.locality(o.locality).name, o.reason))
        groups = []
        for g in self.groups:
            members = [resolve(p, f"group {g.name!r} member") for p in g.parishes]
            groups.append((g.name, tuple(m for m in members if m is not None)))
        problems = []
        if unknown:
            problems.append(
                "names parishes that are not in the parish layer: " + ", ".join(unknown)
            )
        if ambiguous:
            problems.append(
                "names parishes ambiguously (several parishes have the name; use the code): "
                + ", ".join(ambiguous)
            )
        if problems:
            raise SchemeError(
                f"scheme {self.name!r} "
                + "; ".join(problems)
                + ". Check the spelling against the parish layer, or name parishes by code."
            )
        return ResolvedScheme(tuple(overrides), tuple(groups))


@dataclass(frozen=True)
class ResolvedScheme:
    """Overrides and groups of a scheme with parish references resolved to codes.

    Examples
    --------
    >>> ResolvedScheme((("E1", "A", "why"),), ()).overrides[0][0]
    'E1'
    """

    overrides: tuple[tuple[str, str, str], ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]


def _problem_message(what: str, problems: Sequence[str]) -> str:
    listing = "; ".join(f"({i}) {p}" for i, p in enumerate(problems, start=1))
    return f"{what} is invalid: {listing}. Fix the scheme file and try again."


def _validate(scheme: Scheme) -> list[str]:
    """Return every problem of a scheme (tiers, localities, overrides, groups, vocabularies)."""
    problems: list[str] = []
    _validate_tiers(scheme, problems)
    localities = _validate_localities(scheme, problems)
    _validate_overrides(scheme, localities, problems)
    _validate_groups(scheme, problems)
    _validate_vocabularies(scheme, problems)
    return problems


def _validate_tiers(scheme: Scheme, problems: list[str]) -> None:
    """Check the scheme's name, and each tier's number and name."""
    if not str(scheme.name).strip():
        problems.append("the scheme has no name")
    for key, tier in scheme.tiers.items():
        if not isinstance(tier, Tier):
            problems.append(f"tier {key!r} is not a Tier")
        elif tier.number != key:
            problems.append(f"tier {key!r} says it is number {tier.number}")
        elif not str(tier.name).strip():
            problems.append(f"tier {key} has no name")


def _validate_localities(scheme: Scheme, problems: list[str]) -> dict[str, str]:
    """Check each locality; return the localities by normalised name."""
    if not scheme.localities:
        problems.append("it defines no localities")
    seen_names: dict[str, str] = {}
    seen_catchments: dict[str, str] = {}
    for i, loc in enumerate(scheme.localities, start=1):
        if not str(loc.name).strip():
            problems.append(f"locality {i} has no name")
            continue
        key = normalise_name(loc.name)
        if key in seen_names:
            problems.append(f"locality {loc.name!r} is defined twice")
        seen_names[key] = loc.name
        _validate_locality(scheme, i, loc, seen_catchments, problems)
    return seen_names


def _validate_locality(
    scheme: Scheme,
    i: int,
    loc: LocalityDef,
    seen_catchments: dict[str, str],
    problems: list[str],
) -> None:
    """Check one locality's tier and catchments (each catchment in one locality only)."""
    label = f"locality {i} ({loc.name!r})"
    if loc.tier not in scheme.tiers:
        known = ", ".join(str(t) for t in sorted(scheme.tiers)) or "none"
        problems.append(f"{label} has unknown tier {loc.tier!r} (tiers defined: {known})")
    if not loc.catchments:
        problems.append(f"{label} lists no catchments")
    for c in loc.catchments:
        ckey = normalise_name(c)
        if ckey in seen_catchments:
            other = seen_catchments[ckey]
            where = "twice in it" if other == loc.name else f"also in {other!r}"
            problems.append(f"catchment {c!r} of {label} is {where}")
        else:
            seen_catchments[ckey] = loc.name


def _validate_overrides(scheme: Scheme, localities: Mapping[str, str], problems: list[str]) -> None:
    """Check that each override names a parish, a known locality and a reason."""
    for i, o in enumerate(scheme.overrides, start=1):
        if not str(o.parish).strip():
            problems.append(f"override {i} names no parish")
        if normalise_name(o.locality) not in localities:
            problems.append(
                f"override {i} (parish {o.parish!r}) names unknown locality {o.locality!r}"
            )
        if not str(o.reason).strip():
            problems.append(f"override {i} (parish {o.parish!r}) gives no reason")
    overridden: dict[str, list[str]] = {}
    for o in scheme.overrides:
        overridden.setdefault(normalise_name(o.parish), []).append(o.locality)
    for parish, locs in overridden.items():
        if len({normalise_name(x) for x in locs}) > 1:
            problems.append(f"parish {parish!r} is overridden to several localities: {locs}")


def _validate_groups(scheme: Scheme, problems: list[str]) -> None:
    """Check that groups have unique names and two or more parishes, each in one group."""
    group_names: set[str] = set()
    member_of: dict[str, str] = {}
    for i, g in enumerate(scheme.groups, start=1):
        if normalise_name(g.name) in group_names:
            problems.append(f"group {g.name!r} is defined twice")
        group_names.add(normalise_name(g.name))
        if len(g.parishes) < 2:
            problems.append(f"group {i} ({g.name!r}) needs at least two parishes")
        for p in g.parishes:
            key = normalise_name(p)
            if key in member_of and member_of[key] != g.name:
                problems.append(f"parish {p!r} is in two groups ({member_of[key]!r}, {g.name!r})")
            member_of[key] = g.name


def _validate_vocabularies(scheme: Scheme, problems: list[str]) -> None:
    """Check that vocabulary keys are lower-case identifiers with text labels."""
    for vocab_name, vocab in (("categories", scheme.categories), ("sectors", scheme.sectors)):
        for key, label in vocab.items():
            if not re.fullmatch(r"[a-z0-9_]+", str(key)):
                problems.append(
                    f"vocabulary.{vocab_name} key {key!r} must be lower-case letters, digits, _"
                )
            if not isinstance(label, str) or not label.strip():
                problems.append(f"vocabulary.{vocab_name}.{key} needs a text label")


# --------------------------------------------------------------------------------------
# TOML


_TOP_LEVEL = {"scheme", "tiers", "localities", "overrides", "groups", "vocabulary"}


def _nonblank_str(value: Any) -> str | None:
    """Return a TOML value stripped if it is a non-blank string, else None."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _string_list(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    return None


def scheme_from_dict(data: Mapping[str, Any], *, source: str = "the scheme") -> Scheme:
    """Build a :class:`Scheme` from parsed TOML (or any mapping of the same shape).

    Every missing or mistyped field is collected, then one :class:`SchemeError` is raised.

    Parameters
    ----------
    data : mapping
        With ``scheme``, ``tiers``, ``localities`` and optionally ``overrides``, ``groups``,
        ``vocabulary``.
    source : str
        Name used in error messages (usually the file).

    Returns
    -------
    Scheme

    Raises
    ------
    SchemeError

    Examples
    --------
    >>> s = scheme_from_dict({
    ...     "scheme": {"name": "Tiny"},
    ...     "tiers": {"1": {"name": "Rural"}},
    ...     "localities": [{"name": "Vale", "tier": 1, "catchments": ["Vale School"]}],
    ... })
    >>> s.locality_of_catchment("Vale School")
    'Vale'
    >>> scheme_from_dict({"scheme": {"name": "Tiny"}, "tiers": {}, "localities": [{"tier": 1}]})
    Traceback (most recent call last):
    ...
    localitygis.errors.SchemeError: the scheme is invalid: (1) [tiers] defines no tiers;
    (2) localities[1] lacks 'name', 'catchments'...
    """
    problems: list[str] = []
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        problems.append(
            f"unknown section(s) {', '.join(map(repr, unknown))} (expected "
            f"{', '.join(sorted(_TOP_LEVEL))})"
        )
    name, description = _parse_head(data.get("scheme", {}), problems)
    tiers = _parse_tiers(data.get("tiers", {}), problems)
    localities = _parse_localities(data.get("localities", []), problems)
    overrides = _parse_overrides(data.get("overrides", []), problems)
    groups = _parse_groups(data.get("groups", []), problems)
    vocabularies = _parse_vocabulary(data.get("vocabulary", {}), problems)
    if problems:
        raise SchemeError(_problem_message(source, problems))
    return Scheme(
        name=name,  # type: ignore[arg-type]
        tiers=tiers,
        localities=localities,
        overrides=overrides,
        groups=groups,
        categories=vocabularies["categories"],
        sectors=vocabularies["sectors"],
        description=description,
    )


def _parse_head(head: Any, problems: list[str]) -> tuple[str | None, str]:
    """Parse ``[scheme]``: the name and the description."""
    if not isinstance(head, Mapping):
        problems.append("[scheme] must be a table")
        head = {}
    name = _nonblank_str(head.get("name"))
    if name is None:
        problems.append("[scheme] lacks 'name'")
    description = head.get("description", "")
    if not isinstance(description, str):
        problems.append("[scheme] 'description' must be text")
        description = ""
    return name, description


def _parse_tiers(raw: Any, problems: list[str]) -> dict[int, Tier]:
    """Parse ``[tiers.N]``: each tier's number (the key), name and description."""
    tiers: dict[int, Tier] = {}
    if not isinstance(raw, Mapping) or not raw:
        problems.append("[tiers] defines no tiers")
        raw = {}
    for key, value in raw.items():
        try:
            number = int(key)
        except (TypeError, ValueError):
            problems.append(f"tier key {key!r} must be a whole number ([tiers.1], [tiers.2]…)")
            continue
        if not isinstance(value, Mapping) or _nonblank_str(value.get("name")) is None:
            problems.append(f"[tiers.{key}] lacks 'name'")
            continue
        minutes = _reach_minutes(value, key, problems)
        tiers[number] = Tier(
            number, value["name"].strip(), str(value.get("description", "")), minutes
        )
    return tiers


def _table_array(raw: Any, section: str, problems: list[str]) -> list[Any]:
    """Return the items of an array of tables (``[[section]]``); none when it is not one."""
    if isinstance(raw, list):
        return raw
    problems.append(f"'{section}' must be an array of tables ([[{section}]])")
    return []


def _parse_localities(raw: Any, problems: list[str]) -> tuple[LocalityDef, ...]:
    """Parse ``[[localities]]``: each locality's name, tier, catchments and centre."""
    localities = []
    for i, item in enumerate(_table_array(raw, "localities", problems), start=1):
        if not isinstance(item, Mapping):
            problems.append(f"localities[{i}] must be a table")
            continue
        locality = _parse_locality(i, item, problems)
        if locality is not None:
            localities.append(locality)
    return tuple(localities)


def _parse_locality(i: int, item: Mapping[str, Any], problems: list[str]) -> LocalityDef | None:
    """Parse one ``[[localities]]`` table (None when it is unusable)."""
    loc_name = _nonblank_str(item.get("name"))
    where = f"localities[{i}] ({loc_name!r})" if loc_name else f"localities[{i}]"
    missing = [k for k in ("name", "tier", "catchments") if k not in item]
    if missing:
        problems.append(f"{where} lacks {', '.join(map(repr, missing))}")
    tier = item.get("tier")
    if "tier" in item and (isinstance(tier, bool) or not isinstance(tier, int)):
        problems.append(f"{where} 'tier' must be a whole number, not {tier!r}")
    catchments = _string_list(item.get("catchments"))
    if "catchments" in item and catchments is None:
        problems.append(f"{where} 'catchments' must be a list of names")
    centre = item.get("centre")
    if centre is not None and _nonblank_str(centre) is None:
        problems.append(f"{where} 'centre' must be text")
    extra = sorted(set(item) - {"name", "tier", "catchments", "centre"})
    if extra:
        problems.append(f"{where} has unknown field(s) {', '.join(map(repr, extra))}")
    if loc_name and isinstance(tier, int) and catchments is not None:
        return LocalityDef(loc_name, tier, catchments, _nonblank_str(centre))
    return None


def _parse_overrides(raw: Any, problems: list[str]) -> tuple[Override, ...]:
    """Parse ``[[overrides]]``: each one's parish, locality and reason."""
    overrides = []
    for i, item in enumerate(_table_array(raw, "overrides", problems), start=1):
        if not isinstance(item, Mapping):
            problems.append(f"overrides[{i}] must be a table")
            continue
        fields = {k: _nonblank_str(item.get(k)) for k in ("parish", "locality", "reason")}
        missing = [k for k, v in fields.items() if v is None]
        if missing:
            problems.append(f"overrides[{i}] lacks {', '.join(map(repr, missing))}")
            continue
        overrides.append(Override(fields["parish"], fields["locality"], fields["reason"]))  # type: ignore[arg-type]
    return tuple(overrides)


def _parse_groups(raw: Any, problems: list[str]) -> tuple[ParishGroup, ...]:
    """Parse ``[[groups]]``: each group's name and parishes."""
    groups = []
    for i, item in enumerate(_table_array(raw, "groups", problems), start=1):
        if not isinstance(item, Mapping):
            problems.append(f"groups[{i}] must be a table")
            continue
        group_name = _nonblank_str(item.get("name"))
        parishes = _string_list(item.get("parishes"))
        if group_name is None:
            problems.append(f"groups[{i}] lacks 'name'")
        if parishes is None:
            problems.append(f"groups[{i}] 'parishes' must be a list of parish names or codes")
        if group_name and parishes is not None:
            groups.append(ParishGroup(group_name, parishes))
    return tuple(groups)


def _parse_vocabulary(vocab: Any, problems: list[str]) -> dict[str, dict[str, str]]:
    """Parse ``[vocabulary.categories]`` and ``[vocabulary.sectors]`` (key = label)."""
    vocabularies: dict[str, dict[str, str]] = {"categories": {}, "sectors": {}}
    if not isinstance(vocab, Mapping):
        problems.append("[vocabulary] must be a table")
        vocab = {}
    for key, value in vocab.items():
        if key not in vocabularies:
            problems.append(f"[vocabulary.{key}] is unknown (use categories or sectors)")
        elif not isinstance(value, Mapping):
            problems.append(f"[vocabulary.{key}] must be a table of key = label")
        else:
            vocabularies[key] = dict(value)
    return vocabularies


def load_scheme(path: str | PathLike[str]) -> Scheme:
    """Read a locality scheme from a TOML file.

    Parameters
    ----------
    path : str or path-like
        The ``.toml`` file.

    Returns
    -------
    Scheme

    Raises
    ------
    InputFileError
        The file is missing or is not valid TOML (with the line).
    SchemeError
        The scheme is invalid (every problem listed).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scheme.toml"
    >>> _ = path.write_text('''
    ... [scheme]
    ... name = "Tiny"
    ... [tiers.1]
    ... name = "Rural"
    ... [[localities]]
    ... name = "Vale"
    ... tier = 1
    ... catchments = ["Vale School"]
    ... ''', encoding="utf-8")
    >>> load_scheme(path).locality_names
    ('Vale',)
    """
    file = Path(path)
    if not file.is_file():
        raise InputFileError(f"scheme file {file} does not exist. Check the path.")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"scheme file {file} is not UTF-8 text ({error}). Save it as UTF-8."
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise InputFileError(f"scheme file {file} is not valid TOML: {error}.") from None
    return scheme_from_dict(data, source=f"scheme file {file.name}")


def _packaged(name: str) -> Scheme:
    text = resources.files("localitygis").joinpath("data", name).read_text(encoding="utf-8")
    return scheme_from_dict(tomllib.loads(text), source=f"packaged scheme {name}")


def herefordshire_scheme() -> Scheme:
    """Return the Herefordshire scheme: nine localities from fourteen catchments, three tiers.

    It carries no overrides: the council's own adjustments are not published. Add them in
    your own scheme file (see ``localitygis/data/herefordshire.toml``).

    Examples
    --------
    >>> s = herefordshire_scheme()
    >>> len(s.localities), len(s.catchments), s.tier_of("Ledbury")
    (9, 14, 2)
    """
    return _packaged("herefordshire.toml")


def demo_scheme() -> Scheme:
    """Return the demo scheme: Herefordshire plus illustrative overrides and parish groups.

    The overrides and groups are made up to exercise the machinery on the demo county;
    they are not the council's decisions.

    Examples
    --------
    >>> s = demo_scheme()
    >>> len(s.localities), len(s.overrides) > 0, len(s.groups) > 0
    (9, True, True)
    """
    return _packaged("demo_scheme.toml")


def _reach_minutes(value: Mapping, key: object, problems: list[str]) -> float | None:
    """Read a tier's optional ``reach_minutes``; note a problem when it is not a positive number."""
    raw = value.get("reach_minutes")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not raw > 0:
        problems.append(f"[tiers.{key}] reach_minutes must be a positive number, not {raw!r}")
        return None
    return float(raw)
