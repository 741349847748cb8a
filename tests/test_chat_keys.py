"""Every form of private key piped through `certdesk chat` (a subprocess with a real
SQLite file): each paste is one message, flagged, and its key material is nowhere:
not in the output, the database file, `report unanswered` or `escalations`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from keyforms import certificate_pem, forms, split_key
from test_desk_keys import everything_stored

from bot.messages import t

pytestmark = pytest.mark.slow

FORMS = forms()
WARNINGS = (t("private_key", "ja"), t("private_key", "en"))


def certdesk(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
           "PYTHONIOENCODING": "utf-8", "CERTDESK_OFFLINE": "1"}
    env.pop("CERTDESK_KB", None)
    r = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                       text=True, cwd=tmp_path, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def piped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """All forms in one piped session, each asked for a person and thanked for."""
    tmp = tmp_path_factory.mktemp("chat_keys")
    parts, _ = split_key(3)
    lines = []
    for form in FORMS:
        lines += ["担当者につないでください", form.text.rstrip("\n"), "", "ありがとう"]
    lines += [parts[0], "続きです", parts[1], "続きです", parts[2], certificate_pem()]
    stdin = "\n".join(lines) + "\n"
    r = certdesk(tmp, "chat", "--user", "piper", stdin=stdin)
    return tmp, r.stdout + r.stderr, stdin


def secrets_in(text: str) -> list[str]:
    _, split_secrets = split_key(3)
    found = [s for f in FORMS for s in f.secrets if s in text]
    return found + [s for s in split_secrets if s in text]


def test_each_paste_is_one_flagged_message(piped: tuple[Path, str, str]) -> None:
    tmp, out, _ = piped
    con = sqlite3.connect(tmp / "chat.db")
    texts = [r[0] for r in con.execute(
        "select text from messages where direction = 'in' order by id")]
    con.close()
    marked = [x for x in texts if "[private key removed" in x]
    # every form is one message; the split key is three (the middle one held)
    assert len(marked) == len(FORMS) + 3
    # the rest: the two lines around each form, the two "続きです" and the certificate
    assert len(texts) <= len(marked) + 2 * len(FORMS) + 3 + 4
    assert sum(out.count(w) for w in WARNINGS) == len(FORMS) + 3


def test_no_key_material_anywhere(piped: tuple[Path, str, str]) -> None:
    tmp, out, stdin = piped
    assert secrets_in(stdin)  # the input holds them
    assert secrets_in(out) == []
    assert secrets_in(everything_stored(tmp / "chat.db")) == []
    for args in (["report", "unanswered"], ["report", "unanswered", "--csv"],
                 ["report", "unanswered", "--json"], ["escalations"],
                 ["escalations", "--json"]):
        shown = certdesk(tmp, *args).stdout
        assert secrets_in(shown) == [], args
    assert "担当者につないでください" in certdesk(tmp, "escalations").stdout


def test_the_certificate_after_the_keys_is_analysed(piped: tuple[Path, str, str]) -> None:
    tmp, _, _ = piped
    con = sqlite3.connect(tmp / "chat.db")
    n = con.execute("select sum(certificates) from analyses").fetchone()[0]
    con.close()
    assert n and n >= 1  # the certificate pasted after the last part of the key
