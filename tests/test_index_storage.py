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


def test_top_stable_is_the_head_of_a_stable_argsort() -> None:
    from knowledge.index import top_stable

    rng = np.random.default_rng(3)
    for size in (0, 1, 5, 40, 500):
        keys = -rng.integers(0, 6, size).astype(float)  # many ties
        for k in (1, 4, 16):
            want = np.argsort(keys, kind="stable")[:k].tolist()
            assert top_stable(keys, k).tolist() == want


def _field_scores_by_hand(index, qweights):  # type: ignore[no-untyped-def]
    """field_scores as the textbook loop computes it, one word and one field at a time."""
    from knowledge.index import _K1

    n = index.size
    out = {k: np.zeros(n) for k in ("bm25_short", "bm25_answer", "cov_short", "cov_all")}
    for tok in sorted(qweights):
        every = index.any_field.get(tok)
        if every is None:
            continue
        out["cov_all"][every] += qweights[tok]
        for name in ("short", "answer"):
            arr = index.fields[name].arrays(tok)
            if arr is None:
                continue
            ids, tf = arr
            norm = index.fields[name].length_norm()[ids]
            out[f"bm25_{name}"][ids] += tf * (_K1 + 1) / (tf + norm) * index.idf(tok)
            if name == "short":
                out["cov_short"][ids] += qweights[tok]
    return out


def test_field_scores_match_the_textbook_loop_before_and_after_an_add() -> None:
    from knowledge import load_kb
    from knowledge.kb import Entry
    from knowledge.matcher import Matcher

    matcher = Matcher(load_kb())
    index = matcher.index
    words = ("証明書", "秘密鍵", "インストール", "iis4", "エラー", "ない語")
    qweights = {t: index.idf(t) for t in words}
    for _ in range(2):  # the second time from the per-word columns kept by the first
        got, want = index.field_scores(qweights), _field_scores_by_hand(index, qweights)
        for name, values in want.items():
            assert np.allclose(got[name], values, rtol=1e-12, atol=0), name
    before = index.field_scores(qweights)["bm25_short"].copy()
    matcher.add(Entry(id="learned-x", question_ja="証明書の秘密鍵をインストールしたい",
                      question_en="", answer_ja="手順はこちらです。", answer_en=""))
    got, want = index.field_scores(qweights), _field_scores_by_hand(index, qweights)
    for name, values in want.items():
        assert np.allclose(got[name], values, rtol=1e-12, atol=0), name
    assert len(got["bm25_short"]) == len(before) + 1
    # the added entry changed the average length, so every entry's norm moved
    assert not np.allclose(got["bm25_short"][:-1], before)
