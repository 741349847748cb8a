"""`certdesk chat`: message gathering, a pasted PEM as one message, logging through real
processes, three chats writing to one SQLite file at once, and no key bytes kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from support import ROOT

from bot.terminal import gather_messages

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----"


def test_each_line_is_a_message_and_a_pem_block_is_one() -> None:
    lines = ["hello", "", PEM.splitlines()[0], *PEM.splitlines()[1:], "thanks"]
    assert list(gather_messages(line + "\n" for line in lines)) == ["hello", PEM, "thanks"]


def test_blocks_that_follow_each_other_are_one_message() -> None:
    chain = PEM + "\n\n" + PEM
    assert list(gather_messages(chain.splitlines(keepends=True))) == [chain]


def test_a_block_cut_short_at_eof_still_arrives() -> None:
    assert list(gather_messages(["-----BEGIN CERTIFICATE-----\n", "MIIB\n"])) == [
        "-----BEGIN CERTIFICATE-----\nMIIB"
    ]


def chat(tmp_path: Path, stdin: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("CERTDESK_KB", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *extra],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )


def test_chat_answers_analyses_and_logs(tmp_path: Path) -> None:
    r = chat(tmp_path, "こんにちは\nIIS4で秘密鍵をバックアップするには?\n" + PEM + "\nbye\n")
    assert r.returncode == 0, r.stderr
    assert "Key > Export Key > Backup File" in r.stdout
    assert "pem.bad_der" in r.stdout or "pem.bad_base64" in r.stdout or "DER" in r.stdout
    db = sqlite3.connect(tmp_path / "chat.db")
    n_in = db.execute("select count(*) from messages where direction = 'in'").fetchone()[0]
    assert n_in == 4  # greeting, question, the PEM as one message, bye


def test_a_private_key_through_the_chat_leaves_no_byte_behind(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    r = chat(tmp_path, "この鍵です\n" + pem)
    assert r.returncode == 0, r.stderr
    assert "key.private_key" in r.stdout or "秘密鍵" in r.stdout
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for line in body:
        assert line not in r.stdout and line not in r.stderr
        assert line.encode() not in stored


def test_three_chats_write_600_questions_to_one_sqlite_file(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}",
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("CERTDESK_KB", None)
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    questions = [
        "IIS4で秘密鍵をバックアップするには?",
        "80093005",
        "ランチどこ?",
        "How do I move my cert to Apache?",
    ]
    procs = []
    for n in range(3):
        text = "".join(f"{questions[k % 4]} ({n}-{k})\n" for k in range(200))
        p = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--user", f"user{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        procs.append((p, text))
    outputs = [p.communicate(text, timeout=600) for p, text in procs]
    for (p, _), (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "記録に失敗" not in out and "logging failed" not in out
        assert "Traceback" not in err and "retry" not in (out + err).lower()
    db = sqlite3.connect(tmp_path / "shared.db")
    assert db.execute("select count(*) from messages where direction = 'in'").fetchone()[0] == 600
    assert db.execute("select count(*) from messages where direction = 'out'").fetchone()[0] == 600
