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


def test_a_putty_file_is_one_message_whatever_its_lines_look_like() -> None:
    """The lines a PuTTY header announces belong to the paste: the public part of an
    Ed25519 key ends in 4 random base64 characters, which can read as a word ("srmc")
    and once split the file into three messages (a flaky test_chat_keys)."""
    putty = "\n".join([
        "PuTTY-User-Key-File-3: ssh-ed25519", "Encryption: none", "Comment: key-20260601",
        "Public-Lines: 2",
        "AAAAC3NzaC1lZDI1NTE5AAAAIGkkqJ6VMMxdNtN060CMkdDx/iRA/wrtAX5Jod6P",
        "srmc",
        "Private-Lines: 1",
        "AAAAIGkkqJ6VMMxdNtN060CMkdDx/iRA/wrtAX5Jod6PsrmcAAAAAAAAAAAAAAAA",
        "Private-MAC: " + "ab" * 32,
    ])
    lines = ["担当者につないでください", putty, "", "ありがとう"]
    assert list(gather_messages(f"{x}\n" for x in "\n".join(lines).split("\n"))) == [
        "担当者につないでください", putty, "ありがとう"]
    # a count is a count: the announced lines end it, what follows is a message again
    assert list(gather_messages([*(f"{x}\n" for x in putty.split("\n")[:6]), "srmc\n"])) == [
        "\n".join(putty.split("\n")[:6]), "srmc"]


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


# -- the interactive chat: a paste whose END line never comes ------------------------


class ScriptedTTY:
    """Stdin as a person at a terminal produces it: chunks of lines, each arriving at
    once (a paste, or one typed line); the next chunk only once the chat reads past the
    current one, as a person types only after seeing the prompt."""

    def __init__(self, *chunks: str) -> None:
        self.chunks = [c.splitlines(keepends=True) for c in chunks]

    def readline(self) -> str:
        while self.chunks and not self.chunks[0]:
            self.chunks.pop(0)
        return self.chunks[0].pop(0) if self.chunks else ""

    def waiting(self, _stdin: object) -> bool:
        return bool(self.chunks and self.chunks[0])


def interactive(*chunks: str) -> list[str]:
    import io

    from bot.terminal import _interactive_messages

    tty = ScriptedTTY(*chunks)
    return list(_interactive_messages(tty, io.StringIO(), waiting=tty.waiting))  # type: ignore[arg-type]


CUT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ\nAAAA\n"  # no END line


def test_a_paste_without_end_is_ended_by_a_command_which_is_obeyed() -> None:
    assert interactive(CUT, "/quit\n", "never read\n") == [CUT.strip(), "/quit", "never read"]


def test_a_paste_without_end_is_ended_by_a_blank_line_or_a_question() -> None:
    assert interactive(CUT, "\n", "thanks\n") == [CUT.strip(), "thanks"]
    assert interactive(CUT, "what is wrong with it?\n") == [CUT.strip(), "what is wrong with it?"]
    assert interactive(CUT, "この証明書は何がおかしいですか\n") == [
        CUT.strip(), "この証明書は何がおかしいですか"]


def test_a_slow_paste_still_arrives_whole() -> None:
    # a terminal may deliver a long paste in pieces: base64, headers and the END line
    # continue the block, and lines pasted together stay together
    rest = "Proc-Type: 4,ENCRYPTED\nBBBB/+==\n-----END CERTIFICATE-----\n"
    assert interactive(CUT, rest, "/quit\n") == [CUT + rest.strip(), "/quit"]
    joined = "MIIBszCCAVmgAwIBAgIUJ MIIBszCCAVmgAwIBAgIUJ\n－－－－－END CERTIFICATE－－－－－\n"
    assert interactive(CUT, joined) == [CUT + joined.strip()]


def test_continues_paste() -> None:
    from bot.terminal import continues_paste

    for line in ("AAAA", "/9j/4AAQSkZJRgABAQ==", "MIIB  ", "ＭＩＩＢ", "DEK-Info: AES-128-CBC,AB",
                 "-----END RSA PRIVATE KEY-----", "— —END CERTIFICATE— —"):
        assert continues_paste(line + "\n"), line
    for line in ("", "   ", "/quit", "/bad", "/file x.pem", "is this right?", "ok thanks",
                 "秘密鍵です", "END of story"):
        assert not continues_paste(line + "\n"), line


def test_the_real_chat_on_a_terminal_quits_after_a_paste_without_end(tmp_path: Path) -> None:
    """`certdesk chat` on a pseudo-terminal: paste a block with no END line, type /quit.
    Every read has a deadline; the chat used to wait for END (or Ctrl-D) forever."""
    import pty
    import select
    import time

    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "CERTDESK_OFFLINE": "1"}
    env.pop("CERTDESK_KB", None)
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "chat", "--no-log"], stdin=child,
                            stdout=child, stderr=child, cwd=tmp_path, env=env, close_fds=True)
    os.close(child)
    seen = b""

    def read_until(marker: bytes, deadline: float) -> bool:
        nonlocal seen
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the child closed the terminal
                    return marker in seen
                if not chunk:
                    break
                seen += chunk
        return marker in seen

    try:
        assert read_until(b"> ", time.monotonic() + 120), seen.decode(errors="replace")
        os.write(main, CUT.encode())
        time.sleep(0.5)  # the paste is read and the chat waits for the rest of it
        os.write(main, b"/quit\n")
        assert read_until(b"pem.missing_end", time.monotonic() + 60), seen.decode(errors="replace")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
