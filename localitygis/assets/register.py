"""The asset register: read it, check every row, and locate each asset in its locality.

:func:`read_assets` reads a register (CSV in UTF-8 or Windows-1252, Excel, GeoPackage,
GeoJSON or any OGR layer, or a DataFrame) into the asset contract: ``asset_id``, ``name``,
``category``, ``partner``, ``sector``, ``postcode`` and a Point in EPSG:27700. Columns with
other names are recognised or mapped (``columns={"Site Name": "name"}``); categories and
sectors are normalised through a :class:`~localitygis.assets.vocabulary.Vocabulary`.

Each asset's position comes, in this order, from its geometry, its easting/northing (British
National Grid), its latitude/longitude (WGS84, converted with OSTN15) or its postcode (looked
up in a postcode directory). Nothing is guessed: a row whose coordinates make sense only when
swapped, hold text, or lie outside Great Britain is rejected with a reason saying so.

:func:`locate_assets` then puts each asset in its parish, locality and tier.

Nothing is lost: every input row ends either in ``assets`` or in ``rejects`` (``source``,
``row``, ``reason`` and the row's original columns), and :meth:`AssetRegister.counts`
reconciles (read = accepted + rejected). ``row`` is the row number a user sees in a
spreadsheet (the header is row 1, so the first asset is row 2); for vector layers it is the
feature number (the first feature is 1).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from localitygis._validate import listing
from localitygis.assets.columns import (
    ASSET_COLUMNS,
    CONTRACT_COLUMNS,
    NUMBER_COLUMNS,
    load_register,
    map_columns,
)
from localitygis.assets.frames import assets_frame, originals_frame, register_rejects
from localitygis.assets.parish_index import _ParishIndex
from localitygis.assets.positions import (
    cell_texts,
    parse_numbers,
    require_position_columns,
    resolve_positions,
)
from localitygis.assets.postcodes import as_postcode_directory
from localitygis.assets.vocabulary import DEFAULT_VOCABULARY, Kind, TermSource, Vocabulary
from localitygis.errors import DataError
from localitygis.provenance import Provenance, provenance_of, with_provenance

__all__ = [
    "ASSET_COLUMNS",
    "CONTRACT_COLUMNS",
    "AssetRegister",
    "locate_assets",
    "read_assets",
]

log = logging.getLogger(__name__)

_REASON_KIND = re.compile(r"[^:;]+")


# --------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class AssetRegister:
    """An asset register read, checked and (after :func:`locate_assets`) located.

    Attributes
    ----------
    assets : geopandas.GeoDataFrame
        Accepted assets in EPSG:27700: ``asset_id``, ``name``, ``category``, ``partner``,
        ``sector``, ``postcode``; after locating, ``parish_code``, ``parish_name``,
        ``locality``, ``tier`` (and ``tier_name`` when the parishes have it); then
        ``annual_cost`` and ``floor_area_m2`` when given, ``position_source`` (where the
        position came from), ``row`` (the source row) and the register's other columns.
    rejects : pandas.DataFrame
        ``source``, ``row``, ``reason`` and the rejected row's original columns.
    source : str
        The register's name (file name) used in messages and in ``rejects.source``.
    read : int
        Rows read from the source (blank rows included).
    notes : tuple of str
        Things worth knowing that did not reject a row (ids generated, numbers ignored).
    provenance : Provenance
        Attribution carried into outputs.
    originals : pandas.DataFrame
        The rows as read, indexed by ``row`` (for the rejects of later steps).
    """

    assets: gpd.GeoDataFrame
    rejects: pd.DataFrame
    source: str
    read: int
    notes: tuple[str, ...] = ()
    provenance: Provenance = field(default_factory=lambda: provenance_of(pd.DataFrame()))
    originals: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def counts(self) -> dict[str, Any]:
        """Count rows read, accepted and rejected, and rejects by reason.

        The reason of a row rejected for several things is counted under its first.

        Returns
        -------
        dict
            ``read``, ``accepted``, ``rejected`` (``read == accepted + rejected``) and
            ``by_reason`` (reason -> rows, most common first).

        Examples
        --------
        >>> import pandas as pd
        >>> register = read_assets(pd.DataFrame({
        ...     "asset_id": ["A1", "A1"], "name": ["Library", "Library"],
        ...     "category": ["Library", "Library"], "easting": [351000, 351000],
        ...     "northing": [240000, 240000]}))
        >>> register.counts()
        {'read': 2, 'accepted': 1, 'rejected': 1, 'by_reason': {'duplicate asset_id': 1}}
        """
        kinds = Counter(_reason_kind(r) for r in self.rejects["reason"].tolist())
        return {
            "read": self.read,
            "accepted": len(self.assets),
            "rejected": len(self.rejects),
            "by_reason": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def _reason_kind(reason: object) -> str:
    match = _REASON_KIND.match(str(reason))
    return match.group(0).strip() if match else str(reason)


# --------------------------------------------------------------------------------------
# Reading the register


def read_assets(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    postcodes: pd.DataFrame | str | PathLike[str] | None = None,
    vocabulary: Vocabulary | TermSource | None = None,
    crs: str | int | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    layer: str | int | None = None,
    source_name: str | None = None,
) -> AssetRegister:
    """Read an asset register, check every row and return the assets and the rejects.

    Parameters
    ----------
    source : str, path-like, pandas.DataFrame or geopandas.GeoDataFrame
        A CSV (UTF-8 or Windows-1252), Excel workbook, GeoPackage, GeoJSON or other OGR
        layer, or a frame.
    columns : mapping of str to str, optional
        Your column name -> contract name (``asset_id``, ``name``, ``category``,
        ``partner``, ``sector``, ``postcode``, ``easting``, ``northing``, ``latitude``,
        ``longitude``, ``annual_cost``, ``floor_area_m2``). Common names are recognised
        without it ("Site Name", "Asset Type", "Owner", "Post Code", "Eastings", "Lat"…).
    postcodes : pandas.DataFrame or path, optional
        A postcode directory (see :func:`localitygis.assets.postcodes.read_postcode_directory`),
        used for rows with no coordinates.
    vocabulary : Vocabulary or scheme, optional
        Categories and sectors (default :data:`localitygis.assets.vocabulary.DEFAULT_VOCABULARY`);
        a :class:`~localitygis.localities.scheme.Scheme` extends the default with its own.
    crs : str or int, optional
        CRS of a vector source that declares none.
    sheet : str or int, optional
        Excel sheet.
    header_row : int, optional
        The spreadsheet row (1-based) of the column names in a CSV or Excel register; by
        default the first row with known column names (a title row above it is skipped),
        else row 1. Row numbers in the rejects count from the real spreadsheet row.
    layer : str or int, optional
        Layer of a multi-layer vector file.
    source_name : str, optional
        Name used in messages and ``rejects.source`` (default: the file name).

    Returns
    -------
    AssetRegister
        ``assets`` (EPSG:27700, not yet located: see :func:`locate_assets`), ``rejects``,
        ``counts()``.

    Raises
    ------
    InputFileError
        A missing or unreadable file.
    DataError
        Unusable columns: no ``name`` or ``category`` column, no position columns, a
        mapping to an unknown name. (Problems in single rows reject those rows instead.)
    CRSError
        A vector layer without a CRS (and no ``crs``), or whose coordinates all contradict it.

    Examples
    --------
    >>> import pandas as pd
    >>> register = read_assets(pd.DataFrame({
    ...     "Site Name": ["Kington Library", "Leominster Fire Station", "Mystery"],
    ...     "Asset Type": ["Library", "Fire & Rescue Station", "Liberry"],
    ...     "Owner": ["Herefordshire Council", "HWFRS", "?"],
    ...     "Sector": ["Council", "Fire", "Council"],
    ...     "Latitude": [52.2036, 52.2266, 52.2],
    ...     "Longitude": [-3.0303, -2.7395, -3.0]}))
    >>> register.assets[["asset_id", "name", "category", "sector"]]
      asset_id                     name      category   sector
    0    R0002          Kington Library       library  council
    1    R0003  Leominster Fire Station  fire_station     fire
    >>> register.rejects[["row", "reason"]].to_dict("records")
    [{'row': 4, 'reason': "unknown category: 'Liberry' is not a known category; closest is 'library' (Library)"}]
    """  # noqa: E501
    vocab = _vocabulary(vocabulary)
    table, geometry, rows, name, provenance = load_register(
        source,
        crs=crs,
        sheet=sheet,
        layer=layer,
        source_name=source_name,
        header_row=header_row,
    )
    table.columns = [str(c) for c in table.columns]
    mapped = _contract_columns(table, columns, name)
    require_position_columns(mapped, geometry, postcodes, name)
    source_rows = _SourceRows(table, geometry, rows, name, provenance)
    checked = _check_rows(source_rows, mapped, vocab, as_postcode_directory(postcodes))
    return _register(source_rows, mapped, checked)


@dataclass(frozen=True)
class _SourceRows:
    """A register as read: its table, geometry (for a vector layer), row numbers, name."""

    table: pd.DataFrame
    geometry: gpd.GeoSeries | None
    rows: NDArray[np.int64]
    name: str
    provenance: Provenance


@dataclass(frozen=True)
class _CheckedRows:
    """Every row checked: the asset columns of each, and the reason to reject it, if any."""

    columns: dict[str, Any]
    reason: NDArray[np.object_]
    notes: list[str]


def _check_rows(
    source: _SourceRows,
    mapped: dict[str, str],
    vocab: Vocabulary,
    directory: pd.DataFrame | None,
) -> _CheckedRows:
    """Check each row in turn: blank, identifier, description, position, numbers."""
    table, rows = source.table, source.rows
    reasons = _Reasons(len(table))
    notes: list[str] = []
    blank = _blank_rows(table, source.geometry)
    reasons.add(blank, "blank row")
    live = ~blank
    ids = _asset_ids(table, mapped, rows, live, reasons, notes)
    described = _descriptions(table, mapped, vocab, live, reasons, notes)
    positions = resolve_positions(table, mapped, source.geometry, directory, blank)
    reasons.add(live & ~pd.isna(positions.problem), positions.problem)
    numbers = _optional_numbers(table, mapped, rows, live, notes)
    columns = {"ids": ids, **described, "positions": positions, "numbers": numbers}
    return _CheckedRows(columns, reasons.joined(), notes)


def _register(source: _SourceRows, mapped: dict[str, str], checked: _CheckedRows) -> AssetRegister:
    """Split the checked rows into the assets and the rejects (with their original columns)."""
    accepted = pd.isna(checked.reason)
    originals = originals_frame(source.table, source.geometry, source.rows)
    assets = assets_frame(
        accepted=accepted,
        **checked.columns,
        rows=source.rows,
        table=source.table,
        used=set(mapped.values()),
        provenance=source.provenance,
    )
    rejects = register_rejects(
        originals, source.rows[~accepted], checked.reason[~accepted], source.name
    )
    for note in checked.notes:
        log.info("%s: %s", source.name, note)
    return AssetRegister(
        assets=assets,
        rejects=rejects,
        source=source.name,
        read=len(source.table),
        notes=tuple(checked.notes),
        provenance=source.provenance,
        originals=originals,
    )


class _Reasons:
    """The reasons, so far, for rejecting each row of a register."""

    def __init__(self, n: int) -> None:
        self._reasons: list[list[str]] = [[] for _ in range(n)]

    def add(self, mask: NDArray[np.bool_], message: str | NDArray[np.object_]) -> None:
        """Give the rows in ``mask`` a reason: one message, or each row's own."""
        for i in np.flatnonzero(mask):
            self._reasons[i].append(message if isinstance(message, str) else str(message[i]))

    def joined(self) -> NDArray[np.object_]:
        """Each row's reasons joined with "; ", or None for a row with none."""
        return np.array(["; ".join(r) if r else None for r in self._reasons], dtype=object)


