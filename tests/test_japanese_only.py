"""A Japanese-only FAQ with URLs, through the Desk, the plain-text reply and Slack blocks:
an English question gets the Japanese answer and one English line saying so, and the
entry's URL goes with every answer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from support import DATA, NOW

from bot.desk import Desk
from bot.slack import blocks as bk
from bot.store import Store
from bot.types import Incoming, Reply
from knowledge import KnowledgeBase, load_kb

ONLY_JA = "This answer is only available in Japanese."


@pytest.fixture(scope="module")
def sample() -> KnowledgeBase:
    return load_kb(DATA / "sample_faq.csv")


@pytest.fixture
def desk(sample: KnowledgeBase, tmp_path: Path) -> Desk:
    store = Store(f"sqlite:///{tmp_path / 'd.db'}")
    store.upgrade()
    return Desk(sample, store)


def ask(desk: Desk, text: str) -> Reply:
    return desk.handle(Incoming(text=text, now=NOW, user="U1", channel="C1", thread="t1",
                                transport="slack"))


def test_an_english_question_gets_the_japanese_answer_and_one_english_line(desk: Desk) -> None:
    reply = ask(desk, "How do I create a CSR on nginx?")
    assert reply.lang == "en" and reply.answer is not None and reply.answer.id == "201"
    a = reply.answer
    assert a.untranslated and a.question == "nginxでCSRを作成する手順を教えてください"
    assert a.url == "https://support.example.jp/faq/201"
    lines = reply.text.splitlines()
    assert lines[0] == ONLY_JA and reply.text.count(ONLY_JA) == 1
    assert lines[2] == "■ nginxでCSRを作成する手順を教えてください"
    assert lines[-1] == "More on this: https://support.example.jp/faq/201"


def test_a_japanese_question_has_no_note_and_the_url(desk: Desk) -> None:
    reply = ask(desk, "秘密鍵を紛失したので証明書を再発行したい")
    assert reply.answer is not None and not reply.answer.untranslated
    assert ONLY_JA not in reply.text and "この回答は日本語のみです" not in reply.text
    assert reply.text.endswith("詳しくはこちら: https://support.example.jp/faq/302")


def test_an_entry_without_url_shows_none(desk: Desk) -> None:
    reply = ask(desk, "PFXファイルをPEM形式に変換するには")
    assert reply.answer is not None and reply.answer.id == "402" and not reply.answer.url
    assert "詳しくはこちら" not in reply.text


def test_a_shown_entry_in_english_says_so_too(desk: Desk, kb: KnowledgeBase) -> None:
    answer = desk.entry("101", "en")
    assert answer is not None and answer.untranslated and answer.answer.startswith("はい。")
    seed = Desk(kb, None).entry(kb.entries[0].id, "en")
    assert seed is not None and not seed.untranslated  # the seed FAQ is bilingual


def test_slack_blocks_carry_the_note_and_an_escaped_link(desk: Desk) -> None:
    reply = ask(desk, "How do I create a CSR on nginx?")
    assert reply.answer is not None
    answer = replace(reply.answer, url="https://support.example.jp/faq?id=201&lang=ja")
    blocks = bk.reply_blocks(replace(reply, answer=answer), lambda _id: None)
    contexts = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert blocks[0] == bk.header("nginxでCSRを作成する手順を教えてください")
    assert blocks[1]["type"] == "context" and contexts[0] == ONLY_JA  # before the answer
    assert "More on this: <https://support.example.jp/faq?id=201&amp;lang=ja>" in contexts
    ja = ask(desk, "中間証明書をインストールしないとどうなりますか")
    assert ja.answer is not None
    texts = [b["elements"][0]["text"] for b in bk.reply_blocks(ja, lambda _id: None)
             if b["type"] == "context"]
    assert "詳しくはこちら: <https://support.example.jp/faq/401>" in texts
    assert ONLY_JA not in str(texts)
