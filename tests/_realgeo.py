"""Find the real Herefordshire boundary files (``../shared/realgeo`` beside the repo root).

The files are published data kept outside the repository (see their README). Tests that
need them call :func:`require_realgeo`: without the folder they skip with a clear note,
except in CI (``CI`` set), where a missing folder fails the run, as missing browsers do
with ``LOCALITYGIS_REQUIRE_BROWSER``. ``LOCALITYGIS_REALGEO`` names another folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The published total area of the OAs, LSOAs and wards, km² (EPSG:27700; the README).
PUBLISHED_AREA_KM2 = 2179.7

OA = "herefordshire_oa_2011.geojson"
LSOA = "herefordshire_lsoa_2011.geojson"
WARDS = "herefordshire_wards_2013.geojson"


def realgeo_dir() -> Path | None:
    """Return the real-data folder, or None when it is not there."""
    named = os.environ.get("LOCALITYGIS_REALGEO")
    candidate = Path(named) if named else ROOT.parent / "shared" / "realgeo"
    return candidate if (candidate / WARDS).exists() else None


def require_realgeo() -> Path:
    """Return the real-data folder, or skip (fail in CI) when it is missing."""
    folder = realgeo_dir()
    if folder is None:
        where = os.environ.get("LOCALITYGIS_REALGEO") or str(ROOT.parent / "shared" / "realgeo")
        message = f"real boundary files not found at {where} (set LOCALITYGIS_REALGEO)"
        if os.environ.get("CI"):
            pytest.fail(f"real-data tests are required in CI, but {message}")
        pytest.skip(message)
    return folder