def _contract_columns(
    table: pd.DataFrame, columns: Mapping[str, str] | None, name: str
) -> dict[str, str]:
    """Map the register's columns to the contract; refuse repeats and a missing name/category."""
    original_columns = list(table.columns)
    if len(set(original_columns)) != len(original_columns):
        repeated = sorted({c for c in original_columns if original_columns.count(c) > 1})
        raise DataError(f"{name}: repeated column name(s) {', '.join(repeated)}; rename them.")
    mapped = map_columns(original_columns, columns, name)
    missing = [c for c in ("name", "category") if c not in mapped]
    if missing:
        raise DataError(
            f"{name}: no {' or '.join(missing)} column found; the columns are: "
            f"{', '.join(original_columns)}. Name it with columns={{'Their Name': "
            f'{missing[0]!r}}} (--column "Their Name={missing[0]}" on the command line).'
        )
    return mapped


def _blank_rows(table: pd.DataFrame, geometry: gpd.GeoSeries | None) -> NDArray[np.bool_]:
    """Rows whose every cell is empty (and that have no geometry)."""
    blank = np.ones(len(table), dtype=bool)
    for column in table.columns:
        blank &= pd.isna(cell_texts(table[column]))
    if geometry is not None:
        blank &= np.asarray(pd.isna(geometry.values) | geometry.is_empty.to_numpy(), dtype=bool)
    return blank


