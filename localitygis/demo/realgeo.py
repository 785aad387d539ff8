"""The real Herefordshire small areas bundled for the demo (``localitygis/data/realgeo``).

:func:`derive_small_areas` makes the bundled copy from the files as published (ONS / OS
boundaries via UK-GeoJSON, in CRS84; the IoD2019 tables cut to the county's 116 LSOAs), so the
demo works on a machine without them; :func:`load_small_areas` reads it back.

The copy holds one polygon layer, the 640 2011 Output Areas in EPSG:27700 with coordinates
rounded to 0.1 m, each tagged with the LSOA and the 2013 ward it belongs to; the LSOAs and
wards are stored as name tables and rebuilt as unions of their OAs:

- every OA lies in one LSOA (at least 99.9998 % of its area: they nest, as ONS designed them);
- OAs do not nest exactly in the 2013 wards (the wards were drawn later and generalised
  differently), so each OA goes to the ward holding most of its area, the ONS *best-fit*
  rule. The demo's wards are these best-fit wards; :func:`derive_small_areas` measures how
  far they are from the published ones and writes the figures into the copy's README.

The OAs are kept as published apart from the rounding, so the one invalid polygon
(E00070889, a ring self-intersection) is still invalid: the demo repairs it, and counts the
repair, as it would for any user's file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from localitygis.crs import BNG
from localitygis.errors import InputFileError

__all__ = [
    "IMD_FILE",
    "POPULATION_FILE",
    "SMALL_AREAS_FILE",
    "SmallAreas",
    "derive_small_areas",
    "load_small_areas",
    "pinned_file_date",
]

SMALL_AREAS_FILE = "herefordshire_small_areas.gpkg"
IMD_FILE = "File_1_-_IMD2019_Index_of_Multiple_Deprivation_herefordshire.csv"
POPULATION_FILE = "File_6_-_IoD2019_Population_Denominators_herefordshire.csv"
_SOURCES = {
    "oa": "herefordshire_oa_2011.geojson",
    "lsoa": "herefordshire_lsoa_2011.geojson",
    "ward": "herefordshire_wards_2013.geojson",
}
#: GeoPackages record a "last changed" time; pin it so regenerated files are byte-identical.
FILE_DATE = "2011-03-27T00:00:00Z"
#: Coordinates of the bundled copy are multiples of this (metres).
PRECISION = 0.1
#: IoD2019 File 6 headers → short names.
POPULATION_COLUMNS = {
    "LSOA code (2011)": "LSOA11CD",
    "Total population: mid 2015 (excluding prisoners)": "population",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)": "aged_0_15",
    "Population aged 16-59: mid 2015 (excluding prisoners)": "aged_16_59",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)": "aged_60_plus",
}
#: IoD2019 File 1 headers → short names.
IMD_COLUMNS = {
    "LSOA code (2011)": "LSOA11CD",
    "LSOA name (2011)": "LSOA11NM",
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
}


@dataclass(frozen=True)
class SmallAreas:
    """The bundled real small areas (geometry in EPSG:27700).

    Attributes
    ----------
    output_areas : geopandas.GeoDataFrame
        ``OA11CD``, ``LSOA11CD``, ``WD13CD`` and geometry, as published (one polygon invalid).
    lsoas : pandas.DataFrame
        ``LSOA11CD``, ``LSOA11NM``, ``imd_rank``, ``imd_decile``, ``population``,
        ``aged_0_15``, ``aged_16_59``, ``aged_60_plus`` (IoD2019 Files 1 and 6).
    wards : pandas.DataFrame
        ``WD13CD``, ``WD13NM``.
    """

    output_areas: gpd.GeoDataFrame
    lsoas: pd.DataFrame
    wards: pd.DataFrame


def _bundled() -> Path:
    return Path(str(resources.files("localitygis").joinpath("data", "realgeo")))


def load_small_areas(directory: str | Path | None = None) -> SmallAreas:
    """Read the bundled copy of the real Herefordshire small areas.

    Parameters
    ----------
    directory : str or path-like, optional
        Where :func:`derive_small_areas` wrote the copy; the package's own by default.

    Returns
    -------
    SmallAreas

    Raises
    ------
    InputFileError
        If a file of the copy is missing.

    Examples
    --------
    >>> small = load_small_areas()
    >>> len(small.output_areas), len(small.lsoas), len(small.wards)
    (640, 116, 40)
    >>> int(small.lsoas["population"].sum())
    188522
    """
    folder = _bundled() if directory is None else Path(directory)
    missing = [
        n for n in (SMALL_AREAS_FILE, IMD_FILE, POPULATION_FILE) if not (folder / n).is_file()
    ]
    if missing:
        raise InputFileError(
            f"{folder} lacks {', '.join(missing)}; derive the copy with "
            "`python -m localitygis.demo --small-areas SOURCE_DIR`."
        )
    gpkg = folder / SMALL_AREAS_FILE
    oas = pyogrio.read_dataframe(gpkg, layer="output_areas")
    wards = pyogrio.read_dataframe(gpkg, layer="wards", read_geometry=False)
    imd = _iod_table(folder / IMD_FILE, IMD_COLUMNS)
    population = _iod_table(folder / POPULATION_FILE, POPULATION_COLUMNS)
    lsoas = imd.merge(population, on="LSOA11CD", how="outer", validate="one_to_one")
    return SmallAreas(oas.to_crs(BNG), lsoas, pd.DataFrame(wards))


def _iod_table(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Read an IoD2019 file as published (BOM, long headers, ``"1,296"``), short names."""
    table = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    table = table[list(columns)].rename(columns=columns)
    for column in table.columns:
        if column not in ("LSOA11CD", "LSOA11NM"):
            digits = table[column].str.replace(",", "", regex=False)
            table[column] = pd.to_numeric(digits, errors="raise").astype("int64")
    return table


