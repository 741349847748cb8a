"""`certdesk eval` on real data: several acceptable entries, out-of-scope lines, ranks
(Hit@1, Hit@3, MRR), answered share and precision, and a reliability table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import DATA

from bot.evaluate import Outcome, evaluate, group_stats, reliability
from knowledge import Matcher, load_kb


def _o(rank_of: str | None, ranked: str, answered: str | None, score: float) -> Outcome:
    expected = None if rank_of is None else tuple(rank_of.split())
    return Outcome(1, "q", "ja", "-", expected, "answer" if answered else "none", answered,
                   tuple(ranked.split()), score)


def test_ranks_hits_and_reciprocal_ranks() -> None:
    outs = [
        _o("a", "a b c", "a", 0.95),  # rank 1, answered right
        _o("b x", "a b c", None, 0.40),  # rank 2
        _o("z", "a b c", "a", 0.81),  # not listed, answered wrong
        _o("d", "a b c d", None, 0.15),  # rank 4
        _o(None, "a b", "a", 0.55),  # out of scope, answered
        _o(None, "", None, 0.0),  # out of scope, refused
    ]
    assert [o.rank for o in outs] == [1, 2, None, 4, None, None]
    g = group_stats(outs)
    assert (g["n"], g["in_scope"]) == (6, 4)
    assert g["hit_at_1"] == 0.25 and g["hit_at_3"] == 0.5
    assert g["mrr"] == round((1 + 1 / 2 + 1 / 4) / 4, 4)
    assert g["accuracy"] == round(2 / 6, 4)  # the right answer and the refusal
    table, ece = reliability(outs, bins=10)
    filled = {(b["low"], b["n"], b["right"]) for b in table if b["n"]}
    assert filled == {(0.9, 1, 1.0), (0.4, 1, 0.0), (0.8, 1, 0.0), (0.1, 1, 0.0),
                      (0.5, 1, 0.0), (0.0, 1, 0.0)}
    assert ece == round((0.05 + 0.40 + 0.81 + 0.15 + 0.55 + 0.0) / 6, 4)
    assert reliability([_o("a", "a", "a", 1.0)], bins=10)[0][-1]["n"] == 1  # 1.0: last bin


@pytest.fixture(scope="module")
def sample_matcher() -> Matcher:
    return Matcher(load_kb(DATA / "sample_faq.csv"))


ROWS = [
    {"q": "nginxでCSRを作る手順", "expect": "201", "style": "short"},
    {"q": "PFXをPEMに変換したい", "expect": 402, "style": "short"},
    {"q": "証明書の期限が切れそう、更新は?", "expect": "証明書の有効期限が切れる前に更新する方法は"},
    {"q": "支払い方法は?", "expect": ["101", "102"], "style": "short"},
    {"q": "社員食堂のメニューを教えて", "expect": None},
]


def test_evaluate_accepts_ids_numbers_questions_lists_and_null(sample_matcher: Matcher) -> None:
    summary = evaluate(list(enumerate(ROWS, 1)), sample_matcher, source="q.jsonl")
    outs = summary.outcomes
    assert [o.expected for o in outs] == [("201",), ("402",), ("301",), ("101", "102"), None]
    assert [o.kind for o in outs] == ["ja", "ja", "ja", "ja", "oos"]
    j = summary.to_json()
    assert (j["questions"], j["in_scope"], j["out_of_scope"]) == (5, 4, 1)
    assert j["ranking"]["hit_at_1"] == round(sum(o.rank == 1 for o in outs) / 4, 4)
    assert set(j["by_style"]) == {"short", "-"} and j["by_style"]["short"]["n"] == 3
    assert set(j["by_kind"]) == {"ja", "oos"}
    assert j["answered"] == round(sum(o.answered is not None for o in outs[:4]) / 4, 4)
    answers = [o for o in outs if o.answered]
    assert j["precision"] == round(sum(o.right_answer for o in answers) / len(answers), 4)
    assert j["oos_refused"] == (1.0 if outs[4].answered is None else 0.0)
    assert sum(b["n"] for b in j["reliability"]) == 5
    assert len(j["misses"]) == sum(not o.hit for o in outs)
    json.dumps(j)


def test_every_unknown_expect_is_named_before_anything_runs(sample_matcher: Matcher) -> None:
    rows = [*ROWS, {"q": "x", "expect": "no-such"}, {"q": "y", "expect": ["201", 999]},
            {"q": "z", "expect": []}]
    with pytest.raises(ValueError) as exc:
        evaluate(list(enumerate(rows, 1)), sample_matcher, source="q.jsonl")
    lines = str(exc.value).splitlines()
    assert [line.split(":")[1] for line in lines] == ["6", "7", "8"]
    assert "'no-such'" in lines[0] and "999" in lines[1] and "use null" in lines[2]


def test_eval_command_prints_ranking_reliability_and_misses(tmp_path: Path) -> None:
    from test_cli_import import certdesk

    f = tmp_path / "q.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS), encoding="utf-8")
    r = certdesk("eval", "--kb", str(DATA / "sample_faq.csv"), str(f))
    assert r.returncode == 0, r.stderr
    for part in ("by kind", "by style", "Hit@1", "Hit@3", "MRR", "right when answered",
                 "out of scope refused", "reliability", "ECE"):
        assert part in r.stdout, part
    j = json.loads(certdesk("eval", "--json", "--kb", str(DATA / "sample_faq.csv"), str(f)).stdout)
    assert set(j) >= {"accuracy", "counts", "by_kind", "by_style", "ranking", "answered",
                      "precision", "oos_refused", "reliability", "ece", "misses"}
    assert j["ranking"]["depth"] == 10 and j["kb_entries"] == 8
