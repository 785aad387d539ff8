"""A fast certificate of coverage validity, and dissolving a certified coverage by groups.

:func:`certify_coverage` proves that polygons form a valid coverage (or says it cannot
tell) by pairing boundary segments; the pairing it finds is kept in a :class:`CoverageChain`
so that :func:`union_groups` can dissolve the coverage into groups (parishes into
localities, localities into the county) from the segments left unpaired across group
borders, without a second pass of :func:`shapely.coverage_union_all`. Private: the public
entry points are :func:`localitygis.localities.quality.coverage_is_valid` and the build.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import shapely

__all__ = [
    "CoverageChain",
    "Nesting",
    "certify_coverage",
    "nest_coverages",
    "segment_lines",
    "union_groups",
]

_HASH = np.uint64(0x9E3779B97F4A7C15)
_ENDS = np.dtype([("p", np.complex128), ("q", np.complex128)])  # a segment's two ends
_CHUNK = 1 << 18  # vertices or segments worked on at once (bounds the temporaries)


def _mix(k: np.ndarray) -> np.ndarray:
    """Scramble 64-bit words in place (a multiply-xorshift), so hashes spread evenly."""
    k ^= k >> np.uint64(29)
    k *= _HASH
    k ^= k >> np.uint64(32)
    return k


def _vertex_hash(point: np.ndarray) -> np.ndarray:
    """Hash each point (complex128, -0.0 already made 0.0) to 64 bits."""
    bits = np.ascontiguousarray(point).view(np.float64).reshape(-1, 2).view(np.uint64)
    with np.errstate(over="ignore"):
        vertex = _mix(bits[:, 0].copy())
        vertex ^= bits[:, 1]
        return _mix(vertex)


@dataclass(frozen=True, eq=False)
class CoverageChain:
    """The boundary segments of a certified coverage, paired, with the polygon of each.

    A segment is named by its first vertex ``s`` in ``point``: it runs from ``point[s]`` to
    ``point[s + 1]``, and ``turn[s]`` says whether that is its direction along its ring
    oriented the standard way (shells anticlockwise, holes clockwise).

    Attributes
    ----------
    point : numpy.ndarray
        complex128, every vertex of every ring (x + iy).
    turn : numpy.ndarray
        bool per vertex: its ring already runs the standard way.
    pair_a, pair_b : numpy.ndarray
        Segments cancelling each other (one edge shared by two polygons, traversed both
        ways); ``owner_a``, ``owner_b`` are their polygons (indices into the input).
    single : numpy.ndarray
        Segments used once: the outline of the coverage.
    owner : numpy.ndarray
        int32 per vertex: the polygon (index into the input) of its ring.
    key : numpy.ndarray
        uint64 per segment, sorted: the hash of its two ends, its direction bit and the
        segment, as :func:`_segment_keys` makes them (to find segments by their ends).

    Every segment is in ``pair_a``/``pair_b`` or ``single``, exactly once.
    """

    point: np.ndarray
    turn: np.ndarray
    pair_a: np.ndarray
    pair_b: np.ndarray
    owner_a: np.ndarray
    owner_b: np.ndarray
    single: np.ndarray
    owner: np.ndarray
    key: np.ndarray


def certify_coverage(geoms: np.ndarray, *, assume_valid: bool = False) -> CoverageChain | None:
    """Vouch that polygons form a valid coverage (a chain), or return None ("cannot tell").

    A chain is a proof, not an estimate. Orient every ring (shells anticlockwise, holes
    clockwise) and add up all boundary segments as a chain, a segment traversed both ways
    cancelling. For valid polygons, the number of polygons over a point equals the winding
    number of that chain about it, exactly, because cancelled pairs wind by nothing. The
    leftover chain ``B`` (segments not matched exactly by a neighbour) must trace into
    closed rings that are simple and touch nowhere, nested with alternating orientation
    (outermost anticlockwise). Then the winding number is 0 or 1 everywhere, so no two
    polygons overlap; and any mismatched shared edge (a vertex on another polygon's edge,
    collinear edges that are not equal, crossing edges) either overlaps a neighbour or
    leaves two touching or overlapping segments in ``B``. Hence a chain here means
    :func:`shapely.coverage_is_valid` is True.

    Segments are paired by sorting 64-bit hashes of their end points; every pair is then
    confirmed on the coordinates themselves, and whatever hashing leaves unsettled (a
    collision, a segment used three times or twice the same way) is paired again by
    sorting those segments on their exact end coordinates. Every pairing is therefore
    exact and kept with its owners, whatever the hashes do: hashing only decides speed,
    never the answer, and no input falls back to GEOS because of a collision. ``B`` is
    only the outline of the coverage (and of its gaps), so its checks are small; the rest
    is array work over the vertices, about half the cost of validating each polygon
    against each neighbour. Anything unusual (invalid, empty or non-polygonal geometries,
    a segment used twice the same way or three times, rings touching at a vertex) returns
    None and the caller asks GEOS.

    Parameters
    ----------
    geoms : numpy.ndarray
        Polygons and multipolygons.
    assume_valid : bool
        Every geometry is known to be valid (:func:`shapely.is_valid`).

    Returns
    -------
    CoverageChain or None

    Examples
    --------
    >>> from shapely import box
    >>> certify_coverage(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)])) is not None
    True
    >>> certify_coverage(np.array([box(0, 0, 1, 1), box(0.5, 0, 2, 1)])) is None
    True
    """
    if not _certifiable(geoms, assume_valid=assume_valid):
        return None
    point, turn, owner, seg = _vertices(geoms)
    key = _segment_keys(point, turn, seg)
    del seg  # the keys carry the segments
    paired = None if key is None else _pair_segments(point, turn, key)
    if paired is None:
        return None
    a, b, single, key = paired
    rings, _, failed = _trace_rings(point, turn, single, np.zeros(len(single), np.int64), 1)
    if failed[0] or not len(rings) or not _rings_nest(rings):
        return None
    return CoverageChain(
        point=point,
        turn=turn,
        pair_a=a,
        pair_b=b,
        owner_a=owner[a],
        owner_b=owner[b],
        single=single,
        owner=owner,
        key=key,
    )


def _certifiable(geoms: np.ndarray, *, assume_valid: bool) -> bool:
    """Non-empty valid polygons and multipolygons, and at least one of them."""
    if not len(geoms) or any(g is None for g in geoms):
        return False
    if not np.isin(shapely.get_type_id(geoms), (3, 6)).all() or shapely.is_empty(geoms).any():
        return False
    return assume_valid or bool(shapely.is_valid(geoms).all())


def _vertices(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every ring's vertices: (point, turn, owner, seg) as :class:`CoverageChain` names them.

    ``seg`` lists the segments (first vertices), zero-length ones skipped as GEOS does.
    Geometries are taken in chunks of about :data:`_CHUNK` vertices, so that GEOS's copies
    of their parts and rings stay small.
    """
    ends = np.cumsum(shapely.get_num_coordinates(geoms))
    total = int(ends[-1])
    point = np.empty(total, dtype=np.complex128)
    turn = np.empty(total, dtype=bool)
    owner = np.empty(total, dtype=np.int32)
    seg = np.empty(total, dtype=np.int32 if total < 2**31 - 1 else np.int64)
    count = 0
    cuts = np.unique(np.r_[0, np.searchsorted(ends, np.arange(_CHUNK, total, _CHUNK)), len(geoms)])
    for lo, hi in itertools.pairwise(cuts.tolist()):
        first = int(ends[lo - 1]) if lo else 0
        piece = slice(first, int(ends[hi - 1]))
        point[piece], turn[piece], owner[piece], starts = _ring_vertices(geoms[lo:hi])
        owner[piece] += lo
        seg[count : count + len(starts)] = starts + first
        count += len(starts)
    return point, turn, owner, seg[:count]


