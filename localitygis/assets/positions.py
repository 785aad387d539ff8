"""Positions of register rows: parse, check and explain (private to :mod:`localitygis.assets`).

Each row's position comes from its geometry, easting/northing, latitude/longitude or postcode,
in that order; coordinates that hold text, make sense only when swapped, or lie outside Great
Britain are explained, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from localitygis.crs import classify_coordinates, lonlat_to_bng
from localitygis.errors import DataError

_GBP = re.compile(r"[£$,\s]|GBP", re.IGNORECASE)


# --------------------------------------------------------------------------------------
# Cell helpers


def _text(values: pd.Series) -> NDArray[np.object_]:
    r"""Return stripped text, None for missing or blank cells (whole numbers without ".0").

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


def _numbers(values: pd.Series, *, money: bool = False) -> tuple[NDArray, NDArray]:
    """Parse numbers; return (values with NaN, mask of non-blank cells that are not numbers)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = np.array(values.to_numpy(dtype="float64", na_value=np.nan), copy=True)
        return numbers, np.zeros(len(values), bool)
    text = pd.Series(_text(values), dtype=object)
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


@dataclass
class _Positions:
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    how: NDArray[np.object_]
    problem: NDArray[np.object_]
    postcode: NDArray[np.object_]


def _resolve_positions(
    table: pd.DataFrame,
    mapped: Mapping[str, str],
    geometry: gpd.GeoSeries | None,
    directory: pd.DataFrame | None,
    skip: NDArray[np.bool_],
) -> _Positions:
    """Find each row's position (EPSG:27700) or say why there is none."""
    n = len(table)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    how = np.full(n, None, dtype=object)
    problem = np.full(n, None, dtype=object)
    postcode_out = np.full(n, None, dtype=object)
    todo = ~skip.copy()

    def settle(mask: NDArray[np.bool_], xs: NDArray, ys: NDArray, label: str) -> None:
        x[mask], y[mask], how[mask] = xs[mask], ys[mask], label
        todo[mask] = False

    def fail(mask: NDArray[np.bool_], messages: NDArray[np.object_] | str) -> None:
        problem[mask] = messages if isinstance(messages, str) else messages[mask]
        todo[mask] = False

    # 1. Geometry.
    if geometry is not None:
        geoms = np.asarray(geometry.values, dtype=object)
        missing = pd.isna(geoms) | shapely.is_empty(geoms)
        type_id = shapely.get_type_id(geoms)
        single_multi = (type_id == 4) & (shapely.get_num_geometries(geoms) == 1)
        points = np.where(single_multi, shapely.get_geometry(geoms, 0), geoms)
        is_point = (type_id == 0) | single_multi
        wrong_type = todo & ~missing & ~is_point
        if wrong_type.any():
            kinds = np.array(
                [f"not a point: the geometry is a {g.geom_type}; give one point per asset"
                 if w else None for g, w in zip(geoms, wrong_type, strict=True)],
                dtype=object,
            )  # fmt: skip
            fail(wrong_type, kinds)
        use = todo & ~missing & is_point
        gx = np.full(n, np.nan)
        gy = np.full(n, np.nan)
        gx[use] = shapely.get_x(points[use])
        gy[use] = shapely.get_y(points[use])
        _check_grid(gx, gy, use, settle, fail, label="geometry", what="point")

    # 2. Easting / northing.
    if "easting" in mapped and "northing" in mapped:
        e, e_bad = _numbers(table[mapped["easting"]])
        nn, n_bad = _numbers(table[mapped["northing"]])
        _check_pair(table, mapped, ("easting", "northing"), e, nn, e_bad, n_bad, todo, fail)
        both = todo & np.isfinite(e) & np.isfinite(nn)
        _check_grid(e, nn, both, settle, fail, label="easting/northing", what="easting/northing")

    # 3. Latitude / longitude.
    if "latitude" in mapped and "longitude" in mapped:
        lat, lat_bad = _numbers(table[mapped["latitude"]])
        lon, lon_bad = _numbers(table[mapped["longitude"]])
        _check_pair(
            table, mapped, ("latitude", "longitude"), lat, lon, lat_bad, lon_bad, todo, fail
        )
        both = todo & np.isfinite(lat) & np.isfinite(lon)
        if both.any():
            kinds = np.full(n, "", dtype=object)
            kinds[both] = classify_coordinates(lon[both], lat[both])
            bad = both & (kinds != "lonlat")
            message = np.full(n, None, dtype=object)
            for i in np.flatnonzero(bad):
                message[i] = _lonlat_problem(kinds[i], lat[i], lon[i])
            fail(bad, message)
            good = both & (kinds == "lonlat")
            if good.any():
                ex = np.full(n, np.nan)
                ny = np.full(n, np.nan)
                ex[good], ny[good] = lonlat_to_bng(lon[good], lat[good])
                settle(good, ex, ny, "latitude/longitude")

    # 4. Postcode.
    if "postcode" in mapped:
        from localitygis.assets.postcodes import lookup_postcodes, normalise_postcodes

        raw = pd.Series(_text(table[mapped["postcode"]]), dtype=object)
        normal = normalise_postcodes(raw).to_numpy(dtype=object)
        has_text = raw.notna().to_numpy()
        # Keep the standard form where valid, the text as written otherwise.
        postcode_out[:] = np.where(pd.isna(normal), raw.to_numpy(dtype=object), normal)
        wanted = todo & has_text
        if wanted.any() and directory is None:
            fail(
                wanted,
                "no position: the row has only a postcode, and no postcode directory was "
                "given (postcodes=..., or --postcodes: ONS Postcode Directory or Code-Point Open)",
            )
        elif wanted.any():
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
            fail(bad, messages)
            settle(wanted & (status == "found"), px, py, "postcode")
            settle(wanted & (status == "terminated"), px, py, "postcode (terminated)")

    # 5. Nothing.
    if todo.any():
        fail(todo, "no position: no coordinates and no postcode")
    return _Positions(x, y, how, problem, postcode_out)


