"""Positions of register rows: parse, check and explain (private to :mod:`localitygis.assets`).

Each row's position comes from its geometry, easting/northing, latitude/longitude or postcode,
in that order; coordinates that hold text, make sense only when swapped, or lie outside Great
Britain are explained, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from localitygis.crs import classify_coordinates, lonlat_to_bng
from localitygis.errors import DataError

_GBP = re.compile(r"[£$,\s]|GBP", re.IGNORECASE)

#: Give rows a position: (rows, eastings, northings, where it came from).
_Settle = Callable[[NDArray[np.bool_], NDArray, NDArray, str], None]
#: Give rows no position and a reason: (rows, one message or each row's own).
_Fail = Callable[[NDArray[np.bool_], "NDArray[np.object_] | str"], None]


# --------------------------------------------------------------------------------------
# Cell helpers


def cell_texts(values: pd.Series) -> NDArray[np.object_]:
    r"""Return cells as stripped text, None where missing or blank (whole numbers without ".0").

    Leading spaces are stripped but not a leading tab or carriage return: stripping those
    would turn the text ``"\t=1+2"`` into the spreadsheet formula ``=1+2``.
    """
    series = pd.Series(values.to_numpy(dtype=object), dtype=object)
    missing = series.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(numbers) & (np.mod(numbers, 1) == 0)
        text = np.where(whole, np.char.mod("%d", np.where(whole, numbers, 0).astype(np.int64)),
                        values.astype(str).to_numpy())  # fmt: skip
        out = text.astype(object)
    else:
        is_str = series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        mixed = ~is_str & ~missing
        if mixed.any():  # numbers or other objects in a text column
            series = series.copy()
            series[mixed] = [
                str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                for v in series[mixed]
            ]
        out = series.where(~missing, "").astype(str).str.lstrip(" ").str.rstrip()
        out = out.to_numpy(dtype=object)
    out[missing | (out == "")] = None
    return out


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_numbers(values: pd.Series, *, money: bool = False) -> tuple[NDArray, NDArray]:
    """Parse numbers; return (values with NaN, mask of non-blank cells that are not numbers)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = np.array(values.to_numpy(dtype="float64", na_value=np.nan), copy=True)
        return numbers, np.zeros(len(values), bool)
    text = pd.Series(cell_texts(values), dtype=object)
    present = text.notna().to_numpy()
    cleaned = text.where(text.notna(), "").astype(str)
    cleaned = cleaned.str.replace(_GBP if money else r"[,\s]", "", regex=True)
    numbers = pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce")
    numbers = np.array(numbers.to_numpy(dtype="float64", na_value=np.nan), copy=True)
    bad = present & ~np.isfinite(numbers)
    numbers[bad] = np.nan
    return numbers, bad


def _fmt(value: float) -> str:
    return f"{value:.6g}" if abs(value) < 1_000 else f"{value:.0f}"


# --------------------------------------------------------------------------------------
# Positions


_CHUNK = 100_000  # rows classified at a time


