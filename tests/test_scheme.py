"""Locality schemes: the packaged Herefordshire and demo schemes, TOML loading, validation."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from localitygis.errors import InputFileError, SchemeError
from localitygis.localities.scheme import (
    LocalityDef,
    Override,
    ParishGroup,
    Scheme,
    Tier,
    demo_scheme,
    herefordshire_scheme,
    load_scheme,
    normalise_name,
    scheme_from_dict,
)

TIERS = {1: Tier(1, "Rural"), 2: Tier(2, "Town")}


def _fact(name: str) -> pd.DataFrame:
    source = resources.files("localitygis").joinpath("data", "demo_facts", name)
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


MINIMAL = """
[scheme]
name = "Two valleys"
description = "A test scheme"

[tiers.1]
name = "Rural"
description = "villages"

[tiers.2]
name = "Town"

[[localities]]
name = "Upper"
tier = 2
centre = "Upton"
catchments = ["Upton High", "Hill School"]

[[localities]]
name = "Lower"
tier = 1
catchments = ["Vale Academy"]
"""


def _write(tmp_path: Path, text: str, name: str = "scheme.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- packaged schemes


def test_herefordshire_scheme_matches_the_published_facts() -> None:
    scheme = herefordshire_scheme()
    facts = _fact("localities.csv")
    assert scheme.locality_names == tuple(facts["locality"])
    for row in facts.itertuples():
        assert scheme.tier_of(row.locality) == row.tier
        assert scheme.tier_name_of(row.locality) == row.tier_name
        assert scheme.tiers[row.tier].description == row.served_by
        assert scheme.locality(row.locality).centre == row.centre
    schools = _fact("secondary_schools.csv")
    assert sorted(scheme.catchments) == sorted(schools["catchment"])
    for row in schools.itertuples():
        assert scheme.locality_of_catchment(row.catchment) == row.locality
    assert scheme.overrides == ()  # the council's own adjustments are not published
    assert scheme.groups == ()


def test_herefordshire_tiers_group_the_localities() -> None:
    scheme = herefordshire_scheme()
    by_tier: dict[int, set[str]] = {}
    for loc in scheme.localities:
        by_tier.setdefault(loc.tier, set()).add(loc.name)
    assert by_tier == {
        1: {"Weobley", "Golden Valley", "Mortimer"},
        2: {"Bromyard", "Kington", "Ledbury", "Leominster", "Ross-on-Wye"},
        3: {"Hereford City"},
    }


def test_demo_scheme_is_herefordshire_plus_labelled_illustrative_adjustments() -> None:
    base, demo = herefordshire_scheme(), demo_scheme()
    assert demo.localities == base.localities
    assert dict(demo.tiers) == dict(base.tiers)
    assert demo.overrides
    assert demo.groups
    places = set(_fact("parish_places.csv")["parish_name"])
    for override in demo.overrides:
        assert override.parish in places
        assert override.reason.startswith("Illustrative")
        assert "GP" in override.reason or "community transport" in override.reason
    for group in demo.groups:
        assert "illustrative" in group.name.lower()
        assert set(group.parishes) <= places
    assert "illustrative" in demo.name.lower()


def test_catchment_table_lists_every_catchment_in_scheme_order() -> None:
    table = herefordshire_scheme().catchment_table()
    assert list(table.columns) == ["catchment", "locality", "tier", "tier_name"]
    assert len(table) == 14
    assert table["locality"].iloc[0] == "Hereford City"
    assert (table.loc[table["locality"] == "Golden Valley", "tier"] == 1).all()


# ---------------------------------------------------------------- loading


def test_load_scheme_reads_every_section(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
[[overrides]]
parish = "E04000003"
locality = "Lower"
reason = "Community transport runs to the lower valley"

[[groups]]
name = "Hill group"
parishes = ["Hillside", "Hilltop"]

[vocabulary.categories]
village_hall = "Village hall"

[vocabulary.sectors]
parish_council = "Parish council"
"""
    )
    scheme = load_scheme(_write(tmp_path, text))
    assert scheme.name == "Two valleys"
    assert scheme.description == "A test scheme"
    assert scheme.tiers[1] == Tier(1, "Rural", "villages")
    assert scheme.localities[0] == LocalityDef("Upper", 2, ("Upton High", "Hill School"), "Upton")
    assert scheme.localities[1].centre is None
    assert scheme.overrides == (
        Override("E04000003", "Lower", "Community transport runs to the lower valley"),
    )
    assert scheme.groups == (ParishGroup("Hill group", ("Hillside", "Hilltop")),)
    assert dict(scheme.categories) == {"village_hall": "Village hall"}
    assert dict(scheme.sectors) == {"parish_council": "Parish council"}


