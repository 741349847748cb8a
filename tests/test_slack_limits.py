"""Slack's limits against adversarial payloads, without a server: every message, view
and modal the adapter builds passes the strict checker (tests/slack_limits.py) and
still holds all its content: every finding of 48 pasted certificates and of a
150-certificate bundle, the whole 3,063-character English 80090304 answer, learned
answers that grow past 3,000 characters when escaped, two reports in one reply, and the
asker and permalink of an escalation with a 3,000-character question."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_limits import check_blocks, check_message, check_view, mrkdwn_problems
from slack_payloads import NOW, bundle, escaping_answer, long_question

from analyzers import analyze
from bot.render_text import MAX_OBJECTS_SHOWN
from bot.slack import blocks as bk
from bot.slack import kit, mrkdwn, strings, views
from bot.types import Answer, EscalationInfo, Reply
from knowledge import KnowledgeBase


def title(entry_id: str) -> str | None:
    return f"FAQ entry {entry_id}"


def page_ok(page: list[dict]) -> None:
    problems = check_message({"text": "fallback", "blocks": page})
    assert problems == [], problems[:5]


CONTINUED = {strings.t("continued_below", "en"), strings.t("continued_below", "ja")}


def all_text(pages: list[list[dict]]) -> str:
    """What a reader sees: every text of every message, unescaped, without the notes
    that say a reply goes on in the next message."""
    text = "\n".join(kit.page_text(p) for p in pages)
    for note in CONTINUED:
        text = text.replace(note, "")
    return mrkdwn.unescape(text)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---- splitting text -----------------------------------------------------------------

_pieces = st.sampled_from(
    ["word", " ", "\n", "\n\n", "&", "<", ">", "証明書", "<https://example.com/a b|the link>"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces, max_size=400), st.integers(min_value=8, max_value=120))
def test_split_never_cuts_an_entity_or_a_link(parts: list[str], limit: int) -> None:
    raw = "".join(p for p in parts if not p.startswith("<https"))
    text = mrkdwn.escape(raw) + "".join(p for p in parts if p.startswith("<https"))
    pieces = mrkdwn.split(text, max(limit, 40))
    for piece in pieces:
        assert len(piece) <= max(limit, 40)
        assert mrkdwn_problems(piece) == [], piece
    assert squash("".join(pieces)) == squash(text)  # nothing lost but whitespace


def test_split_prefers_paragraphs_then_lines() -> None:
    text = "a" * 50 + "\n\n" + "b" * 30 + "\n" + "c" * 30
    assert mrkdwn.split(text, 70) == ["a" * 50, "b" * 30 + "\n" + "c" * 30]
    assert mrkdwn.split("x" * 30 + "\n" + "y" * 30, 40) == ["x" * 30, "y" * 30]


def test_split_is_linear() -> None:
    from growth import assert_linear

    split = lambda s: mrkdwn.split(s, 3000)  # noqa: E731
    assert_linear(split, "&lt;ab &amp; <x|y> \n", small=4000, factor=8)
    assert_linear(split, "<" * 7 + "a", small=4000, factor=8)  # no ">" ever: no backtracking
    assert_linear(split, "x" * 50 + " ", small=4000, factor=8)


# ---- replies --------------------------------------------------------------------------


def test_the_whole_80090304_english_answer_is_posted(kb: KnowledgeBase) -> None:
    entry = kb.get("schannel-80090304-invalid-password")
    assert entry is not None and len(entry.answer_en) > kit.MAX_SECTION
    answer = Answer(entry.id, entry.question_en, entry.answer_en)
    pages = bk.reply_pages(Reply(lang="en", text="x", answer=answer, message_id=3), title)
    for page in pages:
        page_ok(page)
    shown = all_text(pages)
    assert "The password is case-sensitive." in shown
    assert squash(entry.answer_en) in squash(shown)


@pytest.mark.parametrize("size", [2_990, 3_000, 3_001, 9_500])
def test_learned_answers_that_grow_when_escaped_are_whole(size: int) -> None:
    text = escaping_answer(size)
    assert len(mrkdwn.escape(text)) > kit.MAX_SECTION
    answer = Answer("learned-1", "Q?", text, learned=True)
    pages = bk.reply_pages(Reply(lang="en", text=text, answer=answer, message_id=1), title)
    for page in pages:
        page_ok(page)
    assert squash(text) in squash(all_text(pages))


@pytest.mark.parametrize("n", [35, 48, 150])
def test_every_finding_of_many_certificates_is_posted(n: int) -> None:
    report = analyze(bundle(n), now=NOW)
    assert len(report.objects) == n and len(report.findings) >= n
    pages = bk.reply_pages(Reply(lang="en", text="x", reports=(report,)), title)
    for page in pages:
        page_ok(page)
    shown = all_text(pages)
    assert "does not fit" not in shown
    for f in report.findings:  # each finding with its object, in order of severity
        where = f"Object {f.object + 1}: " if isinstance(f.object, int) else ""
        full = f"{where}{f.message_en} `{f.code}`"
        if n <= 48:
            assert full in shown
            continue
        # a bundle: each code said once in full, with the numbers of its other objects
        (said,) = [line for line in shown.splitlines() if f"`{f.code}`" in line]
        after = shown[shown.index(said) :].splitlines()[1]
        numbers = {int(x) for x in re.findall(r"\d+", after.partition("objects")[2])}
        assert full == said.split(" ", 1)[1] or f.object + 1 in numbers
    first_warning = shown.index(":warning:")
    errors = [f for f in report.findings if f.severity == "error"]
    assert errors and all(shown.index(f"`{f.code}`") < first_warning for f in errors)
    details = re.findall(r"Object \d+: certificate\*", mrkdwn.unescape(json.dumps(pages)))
    assert len(details) == min(n, MAX_OBJECTS_SHOWN)
    if n > MAX_OBJECTS_SHOWN:
        assert f"{n - MAX_OBJECTS_SHOWN} more objects not shown" in shown


def test_two_reports_in_one_reply_have_unique_ids() -> None:
    one = analyze(bundle(2), now=NOW)
    two = analyze(bundle(3), now=NOW)
    reply = Reply(lang="ja", text="x", reports=(one, two))
    pages = bk.reply_pages(reply, title)
    assert len(pages) == 1
    page_ok(pages[0])
    ids = [b["block_id"] for b in pages[0] if "block_id" in b]
    assert len([i for i in ids if i.startswith("report_faq")]) == 2 and len(ids) == len(set(ids))


def test_a_refused_hand_off_is_told_in_the_askers_language() -> None:
    info = EscalationInfo(id=12, reason="no_answer")
    for lang, words in (("en", "could not pass this"), ("ja", "引き継ぎに失敗")):
        reply = Reply(lang=lang, text="x", decision="none", escalation=info)  # type: ignore[arg-type]
        shown = all_text(bk.reply_pages(reply, title, escalation_failed=True))
        assert words in shown and "#12" in shown
        assert "passed this to a person" not in shown


def test_composer_ids_unique_and_pages_within_budget() -> None:
    composer = kit.Composer("en")
    for _ in range(120):
        composer.add(kit.actions([kit.button("b", "show_entry_0", "v")], block_id="same"))
        composer.extend(kit.sections("x" * 2_999))
    pages = composer.result()
    assert len(pages) == kit.MAX_PAGES and "does not fit" in json.dumps(pages[-1])
    for page in pages:
        page_ok(page)


# ---- the people behind the bot ----------------------------------------------------------


@dataclass
class Rec:
    id: int = 5
    status: str = "open"
    reason: str = "no_answer"
    question: str = ""
    asker: str = "UASK"
    assignee: str | None = None
    resolver: str | None = None
    resolution: str | None = None
    best_guess_score: float | None = 0.41
    learned_entry_id: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))


LINK = "https://example.slack.com/archives/C1/p1700000000000100"


@pytest.mark.parametrize("size", [2_844, 2_980, 3_000, 12_000, 40_000])
def test_escalation_post_keeps_who_asked_and_where(size: int) -> None:
    question = long_question(size)
    for status, extra in (("open", {}), ("resolved", {"resolver": "UL", "resolution": question})):
        rec = Rec(question=question, status=status, **extra)  # type: ignore[arg-type]
        blocks = views.escalation_blocks(rec, lang="en", permalink=LINK, best_guess="G" * 5000)
        page_ok(blocks)
        facts = next(b for b in blocks if b["type"] == "context")
        facts_text = json.dumps(facts)
        assert "<@UASK>" in facts_text and f"<{LINK}|" in facts_text and "no answer" in facts_text
        shown = all_text([blocks])
        if size <= views.MAX_QUESTION_SHOWN:
            assert squash(question) in squash(re.sub(r"(?m)^>", "", shown))
        else:
            assert "the full text is in the original message" in shown
    assert len(views.escalation_text(rec, "en")) <= kit.MAX_TEXT


def test_resolve_modal_and_home_within_view_limits() -> None:
    modal = views.resolve_modal(9, "en", long_question(10_000))
    assert check_view({"view": modal}) == []
    cases = [Rec(id=i, question=long_question(500), assignee="UL") for i in range(100)]
    home = views.home_view(
        "ja",
        is_lead=True,
        stats={"questions": 1},
        open_escalations=cases,
        open_total=100,
        unanswered=[(long_question(400), 3)] * 10,
    )
    assert check_view({"view": home}) == []
    shown = json.dumps(home, ensure_ascii=False)
    assert "#14 " in shown and "#15 " not in shown and "ほか 85 件" in shown
    en = views.home_view("en", is_lead=True, open_escalations=cases, open_total=100)
    assert "and 85 more" in json.dumps(en)


def test_checker_catches_what_slack_refuses() -> None:
    """The strict checker itself: each broken limit is named with Slack's error."""
    sec = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    dup = [{**sec, "block_id": "a"}, {**sec, "block_id": "a"}]
    assert [e for e, _ in check_blocks(dup, 50)] == ["invalid_blocks"]
    assert check_message({"blocks": [sec] * 51})[0][0] == "too_many_blocks"
    big = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}
    assert ("msg_blocks_too_long", "15000 characters of block text") in check_message(
        {"text": "t", "blocks": [big] * 5}
    )
    assert check_message({"text": "x" * 40_001})[0][0] == "msg_too_long"
    cut = {"type": "section", "text": {"type": "mrkdwn", "text": "a &am"}}
    assert check_blocks([cut], 50)[0][0] == "invalid_blocks"
    long_button = kit.actions([{**kit.button("b", "a", "v"), "text": {"type": "plain_text", "text": "b" * 76}}])
    assert check_blocks([long_button], 50)[0][0] == "invalid_blocks"
