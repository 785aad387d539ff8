"""Texts ranked by integer keys come out exactly in Python's order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localitygis._textrank import rank_texts


def expected(texts: list[str]) -> tuple[list[str], list[int]]:
    distinct = sorted(set(texts))
    where = {text: i for i, text in enumerate(distinct)}
    return distinct, [where[text] for text in texts]


def ranked(texts: list[str]) -> tuple[list[str], list[int]]:
    distinct, rank, length = rank_texts(np.array(texts, dtype=object))
    assert length.tolist() == [len(text) for text in distinct.tolist()]
    return distinct.tolist(), rank.tolist()


# Few letters, so that long shared prefixes and repeats are common.
ascii_texts = st.lists(st.text(alphabet="ab c", max_size=30), max_size=80)
any_texts = st.lists(st.text(alphabet=st.characters(exclude_characters="\x00")), max_size=60)


@settings(max_examples=200, deadline=None)
@given(texts=ascii_texts, shared=st.sampled_from(["", "aaaaaaa", "aaaaaaaa", "abcabcabcab"]))
def test_ascii_texts_sort_as_python_sorts_them(texts, shared):
    texts = texts + [shared + text for text in texts]  # shared prefixes past one key
    assert ranked(texts) == expected(texts)


def test_texts_ending_at_and_just_past_a_key():
    ascii_ = ["aaaaaaaab", "aaaaaaaa", "aaaaaaaac", "aaaaaaa", "aaaaaaaab", "aaaaaaaaaaaaaaaab"]
    wide = ["中中中", "中中", "中中a", "中", "中中中中中", "中中中"]  # two characters a key
    for texts in (ascii_, wide):
        assert ranked(texts) == expected(texts)


@settings(max_examples=200, deadline=None)
@given(texts=any_texts, shared=st.text(alphabet="é中😀a", max_size=9))
def test_any_unicode_sorts_as_python_sorts_it(texts, shared):
    texts = texts + [shared + text for text in texts]  # shared prefixes past one key
    assert ranked(texts) == expected(texts)


@pytest.mark.parametrize(
    "texts",
    [
        ["b\x00", "a", "b", "a\x00b"],  # the separator inside a text
        ["\ud800x", "a", "\ud800"],  # a lone surrogate cannot be encoded
    ],
)
def test_texts_that_cannot_be_keyed_are_sorted_as_objects(texts):
    assert ranked(texts) == expected(texts)


def test_long_shared_prefixes_empty_texts_and_none():
    prefix = "St Mary's Church Hall, " * 5
    texts = [prefix + "Kington", prefix + "Kingto", "", prefix, "", prefix + "Kington", "Z"]
    assert ranked(texts) == expected(texts)
    assert ranked([]) == ([], [])
    assert ranked(["only"]) == (["only"], [0])
