"""The real Herefordshire small-area files (``../shared/realgeo`` beside the repository root).

Tests that read them skip with a clear note where the folder is missing, except in CI (``CI``
set), which has the files: there a missing folder fails, as the browser tests do with
``LOCALITYGIS_REQUIRE_BROWSER``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

OA = "herefordshire_oa_2011.geojson"
LSOA = "herefordshire_lsoa_2011.geojson"
WARDS = "herefordshire_wards_2013.geojson"
IMD = "File_1_-_IMD2019_Index_of_Multiple_Deprivation_herefordshire.csv"
POPULATION = "File_6_-_IoD2019_Population_Denominators_herefordshire.csv"
IMD_ENGLAND = "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
POPULATION_ENGLAND = "File_6_-_IoD2019_Population_Denominators.csv.gz"

#: Published facts (../shared/realgeo/README.md).
COUNTY_POPULATION = 188_522
COUNTY_AREA_KM2 = 2179.7
ENGLAND_LSOAS = 32_844


def realgeo(name: str = "") -> Path:
    """Return the real-data folder (or a file in it); skip, or fail in CI, when missing."""
    folder = ROOT.parent / "shared" / "realgeo"
    if not (folder / "README.md").is_file():
        message = f"the real small-area files are not at {folder} (../shared/realgeo)"
        if os.environ.get("CI"):
            pytest.fail(f"real-data tests required in CI but {message}")
        pytest.skip(message)
    return folder / name if name else folder
