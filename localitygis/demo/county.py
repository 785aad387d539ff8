"""The demo county: real Herefordshire geography with generated parishes, for trying localitygis.

The demo is part real, part generated, and every output says which part is which:

- **real** (bundled in ``localitygis/data/realgeo``, see :mod:`localitygis.demo.realgeo`): the
  county outline (the union of the 640 2011 Output Areas, 2,179.7 km²), the 40 2013 wards
  (best fit on the OAs), the 116 LSOAs with their IMD 2019 rank and decile, the mid-2015
  populations and age bands (IoD2019), the 14 secondary school sites and the asset names;
- **generated** (deterministically: fixed seeds, no dependence on dict or set order): the
  parish boundaries (around the 203 real parish places, tiling every ward, see
  :mod:`localitygis.demo.parishes`), the catchment boundaries (from the school sites, see
  :mod:`localitygis.demo.catchments`), the asset positions and the postcode directory.

Layers and tables:

- ``county`` (the outline), ``wards``, ``lsoas``, ``output_areas`` (real, with populations);
- ``parishes``: 203 polygons tiling the county exactly, with ONS-style fields ``PAR21CD``
  (synthetic codes E04009001…), ``PAR21NM``, ``population`` and the age bands ``aged_0_15``,
  ``aged_16_59``, ``aged_60_plus``, apportioned from the real LSOAs through the OAs
  (:mod:`localitygis.demo.population`): 188,522 people in all;
- ``catchments``: the 14 catchments, a few parishes split between two;
- ``schools`` (points), ``lookup`` (``parish_code``, ``catchment``: the intended assignment);
- ``assets``: an asset register whose positions come by every route (easting/northing,
  latitude/longitude only, postcode only), and ``postcodes``, a synthetic postcode directory;
- ``population_points``: one point per piece of an OA in a parish, with the piece's people
  (the OA's apportioned to its parts by area, as the parishes' populations are), so the
  points in each parish add up to its population;
- ``repairs``: the OA polygons repaired on the way (one is invalid as published).

Every table carries a ``data_source`` column and ``attrs["provenance"]`` set to
:data:`localitygis.provenance.DEMO` (the demo notice and the real data's attributions). The
committed files live in ``boundaries/demo`` (regenerate them with ``python -m localitygis.demo``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from localitygis.crs import BNG
from localitygis.demo.catchments import Split, assign_catchments, choose_splits
from localitygis.demo.facts import Facts, load_facts
from localitygis.demo.geometry import dissolve_pieces, make_field
from localitygis.demo.layers import RealLayers, real_layers
from localitygis.demo.parishes import (
    OVERSHOOT,
    Seeds,
    cut_pieces,
    locate,
    parish_faces,
    place_in_wards,
    ward_owners,
)
from localitygis.demo.population import AGE_BANDS, apportion
from localitygis.demo.realgeo import derive_small_areas, load_small_areas, pinned_file_date
from localitygis.demo.register import build_register
from localitygis.errors import GeometryError, InputFileError
from localitygis.io import atomic_path, neutralise_formulas
from localitygis.provenance import DEMO, DEMO_NOTICE, with_provenance

__all__ = [
    "DATA_SOURCE",
    "REAL_SOURCE",
    "DemoCounty",
    "demo_dir",
    "generate_demo",
    "load_demo",
    "write_demo",
]

log = logging.getLogger(__name__)

#: The ``data_source`` value on every row of every generated demo table.
DATA_SOURCE = "generated demo data (localitygis.demo)"
#: The ``data_source`` value on the demo's real layers (wards, LSOAs, OAs, the outline).
REAL_SOURCE = (
    "real data in the demo county (localitygis.demo): ONS / OS 2011 small areas and 2013 wards "
    "via UK-GeoJSON, IoD2019 mid-2015 populations and IMD 2019"
)

COUNTY_NAME = "Demo Herefordshire (real outline, generated parishes)"
#: Parish edges inside a ward: smooth wiggle from hundreds of metres to kilometres.
PARISH_WIGGLE = ((4_000, 120), (2_000, 60), (1_000, 32), (500, 14))

GPKG_NAME = "demo_county.gpkg"
GPKG_LAYERS = (
    "county",
    "wards",
    "lsoas",
    "output_areas",
    "parishes",
    "catchments",
    "schools",
    "population_points",
)
REPAIRS_LAYER = "repaired_geometries"
LOOKUP_NAME = "parish_catchment_lookup.csv"
ASSETS_NAME = "asset_register.csv"
POSTCODES_NAME = "postcode_directory.csv"
#: The demo road network's file name (written by :mod:`localitygis.demo.roads`).
ROADS_NAME = "demo_roads.gpkg"
README_NAME = "README.md"
_ASSET_TEXT = (
    "asset_id",
    "name",
    "category",
    "partner",
    "sector",
    "place",
    "postcode",
    "data_source",
)
_COUNTS = ["population", *AGE_BANDS]


@dataclass(frozen=True)
class DemoCounty:
    """The demo county (all geometry in EPSG:27700).

    Attributes
    ----------
    county : geopandas.GeoDataFrame
        One row: ``name``, ``area_km2``, ``population``, ``data_source``, geometry (real).
    wards, lsoas, output_areas : geopandas.GeoDataFrame
        The real small areas: ``WD13CD``/``WD13NM``; ``LSOA11CD``/``LSOA11NM``, ``imd_rank``,
        ``imd_decile``; ``OA11CD``, ``LSOA11CD``, ``WD13CD``; each with ``population`` and
        the age bands, and ``data_source``.
    parishes : geopandas.GeoDataFrame
        ``PAR21CD``, ``PAR21NM``, ``population``, ``aged_0_15``, ``aged_16_59``,
        ``aged_60_plus``, ``data_source``, geometry (ONS-style; boundaries generated).
    catchments : geopandas.GeoDataFrame
        ``catchment``, ``school``, ``data_source``, geometry.
    schools : geopandas.GeoDataFrame
        ``school``, ``catchment``, ``locality``, ``data_source``, geometry (points).
    lookup : pandas.DataFrame
        ``parish_code``, ``catchment``, ``data_source``: the intended parish → catchment table.
    assets : pandas.DataFrame
        The asset register: ``asset_id``, ``name``, ``category``, ``partner``, ``sector``,
        ``place`` (the parish it stands in), ``postcode``, ``easting``, ``northing``,
        ``latitude``, ``longitude``, ``annual_cost``, ``floor_area_m2``, ``data_source``.
    postcodes : pandas.DataFrame
        ONS Postcode Directory shape: ``pcd``, ``pcd2``, ``pcds``, ``oseast1m``,
        ``osnrth1m``, ``lat``, ``long``, ``parish`` (parish code), ``data_source``.
    population_points : geopandas.GeoDataFrame
        ``area_code`` (the OA), ``parish_code`` (the parish holding the point),
        ``population``, the age bands, ``data_source``, geometry (points, one per part of
        an OA in a parish; they add up to the parishes' populations).
    repairs : pandas.DataFrame
        The OA polygons repaired (``layer``, ``row``, ``feature``, ``problem``,
        ``area_before_m2``, ``area_after_m2``), as in a build's quality report.
    """

    county: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    lsoas: gpd.GeoDataFrame
    output_areas: gpd.GeoDataFrame
    parishes: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame
    lookup: pd.DataFrame
    assets: pd.DataFrame
    postcodes: pd.DataFrame
    population_points: gpd.GeoDataFrame
    repairs: pd.DataFrame


# --------------------------------------------------------------------------------------
# Generation


@dataclass(frozen=True)
class _Coverage:
    """Pieces (each in one OA and one parish) and what they belong to."""

    pieces: np.ndarray
    oa: np.ndarray
    parish: np.ndarray
    catchment: np.ndarray


def generate_demo() -> DemoCounty:
    """Generate the demo county in memory (deterministic: the same result on every run).

    Takes a few seconds. Use :func:`load_demo` to read the committed copy instead.

    Returns
    -------
    DemoCounty
        Every frame labelled as demo data (``data_source`` column and
        ``attrs["provenance"]``).

    Raises
    ------
    GeometryError
        If the generated coverage failed its own validity checks (a bug, please report it).

    Examples
    --------
    >>> demo = generate_demo()
    >>> len(demo.parishes), demo.catchments["catchment"].nunique(), len(demo.output_areas)
    (203, 14, 640)
    >>> int(demo.parishes["population"].sum())
    188522
    >>> bool(demo.parishes.geometry.is_valid_coverage())
    True
    >>> demo.parishes.attrs["provenance"].is_demo
    True
    """
    facts = load_facts()
    real = real_layers(load_small_areas())
    names = facts.places["parish_name"].tolist()
    codes = [f"E04{9001 + i:06d}" for i in range(len(names))]
    wards = real.wards.geometry.to_numpy()
    places, place_ward, moves = place_in_wards(
        facts.places[["easting", "northing"]].to_numpy(float), wards
    )
    for move in moves:
        log.info("demo: %s moved inside the county to %s", names[move.place], move.after)
    coverage, home = _coverage(facts, names, real, places, place_ward)
    people = apportion(
        real.output_areas.set_index(pd.RangeIndex(len(real.output_areas)))[_COUNTS],
        pd.Series(coverage.oa),
        shapely.area(coverage.pieces),
    )
    parish_geometry = dissolve_pieces(coverage.pieces, coverage.parish, len(names))
    catchment_geometry = dissolve_pieces(coverage.pieces, coverage.catchment, len(facts.schools))
    _check_coverage(parish_geometry, "parish")
    _check_coverage(catchment_geometry, "catchment")
    counts = people.groupby(coverage.parish).sum().reindex(range(len(names)), fill_value=0)
    parishes = _frame(
        {"PAR21CD": codes, "PAR21NM": names, **{c: counts[c].to_numpy() for c in _COUNTS}},
        parish_geometry,
    )
    assets, postcodes, truth = build_register(
        facts, names, codes, parish_geometry, places, data_source=DATA_SOURCE
    )
    _check_assets(truth, parish_geometry)
    return DemoCounty(
        county=_county(real),
        wards=_real(real.wards),
        lsoas=_real(real.lsoas),
        output_areas=_real(real.output_areas),
        parishes=parishes,
        catchments=_catchments(facts, catchment_geometry),
        schools=_schools(facts),
        lookup=_table(
            {
                "parish_code": codes,
                "catchment": facts.schools["catchment"].to_numpy()[home].tolist(),
            }
        ),
        assets=with_provenance(assets, DEMO),
        postcodes=with_provenance(postcodes, DEMO),
        population_points=_population_points(coverage, people, real, codes),
        repairs=with_provenance(real.repairs.copy(), DEMO),
    )


def _coverage(
    facts: Facts, names: list[str], real: RealLayers, places: np.ndarray, place_ward: np.ndarray
) -> tuple[_Coverage, np.ndarray]:
    """Cut the OAs into pieces by parish and catchment; also return each parish's catchment."""
    wards = real.wards.geometry.to_numpy()
    seeds = _seeds(facts, names, places, place_ward, wards)
    towns = np.array([names.index(t) for t in facts.towns["parish_name"]], dtype=np.int64)
    owner = ward_owners(wards, place_ward, places, towns)
    faces, face_parish, lines = parish_faces(
        wards, seeds, owner, make_field("parish", PARISH_WIGGLE), places
    )
    oas = real.output_areas.geometry.to_numpy()
    pieces, _ = cut_pieces(oas, lines)
    parishes = dissolve_pieces(
        pieces, face_parish[locate(faces, shapely.point_on_surface(pieces))], len(names)
    )
    home = assign_catchments(facts, places, parishes)
    splits = choose_splits(facts, names, parishes, home)
    cuts = [shapely.intersection(s.line, parishes[s.parish].buffer(OVERSHOOT)) for s in splits]
    pieces, piece_oa = cut_pieces(oas, np.array([*lines, *cuts], dtype=object))
    inner = shapely.point_on_surface(pieces)
    piece_parish = face_parish[locate(faces, inner)]
    catchment = _catchment_of(piece_parish, inner, home, splits)
    return _Coverage(pieces, piece_oa, piece_parish, catchment), home


def _catchment_of(
    parish: np.ndarray, inner: np.ndarray, home: np.ndarray, splits: list[Split]
) -> np.ndarray:
    catchment = home[parish].copy()
    for split in splits:
        far = (parish == split.parish) & split.far_side(inner)
        catchment[far] = split.other
    return catchment


def _seeds(
    facts: Facts, names: list[str], places: np.ndarray, place_ward: np.ndarray, wards: np.ndarray
) -> Seeds:
    """Every parish place, and each surveyed asset site lying in its place's ward.

    A surveyed asset's seed belongs to its own parish, so the asset stands in it.
    """
    index = {name: i for i, name in enumerate(names)}
    known = facts.known_assets.dropna(subset=["easting", "northing"])
    extra = known[["easting", "northing"]].to_numpy(float)
    extra_parish = np.array([index[p] for p in known["place"]], dtype=np.int64)
    extra_ward = locate(wards, shapely.points(extra))
    keep = extra_ward == place_ward[extra_parish]
    return Seeds(
        np.vstack([places, extra[keep]]),
        np.concatenate([np.arange(len(names)), extra_parish[keep]]).astype(np.int64),
        np.concatenate([place_ward, extra_ward[keep]]).astype(np.int64),
    )


def _check_coverage(geometry: np.ndarray, what: str) -> None:
    problems = []
    if not shapely.is_valid(geometry).all():
        problems.append(f"{int((~shapely.is_valid(geometry)).sum())} invalid {what} polygon(s)")
    if not shapely.coverage_is_valid(geometry):
        problems.append(f"the {what} coverage has gaps or overlaps")
    if shapely.is_empty(geometry).any():
        problems.append(f"{int(shapely.is_empty(geometry).sum())} empty {what} polygon(s)")
    if problems:
        raise GeometryError(f"demo generator: {'; '.join(problems)} (a bug, please report it).")


def _check_assets(truth: pd.DataFrame, parishes: np.ndarray) -> None:
    points = shapely.points(truth[["x", "y"]].to_numpy(float))
    inside = shapely.contains(parishes[truth["parish"].to_numpy()], points)
    if not inside.all():
        raise GeometryError(
            f"demo generator: {int((~inside).sum())} asset(s) outside their parish (a bug)."
        )


def _population_points(
    coverage: _Coverage, people: pd.DataFrame, real: RealLayers, codes: list[str]
) -> gpd.GeoDataFrame:
    """One point per part of an OA in a parish, with that part's people, inside the part.

    ``people`` is each piece's share of its OA's people (apportioned by area, as the
    parishes' populations are), so the points in a parish add up to its population; parts
    with nobody apportioned get no point.
    """
    parts = people.assign(oa=coverage.oa, parish=coverage.parish)
    by_part = parts.groupby(["oa", "parish"], sort=True)[_COUNTS].sum()
    by_part = by_part[by_part["population"] > 0]
    piece = pd.Series(np.arange(len(coverage.oa))).groupby([coverage.oa, coverage.parish])
    members = piece.apply(list)
    geometry = [
        shapely.point_on_surface(shapely.coverage_union_all(coverage.pieces[members.loc[key]]))
        for key in by_part.index
    ]
    oa, parish = (by_part.index.get_level_values(level).to_numpy() for level in (0, 1))
    columns = {
        "area_code": real.output_areas["OA11CD"].to_numpy()[oa],
        "parish_code": np.asarray(codes)[parish],
        **{c: by_part[c].to_numpy() for c in _COUNTS},
    }
    return _frame(columns, np.array(geometry, dtype=object))


def _county(real: RealLayers) -> gpd.GeoDataFrame:
    frame = _frame(
        {
            "name": [COUNTY_NAME],
            "area_km2": [round(float(real.outline.area) / 1e6, 3)],
            "population": [int(real.output_areas["population"].sum())],
        },
        np.array([real.outline], dtype=object),
    )
    frame["data_source"] = REAL_SOURCE
    return frame


def _catchments(facts: Facts, geometry: np.ndarray) -> gpd.GeoDataFrame:
    columns = {c: facts.schools[c].tolist() for c in ("catchment", "school")}
    return _frame(columns, geometry)


def _schools(facts: Facts) -> gpd.GeoDataFrame:
    return _frame(
        {c: facts.schools[c].tolist() for c in ("school", "catchment", "locality")},
        shapely.points(facts.schools[["easting", "northing"]].to_numpy(float)),
    )


def _real(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Label a real layer; mixed Polygon / MultiPolygon become all MultiPolygon, as in a file."""
    frame = layer.copy()
    geometry = frame.geometry.to_numpy()
    if len(set(shapely.get_type_id(geometry))) > 1:
        parts = [shapely.get_parts(g) for g in geometry]
        frame[frame.geometry.name] = gpd.GeoSeries(
            [shapely.multipolygons(p) for p in parts], index=frame.index, crs=frame.crs
        )
    frame.insert(len(frame.columns) - 1, "data_source", REAL_SOURCE)
    return with_provenance(frame, DEMO)


def _frame(columns: dict[str, object], geometry: np.ndarray) -> gpd.GeoDataFrame:
    data = pd.DataFrame(columns)
    data["data_source"] = DATA_SOURCE
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs=BNG).values, crs=BNG)
    return with_provenance(frame, DEMO)


def _table(columns: dict[str, object]) -> pd.DataFrame:
    data = pd.DataFrame(columns)
    data["data_source"] = DATA_SOURCE
    return with_provenance(data, DEMO)


# --------------------------------------------------------------------------------------
# Files


def demo_dir() -> Path:
    """Return the repository's ``boundaries/demo`` folder (found relative to the package).

    In an installed (non-editable) package the folder may not exist; :func:`load_demo`
    then generates the county in memory.

    Examples
    --------
    >>> demo_dir().name
    'demo'
    """
    return Path(__file__).resolve().parents[2] / "boundaries" / "demo"


def write_demo(
    out_dir: str | os.PathLike[str], *, demo: DemoCounty | None = None
) -> dict[str, Path]:
    """Write the demo county files into ``out_dir`` (replacing any that exist).

    Each file is written to a temporary name first and renamed when whole.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write into (created if needed).
    demo : DemoCounty, optional
        What to write; generated afresh when not given.

    Returns
    -------
    dict of str to pathlib.Path
        ``"geopackage"`` (layers county, wards, lsoas, output_areas, parishes, catchments,
        schools, population_points and the table repaired_geometries), ``"lookup"``,
        ``"assets"``, ``"postcodes"``, ``"roads"`` (the generated road network,
        :func:`localitygis.demo.roads.write_demo_roads`) and ``"readme"``.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_demo(tempfile.mkdtemp(), demo=load_demo())
    >>> sorted(paths)
    ['assets', 'geopackage', 'lookup', 'postcodes', 'readme', 'roads']
    >>> paths["geopackage"].name
    'demo_county.gpkg'
    """
    from localitygis.demo.roads import write_demo_roads  # roads.py imports this module

    demo = generate_demo() if demo is None else demo
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"geopackage": _write_gpkg(folder / GPKG_NAME, demo)}
    for key, name, table in (
        ("lookup", LOOKUP_NAME, demo.lookup),
        ("assets", ASSETS_NAME, demo.assets),
        ("postcodes", POSTCODES_NAME, demo.postcodes),
    ):
        paths[key] = folder / name
        with atomic_path(paths[key]) as temporary:
            _write_table(table, temporary)
    paths["roads"] = write_demo_roads(folder)
    paths["readme"] = folder / README_NAME
    with atomic_path(paths["readme"]) as temporary:
        temporary.write_text(_readme(demo), encoding="utf-8")
    return paths


def _write_gpkg(path: Path, demo: DemoCounty) -> Path:
    """Write the demo GeoPackage's layers and its repairs table, whole or not at all."""
    metadata = {
        "attribution": DEMO.attribution,
        "is_demo": "true",
        "generator": "localitygis.demo.generate_demo",
        "data_source": DATA_SOURCE,
    }
    with pinned_file_date(), atomic_path(path) as temporary:
        for layer in GPKG_LAYERS:
            pyogrio.write_dataframe(
                getattr(demo, layer),
                temporary,
                layer=layer,
                driver="GPKG",
                append=temporary.exists(),
                layer_metadata=metadata,
                layer_options={
                    "DESCRIPTION": f"{layer}: {DEMO_NOTICE}",
                    "IDENTIFIER": f"demo {layer}",
                    "SPATIAL_INDEX": "NO",
                },
            )
        pyogrio.write_dataframe(
            pd.DataFrame(demo.repairs),
            temporary,
            layer=REPAIRS_LAYER,
            driver="GPKG",
            append=True,
            layer_metadata=metadata,
            layer_options={"DESCRIPTION": f"OA polygons repaired: {DEMO_NOTICE}"},
        )
    return path


def load_demo(directory: str | os.PathLike[str] | None = None) -> DemoCounty:
    """Read the demo county from its files, or generate it when the files are not there.

    Parameters
    ----------
    directory : str or path-like, optional
        Where :func:`write_demo` put the files; :func:`demo_dir` by default. If any file is
        missing (e.g. in an installed package without the repository's ``boundaries``
        folder) the county is generated in memory instead.

    Returns
    -------
    DemoCounty

    Raises
    ------
    InputFileError
        If ``directory`` was given explicitly and files are missing from it.

    Examples
    --------
    >>> demo = load_demo()
    >>> demo.parishes.crs.to_epsg(), len(demo.schools), len(demo.wards)
    (27700, 14, 40)
    """
    folder = demo_dir() if directory is None else Path(directory)
    names = (GPKG_NAME, LOOKUP_NAME, ASSETS_NAME, POSTCODES_NAME)
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        if directory is not None:
            raise InputFileError(
                f"{folder} has no demo county file(s) {', '.join(missing)}; write them with "
                "localitygis.demo.write_demo(folder) or `python -m localitygis.demo FOLDER`."
            )
        log.info("demo files not found in %s; generating the demo county in memory", folder)
        return generate_demo()
    gpkg = folder / GPKG_NAME
    layers = {}
    for layer in GPKG_LAYERS:
        frame = pyogrio.read_dataframe(gpkg, layer=layer)
        layers[layer] = with_provenance(frame.to_crs(BNG) if frame.crs else frame, DEMO)
    repairs = pd.DataFrame(pyogrio.read_dataframe(gpkg, layer=REPAIRS_LAYER, read_geometry=False))
    return DemoCounty(
        **layers,
        lookup=with_provenance(_read_text(folder / LOOKUP_NAME), DEMO),
        assets=with_provenance(_read_assets(folder / ASSETS_NAME), DEMO),
        postcodes=with_provenance(_read_postcodes(folder / POSTCODES_NAME), DEMO),
        repairs=with_provenance(repairs, DEMO),
    )


def _read_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype="str", keep_default_na=False)


def _read_assets(path: Path) -> pd.DataFrame:
    numbers = ("easting", "northing", "latitude", "longitude", "annual_cost", "floor_area_m2")
    return pd.read_csv(
        path, dtype=dict.fromkeys(numbers, "float64"), converters=dict.fromkeys(_ASSET_TEXT, str)
    )


def _read_postcodes(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path,
        dtype={"oseast1m": "int64", "osnrth1m": "int64", "lat": "float64", "long": "float64"},
        converters=dict.fromkeys(("pcd", "pcd2", "pcds", "parish", "data_source"), str),
    )


def _write_table(table: pd.DataFrame, tmp: Path) -> None:
    neutralise_formulas(table).to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")


def _readme(demo: DemoCounty) -> str:
    parishes = demo.parishes
    counts = demo.assets["category"].value_counts().sort_index()
    area = float(demo.county["area_km2"].iloc[0])
    layers = (
        f"real layers `county` (1 polygon, {area:,.1f} km², the union of the 2011 Output "
        f"Areas), `wards` ({len(demo.wards)} 2013 wards, best fit on the OAs), `lsoas` "
        f"({len(demo.lsoas)} 2011 LSOAs with IMD 2019 `imd_rank`, `imd_decile`), "
        f"`output_areas` ({len(demo.output_areas)} 2011 OAs), each with `population` and the "
        "age bands `aged_0_15`, `aged_16_59`, `aged_60_plus`; generated layers `parishes` "
        f"({len(parishes)} polygons with ONS-style `PAR21CD`, `PAR21NM`, `population` and the "
        f"age bands), `catchments` ({len(demo.catchments)} secondary school catchments), "
        f"`schools` ({len(demo.schools)} real sites), `population_points` "
        f"({len(demo.population_points)} points: one per part of an OA in a parish, with "
        "the part's people, adding up to the parishes'); "
        f"table `{REPAIRS_LAYER}` ({len(demo.repairs)} OA polygon(s) repaired); all EPSG:27700"
    )
    assets = f"asset register, {len(demo.assets)} assets: " + ", ".join(
        f"{n} {c}" for c, n in counts.items()
    )
    postcodes = (
        f"synthetic postcode directory ({len(demo.postcodes)} postcodes) in ONS Postcode "
        "Directory shape: `pcd`, `pcd2`, `pcds`, `oseast1m`, `osnrth1m`, `lat`, `long`, "
        "`parish` (parish code)"
    )
    roads = (
        "generated road network in the OS Open Roads layout: layers `road_link` (A, B and "
        "minor roads joining the demo places, with `road_classification`, `road_function`, "
        "`length`, `start_node`, `end_node`) and `road_node`; not the real roads"
    )
    repairs = "; ".join(f"{r.feature} ({r.problem})" for r in demo.repairs.itertuples(index=False))
    lines = [
        "# Demo county — real Herefordshire geography, generated parishes",
        "",
        f"**{DEMO_NOTICE}.**",
        "",
        "Everything in this folder is written by `localitygis.demo.write_demo()` from",
        "`localitygis.demo.generate_demo()`, a deterministic generator (fixed seeds) driven by",
        "the real small areas bundled in `localitygis/data/realgeo/` and small tables of public",
        "facts in `localitygis/data/demo_facts/`. Do not edit these files by hand; regenerate",
        "them with",
        "",
        "```",
        "python -m localitygis.demo            # rewrites boundaries/demo/",
        "python -m localitygis.demo OUT_DIR    # or writes a copy elsewhere",
        "```",
        "",
        "`tests/test_demo.py` regenerates the county and checks that these files agree.",
        "",
        "| file | contents |",
        "|---|---|",
        f"| `{GPKG_NAME}` | {layers} |",
        f"| `{LOOKUP_NAME}` | `parish_code,catchment`: the intended parish → catchment table |",
        f"| `{ASSETS_NAME}` | {assets} |",
        f"| `{POSTCODES_NAME}` | {postcodes} |",
        f"| `{ROADS_NAME}` | {roads} |",
        "",
        "**Real**: the county outline, wards, LSOAs, OAs, their mid-2015 populations and age",
        "bands (IoD2019 population denominators), IMD 2019 ranks and deciles, the school sites",
        "and the asset names. **Generated**: the parish and catchment boundaries, the asset",
        "positions, the postcode directory, and the parish and population-point populations",
        "(real LSOA figures apportioned: each LSOA's age bands split equally over its OAs,",
        "an OA cut by parish boundaries split by area, in whole people by largest remainder).",
        "",
        f"Population {int(parishes['population'].sum()):,} (the real mid-2015 figure). Parishes",
        "tile the county exactly; each lies in one ward, or is a union of whole wards (the city",
        "of Hereford is the seven city wards; Leominster and Ross-on-Wye span both town wards).",
        "Cusop's place point falls just over the Welsh border, so its seed is moved 100 m",
        f"inside the nearest ward. OA polygon(s) repaired: {repairs or 'none'}.",
        "",
        *_locality_table(demo),
        "Parish codes (E04009001…) are synthetic, not real ONS codes. Postcodes use real",
        "outward codes; only those of the libraries and GP practices in the fact tables are",
        "real postcodes, and even their positions here are generated. Every layer and table",
        "has a `data_source` column, and the GeoPackage layers carry the attribution in their",
        "metadata.",
        "",
        "Asset positions come by three routes, as in a real register: most rows give",
        "`easting`/`northing`, about one in ten only `latitude`/`longitude` (WGS84) and about",
        "one in ten only a `postcode` (found in the postcode directory). `annual_cost` is",
        "optional: about one village hall in eight reports none.",
        "",
        "Attribution: Contains OS data © Crown copyright and database right. Source: Office",
        "for National Statistics licensed under the Open Government Licence v3.0 (OS OpenData",
        "terms apply). Boundary GeoJSON: UK-GeoJSON by Martin Chorley, CC BY 4.0. English",
        "Indices of Deprivation 2019, Ministry of Housing, Communities and Local Government,",
        "Open Government Licence v3.0.",
        "",
    ]
    return "\n".join(lines)


def _locality_table(demo: DemoCounty) -> list[str]:
    """List the localities the lookup gives (before any scheme adjustment) as README lines."""
    locality = demo.schools.set_index("catchment")["locality"]
    parishes = demo.parishes.set_index("PAR21CD").loc[demo.lookup["parish_code"]]
    parishes = parishes.assign(locality=demo.lookup["catchment"].map(locality).to_numpy())
    parishes["km2"] = parishes.area / 1e6
    table = parishes.groupby("locality", sort=True).agg(
        parishes=("PAR21NM", "size"), km2=("km2", "sum"), population=("population", "sum")
    )
    lines = [
        "The localities the lookup gives (before a scheme's adjustments):",
        "",
        "| locality | parishes | area km² | population | aged 60+ |",
        "|---|---:|---:|---:|---:|",
    ]
    older = parishes.groupby("locality", sort=True)["aged_60_plus"].sum()
    for name, count, km2, people in table.itertuples():
        lines.append(f"| {name} | {count} | {km2:,.1f} | {people:,} | {older[name] / people:.0%} |")
    return [*lines, ""]


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the demo county files (``python -m localitygis.demo [OUT_DIR]``).

    With ``--small-areas SOURCE`` the bundled copy of the real small areas is first derived
    afresh from the files as published in ``SOURCE``
    (:func:`localitygis.demo.realgeo.derive_small_areas`).
    """
    parser = argparse.ArgumentParser(
        prog="python -m localitygis.demo",
        description="Generate the localitygis demo county (generated demo data) and write it.",
    )
    parser.add_argument(
        "out_dir", nargs="?", default=None, help="folder to write (default: boundaries/demo)"
    )
    parser.add_argument(
        "--small-areas",
        metavar="SOURCE",
        default=None,
        help="first derive localitygis/data/realgeo from the published files in SOURCE",
    )
    args = parser.parse_args(argv)
    if args.small_areas:
        for key, value in derive_small_areas(args.small_areas).items():
            print(f"{key:<28} {value:,.6g}")
    out = Path(args.out_dir) if args.out_dir else demo_dir()
    paths = write_demo(out)
    for key, path in paths.items():
        size = path.stat().st_size / 1024
        print(f"{key:<11} {path}  ({size:,.0f} KB)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
