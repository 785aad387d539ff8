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

from localitygis.assets.columns import (
    _NUMBER_COLUMNS,
    ASSET_COLUMNS,
    CONTRACT_COLUMNS,
    _load,
    _map_columns,
)
from localitygis.assets.columns import (
    _positions_of_table as _positions_of_table,  # re-exported for localitygis.assets.locate
)
from localitygis.assets.frames import _assets_frame, _originals, _rejects_frame
from localitygis.assets.parish_index import _ParishIndex
from localitygis.assets.positions import (
    _directory,
    _numbers,
    _require_position_columns,
    _resolve_positions,
    _text,
)
from localitygis.assets.vocabulary import DEFAULT_VOCABULARY, Kind, Vocabulary
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
    vocabulary: Vocabulary | Any | None = None,
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
    table, geometry, rows, name, provenance = _load(
        source,
        crs=crs,
        sheet=sheet,
        layer=layer,
        source_name=source_name,
        header_row=header_row,
    )
    original_columns = [str(c) for c in table.columns]
    table.columns = original_columns
    if len(set(original_columns)) != len(original_columns):
        repeated = sorted({c for c in original_columns if original_columns.count(c) > 1})
        raise DataError(f"{name}: repeated column name(s) {', '.join(repeated)}; rename them.")
    mapped = _map_columns(original_columns, columns, name)
    missing = [c for c in ("name", "category") if c not in mapped]
    if missing:
        raise DataError(
            f"{name}: no {' or '.join(missing)} column found; the columns are: "
            f"{', '.join(original_columns)}. Name it with columns={{'Their Name': "
            f'{missing[0]!r}}} (--column "Their Name={missing[0]}" on the command line).'
        )
    _require_position_columns(mapped, geometry, postcodes, name)
    directory = _directory(postcodes)
    n = len(table)
    notes: list[str] = []
    reasons: list[list[str]] = [[] for _ in range(n)]

    def add(mask: NDArray[np.bool_], message: str | NDArray[np.object_]) -> None:
        for i in np.flatnonzero(mask):
            reasons[i].append(message if isinstance(message, str) else str(message[i]))

    # Blank rows: every cell empty (and no geometry).
    cells = [_text(table[c]) for c in original_columns]
    blank = np.ones(n, dtype=bool)
    for values in cells:
        blank &= pd.isna(values)
    if geometry is not None:
        blank &= np.asarray(pd.isna(geometry.values) | geometry.is_empty.to_numpy(), dtype=bool)
    add(blank, "blank row")
    live = ~blank

    # Identifiers.
    if "asset_id" in mapped:
        ids = _text(table[mapped["asset_id"]])
        no_id = live & pd.isna(ids)
        add(no_id, f"no asset_id: the {mapped['asset_id']!r} cell is empty")
        has_id = live & ~pd.isna(ids)
        id_series = pd.Series(ids, dtype=object).where(has_id, None)
        duplicated = (id_series.duplicated(keep="first") & has_id).to_numpy()
        duplicate_messages = np.full(n, None, dtype=object)
        if duplicated.any():
            first_row = (
                pd.Series(rows[has_id]).groupby(id_series[has_id].to_numpy()).first().to_dict()
            )
            for i in np.flatnonzero(duplicated):
                duplicate_messages[i] = (
                    f"duplicate asset_id: {ids[i]!r} was first used on row {first_row[ids[i]]}"
                )
        add(duplicated, duplicate_messages)
    else:
        width = max(4, len(str(int(rows.max()) if n else 0)))
        ids = np.array([f"R{r:0{width}d}" for r in rows], dtype=object)
        notes.append(
            f"the register has no asset_id column: ids were made from row numbers "
            f"(R{rows[0] if n else 2:0{width}d} is row {rows[0] if n else 2}); add an id "
            "column to keep them stable"
        )

    # Name, category and sector.
    names = _text(table[mapped["name"]])
    add(live & pd.isna(names), "no name: the name cell is empty")
    raw_category = _text(table[mapped["category"]])
    add(live & pd.isna(raw_category), "no category: the category cell is empty")
    category, unknown = _vocabulary_terms(vocab, raw_category, live, kind="category")
    if unknown is not None:
        add(*unknown)
    if "sector" in mapped:
        sector, unknown = _vocabulary_terms(
            vocab, _text(table[mapped["sector"]]), live, kind="sector"
        )
        if unknown is not None:
            add(*unknown)
    else:
        sector = np.full(n, None, dtype=object)
        notes.append("the register has no sector column: sector is left blank")
    partner = _text(table[mapped["partner"]]) if "partner" in mapped else np.full(n, None, object)
    if "partner" not in mapped:
        notes.append("the register has no partner column: partner is left blank")

    # Positions.
    positions = _resolve_positions(table, mapped, geometry, directory, blank)
    add(live & ~pd.isna(positions.problem), positions.problem)

    # Optional numbers: a bad value is left blank and noted, not a reason to reject.
    numbers: dict[str, NDArray] = {}
    for column in _NUMBER_COLUMNS:
        if column not in mapped:
            continue
        values, bad = _numbers(table[mapped[column]], money=column == "annual_cost")
        bad &= live
        negative = live & (values < 0)
        values[negative] = np.nan
        bad |= negative
        if bad.any():
            listed = ", ".join(str(r) for r in rows[bad][:10])
            more = f" and {int(bad.sum()) - 10} more" if bad.sum() > 10 else ""
            notes.append(
                f"{column}: {int(bad.sum())} value(s) are not non-negative numbers and were "
                f"left blank (rows {listed}{more})"
            )
        numbers[column] = values

    reason = np.array(["; ".join(r) if r else None for r in reasons], dtype=object)
    accepted = pd.isna(reason)
    originals = _originals(table, geometry, rows)
    assets = _assets_frame(
        accepted=accepted,
        ids=ids,
        names=names,
        category=category,
        partner=partner,
        sector=sector,
        positions=positions,
        numbers=numbers,
        rows=rows,
        table=table,
        used=set(mapped.values()),
        provenance=provenance,
    )
    rejects = _rejects_frame(originals, rows[~accepted], reason[~accepted], name)
    for note in notes:
        log.info("%s: %s", name, note)
    return AssetRegister(
        assets=assets,
        rejects=rejects,
        source=name,
        read=n,
        notes=tuple(notes),
        provenance=provenance,
        originals=originals,
    )


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


