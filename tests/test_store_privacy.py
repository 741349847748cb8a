"""A pasted private key never reaches the database: not the table, not the WAL file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy.engine import make_url
from store_backends import store_fixture, store_url_fixture  # noqa: F401

from bot.store import Store
from bot.store import engine as store_engine

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def pem_keys() -> list[str]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    enc = serialization.BestAvailableEncryption(b"pw")
    return [
        rsa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        rsa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode(),
        ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
        ).decode(),
    ]


def body_lines(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def pastes(pem: str) -> list[str]:
    """How people paste keys: with chatter, CRLF, in a code fence, cut off, indented."""
    lines = pem.strip().splitlines()
    return [
        f"このキーで合っていますか？\n{pem}\nよろしくお願いします",
        pem.replace("\n", "\r\n"),
        f"```\n{pem}```",
        "\n".join(lines[:-3]),  # no END line: everything after BEGIN is still removed
        "\n".join("  " + line for line in lines),
    ]


def db_bytes(url: str) -> bytes:
    path = Path(make_url(url).database or "")
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def assert_nowhere(store: Store, store_url: str, ids: list[int], secrets: list[str]) -> None:
    for mid in ids:
        rec = store.message(mid)
        assert rec is not None
        assert not any(s in rec.text for s in secrets)
    if store_url.startswith("sqlite"):
        raw = db_bytes(store_url)
        assert raw  # the database and its -wal file were read
        # the short last line of a body could occur by chance in a binary page
        leaked = [s for s in secrets if len(s) >= 16 and s.encode() in raw]
        assert leaked == []


def log_everything(store: Store) -> tuple[list[int], list[str]]:
    conv = store.conversation(transport="terminal", channel="t", thread="s", user="u", now=T0)
    ids, secrets = [], []
    for pem in pem_keys():
        secrets += body_lines(pem)
        for text in pastes(pem):
            mid = store.log_in(conv, user="u", text=text, now=T0)
            ids += [mid, store.log_out(conv, text=f"echo: {text}", now=T0, reply_to=mid)]
            store.record_match(mid, entry_id=None, score=0.0, decision="none", lang="ja")
            esc = store.open_escalation(mid, reason="no_answer", now=T0)
            store.resolve(esc.id, user="lead", answer=f"see {text}", now=T0, add_to_faq=True)
    return ids, secrets


def test_private_keys_never_reach_the_database(store: Store, store_url: str) -> None:
    ids, secrets = log_everything(store)
    assert sum(len(s) >= 16 for s in secrets) > 40
    assert_nowhere(store, store_url, ids, secrets)
    texts = [e.question + e.answer for e in store.learned_entries()]
    assert texts and not any(s in t for s in secrets for t in texts)
    kept = store.message(ids[0])
    assert kept is not None and "よろしくお願いします" in kept.text  # the rest is kept


def test_nothing_is_stored_when_the_detector_fails(
    store: Store, store_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(text: str) -> str:
        raise RuntimeError("detector bug")

    monkeypatch.setattr(store_engine, "_redact_keys", broken)
    ids, secrets = log_everything(store)
    assert_nowhere(store, store_url, ids, secrets)
    kept = store.message(ids[0])
    assert kept is not None and "よろしくお願いします" not in kept.text  # fails closed


@pytest.mark.parametrize("unit", ["-", " ", "\n", "- ", "BEGIN PRIVATE KEY "], ids=repr)
def test_store_redaction_is_linear(unit: str) -> None:
    # the Store's own regex (`-*\s*BEGIN...`) was quadratic on runs of dashes and spaces
    from growth import assert_linear

    assert_linear(store_engine.redact, unit, small=max(1, 3_000 // len(unit)),
                  label=f"store redact {unit!r}")