def _asset_ids(
    table: pd.DataFrame,
    mapped: dict[str, str],
    rows: NDArray[np.int64],
    live: NDArray[np.bool_],
    reasons: _Reasons,
    notes: list[str],
) -> NDArray[np.object_]:
    """Read ``asset_id``, rejecting empty and repeated ids; make ids from rows if absent."""
    n = len(table)
    if "asset_id" not in mapped:
        width = max(4, len(str(int(rows.max()) if n else 0)))
        notes.append(
            f"the register has no asset_id column: ids were made from row numbers "
            f"(R{rows[0] if n else 2:0{width}d} is row {rows[0] if n else 2}); add an id "
            "column to keep them stable"
        )
        return np.array([f"R{r:0{width}d}" for r in rows], dtype=object)
    ids = cell_texts(table[mapped["asset_id"]])
    reasons.add(live & pd.isna(ids), f"no asset_id: the {mapped['asset_id']!r} cell is empty")
    has_id = live & ~pd.isna(ids)
    id_series = pd.Series(ids, dtype=object).where(has_id, None)
    duplicated = (id_series.duplicated(keep="first") & has_id).to_numpy()
    if duplicated.any():
        first_row = pd.Series(rows[has_id]).groupby(id_series[has_id].to_numpy()).first().to_dict()
        messages = np.full(n, None, dtype=object)
        for i in np.flatnonzero(duplicated):
            messages[i] = (
                f"duplicate asset_id: {ids[i]!r} was first used on row {first_row[ids[i]]}"
            )
        reasons.add(duplicated, messages)
    return ids