@dataclass
class Positions:
    """Each row's position (``x``, ``y``), where it came from, why not, and its postcode."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    how: NDArray[np.object_]
    problem: NDArray[np.object_]
    postcode: NDArray[np.object_]
    #: The input's point per row whose position is its geometry (``how == "geometry"``),
    #: so callers reuse it instead of building it again from ``x`` and ``y``.
    points: NDArray[np.object_] | None = None


def resolve_positions(
    table: pd.DataFrame,
    mapped: Mapping[str, str],
    geometry: gpd.GeoSeries | None,
    directory: pd.DataFrame | None,
    skip: NDArray[np.bool_],
) -> Positions:
    """Find each row's position (EPSG:27700) or say why there is none.

    The sources are tried in order: geometry, easting/northing, latitude/longitude,
    postcode; a row settled (or failed) by one is not looked at by the next.
    """
    rows = _Resolution(len(table), skip)
    if geometry is not None:
        _from_geometry(rows, geometry)
    if "easting" in mapped and "northing" in mapped:
        _from_grid(rows, table, mapped)
    if "latitude" in mapped and "longitude" in mapped:
        _from_lonlat(rows, table, mapped)
    postcode = np.full(len(table), None, dtype=object)
    if "postcode" in mapped:
        postcode = _from_postcode(rows, table[mapped["postcode"]], directory)
    if rows.todo.any():
        rows.fail(rows.todo, "no position: no coordinates and no postcode")
    return Positions(rows.x, rows.y, rows.how, rows.problem, postcode, rows.points)


class _Resolution:
    """Positions found so far, the problems of rows without one, and the rows still to do."""

    def __init__(self, n: int, skip: NDArray[np.bool_]) -> None:
        self.n = n
        self.x = np.full(n, np.nan)
        self.y = np.full(n, np.nan)
        self.how = np.full(n, None, dtype=object)
        self.problem = np.full(n, None, dtype=object)
        self.todo = ~skip.copy()
        self.points: NDArray[np.object_] | None = None

    def settle(self, mask: NDArray[np.bool_], xs: NDArray, ys: NDArray, label: str) -> None:
        """Give the rows in ``mask`` their position, found from ``label``.

        ``xs`` and ``ys`` are made for the call and handed over: when every row is settled
        they become the positions themselves (no copy of a million-row array).
        """
        if mask.all():
            self.x, self.y = xs, ys
        else:
            self.x[mask], self.y[mask] = xs[mask], ys[mask]
        self.how[mask] = label
        self.todo[mask] = False

    def fail(self, mask: NDArray[np.bool_], messages: NDArray[np.object_] | str) -> None:
        """Give the rows in ``mask`` no position, and a reason: one, or each row's own."""
        self.problem[mask] = messages if isinstance(messages, str) else messages[mask]
        self.todo[mask] = False


def _from_geometry(rows: _Resolution, geometry: gpd.GeoSeries) -> None:
    """Position rows from their Point (or one-part MultiPoint) geometry."""
    n = rows.n
    geoms = np.asarray(geometry.values, dtype=object)
    missing = pd.isna(geoms) | shapely.is_empty(geoms)
    type_id = shapely.get_type_id(geoms)
    single_multi = type_id == 4
    if single_multi.any():
        single_multi[single_multi] = shapely.get_num_geometries(geoms[single_multi]) == 1
    points = geoms
    if single_multi.any():
        points = geoms.copy()
        points[single_multi] = shapely.get_geometry(geoms[single_multi], 0)
    rows.points = points
    is_point = (type_id == 0) | single_multi
    wrong_type = rows.todo & ~missing & ~is_point
    if wrong_type.any():
        kinds = np.array(
            [f"not a point: the geometry is a {g.geom_type}; give one point per asset"
             if w else None for g, w in zip(geoms, wrong_type, strict=True)],
            dtype=object,
        )  # fmt: skip
        rows.fail(wrong_type, kinds)
    use = rows.todo & ~missing & is_point
    if use.all():
        gx, gy = shapely.get_x(points), shapely.get_y(points)
    else:
        gx = np.full(n, np.nan)
        gy = np.full(n, np.nan)
        gx[use] = shapely.get_x(points[use])
        gy[use] = shapely.get_y(points[use])
    _check_grid(gx, gy, use, rows.settle, rows.fail, label="geometry", what="point")


def _from_grid(rows: _Resolution, table: pd.DataFrame, mapped: Mapping[str, str]) -> None:
    """Position rows from their easting and northing (British National Grid)."""
    e, e_bad = parse_numbers(table[mapped["easting"]])
    nn, n_bad = parse_numbers(table[mapped["northing"]])
    _check_pair(table, mapped, ("easting", "northing"), e, nn, e_bad, n_bad, rows.todo, rows.fail)
    both = rows.todo & np.isfinite(e) & np.isfinite(nn)
    _check_grid(
        e, nn, both, rows.settle, rows.fail, label="easting/northing", what="easting/northing"
    )