def _check_pair(
    table: pd.DataFrame,
    mapped: Mapping[str, str],
    names: tuple[str, str],
    a: NDArray,
    b: NDArray,
    a_bad: NDArray,
    b_bad: NDArray,
    todo: NDArray[np.bool_],
    fail: Any,
) -> None:
    """Reject rows with text in a coordinate column, or only one of the pair."""
    n = len(table)
    if (a_bad | b_bad).any():
        a_text = _text(table[mapped[names[0]]])
        b_text = _text(table[mapped[names[1]]])
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
    gx: NDArray, gy: NDArray, use: NDArray[np.bool_], settle: Any, fail: Any, *, label: str,
    what: str,
) -> None:  # fmt: skip
    """Accept plausible National Grid positions; explain the rest."""
    if not use.any():
        return
    kinds = np.full(len(gx), "", dtype=object)
    kinds[use] = classify_coordinates(gx[use], gy[use])
    bad = use & (kinds != "bng")
    messages = np.full(len(gx), None, dtype=object)
    for i in np.flatnonzero(bad):
        messages[i] = _grid_problem(kinds[i], gx[i], gy[i], what)
    fail(bad, messages)
    settle(use & (kinds == "bng"), gx, gy, label)


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


def _directory(postcodes: pd.DataFrame | str | PathLike[str] | None) -> pd.DataFrame | None:
    if postcodes is None:
        return None
    from localitygis.assets.postcodes import read_postcode_directory

    if isinstance(postcodes, pd.DataFrame) and postcodes.attrs.get(
        "localitygis_postcode_directory"
    ):
        return postcodes
    return read_postcode_directory(postcodes)


def _require_position_columns(
    mapped: Mapping[str, str],
    geometry: gpd.GeoSeries | None,
    postcodes: object,
    source: str,
) -> None:
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
