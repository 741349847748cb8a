"""The golden certificate corpus (tests/data/certs, made by generate.py) against analyze().

Each case lists the codes it must raise and the codes it must not; the clock is pinned
to the corpus's NOW, so the expectations never drift. The same cases also go through
`certdesk check --json` once per (host, trust) group, because that is the contract
users and scripts see.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from analyzer_checks import NOW, analyze_quietly, assert_well_formed
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from analyzers import REGISTRY, Report, redact, render_report

ROOT = Path(__file__).resolve().parent.parent
CERTS = ROOT / "tests" / "data" / "certs"
CASES: list[dict[str, Any]] = tomllib.loads((CERTS / "cases.toml").read_text("utf-8"))["case"]
BY_NAME = {c["name"]: c for c in CASES}


def case_bytes(case: dict[str, Any]) -> bytes:
    files = [case["file"]] if "file" in case else case["files"]
    return b"".join((CERTS / f).read_bytes() for f in files)


def case_input(case: dict[str, Any]) -> str | bytes:
    raw = case_bytes(case)
    return raw.decode("utf-8") if case["input"] == "text" else raw


def case_trust(case: dict[str, Any]) -> list[x509.Certificate]:
    if "trust" not in case:
        return []
    return x509.load_pem_x509_certificates((CERTS / case["trust"]).read_bytes())


@cache
def report_for(name: str) -> Report:
    case = BY_NAME[name]
    return analyze_quietly(case_input(case), now=NOW, host=case.get("host"),
                           trust=case_trust(case), source=name)


def _describe(report: Report) -> str:
    return "\n".join(f"  {f.severity:7} {f.code} obj={f.object}: {f.message_en}"
                     for f in report.findings) or "  (no findings)"


def check_expectations(case: dict[str, Any], codes: list[str], kinds: list[str],
                       messages: dict[str, list[str]]) -> list[str]:
    """Every way `codes`/`kinds` disagree with the case; empty when it passes."""
    problems = []
    missing = [c for c in case["must"] if c not in codes]
    if missing:
        problems.append(f"missing {missing}")
    forbidden = sorted(set(case["must_not"]) & set(codes))
    if forbidden:
        problems.append(f"must not raise {forbidden}")
    if "kinds" in case and kinds != case["kinds"]:
        problems.append(f"kinds {kinds} != {case['kinds']}")
    if "kinds_include" in case:
        have = Counter(kinds)
        if any(have[k] < n for k, n in Counter(case["kinds_include"]).items()):
            problems.append(f"kinds {kinds} lack {case['kinds_include']}")
    for code, text in case.get("mention", {}).items():
        if not any(text in m for m in messages.get(code, [])):
            problems.append(f"{code} message does not mention {text!r}")
    return problems


@pytest.mark.parametrize("name", list(BY_NAME))
def test_case_codes(name: str) -> None:
    case, report = BY_NAME[name], report_for(name)
    messages: dict[str, list[str]] = {}
    for f in report.findings:
        messages.setdefault(f.code, []).append(f"{f.message}\n{f.message_en}")
    problems = check_expectations(case, list(report.codes), [o.kind for o in report.objects],
                                  messages)
    assert not problems, (f"{name} ({case['note']}): " + "; ".join(problems)
                          + "\n" + _describe(report))


@pytest.mark.parametrize("name", list(BY_NAME))
def test_report_well_formed(name: str) -> None:
    assert_well_formed(report_for(name), source=name)


def test_committed_corpus_matches_the_generator(tmp_path: Path) -> None:
    """cases.toml is generated, not edited: regenerating gives the same cases (keys are
    random, so the fixture bytes differ, but names, inputs and expectations do not)."""
    proc = subprocess.run([sys.executable, str(CERTS / "generate.py"), "--out", str(tmp_path)],
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    fresh = tomllib.loads((tmp_path / "cases.toml").read_text("utf-8"))["case"]
    assert fresh == CASES
    for case in fresh:
        for f in [case["file"]] if "file" in case else case["files"]:
            assert (CERTS / f).is_file(), f"{f} is in cases.toml but not committed"


def test_corpus_covers_every_code() -> None:
    must = {c for case in CASES for c in case["must"]}
    named = must | {c for case in CASES for c in case["must_not"]}
    assert named <= set(REGISTRY), f"unknown codes in cases.toml: {named - set(REGISTRY)}"
    assert set(REGISTRY) <= must, f"codes no case must raise: {set(REGISTRY) - must}"


# ---- private keys: reported, never echoed ---------------------------------------------

KEY_CASES = [c["name"] for c in CASES if b"PRIVATE KEY-----" in case_bytes(c)]


def key_blocks(text: str) -> Iterator[tuple[str, list[str]]]:
    """(whole block, base64 body lines) of each private-key block in `text`."""
    lines = text.splitlines(keepends=True)
    start = None
    for i, line in enumerate(lines):
        if "-----BEGIN" in line and "PRIVATE KEY" in line:
            start = i
        elif start is not None and "-----END" in line:
            body = [s.strip() for s in lines[start + 1:i] if s.strip() and ":" not in s]
            yield "".join(lines[start:i + 1]), body
            start = None


def test_key_cases_exist() -> None:
    assert len(KEY_CASES) >= 8, KEY_CASES


@pytest.mark.parametrize("name", KEY_CASES)
def test_private_key_never_echoed(name: str) -> None:
    text = case_bytes(BY_NAME[name]).decode("utf-8")
    report = report_for(name)
    shown = {
        "json": json.dumps(report.to_dict(), ensure_ascii=False),
        "ja": render_report(report, "ja"),
        "en": render_report(report, "en"),
        "redact": redact(text),
    }
    blocks = list(key_blocks(text))
    assert blocks
    for _, body in blocks:
        for line in body:
            needle = line[:40]  # a prefix of each body line is already key material
            if len(needle) < 16:
                continue
            for where, out in shown.items():
                assert needle not in out, f"key body line echoed in {where}"
    assert "PRIVATE KEY-----" not in shown["redact"]


@pytest.mark.parametrize("name", KEY_CASES)
def test_redact_keeps_the_rest_and_names_the_key(name: str) -> None:
    text = case_bytes(BY_NAME[name]).decode("utf-8")
    redacted = redact(text)
    rest = text
    for block, _ in key_blocks(text):
        rest = rest.replace(block, "\x00")
        if "ENCRYPTED" in block:
            continue  # the public key cannot be derived without the pass phrase
        key = serialization.load_pem_private_key(block.encode(), None)
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        digest = hashlib.sha256(spki).digest()
        flat = redacted.replace(":", "").lower()
        assert (digest.hex() in flat or base64.b64encode(digest).decode() in redacted
                or base64.urlsafe_b64encode(digest).decode().rstrip("=") in redacted), (
            "the redaction marker should carry the public key's SHA-256 fingerprint")
    for piece in rest.split("\x00"):
        assert piece.strip() in redacted, "text outside the key block must survive redact()"


def test_redact_leaves_text_without_keys_alone() -> None:
    for name in ("leaf_clean", "chat_text_around", "csr_clean", "match_cert_pubkey"):
        text = case_bytes(BY_NAME[name]).decode("utf-8")
        assert redact(text) == text, name


# ---- the same corpus through `certdesk check --json` -------------------------------------

def test_check_cli_agrees(tmp_path: Path) -> None:
    groups: dict[tuple[str | None, str | None], list[dict[str, Any]]] = {}
    for case in CASES:
        groups.setdefault((case.get("host"), case.get("trust")), []).append(case)
    failures = []
    for (host, trust), cases in groups.items():
        paths = []
        for case in cases:
            p = tmp_path / f"{case['name']}.input"
            p.write_bytes(case_bytes(case))
            paths.append(str(p))
        cmd = [sys.executable, "-m", "bot", "check", "--json", "--now", "2026-06-01T00:00:00Z"]
        cmd += ["--host", host] if host else []
        cmd += ["--trust", str(CERTS / trust)] if trust else []
        proc = subprocess.run([*cmd, *paths], cwd=ROOT, capture_output=True, timeout=300)
        lines = proc.stdout.decode("utf-8").splitlines()
        assert len(lines) == len(cases), proc.stderr.decode()[-2000:]
        any_error = False
        for case, line, path in zip(cases, lines, paths, strict=True):
            d = json.loads(line)
            assert d["source"] == path
            codes = [f["code"] for f in d["findings"]]
            any_error |= any(f["severity"] == "error" for f in d["findings"])
            messages: dict[str, list[str]] = {}
            for f in d["findings"]:
                messages.setdefault(f["code"], []).append(f["message"] + f["message_en"])
            problems = check_expectations(case, codes, [o["kind"] for o in d["objects"]],
                                          messages)
            if problems:
                failures.append(f"{case['name']}: {'; '.join(problems)}")
        assert proc.returncode == (1 if any_error else 0), (host, trust, proc.returncode)
    assert not failures, "\n".join(failures)
