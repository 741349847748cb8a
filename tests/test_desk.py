"""The Desk against a real SQLite Store: logging, escalation, feedback, choices, learned
entries, pasted certificates and keys, and a database that is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from support import NOW

from bot.desk import Desk, prose_of
from bot.store import Store
from bot.types import Incoming, Upload
from knowledge import KnowledgeBase


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'desk.db'}")
    s.upgrade()
    return s


@pytest.fixture
def desk(kb: KnowledgeBase, store: Store) -> Desk:
    return Desk(kb, store)


def ask(desk: Desk, text: str, thread: str = "t1", **kw: object) -> object:
    return desk.handle(
        Incoming(
            text=text, now=NOW, user="U1", channel="C1", thread=thread, transport="slack", **kw
        )
    )  # type: ignore[arg-type]


def test_an_answer_is_logged_with_its_match(desk: Desk, store: Store) -> None:
    reply = ask(desk, "IIS4で秘密鍵をバックアップするには?")
    assert reply.decision == "answer" and reply.answer.id == "backup-private-key-iis4"  # type: ignore[attr-defined]
    assert reply.logged and reply.message_id
    msg = store.message(reply.message_id)  # type: ignore[attr-defined]
    assert (
        msg is not None
        and msg.match_entry == "backup-private-key-iis4"
        and msg.match_decision == "answer"
    )
    stats = store.report_stats(since=NOW.replace(year=2020), now=NOW)
    assert stats["questions"] == 1 and stats["answered"] == 1


def test_unanswered_question_escalates_with_a_case_number(desk: Desk, store: Store) -> None:
    reply = ask(desk, "コードサイニング証明書の価格を教えてください")
    assert reply.decision == "none" and reply.escalation is not None  # type: ignore[attr-defined]
    assert f"#{reply.escalation.id}" in reply.text  # type: ignore[attr-defined]
    case = store.escalation(reply.escalation.id)  # type: ignore[attr-defined]
    assert case is not None and case.reason == "no_answer" and case.status == "open"


def test_asking_for_a_person_escalates(desk: Desk) -> None:
    reply = ask(desk, "担当者につないでください")
    assert reply.decision == "human" and reply.escalation.reason == "asked_human"  # type: ignore[attr-defined]


def test_not_helpful_escalates_and_helpful_does_not(desk: Desk, store: Store) -> None:
    first = ask(desk, "IPアドレスを変えたら証明書はどうなる?")
    good = desk.feedback(first.message_id, True, user="U1", now=NOW)  # type: ignore[attr-defined]
    assert good.escalation is None
    second = ask(desk, "IIS4で秘密鍵をバックアップするには?", thread="t2")
    bad = desk.feedback(second.message_id, False, user="U1", now=NOW)  # type: ignore[attr-defined]
    assert bad.escalation is not None and bad.escalation.reason == "not_helpful"
    stats = store.report_stats(since=NOW.replace(year=2020), now=NOW)
    assert stats["helpful"] == 1 and stats["not_helpful"] == 1


def test_choosing_a_candidate_answers_it(desk: Desk) -> None:
    first = ask(desk, "証明書を移行したい")
    chosen = desk.choose(first.message_id, "migrate-iis4-to-iis5", user="U1", now=NOW)  # type: ignore[attr-defined]
    assert chosen.answer is not None and chosen.answer.id == "migrate-iis4-to-iis5"
    assert "IIS 5" in chosen.text


def test_resolution_added_to_the_faq_answers_the_next_asker(
    desk: Desk, kb: KnowledgeBase, tmp_path: Path
) -> None:
    q = "ワイルドカード証明書はサブドメイン何個まで使えますか?"
    first = ask(desk, q)
    assert first.escalation is not None  # type: ignore[attr-defined]
    desk.assign(first.escalation.id, user="ULEAD", now=NOW)  # type: ignore[attr-defined]
    desk.resolve(
        first.escalation.id,
        user="ULEAD",
        answer="1階層のサブドメインなら無制限です。",
        add_to_faq=True,
        now=NOW,
    )  # type: ignore[attr-defined]
    again = ask(desk, q, thread="t2")
    assert again.decision == "answer" and again.answer.learned  # type: ignore[attr-defined]
    assert "無制限" in again.text  # type: ignore[attr-defined]
    # another process (a second Desk on the same database) learns it too
    other = Desk(kb, Store(f"sqlite:///{tmp_path / 'desk.db'}"))
    assert other.handle(Incoming(text=q, now=NOW)).decision == "answer"


def _pem_key() -> tuple[str, list[str]]:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    return pem, body


def test_a_pasted_private_key_is_flagged_and_never_echoed_or_stored(
    desk: Desk, tmp_path: Path
) -> None:
    pem, body = _pem_key()
    reply = ask(desk, "この鍵で合ってますか?\n" + pem)
    assert reply.private_key_pasted  # type: ignore[attr-defined]
    assert "漏えい" in reply.text  # type: ignore[attr-defined]
    for line in body:
        assert line not in reply.text  # type: ignore[attr-defined]
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("desk.db*"))
    for line in body:
        assert line.encode() not in raw


def test_a_certificate_only_message_is_analysed_not_escalated(desk: Desk) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old.example.jp")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOW.replace(year=2024))
        .not_valid_after(NOW.replace(year=2025))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    reply = ask(desk, "これを確認してください\n```\n" + pem + "```")
    assert reply.reports and reply.escalation is None  # type: ignore[attr-defined]
    codes = {f.code for r in reply.reports for f in r.findings}  # type: ignore[attr-defined]
    assert "cert.expired" in codes
    upload = ask(
        desk, "", uploads=(Upload("site.crt", cert.public_bytes(serialization.Encoding.DER)),)
    )
    assert {f.code for r in upload.reports for f in r.findings} >= {"cert.expired"}  # type: ignore[attr-defined]


def test_a_question_with_a_certificate_gets_both(desk: Desk) -> None:
    text = "80093005 が出ます。証明書はこれです\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
    reply = ask(desk, text)
    assert reply.answer is not None and reply.answer.id == "capi2-80093005-invalid-certificate"  # type: ignore[attr-defined]
    assert reply.reports  # type: ignore[attr-defined]


def test_the_desk_keeps_answering_when_the_database_is_down(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'gone' / 'x.db'}")  # the folder does not exist
    desk = Desk(kb, store)
    reply = ask(desk, "IIS4で秘密鍵をバックアップするには?")
    assert reply.answer is not None and not reply.logged
    assert "記録に失敗" in reply.text


def test_prose_of_strips_material() -> None:
    assert prose_of(
        "check this\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nthanks"
    ).split() == ["check", "this", "thanks"]


def test_logging_resumes_when_the_database_comes_back(kb: KnowledgeBase, tmp_path: Path) -> None:
    from bot.config import Settings

    folder = tmp_path / "later"
    settings = Settings.from_env({"DATABASE_URL": f"sqlite:///{folder / 'x.db'}"})
    ticks = iter(range(0, 10000, 20))
    desk = Desk.from_settings(settings, clock=lambda: float(next(ticks)))  # 20 s a call
    assert not ask(desk, "IIS4で秘密鍵をバックアップするには?").logged  # type: ignore[attr-defined]
    folder.mkdir()  # the database is reachable again
    reply = ask(desk, "IIS4で秘密鍵をバックアップするには?")
    assert reply.logged and reply.message_id  # type: ignore[attr-defined]


def test_a_message_with_nothing_to_answer_gets_the_usage_help(desk: Desk) -> None:
    for text in ("", "```\n```", "!!!???"):
        reply = ask(desk, text)
        assert reply.decision == "smalltalk" and reply.escalation is None  # type: ignore[attr-defined]
        assert "80093009" in reply.text  # type: ignore[attr-defined]


def test_a_paste_of_thousands_of_blocks_gets_a_readable_reply(desk: Desk) -> None:
    block = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    reply = ask(desk, block * 500)
    assert reply.reports and len(reply.reports[0].objects) == 500  # type: ignore[attr-defined]
    assert len(reply.text) < 20_000 and "480" in reply.text  # type: ignore[attr-defined]


def test_undecodable_input_is_answered_and_logged(desk: Desk, store: Store) -> None:
    # bytes that were not UTF-8 arrive as lone surrogates; MeCab and SQLite reject those
    reply = ask(desk, "秘密鍵\udcff をうっかり削除しました\ud800")
    assert reply.decision == "answer" and reply.logged  # type: ignore[attr-defined]
    msg = store.message(reply.message_id)  # type: ignore[attr-defined]
    assert msg is not None and "\ufffd" in msg.text


def test_a_question_quoting_the_boundary_lines_gets_the_faq_answer(desk: Desk) -> None:
    text = ("My file starts with -----BEGIN CERTIFICATE----- and ends with -----END "
            "CERTIFICATE----- but IIS says 80093009 when I install it")
    reply = ask(desk, text)
    assert reply.answer is not None  # type: ignore[attr-defined]
    assert reply.answer.id == "capi2-80093009-certificate-invalid"  # type: ignore[attr-defined]
    assert not reply.reports  # type: ignore[attr-defined]
