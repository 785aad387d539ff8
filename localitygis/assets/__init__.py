"""Community assets: the register, its positions, and where each asset (or any place) lies.

* :mod:`~localitygis.assets.register` — :func:`read_assets` (columns, positions, vocabulary,
  rejects) and :func:`locate_assets` (parish, locality and tier of every asset);
* :mod:`~localitygis.assets.postcodes` — postcode directories (ONSPD, NSPL, Code-Point Open);
* :mod:`~localitygis.assets.vocabulary` — categories and sectors, with their synonyms;
* :mod:`~localitygis.assets.locate` — "which parish and locality is this?" for any point.
"""

from __future__ import annotations

from localitygis.assets.locate import (
    LocationResult,
    Locator,
    OutsideCountyError,
    locate,
    locate_many,
)
from localitygis.assets.postcodes import (
    lookup_postcodes,
    normalise_postcode,
    read_postcode_directory,
)
from localitygis.assets.register import (
    ASSET_COLUMNS,
    CONTRACT_COLUMNS,
    AssetRegister,
    locate_assets,
    read_assets,
)
from localitygis.assets.vocabulary import DEFAULT_VOCABULARY, Vocabulary

__all__ = [
    "ASSET_COLUMNS",
    "CONTRACT_COLUMNS",
    "DEFAULT_VOCABULARY",
    "AssetRegister",
    "LocationResult",
    "Locator",
    "OutsideCountyError",
    "Vocabulary",
    "locate",
    "locate_assets",
    "locate_many",
    "lookup_postcodes",
    "normalise_postcode",
    "read_assets",
    "read_postcode_directory",
]
