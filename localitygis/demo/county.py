"""The demo county: a generated stand-in for Herefordshire, for trying every part of localitygis.

Everything here is **generated demo data**, not real boundaries, populations or assets. It is
built deterministically (fixed seeds, no dependence on dict or set order) from small tables
of public facts shipped in ``localitygis/data/demo_facts`` — parish names with a settlement
point, the 14 secondary schools and their catchments, the nine localities, town populations
and 74 known public assets — so it looks and behaves like the real county:

- ``county``: the outline, about 2,180 km².
- ``parishes``: 203 polygons tiling the county (a valid coverage: no gaps, no overlaps) with
  ONS-style fields ``PAR21CD`` (synthetic codes E04009001…), ``PAR21NM`` and ``population``
  (about 183,500 in all; the city and market towns as given). Edges wiggle realistically.
- ``catchments``: the 14 secondary school catchments, digitised independently of the parishes
  (edges offset by tens of metres) with a few parishes genuinely split between two
  catchments, so assignment by largest overlap is needed.
- ``schools`` (points), ``lookup`` (``parish_code``, ``catchment``: the intended assignment).
- ``assets``: an asset register (several hundred rows) whose positions come by every route:
  easting/northing, latitude/longitude only, or postcode only.
- ``postcodes``: a synthetic postcode directory in ONS Postcode Directory shape covering every
  postcode in the register (and one residential postcode per parish).
- ``population_points``: small-area population-weighted centroids (about one per 300
  residents, like output areas) summing exactly to each parish population.

Every table carries a ``data_source`` column and ``attrs["provenance"]`` set to
:data:`localitygis.provenance.DEMO`; every file says it is generated demo data. The committed
files live in ``boundaries/demo`` (regenerate them with ``python -m localitygis.demo``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from localitygis.crs import BNG
from localitygis.demo.facts import Facts, load_facts
from localitygis.demo.geometry import (
    build_pieces,
    county_outline,
    dissolve_pieces,
    make_field,
    polygonize_inside,
    reattach_detached,
    split_line,
)
from localitygis.demo.population import parish_populations, population_points
from localitygis.demo.register import build_register
from localitygis.errors import GeometryError, InputFileError
from localitygis.io import atomic_path, neutralise_formulas
from localitygis.provenance import DEMO, DEMO_NOTICE, with_provenance

__all__ = [
    "DATA_SOURCE",
    "DemoCounty",
    "demo_dir",
    "generate_demo",
    "load_demo",
    "write_demo",
]

log = logging.getLogger(__name__)

#: The ``data_source`` value on every row of every demo table.
DATA_SOURCE = "generated demo data (localitygis.demo)"

COUNTY_NAME = "Demo Herefordshire (generated)"
TARGET_AREA_KM2 = 2_180.0
TARGET_POPULATION = 183_500
#: A locality whose population is known (about 14,200 residents in Golden Valley).
CALIBRATED_LOCALITY = "Golden Valley"
CALIBRATED_POPULATION = 14_200
#: Densify every edge to at most this spacing (metres) before displacing it.
EDGE_SPACING = 125.0
#: Parish edges: smooth wiggle from hundreds of metres to kilometres.
PARISH_WIGGLE = ((15_000, 450), (8_000, 250), (4_000, 120), (2_000, 60), (1_000, 32), (500, 14))
#: Catchment edges: the parish wiggle plus an independent digitising offset of tens of metres.
CATCHMENT_OFFSET = ((1_800, 30), (900, 18), (450, 9))
#: Distance weight per locality when assigning parishes to their nearest school (city
#: schools reach less far, so the city catchments keep to the city and its fringe).
SCHOOL_REACH = {"Hereford City": 1.4}
#: Parishes split between two catchments: (share staying in the home catchment).
SPLIT_SHARES = (0.55, 0.70, 0.62)

GPKG_NAME = "demo_county.gpkg"
GPKG_LAYERS = ("county", "parishes", "catchments", "schools", "population_points")
LOOKUP_NAME = "parish_catchment_lookup.csv"
ASSETS_NAME = "asset_register.csv"
POSTCODES_NAME = "postcode_directory.csv"
README_NAME = "README.md"
#: GeoPackages record a "last changed" time; pin it so regenerated files are byte-identical.
_FILE_DATE = "2011-03-27T00:00:00Z"
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


@dataclass(frozen=True)
class DemoCounty:
    """The generated demo county (all geometry in EPSG:27700, all of it demo data).

    Attributes
    ----------
    county : geopandas.GeoDataFrame
        One row: ``name``, ``area_km2``, ``data_source``, geometry.
    parishes : geopandas.GeoDataFrame
        ``PAR21CD``, ``PAR21NM``, ``population``, ``data_source``, geometry (ONS-style).
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
        ``area_code``, ``parish_code``, ``population``, ``data_source``, geometry (points).
    """

    county: gpd.GeoDataFrame
    parishes: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame
    lookup: pd.DataFrame
    assets: pd.DataFrame
    postcodes: pd.DataFrame
    population_points: gpd.GeoDataFrame


# --------------------------------------------------------------------------------------
# Generation


def generate_demo() -> DemoCounty:
    """Generate the demo county in memory (deterministic: the same result on every run).

    Takes a second or two. Use :func:`load_demo` to read the committed copy instead.

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
    >>> len(demo.parishes), demo.catchments["catchment"].nunique()
    (203, 14)
    >>> bool(demo.parishes.geometry.is_valid_coverage())
    True
    >>> demo.parishes.attrs["provenance"].is_demo
    True
    """
    facts = load_facts()
    names = facts.places["parish_name"].tolist()
    codes = [f"E04{9001 + i:06d}" for i in range(len(names))]
    places = facts.places[["easting", "northing"]].to_numpy(float)

    parish_field = make_field("parish", PARISH_WIGGLE)
    catchment_field = parish_field + make_field("catchment", CATCHMENT_OFFSET)

    def displaced_area(geometry: shapely.Geometry) -> float:
        dense = shapely.segmentize(np.array([geometry], dtype=object), EDGE_SPACING)
        return float(shapely.area(parish_field.apply(dense))[0])

    outline = county_outline(places, target_km2=TARGET_AREA_KM2, measure=displaced_area)
    seeds, seed_parish = _seeds(facts, names, places)
    first = build_pieces(seeds, seed_parish, places, outline, spacing=EDGE_SPACING)
    straight = dissolve_pieces(first.geometry, first.region, len(names))

    home = _assign_catchments(facts, places, straight)
    splits = _choose_splits(facts, straight, home, measure=displaced_area)
    cuts = [s.line for s in splits]
    lines = shapely.union_all([*shapely.boundary(straight), *cuts])
    pieces = polygonize_inside(lines, outline, EDGE_SPACING)
    on_surface = shapely.point_on_surface(pieces)
    piece_parish = _containing(straight, on_surface)
    piece_catchment = home[piece_parish].copy()
    for split in splits:
        mine = piece_parish == split.parish
        side = (shapely.get_coordinates(on_surface) - split.origin) @ split.normal > 0
        piece_catchment[mine & side] = split.other

    parish_geometry = dissolve_pieces(parish_field.apply(pieces), piece_parish, len(names))
    catchment_geometry = dissolve_pieces(
        catchment_field.apply(pieces), piece_catchment, len(facts.schools)
    )
    _check_coverage(parish_geometry, "parish")
    _check_coverage(catchment_geometry, "catchment")
    county_geometry = shapely.coverage_union_all(parish_geometry)

    area_km2 = shapely.area(parish_geometry) / 1e6
    services = facts.known_assets["place"].value_counts()
    population = parish_populations(
        names,
        area_km2,
        np.array([int(services.get(n, 0)) for n in names]),
        dict(
            zip(
                facts.towns["parish_name"], facts.towns["population_2011_approx"].astype(int),
                strict=True,
            )
        ),
        total=TARGET_POPULATION,
        calibrated=facts.schools["locality"].to_numpy()[home] == CALIBRATED_LOCALITY,
        calibrated_total=CALIBRATED_POPULATION,
    )  # fmt: skip

    parishes = _frame(
        {"PAR21CD": codes, "PAR21NM": names, "population": population}, parish_geometry
    )
    catchments = _frame(
        {
            "catchment": facts.schools["catchment"].tolist(),
            "school": facts.schools["school"].tolist(),
        },
        catchment_geometry,
    )
    schools = _frame(
        {c: facts.schools[c].tolist() for c in ("school", "catchment", "locality")},
        shapely.points(facts.schools[["easting", "northing"]].to_numpy(float)),
    )
    county = _frame(
        {"name": [COUNTY_NAME], "area_km2": [round(float(county_geometry.area) / 1e6, 3)]},
        np.array([county_geometry], dtype=object),
    )
    lookup = _table(
        {"parish_code": codes, "catchment": facts.schools["catchment"].to_numpy()[home].tolist()}
    )
    points = _population_points(codes, names, parish_geometry, places, population, facts)
    assets, postcodes, truth = build_register(
        facts, names, codes, parish_geometry, places, data_source=DATA_SOURCE
    )
    _check_assets(truth, parish_geometry)
    return DemoCounty(
        county=county,
        parishes=parishes,
        catchments=catchments,
        schools=schools,
        lookup=lookup,
        assets=with_provenance(assets, DEMO),
        postcodes=with_provenance(postcodes, DEMO),
        population_points=points,
    )


def _seeds(facts: Facts, names: list[str], places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Place the Voronoi seeds: every parish place, and each surveyed asset position.

    A surveyed asset's seed belongs to its own parish, so the asset stands in it (in the
    city this also gives the city parish a city's size).
    """
    index = {name: i for i, name in enumerate(names)}
    known = facts.known_assets.dropna(subset=["easting", "northing"])
    extra = known[["easting", "northing"]].to_numpy(float)
    extra_parish = np.array([index[p] for p in known["place"]], dtype=np.int64)
    seeds = np.vstack([places, extra])
    seed_parish = np.concatenate([np.arange(len(names)), extra_parish]).astype(np.int64)
    return seeds, seed_parish