def test_scheme_is_immutable_and_compares_by_value(tmp_path: Path) -> None:
    one = load_scheme(_write(tmp_path, MINIMAL))
    two = load_scheme(_write(tmp_path, MINIMAL, "again.toml"))
    assert one == two
    with pytest.raises(AttributeError):
        one.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        one.tiers[3] = Tier(3, "City")  # type: ignore[index]


def test_names_match_loosely() -> None:
    scheme = herefordshire_scheme()
    assert scheme.locality_of_catchment("lady hawkins\u2019") == "Kington"
    assert scheme.locality_of_catchment("  ST  MARY'S ") == "Hereford City"
    assert scheme.tier_of("ross\u2013on\u2013wye") == 2
    assert normalise_name("Golden\tValley") == "golden valley"


def test_unknown_names_raise_with_the_known_ones() -> None:
    scheme = herefordshire_scheme()
    with pytest.raises(SchemeError, match=r"catchment 'Kington High' .* Aylestone, Bluecoat"):
        scheme.locality_of_catchment("Kington High")
    with pytest.raises(SchemeError, match=r"no locality 'Hay'; .* Hereford City, Bromyard"):
        scheme.tier_of("Hay")


def test_missing_scheme_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"scheme file .*nothere.toml does not exist"):
        load_scheme(tmp_path / "nothere.toml")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[scheme]\nname = "x\n')
    with pytest.raises(InputFileError, match=r"not valid TOML: .*line 2"):
        load_scheme(path)


def test_non_utf8_scheme_file(tmp_path: Path) -> None:
    path = tmp_path / "scheme.toml"
    path.write_bytes(MINIMAL.replace("Two valleys", "Tw\u00f6 valleys").encode("cp1252"))
    with pytest.raises(InputFileError, match="not UTF-8"):
        load_scheme(path)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("tier = 1\ncatchments", "tier = 7\ncatchments"),
            r"unknown tier 7 \(tiers defined: 1, 2\)",
        ),
        (('["Vale Academy"]', '["Upton High"]'), r"catchment 'Upton High' .* also in 'Upper'"),
        (('name = "Lower"', 'name = "upper"'), r"locality 'upper' is defined twice"),
        (
            ('centre = "Upton"\n', 'centre = "Upton"\ncolour = "red"\n'),
            r"unknown field\(s\) 'colour'",
        ),
        (("tier = 2\ncentre", "tier = 'two'\ncentre"), r"'tier' must be a whole number"),
        (('["Vale Academy"]', "[]"), r"'Lower'\) lists no catchments"),
        (('[tiers.2]\nname = "Town"', '[tiers.2]\ntitle = "Town"'), r"\[tiers.2\] lacks 'name'"),
        (("[scheme]\n", "[schema]\n"), r"unknown section\(s\) 'schema'"),
    ],
)
def test_invalid_scheme_files(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in MINIMAL
    path = _write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(SchemeError, match=message):
        load_scheme(path)


def test_missing_fields_are_listed_together(tmp_path: Path) -> None:
    text = """
[scheme]
description = "no name"

[tiers.1]
name = "Rural"

[[localities]]
tier = 1

[[overrides]]
parish = "Eye"
"""
    with pytest.raises(SchemeError) as caught:
        load_scheme(_write(tmp_path, text))
    message = str(caught.value)
    assert "scheme file scheme.toml is invalid" in message
    assert "[scheme] lacks 'name'" in message
    assert "localities[1] lacks 'name', 'catchments'" in message
    assert "overrides[1] lacks 'locality', 'reason'" in message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SchemeError) as caught:
        Scheme(
            name="Messy",
            tiers=TIERS,
            localities=(
                LocalityDef("North", 4, ("A", "B")),
                LocalityDef("South", 1, ("B",)),
                LocalityDef("North", 1, ("C",)),
            ),
            overrides=(Override("Eye", "Middle", "GP registrations"),),
            groups=(ParishGroup("Lonely", ("Eye",)),),
        )
    message = str(caught.value)
    for part in (
        "unknown tier 4",
        "catchment 'B' of locality 2 ('South') is also in 'North'",
        "locality 'North' is defined twice",
        "override 1 (parish 'Eye') names unknown locality 'Middle'",
        "group 1 ('Lonely') needs at least two parishes",
    ):
        assert part in message
    assert message.count("(") >= 5