def _from_lonlat(rows: _Resolution, table: pd.DataFrame, mapped: Mapping[str, str]) -> None:
    """Position rows from their latitude and longitude (WGS84, converted with OSTN15)."""
    n = rows.n
    lat, lat_bad = parse_numbers(table[mapped["latitude"]])
    lon, lon_bad = parse_numbers(table[mapped["longitude"]])
    _check_pair(
        table, mapped, ("latitude", "longitude"), lat, lon, lat_bad, lon_bad, rows.todo, rows.fail
    )
    both = rows.todo & np.isfinite(lat) & np.isfinite(lon)
    if not both.any():
        return
    kinds = np.full(n, "", dtype=object)
    kinds[both] = classify_coordinates(lon[both], lat[both])
    bad = both & (kinds != "lonlat")
    message = np.full(n, None, dtype=object)
    for i in np.flatnonzero(bad):
        message[i] = _lonlat_problem(kinds[i], lat[i], lon[i])
    rows.fail(bad, message)
    good = both & (kinds == "lonlat")
    if good.any():
        ex = np.full(n, np.nan)
        ny = np.full(n, np.nan)
        ex[good], ny[good] = lonlat_to_bng(lon[good], lat[good])
        rows.settle(good, ex, ny, "latitude/longitude")


def _from_postcode(
    rows: _Resolution, column: pd.Series, directory: pd.DataFrame | None
) -> NDArray[np.object_]:
    """Position rows from their postcode; return the postcodes in standard form where valid."""
    from localitygis.assets.postcodes import lookup_postcodes, normalise_postcodes

    n = rows.n
    raw = pd.Series(cell_texts(column), dtype=object)
    normal = normalise_postcodes(raw).to_numpy(dtype=object)
    # Keep the standard form where valid, the text as written otherwise.
    postcode = np.where(pd.isna(normal), raw.to_numpy(dtype=object), normal)
    wanted = rows.todo & raw.notna().to_numpy()
    if not wanted.any():
        return postcode
    if directory is None:
        rows.fail(
            wanted,
            "no position: the row has only a postcode, and no postcode directory was "
            "given (postcodes=..., or --postcodes: ONS Postcode Directory or Code-Point Open)",
        )
        return postcode
    found = lookup_postcodes(raw[wanted], directory)
    status = np.full(n, "", dtype=object)
    status[wanted] = found["status"].to_numpy(dtype=object)
    px = np.full(n, np.nan)
    py = np.full(n, np.nan)
    px[wanted] = found["easting"].to_numpy()
    py[wanted] = found["northing"].to_numpy()
    source = directory.attrs.get("source", "the postcode directory")
    bad = wanted & np.isin(status, ["not found", "invalid", "no position"])
    messages = np.full(n, None, dtype=object)
    written = raw.to_numpy(dtype=object)
    for i in np.flatnonzero(bad):
        messages[i] = _postcode_problem(status[i], written[i], normal[i], source)
    rows.fail(bad, messages)
    rows.settle(wanted & (status == "found"), px, py, "postcode")
    rows.settle(wanted & (status == "terminated"), px, py, "postcode (terminated)")
    return postcode


def _check_pair(
    table: pd.DataFrame,
    mapped: Mapping[str, str],
    names: tuple[str, str],
    a: NDArray,
    b: NDArray,
    a_bad: NDArray,
    b_bad: NDArray,
    todo: NDArray[np.bool_],
    fail: _Fail,
) -> None:
    """Reject rows with text in a coordinate column, or only one of the pair."""
    n = len(table)
    if (a_bad | b_bad).any():
        a_text = cell_texts(table[mapped[names[0]]])
        b_text = cell_texts(table[mapped[names[1]]])
        messages = np.full(n, None, dtype=object)
        for i in np.flatnonzero(todo & (a_bad | b_bad)):
            parts = []
            if a_bad[i]:
                parts.append(f"{names[0]} {a_text[i]!r}")
            if b_bad[i]:
                parts.append(f"{names[1]} {b_text[i]!r}")
            messages[i] = f"text in coordinate columns: {' and '.join(parts)} is not a number"
        fail(todo & (a_bad | b_bad), messages)
    half = todo & (np.isfinite(a) != np.isfinite(b))
    if half.any():
        messages = np.array(
            [f"incomplete coordinates: {names[0]} given without {names[1]}" if np.isfinite(p)
             else f"incomplete coordinates: {names[1]} given without {names[0]}"
             for p in a], dtype=object)  # fmt: skip
        fail(half, messages)