def _containing(polygons: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index of the polygon containing each point (each point in exactly one)."""
    tree = shapely.STRtree(polygons)
    point_index, polygon_index = tree.query(points, predicate="within")
    if len(point_index) != len(points) or len(np.unique(point_index)) != len(points):
        raise GeometryError("demo generator: a piece lies in no parish or in two (a bug).")
    out = np.empty(len(points), dtype=np.int64)
    out[point_index] = polygon_index
    return out


def _assign_catchments(facts: Facts, places: np.ndarray, parishes: np.ndarray) -> np.ndarray:
    """Assign each parish a catchment (index into ``facts.schools``).

    The nearest school, with city schools reaching less far; a school's own parish is in its
    catchment; catchments are then made contiguous.
    """
    schools = facts.schools
    sites = schools[["easting", "northing"]].to_numpy(float)
    reach = np.array([SCHOOL_REACH.get(loc, 1.0) for loc in schools["locality"]])
    distance = np.linalg.norm(places[:, None, :] - sites[None, :, :], axis=2) * reach
    home = distance.argmin(axis=1).astype(np.int64)
    host = _containing(parishes, shapely.points(sites))
    for parish in np.unique(host):
        hosted = np.flatnonzero(host == parish)
        home[parish] = hosted[np.argmin(distance[parish, hosted])]
    return reattach_detached(parishes, home, sites)


@dataclass(frozen=True)
class _Split:
    parish: int
    other: int
    line: shapely.LineString
    origin: np.ndarray
    normal: np.ndarray


def _choose_splits(
    facts: Facts,
    parishes: np.ndarray,
    home: np.ndarray,
    *,
    measure: Callable[[shapely.Geometry], float],
) -> list[_Split]:
    """Pick rural parishes on a boundary between localities and cut each in two.

    The parishes most exposed to one neighbouring catchment (share of their boundary on it)
    are split, one per pair of catchments; the neighbour's side gets ``1 - share``.
    """
    towns = set(facts.towns["parish_name"])
    names = facts.places["parish_name"].tolist()
    locality = facts.schools["locality"].to_numpy()
    tree = shapely.STRtree(parishes)
    candidates: list[tuple[float, int, int, np.ndarray]] = []
    for i, polygon in enumerate(parishes):
        if names[i] in towns:
            continue
        border: dict[int, list[shapely.Geometry]] = {}
        for j in tree.query(polygon, predicate="touches"):
            if home[j] != home[i] and locality[home[j]] != locality[home[i]]:
                shared = shapely.intersection(polygon.boundary, parishes[j].boundary)
                border.setdefault(int(home[j]), []).append(shared)
        if len(border) != 1:
            continue
        ((other, parts),) = border.items()
        shared = shapely.union_all(parts)
        exposure = float(shared.length / polygon.boundary.length)
        towards = np.asarray(shared.centroid.coords[0]) - np.asarray(polygon.centroid.coords[0])
        candidates.append((exposure, i, other, towards))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    splits: list[_Split] = []
    used: set[frozenset[int]] = set()
    for exposure, i, other, towards in candidates:
        pair = frozenset((int(home[i]), other))
        if pair in used or exposure < 0.2:
            continue
        share = SPLIT_SHARES[len(splits)]
        line, origin, normal = split_line(parishes[i], towards, 1.0 - share, measure=measure)
        splits.append(_Split(i, other, line, origin, normal))
        used.add(pair)
        if len(splits) == len(SPLIT_SHARES):
            break
    return splits


def _check_coverage(geometry: np.ndarray, what: str) -> None:
    problems = []
    if not shapely.is_valid(geometry).all():
        problems.append(f"{int((~shapely.is_valid(geometry)).sum())} invalid {what} polygon(s)")
    if not shapely.coverage_is_valid(geometry):
        problems.append(f"the {what} coverage has gaps or overlaps")
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
    codes: list[str],
    names: list[str],
    parishes: np.ndarray,
    places: np.ndarray,
    population: np.ndarray,
    facts: Facts,
) -> gpd.GeoDataFrame:
    towns = set(facts.towns["parish_name"])
    xy, parish_code, people = [], [], []
    for i, code in enumerate(codes):
        points, counts = population_points(
            code, parishes[i], tuple(places[i]), int(population[i]), town=names[i] in towns
        )
        xy.append(points)
        parish_code.extend([code] * len(points))
        people.append(counts)
    coords = np.vstack(xy)
    area_code = [f"E00{900001 + k:06d}" for k in range(len(coords))]
    return _frame(
        {"area_code": area_code, "parish_code": parish_code, "population": np.concatenate(people)},
        shapely.points(coords),
    )


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

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write into (created if needed).
    demo : DemoCounty, optional
        What to write; generated afresh when not given.

    Returns
    -------
    dict of str to pathlib.Path
        ``"geopackage"`` (layers county, parishes, catchments, schools, population_points),
        ``"lookup"``, ``"assets"``, ``"postcodes"`` and ``"readme"``.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_demo(tempfile.mkdtemp(), demo=load_demo())
    >>> sorted(paths)
    ['assets', 'geopackage', 'lookup', 'postcodes', 'readme']
    >>> paths["geopackage"].name
    'demo_county.gpkg'
    """
    demo = generate_demo() if demo is None else demo
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / GPKG_NAME
    metadata = {
        "attribution": DEMO_NOTICE,
        "is_demo": "true",
        "generator": "localitygis.demo.generate_demo",
        "data_source": DATA_SOURCE,
    }
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FILE_DATE})
    try:
        _write_demo_layers(demo, gpkg, metadata)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    paths = {"geopackage": gpkg}
    for key, name, table in (
        ("lookup", LOOKUP_NAME, demo.lookup),
        ("assets", ASSETS_NAME, demo.assets),
        ("postcodes", POSTCODES_NAME, demo.postcodes),
    ):
        path = folder / name
        with atomic_path(path) as temporary:
            neutralise_formulas(table).to_csv(
                temporary, index=False, lineterminator="\n", encoding="utf-8"
            )
        paths[key] = path
    readme = folder / README_NAME
    with atomic_path(readme) as temporary:
        temporary.write_text(_readme(demo), encoding="utf-8")
    paths["readme"] = readme
    return paths