def test_override_and_group_consistency() -> None:
    base = {
        "name": "S",
        "tiers": TIERS,
        "localities": (LocalityDef("North", 2, ("A",)), LocalityDef("South", 1, ("B",))),
    }
    with pytest.raises(SchemeError, match=r"overridden to several localities"):
        Scheme(**base, overrides=(Override("Eye", "North", "x"), Override("eye", "South", "y")))
    with pytest.raises(SchemeError, match=r"parish 'Eye' is in two groups"):
        Scheme(
            **base, groups=(ParishGroup("G1", ("Eye", "Bee")), ParishGroup("G2", ("Eye", "Sea")))
        )
    with pytest.raises(SchemeError, match=r"override 1 \(parish 'Eye'\) gives no reason"):
        Scheme(**base, overrides=(Override("Eye", "North", " "),))


def test_vocabulary_keys_and_labels_are_checked() -> None:
    with pytest.raises(SchemeError, match=r"vocabulary.categories key 'Village Hall' must be"):
        scheme_from_dict(
            {
                "scheme": {"name": "S"},
                "tiers": {"1": {"name": "Rural"}},
                "localities": [{"name": "L", "tier": 1, "catchments": ["A"]}],
                "vocabulary": {"categories": {"Village Hall": "Village hall"}},
            }
        )
    with pytest.raises(SchemeError, match=r"\[vocabulary.colours\] is unknown"):
        scheme_from_dict(
            {
                "scheme": {"name": "S"},
                "tiers": {"1": {"name": "Rural"}},
                "localities": [{"name": "L", "tier": 1, "catchments": ["A"]}],
                "vocabulary": {"colours": {}},
            }
        )


# ---------------------------------------------------------------- parish references


def _with_references() -> Scheme:
    return Scheme(
        name="Refs",
        tiers=TIERS,
        localities=(LocalityDef("North", 2, ("A",)), LocalityDef("South", 1, ("B",))),
        overrides=(
            Override("E04000002", "south", "GP registrations"),
            Override("much marcle", "North", "community transport"),
        ),
        groups=(ParishGroup("Pair", ("Eye", "E04000004")),),
    )


def test_resolve_parishes_by_code_or_name() -> None:
    resolved = _with_references().resolve_parishes(
        ["E04000001", "E04000002", "E04000003", "E04000004"],
        ["Eye", "Bee", "Much Marcle", "Sea"],
    )
    assert resolved.overrides == (
        ("E04000002", "South", "GP registrations"),
        ("E04000003", "North", "community transport"),
    )
    assert resolved.groups == (("Pair", ("E04000001", "E04000004")),)


def test_unknown_parish_references_are_listed_together() -> None:
    with pytest.raises(SchemeError) as caught:
        _with_references().resolve_parishes(["E04000001"], ["Eye"])
    message = str(caught.value)
    assert "override 1 'E04000002'" in message
    assert "override 2 'much marcle'" in message
    assert "group 'Pair' member 'E04000004'" in message
    assert "Check the spelling" in message


def test_ambiguous_parish_names_ask_for_codes() -> None:
    with pytest.raises(SchemeError, match=r"ambiguously .* 'Eye' \(codes E1, E9\)"):
        _with_references().resolve_parishes(
            ["E1", "E9", "E04000002", "E3", "E04000004"],
            ["Eye", "Eye", "Bee", "Much Marcle", "Sea"],
        )
