"""The asset vocabulary: aliases, extension from a scheme, suggestions for unknown words."""

from __future__ import annotations

import pandas as pd
import pytest

from localitygis.assets.vocabulary import (
    DEFAULT_CATEGORIES,
    DEFAULT_SECTORS,
    DEFAULT_VOCABULARY,
    Vocabulary,
    normalise_word,
)
from localitygis.errors import SchemeError
from localitygis.localities.scheme import demo_scheme, herefordshire_scheme, scheme_from_dict

CATEGORY_CASES = [
    ("GP Surgery", "gp_surgery"),
    ("GP surgery", "gp_surgery"),
    ("gp_surgery", "gp_surgery"),
    ("Doctors' Surgery", "gp_surgery"),
    ("Village Hall", "village_hall"),
    ("Community Centre", "village_hall"),
    ("COMMUNITY CENTRES", "village_hall"),
    ("Village hall / community centre", "village_hall"),
    ("Children's Centre", "childrens_centre"),
    ("Childrens Centre", "childrens_centre"),
    ("Community Hospital", "hospital"),
    ("Fire & Rescue Station", "fire_station"),
    ("Police Station", "police_station"),
    ("Customer Service Centre", "customer_service_centre"),
    ("Library", "library"),
    ("Libraries", "library"),
    ("  leisure centre ", "leisure_centre"),
    ("Sports Centre", "leisure_centre"),
    ("Primary School", "primary_school"),
    ("Chemist", "pharmacy"),
]

SECTOR_CASES = [
    ("NHS", "nhs"),
    ("nhs", "nhs"),
    ("Council", "council"),
    ("Local Authority", "council"),
    ("Parish Council", "council"),
    ("Police", "police"),
    ("Fire and Rescue", "fire"),
    ("Voluntary and Community", "voluntary_community"),
    ("voluntary & community", "voluntary_community"),
    ("VCS", "voluntary_community"),
    ("Private", "private"),
    ("Education", "education"),
]


@pytest.mark.parametrize(("written", "key"), CATEGORY_CASES)
def test_categories_normalise_to_their_key(written: str, key: str) -> None:
    assert DEFAULT_VOCABULARY.normalise_category(written) == key


@pytest.mark.parametrize(("written", "key"), SECTOR_CASES)
def test_sectors_normalise_to_their_key(written: str, key: str) -> None:
    assert DEFAULT_VOCABULARY.normalise_sector(written) == key


def test_every_key_and_label_normalises_to_itself() -> None:
    for key, label in DEFAULT_CATEGORIES.items():
        assert DEFAULT_VOCABULARY.normalise_category(key) == key
        assert DEFAULT_VOCABULARY.normalise_category(label) == key
    for key, label in DEFAULT_SECTORS.items():
        assert DEFAULT_VOCABULARY.normalise_sector(key) == key
        assert DEFAULT_VOCABULARY.normalise_sector(label) == key


def test_the_brief_lists_these_keys() -> None:
    for key in (
        "library", "gp_surgery", "primary_school", "secondary_school", "school",
        "childrens_centre", "police_station", "fire_station", "customer_service_centre",
        "hospital", "leisure_centre", "village_hall", "pharmacy", "dentist", "youth_centre",
        "day_centre", "care_home", "office", "depot",
    ):  # fmt: skip
        assert key in DEFAULT_CATEGORIES
    assert set(DEFAULT_SECTORS) == {
        "council", "nhs", "police", "fire", "voluntary_community", "private", "education",
        "other",
    }  # fmt: skip


@pytest.mark.parametrize("junk", [None, "", "   ", float("nan"), "Spaceport", "??"])
def test_unknown_and_blank_give_none(junk: object) -> None:
    assert DEFAULT_VOCABULARY.normalise_category(junk) is None


@pytest.mark.parametrize(
    ("written", "closest"),
    [("Liberry", "library"), ("Polise Station", "police_station"), ("GP Surgey", "gp_surgery"),
     ("Main Library Building", "library")],
)  # fmt: skip
def test_closest_suggests_a_key(written: str, closest: str) -> None:
    assert DEFAULT_VOCABULARY.normalise_category(written) is None or written.startswith("Main")
    assert DEFAULT_VOCABULARY.closest_category(written) == closest


def test_describe_unknown_names_the_closest_or_lists_the_keys() -> None:
    text = DEFAULT_VOCABULARY.describe_unknown("Liberry", kind="category")
    assert "'library' (Library)" in text
    text = DEFAULT_VOCABULARY.describe_unknown("zzzzqqq", kind="sector")
    assert "known sector keys" in text
    assert "voluntary_community" in text


def test_normalise_many_keeps_the_index_and_maps_each_value() -> None:
    values = pd.Series(["GP", None, "Library", "bogus", "Library"], index=[10, 11, 12, 13, 14])
    out = DEFAULT_VOCABULARY.normalise_many(values, kind="category")
    assert out.index.tolist() == [10, 11, 12, 13, 14]
    assert out.tolist() == ["gp_surgery", None, "library", None, "library"]


def test_extended_adds_categories_sectors_and_aliases_without_changing_the_original() -> None:
    extended = DEFAULT_VOCABULARY.extended(
        categories={"Food Bank": "Food bank", "library": "Public library"},
        sectors={"housing_association": "Housing association"},
        category_aliases={"foodbank hub": "food_bank"},
        sector_aliases={"RSL": "housing_association"},
    )
    assert extended.normalise_category("food bank") == "food_bank"
    assert extended.normalise_category("Foodbank Hub") == "food_bank"
    assert extended.category_label("library") == "Public library"
    assert extended.normalise_sector("rsl") == "housing_association"
    assert extended.normalise_sector("Housing Association") == "housing_association"
    assert DEFAULT_VOCABULARY.normalise_category("food bank") is None
    assert DEFAULT_VOCABULARY.category_label("library") == "Library"
    assert extended != DEFAULT_VOCABULARY


def test_an_alias_to_a_missing_key_is_refused() -> None:
    with pytest.raises(SchemeError, match="alias 'x' points to unknown key 'nowhere'"):
        DEFAULT_VOCABULARY.extended(category_aliases={"x": "nowhere"})


def test_a_malformed_key_is_refused() -> None:
    with pytest.raises(SchemeError, match="not lower-case words joined by underscores"):
        Vocabulary(categories={"Bad Key": "x"}, category_aliases={})


def test_from_scheme_reads_a_real_schemes_vocabulary() -> None:
    base = scheme_from_dict(
        {
            "scheme": {"name": "test"},
            "tiers": {"1": {"name": "rural"}},
            "localities": [{"name": "A", "tier": 1, "catchments": ["a"]}],
            "vocabulary": {
                "categories": {"food_bank": "Food bank"},
                "sectors": {"housing": "Housing association"},
            },
        }
    )
    vocab = Vocabulary.from_scheme(base)
    assert vocab.normalise_category("Food Bank") == "food_bank"
    assert vocab.normalise_sector("Housing") == "housing"
    # The shipped schemes extend (or keep) the default.
    for scheme in (herefordshire_scheme(), demo_scheme()):
        assert set(DEFAULT_CATEGORIES) <= set(Vocabulary.from_scheme(scheme).categories)
    assert Vocabulary.from_scheme(None) is DEFAULT_VOCABULARY


def test_normalise_word_folds_case_punctuation_and_plurals() -> None:
    assert normalise_word("Children’s Centres") == normalise_word("childrens centre")
    assert normalise_word("Business") == "business"
    assert normalise_word(12) == "12"
