"""Copy/paste damage against the real `openssl`: whenever OpenSSL 3 refuses a damaged
file, certdesk must say so with at least one error-severity pem.* finding (or, for a
block inside quotes or a string, pem.quoted). A generated matrix of damage kinds x
certificates; OpenSSL is the oracle, so a damage kind it accepts asserts nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from test_analyzers_pki import NOW, ec_key, make_cert, pki

from analyzers import analyze

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


def _lines(pem: str) -> list[str]:
    return pem.strip("\n").split("\n")


def _mid(pem: str, insert: str) -> str:
    ls = _lines(pem)
    return "\n".join([*ls[:4], insert, *ls[4:]]) + "\n"


Damage = Callable[[str, str], str | bytes]
DAMAGE: dict[str, Damage] = {
    "blank_line_in_body": lambda p, o: _mid(p, ""),
    "blank_line_before_end": lambda p, o: "\n".join([*_lines(p)[:-1], "", _lines(p)[-1]]) + "\n",
    "lines_joined_by_spaces": lambda p, o: " ".join(_lines(p)) + "\n",
    "body_on_begin_line": lambda p, o: _lines(p)[0] + "".join(_lines(p)[1:-1]) + "\n"
    + _lines(p)[-1] + "\n",
    "cr_only": lambda p, o: p.replace("\n", "\r"),
    "utf16_le_bom": lambda p, o: p.encode("utf-16"),
    "utf16_be_bom": lambda p, o: b"\xfe\xff" + p.encode("utf-16-be"),
    "utf16_le_no_bom": lambda p, o: p.encode("utf-16-le"),
    "glued_boundary": lambda p, o: o.strip("\n") + p,
    "double_quoted": lambda p, o: '"' + p.strip("\n") + '"\n',
    "json_string": lambda p, o: json.dumps({"certificate": p}) + "\n",
    "email_quoted_twice": lambda p, o: "\n".join("> > " + line for line in _lines(p)) + "\n",
    "leading_spaces": lambda p, o: "\n".join("  " + line for line in _lines(p)) + "\n",
    "trailing_tab_on_begin": lambda p, o: p.replace("-----\n", "-----\t\n", 1),
    "four_dashes": lambda p, o: p.replace("-----BEGIN", "----BEGIN"),
    "en_dashes": lambda p, o: p.replace("-----END", "\u2013\u2013\u2013\u2013\u2013END"),
    "nbsp_in_body": lambda p, o: _mid(p, "\u00a0" + _lines(p)[4])[:0] + p.replace(
        _lines(p)[3], _lines(p)[3][:10] + "\u00a0" + _lines(p)[3][10:]),
    "fullwidth_letter": lambda p, o: p.replace(_lines(p)[3], "\uff2d" + _lines(p)[3][1:]),
    "zero_width_space": lambda p, o: p.replace(_lines(p)[5], _lines(p)[5] + "\u200b"),
    "bom_in_the_middle": lambda p, o: p.replace(_lines(p)[5], "\ufeff" + _lines(p)[5]),
    "missing_end": lambda p, o: "\n".join(_lines(p)[:-1]) + "\n",
    "label_mismatch": lambda p, o: p.replace("END CERTIFICATE", "END X509 CRL"),
    "lost_line": lambda p, o: "\n".join([*_lines(p)[:3], *_lines(p)[4:]]) + "\n",
    "begin_keyword_typo": lambda p, o: p.replace("BEGIN", "BEGN"),
    "text_before_begin": lambda p, o: "cert: " + p,
    "text_after_end": lambda p, o: p.rstrip("\n") + " thanks\n",
    "html_br_tags": lambda p, o: p.replace("\n", "<br>\n"),
    "all_newlines_lost": lambda p, o: p.replace("\n", ""),
    "lowercase_keyword": lambda p, o: p.replace("BEGIN CERTIFICATE", "begin certificate"),
    "end_without_dashes": lambda p, o: p.replace("END CERTIFICATE-----", "END CERTIFICATE"),
    "double_escaped_json": lambda p, o: json.dumps(json.dumps({"c": p})) + "\n",
}

# What the issue reports OpenSSL 3 refusing (the oracle must agree, or the damage is wrong).
MUST_BE_REFUSED = frozenset({
    "blank_line_in_body", "blank_line_before_end", "lines_joined_by_spaces", "cr_only",
    "utf16_le_bom", "utf16_be_bom", "utf16_le_no_bom", "double_quoted", "json_string",
    "email_quoted_twice"})


def _certificates() -> list[tuple[str, str, str]]:
    root, inter, leaf = pki()
    ec_leaf = make_cert("ec.example.com", key=ec_key("damage-ec"), issuer=inter)
    return [("leaf", leaf.pem, inter.pem), ("intermediate", inter.pem, root.pem),
            ("ec_leaf", ec_leaf.pem, leaf.pem)]


def _openssl_accepts(path: Path) -> bool:
    assert OPENSSL is not None
    r = subprocess.run([OPENSSL, "x509", "-in", str(path), "-noout"], capture_output=True,
                       check=False)
    return r.returncode == 0


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_what_openssl_refuses_is_never_silent(damage: str, tmp_path: Path) -> None:
    refused = 0
    for stem, pem, other in _certificates():
        data = DAMAGE[damage](pem, other)
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        path = tmp_path / f"{stem}.pem"
        path.write_bytes(raw)
        if _openssl_accepts(path):
            continue
        refused += 1
        for given in (raw, raw.decode("utf-8")) if not isinstance(data, bytes) else (raw,):
            r = analyze(given, now=NOW, source=str(path))
            pem_codes = {(f.code, f.severity) for f in r.findings if f.code.startswith("pem.")}
            loud = {c for c, sev in pem_codes if sev == "error"} or (
                {"pem.quoted"} & {c for c, _ in pem_codes})
            assert loud, (damage, stem, type(given).__name__, sorted(pem_codes))
    if damage in MUST_BE_REFUSED:  # the damage kinds the issue names as refused
        assert refused, f"OpenSSL accepted every {damage} file: the damage kind is wrong"


def test_the_matrix_covers_the_issue() -> None:
    assert set(DAMAGE) >= MUST_BE_REFUSED and "glued_boundary" in DAMAGE
