"""The index's compact id lists: what goes in comes out, before and after freezing,
for short lists (kept as tuples) and long ones (numpy arrays), and after a later add."""

from __future__ import annotations

import numpy as np

from knowledge.index import _SMALL, _IdLists


def test_ids_come_back_the_same_before_and_after_freezing() -> None:
    lists = _IdLists()
    short, long = list(range(3)), list(range(0, 4 * _SMALL, 2))
    for i in short:
        lists.append("rare", i)
    for i in long:
        lists.append("common", i)
    assert lists.get("rare").tolist() == short
    lists.freeze()
    assert lists.get("rare").tolist() == short
    assert lists.get("common").tolist() == long
    assert isinstance(lists.get("common"), np.ndarray)
    assert lists.get("absent") is None


def test_an_id_added_after_freezing_is_read_with_the_rest() -> None:
    lists = _IdLists()
    for i in range(2 * _SMALL):
        lists.append("common", i)
    lists.append("rare", 5)
    lists.freeze()
    lists.append("common", 99)
    lists.append("rare", 7)
    lists.append("new", 1)
    assert lists.get("common").tolist() == [*range(2 * _SMALL), 99]
    assert lists.get("rare").tolist() == [5, 7]
    assert lists.get("new").tolist() == [1]


def test_float_frequencies_stay_exact() -> None:
    tfs = _IdLists(np.float32)
    for tf in (1, 2, 3, 40):
        tfs.append("t", tf)
    tfs.freeze()
    assert tfs.get("t").tolist() == [1.0, 2.0, 3.0, 40.0]