# --------------------------------------------------------------------------------------
# Derivation


def derive_small_areas(source: str | Path, out: str | Path | None = None) -> dict[str, float]:
    """Derive the bundled copy from the real files as published.

    Parameters
    ----------
    source : str or path-like
        Folder with ``herefordshire_oa_2011.geojson``, ``herefordshire_lsoa_2011.geojson``,
        ``herefordshire_wards_2013.geojson`` and the two IoD2019 county extracts.
    out : str or path-like, optional
        Where to write (the package's ``data/realgeo`` by default).

    Returns
    -------
    dict of str to float
        The measured facts written into the README (areas, nesting, best-fit figures).
    """
    source, folder = Path(source), _bundled() if out is None else Path(out)
    published = {k: _read_boundaries(source / name) for k, name in _SOURCES.items()}
    oas = published["oa"][["OA11CD", "geometry"]].copy()
    oas["geometry"] = shapely.transform(
        oas.geometry.values, lambda c: np.round(c / PRECISION) * PRECISION
    )
    lsoa, lsoa_share = _best_fit(oas, published["lsoa"], "LSOA11CD")
    ward, ward_share = _best_fit(oas, published["ward"], "WD13CD")
    oas.insert(1, "LSOA11CD", lsoa)
    oas.insert(2, "WD13CD", ward)
    facts = _facts(oas, published, lsoa_share, ward_share)
    folder.mkdir(parents=True, exist_ok=True)
    _write_gpkg(folder / SMALL_AREAS_FILE, oas, published["ward"][["WD13CD", "WD13NM"]])
    for name in (IMD_FILE, POPULATION_FILE):
        shutil.copyfile(source / name, folder / name)
    (folder / "README.md").write_text(_readme(facts), encoding="utf-8")
    return facts


def _read_boundaries(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise InputFileError(f"{path} not found: give the folder of the real files as published.")
    frame = pyogrio.read_dataframe(path)
    if frame.crs is None:
        raise InputFileError(f"{path} has no CRS; expected CRS84 GeoJSON as published.")
    return frame.to_crs(BNG)


def _best_fit(
    oas: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, code: str
) -> tuple[np.ndarray, np.ndarray]:
    """Code of the area holding most of each OA, and the share of the OA it holds."""
    geoms = shapely.make_valid(oas.geometry.values)
    tree = shapely.STRtree(areas.geometry.values)
    oa_index, area_index = tree.query(geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[oa_index], areas.geometry.values[area_index]))
    pairs = pd.DataFrame({"oa": oa_index, "area": area_index, "overlap": overlap})
    best = pairs.sort_values(["oa", "overlap", "area"], ascending=[True, False, True])
    best = best.drop_duplicates("oa").set_index("oa").reindex(range(len(oas)))
    share = best["overlap"].to_numpy() / shapely.area(geoms)
    return areas[code].to_numpy()[best["area"].to_numpy()], share


