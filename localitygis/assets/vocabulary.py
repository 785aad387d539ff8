"""The asset vocabulary: which categories and sectors an asset register may use.

A register written by people says "GP Surgery", "GP surgery", "Doctors", "Community
Centre" or "NHS"; the analysis needs one key for each (``gp_surgery``, ``village_hall``,
``nhs``). A :class:`Vocabulary` holds the keys with their labels and the aliases that
normalise to them. The default vocabulary covers the public estate of a county council and
its partners; a council extends it from its locality scheme (``[vocabulary.categories]`` and
``[vocabulary.sectors]`` in the scheme TOML) with :meth:`Vocabulary.extended`.

Matching ignores case, spaces, punctuation, apostrophes and a trailing plural "s", so
"Children's Centre", "childrens centre" and "CHILDRENS_CENTRES" are the same word. An
unknown word is never guessed: it is reported with the closest key as a suggestion.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Protocol

import pandas as pd

__all__ = [
    "DEFAULT_CATEGORIES",
    "DEFAULT_SECTORS",
    "DEFAULT_VOCABULARY",
    "TermSource",
    "Vocabulary",
    "normalise_word",
]

#: Default asset categories: key -> label.
DEFAULT_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "library": "Library",
        "gp_surgery": "GP surgery",
        "health_centre": "Health centre",
        "pharmacy": "Pharmacy",
        "dentist": "Dentist",
        "hospital": "Community hospital",
        "primary_school": "Primary school",
        "secondary_school": "Secondary school",
        "school": "School",
        "childrens_centre": "Children's centre",
        "youth_centre": "Youth centre",
        "day_centre": "Day centre",
        "care_home": "Care home",
        "police_station": "Police station",
        "fire_station": "Fire station",
        "ambulance_station": "Ambulance station",
        "customer_service_centre": "Customer service centre",
        "leisure_centre": "Leisure centre",
        "village_hall": "Village hall / community centre",
        "museum": "Museum",
        "office": "Office",
        "depot": "Depot",
        "other": "Other",
    }
)

#: Default sectors: key -> label.
DEFAULT_SECTORS: Mapping[str, str] = MappingProxyType(
    {
        "council": "Council",
        "nhs": "NHS",
        "police": "Police",
        "fire": "Fire and rescue",
        "voluntary_community": "Voluntary and community",
        "private": "Private",
        "education": "Education",
        "other": "Other",
    }
)

# Other words people use, normalised (see normalise_word) -> key.
_CATEGORY_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "gp": "gp_surgery",
        "gp_practice": "gp_surgery",
        "general_practice": "gp_surgery",
        "doctor": "gp_surgery",
        "doctors_surgery": "gp_surgery",
        "surgery": "gp_surgery",
        "medical_practice": "gp_surgery",
        "medical_centre": "gp_surgery",
        "chemist": "pharmacy",
        "dental_practice": "dentist",
        "dental_surgery": "dentist",
        "community_hospital": "hospital",
        "primary": "primary_school",
        "infant_school": "primary_school",
        "junior_school": "primary_school",
        "first_school": "primary_school",
        "secondary": "secondary_school",
        "high_school": "secondary_school",
        "academy": "school",
        "sure_start_centre": "childrens_centre",
        "family_centre": "childrens_centre",
        "family_hub": "childrens_centre",
        "youth_club": "youth_centre",
        "nursing_home": "care_home",
        "residential_home": "care_home",
        "residential_care_home": "care_home",
        "police": "police_station",
        "police_office": "police_station",
        "fire": "fire_station",
        "fire_and_rescue_station": "fire_station",
        "community_fire_station": "fire_station",
        "ambulance": "ambulance_station",
        "customer_service": "customer_service_centre",
        "customer_services": "customer_service_centre",
        "customer_services_centre": "customer_service_centre",
        "info_centre": "customer_service_centre",
        "information_centre": "customer_service_centre",
        "leisure": "leisure_centre",
        "sports_centre": "leisure_centre",
        "sport_centre": "leisure_centre",
        "swimming_pool": "leisure_centre",
        "community_centre": "village_hall",
        "community_hall": "village_hall",
        "parish_hall": "village_hall",
        "memorial_hall": "village_hall",
        "church_hall": "village_hall",
        "hall": "village_hall",
        "village_hall_community_centre": "village_hall",
        "council_office": "office",
        "administrative_office": "office",
        "highways_depot": "depot",
        "store": "depot",
        "yard": "depot",
    }
)

_SECTOR_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "local_authority": "council",
        "local_government": "council",
        "county_council": "council",
        "unitary_council": "council",
        "city_council": "council",
        "town_council": "council",
        "parish_council": "council",
        "la": "council",
        "health": "nhs",
        "national_health_service": "nhs",
        "nhs_trust": "nhs",
        "icb": "nhs",
        "constabulary": "police",
        "police_force": "police",
        "fire_and_rescue": "fire",
        "fire_and_rescue_service": "fire",
        "fire_service": "fire",
        "frs": "fire",
        "voluntary": "voluntary_community",
        "community": "voluntary_community",
        "voluntary_and_community": "voluntary_community",
        "vcs": "voluntary_community",
        "vcse": "voluntary_community",
        "third_sector": "voluntary_community",
        "charity": "voluntary_community",
        "faith": "voluntary_community",
        "private_sector": "private",
        "commercial": "private",
        "business": "private",
        "school": "education",
        "academy": "education",
        "academy_trust": "education",
    }
)

_NON_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHE = re.compile(r"['’`]")
_KEY = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")


def _as_key(value: object) -> str:
    """Make a key from text: lower case, words joined by underscores (plurals kept)."""
    text = _APOSTROPHE.sub("", str(value).casefold().replace("&", " and "))
    return "_".join(w for w in _NON_WORD.split(text) if w)


def normalise_word(value: object) -> str:
    """Fold a category or sector as written into a comparable word.

    Lower case; "&" becomes "and"; apostrophes vanish; every other run of
    non-alphanumeric characters becomes one underscore; a trailing plural "s" on each word
    (but not "ss") is dropped.

    Parameters
    ----------
    value : object
        The text; ``None`` and missing values give ``""``.

    Returns
    -------
    str

    Examples
    --------
    >>> normalise_word("Children's Centres")
    'children_centre'
    >>> normalise_word("  Fire & Rescue  ")
    'fire_and_rescue'
    >>> normalise_word(None)
    ''
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = _APOSTROPHE.sub("", str(value).casefold().replace("&", " and "))
    words = [w for w in _NON_WORD.split(text) if w]
    return "_".join(_singular(w) for w in words)