def _write_demo_layers(demo: DemoCounty, gpkg: Path, metadata: dict[str, str]) -> None:
    """Write the demo GeoPackage's layers, whole or not at all."""
    with atomic_path(gpkg) as temporary:
        for layer in GPKG_LAYERS:
            frame: gpd.GeoDataFrame = getattr(demo, layer)
            pyogrio.write_dataframe(
                frame,
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
    >>> demo.parishes.crs.to_epsg(), len(demo.schools)
    (27700, 14)
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
    layers = {}
    for layer in GPKG_LAYERS:
        frame = pyogrio.read_dataframe(folder / GPKG_NAME, layer=layer)
        layers[layer] = with_provenance(frame.to_crs(BNG) if frame.crs else frame, DEMO)
    text = {"dtype": "str", "keep_default_na": False}
    lookup = pd.read_csv(folder / LOOKUP_NAME, **text)
    assets = pd.read_csv(
        folder / ASSETS_NAME,
        dtype={
            "easting": "float64",
            "northing": "float64",
            "latitude": "float64",
            "longitude": "float64",
            "annual_cost": "float64",
            "floor_area_m2": "float64",
        },
        converters=dict.fromkeys(_ASSET_TEXT, str),
    )
    postcodes = pd.read_csv(
        folder / POSTCODES_NAME,
        dtype={"oseast1m": "int64", "osnrth1m": "int64", "lat": "float64", "long": "float64"},
        converters=dict.fromkeys(("pcd", "pcd2", "pcds", "parish", "data_source"), str),
    )
    return DemoCounty(
        county=layers["county"],
        parishes=layers["parishes"],
        catchments=layers["catchments"],
        schools=layers["schools"],
        lookup=with_provenance(lookup, DEMO),
        assets=with_provenance(assets, DEMO),
        postcodes=with_provenance(postcodes, DEMO),
        population_points=layers["population_points"],
    )


def _readme(demo: DemoCounty) -> str:
    parishes = demo.parishes
    counts = demo.assets["category"].value_counts().sort_index()
    area = float(demo.county["area_km2"].iloc[0])
    layers = (
        f"layers `county` (1 polygon, {area:,.0f} km²), `parishes` ({len(parishes)} polygons "
        "with ONS-style `PAR21CD`, `PAR21NM`, `population`), `catchments` "
        f"({len(demo.catchments)} secondary school catchments), `schools` "
        f"({len(demo.schools)} points), `population_points` ({len(demo.population_points)} "
        "small-area population-weighted centroids); all EPSG:27700"
    )
    assets = f"asset register, {len(demo.assets)} assets: " + ", ".join(
        f"{n} {c}" for c, n in counts.items()
    )
    postcodes = (
        f"synthetic postcode directory ({len(demo.postcodes)} postcodes) in ONS Postcode "
        "Directory shape: `pcd`, `pcd2`, `pcds`, `oseast1m`, `osnrth1m`, `lat`, `long`, "
        "`parish` (parish code)"
    )
    lines = [
        "# Demo county — generated demo data",
        "",
        f"**{DEMO_NOTICE}.**",
        "",
        "Everything in this folder is written by `localitygis.demo.write_demo()` from",
        "`localitygis.demo.generate_demo()`, a deterministic generator (fixed seeds) driven by",
        "small tables of public facts in `localitygis/data/demo_facts/`. Do not edit these",
        "files by hand; regenerate them with",
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
        "",
        f"Population {int(parishes['population'].sum()):,}. Parish codes (E04009001…) and",
        "output-area-like codes (E00900001…) are synthetic, not real ONS codes. Postcodes",
        "use real outward codes; only those of the libraries and GP practices in the fact",
        "tables are real postcodes, and even their positions here are generated. Every layer",
        f'and table has a `data_source` column saying "{DATA_SOURCE}", and the',
        "GeoPackage layers say so in their description and metadata.",
        "",
        "Asset positions come by three routes, as in a real register: most rows give",
        "`easting`/`northing`, about one in ten only `latitude`/`longitude` (WGS84) and about",
        "one in ten only a `postcode` (found in the postcode directory). `annual_cost` is",
        "optional: about one village hall in eight reports none.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the demo county files (``python -m localitygis.demo [OUT_DIR]``)."""
    parser = argparse.ArgumentParser(
        prog="python -m localitygis.demo",
        description="Generate the localitygis demo county (generated demo data) and write it.",
    )
    parser.add_argument(
        "out_dir", nargs="?", default=None, help="folder to write (default: boundaries/demo)"
    )
    args = parser.parse_args(argv)
    out = Path(args.out_dir) if args.out_dir else demo_dir()
    paths = write_demo(out)
    for key, path in paths.items():
        size = path.stat().st_size / 1024
        print(f"{key:<11} {path}  ({size:,.0f} KB)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