def _facts(
    oas: gpd.GeoDataFrame,
    published: dict[str, gpd.GeoDataFrame],
    lsoa_share: np.ndarray,
    ward_share: np.ndarray,
) -> dict[str, float]:
    valid = shapely.make_valid(oas.geometry.values)
    wards = oas.assign(geometry=valid).dissolve("WD13CD").sort_index()
    real = published["ward"].set_index("WD13CD").sort_index()
    moved = shapely.area(shapely.symmetric_difference(wards.geometry.values, real.geometry.values))
    return {
        "oa_area_km2": float(shapely.area(valid).sum() / 1e6),
        "lsoa_area_km2": float(published["lsoa"].area.sum() / 1e6),
        "ward_area_km2": float(published["ward"].area.sum() / 1e6),
        "invalid_oas": float((~shapely.is_valid(oas.geometry.values)).sum()),
        "lsoa_min_share": float(lsoa_share.min()),
        "ward_min_share": float(ward_share.min()),
        "oas_over_1pct_outside_ward": float((ward_share < 0.99).sum()),
        "ward_moved_km2": float(moved.sum() / 2e6),
    }


@contextmanager
def pinned_file_date() -> Iterator[None]:
    """Write GeoPackages stamped with :data:`FILE_DATE` (so they are reproducible)."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FILE_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _write_gpkg(path: Path, oas: gpd.GeoDataFrame, wards: pd.DataFrame) -> None:
    with pinned_file_date():
        _write_layers(path, oas, wards)


def _write_layers(path: Path, oas: gpd.GeoDataFrame, wards: pd.DataFrame) -> None:
    temporary = path.with_name(f".{path.stem}.tmp{path.suffix}")
    temporary.unlink(missing_ok=True)
    options = {"SPATIAL_INDEX": "NO"}
    pyogrio.write_dataframe(oas, temporary, layer="output_areas", driver="GPKG",
                            layer_options=options)  # fmt: skip
    pyogrio.write_dataframe(
        pd.DataFrame(wards).sort_values("WD13CD").reset_index(drop=True),
        temporary,
        layer="wards",
        driver="GPKG",
        append=True,
    )
    temporary.replace(path)


_GPKG_CONTENTS = (
    "layer `output_areas`: the 640 2011 Output Areas (`OA11CD`, `LSOA11CD`, `WD13CD`), "
    f"EPSG:27700, coordinates rounded to {PRECISION} m; table `wards`: the 40 2013 wards "
    "(`WD13CD`, `WD13NM`)"
)


def _readme(facts: dict[str, float]) -> str:
    return f"""# Real Herefordshire small areas (bundled for the demo county)

Derived by `python -m localitygis.demo --small-areas SOURCE_DIR` (which calls
`localitygis.demo.realgeo.derive_small_areas`) from the files as published; do not edit by hand.

| file | contents |
|---|---|
| `{SMALL_AREAS_FILE}` | {_GPKG_CONTENTS} |
| `{IMD_FILE}` | IMD 2019 rank and decile of the 116 LSOAs, as published |
| `{POPULATION_FILE}` | mid-2015 population and age bands of the 116 LSOAs, as published |

Measured at derivation:

- the OAs cover {facts["oa_area_km2"]:,.1f} km² (published LSOAs {facts["lsoa_area_km2"]:,.1f} km²,
  wards {facts["ward_area_km2"]:,.1f} km²); {facts["invalid_oas"]:.0f} OA polygon is invalid as
  published and is kept so (the demo repairs it and counts the repair);
- LSOAs nest: every OA has at least {100 * facts["lsoa_min_share"]:.4f} % of its area in its
  LSOA, so an LSOA is the union of its OAs;
- wards do not nest exactly: each OA is given to the ward holding most of its area (ONS best
  fit); the worst OA has {100 * facts["ward_min_share"]:.1f} % in its ward,
  {facts["oas_over_1pct_outside_ward"]:.0f} OAs have more than 1 % outside it, and the best-fit
  wards differ from the published ones by {facts["ward_moved_km2"]:.2f} km² in all.

Attribution (carried into every demo output):

- Contains OS data © Crown copyright and database right. Source: Office for National
  Statistics licensed under the Open Government Licence v3.0 (OS OpenData terms apply).
- Boundary GeoJSON: UK-GeoJSON by Martin Chorley, CC BY 4.0.
- English Indices of Deprivation 2019, Ministry of Housing, Communities and Local Government,
  Open Government Licence v3.0.
"""
