"""The demo asset register and its synthetic postcode directory (ONS Postcode Directory shape)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from localitygis.crs import bng_to_lonlat
from localitygis.demo.facts import Facts, rng_for

__all__ = ["ASSET_COLUMNS", "POSTCODE_COLUMNS", "build_register"]

ASSET_COLUMNS = [
    "asset_id",
    "name",
    "category",
    "partner",
    "sector",
    "place",
    "postcode",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "annual_cost",
    "floor_area_m2",
    "data_source",
]
POSTCODE_COLUMNS = ["pcd", "pcd2", "pcds", "oseast1m", "osnrth1m", "lat", "long", "parish"]

# Letters used in the last two characters of a real postcode (no C, I, K, M, O, V).
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# (floor area m², annual running cost £) ranges by category, drawn log-uniformly.
_SIZE_COST: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "library": ((150, 900), (40_000, 220_000)),
    "gp_surgery": ((300, 1_400), (80_000, 380_000)),
    "fire_station": ((300, 1_200), (50_000, 280_000)),
    "police_station": ((300, 2_500), (90_000, 600_000)),
    "customer_service_centre": ((200, 900), (60_000, 250_000)),
    "hospital": ((1_500, 4_000), (800_000, 3_000_000)),
    "leisure_centre": ((1_500, 5_000), (200_000, 900_000)),
    "childrens_centre": ((150, 500), (30_000, 120_000)),
    "village_hall": ((100, 450), (3_000, 20_000)),
    "primary_school": ((600, 2_500), (60_000, 250_000)),
}
_HALL_NAMES = ("Village Hall", "Village Hall", "Memorial Hall", "Parish Hall", "Community Centre")
_TOWN_QUARTERS = ("North", "South", "East", "West", "Central", "Riverside", "St Mary's", "Park")
_TOWN_PRIMARIES = {"Hereford": 8, "Leominster": 3, "Ross-on-Wye": 2, "Ledbury": 2}
_ACADEMY_TRUST = "Marches Primary Academy Trust (demo)"
_DIOCESE = "Diocese of Hereford"


@dataclass
class _Postcodes:
    """Postcodes handed out so far: unit -> (easting, northing, parish index)."""

    rows: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    used_units: dict[str, set[str]] = field(default_factory=dict)

    def add(self, postcode: str, xy: tuple[float, float], parish: int) -> None:
        outward, inward = postcode.split()
        self.used_units.setdefault(f"{outward} {inward[0]}", set()).add(inward[1:])
        self.rows.setdefault(postcode, (float(round(xy[0])), float(round(xy[1])), parish))

    def new(self, sector: str, rng: np.random.Generator) -> str:
        used = self.used_units.setdefault(sector, set())
        while True:
            unit = "".join(rng.choice(list(_UNIT_LETTERS), 2))
            if unit not in used:
                used.add(unit)
                return f"{sector}{unit}"


def _inner(polygon: shapely.Polygon, margin: float) -> shapely.Geometry:
    inner = polygon.buffer(-margin)
    return inner if not inner.is_empty else polygon


def _place_near(
    inner: shapely.Geometry,
    centre: tuple[float, float],
    rng: np.random.Generator,
    radius: tuple[float, float],
) -> tuple[float, float]:
    """Pick a point (0.1 m-rounded) ``radius`` metres from ``centre``, inside ``inner``."""
    low, high = radius
    for attempt in range(1_000):
        angle = rng.uniform(0.0, 2.0 * np.pi)
        distance = rng.uniform(low, high) * (1.0 + attempt / 50.0)
        x = round(centre[0] + distance * np.cos(angle), 1)
        y = round(centre[1] + distance * np.sin(angle), 1)
        if inner.contains(shapely.Point(x, y)):
            return x, y
    x, y = shapely.point_on_surface(inner).coords[0]  # pragma: no cover - tiny parish
    return round(x, 1), round(y, 1)  # pragma: no cover


def _size_and_cost(
    category: str, place: str, rng: np.random.Generator, *, town_scale: float
) -> tuple[float, float]:
    (a_low, a_high), (c_low, c_high) = _SIZE_COST[category]
    u, v = rng.uniform(0.0, 1.0, 2)
    area = np.exp(np.log(a_low) + u * (np.log(a_high) - np.log(a_low))) * town_scale
    cost = np.exp(np.log(c_low) + (0.6 * u + 0.4 * v) * (np.log(c_high) - np.log(c_low)))
    cost *= town_scale
    if place == "Hereford" and category == "hospital":  # the county's acute hospital
        area, cost = area * 12.0, cost * 14.0
    return float(round(area / 5.0) * 5.0), float(round(cost / 100.0) * 100.0)


def _sector_of_places(
    facts: Facts, names: list[str], places: NDArray[np.float64]
) -> list[list[str]]:
    """For each parish, the postcode sectors ("HR4 8") of its nearest place with known postcodes."""
    known = facts.known_assets[facts.known_assets["postcode"] != ""]
    by_place: dict[str, list[str]] = {}
    for postcode, place in zip(known["postcode"], known["place"], strict=True):
        outward, inward = postcode.split()
        sector = f"{outward} {inward[0]}"
        if sector not in by_place.setdefault(place, []):
            by_place[place].append(sector)
    index = {name: i for i, name in enumerate(names)}
    keyed = sorted(by_place)
    tree = cKDTree(places[[index[p] for p in keyed]])
    _, nearest = tree.query(places)
    return [by_place[keyed[k]] for k in nearest]


@dataclass
class _Builder:
    """The register being built: every asset row, and the postcodes handed out so far."""

    names: list[str]
    places: NDArray[np.float64]
    inner: list[shapely.Geometry]
    sectors: list[list[str]]
    towns: set[str]
    rng: np.random.Generator
    postcodes: _Postcodes = field(default_factory=_Postcodes)
    rows: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.index = {name: i for i, name in enumerate(self.names)}

    def radius_for(self, place: str) -> tuple[float, float]:
        """How far from its place point a new asset may stand (metres)."""
        if place == "Hereford":
            return (150.0, 1_300.0)
        return (40.0, 450.0) if place in self.towns else (30.0, 350.0)

    def position(self, p: int, place: str, postcode: str) -> tuple[float, float]:
        """Place a new asset next to the first user of its postcode, else near its place."""
        if postcode in self.postcodes.rows:
            ex, ey, _ = self.postcodes.rows[postcode]
            return _place_near(self.inner[p], (ex, ey), self.rng, (10.0, 40.0))
        centre = (self.places[p, 0], self.places[p, 1])
        return _place_near(self.inner[p], centre, self.rng, self.radius_for(place))

    def add(
        self, name: str, category: str, partner: str, sector: str, place: str,
        postcode: str = "", xy: tuple[float, float] | None = None,
    ) -> None:  # fmt: skip
        """Add one asset (a new postcode and position are made up when not given)."""
        p = self.index[place]
        if not postcode:
            choices = self.sectors[p]
            postcode = self.postcodes.new(choices[int(self.rng.integers(len(choices)))], self.rng)
        if xy is None:
            xy = self.position(p, place, postcode)
        self.postcodes.add(postcode, xy, p)
        scale = 1.5 if place == "Hereford" else (1.15 if place in self.towns else 1.0)
        area, cost = _size_and_cost(category, place, self.rng, town_scale=scale)
        self.rows.append(
            {
                "name": name, "category": category, "partner": partner, "sector": sector,
                "place": place, "postcode": postcode, "x": xy[0], "y": xy[1],
                "annual_cost": cost, "floor_area_m2": area, "parish": p,
            }
        )  # fmt: skip


def build_register(
    facts: Facts,
    names: list[str],
    codes: list[str],
    polygons: NDArray[np.object_],
    places: NDArray[np.float64],
    *,
    data_source: str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Build the asset register and the postcode directory covering every postcode it uses.

    Also returns each asset's true position (``x``, ``y``) and parish index, for the
    generator's own checks.
    """
    builder = _Builder(
        names,
        places,
        [_inner(p, 15.0) for p in polygons],
        _sector_of_places(facts, names, places),
        set(facts.towns["parish_name"]),
        rng_for("assets"),
    )
    for postcode in facts.known_assets["postcode"]:
        if postcode:
            outward, inward = postcode.split()
            builder.postcodes.used_units.setdefault(f"{outward} {inward[0]}", set()).add(inward[1:])
    _add_known_assets(builder, facts)
    for place in names:
        _add_halls(builder, place)
        _add_primary_schools(builder, place)
    _add_residential_postcodes(builder)
    register = pd.DataFrame(builder.rows)
    register.insert(0, "asset_id", [f"A{i + 1:04d}" for i in range(len(register))])
    # Village halls are run by volunteers: about one in eight reports no running cost.
    halls = np.flatnonzero(register["category"].eq("village_hall").to_numpy())
    unreported = rng_for("unreported_costs").uniform(size=len(halls)) < 0.125
    register.loc[halls[unreported], "annual_cost"] = np.nan
    register = _choose_routes(register, builder.postcodes, builder.rng)
    register["data_source"] = data_source
    directory = _directory(builder.postcodes, codes, data_source)
    truth = register[["x", "y", "parish"]].copy()
    return register[ASSET_COLUMNS], directory, truth


