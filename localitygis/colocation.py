"""Co-location: clusters of community assets that stand within walking distance of each other.

Two assets are linked when they stand within ``distance`` metres (EPSG:27700) of each other;
a cluster is a connected component of that graph, so chains link up (A–B 300 m and B–C 300 m
make one cluster even though A–C is 600 m). Clusters whose members belong to two or more
partners are *co-location opportunities*; clusters of one partner on two or more sites are
*consolidation candidates*; everything else is a *single* site.

Cluster ids do not depend on the order of the rows: clusters are numbered 1, 2, 3… in the
order of the smallest ``asset_id`` (compared as text) among their members.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from localitygis._proximity import proximity_components
from localitygis._textrank import rank_texts
from localitygis._validate import listing, require_bng, require_distance, require_points
from localitygis.errors import DataError

__all__ = [
    "KIND_CONSOLIDATION",
    "KIND_OPPORTUNITY",
    "KIND_SINGLE",
    "ColocationResult",
    "cluster_hulls",
    "find_clusters",
]

log = logging.getLogger(__name__)

KIND_OPPORTUNITY = "co-location opportunity"
KIND_CONSOLIDATION = "consolidation candidate"
KIND_SINGLE = "single"

#: Rows looked at to judge whether a column's values are mostly distinct (see ``_texts``).
_SAMPLE = 4096

#: Columns every asset table needs for co-location.
REQUIRED_COLUMNS = ("asset_id", "name", "category", "partner", "sector")


@dataclass(frozen=True)
class ColocationResult:
    """Clusters of assets within walking distance.

    Attributes
    ----------
    assets : geopandas.GeoDataFrame
        The input assets (same rows, same order) with ``cluster_id`` (int, from 1) and
        ``cluster_kind``.
    clusters : geopandas.GeoDataFrame
        One row per cluster: ``cluster_id``, ``locality`` (the locality of most members),
        ``member_count``, ``site_count`` (distinct positions, to the metre),
        ``partner_count``, ``partners``, ``sectors``, ``categories``, ``members`` (names;
        all "; "-joined and sorted), ``kind``, ``span_m`` (largest extent) and ``geometry``
        (Point: the centroid of the members).
    distance : float
        The linking distance in metres.
    """

    assets: gpd.GeoDataFrame
    clusters: gpd.GeoDataFrame
    distance: float

    def by_locality(self) -> pd.DataFrame:
        """Summarise clusters per locality.

        Returns
        -------
        pandas.DataFrame
            One row per locality (and ``"(no locality)"`` for clusters without one):
            ``assets``, ``clusters``, ``opportunities``, ``consolidation_candidates``,
            ``singles``, ``assets_in_opportunities``.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely import Point
        >>> assets = gpd.GeoDataFrame(
        ...     {"asset_id": ["a", "b"], "name": ["Library", "Surgery"],
        ...      "category": ["library", "GP surgery"], "partner": ["Council", "NHS"],
        ...      "sector": ["council", "NHS"], "locality": ["Kington", "Kington"]},
        ...     geometry=[Point(330000, 256000), Point(330100, 256000)], crs=27700)
        >>> find_clusters(assets).by_locality()[["locality", "clusters", "opportunities"]]
          locality  clusters  opportunities
        0  Kington         1              1
        """
        clusters = self.clusters
        loc = clusters["locality"].astype(object).where(clusters["locality"].notna(), None)
        loc = loc.fillna("(no locality)").astype(str)
        kinds = clusters["kind"]
        table = pd.DataFrame(
            {
                "locality": loc.to_numpy(),
                "assets": clusters["member_count"].to_numpy(),
                "clusters": 1,
                "opportunities": (kinds == KIND_OPPORTUNITY).to_numpy().astype(int),
                "consolidation_candidates": (kinds == KIND_CONSOLIDATION).to_numpy().astype(int),
                "singles": (kinds == KIND_SINGLE).to_numpy().astype(int),
                "assets_in_opportunities": np.where(
                    kinds == KIND_OPPORTUNITY, clusters["member_count"], 0
                ),
            }
        )
        out = table.groupby("locality", sort=True).sum().reset_index()
        return out

    def hulls(self, *, buffer: float = 25.0) -> gpd.GeoDataFrame:
        """Outline each cluster: see :func:`cluster_hulls`."""
        return cluster_hulls(self, buffer=buffer)


def find_clusters(assets: gpd.GeoDataFrame, *, distance: float = 400.0) -> ColocationResult:
    """Find clusters of assets within ``distance`` metres of each other.

    Parameters
    ----------
    assets : geopandas.GeoDataFrame
        Located assets in EPSG:27700 with Point geometry and ``asset_id`` (unique),
        ``name``, ``category``, ``partner``, ``sector``; ``locality`` is used when present.
    distance : float, default 400.0
        Linking distance in metres (400 m is about five minutes' walk). Two assets exactly
        ``distance`` apart are linked.

    Returns
    -------
    ColocationResult

    Raises
    ------
    CRSError
        The assets are not in EPSG:27700.
    DataError
        A required column is missing, an ``asset_id`` is blank or repeated, or the distance
        is not a positive number.
    GeometryError
        Missing, empty or non-Point geometry.

    Examples
    --------
    A chain: A–B and B–C are 300 m apart, A–C 600 m; all three make one cluster.

    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> assets = gpd.GeoDataFrame(
    ...     {"asset_id": ["A", "B", "C", "D"],
    ...      "name": ["Library", "Surgery", "Hall", "Depot"],
    ...      "category": ["library", "GP surgery", "village hall", "depot"],
    ...      "partner": ["Council", "NHS", "Parish", "Council"],
    ...      "sector": ["council", "NHS", "council", "council"]},
    ...     geometry=[Point(350000, 240000), Point(350300, 240000),
    ...               Point(350600, 240000), Point(360000, 240000)], crs=27700)
    >>> result = find_clusters(assets, distance=400)
    >>> result.assets["cluster_id"].tolist()
    [1, 1, 1, 2]
    >>> result.clusters[["cluster_id", "member_count", "partner_count", "kind"]]
       cluster_id  member_count  partner_count                     kind
    0           1             3              3  co-location opportunity
    1           2             1              1                   single
    """
    require_distance(distance)
    rank, x, y = _check_assets(assets, source="assets")
    n = len(assets)
    labels = proximity_components(x, y, distance)
    cluster_of_row = _ordered_ids(labels, rank)
    n_clusters = int(cluster_of_row.max()) if n else 0
    clusters = _summarise(assets, x, y, cluster_of_row - 1, n_clusters)
    out = assets.copy()
    out["cluster_id"] = cluster_of_row.astype(np.int64)
    out["cluster_kind"] = clusters["kind"].to_numpy()[cluster_of_row - 1] if n else []
    log.info("%d assets in %d clusters at %.0f m", n, n_clusters, distance)
    return ColocationResult(assets=out, clusters=clusters, distance=float(distance))


def _check_assets(
    assets: gpd.GeoDataFrame, *, source: str, required: Sequence[str] = REQUIRED_COLUMNS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the CRS, the columns, the ids and the points; return the ids' rank, x and y.

    The rank (0 for the id sorting first) comes from the same sort that finds repeated ids,
    and numbers the clusters (:func:`_ordered_ids`).
    """
    require_bng(assets, source)
    missing = [c for c in required if c not in assets.columns]
    if missing:
        raise DataError(
            f"{source} lacks column(s) {', '.join(missing)}; it has: "
            f"{', '.join(map(str, assets.columns))}. Read registers with localitygis.assets, "
            "or rename the columns to the asset contract."
        )
    rank = _id_rank(assets["asset_id"], source)
    x, y = require_points(assets, source, label="asset_id")
    return rank, x, y


def _id_rank(asset_id: pd.Series, source: str) -> np.ndarray:
    """Rank each id in text order, raising on blank (or missing) and repeated ids."""
    text = asset_id.astype(str)
    ids = text.fillna("").to_numpy(dtype=object)
    blank = np.array([not t.strip() for t in ids.tolist()], dtype=bool).reshape(len(ids))
    problems = []
    if blank.any():
        problems.append(f"blank asset_id in row(s) {listing(np.flatnonzero(blank))}")
        ids = np.where(blank, "", ids)  # sortable, and left out of the repeats below
    distinct, rank, _ = rank_texts(ids)
    if len(distinct) < len(ids):
        repeated = (np.bincount(rank, minlength=len(distinct)) > 1) & (distinct != "")
        if repeated.any():
            problems.append(f"repeated asset_id {listing(distinct[repeated])}")
    if problems:
        raise DataError(f"{source}: " + "; ".join(problems) + ". Every asset needs its own id.")
    return rank


# --------------------------------------------------------------------------------------
# Cluster numbering


def _ordered_ids(labels: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Renumber component labels 1..n in order of each component's smallest id.

    ``rank`` orders the rows by ``asset_id`` as text (from :func:`_check_assets`).
    """
    if len(labels) == 0:
        return labels
    n_labels = int(labels.max()) + 1
    first = np.full(n_labels, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, labels, rank)
    order = np.empty(n_labels, dtype=np.int64)
    order[np.argsort(first)] = np.arange(n_labels)  # the firsts are distinct
    return order[labels] + 1


# --------------------------------------------------------------------------------------
# Cluster table


def _joined(
    cluster: np.ndarray, values: pd.Series, n_clusters: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster: the sorted distinct values "; "-joined, and how many there are.

    Group operations over integer keys: each distinct text is ranked once
    (:func:`~localitygis._textrank.rank_texts`), the (cluster, rank) keys are sorted and
    deduplicated, all texts are joined into one string in that order and each cluster's run
    is sliced out of it; no Python loop over clusters' members.
    """
    text, codes = _texts(values)
    distinct, rank, length = rank_texts(text)
    width = len(distinct)
    key = _distinct(cluster.astype(np.int64) * width + rank[codes])
    c, r = key // width, key % width
    counts = np.bincount(c, minlength=n_clusters)
    joined = np.full(n_clusters, "", dtype=object)
    if not len(r):
        return joined, counts
    # Join everything once, then cut each cluster's run out of the one string.
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    ends = np.r_[starts[1:], len(r)] - 1
    whole = "; ".join(distinct[r].tolist())
    after = np.cumsum(length[r] + 2)
    begin = np.r_[0, after[:-1]]  # where each value starts in ``whole``
    cuts = zip(begin[starts].tolist(), (after[ends] - 2).tolist(), strict=True)
    joined[c[starts]] = [whole[a:b] for a, b in cuts]
    return joined, counts


def _texts(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Give the stripped texts (missing values as "(unknown)") and which one each row holds.

    Mostly distinct values (names, judged on the first rows) are taken row by row; others
    are hashed first (:func:`pandas.factorize`) so that each distinct value is stripped once.
    """
    array = values.array
    sample = array[:_SAMPLE]
    if len(pd.unique(sample)) > len(sample) // 2:
        plain = np.asarray(array, dtype=object).tolist()
        text = np.empty(len(plain), dtype=object)
        text[:] = [v.strip() if type(v) is str else _other_text(v) for v in plain]
        return text, np.arange(len(text))
    # hashing plain objects is faster than hashing through the string extension array
    codes, uniques = pd.factorize(np.asarray(array, dtype=object))  # missing: -1
    plain = np.asarray(uniques, dtype=object)  # iterating the extension array is slow
    text = np.array([str(u).strip() for u in plain] + ["(unknown)"], dtype=object)
    codes[codes < 0] = len(uniques)
    return text, codes


def _other_text(value: object) -> str:
    """Give a value that is not a ``str`` as stripped text ("(unknown)" when missing)."""
    return "(unknown)" if pd.isna(value) else str(value).strip()


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Return the distinct integer keys, sorted (a sort and a diff: cheaper than np.unique)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def _summarise(
    assets: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray, cluster: np.ndarray, n_clusters: int
) -> gpd.GeoDataFrame:
    """Build the cluster table: one row per cluster, numbered from 1."""
    counts = np.bincount(cluster, minlength=n_clusters)
    site_count = _site_count(cluster, x, y, n_clusters)
    centre, span = _centre_and_span(cluster, x, y, counts)
    partners, partner_count = _joined(cluster, assets["partner"], n_clusters)
    sectors, _ = _joined(cluster, assets["sector"], n_clusters)
    categories, category_count = _joined(cluster, assets["category"], n_clusters)
    members, _ = _joined(cluster, assets["name"], n_clusters)

    kind = np.where(
        partner_count >= 2,
        KIND_OPPORTUNITY,
        np.where(site_count >= 2, KIND_CONSOLIDATION, KIND_SINGLE),
    )
    locality = _majority_locality(assets, cluster, n_clusters)
    clusters = gpd.GeoDataFrame(
        {
            "cluster_id": np.arange(1, n_clusters + 1, dtype=np.int64),
            "locality": locality,
            "member_count": counts.astype(np.int64),
            "site_count": site_count.astype(np.int64),
            "partner_count": partner_count.astype(np.int64),
            "category_count": category_count.astype(np.int64),
            "partners": pd.array(partners, dtype="str"),
            "sectors": pd.array(sectors, dtype="str"),
            "categories": pd.array(categories, dtype="str"),
            "members": pd.array(members, dtype="str"),
            "kind": pd.array(kind.astype(object), dtype="str"),
            "span_m": np.round(span, 1),
        },
        geometry=centre,
        crs=assets.crs,
    )
    return clusters


def _site_count(cluster: np.ndarray, x: np.ndarray, y: np.ndarray, n_clusters: int) -> np.ndarray:
    """Count the distinct positions (to the metre) in each cluster."""
    site, _ = pd.factorize(np.round(x) + 1j * np.round(y))
    width = int(site.max(initial=0)) + 1
    sites = _distinct(cluster.astype(np.int64) * width + site)
    return np.bincount(sites // width, minlength=n_clusters)


def _centre_and_span(
    cluster: np.ndarray, x: np.ndarray, y: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Give each cluster's centroid (points) and the diagonal of its bounding box (metres)."""
    n_clusters = len(counts)
    safe = np.maximum(counts, 1)
    cx = np.bincount(cluster, weights=x, minlength=n_clusters) / safe
    cy = np.bincount(cluster, weights=y, minlength=n_clusters) / safe
    low_x, high_x = np.full(n_clusters, np.inf), np.full(n_clusters, -np.inf)
    low_y, high_y = np.full(n_clusters, np.inf), np.full(n_clusters, -np.inf)
    np.minimum.at(low_x, cluster, x)
    np.maximum.at(high_x, cluster, x)
    np.minimum.at(low_y, cluster, y)
    np.maximum.at(high_y, cluster, y)
    return shapely.points(cx, cy), np.hypot(high_x - low_x, high_y - low_y)


def _majority_locality(assets: gpd.GeoDataFrame, cluster: np.ndarray, n_clusters: int) -> pd.Series:
    """Give the locality of most members per cluster (ties: the name sorting first)."""
    out = pd.Series([None] * n_clusters, dtype="str")
    if "locality" not in assets.columns:
        return out
    codes, names = pd.factorize(assets["locality"].astype(str).array, sort=True)
    known = codes >= 0
    if not known.any():
        return out
    width = len(names)
    key = np.sort(cluster[known].astype(np.int64) * width + codes[known])
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    members = np.diff(np.r_[start, len(key)])
    key = key[start]
    c, name = key // width, key % width
    # most members first, then alphabetical (the codes follow the sorted names)
    best = np.lexsort((name, -members, c))
    best = best[np.r_[True, c[best][1:] != c[best][:-1]]]
    out.iloc[c[best]] = np.asarray(names, dtype=object)[name[best]]
    return out


def cluster_hulls(result: ColocationResult, *, buffer: float = 25.0) -> gpd.GeoDataFrame:
    """Outline each cluster: the convex hull of its members, widened by ``buffer`` metres.

    Always polygons (a single site becomes a small disc), ready for maps.

    Parameters
    ----------
    result : ColocationResult
        From :func:`find_clusters`.
    buffer : float, default 25.0
        Margin in metres around the hull.

    Returns
    -------
    geopandas.GeoDataFrame
        The cluster table with polygon geometry.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> assets = gpd.GeoDataFrame(
    ...     {"asset_id": ["a", "b"], "name": ["Library", "Surgery"],
    ...      "category": ["library", "GP surgery"], "partner": ["Council", "NHS"],
    ...      "sector": ["council", "NHS"]},
    ...     geometry=[Point(330000, 256000), Point(330100, 256000)], crs=27700)
    >>> hulls = cluster_hulls(find_clusters(assets))
    >>> hulls.geom_type.tolist()
    ['Polygon']
    """
    assets = result.assets
    cid = assets["cluster_id"].to_numpy() - 1
    order = np.argsort(cid, kind="stable")
    points = shapely.multipoints(assets.geometry.array[order], indices=cid[order])
    hulls = shapely.buffer(shapely.convex_hull(points), buffer)
    out = result.clusters.copy()
    out = out.set_geometry(gpd.GeoSeries(hulls, index=out.index, crs=out.crs))
    return out