def _check_grid(
    gx: NDArray, gy: NDArray, use: NDArray[np.bool_], settle: _Settle, fail: _Fail, *, label: str,
    what: str,
) -> None:  # fmt: skip
    """Accept plausible National Grid positions; explain the rest."""
    rows = np.flatnonzero(use)
    if not len(rows):
        return
    # In chunks: the kinds are fixed-width text (56 bytes a row), kept only for bad rows.
    good = np.concatenate(
        [
            classify_coordinates(gx[part], gy[part]) == "bng"
            for part in np.array_split(rows, -(-len(rows) // _CHUNK))
        ]
    )
    bad_rows = rows[~good]
    bad = np.zeros(len(gx), dtype=bool)
    if len(bad_rows):
        messages = np.full(len(gx), None, dtype=object)
        kinds = classify_coordinates(gx[bad_rows], gy[bad_rows])
        for i, kind in zip(bad_rows, kinds, strict=True):
            messages[i] = _grid_problem(str(kind), gx[i], gy[i], what)
        bad[bad_rows] = True
        fail(bad, messages)
    settle(use & ~bad, gx, gy, label)


def _grid_problem(kind: str, e: float, n: float, what: str) -> str | None:
    pair = f"({_fmt(e)}, {_fmt(n)})"
    if kind in ("", "bng"):
        return None
    if kind == "bng_swapped":
        return (
            f"easting and northing look swapped: {what} {pair} makes sense only as "
            f"({_fmt(n)}, {_fmt(e)}); correct the row"
        )
    if kind in ("lonlat", "lonlat_swapped"):
        return (
            f"degrees in grid columns: {what} {pair} looks like longitude/latitude, not "
            "metres; put them in latitude/longitude columns"
        )
    return (
        f"coordinates outside Great Britain: {what} {pair} is not a British National Grid position"
    )


def _lonlat_problem(kind: str, lat: float, lon: float) -> str | None:
    if kind in ("", "lonlat"):
        return None
    if kind == "lonlat_swapped":
        return (
            f"latitude and longitude look swapped: latitude {lat:.6g}, longitude {lon:.6g} "
            f"make sense only as latitude {lon:.6g}, longitude {lat:.6g}; correct the row"
        )
    if kind in ("bng", "bng_swapped"):
        return (
            f"metres in latitude/longitude columns: ({lat:.0f}, {lon:.0f}) look like grid "
            "metres; put them in easting/northing columns"
        )
    return (
        f"coordinates outside Great Britain: latitude {lat:.6g}, longitude {lon:.6g} is not a "
        "position in Great Britain"
    )


def _postcode_problem(status: str, written: object, normal: object, source: str) -> str | None:
    if status == "invalid":
        return f"invalid postcode: {written!r} is not a UK postcode"
    if status == "not found":
        return f"unknown postcode: {normal} is not in {source}"
    if status == "no position":
        return f"no position: postcode {normal} has no grid reference in {source}"
    return None


def require_position_columns(
    mapped: Mapping[str, str],
    geometry: gpd.GeoSeries | None,
    postcodes: object,
    source: str,
) -> None:
    """Raise unless the register has some way to position its rows."""
    problems = []
    for a, b in (("easting", "northing"), ("latitude", "longitude")):
        if (a in mapped) != (b in mapped):
            have, lack = (a, b) if a in mapped else (b, a)
            problems.append(
                f"there is a {have} column ({mapped[have]!r}) but no {lack} column; map it "
                f"with columns={{'Their Name': {lack!r}}} (--column \"Their Name={lack}\")"
            )
    if problems:
        raise DataError(f"{source}: " + "; ".join(problems) + ".")
    has_coordinates = geometry is not None or {"easting", "latitude"} & set(mapped)
    if not has_coordinates and "postcode" not in mapped:
        raise DataError(
            f"{source}: no position columns: need easting/northing, latitude/longitude or "
            "postcode columns (or a geometry). Name yours with columns={'X': 'easting', "
            "'Y': 'northing'} (--column X=easting on the command line)."
        )
    if not has_coordinates and postcodes is None:
        raise DataError(
            f"{source}: positions can come only from postcodes, and no postcode directory was "
            "given. Pass postcodes=... (--postcodes): an ONS Postcode Directory or "
            "Code-Point Open file."
        )