def _descriptions(
    table: pd.DataFrame,
    mapped: dict[str, str],
    vocab: Vocabulary,
    live: NDArray[np.bool_],
    reasons: _Reasons,
    notes: list[str],
) -> dict[str, NDArray[np.object_]]:
    """``names``, ``category``, ``partner`` and ``sector``, rejecting blanks and unknowns."""
    n = len(table)
    names = cell_texts(table[mapped["name"]])
    reasons.add(live & pd.isna(names), "no name: the name cell is empty")
    raw_category = cell_texts(table[mapped["category"]])
    reasons.add(live & pd.isna(raw_category), "no category: the category cell is empty")
    category, unknown = _vocabulary_terms(vocab, raw_category, live, kind="category")
    if unknown is not None:
        reasons.add(*unknown)
    if "sector" in mapped:
        raw_sector = cell_texts(table[mapped["sector"]])
        sector, unknown = _vocabulary_terms(vocab, raw_sector, live, kind="sector")
        if unknown is not None:
            reasons.add(*unknown)
    else:
        sector = np.full(n, None, dtype=object)
        notes.append("the register has no sector column: sector is left blank")
    partner = (
        cell_texts(table[mapped["partner"]]) if "partner" in mapped else np.full(n, None, object)
    )
    if "partner" not in mapped:
        notes.append("the register has no partner column: partner is left blank")
    return {"names": names, "category": category, "partner": partner, "sector": sector}


