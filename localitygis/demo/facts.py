"""The packaged fact tables the demo county is generated from (``localitygis/data/demo_facts``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["Facts", "load_facts", "rng_for"]

#: Root seed of every random draw in the demo county. Change it and every output changes.
ROOT_SEED = 20_110_327  # census day 2011


@dataclass(frozen=True)
class Facts:
    """The five fact tables, sorted into a fixed order."""

    places: pd.DataFrame  # parish_name, easting, northing (sorted by name)
    schools: pd.DataFrame  # school, catchment, locality, easting, northing
    localities: pd.DataFrame  # locality, tier, tier_name, centre, served_by
    towns: pd.DataFrame  # parish_name, population_2011_approx
    known_assets: pd.DataFrame  # name, category, partner, sector, postcode, place, e, n


def _read(name: str) -> pd.DataFrame:
    source = resources.files("localitygis").joinpath("data", "demo_facts", name)
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column].replace("", np.nan), errors="raise")
    return out


def load_facts() -> Facts:
    """Read the packaged fact tables (public facts about Herefordshire)."""
    places = _numeric(_read("parish_places.csv"), ["easting", "northing"])
    places = places.sort_values("parish_name", kind="stable").reset_index(drop=True)
    schools = _numeric(_read("secondary_schools.csv"), ["easting", "northing"])
    localities = _numeric(_read("localities.csv"), ["tier"])
    towns = _numeric(_read("town_populations.csv"), ["population_2011_approx"])
    known = _numeric(_read("known_assets.csv"), ["easting", "northing"])
    return Facts(places, schools, localities, towns, known)


def rng_for(*stream: int | str) -> np.random.Generator:
    """Return a random generator for one named stream, independent of every other stream.

    Strings are turned into integers by a BLAKE2 digest of their UTF-8 bytes (not by
    ``hash()``, which is salted per process), so the same stream always gives the same
    numbers.
    """
    words: list[int] = [ROOT_SEED]
    for part in stream:
        if isinstance(part, str):
            digest = hashlib.blake2b(part.encode("utf-8"), digest_size=8).digest()
            words.append(int.from_bytes(digest, "little"))
        else:
            words.append(int(part))
    return np.random.default_rng(np.random.SeedSequence(words))
