"""The finding registry agrees with DESIGN.md, links real FAQ ids, and the package is light."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_analyzers_pki import NOW, pki

from analyzers import REGISTRY, Finding, analyze
from analyzers.findings import FAQ_IDS

DESIGN = Path(__file__).resolve().parents[2] / "shared" / "DESIGN.md"
ROW = re.compile(r"^\|\s*([a-z0-9_.]+(?:\s*/\s*[a-z0-9_.]+)*)\s*\|\s*([a-z /]+?)\s*\|")


def design_table() -> dict[str, str]:
    """code -> severity from the "Finding codes" table; "a / b | x / y" rows split in two."""
    text = DESIGN.read_text(encoding="utf-8")
    # "### Finding codes" and "### Finding codes to add ..." read as one table
    sections = [part.split("\n#", 1)[0] for part in text.split("### Finding codes")[1:]]
    table: dict[str, str] = {}
    for line in "\n".join(sections).splitlines():
        m = ROW.match(line)
        if not m or m.group(1) == "code" or "." not in m.group(1):
            continue
        codes = [c.strip() for c in m.group(1).split("/")]
        sevs = [s.strip() for s in m.group(2).split("/")]
        if len(sevs) == 1:
            sevs *= len(codes)
        table.update(zip(codes, sevs, strict=True))
    return table


@pytest.mark.skipif(not DESIGN.exists(), reason="../shared/DESIGN.md is not next to the repo")
def test_registry_matches_design_table() -> None:
    table = design_table()
    assert len(table) >= 47
    assert {c: i.severity for c, i in REGISTRY.items()} == table


def test_every_code_has_texts_and_known_faq_links() -> None:
    for code, info in REGISTRY.items():
        assert info.code == code
        assert info.description_ja and info.description_en
        assert all(f in FAQ_IDS for f in info.faq), code
        assert info.faq or code == "pem.crlf", f"{code} links no FAQ entry"
    assert len(FAQ_IDS) == 22 and len(set(FAQ_IDS)) == 22


def test_faq_links_named_in_the_brief() -> None:
    def faq(code: str) -> tuple[str, ...]:
        return REGISTRY[code].faq

    for code in ("pem.leading_whitespace", "pem.trailing_whitespace", "pem.malformed_boundary",
                 "pem.bad_base64", "pem.nonascii", "pem.missing_end", "pem.label_mismatch"):
        assert {"capi2-80093005-invalid-certificate",
                "capi2-80093009-certificate-invalid"} <= set(faq(code))
    assert "browser-untrusted-warning" in faq("chain.incomplete")
    assert "bad-digital-signature" in faq("chain.bad_signature")
    assert "does-not-match-certificate-requested" in faq("csr.found")
    assert "does-not-match-certificate-requested" in faq("match.key_mismatch")
    assert "improperly-formatted-der-message" in faq("csr.invalid_characters")
    assert "wrong-site-certificate" in faq("cert.hostname_mismatch")


def test_findings_take_severity_and_faq_from_the_registry() -> None:
    root, _inter, leaf = pki()
    r = analyze(leaf.pem + leaf.key_pem + "  " + root.pem, now=NOW)
    assert r.findings
    for f in r.findings:
        assert isinstance(f, Finding)
        assert f.severity == REGISTRY[f.code].severity and f.faq == REGISTRY[f.code].faq
        assert f.message and f.message_en and f.message != f.message_en


def test_json_shape_is_the_design_contract() -> None:
    _root, inter, leaf = pki()
    d = json.loads(json.dumps(analyze(leaf.pem + inter.pem, now=NOW, source="x.pem").to_dict()))
    assert set(d) == {"source", "objects", "findings"} and d["source"] == "x.pem"
    o = d["objects"][0]
    for key in ("index", "kind", "subject", "issuer", "serial", "not_before", "not_after",
                "days_left", "sans", "key_type", "key_size", "signature_algorithm", "sha256",
                "is_ca", "self_signed", "aia_ca_issuers", "ocsp"):
        assert key in o, key
    assert o["index"] == 0 and o["kind"] == "certificate" and o["sans"] == [
        "www.example.com", "example.com"]
    f = d["findings"][0]
    assert set(f) == {"code", "severity", "object", "message", "message_en", "faq"}
    assert isinstance(f["faq"], list)


def test_import_stays_light() -> None:
    code = (
        "import sys, analyzers\n"
        "heavy = [m for m in ('fugashi', 'slack_bolt', 'slack_sdk', 'sqlalchemy', 'certifi',"
        " 'bot', 'knowledge') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == ""
