"""Rank texts in Python's order by sorting integer keys, not string objects.

Sorting a million Python strings compares objects scattered over memory: when the rows are
not in the order the strings were made, ``np.argsort`` on an object array takes over a
second, most of it waiting for memory. :func:`rank_texts` reads every string once (one
``join``), encodes the lot into one contiguous array of code units, and sorts 64-bit keys
made of eight (ASCII) or two (other text) characters at a time, most significant first:
the first round sorts every text on its first characters, and each further round re-sorts
only the texts still tied, on their next characters. Big-endian code units compare as code
points do, which is how Python compares strings, so the order is exactly ``sorted()``'s.
"""

from __future__ import annotations

import numpy as np

__all__ = ["rank_texts"]

_SEPARATOR = "\x00"


def rank_texts(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort the distinct texts and rank each text among them (equal texts share a rank).

    Parameters
    ----------
    texts : numpy.ndarray
        An object array of ``str``.

    Returns
    -------
    distinct : numpy.ndarray
        The distinct texts in Python's order (object array).
    rank : numpy.ndarray
        int64, for each text its position in ``distinct``.
    length : numpy.ndarray
        int64, the length (``len``) of each distinct text.

    Examples
    --------
    >>> import numpy as np
    >>> texts = np.array(["pear", "apple", "Pear", "apple"], dtype=object)
    >>> distinct, rank, length = rank_texts(texts)
    >>> distinct.tolist(), rank.tolist(), length.tolist()
    (['Pear', 'apple', 'pear'], [2, 1, 0, 1], [4, 5, 4])
    """
    if len(texts) == 0:
        return texts[:0], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    units = _code_units(texts)
    if units is None:  # a text holds the separator or cannot be encoded: sort the objects
        order = np.argsort(texts, kind="stable")
        first = _group_starts(_changes(texts[order]))
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    else:
        order, first = _sort_by_keys(*units)
        lengths = units[2]
    return _dense(texts, order, first, lengths)


def _code_units(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """All texts as one array of big-endian code units, with each text's start and length."""
    whole = _SEPARATOR.join(texts.tolist()) + _SEPARATOR  # each text ends with one
    if whole.count(_SEPARATOR) != len(texts):
        return None
    try:
        if whole.isascii():
            buffer = np.frombuffer(whole.encode("ascii"), dtype=">u1")
        else:
            buffer = np.frombuffer(whole.encode("utf-32-be"), dtype=">u4")
    except UnicodeEncodeError:  # lone surrogates
        return None
    ends = np.flatnonzero(buffer == 0)
    starts = np.r_[0, ends[:-1] + 1]
    padded = np.zeros(len(buffer) + 8, dtype=buffer.dtype)  # a full key past every start
    padded[: len(buffer)] = buffer
    return padded, starts, ends - starts


def _sort_by_keys(
    buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sort most significant characters first; return the order and each group's start.

    ``first[k]`` is the position in the order where the texts equal to ``order[k]`` begin.
    """
    width = 8 // buffer.dtype.itemsize  # characters per 64-bit key
    key = _key(buffer, starts, lengths, 0, width)
    order = np.argsort(key)  # texts with equal keys are re-sorted below, or are equal
    first = _group_starts(_changes(key[order]))
    done = width
    while True:
        at = _still_tied(first, lengths[order], done)
        if not len(at):
            return order, first
        rows = order[at]
        key = _dense_rank(_key(buffer, starts[rows], lengths[rows], done, width))
        within = first[at] * (int(key.max()) + 1) + key  # group first, then the next characters
        inner = np.argsort(within)
        order[at] = rows[inner]
        first[at] = np.maximum.accumulate(np.where(_changes(within[inner]), at, 0))
        done += width


def _dense_rank(values: np.ndarray) -> np.ndarray:
    """Rank each value among the distinct values (int64, from 0)."""
    order = np.argsort(values)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.cumsum(_changes(values[order])) - 1
    return rank


def _still_tied(first: np.ndarray, lengths: np.ndarray, done: int) -> np.ndarray:
    """Positions of the groups of two or more texts that go on past ``done`` characters.

    Whole groups, in order: texts that end within a group sort first on their next key, 0.
    """
    begin = np.flatnonzero(first == np.arange(len(first)))
    size = np.diff(np.r_[begin, len(first)])
    longest = np.maximum.reduceat(lengths, begin)
    tied = (size > 1) & (longest > done)
    return np.flatnonzero(np.repeat(tied, size))


def _key(
    buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray, skip: int, width: int
) -> np.ndarray:
    """Pack characters ``skip`` to ``skip + width`` of each text in one number (0 past the end)."""
    windows = np.lib.stride_tricks.sliding_window_view(buffer, width)
    at = np.minimum(starts + skip, len(windows) - 1)
    inside = np.arange(width) < (lengths - skip)[:, None]
    units = np.where(inside, windows[at], 0).astype(buffer.dtype)  # big-endian units
    return np.ascontiguousarray(units).view(">u8")[:, 0].astype(np.uint64)


def _changes(values: np.ndarray) -> np.ndarray:
    """Mark where a value differs from the one before (and the first)."""
    new = np.ones(len(values), dtype=bool)
    new[1:] = values[1:] != values[:-1]
    return new


def _group_starts(new: np.ndarray) -> np.ndarray:
    """For each position, where its run of equal values began."""
    return np.maximum.accumulate(np.where(new, np.arange(len(new)), 0))


def _dense(
    texts: np.ndarray, order: np.ndarray, first: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn group starts into dense ranks; pick one text per group, and its length."""
    new = first == np.arange(len(first))
    rank = np.empty(len(texts), dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    return texts[order[new]], rank, lengths[order[new]]