def _add_known_assets(builder: _Builder, facts: Facts) -> None:
    """Add the fact table's assets, with their real names (surveyed sites where known)."""
    for record in facts.known_assets.itertuples(index=False):
        known_xy = None
        if not (pd.isna(record.easting) or pd.isna(record.northing)):
            known_xy = (float(record.easting), float(record.northing))
        builder.add(
            record.name, record.category, record.partner, record.sector, record.place,
            record.postcode, known_xy,
        )  # fmt: skip


def _council(place: str, is_town: bool) -> str:
    if place == "Hereford":
        return "Hereford City Council"
    return f"{place} Town Council" if is_town else f"{place} Parish Council"


def _add_halls(builder: _Builder, place: str) -> None:
    """Add a community centre in every town (three in the city), a hall in most villages."""
    is_town = place in builder.towns
    council = _council(place, is_town)
    hall = ("village_hall", council, "voluntary_community", place)
    if is_town:
        builder.add(f"{place} Community Centre", *hall)
        if place == "Hereford":
            for quarter in ("North", "South"):
                builder.add(f"{place} {quarter} Community Centre", *hall)
    elif builder.rng.uniform() < 0.85:
        kind = _HALL_NAMES[int(builder.rng.integers(len(_HALL_NAMES)))]
        builder.add(f"{place} {kind}", *hall)


