"""English questions against an FAQ written in Japanese only read their words through
the JMdict glossary (knowledge/glossary.py): "receipt" meets 領収書, "revoked" 失効; an
FAQ with English text keeps its own English words."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from knowledge import glossary, glossary_build, index
from knowledge.index import Index
from knowledge.kb import Entry, KnowledgeBase
from knowledge.matcher import Matcher
from knowledge.synonyms import SynonymTable

JA_ONLY = [
    Entry("receipt", "領収書の宛名を会社名に変更できますか", "", "マイページから領収書を再発行できます。", ""),
    Entry("revoke", "証明書を失効させたい", "", "失効の申請はマイページから行います。", ""),
    Entry("renew", "証明書の更新はいつからできますか", "", "有効期限の90日前から更新できます。", ""),
]


def _kb(entries: list[Entry]) -> KnowledgeBase:
    return KnowledgeBase(tuple(entries))


def test_the_shipped_glossary_reads_common_words() -> None:
    assert any("領収" in g for g in glossary.lookup("receipt"))
    assert any("失効" in g for g in glossary.lookup("expiry"))
    assert ("秘密", "鍵") in glossary.lookup("private key")  # two words
    assert glossary.lookup("no-such-word") == ()


def test_forms_of_a_word_share_its_key() -> None:
    # JMdict glosses 作成 as "creating" and 更新 as "renewal": "create" and "renew" find them
    assert glossary.key_of(["create"]) == glossary.key_of(["creating"])
    assert glossary.key_of(["renew"]) == glossary.key_of(["renewal"])
    assert ("作成",) in glossary.lookup(glossary.key_of(["create"]))


def test_the_glossary_file_is_deterministic_and_says_where_it_comes_from() -> None:
    with gzip.open(glossary.GLOSSARY, "rt", encoding="utf-8") as fh:
        first, *rest = fh.read().splitlines()
    assert "JMdict" in first and "CC BY-SA" in first
    keys = [line.split("\t", 1)[0].encode() for line in rest]
    assert len(keys) > 100_000 and keys == sorted(keys)  # lookup() searches them in order
    for k in [*keys[::997], keys[0], keys[-1]]:
        assert glossary.lookup(k.decode()), k
    raw = glossary.GLOSSARY.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip mtime 0: a rebuild from the same JMdict is identical


def test_keys_are_read_as_the_index_reads_english() -> None:
    assert glossary_build._english_words("to renew (a contract)") == (["renew"], True)
    assert glossary_build._english_words("receipts") == (["receipt"], True)
    assert glossary_build._english_words("both days") == (["day"], False)
    assert glossary_build._english_words("certificate of deposit issued") is None  # three
    assert glossary_build._english_words("証明書") is None


def test_an_english_question_finds_the_japanese_entry() -> None:
    m = Matcher(_kb(JA_ONLY))
    assert m.index.japanese_only
    for question, expected in [
        ("Can the company name on my receipt be changed?", "receipt"),
        ("I want my certificate revoked", "revoke"),
        ("When can I start the renewal?", "renew"),
    ]:
        ranked = m.rank(question)
        assert ranked and ranked[0].entry.id == expected, question


def test_only_words_no_entry_uses_are_translated() -> None:
    idx = Index(_kb(JA_ONLY), SynonymTable({}))
    tokens = idx.tokens("receipt csr")
    assert "領収" in tokens and "receipt" not in tokens
    assert "csr" in tokens  # not in the glossary: kept as it is


def test_an_faq_with_english_text_keeps_its_english_words() -> None:
    bilingual = [
        Entry(e.id, e.question_ja, f"About {e.id}", e.answer_ja, f"Answer on {e.id}.")
        for e in JA_ONLY
    ]
    idx = Index(_kb(bilingual), SynonymTable({}))
    assert not idx.japanese_only
    assert "receipt" in idx.tokens("receipt") and "領収" not in idx.tokens("receipt")


def test_a_learned_entry_is_translated_to_at_once() -> None:
    idx = Index(_kb(JA_ONLY[1:]), SynonymTable({}))
    assert "領収" not in idx.tokens("receipt")  # no entry uses it yet
    idx.add(JA_ONLY[0])
    assert "領収" in idx.tokens("receipt questions")


def test_the_remembered_translations_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # a long paste of English words no entry uses must not grow the index without end
    monkeypatch.setattr(index, "_GLOSSED_MAX", 50)
    idx = Index(_kb(JA_ONLY), SynonymTable({}))
    idx.tokens(" ".join(f"word{chr(97 + i % 26)}{chr(97 + i // 26)}x" for i in range(400)))
    assert len(idx._glossed) <= 50
    assert "領収" in idx.tokens("receipt")


def _jmdict(path: Path) -> None:
    """A tiny JMdict in jamdict's SQLite schema (the tables the build reads)."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE Kanji (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT);
        CREATE TABLE Kana (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT, nokanji BOOLEAN);
        CREATE TABLE KJP (kid INTEGER, text TEXT);
        CREATE TABLE KNP (kid INTEGER, text TEXT);
        CREATE TABLE Sense (ID INTEGER PRIMARY KEY, idseq INTEGER);
        CREATE TABLE SenseGloss (sid INTEGER, lang TEXT, gend TEXT, text TEXT);
        CREATE TABLE misc (sid INTEGER, text TEXT);
        """
    )
    entries = [  # idseq, kanji, priority, senses (glosses), misc of the first sense
        (1, "両日", "ichi1", [["both days", "two days"]], None),
        (2, "日", "ichi1", [["sun"], ["day", "days"]], None),
        (3, "領収", "news1", [["receipt", "receiving"]], None),
        (4, "受領", None, [["receipt"]], None),
        (5, "古語", "ichi1", [["receipt"]], "archaism"),
    ]
    sense_id = 0
    for idseq, kanji, tag, senses, misc in entries:
        db.execute("INSERT INTO Kanji VALUES (?, ?, ?)", (idseq, idseq, kanji))
        if tag:
            db.execute("INSERT INTO KJP VALUES (?, ?)", (idseq, tag))
        for k, glosses in enumerate(senses):
            sense_id += 1
            db.execute("INSERT INTO Sense VALUES (?, ?)", (sense_id, idseq))
            if misc and k == 0:
                db.execute("INSERT INTO misc VALUES (?, ?)", (sense_id, misc))
            for g in glosses:
                db.execute("INSERT INTO SenseGloss VALUES (?, 'eng', '', ?)", (sense_id, g))
    db.commit()
    db.close()


def test_the_build_orders_senses_and_skips_archaic_ones(tmp_path: Path) -> None:
    _jmdict(tmp_path / "jmdict.db")
    built = glossary_build.build(tmp_path / "jmdict.db")
    # a gloss that is the key itself before one the key was cut from ("both days")
    assert built["day"][0] == ("日",) and ("両日",) in built["day"]
    # the common word first; an archaic sense is left out
    assert built["receipt"] == [("領収",), ("受領",)]
    out = tmp_path / "g.tsv.gz"
    glossary_build.write(built, out)
    first = out.read_bytes()
    glossary_build.write(glossary_build.build(tmp_path / "jmdict.db"), out)
    assert out.read_bytes() == first  # the same JMdict gives the same bytes