def _ring_vertices(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_vertices` of a few geometries (owners and segments numbered from 0)."""
    parts, geom_of_part = shapely.get_parts(geoms, return_index=True)
    rings, part_of = shapely.get_rings(parts, return_index=True)
    geom_of_ring = geom_of_part[part_of].astype(np.int32)
    shell = np.r_[True, part_of[1:] != part_of[:-1]]
    oriented = shell == shapely.is_ccw(rings)  # ring already runs the standard way
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    del parts, rings, part_of, geom_of_part, shell
    coords += 0.0  # -0.0 -> 0.0: equal coordinates get equal bits
    point = coords.view(np.complex128).ravel()
    # Segment i runs from vertex i to i + 1 of the same ring.
    same = ring_of[1:] == ring_of[:-1]
    same &= point[1:] != point[:-1]
    return point, oriented[ring_of], geom_of_ring[ring_of], np.flatnonzero(same)


def _segment_keys(point: np.ndarray, turn: np.ndarray, seg: np.ndarray) -> np.ndarray | None:
    """Sort keys: a hash of the segment's ends, its direction bit, then the segment itself.

    The low bits of each key carry the segment (its first vertex) and, above it, its
    direction along its standard-oriented ring, so a segment traversed both ways is two
    keys equal in their hash bits and differing in the direction bit. None when the vertex
    numbers leave too few bits for the hash.
    """
    width = _width(point)
    if width > 40:
        return None
    key, up = _segment_hash(point, turn, seg)
    for lo in range(0, len(key), _CHUNK):
        part = slice(lo, lo + _CHUNK)
        key[part] &= ~np.uint64((1 << (width + 1)) - 1)
        key[part] |= up[part].astype(np.uint64) << np.uint64(width)
        key[part] |= seg[part].astype(np.uint64)
    return key


def _width(point: np.ndarray) -> int:
    """Return the bits a vertex number takes (the low bits of the sort keys)."""
    return max(1, (len(point) - 1).bit_length())


def _segment_hash(
    point: np.ndarray, turn: np.ndarray, seg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hash each segment's two ends, whichever way it runs; and its direction bit.

    The bit says whether the segment, run the standard way along its ring, goes from the
    end with the smaller vertex hash to the larger. Worked out in chunks (small temporaries).
    """
    key = np.empty(len(seg), dtype=np.uint64)
    up = np.empty(len(seg), dtype=bool)
    for lo in range(0, len(seg), _CHUNK):
        part = seg[lo : lo + _CHUNK]
        h0, h1 = _vertex_hash(point[part]), _vertex_hash(point[part + 1])
        up[lo : lo + _CHUNK] = (h0 < h1) == turn[part]
        with np.errstate(over="ignore"):
            low = np.minimum(h0, h1)
            np.maximum(h0, h1, out=h1)
            low *= _HASH
            low ^= h1
            key[lo : lo + _CHUNK] = _mix(low)
    return key, up


def _pair_segments(
    point: np.ndarray, turn: np.ndarray, key: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Pair segments traversed both ways: (pair_a, pair_b, single, key), or None on an overlap.

    ``key`` are the segments' keys (:func:`_segment_keys`), sorted here in place: sort keys,
    not indices (argsort costs 2-3x more). A run of two equal hashes is a pair when the
    coordinates confirm it; everything else sharing a hash is paired exactly by
    :func:`_pair_exactly`. ``single`` comes sorted, the pairs by ``pair_a``.
    """
    width = _width(point)
    key.sort()
    number = np.int32 if len(point) < 2**31 - 1 else np.int64
    seg = (key & np.uint64((1 << width) - 1)).astype(number)  # in key order
    same_next = np.zeros(len(key), dtype=bool)
    for lo in range(0, len(key) - 1, _CHUNK):
        part = slice(lo, min(lo + _CHUNK, len(key) - 1))
        ahead = slice(part.start + 1, part.stop + 1)
        same_next[part] = (key[ahead] ^ key[part]) >> np.uint64(width + 1) == 0
    same_prev = np.r_[False, same_next[:-1]]
    single = ~same_prev & ~same_next
    pair = same_next & ~same_prev
    pair[:-1] &= ~same_next[1:]  # runs of exactly two
    k = np.flatnonzero(pair)
    odd = ~single  # runs of three or more
    odd[k] = False
    odd[k + 1] = False
    del pair, same_next, same_prev
    # Equal hashes: the two keys differ in the direction bit if traversed both ways.
    opposite = ((key[k] ^ key[k + 1]) >> np.uint64(width)) == 1
    a, b = _by_first(seg[k[opposite]], seg[k[opposite] + 1])
    cancel = _same_segment(point, turn, a, b)
    unsettled = (seg[odd], seg[k[~opposite]], seg[k[~opposite] + 1], a[~cancel], b[~cancel])
    exact = _pair_exactly(np.concatenate(unsettled), point, turn)
    if exact is None:
        return None
    a = np.concatenate([a[cancel], exact[0]])
    b = np.concatenate([b[cancel], exact[1]])
    return a, b, np.sort(np.concatenate([seg[single], exact[2]])), key


def _by_first(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort pairs of segments by the first, so that gathering their ends walks the vertices.

    Consecutive segments of one ring pair with consecutive segments of its neighbour's,
    so the second of each pair comes in runs too.
    """
    if a.dtype != np.int32:  # numbers past 32 bits: sort indices instead
        order = np.argsort(a)
        return a[order], b[order]
    packed = a.astype(np.uint64) << np.uint64(32)
    packed |= b.astype(np.uint64)
    packed.sort()
    low = (packed & np.uint64(0xFFFFFFFF)).astype(a.dtype)
    packed >>= np.uint64(32)
    return packed.astype(a.dtype), low


def _same_segment(point: np.ndarray, turn: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether segments ``a`` and ``b`` join the same two points (each pair traversed both ways).

    The tail of one is the head of the other: the same ends in the same vertex order if one
    of the two rings runs against the standard way, in reverse order if not.
    """
    # Item s: both ends of segment s (overlapping items), so one gather fetches a segment.
    ends = np.ndarray((len(point) - 1,), dtype=_ENDS, buffer=point, strides=point.strides)
    same = np.empty(len(a), dtype=bool)
    for lo in range(0, len(a), _CHUNK):
        part = slice(lo, lo + _CHUNK)
        ends_a, ends_b = ends[a[part]], ends[b[part]]  # not take(): it copies all of ends
        crossed = (ends_a["p"] == ends_b["q"]) & (ends_a["q"] == ends_b["p"])
        straight = (ends_a["p"] == ends_b["p"]) & (ends_a["q"] == ends_b["q"])
        same[part] = np.where(turn[a[part]] == turn[b[part]], crossed, straight)
    return same


def _pair_exactly(
    seg: np.ndarray, point: np.ndarray, turn: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Pair segments by their exact end coordinates (what hashing left: collisions).

    Returns (pair_a, pair_b, single) like :func:`_pair_segments`, or None when a segment is
    used three times or twice the same way (polygons overlap along it: GEOS decides).
    """
    tail = np.where(turn[seg], point[seg], point[seg + 1])
    head = np.where(turn[seg], point[seg + 1], point[seg])
    up = (tail.real < head.real) | ((tail.real == head.real) & (tail.imag < head.imag))
    low, high = np.where(up, tail, head), np.where(up, head, tail)
    order = np.lexsort((high.imag, high.real, low.imag, low.real))
    low, high, up, seg = low[order], high[order], up[order], seg[order]
    start = np.flatnonzero(np.r_[True, (low[1:] != low[:-1]) | (high[1:] != high[:-1])])
    length = np.diff(np.r_[start, len(seg)])
    two = start[length == 2]
    if (length > 2).any() or (up[two] == up[two + 1]).any():
        return None
    return seg[two], seg[two + 1], seg[start[length == 1]]


def _rings_nest(rings: np.ndarray) -> bool:
    """Check rings are simple, touch nowhere, and nest turning in turn (outermost ccw)."""
    if not shapely.is_simple(shapely.multilinestrings(rings)):
        return False
    outline = shapely.polygons(rings)
    outer, inner = shapely.STRtree(outline).query(outline, predicate="contains_properly")
    depth = np.bincount(inner[outer != inner], minlength=len(rings))
    return bool((shapely.is_ccw(rings) == (depth % 2 == 0)).all())


def union_groups(chain: CoverageChain, group: np.ndarray) -> list[shapely.Geometry | None]:
    """Dissolve a certified coverage by groups, from the segments left unpaired.

    The union of a group of polygons is bounded by its segments whose twin belongs to
    another group, or that have none (the outline). Consecutive such segments of one input
    ring form a run; runs are chained end to start within their group into rings (by array
    work, not GEOS), which are anticlockwise shells and clockwise holes because every run
    follows its ring the standard way. Each hole goes into the smallest shell covering it.
    When no vertex starts two of a group's boundary segments, its rings are simple and
    disjoint, so the polygons are valid and equal to the coverage union; a group where one
    does (rings touching at a vertex) is left to GEOS.

    Parameters
    ----------
    chain : CoverageChain
        From :func:`certify_coverage`.
    group : numpy.ndarray
        Integer group per input polygon, ``0 .. n_groups - 1``.

    Returns
    -------
    list of shapely geometry or None
        The union of each group (a Polygon or MultiPolygon), in group order; None for an
        empty group, and for a group whose boundary is pinched (two of its rings meet at a
        vertex) or otherwise not plain rings: dissolve those with
        :func:`shapely.coverage_union_all`.

    Examples
    --------
    >>> from shapely import box
    >>> chain = certify_coverage(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)]))
    >>> [g.normalize().wkt for g in union_groups(chain, np.array([0, 0, 1]))]
    ['POLYGON ((0 0, 0 1, 1 1, 2 1, 2 0, 1 0, 0 0))', 'POLYGON ((2 0, 2 1, 3 1, 3 0, 2 0))']
    """
    group = np.asarray(group, dtype=np.int64)
    n_groups = int(group.max()) + 1 if len(group) else 0
    result: list[shapely.Geometry | None] = [None] * n_groups
    cut = group[chain.owner_a] != group[chain.owner_b]
    # The group's boundary segments, in vertex order: a mark per vertex, then its index.
    boundary = np.zeros(len(chain.point), dtype=bool)
    boundary[chain.pair_a[cut]] = True
    boundary[chain.pair_b[cut]] = True
    boundary[chain.single] = True
    seg = np.flatnonzero(boundary)
    if not len(seg):
        return result
    label = group[chain.owner[seg]]
    rings, ring_group, failed = _trace_rings(chain.point, chain.turn, seg, label, n_groups)
    if not len(rings):
        return result
    is_shell = shapely.is_ccw(rings)
    owner = _shell_of_rings(rings, is_shell, ring_group)
    failed[ring_group[owner < 0]] = True
    good = np.flatnonzero(~failed[ring_group])
    if not len(good):
        return result
    # By group, then each shell followed by its holes.
    good = good[np.lexsort((~is_shell[good], owner[good], ring_group[good]))]
    polygon_of_ring = np.cumsum(np.r_[0, np.diff(owner[good]) != 0])
    polygons = shapely.polygons(rings[good], indices=polygon_of_ring)
    polygon_group = ring_group[good][np.r_[0, np.flatnonzero(np.diff(polygon_of_ring)) + 1]]
    bounds = np.r_[0, np.flatnonzero(np.diff(polygon_group)) + 1, len(polygon_group)]
    for lo, hi in itertools.pairwise(bounds):
        members = polygons[lo:hi]
        g = int(polygon_group[lo])
        result[g] = members[0] if len(members) == 1 else shapely.MultiPolygon(list(members))
    return result


def _trace_rings(
    point: np.ndarray, turn: np.ndarray, seg: np.ndarray, label: np.ndarray, n_labels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chain segments into closed rings, label by label, with array work (no GEOS).

    ``seg`` are segments in increasing order (first vertices in ``point``; ``turn`` per
    vertex says whether the segment's ring runs the standard way), ``label`` the label of
    each. Returns the
    rings (linearrings in the standard direction), the label of each ring and, per label,
    whether tracing failed: a vertex two of its segments start from (rings would touch
    there), or a segment no other continues (the chain does not close). A failed label has
    no rings returned.
    """
    failed = np.zeros(n_labels, dtype=bool)
    no_rings = (np.empty(0, dtype=object), np.empty(0, dtype=np.int64), failed)
    if not len(seg):
        return no_rings
    tail_id = _point_ids(label, point[np.where(turn[seg], seg, seg + 1)])
    failed[label[np.bincount(tail_id)[tail_id] > 1]] = True
    runs = _runs(seg, turn)
    run_label = label[runs.first_index]
    succ = _successors(run_label, point[runs.tail], point[runs.head], failed)
    ring_of_run, rank = _cycles(succ)
    ok = ~failed[run_label]
    if not ok.any():
        return no_rings
    # Rings in order of their leader run, runs within a ring from the leader on.
    order = np.flatnonzero(ok)
    order = order[np.lexsort((-rank[order], ring_of_run[order]))]
    length = runs.length[order]
    start = np.where(runs.forward[order], runs.first[order], runs.last[order] + 1)
    step = np.where(runs.forward[order], 1, -1)
    offset = np.repeat(np.cumsum(length) - length, length)
    within = np.arange(int(length.sum())) - offset
    vertex = np.repeat(start, length) + np.repeat(step, length) * within
    new_ring = np.r_[True, np.diff(ring_of_run[order]) != 0]
    ring_id = np.repeat(np.cumsum(new_ring) - 1, length)
    xy = point[vertex].view(np.float64).reshape(-1, 2)
    rings = shapely.linearrings(xy, indices=ring_id)
    return rings, run_label[order[new_ring]], failed


@dataclass(frozen=True)
class _Runs:
    """Maximal runs of consecutive boundary segments along one input ring."""

    first: np.ndarray  # first segment (vertex index) of the run
    last: np.ndarray  # last segment of the run
    first_index: np.ndarray  # position of ``first`` in the sorted segment array
    forward: np.ndarray  # the run follows the vertex order (its ring runs the standard way)
    tail: np.ndarray  # vertex the run starts from, in the standard direction
    head: np.ndarray  # vertex it ends at
    length: np.ndarray  # number of segments


def _runs(seg: np.ndarray, turn: np.ndarray) -> _Runs:
    """Split sorted segment numbers into runs of consecutive segments of one ring."""
    # Segments numbered one apart are on one ring: a ring's closing vertex starts no
    # segment, so the last segment of a ring and the first of the next are two apart.
    breaks = np.flatnonzero(np.diff(seg) != 1) + 1
    first_index = np.r_[0, breaks]
    last_index = np.r_[breaks - 1, len(seg) - 1]
    first, last = seg[first_index], seg[last_index]
    forward = turn[first]
    tail = np.where(forward, first, last + 1)
    head = np.where(forward, last + 1, first)
    return _Runs(first, last, first_index, forward, tail, head, last - first + 1)


def _point_ids(label: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Give (label, point) pairs exact ids: equal pairs, and only they, share an id.

    Hashes sort the pairs; should two different pairs share a hash (a collision), the
    pairs are sorted on their exact values instead.
    """
    if not len(point):
        return np.empty(0, dtype=np.int64)
    key = _vertex_hash(point + 0.0)
    with np.errstate(over="ignore"):
        key ^= label.astype(np.uint64) * _HASH
        _mix(key)
    order = np.argsort(key)
    key = key[order]
    new = np.r_[True, key[1:] != key[:-1]]
    if (~new[1:] & _differ(label[order], point[order])).any():  # a collision
        order = np.lexsort((point.imag, point.real, label))
        new = np.r_[True, _differ(label[order], point[order])]
    ids = np.empty(len(point), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return ids


def _differ(label: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Whether each (label, point) differs from the one before it (one fewer than given)."""
    return (label[1:] != label[:-1]) | (point[1:] != point[:-1])


def _successors(
    run_group: np.ndarray, tail: np.ndarray, head: np.ndarray, failed: np.ndarray
) -> np.ndarray:
    """Per run, the run of its group starting where it ends (itself where that fails).

    Groups where a point starts two runs (a pinch) or a run has no successor are marked in
    ``failed``; their runs get themselves as successor.
    """
    n = len(tail)
    ids = _point_ids(np.r_[run_group, run_group], np.r_[tail, head])
    tail_id, head_id = ids[:n], ids[n:]
    failed[run_group[np.bincount(tail_id, minlength=len(ids))[tail_id] > 1]] = True
    run_at = np.full(len(ids), -1, dtype=np.int64)
    run_at[tail_id] = np.arange(n)
    succ = run_at[head_id]
    failed[run_group[succ < 0]] = True
    bad = failed[run_group]
    succ[bad] = np.flatnonzero(bad)
    if (np.bincount(succ, minlength=n) != 1).any():  # not a permutation: trust none of it
        failed[:] = True
        succ = np.arange(n)
    return succ


def _cycles(succ: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cycles of a permutation by pointer doubling: per element, its cycle and its rank.

    The cycle is named by its smallest element (the leader); the rank is the number of
    steps from the element to the end of its cycle (the element before the leader), so
    the leader has the largest rank and sorting by descending rank walks the cycle.
    """
    n = len(succ)
    steps = max(1, n.bit_length())
    leader = np.arange(n)
    jump = succ.copy()
    for _ in range(steps):
        np.minimum(leader, leader[jump], out=leader)
        jump = jump[jump]
    end = succ == leader[succ]  # its successor is the leader of its cycle
    rank = (~end).astype(np.int64)
    jump = np.where(end, np.arange(n), succ)
    for _ in range(steps):
        rank += rank[jump]
        jump = jump[jump]
    return leader, rank


def _shell_of_rings(rings: np.ndarray, is_shell: np.ndarray, ring_group: np.ndarray) -> np.ndarray:
    """Per ring, the shell it belongs to (a shell is its own); -1 for a hole with none."""
    owner = np.where(is_shell, np.arange(len(rings)), -1)
    shells = np.flatnonzero(is_shell)
    holes = np.flatnonzero(~is_shell)
    if not len(holes):
        return owner
    shell_count = np.bincount(ring_group[shells], minlength=int(ring_group.max()) + 1)
    only_shell = np.full(len(shell_count), -1)
    alone = shell_count[ring_group[shells]] == 1
    only_shell[ring_group[shells[alone]]] = shells[alone]
    owner[holes] = only_shell[ring_group[holes]]
    # Groups with several shells: the smallest shell of the same group covering the hole.
    open_holes = holes[owner[holes] < 0]
    open_holes = open_holes[shell_count[ring_group[open_holes]] > 1]
    if len(open_holes):
        shell_polygons = shapely.polygons(rings[shells])
        hole_polygons = shapely.polygons(rings[open_holes])
        h, s = shapely.STRtree(shell_polygons).query(hole_polygons, predicate="covered_by")
        same = ring_group[open_holes[h]] == ring_group[shells[s]]
        h, s = h[same], s[same]
        order = np.lexsort((shapely.area(shell_polygons[s]), h))
        h, s = h[order], s[order]
        first = np.r_[True, h[1:] != h[:-1]] if len(h) else np.zeros(0, dtype=bool)
        owner[open_holes[h[first]]] = shells[s[first]]
    return owner


# --------------------------------------------------------------------------------------
# One certified coverage laid on another


@dataclass(frozen=True)
class Nesting:
    """How a coarse certified coverage lies on a fine one, read from their segments.

    Attributes
    ----------
    within : numpy.ndarray
        int64 per fine polygon: the coarse polygon lying on the polygon's side of one of its
        segments (the two share that segment, run the same way); -1 where no segment says,
        -2 where segments name different coarse polygons.
    loose : numpy.ndarray
        The coarse segments that are no fine segment (first vertices in the coarse chain's
        ``point``, sorted): only they can cross a fine polygon's interior.
    """

    within: np.ndarray
    loose: np.ndarray


def nest_coverages(fine: CoverageChain, coarse: CoverageChain) -> Nesting | None:
    """Find which coarse segments are fine segments, and the coarse polygon beside each.

    Both chains come from :func:`certify_coverage`, so each is a valid coverage of valid
    polygons. A coarse segment that is also a fine segment (the same two end points) lies
    on fine boundaries, which in a valid coverage meet no fine polygon's interior. So a fine
    polygon touched by no ``loose`` segment has no coarse boundary through its interior:
    each of its parts lies wholly inside one coarse polygon or outside all of them, and
    when one of its segments is a coarse segment run the same way (both polygons on the
    segment's left), that coarse polygon is the one (``within``).

    Each coarse segment is looked up among the fine chain's sorted segment keys by the
    hash of its ends; every match is confirmed on the coordinates, and whatever shares a
    hash with three or more fine segments (a collision) is matched exactly on the
    coordinates, so the answer does not depend on the hashes. None when the vertices leave
    too few bits for the hash.

    Examples
    --------
    >>> from shapely import box
    >>> parishes = certify_coverage(np.array([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)]))
    >>> schools = certify_coverage(np.array([box(0, 0, 2, 1), box(2, 0, 3, 1)]))
    >>> nested = nest_coverages(parishes, schools)
    >>> nested.within.tolist(), len(nested.loose)  # box(0, 0, 2, 1) has 2 segments no parish has
    ([0, 0, 1], 2)
    """
    width = max(_width(fine.point), _width(coarse.point))
    if width > 40:
        return None
    coarse_seg = np.sort(np.concatenate([coarse.pair_a, coarse.pair_b, coarse.single]))
    same, reverse = _SegmentIndex(fine, width).find(coarse, coarse_seg)
    loose = coarse_seg[(same < 0) & (reverse < 0)]
    matched = same >= 0
    within = _one_each(
        fine.owner[same[matched]],
        coarse.owner[coarse_seg[matched]].astype(np.int64),
        int(fine.owner.max()) + 1,
    )
    return Nesting(within, loose)


def _directed_ends(chain: CoverageChain, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the vertices each segment runs from and to, its ring run the standard way."""
    forward = chain.turn[seg]
    return np.where(forward, seg, seg + 1), np.where(forward, seg + 1, seg)


class _SegmentIndex:
    """A chain's segments, found by their end points through its sorted keys.

    Hashes are compared on their bits above ``width + 1`` (the low bits of the keys carry
    the segment number and the direction bit).
    """

    def __init__(self, chain: CoverageChain, width: int) -> None:
        self.chain, self.width = chain, width
        self.number = np.uint64((1 << _width(chain.point)) - 1)
        self.up_bit = np.uint64(_width(chain.point))

    def find(self, other: CoverageChain, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per segment of ``other``, this chain's segment run the same way, and the reverse.

        Each is the segment (its first vertex in this chain's ``point``) or -1. The
        queries are sorted by hash and looked up in chunks (small temporaries).
        """
        shift = np.uint64(self.width + 1)
        query, up = _segment_hash(other.point, other.turn, seg)
        query >>= shift
        query <<= shift
        query |= np.arange(len(seg), dtype=np.uint64)
        query.sort()  # sorted queries: the search walks the keys in order
        same = np.full(len(seg), -1, dtype=np.int64)
        reverse = np.full(len(seg), -1, dtype=np.int64)
        for lo in range(0, len(query), _CHUNK):
            block = query[lo : lo + _CHUNK]
            which = (block & ((np.uint64(1) << shift) - np.uint64(1))).astype(np.int64)
            hashes = block >> shift
            start = np.searchsorted(self.chain.key, hashes << shift)
            tail, head = _directed_ends(other, seg[which])
            want = other.point[tail], other.point[head]
            found = self._confirm(start, hashes, up[which], want)
            same[which] = found
            miss = np.flatnonzero(found < 0)
            reverse[which[miss]] = self._confirm(
                start[miss], hashes[miss], ~up[which[miss]], (want[1][miss], want[0][miss])
            )
        return same, reverse

    def _confirm(
        self,
        start: np.ndarray,
        query: np.ndarray,
        up: np.ndarray,
        want: tuple[np.ndarray, np.ndarray],
    ) -> np.ndarray:
        """Find the segment running from ``want[0]`` to ``want[1]`` among those hashed ``query``.

        Looks at the first two keys from ``start`` with the direction bit ``up``; a hash
        shared by more keys is settled exactly.
        """
        key, shift = self.chain.key, np.uint64(self.width + 1)
        found = np.full(len(query), -1, dtype=np.int64)
        for step in (0, 1):
            at = np.minimum(start + step, len(key) - 1)
            look = np.flatnonzero((found < 0) & (key[at] >> shift == query))
            look = look[((key[at[look]] >> self.up_bit) & np.uint64(1)).astype(bool) == up[look]]
            candidate = (key[at[look]] & self.number).astype(np.int64)
            tail, head = _directed_ends(self.chain, candidate)
            hit = self.chain.point[tail] == want[0][look]
            hit &= self.chain.point[head] == want[1][look]
            found[look[hit]] = candidate[hit]
        third = np.minimum(start + 2, len(key) - 1)
        crowded = np.flatnonzero(
            (found < 0) & (key[third] >> shift == query) & (start + 2 < len(key))
        )
        if len(crowded):
            found[crowded] = self._exactly(query[crowded], (want[0][crowded], want[1][crowded]))
        return found

    def _exactly(self, hashes: np.ndarray, want: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Find the segments running ``want`` (tail, head) among all keys with these hashes."""
        shift = np.uint64(self.width + 1)
        hashes = np.unique(hashes) << shift
        start = np.searchsorted(self.chain.key, hashes)
        stop = np.searchsorted(self.chain.key, hashes | ((np.uint64(1) << shift) - 1), "right")
        length = stop - start
        offset = np.repeat(np.cumsum(length) - length, length)
        index = np.repeat(start, length) + np.arange(int(length.sum())) - offset
        candidate = (self.chain.key[index] & self.number).astype(np.int64)
        tail, head = _directed_ends(self.chain, candidate)
        match = _match_exactly(want, (self.chain.point[tail], self.chain.point[head]))
        return np.where(match >= 0, candidate[np.maximum(match, 0)], -1)


def _match_exactly(
    wanted: tuple[np.ndarray, np.ndarray], known: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Per wanted (tail, head), the position of the equal known one (unique), or -1."""
    tail = np.concatenate([known[0], wanted[0]])
    head = np.concatenate([known[1], wanted[1]])
    is_wanted = np.r_[np.zeros(len(known[0]), bool), np.ones(len(wanted[0]), bool)]
    order = np.lexsort((is_wanted, head.imag, head.real, tail.imag, tail.real))
    tail, head, is_wanted = tail[order], head[order], is_wanted[order]
    new = np.r_[True, (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])]
    leader = np.maximum.accumulate(np.where(new, np.arange(len(order)), 0))
    match = np.where(is_wanted[leader], -1, order[leader])
    found = np.full(len(wanted[0]), -1, dtype=np.int64)
    found[order[is_wanted] - len(known[0])] = match[is_wanted]
    return found


def _one_each(owner: np.ndarray, value: np.ndarray, n: int) -> np.ndarray:
    """Per owner ``0 .. n - 1``: its one value, -1 with none, -2 with different ones."""
    lowest = np.full(n, np.iinfo(np.int64).max)
    highest = np.full(n, -1, dtype=np.int64)
    np.minimum.at(lowest, owner, value)
    np.maximum.at(highest, owner, value)
    return np.where(highest < 0, -1, np.where(lowest == highest, highest, -2))


def segment_lines(chain: CoverageChain, seg: np.ndarray) -> np.ndarray:
    """Linestrings along the runs of consecutive segments ``seg`` (sorted first vertices).

    Examples
    --------
    >>> from shapely import box
    >>> chain = certify_coverage(np.array([box(0, 0, 1, 1)]))
    >>> [line.length for line in segment_lines(chain, chain.single[:2])]
    [2.0]
    """
    if not len(seg):
        return np.empty(0, dtype=object)
    runs = _runs(seg, chain.turn)
    count = runs.length + 1  # vertices of each run
    offset = np.repeat(np.cumsum(count) - count, count)
    vertex = np.repeat(runs.first, count) + np.arange(int(count.sum())) - offset
    xy = chain.point[vertex].view(np.float64).reshape(-1, 2)
    return shapely.linestrings(xy, indices=np.repeat(np.arange(len(count)), count))