def _add_primary_schools(builder: _Builder, place: str) -> None:
    """Add primary schools: several in the towns, one in about three villages in five."""
    rng = builder.rng
    is_town = place in builder.towns
    n_schools = _TOWN_PRIMARIES.get(place, 1) if is_town else int(rng.uniform() < 0.62)
    for k in range(n_schools):
        label = f"{place} {_TOWN_QUARTERS[k]}" if n_schools > 1 else place
        kind = rng.uniform()
        if kind < 0.55:
            school, partner, sector = "Primary School", "Herefordshire Council", "council"
        elif kind < 0.85:
            school, partner, sector = "CE Primary School", _DIOCESE, "voluntary_community"
        else:
            school, partner, sector = "Primary Academy", _ACADEMY_TRUST, "voluntary_community"
        builder.add(f"{label} {school}", "primary_school", partner, sector, place)


def _add_residential_postcodes(builder: _Builder) -> None:
    """Add a residential postcode at every settlement, so every parish has one."""
    for p in range(len(builder.names)):
        postcode = builder.postcodes.new(builder.sectors[p][0], builder.rng)
        xy = _place_near(builder.inner[p], tuple(builder.places[p]), builder.rng, (0.0, 250.0))
        builder.postcodes.add(postcode, xy, p)


def _choose_routes(
    register: pd.DataFrame, postcodes: _Postcodes, rng: np.random.Generator
) -> pd.DataFrame:
    """Give ~10 % of rows only latitude/longitude and ~10 % only a postcode; the rest E/N."""
    out = register.copy()
    n = len(out)
    surveyed = out["category"].eq("library") & out["x"].notna()
    eligible = np.flatnonzero(~surveyed.to_numpy())
    order = rng.permutation(eligible)
    n_each = round(0.1 * n)
    lonlat_rows, postcode_rows = np.sort(order[:n_each]), np.sort(order[n_each : 2 * n_each])
    route = np.full(n, "bng", dtype=object)
    route[lonlat_rows] = "lonlat"
    route[postcode_rows] = "postcode"
    # Postcode-only rows sit where the directory puts their postcode.
    for i in postcode_rows:
        ex, ey, _ = postcodes.rows[out.at[i, "postcode"]]
        out.at[i, "x"], out.at[i, "y"] = ex, ey
    lon, lat = bng_to_lonlat(out["x"].to_numpy(float), out["y"].to_numpy(float))
    bng = route == "bng"
    out["easting"] = np.where(bng, out["x"], np.nan)
    out["northing"] = np.where(bng, out["y"], np.nan)
    out["latitude"] = np.where(route == "lonlat", np.round(lat, 7), np.nan)
    out["longitude"] = np.where(route == "lonlat", np.round(lon, 7), np.nan)
    return out


def _directory(postcodes: _Postcodes, codes: list[str], data_source: str) -> pd.DataFrame:
    units = sorted(postcodes.rows)
    xy = np.array([postcodes.rows[u][:2] for u in units], dtype=float)
    lon, lat = bng_to_lonlat(xy[:, 0], xy[:, 1])
    outward = [u.split()[0] for u in units]
    inward = [u.split()[1] for u in units]
    return pd.DataFrame(
        {
            "pcd": [f"{o:<4}{i}" for o, i in zip(outward, inward, strict=True)],
            "pcd2": [f"{o:<4} {i}" for o, i in zip(outward, inward, strict=True)],
            "pcds": units,
            "oseast1m": xy[:, 0].astype(np.int64),
            "osnrth1m": xy[:, 1].astype(np.int64),
            "lat": np.round(lat, 6),
            "long": np.round(lon, 6),
            "parish": [codes[postcodes.rows[u][2]] for u in units],
            "data_source": data_source,
        }
    )
