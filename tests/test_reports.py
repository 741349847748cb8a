"""Grouping unanswered questions for the support leads' report."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_backends import store_fixture, store_url_fixture  # noqa: F401

from bot.reports import THRESHOLD, _key, default_features, group_unanswered, groups_to_csv
from bot.store import Store
from bot.store.records import UnansweredRow

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def lower(s: str) -> str:
    return s.lower()


def rows(*texts: str, escalated: bool = False, start: int = 0) -> list[UnansweredRow]:
    return [
        UnansweredRow(
            message_id=start + i, text=t, lang="en" if t.isascii() else "ja",
            created_at=T0 + timedelta(hours=start + i), escalated=escalated,
            best_guess_entry="guess-entry", best_guess_score=0.1 * (i % 5),
        )
        for i, t in enumerate(texts)
    ]


def test_variants_group_and_the_most_asked_come_first() -> None:
    data = (
        rows("How do I renew my certificate?", "how do i renew my certificate",
             "HOW DO I RENEW MY CERTIFICATE??", "how do I renew my certificate please")
        + rows("Where is my invoice?", start=10)
        + rows("IIS 10 でも使えますか？", "IIS10でも使えますか", "iis 10でも使えますか",
               escalated=True, start=20)
    )
    groups = group_unanswered(data, lower, None)
    assert [g.count for g in groups] == [4, 3, 1]
    renew, iis, invoice = groups
    assert renew.question in {"How do I renew my certificate?", "how do i renew my certificate"}
    assert len(renew.examples) == 3 and len(set(renew.examples)) == 3
    assert (renew.first_seen, renew.last_seen) == (T0, T0 + timedelta(hours=3))
    assert (renew.escalated, iis.escalated, invoice.escalated) == (0, 3, 0)
    assert iis.langs == ("ja",) and renew.langs == ("en",)
    assert sorted(renew.message_ids) == [0, 1, 2, 3]
    # without a matcher, the best guess stored with the questions is the nearest entry
    assert (renew.nearest_entry, renew.nearest_score) == ("guess-entry", pytest.approx(0.3))


def test_different_questions_stay_apart() -> None:
    data = rows("How do I install the CSR?", "How do I install the PFX file?",
                "How do I install the CSR?", "What is the price of a wildcard certificate?")
    groups = group_unanswered(data, lower, None)
    assert sorted(g.count for g in groups) == [1, 1, 2]


def test_ten_most_asked_first_and_nearest_only_for_the_top() -> None:
    topics = [f"question about topic{n} number{n} thing{n}" for n in range(15)]
    data: list[UnansweredRow] = []
    for n, t in enumerate(topics):
        data += rows(*[t] * (n + 1), start=len(data))
    asked: list[str] = []

    def nearest(text: str) -> tuple[str, float] | None:
        asked.append(text)
        return ("faq-" + text.split()[-1], 0.42)

    groups = group_unanswered(data, lower, nearest, nearest_limit=10)
    assert [g.count for g in groups] == list(range(15, 0, -1))
    assert [g.question for g in groups[:10]] == topics[::-1][:10]
    assert len(asked) == 10
    assert groups[0].nearest_entry == "faq-thing14" and groups[0].nearest_score == 0.42
    assert groups[-1].nearest_entry == "guess-entry"  # beyond the limit: the stored guess


def test_lemma_features_tell_subjects_apart() -> None:
    tokens = pytest.importorskip("knowledge.tokens")
    data = rows(
        "中間証明書のインストール方法を教えてください",
        "すみません、中間証明書のインストール方法を教えてください",
        "中間証明書をインストールする方法は？",
        "ルート証明書のインストール方法を教えてください",
        "サーバー証明書の更新はどうすればいいですか？",
        "サーバ証明書を更新するには？",
    )
    groups = group_unanswered(data, lower, None, features=tokens.lemmas)
    assert [g.count for g in groups] == [3, 2, 1]
    assert groups[2].question == "ルート証明書のインストール方法を教えてください"


def test_serialisations() -> None:
    groups = group_unanswered(rows("a, b; c", "x y z", 'say "hi", bob'), lower, None)
    parsed = list(csv.DictReader(io.StringIO(groups_to_csv(groups))))
    assert [p["question"] for p in parsed] == [g.question for g in groups]
    assert parsed[0]["rank"] == "1" and parsed[0]["nearest_entry"] == "guess-entry"
    assert groups[0].question == 'say "hi", bob'  # equal counts: latest first
    j = next(g for g in groups if g.question == "a, b; c").to_json()
    assert set(j) == {"question", "count", "escalated", "examples", "first_seen",
                      "last_seen", "langs", "nearest"}
    assert j["nearest"] == {"id": "guess-entry", "score": 0.0}
    assert datetime.fromisoformat(j["first_seen"]) == T0
    assert group_unanswered([], lower, None) == []


def brute_force(data: list[UnansweredRow], threshold: float) -> list[Counter[str]]:
    """Leader clustering comparing every text with every group: the reference."""
    buckets: dict[str, list[UnansweredRow]] = {}
    for r in data:
        buckets.setdefault(_key(r.text, lower), []).append(r)
    order = sorted(buckets, key=lambda k: (-len(buckets[k]), min(r.created_at for r in buckets[k])))
    reps: list[frozenset[str]] = []
    members: list[Counter[str]] = []
    for k in order:
        mine = frozenset(default_features(k))
        scores = [len(mine & r) / len(mine | r) if mine and r else -1.0 for r in reps]
        best = max(range(len(reps)), key=lambda g: (scores[g], -g), default=-1)
        if best >= 0 and scores[best] >= threshold:
            members[best].update(r.text for r in buckets[k])
        else:
            reps.append(mine)
            members.append(Counter(r.text for r in buckets[k]))
    return members


words = st.sampled_from(["cert", "key", "csr", "iis", "renew", "install", "chain", "error",
                         "証明書", "更新", "中間", "インストール", "エラー", "秘密鍵"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(words, min_size=1, max_size=5), min_size=1, max_size=40))
def test_prefix_filter_finds_what_comparing_every_pair_finds(texts: list[list[str]]) -> None:
    data = rows(*[" ".join(t) for t in texts])
    fast = group_unanswered(data, lower, None)
    by_id = {r.message_id: r.text for r in data}
    got = sorted(sorted(Counter(by_id[m] for m in g.message_ids).items()) for g in fast)
    want = sorted(sorted(c.items()) for c in brute_force(data, THRESHOLD))
    assert got == want


def test_unanswered_rows_from_the_store_group(store: Store) -> None:
    conv = store.conversation(transport="slack", channel="C", thread="t", user="U", now=T0)
    for n, (text, decision) in enumerate([
        ("How do I renew my certificate?", "none"), ("how do i renew my certificate", "human"),
        ("How do I renew my certificate?", "answer"), ("Where is my invoice?", "none"),
    ]):
        mid = store.log_in(conv, user="U", text=text, now=T0 + timedelta(minutes=n))
        store.record_match(mid, entry_id="renewal", score=0.3, decision=decision, lang="en")
    groups = group_unanswered(store.unanswered_questions(since=T0), lower, None)
    assert [(g.count, g.nearest_entry) for g in groups] == [(2, "renewal"), (1, "renewal")]
