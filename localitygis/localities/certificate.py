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

__all__ = ["CoverageChain", "certify_coverage", "union_groups"]

_HASH = np.uint64(0x9E3779B97F4A7C15)
_ENDS = np.dtype([("p", np.complex128), ("q", np.complex128)])  # a segment's two ends


def _mix(k: np.ndarray) -> np.ndarray:
    """Scramble 64-bit words in place (a multiply-xorshift), so hashes spread evenly."""
    k ^= k >> np.uint64(29)
    k *= _HASH
    k ^= k >> np.uint64(32)
    return k


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
    complete : bool
        Every segment is in ``pair_a``/``pair_b``/``single``. False when some pairing was
        settled by exact coordinates only (no owners kept): the coverage is still valid but
        :func:`union_groups` cannot be used.
    """

    point: np.ndarray
    turn: np.ndarray
    pair_a: np.ndarray
    pair_b: np.ndarray
    owner_a: np.ndarray
    owner_b: np.ndarray
    single: np.ndarray
    owner: np.ndarray
    complete: bool


def certify_coverage(geoms: np.ndarray, *, assume_valid: bool = False) -> CoverageChain | None:
    """Vouch that polygons form a valid coverage (a chain), or return None ("cannot tell").

    A chain is a proof, not an estimate. Orient every ring (shells anticlockwise, holes
    clockwise) and add up all boundary segments as a chain, a segment traversed both ways
    cancelling. For valid polygons, the number of polygons over a point equals the winding
    number of that chain about it, exactly, because cancelled pairs wind by nothing. The
    leftover chain ``B`` (segments not matched exactly by a neighbour) is checked with GEOS:
    its segments must merge into closed rings that are simple and touch nowhere, nested with
    alternating orientation (outermost anticlockwise). Then the winding number is 0 or 1
    everywhere, so no two polygons overlap; and any mismatched shared edge (a vertex on
    another polygon's edge, collinear edges that are not equal, crossing edges) either
    overlaps a neighbour or leaves two touching or overlapping segments in ``B``. Hence a
    chain here means :func:`shapely.coverage_is_valid` is True.

    Segments are paired by sorting 64-bit hashes of their end points; every pair is then
    confirmed on the coordinates themselves, and whatever hashing leaves unsettled (a
    collision, a segment used three times or twice the same way) is summed exactly by
    coordinates, so hashing only decides speed, never the answer. ``B`` is only the outline
    of the coverage (and of its gaps), so the GEOS checks are small; the rest is array work
    over the vertices, about half the cost of validating each polygon against each
    neighbour. Anything unusual (invalid, empty or non-polygonal geometries, an overlap
    along a segment, rings touching at a vertex, thousands of unsettled segments)
    returns None and the caller asks GEOS.

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
    if not len(geoms) or any(g is None for g in geoms):
        return None
    if not np.isin(shapely.get_type_id(geoms), (3, 6)).all() or shapely.is_empty(geoms).any():
        return None
    if not assume_valid and not shapely.is_valid(geoms).all():
        return None
    parts, geom_of_part = shapely.get_parts(geoms, return_index=True)
    rings, part_of = shapely.get_rings(parts, return_index=True)
    geom_of_ring = geom_of_part[part_of].astype(np.int32)
    shell = np.r_[True, part_of[1:] != part_of[:-1]]
    oriented = shell == shapely.is_ccw(rings)  # ring already runs the standard way
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    del parts, rings, part_of, geom_of_part, shell
    coords += 0.0  # -0.0 -> 0.0: equal coordinates get equal bits
    bits = coords.view(np.uint64)
    with np.errstate(over="ignore"):
        vertex = _mix(bits[:, 0].copy())
        vertex ^= bits[:, 1]
        _mix(vertex)
        # Segment i runs from vertex seg[i] to seg[i] + 1 of the same ring; zero-length
        # segments are skipped, as GEOS does.
        same = ring_of[1:] == ring_of[:-1]
        turn = oriented[ring_of]  # per vertex: its ring runs the standard way
        owner = geom_of_ring[ring_of]  # per vertex: its polygon
        del ring_of
        point = coords.view(np.complex128).ravel()
        same &= point[1:] != point[:-1]
        seg = np.flatnonzero(same).astype(np.int32 if len(same) < 2**31 - 1 else np.int64)
        del same
        h0, h1 = vertex[seg], vertex[seg + 1]
        del vertex
        # The lowest bit of a key is the segment's direction along its standard-oriented
        # ring, so a segment traversed both ways is two keys differing in that bit only.
        up = (h0 < h1) == turn[seg]
        key = np.minimum(h0, h1)
        np.maximum(h0, h1, out=h1)
        del h0
        key *= _HASH
        key ^= h1
        del h1
        _mix(key)
    # Sort keys, not indices (argsort costs 2-3x more): the low bits of each key carry the
    # segment (its first vertex) and, above it, its direction along its standard-oriented
    # ring, so a segment traversed both ways is two keys equal in their hash bits.
    n_seg = len(key)
    width = max(1, (len(point) - 1).bit_length())
    if width > 40:
        return None
    key &= ~np.uint64((1 << (width + 1)) - 1)
    key |= up.astype(np.uint64) << np.uint64(width)
    del up
    key |= seg.astype(np.uint64)
    key.sort()
    seg = (key & np.uint64((1 << width) - 1)).astype(seg.dtype)  # in key order
    hashed = key >> np.uint64(width + 1)
    same_next = np.zeros(n_seg, dtype=bool)
    same_next[:-1] = hashed[1:] == hashed[:-1]
    del hashed
    same_prev = np.r_[False, same_next[:-1]]
    single = ~same_prev & ~same_next
    pair = same_next & ~same_prev
    pair[:-1] &= ~same_next[1:]  # runs of exactly two
    k = np.flatnonzero(pair)
    del pair, same_next, same_prev
    # Equal hashes: the two keys differ in the direction bit if traversed both ways.
    opposite = ((key[k] ^ key[k + 1]) >> np.uint64(width)) == 1
    del key
    # A pair cancels when it really is one segment traversed both ways: tail of one is the
    # head of the other (the same ends in the same vertex order if one of the two rings
    # runs against the standard way, in reverse order if not). Anything else (three uses,
    # one way twice, a hash collision) is settled exactly below.
    a, b = seg[k], seg[k + 1]
    # Item s: both ends of segment s (overlapping items), so one gather fetches a segment.
    ends = np.ndarray((len(point) - 1,), dtype=_ENDS, buffer=point, strides=point.strides)
    ends_a, ends_b = ends.take(a), ends.take(b)
    crossed = (ends_a["p"] == ends_b["q"]) & (ends_a["q"] == ends_b["p"])
    straight = (ends_a["p"] == ends_b["p"]) & (ends_a["q"] == ends_b["q"])
    cancel = opposite & np.where(turn[a] == turn[b], crossed, straight)
    del ends_a, ends_b, crossed, straight
    odd = ~single
    odd[k[cancel]] = False
    odd[k[cancel] + 1] = False
    start = seg[single]
    complete = not odd.any()
    if complete:
        outline = np.sort(start)
        rings, _, failed = _trace_rings(point, turn, outline, np.zeros(len(start), np.int64), 1)
        if failed[0] or not len(rings) or not _rings_nest(rings):
            return None
    else:
        extra = _exact_chain(seg[odd], point, turn)
        if extra is None:
            return None
        tail = np.where(turn[start], start, start + 1)
        head = np.where(turn[start], start + 1, start)
        tail_xy = np.concatenate([point[tail], extra[0]])
        head_xy = np.concatenate([point[head], extra[1]])
        if not len(tail_xy) or not _outline_is_simple(tail_xy, head_xy):
            return None
    a, b = a[cancel], b[cancel]
    return CoverageChain(
        point=point,
        turn=turn,
        pair_a=a,
        pair_b=b,
        owner_a=owner[a],
        owner_b=owner[b],
        single=start,
        owner=owner,
        complete=complete,
    )


def _outline_is_simple(tail_xy: np.ndarray, head_xy: np.ndarray) -> bool:
    """Check the leftover segments merge into closed rings that pass :func:`_rings_nest`."""
    ends = np.column_stack([tail_xy, head_xy]).ravel()
    segments = shapely.linestrings(
        ends.real, ends.imag, indices=np.repeat(np.arange(len(tail_xy)), 2)
    )
    merged = shapely.line_merge(shapely.multilinestrings(segments), directed=True)
    lines = shapely.get_parts(merged)
    if not shapely.is_closed(lines).all():
        return False
    ring_xy, ring_index = shapely.get_coordinates(lines, return_index=True)
    return _rings_nest(shapely.linearrings(ring_xy, indices=ring_index))


def _rings_nest(rings: np.ndarray) -> bool:
    """Check rings are simple, touch nowhere, and nest turning in turn (outermost ccw)."""
    if not shapely.is_simple(shapely.multilinestrings(rings)):
        return False
    outline = shapely.polygons(rings)
    outer, inner = shapely.STRtree(outline).query(outline, predicate="contains_properly")
    depth = np.bincount(inner[outer != inner], minlength=len(rings))
    return bool((shapely.is_ccw(rings) == (depth % 2 == 0)).all())


def _exact_chain(
    starts: np.ndarray, point: np.ndarray, turn: np.ndarray, limit: int = 20_000
) -> tuple[np.ndarray, np.ndarray] | None:
    """Sum a few segments as a chain by exact coordinates (the rare cases hashing leaves).

    ``starts`` are segments' first vertices in ``point``; ``turn`` says per vertex whether
    its ring runs the standard way. Returns the tails and heads of the segments left over,
    or None when a segment is left twice the same way (an overlap) or there are too many to
    do here (GEOS decides).
    """
    if len(starts) > limit:
        return None
    tails = np.where(turn[starts], point[starts], point[starts + 1])
    heads = np.where(turn[starts], point[starts + 1], point[starts])
    total: dict[tuple[complex, complex], int] = {}
    for t, h in zip(tails.tolist(), heads.tolist(), strict=True):
        low, high = sorted((t, h), key=lambda z: (z.real, z.imag))
        total[(low, high)] = total.get((low, high), 0) + (1 if t == low else -1)
    if any(abs(v) > 1 for v in total.values()):
        return None
    kept = [(lo, hi) if v > 0 else (hi, lo) for (lo, hi), v in total.items() if v]
    return (
        np.array([t for t, _ in kept], dtype=np.complex128),
        np.array([h for _, h in kept], dtype=np.complex128),
    )


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
        From :func:`certify_coverage`, with ``complete`` True.
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
    if not chain.complete:
        raise ValueError("union_groups needs a complete chain (chain.complete is False)")
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
    tail_key = _point_keys(label, point[np.where(turn[seg], seg, seg + 1)])
    ordered = np.sort(tail_key)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(twice):
        failed[np.unique(label[np.isin(tail_key, twice)])] = True
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


def _point_keys(group: np.ndarray, point: np.ndarray) -> np.ndarray:
    """64-bit hashes of (group, point); equal inputs give equal keys."""
    bits = (np.column_stack([point.real, point.imag]) + 0.0).view(np.uint64)
    with np.errstate(over="ignore"):
        key = _mix(bits[:, 0].copy())
        key ^= bits[:, 1]
        _mix(key)
        key ^= group.astype(np.uint64) * _HASH
        _mix(key)
    return key


def _successors(
    run_group: np.ndarray, tail: np.ndarray, head: np.ndarray, failed: np.ndarray
) -> np.ndarray:
    """Per run, the run of its group starting where it ends (itself where that fails).

    Groups where a point starts two runs (a pinch, or a hash collision) or a run has no
    successor are marked in ``failed``; their runs get themselves as successor.
    """
    n = len(tail)
    tail_key = _point_keys(run_group, tail)
    order = np.argsort(tail_key, kind="stable")
    sorted_key = tail_key[order]
    twice = np.flatnonzero(sorted_key[1:] == sorted_key[:-1])
    failed[run_group[order[twice]]] = True
    failed[run_group[order[twice + 1]]] = True
    found = np.searchsorted(sorted_key, _point_keys(run_group, head))
    found = np.minimum(found, n - 1)
    succ = order[found]
    exact = (run_group[succ] == run_group) & (tail[succ] == head)
    failed[run_group[~exact]] = True
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