def _singular(word: str) -> str:
    """Drop a plural ending: "libraries" -> "library", "centres" -> "centre" (not "ss")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return word[:-1]
    return word


Kind = Literal["category", "sector"]


def _frozen(mapping: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


class TermSource(Protocol):
    """Anything with ``categories`` and ``sectors`` (key -> label), such as a Scheme."""

    @property
    def categories(self) -> Mapping[str, str]:
        """Category key -> label."""
        ...

    @property
    def sectors(self) -> Mapping[str, str]:
        """Sector key -> label."""
        ...


@dataclass(frozen=True)
class Vocabulary:
    """Asset categories and sectors, with the aliases that normalise to them.

    Parameters
    ----------
    categories, sectors : mapping of str to str
        Key -> label. Keys are lower-case words joined by underscores.
    category_aliases, sector_aliases : mapping of str to str
        Other words -> key. Labels and keys are always recognised; aliases add to them.

    Examples
    --------
    >>> vocab = Vocabulary.default()
    >>> vocab.normalise_category("GP Surgery"), vocab.normalise_category("Community Centre")
    ('gp_surgery', 'village_hall')
    >>> vocab.normalise_sector("NHS")
    'nhs'
    >>> vocab.normalise_category("Liberry") is None
    True
    >>> vocab.closest_category("Liberry")
    'library'
    """

    categories: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CATEGORIES)
    sectors: Mapping[str, str] = field(default_factory=lambda: DEFAULT_SECTORS)
    category_aliases: Mapping[str, str] = field(default_factory=lambda: _CATEGORY_ALIASES)
    sector_aliases: Mapping[str, str] = field(default_factory=lambda: _SECTOR_ALIASES)
    # every word that names a key, by kind: built from the four mappings above
    _lookups: Mapping[Kind, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("categories", "sectors", "category_aliases", "sector_aliases"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        problems = []
        for kind, keys, aliases in (
            ("category", self.categories, self.category_aliases),
            ("sector", self.sectors, self.sector_aliases),
        ):
            for key in keys:
                if not _KEY.fullmatch(key):
                    problems.append(
                        f"{kind} key {key!r} is not lower-case words joined by underscores "
                        f"(use {_as_key(key)!r})"
                    )
            for alias, key in aliases.items():
                if key not in keys:
                    problems.append(f"{kind} alias {alias!r} points to unknown key {key!r}")
        if problems:
            from localitygis.errors import SchemeError

            raise SchemeError("invalid vocabulary: " + "; ".join(problems) + ".")
        object.__setattr__(self, "_lookups", {
            "category": self._build_lookup(self.categories, self.category_aliases),
            "sector": self._build_lookup(self.sectors, self.sector_aliases),
        })  # fmt: skip

    @staticmethod
    def _build_lookup(keys: Mapping[str, str], aliases: Mapping[str, str]) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for alias, key in aliases.items():
            lookup[normalise_word(alias)] = key
        for key, label in keys.items():  # labels and keys win over aliases
            lookup[normalise_word(label)] = key
        for key in keys:
            lookup[normalise_word(key)] = key
        return lookup

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return all(
            dict(getattr(self, n)) == dict(getattr(other, n))
            for n in ("categories", "sectors", "category_aliases", "sector_aliases")
        )

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.categories)), tuple(sorted(self.sectors))))

    def __repr__(self) -> str:
        return f"Vocabulary({len(self.categories)} categories, {len(self.sectors)} sectors)"

    # ----------------------------------------------------------------------------------

    @classmethod
    def default(cls) -> Vocabulary:
        """Return the default vocabulary (:data:`DEFAULT_VOCABULARY`).

        Examples
        --------
        >>> "library" in Vocabulary.default().categories
        True
        """
        return DEFAULT_VOCABULARY

    @classmethod
    def from_scheme(cls, scheme: TermSource | None) -> Vocabulary:
        """Return the default vocabulary extended by a scheme's ``categories`` and ``sectors``.

        Parameters
        ----------
        scheme : TermSource or None
            Anything with ``categories`` and ``sectors`` mappings (key -> label), such as
            :class:`localitygis.localities.scheme.Scheme`; ``None`` gives the default vocabulary.

        Returns
        -------
        Vocabulary

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> scheme = SimpleNamespace(categories={"food_bank": "Food bank"}, sectors={})
        >>> Vocabulary.from_scheme(scheme).normalise_category("Food Bank")
        'food_bank'
        """
        if scheme is None:
            return DEFAULT_VOCABULARY
        return DEFAULT_VOCABULARY.extended(
            categories=getattr(scheme, "categories", None) or {},
            sectors=getattr(scheme, "sectors", None) or {},
        )

    def extended(
        self,
        *,
        categories: Mapping[str, str] | None = None,
        sectors: Mapping[str, str] | None = None,
        category_aliases: Mapping[str, str] | None = None,
        sector_aliases: Mapping[str, str] | None = None,
    ) -> Vocabulary:
        """Return a new vocabulary with more categories, sectors or aliases.

        A key already present gets the new label. Keys are normalised (``"Food Bank"``
        becomes ``food_bank``).

        Parameters
        ----------
        categories, sectors : mapping of str to str, optional
            Key -> label to add (a council's scheme ``[vocabulary]`` tables).
        category_aliases, sector_aliases : mapping of str to str, optional
            Word -> key to add; the key may be an existing or a newly added one.

        Returns
        -------
        Vocabulary

        Raises
        ------
        SchemeError
            If an alias points to a key that does not exist.

        Examples
        --------
        >>> vocab = Vocabulary.default().extended(
        ...     categories={"Food Bank": "Food bank"},
        ...     category_aliases={"foodbank hub": "food_bank"},
        ... )
        >>> vocab.normalise_category("Foodbank Hub"), vocab.category_label("food_bank")
        ('food_bank', 'Food bank')
        """

        def merge(base: Mapping[str, str], extra: Mapping[str, str] | None) -> dict[str, str]:
            out = dict(base)
            for key, label in (extra or {}).items():
                out[_as_key(key)] = str(label)
            return out

        def merge_aliases(base: Mapping[str, str], extra: Mapping[str, str] | None) -> dict:
            out = dict(base)
            for alias, key in (extra or {}).items():
                out[normalise_word(alias)] = _as_key(key)
            return out

        return Vocabulary(
            categories=merge(self.categories, categories),
            sectors=merge(self.sectors, sectors),
            category_aliases=merge_aliases(self.category_aliases, category_aliases),
            sector_aliases=merge_aliases(self.sector_aliases, sector_aliases),
        )

    # ----------------------------------------------------------------------------------

    def _lookup(self, kind: Kind) -> dict[str, str]:
        return self._lookups[kind]

    def normalise(self, value: object, *, kind: Kind) -> str | None:
        """Return the key for ``value`` as a category or sector, or None if unknown or blank.

        Examples
        --------
        >>> Vocabulary.default().normalise("Fire & Rescue", kind="sector")
        'fire'
        """
        return self._lookup(kind).get(normalise_word(value))

    def normalise_category(self, value: object) -> str | None:
        """Return the category key for ``value``, or None if it is unknown or blank.

        Examples
        --------
        >>> Vocabulary.default().normalise_category("Village Hall")
        'village_hall'
        """
        return self.normalise(value, kind="category")

    def normalise_sector(self, value: object) -> str | None:
        """Return the sector key for ``value``, or None if it is unknown or blank.

        Examples
        --------
        >>> Vocabulary.default().normalise_sector("Voluntary and Community")
        'voluntary_community'
        """
        return self.normalise(value, kind="sector")

    def normalise_many(self, values: Iterable[object], *, kind: Kind) -> pd.Series:
        """Normalise many values at once; unknown and blank values give missing values.

        Each distinct value is looked up once, so a 100,000-row column is quick.

        Parameters
        ----------
        values : iterable
            Categories or sectors as written.
        kind : {"category", "sector"}
            Which vocabulary.

        Returns
        -------
        pandas.Series
            Keys (object dtype, ``None`` where unknown), aligned to ``values``.

        Examples
        --------
        >>> Vocabulary.default().normalise_many(["GP", "Library", "?"], kind="category").tolist()
        ['gp_surgery', 'library', None]
        """
        series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
        lookup = self._lookup(kind)
        distinct = pd.unique(series.astype(object).to_numpy())
        mapping = {v: lookup.get(normalise_word(v)) for v in distinct if not _missing(v)}
        return pd.Series(
            [None if _missing(v) else mapping[v] for v in series.astype(object).to_numpy()],
            index=series.index,
            dtype=object,
        )

    def closest(self, value: object, *, kind: Kind) -> str | None:
        """Return the key whose words are closest to ``value`` (a suggestion), or None.

        Examples
        --------
        >>> Vocabulary.default().closest("polise", kind="sector")
        'police'
        """
        word = normalise_word(value)
        if not word:
            return None
        lookup = self._lookup(kind)
        if word in lookup:
            return lookup[word]
        match = difflib.get_close_matches(word, list(lookup), n=1, cutoff=0.6)
        if match:
            return lookup[match[0]]
        # A word that contains a key ("main library building") suggests that key.
        contained = [w for w in lookup if len(w) >= 3 and w in word]
        return lookup[max(contained, key=len)] if contained else None

    def closest_category(self, value: object) -> str | None:
        """Return the category key closest to ``value``, or None.

        Examples
        --------
        >>> Vocabulary.default().closest_category("Leisur Centre")
        'leisure_centre'
        """
        return self.closest(value, kind="category")

    def closest_sector(self, value: object) -> str | None:
        """Return the sector key closest to ``value``, or None.

        Examples
        --------
        >>> Vocabulary.default().closest_sector("Privat")
        'private'
        """
        return self.closest(value, kind="sector")

    def category_label(self, key: str) -> str:
        """Return the label of a category key (the key itself if unknown).

        Examples
        --------
        >>> Vocabulary.default().category_label("village_hall")
        'Village hall / community centre'
        """
        return self.categories.get(key, key)

    def sector_label(self, key: str) -> str:
        """Return the label of a sector key (the key itself if unknown).

        Examples
        --------
        >>> Vocabulary.default().sector_label("nhs")
        'NHS'
        """
        return self.sectors.get(key, key)

    def describe_unknown(self, value: object, *, kind: Kind) -> str:
        """Explain why ``value`` is not a known category or sector, suggesting the closest.

        Examples
        --------
        >>> Vocabulary.default().describe_unknown("Liberry", kind="category")
        "'Liberry' is not a known category; closest is 'library' (Library)"
        """
        suggestion = self.closest(value, kind=kind)
        labels = self.categories if kind == "category" else self.sectors
        text = f"{str(value).strip()!r} is not a known {kind}"
        if suggestion is not None:
            return f"{text}; closest is {suggestion!r} ({labels[suggestion]})"
        return f"{text}; known {kind} keys: {', '.join(sorted(labels))}"


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


#: The default vocabulary.
DEFAULT_VOCABULARY = Vocabulary()