def _optional_numbers(
    table: pd.DataFrame,
    mapped: dict[str, str],
    rows: NDArray[np.int64],
    live: NDArray[np.bool_],
    notes: list[str],
) -> dict[str, NDArray[np.float64]]:
    """Cost and floor area: a bad or negative value is left blank and noted, not rejected."""
    numbers: dict[str, NDArray[np.float64]] = {}
    for column in (c for c in NUMBER_COLUMNS if c in mapped):
        values, bad = parse_numbers(table[mapped[column]], money=column == "annual_cost")
        bad &= live
        negative = live & (values < 0)
        values[negative] = np.nan
        bad |= negative
        if bad.any():
            notes.append(
                f"{column}: {int(bad.sum())} value(s) are not non-negative numbers and were "
                f"left blank (rows {listing(rows[bad])})"
            )
        numbers[column] = values
    return numbers


def _vocabulary_terms(
    vocab: Vocabulary, raw: np.ndarray, live: np.ndarray, *, kind: Kind
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Normalise a category or sector column; rows with a term the vocabulary lacks.

    Returns the normalised terms and, when some are unknown, the rows and their reasons
    (naming the nearest known terms) for the rejects.
    """
    terms = vocab.normalise_many(pd.Series(raw, dtype=object), kind=kind).to_numpy(dtype=object)
    unknown = live & ~pd.isna(raw) & pd.isna(terms)
    if not unknown.any():
        return terms, None
    messages = np.full(len(raw), None, dtype=object)
    for value in pd.unique(raw[unknown]):
        text = f"unknown {kind}: " + vocab.describe_unknown(value, kind=kind)
        messages[unknown & (raw == value)] = text
    return terms, (unknown, messages)


def _vocabulary(vocabulary: Vocabulary | TermSource | None) -> Vocabulary:
    if vocabulary is None:
        return DEFAULT_VOCABULARY
    if isinstance(vocabulary, Vocabulary):
        return vocabulary
    if hasattr(vocabulary, "categories") and hasattr(vocabulary, "sectors"):
        return Vocabulary.from_scheme(vocabulary)
    raise DataError(
        f"vocabulary must be a Vocabulary or a Scheme, not {type(vocabulary).__name__}."
    )


# --------------------------------------------------------------------------------------
# Locating


def locate_assets(
    register_or_assets: AssetRegister | pd.DataFrame,
    parishes: gpd.GeoDataFrame,
    *,
    county: shapely.Geometry | gpd.GeoDataFrame | None = None,
    workers: int | None = None,
) -> AssetRegister:
    """Put every asset in its parish, locality and tier; reject those outside the county.

    Parameters
    ----------
    register_or_assets : AssetRegister or GeoDataFrame
        From :func:`read_assets`; a frame is read with :func:`read_assets` first.
    parishes : geopandas.GeoDataFrame
        Annotated parishes in EPSG:27700 (``parish_code``, ``parish_name``, ``locality``,
        ``tier``, optional ``tier_name``), as built by
        :func:`localitygis.localities.build_localities`.
    county : shapely geometry or GeoDataFrame, optional
        The county boundary. With it, assets inside the county but in no parish are told
        apart ("in a gap between parishes") from those outside it, and distances are
        measured to the county boundary.
    workers : int, optional
        Threads for the point-in-parish search (default: the CPUs, at most 4). The result
        does not depend on it.

    Returns
    -------
    AssetRegister
        Assets with ``parish_code``, ``parish_name``, ``locality``, ``tier`` (and
        ``tier_name``); assets outside every parish, or in a parish with no locality, move
        to ``rejects`` with the reason ("outside the county: 12.3 km from the boundary").
        A point on a boundary shared by two parishes goes to the parish whose code sorts
        first.

    Raises
    ------
    DataError
        Parishes without the annotated columns, or with repeated codes.
    CRSError
        Parishes not in EPSG:27700.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely import box
    >>> parishes = gpd.GeoDataFrame(
    ...     {"parish_code": ["E1"], "parish_name": ["Weobley"], "locality": ["Weobley"],
    ...      "tier": [1]}, geometry=[box(340000, 250000, 342000, 252000)], crs=27700)
    >>> register = read_assets(pd.DataFrame({
    ...     "asset_id": ["A1", "A2"], "name": ["Weobley Library", "Far Away Hall"],
    ...     "category": ["library", "village hall"],
    ...     "easting": [341000, 355000], "northing": [251000, 251000]}))
    >>> located = locate_assets(register, parishes)
    >>> located.assets[["asset_id", "parish_name", "locality", "tier"]]
      asset_id parish_name locality  tier
    0       A1     Weobley  Weobley     1
    >>> located.rejects["reason"].tolist()
    ['outside the county: 13.0 km from the boundary (nearest parish: Weobley)']
    >>> located.counts()["read"] == located.counts()["accepted"] + located.counts()["rejected"]
    True
    """
    register = _as_register(register_or_assets)
    index = _ParishIndex(parishes, county=county)
    assets = register.assets
    points = np.asarray(assets.geometry.values, dtype=object)
    # For many assets, sort the points into bands and find each parish's by its box (no
    # R-tree of the points: less memory than geopandas' sindex and no slower).
    many = len(points) > max(1_000, len(index) // 10)
    found = index.parish_of(points, index_points=many, workers=workers)
    problem = _location_problems(index, assets, points, found)
    keep = pd.isna(problem)
    provenance = register.provenance.combined(provenance_of(parishes))
    located = with_provenance(_with_location(assets, index, found, keep), provenance)
    log.info(
        "%s: located %d asset(s); %d outside every parish",
        register.source,
        len(located),
        int((~keep).sum()),
    )
    return AssetRegister(
        assets=located,
        rejects=_with_moved_rejects(register, keep, problem),
        source=register.source,
        read=register.read,
        notes=register.notes,
        provenance=provenance,
        originals=register.originals,
    )


def _as_register(register_or_assets: AssetRegister | pd.DataFrame) -> AssetRegister:
    """Return the register, reading a frame with :func:`read_assets` first."""
    if isinstance(register_or_assets, AssetRegister):
        return register_or_assets
    if isinstance(register_or_assets, pd.DataFrame):
        return read_assets(register_or_assets)
    raise DataError(
        "locate_assets needs an AssetRegister (from read_assets) or a GeoDataFrame, not "
        f"{type(register_or_assets).__name__}."
    )


def _location_problems(
    index: _ParishIndex,
    assets: gpd.GeoDataFrame,
    points: NDArray[np.object_],
    found: NDArray[np.int64],
) -> NDArray[np.object_]:
    """Say why each asset cannot be located (``None`` where it can).

    An asset in no parish is outside the county (or in a gap between parishes); one in a
    parish with no locality points at the locality build.
    """
    problem = np.full(len(assets), None, dtype=object)
    outside = found < 0
    if outside.any():
        how = assets["position_source"].to_numpy(dtype=object)[outside]
        swappable = np.isin(how, ["geometry", "easting/northing"])
        reasons, _ = index.outside(points[outside], swappable=swappable)
        problem[outside] = np.asarray(reasons, dtype=object)
    if "locality" not in index.arrays:
        return problem
    no_locality = ~outside & np.asarray(
        pd.isna(index.arrays["locality"].take(np.where(outside, 0, found))), dtype=bool
    )
    for i in np.flatnonzero(no_locality):
        name = index.arrays["parish_name"][found[i]]
        problem[i] = (
            f"parish not in a locality: {name} ({index.codes[found[i]]}) has no locality; "
            "fix the locality build"
        )
    return problem


def _with_location(
    assets: gpd.GeoDataFrame,
    index: _ParishIndex,
    found: NDArray[np.int64],
    keep: NDArray[np.bool_],
) -> gpd.GeoDataFrame:
    """Return the assets kept, with their parish's columns after ``postcode``."""
    located = assets.copy(deep=False) if keep.all() else assets.take(np.flatnonzero(keep))
    location = index.take(found[keep])
    located = located.drop(columns=[c for c in location if c in located.columns])
    at = list(located.columns).index("postcode") + 1
    for offset, (column, values) in enumerate(location.items()):
        located.insert(at + offset, column, values)
    located.index = pd.RangeIndex(len(located))
    return located


def _with_moved_rejects(
    register: AssetRegister, keep: NDArray[np.bool_], problem: NDArray[np.object_]
) -> pd.DataFrame:
    """Return the register's rejects with the assets not located added, in row order."""
    moved_rows = register.assets["row"].to_numpy()[~keep]
    if not len(moved_rows):
        return register.rejects
    more = register_rejects(register.originals, moved_rows, problem[~keep], register.source)
    rejects = pd.concat([register.rejects, more], ignore_index=True)
    return rejects.sort_values("row", kind="stable").reset_index(drop=True)