def _vocabulary(vocabulary: Vocabulary | Any | None) -> Vocabulary:
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
    if isinstance(register_or_assets, AssetRegister):
        register = register_or_assets
    elif isinstance(register_or_assets, pd.DataFrame):
        register = read_assets(register_or_assets)
    else:
        raise DataError(
            "locate_assets needs an AssetRegister (from read_assets) or a GeoDataFrame, not "
            f"{type(register_or_assets).__name__}."
        )
    index = _ParishIndex(parishes, county=county)
    assets = register.assets
    points = np.asarray(assets.geometry.values, dtype=object)
    # For many assets, index the points (reusing the frame's cached spatial index, as
    # geopandas' sjoin does) and query them with the prepared parishes.
    many = len(points) > max(1_000, len(index) // 10)
    found = index.parish_of(
        points,
        index_points=many,
        point_index=assets.sindex if many else None,
        workers=workers,
    )
    problem = np.full(len(assets), None, dtype=object)
    outside = found < 0
    if outside.any():
        how = assets["position_source"].to_numpy(dtype=object)[outside]
        swappable = np.isin(how, ["geometry", "easting/northing"])
        reasons, _ = index.outside(points[outside], swappable=swappable)
        problem[outside] = np.asarray(reasons, dtype=object)
    if "locality" in index.arrays:
        no_locality = ~outside & np.asarray(
            pd.isna(index.arrays["locality"].take(np.where(outside, 0, found))), dtype=bool
        )
        for i in np.flatnonzero(no_locality):
            name = index.arrays["parish_name"][found[i]]
            problem[i] = (
                f"parish not in a locality: {name} ({index.codes[found[i]]}) has no locality; "
                "fix the locality build"
            )
    keep = np.equal(problem, None)

    located = assets.copy(deep=False) if keep.all() else assets.take(np.flatnonzero(keep))
    location = index.take(found[keep])
    located = located.drop(columns=[c for c in location if c in located.columns])
    at = list(located.columns).index("postcode") + 1
    for offset, (column, values) in enumerate(location.items()):
        located.insert(at + offset, column, values)
    located.index = pd.RangeIndex(len(located))
    provenance = register.provenance.combined(provenance_of(parishes))
    located = with_provenance(located, provenance)

    moved_rows = assets["row"].to_numpy()[~keep]
    if len(moved_rows):
        more = _rejects_frame(register.originals, moved_rows, problem[~keep], register.source)
        rejects = pd.concat([register.rejects, more], ignore_index=True)
        rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
    else:
        rejects = register.rejects
    log.info(
        "%s: located %d asset(s); %d outside every parish",
        register.source,
        len(located),
        int((~keep).sum()),
    )
    return AssetRegister(
        assets=located,
        rejects=rejects,
        source=register.source,
        read=register.read,
        notes=register.notes,
        provenance=provenance,
        originals=register.originals,
    )
