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
            _GOOD.replace('answer_ja = "答え"\n', ""),
            "faq.toml:2: entry 1 (id 'a'): field 'answer_ja' is missing",
        ),
        (
            _GOOD.replace('answer_ja = "答え2"', 'answer_ja = ""'),
            "entry 2 (id 'b'): field 'answer_ja' must be a non-empty string",
        ),
        (
            _GOOD.replace('answer_en = "Answer"\n', ""),
            "entry 1 (id 'a'): field 'answer_en' is missing while 'question_en' is given",
        ),
        (
            _GOOD.replace('related = ["b"]', 'related = ["zz"]'),
            "field 'related' names an unknown id 'zz'",
        ),
        (_GOOD.replace('related = ["b"]', 'related = ["a"]'), "refers to the entry itself"),
        (_GOOD.replace('id = "b"', 'id = "a"'), "field 'id' duplicates the id of entry 1"),
        (_GOOD.replace('related = ["b"]', "phrasings_ja = [1]"), "field 'phrasings_ja'"),
        (_GOOD.replace('id = "a"', 'id = "a b"'), "must be a slug"),
        (
            _GOOD.replace('id = "a"', "id = true"),
            "field 'id' must be a non-empty string or a whole number",
        ),
        (
            _GOOD.replace('related = ["b"]', 'url = "javascript:alert(1)"'),
            "field 'url' must be one http",
        ),
        ("title = 'x'", "no [[entry]] tables"),
        ("[[entry]\nid=", "invalid TOML"),
    ],
)
def test_loader_errors_name_entry_and_field(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=None) as exc:
        load_kb(_write(tmp_path, body))
    assert message in str(exc.value)
    assert "faq.toml" in str(exc.value)


_BROKEN = """
[[entry]]
id = "ok"
question_ja = "質問"
answer_ja = "答え"

[[entry]]
id = "no-answer"
question_ja = "答えのない質問"
keywords_ja = ["キーワード", ""]

[[entry]]
id = "ok"
question_ja = "同じidの質問"
answer_ja = "答え"
url = "ftp://example.jp/x"
related = ["missing"]

[[entry]]
question_ja = "idのない質問"
answer_ja = 3
"""


def test_a_broken_file_reports_every_problem_at_once(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(_write(tmp_path, _BROKEN))
    lines = str(exc.value).splitlines()
    assert lines == exc.value.lines
    where = [(p.line, p.entry, p.field) for p in exc.value.problems]
    assert where == [
        (7, 2, "answer_ja"),
        (7, 2, "keywords_ja"),
        (12, 3, "url"),
        (12, 3, "id"),
        (19, 4, "id"),
        (19, 4, "answer_ja"),
        (12, 3, "related"),
    ]
    assert lines[0].endswith("faq.toml:7: entry 2 (id 'no-answer'): field 'answer_ja' is missing")
    assert "entry 3 (id 'ok'): field 'id' duplicates the id of entry 1" in lines[3]
    assert "faq.toml:19: entry 4: field 'id' is missing" in lines[4]


def test_japanese_only_entries_numeric_ids_category_and_url_load(tmp_path: Path) -> None:
    body = (
        '[[entry]]\nid = 12\ncategory = "更新"\nurl = "https://example.jp/faq/12?a=1&b=2"\n'
        'question_ja = "更新の方法"\nanswer_ja = "マイページから\\r\\n申し込みます。"\n'
    )
    kb = load_kb(_write(tmp_path, body))
    [e] = kb
    assert e.id == "12" and kb.get("12") is e and kb.find("12") is e
    assert (e.category, e.url) == ("更新", "https://example.jp/faq/12?a=1&b=2")
    assert not e.has_lang("en") and e.has_lang("ja")
    assert e.question("en") == "更新の方法" and e.answer("en") == "マイページから\n申し込みます。"


def test_unknown_fields_are_ignored_with_one_warning_each(tmp_path: Path) -> None:
    body = "".join(
        f'[[entry]]\nid = "e{n}"\nquestion_ja = "質問{n}"\nanswer_ja = "答え"\ncolour = "red"\n'
        + ("updated = 2024-01-01\n" if n == 3 else "")
        for n in range(1, 9)
    )
    kb = load_kb(_write(tmp_path, body))
    assert len(kb) == 8
    assert [str(w).split(": ", 1)[1] for w in kb.warnings] == [
        "field 'colour' is not a certdesk field; ignored (entries 1-8)",
        "field 'updated' is not a certdesk field; ignored (entries 3)",
    ]
    assert kb.with_entries([]).warnings == kb.warnings


def test_problem_lines_are_dropped_when_a_header_hides_in_a_string(tmp_path: Path) -> None:
    body = _GOOD.replace('answer_ja = "答え"', "answer_ja = '''\n[[entry]]\n'''").replace(
        'answer_ja = "答え2"', ""
    )
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(_write(tmp_path, body))
    [problem] = exc.value.problems
    assert problem.line is None and problem.entry == 2 and problem.field == "answer_ja"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_kb(tmp_path / "nope.toml")


def test_entry_lines_are_found_in_one_pass() -> None:
    from growth import assert_linear

    from knowledge.kb import entry_lines

    unit = '[[entry]]\nid = "x"\nanswer_ja = "' + "あ" * 400 + '"\n'
    assert entry_lines(unit * 3) == [1, 4, 7]
    assert_linear(entry_lines, unit, small=200, factor=16, label="entry_lines")
