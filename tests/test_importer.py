"""Importing a vendor's FAQ export: CSV as Excel writes it (BOM, Shift_JIS, multi-line
cells), JSONL, ids made from the question, and faq.toml written back exactly."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from support import DATA

from knowledge import KnowledgeBaseError, load_kb
from knowledge.importer import slug_id, to_toml, toml_string

SAMPLE_CSV = DATA / "sample_faq.csv"
SAMPLE_JSONL = DATA / "sample_faq.jsonl"


def _csv(rows: list[list[str]], *, delimiter: str = ",") -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8", newline="")
    else:
        p.write_bytes(data)
    return p


ROWS = [
    ["question", "answer", "カテゴリ", "keywords"],
    ["証明書の更新方法は?", "マイページから\r\n更新を申し込みます。", "更新", "更新; 有効期限 ;"],
    ["ワイルドカード証明書とは", "*.example.jp を保護する証明書です。", "", ""],
]


def test_the_committed_samples_load_alike() -> None:
    a, b = load_kb(SAMPLE_CSV), load_kb(SAMPLE_JSONL)
    assert a.entries == b.entries and not a.warnings
    assert SAMPLE_CSV.read_bytes().startswith(b"\xef\xbb\xbf")  # as Excel saves "CSV UTF-8"
    assert [e.id for e in a][:3] == ["101", "102", "201"]
    e = a.get("201")
    assert e is not None and e.category == "CSR" and e.url.startswith("https://")
    assert "\n2. " in e.answer_ja and "\r" not in e.answer_ja
    assert e.keywords_ja == ("nginx", "CSR", "openssl")
    assert all(not x.has_lang("en") for x in a)


def test_csv_without_ids_multiline_cells_and_keywords(tmp_path: Path) -> None:
    kb = load_kb(_write(tmp_path, "faq.csv", _csv(ROWS)))
    first, second = kb
    assert first.id == slug_id("証明書の更新方法は?") and first.id.startswith("q-")
    assert first.answer_ja == "マイページから\n更新を申し込みます。"
    assert first.category == "更新" and first.keywords_ja == ("更新", "有効期限")
    assert second.category == "" and second.keywords_ja == ()


def test_generated_ids_survive_reordering_and_new_entries(tmp_path: Path) -> None:
    before = load_kb(_write(tmp_path, "a.csv", _csv(ROWS)))
    reordered = [ROWS[0], ["新しい質問", "新しい答え", "", ""], ROWS[2], ROWS[1]]
    after = load_kb(_write(tmp_path, "b.csv", _csv(reordered)))
    ids = {e.question_ja: e.id for e in after}
    assert all(ids[e.question_ja] == e.id for e in before)
    # NFKC and whitespace do not change the id; the wording does
    assert slug_id("ＳＳＬ  証明書") == slug_id("SSL 証明書") != slug_id("SSL証明書は")


def test_the_same_question_twice_gets_distinct_ids_and_a_warning(tmp_path: Path) -> None:
    rows = [["question", "answer"], ["同じ質問", "答え1"], ["同じ質問", "答え2"]]
    kb = load_kb(_write(tmp_path, "d.csv", _csv(rows)))
    a, b = kb
    assert b.id == a.id + "-2"
    assert any("same question as entry 1" in str(w) for w in kb.warnings)


def test_shift_jis_euc_jp_and_utf16_exports_are_read(tmp_path: Path) -> None:
    text = _csv(ROWS)
    expected = load_kb(_write(tmp_path, "u.csv", text)).entries
    for codec, note in (("cp932", "Shift_JIS"), ("euc_jp", "EUC-JP"), ("utf-16", "UTF-16")):
        kb = load_kb(_write(tmp_path, f"{codec}.csv", text.encode(codec)))
        assert kb.entries == expected, codec
        assert any(note in str(w) for w in kb.warnings), codec


def test_undecodable_and_workbook_files_say_how_to_resave(tmp_path: Path) -> None:
    for name, data in (("bad.csv", b"question,answer\n\x80\xff\xfe,x\n"),
                       ("book.csv", b"PK\x03\x04" + b"\x00" * 20)):
        with pytest.raises(KnowledgeBaseError) as exc:
            load_kb(_write(tmp_path, name, data))
        assert "CSV UTF-8" in str(exc.value) and name in str(exc.value)


def test_tab_and_semicolon_delimited_exports(tmp_path: Path) -> None:
    for delimiter in ("\t", ";"):
        rows = [["id", "question", "answer"], ["7", "質問です", "答えです"]]
        [e] = load_kb(_write(tmp_path, "t.csv", _csv(rows, delimiter=delimiter)))
        assert (e.id, e.question_ja, e.answer_ja) == ("7", "質問です", "答えです")


def test_a_broken_csv_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    rows = [
        ["id", "question", "answer", "url"],
        ["1", "質問1", "答え\nが二行", "https://example.jp/1"],
        ["2", "質問2", "", ""],  # line 4: no answer
        ["3", "質問3", "答え", "www.example.jp"],  # line 5: not an http(s) URL
        ["1", "質問4", "答え", ""],  # line 6: duplicate id
        ["5", "質問5", "答え", "", "余分"],  # line 7: one cell too many
    ]
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(_write(tmp_path, "broken.csv", _csv(rows)))
    lines = exc.value.lines
    assert len(lines) == 1 and "broken.csv:7: row has 5 cells but the header has 4" in lines[0]
    rows.pop()
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(_write(tmp_path, "broken.csv", _csv(rows)))
    assert [(p.line, p.field) for p in exc.value.problems] == [
        (4, "answer_ja"),
        (5, "url"),
        (6, "id"),
    ]
    assert "broken.csv:6: entry 4 (id '1'): field 'id' duplicates the id of entry 1" in str(
        exc.value
    )


def test_missing_columns_and_bad_quoting_are_named(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(_write(tmp_path, "h.csv", "id,title,body\n1,a,b\n"))
    assert "has no column 'question' (found: 'id', 'title', 'body')" in str(exc.value)
    assert "has no column 'answer'" in str(exc.value)
    with pytest.raises(KnowledgeBaseError, match=r"h\.csv:2: is not valid CSV"):
        load_kb(_write(tmp_path, "h.csv", 'question,answer\n"unterminated,x\n'))


def test_jsonl_numeric_ids_lists_and_every_bad_line(tmp_path: Path) -> None:
    good = [
        {"id": 3, "question": "質問", "answer": "答え", "keywords": ["a", "b"], "url": None},
        {"question": "英語もある質問", "answer": "答え", "question_en": "Q?", "answer_en": "A."},
    ]
    kb = load_kb(_write(tmp_path, "f.jsonl", "\n".join(json.dumps(r) for r in good) + "\n\n"))
    a, b = kb
    assert a.id == "3" and a.keywords_ja == ("a", "b") and not a.has_lang("en")
    assert b.has_lang("en") and b.answer("en") == "A."
    bad = [*good, {"id": 4.5, "question": "q", "answer": "a"}, [1, 2]]
    text = "\n".join(json.dumps(r) for r in bad) + "\n{not json\n"
    with pytest.raises(KnowledgeBaseError) as exc:
        load_kb(_write(tmp_path, "f.jsonl", text))
    assert [p.line for p in exc.value.problems] == [4, 5]  # reading problems first
    assert "f.jsonl:5: is not JSON" in exc.value.lines[1]


def test_import_round_trips_through_faq_toml(tmp_path: Path) -> None:
    for source in (SAMPLE_CSV, SAMPLE_JSONL, _write(tmp_path, "r.csv", _csv(ROWS))):
        kb = load_kb(source)
        out = _write(tmp_path, "out.toml", to_toml(kb, origin=str(source)))
        again = load_kb(out)
        assert again.entries == kb.entries and not again.warnings
    seed = load_kb()
    again = load_kb(_write(tmp_path, "seed.toml", to_toml(seed)))
    assert again.entries == seed.entries


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s)


@given(_TEXT)
def test_toml_strings_read_back_exactly(text: str) -> None:
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text
    multi = text + "\n" + text
    assert tomllib.loads(f"x = {toml_string(multi)}")["x"] == multi


_CELL = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t\x85"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() != "")


@given(st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=4))
@example([("段落\u2028区切り", "答え\u2029です\x85")])
def test_any_text_survives_csv_and_jsonl(tmp_path_factory: pytest.TempPathFactory,
                                         pairs: list[tuple[str, str]]) -> None:
    folder = tmp_path_factory.mktemp("any")
    rows = [["id", "question", "answer"]] + [[str(k), q, a] for k, (q, a) in enumerate(pairs)]
    jsonl = "\n".join(
        json.dumps({"id": k, "question": q, "answer": a}, ensure_ascii=False)
        for k, (q, a) in enumerate(pairs)
    )
    for name, data in (("any.csv", _csv(rows)), ("any.jsonl", jsonl)):
        kb = load_kb(_write(folder, name, data))
        assert [(e.question_ja, e.answer_ja) for e in kb] == [
            (q.strip(), a.strip()) for q, a in pairs
        ], name


def test_ids_are_trimmed_and_spreadsheets_are_named(tmp_path: Path) -> None:
    [e] = load_kb(_write(tmp_path, "s.csv", "id,question,answer\n 12 ,質問,答え\n"))
    assert e.id == "12"
    with pytest.raises(KnowledgeBaseError, match="CSV UTF-8"):
        load_kb(_write(tmp_path, "faq.xlsx", b"PK\x03\x04"))
    with pytest.raises(KnowledgeBaseError, match=r"reads \.toml, \.csv and \.jsonl"):
        load_kb(_write(tmp_path, "faq.txt", "question,answer\n"))
