"""No certificate field, file name or stored question can drive the operator's terminal:
the real CLI, run as a person runs it (subprocesses, a real SQLite file), never prints a
raw ESC, C0/C1 control or bidi override, in any human-readable output or on stderr.
`--json` stays valid JSON that still carries the exact text.

Before: `check` printed subject, issuer, SAN and AIA raw, and `report unanswered`,
`escalations` and `escalation show` printed stored questions raw: OSC 52 wrote the
clipboard, ESC [2J cleared the screen, U+202E reversed what the lead read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from analyzers import analyze, render_report
from analyzers.text import escape_controls
from bot.store import Store

CLEAR = "\x1b[2J"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"  # "write 'evil' to the clipboard"
ASCII_EVIL = CLEAR + OSC52 + "\x1b[8m"
EVIL = ASCII_EVIL + "\u202eevil\u2066\x9b31m\x85\x7f\rend"  # names may hold any of these
# Nothing of this may reach a terminal raw (a CR is allowed only in CRLF).
RAW = re.compile("\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f"
                 "\u202a-\u202e\u2066-\u2069]")


def assert_clean(text: str, what: str) -> None:
    found = RAW.search(text)
    assert found is None, f"{what}: raw {found.group()!r} at {found.start()}: " \
                          f"{text[max(found.start() - 40, 0):found.start() + 20]!r}"


def certdesk(*args: str, env: dict[str, str], stdin: str | None = None,
             cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONIOENCODING": "utf-8", "CERTDESK_OFFLINE": "1", **env}
    full.pop("CERTDESK_KB", None)
    r = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                       text=True, encoding="utf-8", cwd=cwd, env=full, timeout=120)
    assert_clean(r.stdout, f"stdout of {args}")
    assert_clean(r.stderr, f"stderr of {args}")
    return r


def evil_certificate() -> bytes:
    """A real self-signed certificate whose CN, O, SAN and AIA carry terminal escapes."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cn" + EVIL),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "o" + EVIL)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    aia = x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                 x509.UniformResourceIdentifier("http://ca.example/" + ASCII_EVIL))
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(7)
        .not_valid_before(start).not_valid_after(start + timedelta(days=365))
        # IA5String fields are ASCII: the escapes themselves are
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("a" + ASCII_EVIL + ".example")]),
                       critical=False)
        .add_extension(x509.AuthorityInformationAccess([aia]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def test_the_certificate_really_carries_the_escapes() -> None:
    report = analyze(evil_certificate(), now=datetime(2026, 6, 1, tzinfo=UTC))
    o = report.objects[0]
    assert o.subject is not None and "\x1b]52" in o.subject and "\u202e" in o.subject
    assert any(CLEAR in s for s in o.sans) and any(OSC52 in u for u in o.aia_ca_issuers)


def test_check_prints_no_raw_control_in_any_field(workdir: Path) -> None:
    path = workdir / f"site{CLEAR}\u202e.pem"  # the file name too
    path.write_bytes(evil_certificate())
    for lang in ("ja", "en"):
        r = certdesk("check", "--lang", lang, "--now", "2026-06-01T00:00:00Z", str(path),
                     env={}, cwd=workdir)
        assert r.returncode == 0, r.stderr
        assert "\\x1b[2J" in r.stdout and "\\x1b]52" in r.stdout and "\\u202e" in r.stdout
        assert r.stdout.count("\\x1b[2J") >= 4  # subject, issuer, SAN, AIA
    missing = certdesk("check", str(workdir / f"gone{CLEAR}.pem"), env={}, cwd=workdir)
    assert missing.returncode == 2 and "gone\\x1b[2J" in missing.stderr


def test_check_json_stays_valid_and_exact(workdir: Path) -> None:
    path = workdir / "evil.pem"
    path.write_bytes(evil_certificate())
    r = certdesk("check", "--json", "--now", "2026-06-01T00:00:00Z", str(path), env={},
                 cwd=workdir)
    obj = json.loads(r.stdout)["objects"][0]
    assert "\u202e" in obj["subject"] and OSC52.replace(";", "\\;") in obj["subject"]


def test_a_coloured_report_has_only_its_own_colours() -> None:
    report = analyze(evil_certificate(), now=datetime(2026, 6, 1, tzinfo=UTC))
    text = render_report(report, "en", color=True)
    own = re.compile(r"\x1b\[(?:1;31|33|36|0)m")
    assert own.search(text)  # the colours are there
    assert_clean(own.sub("", text), "coloured report")


def _stored_question(url: str) -> int:
    """A question holding the escapes, unanswered and escalated, as the Desk stores it."""
    store = Store(url)
    store.upgrade()
    now = datetime.now(UTC)
    conv = store.conversation(transport="slack", channel="C" + EVIL, thread="1.2",
                              user="U" + EVIL, now=now)
    mid = store.log_in(conv, user="U" + EVIL, text="料金は?" + EVIL, now=now, lang="ja")
    store.record_match(mid, entry_id=None, score=0.1, decision="none", lang="ja")
    case = store.open_escalation(mid, reason="no_answer", now=now)
    store.resolve(case.id, user="lead" + EVIL, answer="請求書で" + EVIL, now=now,
                  add_to_faq=True)
    mid2 = store.log_in(conv, user="U", text="支払いは?" + EVIL, now=now, lang="ja")
    store.record_match(mid2, entry_id=None, score=0.1, decision="none", lang="ja")
    open_case = store.open_escalation(mid2, reason="asked_human", now=now)
    store.dispose()
    return open_case.id


def test_reports_and_escalations_print_stored_questions_escaped(workdir: Path) -> None:
    url = f"sqlite:///{workdir / 'evil.db'}"
    case = _stored_question(url)
    env = {"DATABASE_URL": url}
    table = certdesk("report", "unanswered", env=env, cwd=workdir)
    assert table.returncode == 0 and "\\x1b]52" in table.stdout
    rows = list(csv.reader(io.StringIO(certdesk("report", "unanswered", "--csv", env=env,
                                                cwd=workdir).stdout)))
    assert any("\\x1b[2J" in cell for row in rows for cell in row)
    as_json = json.loads(certdesk("report", "unanswered", "--json", env=env, cwd=workdir).stdout)
    assert any(EVIL in g["question"] for g in as_json["groups"])
    assert certdesk("report", "stats", env=env, cwd=workdir).returncode == 0
    listing = certdesk("escalations", env=env, cwd=workdir)
    assert "\\u202e" in listing.stdout
    shown = certdesk("escalation", "show", str(case), env=env, cwd=workdir)
    assert "支払いは?\\x1b[2J" in shown.stdout and "\\u202e" in shown.stdout
    detail = json.loads(certdesk("escalation", "show", str(case), "--json", env=env,
                                 cwd=workdir).stdout)
    assert detail["question"].endswith(EVIL)
    export = certdesk("kb", "export", env=env, cwd=workdir)
    learned = tomllib.loads(export.stdout)["entry"][0]
    assert learned["answer_ja"].startswith("請求書で\x1b[2J")  # valid TOML, same text


def test_ask_and_chat_replies_are_escaped(workdir: Path) -> None:
    ask = certdesk("ask", "秘密鍵を消してしまいました" + EVIL, env={}, cwd=workdir)
    assert ask.returncode == 0
    pem = evil_certificate().decode()
    chat = certdesk("chat", "--no-log", stdin=f"これを確認して{EVIL}\n{pem}\n/quit\n", env={},
                    cwd=workdir)
    assert chat.returncode == 0 and "\\x1b]52" in chat.stdout  # the subject, escaped


def test_escape_controls_keeps_text_and_layout() -> None:
    assert escape_controls("日本語\ttab\nline\r\n") == "日本語\ttab\nline\r\n"
    assert escape_controls(EVIL) == ("\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\\x1b[8m\\u202eevil\\u2066"
                                     "\\x9b31m\\x85\\x7f\\x0dend")
    text = json.dumps({"q": EVIL}, ensure_ascii=False)
    assert json.loads(escape_controls(text, json=True)) == {"q": EVIL}
    assert_clean(escape_controls(text, json=True), "json form")
