"""Every form of private key through the Desk with a real SQLite file: flagged in the
reply, replaced before it is stored (every table, the raw file bytes), logged or
escalated; and the key hold that catches the middle of a key split over messages."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from keyforms import NOW, KeyForm, b64_lines, certificate_pem, csr_pem, forms, keys, split_key

from bot.desk import Desk
from bot.keyhold import HOLD_MESSAGES, HOLD_WINDOW
from bot.store import Store
from bot.types import Incoming, Reply
from knowledge import KnowledgeBase

FORMS = forms()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "keys.db"


@pytest.fixture
def desk(kb: KnowledgeBase, db: Path) -> Desk:
    store = Store(f"sqlite:///{db}")
    store.upgrade()
    return Desk(kb, store)


def say(desk: Desk, text: str, *, user: str = "U1", at: int = 0, channel: str = "C1") -> Reply:
    return desk.handle(Incoming(text=text, now=NOW + timedelta(seconds=at), user=user,
                                channel=channel, thread="t1", transport="slack"))


def everything_stored(db: Path) -> str:
    """Every text value of every table, and the raw bytes of the file and its WAL."""
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        values = [str(v) for t in tables for row in con.execute(f'select * from "{t}"')
                  for v in row if v is not None]
    finally:
        con.close()
    raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    return "\n".join(values) + "\n" + raw.decode("latin-1")


def key_flagged(reply: Reply) -> bool:
    codes = {f.code for r in reply.reports for f in r.findings}
    return reply.private_key_pasted and bool(codes & {"key.private_key",
                                                      "key.encrypted_private_key"})


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_each_form_is_flagged_and_never_kept(
    desk: Desk, db: Path, form: KeyForm, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # asking for a person escalates the message: the case must not hold the key either
    reply = say(desk, f"担当者につないでください\n{form.text}")
    assert key_flagged(reply)
    assert not [s for s in form.secrets if s in reply.text]
    stored = everything_stored(db)
    assert "担当者につないでください" in stored  # the words around the key are kept
    assert [s for s in form.secrets if s in stored] == []
    assert desk.store is not None
    cases = desk.store.escalations(limit=100)
    assert cases and reply.escalation is not None
    for case in cases:
        assert not [s for s in form.secrets if s in str(case.question)]
    for row in desk.store.unanswered_questions(since=NOW - timedelta(days=1)):
        assert not [s for s in form.secrets if s in row.text]
    assert not [s for s in form.secrets if s in caplog.text]


def test_a_text_dump_alone_is_no_question_to_escalate(desk: Desk, db: Path) -> None:
    form = next(f for f in FORMS if f.name == "openssl-text-rsa")
    reply = say(desk, form.text)
    assert key_flagged(reply) and reply.escalation is None
    assert desk.store is not None and desk.store.escalations(limit=10) == []


# three parts: the middle one alone looks like any damaged paste; eight: every part
# held renews the hold for the rest
@pytest.mark.parametrize("count", [3, 8], ids=["middle-part", "many-parts"])
def test_every_part_of_a_split_key_is_held(desk: Desk, db: Path, count: int) -> None:
    parts, secrets = split_key(count)
    replies = [say(desk, part, at=i) for i, part in enumerate(parts)]
    assert all(key_flagged(r) for r in replies)
    assert [s for s in secrets if s in everything_stored(db)] == []


def test_the_hold_works_across_worker_processes(kb: KnowledgeBase, db: Path) -> None:
    # two Desks on one database, as two gunicorn workers: the first part reaches one,
    # the middle part the other
    first, second = Desk(kb, Store(f"sqlite:///{db}")), Desk(kb, Store(f"sqlite:///{db}"))
    assert first.store is not None
    first.store.upgrade()
    parts, secrets = split_key(3)
    assert key_flagged(say(first, parts[0]))
    assert key_flagged(say(second, parts[1], at=1))
    assert key_flagged(say(first, parts[2], at=2))
    assert [s for s in secrets if s in everything_stored(db)] == []
    # the hold read from the database ends with its window too
    late = int(HOLD_WINDOW.total_seconds()) + 10
    assert not key_flagged(say(Desk(kb, Store(f"sqlite:///{db}")), parts[1], at=late))


def test_a_held_part_with_words_around_it(desk: Desk, db: Path) -> None:
    parts, secrets = split_key(3)
    say(desk, parts[0])
    reply = say(desk, f"続きです\n{parts[1]}\n以上です", at=1)
    assert key_flagged(reply) and reply.escalation is None
    stored = everything_stored(db)
    assert "続きです" in stored and [s for s in secrets if s in stored] == []


def test_the_hold_ends_after_its_window(desk: Desk, db: Path) -> None:
    parts, _ = split_key(3)
    say(desk, parts[0])
    late = int(HOLD_WINDOW.total_seconds()) + 1
    assert not key_flagged(say(desk, parts[1], at=late))


def test_the_hold_ends_after_its_messages(desk: Desk, db: Path) -> None:
    parts, _ = split_key(3)
    say(desk, parts[0])
    for i in range(HOLD_MESSAGES):
        say(desk, "ありがとうございます", at=i + 1)
    assert not key_flagged(say(desk, parts[1], at=HOLD_MESSAGES + 1))


def test_the_hold_is_per_user_and_channel(desk: Desk, db: Path) -> None:
    parts, _ = split_key(3)
    say(desk, parts[0], user="U1", channel="C1")
    assert not key_flagged(say(desk, parts[1], user="U2", channel="C1", at=1))
    assert not key_flagged(say(desk, parts[1], user="U1", channel="C2", at=2))
    assert key_flagged(say(desk, parts[1], user="U1", channel="C1", at=3))


def test_a_certificate_body_during_a_hold_is_analysed(desk: Desk, db: Path) -> None:
    parts, _ = split_key(3)
    say(desk, parts[0])
    body = "\n".join(certificate_pem().strip().splitlines()[1:-1])
    reply = say(desk, body, at=1)
    assert not key_flagged(reply)
    assert any(o.kind == "certificate" for r in reply.reports for o in r.objects)


def test_certificates_and_csrs_are_analysed_as_before(desk: Desk, db: Path) -> None:
    der = keys().cert.public_bytes(serialization.Encoding.DER)
    for text in (certificate_pem(), csr_pem(), "\n".join(b64_lines(der))):
        reply = say(desk, "この証明書を確認してください\n" + text)
        assert not key_flagged(reply)
        assert any(o.kind in ("certificate", "csr") for r in reply.reports for o in r.objects)
    assert "MII" in everything_stored(db)  # certificates are stored as they are
