"""The matcher: each entry finds itself, exact signals, the three decisions, calibrated
scores, small talk, and the dev-set floors of issue 2."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import KnowledgeBase, Matcher


def test_each_entry_matches_its_own_questions(kb: KnowledgeBase, matcher: Matcher) -> None:
    for e in kb:
        for q in (e.question_ja, e.question_en):
            result = matcher.match(q)
            assert result.decision == "answer", (e.id, q, result.decision, result.score)
            assert result.entry is not None and result.entry.id == e.id, q


@settings(max_examples=120, deadline=None)
@given(st.text(max_size=80))
def test_scores_stay_within_0_and_1(text: str) -> None:
    from knowledge import load_kb

    m = _shared_matcher(load_kb)
    result = m.match(text)
    assert 0.0 <= result.score <= 1.0
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)
    assert result.answered == (result.entry is not None)


_cache: dict[str, Matcher] = {}


def _shared_matcher(load) -> Matcher:  # type: ignore[no-untyped-def]
    if "m" not in _cache:
        _cache["m"] = Matcher(load())
    return _cache["m"]


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("80093005", "capi2-80093005-invalid-certificate"),
        ("0x80093009", "capi2-80093009-certificate-invalid"),
        ("IISで 80090304 が出る", "schannel-80090304-invalid-password"),
        ("error 80093009 when installing", "capi2-80093009-certificate-invalid"),
    ],
)
def test_error_codes_are_exact_signals(matcher: Matcher, question: str, entry_id: str) -> None:
    result = matcher.match(question)
    assert result.answered and result.entry is not None and result.entry.id == entry_id


def test_a_code_never_answers_as_its_neighbour(matcher: Matcher) -> None:
    for code, other in (("80093005", "80093009"), ("80093009", "80093005")):
        result = matcher.match(f"CAPI2 error = {code}. Invalid Certificate")
        assert result.entry is not None and code in result.entry.question_ja
        assert all(other not in c.entry.question_ja or c.score < 0.1 for c in result.candidates)


def test_unknown_topics_are_not_answered(matcher: Matcher) -> None:
    for q in (
        "今日のランチどこ行く?",
        "What's the Wi-Fi password in the office?",
        "経費精算のやり方",
    ):
        assert matcher.match(q).decision == "none", q


def test_small_talk_and_requests_for_a_person(matcher: Matcher) -> None:
    assert matcher.match("こんにちは!").decision == "smalltalk"
    assert matcher.match("thanks a lot").smalltalk == "thanks"
    assert matcher.match("担当者につないでください").decision == "human"
    assert matcher.match("can I talk to a person about my cert?").decision == "human"
    # a greeting in front of a real question is not small talk
    assert matcher.match("こんにちは、秘密鍵をうっかり削除してしまいました").answered


def test_ambiguous_offers_the_close_candidates(matcher: Matcher) -> None:
    from dataclasses import replace

    # With the answer bar out of reach and the "too close to call" gap wide open, a
    # question with several plausible entries must come back as a choice, not an answer.
    wide = Matcher(
        matcher.kb,
        calibration=replace(matcher.calibration, answer=1.01, close=1.0, ambiguous=0.0),
    )
    result = wide.match("証明書をIISからApacheやIIS5に移行したい")
    assert result.decision == "ambiguous"
    assert len(result.candidates) >= 2 and result.entry is None
    ids = [c.entry.id for c in result.candidates]
    assert "migrate-iis4-to-apache" in ids and "migrate-iis4-to-iis5" in ids


def test_reply_language_follows_the_question(matcher: Matcher) -> None:
    ja = matcher.match("秘密鍵をバックアップしたい")
    en = matcher.match("How do I back up the private key in IIS 4?")
    assert ja.lang == "ja" and en.lang == "en"
    assert en.to_json()["entry"]["question"] == en.entry.question_en  # type: ignore[union-attr]
    assert ja.to_json()["entry"]["question"] == ja.entry.question_ja  # type: ignore[union-attr]


def test_the_confidence_knows_the_question_s_language(matcher: Matcher) -> None:
    """The confidence model sees whether a question is English (a FAQ's English side is
    thinner): the flag follows detect_lang, and only the flag differs between two
    rankings scored the same."""
    from knowledge.matcher import CONFIDENCE_FEATURES, confidence_features

    at = CONFIDENCE_FEATURES.index("english")
    en = matcher.query("How do I back up the private key?")
    ja = matcher.query("秘密鍵をバックアップしたい")
    mixed = matcher.query("IIS 4 の private key を backup したい")
    assert (en.english, ja.english, mixed.english) == (True, False, False)
    ranked = matcher.rank("How do I back up the private key?")
    with_en = confidence_features(ranked, en)
    with_ja = confidence_features(ranked, ja)
    assert with_en[at] == 1.0 and with_ja[at] == 0.0
    assert "english" in matcher.calibration.confidence  # fitted, not left at zero by accident


def test_a_known_word_the_entry_lacks_is_counted_apart_from_unknown_ones(
    matcher: Matcher,
) -> None:
    """missing_known: the heaviest word of the message that the FAQ knows from other
    entries and this entry lacks (an unknown word, as in "missing", does not count)."""
    from knowledge.matcher import FEATURES

    idx = matcher.index
    at, plain = FEATURES.index("missing_known"), FEATURES.index("missing")
    question = "秘密鍵をバックアップしたい ぽんぽこりん"  # the last word no entry knows
    weights = matcher.query(question).weights
    for i, row in matcher.features(question):
        known = [w for t, w in weights.items() if t in idx.df and t not in idx.docs[i].vocab]
        assert row[at] == pytest.approx(max(known, default=0.0) / idx.idf("\x00"))
        assert row[plain] >= row[at]  # the unknown word is heavier still
        assert row[plain] == pytest.approx(1.0)


def test_ask_json_shape(matcher: Matcher) -> None:
    line = matcher.match("IPアドレスを変えても大丈夫?").to_json()
    assert set(line) >= {"question", "answered", "lang", "score", "entry", "candidates"}
    assert isinstance(line["score"], float)
    json.dumps(line, ensure_ascii=False)


def test_learned_entries_extend_the_knowledge_base(kb: KnowledgeBase) -> None:
    from knowledge import Entry

    extra = Entry(
        "learned-1",
        "ワイルドカード証明書の料金は?",
        "ワイルドカード証明書の料金は?",
        "見積もりをお送りします。",
        "We will send a quote.",
        learned=True,
    )
    m = Matcher(kb.with_entries([extra]))
    result = m.match("ワイルドカード証明書の料金は?")
    assert result.entry is not None and result.entry.id == "learned-1"


def test_a_lone_common_word_is_too_vague_to_answer(matcher: Matcher) -> None:
    for q in ("証明書", "SSL", "エラー"):
        result = matcher.match(q)
        assert not result.answered, q
    assert matcher.match("80093005").answered  # a code alone is specific enough


def test_help_requests_are_small_talk(matcher: Matcher) -> None:
    for q in ("help", "お疲れ様です。質問があります", "hi, can you help me?"):
        result = matcher.match(q)
        assert result.decision == "smalltalk" and result.smalltalk in ("help", "greeting"), q
