"""The knowledge base: all 22 seed questions, faithful data, and a loader that points at
the exact entry and field when a file is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SEED

from knowledge import KnowledgeBase, KnowledgeBaseError, load_kb


def _seed_headings(kb: KnowledgeBase) -> list[str]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if any(line == e.question_ja for e in kb)]


@pytest.mark.skipif(not SEED.exists(), reason="the seed FAQ is beside the repository")
def test_every_seed_question_is_an_entry_in_seed_order(kb: KnowledgeBase) -> None:
    assert len(kb) == 22
    headings = _seed_headings(kb)
    assert headings == [e.question_ja for e in kb]


@pytest.mark.skipif(not SEED.exists(), reason="the seed FAQ is beside the repository")
def test_answers_keep_the_seed_wording(kb: KnowledgeBase) -> None:
    seed = "".join(SEED.read_text(encoding="utf-8").split())
    for e in kb:
        # Layout may change (lists, code), words may not: every answer line that is not
        # markup stands in the seed, whitespace aside.
        for line in e.answer_ja.splitlines():
            text = line.strip().strip("`").lstrip("0123456789. -")
            text = "".join(text.replace("`", "").split())
            if len(text) >= 6 and ">" not in text:
                assert text in seed, (e.id, line)


def test_entries_are_complete_and_bilingual(kb: KnowledgeBase) -> None:
    for e in kb:
        assert e.question_en.isascii() or e.question_en
        assert e.answer_en and e.answer_ja
        assert len(e.phrasings_ja) >= 8 and len(e.phrasings_en) >= 5, e.id
        assert e.related and e.id not in e.related
    assert "アクセしようとすると" in kb.get("intermittent-server-not-found").question_ja  # type: ignore[union-attr]


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "faq.toml"
    p.write_text(body, encoding="utf-8")
    return p


_GOOD = """
[[entry]]
id = "a"
question_ja = "質問"
question_en = "Question"
answer_ja = "答え"
answer_en = "Answer"
related = ["b"]

[[entry]]
id = "b"
question_ja = "質問2"
question_en = "Question 2"
answer_ja = "答え2"
answer_en = "Answer 2"
"""


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    kb = load_kb(_write(tmp_path, _GOOD))
    assert [e.id for e in kb] == ["a", "b"]
    assert kb.find("Question 2") is kb.get("b")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _GOOD.replace('answer_en = "Answer"\n', ""),
            "entry 1 (id 'a'): field 'answer_en' is missing",
        ),
        (
            _GOOD.replace('answer_ja = "答え2"', 'answer_ja = ""'),
            "entry 2 (id 'b'): field 'answer_ja'",
        ),
        (_GOOD.replace('related = ["b"]', 'related = ["zz"]'), "field 'related': unknown id 'zz'"),
        (_GOOD.replace('related = ["b"]', 'related = ["a"]'), "refers to itself"),
        (_GOOD.replace('id = "b"', 'id = "a"'), "field 'id': duplicate of entry 1"),
        (_GOOD.replace('related = ["b"]', "phrasings_ja = [1]"), "field 'phrasings_ja'"),
        (_GOOD.replace('related = ["b"]', 'colour = "red"'), "unknown field 'colour'"),
        (_GOOD.replace('id = "a"', 'id = "a b"'), "must be a slug"),
        ("title = 'x'", "no [[entry]] tables"),
        ("[[entry]\nid=", "invalid TOML"),
    ],
)
def test_loader_errors_name_entry_and_field(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=None) as exc:
        load_kb(_write(tmp_path, body))
    assert message in str(exc.value)
    assert "faq.toml" in str(exc.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_kb(tmp_path / "nope.toml")
