"""The Store's API against real databases (SQLite file; PostgreSQL when configured)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from store_backends import store_fixture, store_url_fixture  # noqa: F401

from bot.store import EscalationStateError, NotFoundError, Store, StoreError

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def ask(
    store: Store, text: str, *, decision: str = "answer", entry: str | None = "faq-1",
    score: float = 0.9, thread: str = "th", at: datetime = T0, user: str = "U1",
) -> int:  # fmt: skip
    conv = store.conversation(transport="slack", channel="C1", thread=thread, user=user, now=at)
    mid = store.log_in(conv, user=user, text=text, now=at, lang="ja", external_id="1700.1")
    store.record_match(mid, entry_id=entry, score=score, decision=decision, lang="ja")
    return mid


def test_conversation_is_get_or_create(store: Store) -> None:
    a = store.conversation(transport="slack", channel="C1", thread="t1", user="U1", now=T0)
    b = store.conversation(transport="slack", channel="C1", thread="t1", user="U2", now=T0)
    c = store.conversation(transport="terminal", channel="C1", thread="t1", user="U1", now=T0)
    assert a == b != c


def test_message_round_trip_with_match_and_choice(store: Store) -> None:
    mid = ask(store, "証明書のインストール方法", decision="ambiguous", entry="faq-3", score=0.55)
    store.record_choice(mid, entry_id="faq-4", user="U1", now=T0)
    out = store.log_out(store.message(mid).conversation_id, text="回答です", now=T0, reply_to=mid)  # type: ignore[union-attr]
    rec = store.message(mid)
    assert rec is not None
    assert rec.text == "証明書のインストール方法"
    assert (rec.user, rec.direction, rec.lang) == ("U1", "in", "ja")
    assert (rec.transport, rec.channel, rec.thread) == ("slack", "C1", "th")
    assert rec.external_id == "1700.1"
    assert (rec.match_entry, rec.match_score, rec.match_decision) == ("faq-3", 0.55, "ambiguous")
    assert rec.chosen_entry == "faq-4"
    assert rec.created_at == T0 and rec.created_at.tzinfo is not None
    reply = store.message(out)
    assert reply is not None and reply.direction == "out" and reply.reply_to == mid
    assert store.message(10_000) is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.text = "x"  # type: ignore[misc]


def test_times_come_back_as_utc(store: Store) -> None:
    jst = timezone(timedelta(hours=9))
    mid = ask(store, "q", at=datetime(2026, 3, 1, 18, 0, tzinfo=jst))
    rec = store.message(mid)
    assert rec is not None and rec.created_at == T0 and rec.created_at.utcoffset() == timedelta(0)


def test_record_match_rejects_unknown_decision(store: Store) -> None:
    mid = ask(store, "q")
    with pytest.raises(ValueError):
        store.record_match(mid, entry_id=None, score=0.0, decision="maybe", lang="ja")


def test_unknown_message_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store.record_match(999, entry_id=None, score=0.0, decision="none", lang="ja")
    with pytest.raises(NotFoundError):
        store.open_escalation(999, reason="no_answer", now=T0)


def test_escalation_lifecycle_resolve_into_faq(store: Store) -> None:
    mid = ask(store, "IIS 10 でも使えますか", decision="none", entry="faq-7", score=0.21)
    esc = store.open_escalation(
        mid, reason="no_answer", now=T0, best_guess_entry="faq-7", best_guess_score=0.21
    )
    assert esc.status == "open" and esc.question == "IIS 10 でも使えますか"
    assert (esc.asker, esc.transport, esc.channel, esc.thread) == ("U1", "slack", "C1", "th")
    assert (esc.best_guess_entry, esc.best_guess_score, esc.lang) == ("faq-7", 0.21, "ja")
    again = store.open_escalation(mid, reason="asked_human", now=T0 + timedelta(minutes=1))
    assert again.id == esc.id and again.reason == "no_answer"

    store.set_escalation_post(esc.id, channel="CESC", ts="1700.99")
    t1, t2 = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    assigned = store.assign(esc.id, user="LEAD", now=t1)
    assert (assigned.status, assigned.assignee, assigned.assigned_at) == ("assigned", "LEAD", t1)
    assert (assigned.post_channel, assigned.post_ts) == ("CESC", "1700.99")

    assert store.learned_version() == 0
    done = store.resolve(esc.id, user="LEAD", answer="はい、同じ手順です。", now=t2,
                         add_to_faq=True)
    assert (done.status, done.resolver, done.resolved_at) == ("resolved", "LEAD", t2)
    assert done.resolution == "はい、同じ手順です。"
    [entry] = store.learned_entries()
    assert done.learned_entry_id == entry.id and entry.id.startswith("learned-")
    assert (entry.question, entry.answer, entry.lang) == (
        "IIS 10 でも使えますか", "はい、同じ手順です。", "ja",
    )
    assert entry.escalation_id == esc.id and store.learned_version() > 0
    assert entry.author == "LEAD"  # who added it to the FAQ
    with pytest.raises(EscalationStateError):
        store.assign(esc.id, user="OTHER", now=t2)
    with pytest.raises(EscalationStateError):
        store.close(esc.id, user="OTHER", now=t2)
    # once resolved, a new complaint about the same question opens a new case
    fresh = store.open_escalation(mid, reason="not_helpful", now=t2)
    assert fresh.id != esc.id and fresh.status == "open"


def test_close_without_answer_and_queue_listing(store: Store) -> None:
    ids = [
        store.open_escalation(ask(store, f"q{i}", thread=f"t{i}"), reason="asked_human", now=T0).id
        for i in range(3)
    ]
    closed = store.close(ids[1], user="LEAD", now=T0, note="重複")
    assert (closed.status, closed.resolution, closed.resolver) == ("closed", "重複", "LEAD")
    assert closed.learned_entry_id is None
    assert [e.id for e in store.escalations(open_only=True)] == [ids[0], ids[2]]
    assert [e.id for e in store.escalations()] == sorted(ids, reverse=True)
    assert len(store.escalations(limit=2)) == 2
    assert store.escalation(ids[1]) == closed
    assert store.escalation(12345) is None
    with pytest.raises(NotFoundError):
        store.assign(12345, user="LEAD", now=T0)
    with pytest.raises(NotFoundError):
        store.set_escalation_post(12345, channel="C", ts="1")


def test_findings_feedback_and_stats(store: Store) -> None:
    since, now = T0 - timedelta(days=7), T0 + timedelta(days=1)
    answered = ask(store, "answered", decision="answer")
    chosen = ask(store, "chosen", decision="ambiguous")
    store.record_choice(chosen, entry_id="faq-2", user="U1", now=T0)
    ask(store, "pending", decision="ambiguous")
    nothing = ask(store, "nothing", decision="none", entry=None, score=0.0)
    disliked = ask(store, "disliked", decision="answer")
    ask(store, "hello", decision="smalltalk", entry=None)
    old = ask(store, "old", decision="none", at=T0 - timedelta(days=30))
    conv = store.conversation(transport="slack", channel="C1", thread="th", user="U1", now=T0)
    pem = store.log_in(conv, user="U1", text="-----BEGIN CERTIFICATE-----...", now=T0)
    store.record_findings(pem, codes=["chain.incomplete", "cert.no_san"], certificates=2)
    store.record_findings(pem, codes=["chain.incomplete"], certificates=3)  # re-analysis replaces
    store.record_feedback(answered, user="U1", helpful=True, now=T0)
    store.record_feedback(disliked, user="U1", helpful=True, now=T0)
    store.record_feedback(disliked, user="U1", helpful=False, now=T0)  # changed their mind
    store.record_feedback(disliked, user="U2", helpful=False, now=T0)
    store.open_escalation(disliked, reason="not_helpful", now=T0)
    e2 = store.open_escalation(nothing, reason="no_answer", now=T0)
    store.resolve(e2.id, user="LEAD", answer="a", now=T0)
    store.open_escalation(old, reason="no_answer", now=T0 - timedelta(days=30))

    stats = store.report_stats(since=since, now=now)
    assert stats == {
        "questions": 5,  # smalltalk, the certificate paste and the old question do not count
        "answered": 2,  # answered + chosen; disliked was escalated
        "unanswered": 2,  # nothing + disliked
        "helpful": 1,
        "not_helpful": 2,
        "escalations_open": 1,  # disliked (the old one is outside the window)
        "escalations_resolved": 1,
        "certificates_checked": 3,
    }
    assert store.report_stats(since=now + timedelta(days=1), now=now + timedelta(days=2)) == {
        k: 0 for k in stats
    }

    rows = store.unanswered_questions(since=since)
    assert [(r.text, r.escalated) for r in rows] == [("nothing", True), ("disliked", True)]
    assert {r.text for r in store.unanswered_questions(since=T0 - timedelta(days=60))} == {
        "old", "nothing", "disliked",
    }


def test_claim_event_once(store: Store) -> None:
    assert store.claim_event("Ev1", now=T0) is True
    assert store.claim_event("Ev1", now=T0) is False
    assert store.claim_event("Ev2", now=T0) is True


def test_prune_removes_old_conversations_and_keeps_learned_entries(store: Store) -> None:
    old = ask(store, "old question", thread="old", at=T0 - timedelta(days=400))
    store.record_findings(old, codes=["cert.expired"], certificates=1)
    store.record_feedback(old, user="U1", helpful=False, now=T0 - timedelta(days=400))
    esc = store.open_escalation(old, reason="not_helpful", now=T0 - timedelta(days=400))
    store.resolve(esc.id, user="L", answer="ans", now=T0 - timedelta(days=399), add_to_faq=True)
    recent = ask(store, "recent", thread="new", at=T0)
    store.claim_event("old-event", now=T0 - timedelta(days=400))

    assert store.prune(older_than=timedelta(days=365), now=T0) == 1
    assert store.message(old) is None and store.message(recent) is not None
    assert store.escalation(esc.id) is None
    assert [e.answer for e in store.learned_entries()] == ["ans"]
    assert store.claim_event("old-event", now=T0) is True  # its id was forgotten
    assert store.report_stats(since=T0 - timedelta(days=999), now=T0)["not_helpful"] == 0
    assert store.prune(older_than=timedelta(days=365), now=T0) == 0


def test_ping_and_errors_when_database_is_unreachable() -> None:
    bad = Store("sqlite:////nonexistent-dir/certdesk.db")
    assert bad.ping() is False
    with pytest.raises(StoreError):
        bad.conversation(transport="terminal", channel="c", thread="t", user="u", now=T0)
    with pytest.raises(StoreError):
        bad.upgrade()
    bad.dispose()


def test_unmigrated_database_is_a_store_error(store_url: str) -> None:
    fresh = Store(store_url)
    try:
        assert fresh.ping() is True
        with pytest.raises(StoreError):
            fresh.learned_entries()
    finally:
        fresh.dispose()


def test_unreachable_postgresql_raises_store_error_only() -> None:
    down = Store("postgresql+psycopg://u:p@127.0.0.1:1/certdesk")
    try:
        assert down.ping() is False
        with pytest.raises(StoreError):
            down.conversation(transport="slack", channel="C", thread="t", user="U", now=T0)
        with pytest.raises(StoreError):
            down.claim_event("Ev", now=T0)
        with pytest.raises(StoreError):
            down.report_stats(since=T0, now=T0)
    finally:
        down.dispose()


def test_bad_database_url_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        Store("nosuchdialect://x/y")


def test_ci_without_postgres_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    import store_backends

    monkeypatch.delenv(store_backends.PG_ENV, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        store_backends.postgres_url_or_skip()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        store_backends.postgres_url_or_skip()
