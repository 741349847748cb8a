"""The scanner's pre-check: every pem.* defect is named precisely, then recovered."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Callable

import pytest
from test_analyzers_pki import NOW, make_csr, pki

from analyzers import Report, analyze

PEM_CODES = {
    "pem.none_found", "pem.leading_whitespace", "pem.trailing_whitespace", "pem.missing_end",
    "pem.label_mismatch", "pem.malformed_boundary", "pem.nonascii", "pem.bad_base64",
    "pem.bad_der", "pem.crlf", "pem.missing_headers", "pem.unknown_label",
}


def leaf_pem() -> str:
    return pki()[2].pem


def pem_codes(r: Report) -> set[str]:
    return {f.code for f in r.findings} & PEM_CODES


def body_lines(pem: str) -> list[str]:
    return pem.strip().splitlines()[1:-1]


def insert(pos: int, s: str) -> Callable[[str], str]:
    return lambda p: p[:pos] + s + p[pos:]


DEFECTS: list[tuple[str, Callable[[str], str], set[str]]] = [
    ("clean", lambda p: p, set()),
    ("crlf", lambda p: p.replace("\n", "\r\n"), {"pem.crlf"}),
    ("indented begin", lambda p: "  " + p, {"pem.leading_whitespace"}),
    ("tab before body", lambda p: p.replace("\nM", "\n\tM", 1), {"pem.leading_whitespace"}),
    ("ideographic space", lambda p: p.replace("\n-----END", "\n\u3000-----END"),
     {"pem.leading_whitespace"}),
    ("trailing spaces", lambda p: p.replace("\n", "  \n"), {"pem.trailing_whitespace"}),
    ("trailing tab on begin", lambda p: p.replace("CERTIFICATE-----\n", "CERTIFICATE-----\t\n", 1),
     {"pem.trailing_whitespace"}),
    ("crlf is not trailing whitespace", lambda p: p.replace("\n", "\r\n"), {"pem.crlf"}),
    ("missing end", lambda p: p.replace("-----END CERTIFICATE-----", ""), {"pem.missing_end"}),
    ("label mismatch", lambda p: p.replace("END CERTIFICATE", "END CERTIFICATE REQUEST"),
     {"pem.label_mismatch"}),
    ("four dashes", lambda p: p.replace("-----", "----"), {"pem.malformed_boundary"}),
    ("six dashes on end", lambda p: p.replace("-----END CERTIFICATE-----", "------END CERTIFICATE------"),
     {"pem.malformed_boundary"}),
    ("full-width dashes", lambda p: p.replace("-----", "－－－－－"), {"pem.malformed_boundary"}),
    ("em dashes", lambda p: p.replace("-----BEGIN", "—————BEGIN"), {"pem.malformed_boundary"}),
    ("en dash", lambda p: p.replace("-----END", "----–END"), {"pem.malformed_boundary"}),
    ("keyword typo", lambda p: p.replace("BEGIN", "BEGN"), {"pem.malformed_boundary"}),
    ("glued keyword", lambda p: p.replace("END CERTIFICATE", "ENDCERTIFICATE"),
     {"pem.malformed_boundary"}),
    ("lower case", lambda p: p.replace("BEGIN CERTIFICATE", "begin certificate"),
     {"pem.malformed_boundary"}),
    ("nbsp in body", lambda p: p.replace("\n", "\u00a0\n", 3)[:0] + insert(80, "\u00a0")(p),
     {"pem.nonascii"}),
    ("zero-width space", insert(100, "\u200b"), {"pem.nonascii"}),
    ("full-width letters", lambda p: p[:90] + p[90:96].translate(
        {c: c + 0xFEE0 for c in range(0x21, 0x7F)}) + p[96:], {"pem.nonascii"}),
    ("bad base64 char", lambda p: p[:100] + "*" + p[101:], {"pem.bad_base64"}),
    # still valid base64, but the DER inside is cut short
    ("lost line", lambda p: p.replace(body_lines(p)[3] + "\n", ""), {"pem.bad_der"}),
    ("lost characters", lambda p: p.replace(body_lines(p)[3], body_lines(p)[3][:-3]),
     {"pem.bad_base64"}),
    ("unknown label", lambda p: p.replace("CERTIFICATE", "SSH2 PUBLIC KEY"),
     {"pem.unknown_label"}),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_format_defect_is_named_exactly(
    name: str, mutate: Callable[[str], str], expected: set[str]
) -> None:
    r = analyze(mutate(leaf_pem()), now=NOW)
    assert pem_codes(r) == expected
    assert r.objects, "the damaged block is still reported"
    for f in r.findings:
        if f.code in expected - {"pem.crlf", "pem.unknown_label"}:
            assert "capi2-80093005-invalid-certificate" in f.faq
            assert f.object == 0


RECOVERABLE = [d for d in DEFECTS if d[2] & {
    "pem.leading_whitespace", "pem.trailing_whitespace", "pem.malformed_boundary",
    "pem.nonascii", "pem.missing_end", "pem.label_mismatch", "pem.crlf"}]


@pytest.mark.parametrize(("name", "mutate", "expected"), RECOVERABLE,
                         ids=[d[0] for d in RECOVERABLE])
def test_recoverable_damage_is_still_analysed(
    name: str, mutate: Callable[[str], str], expected: set[str]
) -> None:
    r = analyze(mutate(leaf_pem()), now=NOW)
    o = r.objects[0]
    assert o.kind == "certificate" and o.subject == "CN=www.example.com"
    assert "chain.incomplete" in {f.code for f in r.findings}


def test_line_numbers_in_messages() -> None:
    pem = leaf_pem().replace("\nM", "\n  M", 1)
    f = next(f for f in analyze("hello\n" + pem, now=NOW).findings
             if f.code == "pem.leading_whitespace")
    assert "3行目" in f.message and "line 3" in f.message_en


def test_blocks_in_chat_with_code_fences_and_slack_escapes() -> None:
    root, inter, leaf = pki()
    text = (f"こんにちは &amp; よろしく。チェーンです:\n```{leaf.pem}{inter.pem}```\n"
            f"ルートはこちら &lt;root&gt;\n```\n{root.pem}```")
    r = analyze(text, now=NOW)
    assert [o.subject for o in r.objects] == [
        "CN=www.example.com", "CN=Test Intermediate CA", "CN=Test Root CA"]
    assert not pem_codes(r)


def test_every_label_people_paste() -> None:
    _, _, leaf = pki()
    body = "\n".join(body_lines(leaf.pem))
    for label in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"):
        r = analyze(f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n", now=NOW)
        assert r.objects[0].kind == "certificate" and not pem_codes(r), label
    csr_body = "\n".join(body_lines(make_csr("a.example.com")))
    for label in ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"):
        r = analyze(f"-----BEGIN {label}-----\n{csr_body}\n-----END {label}-----\n", now=NOW)
        assert r.objects[0].kind == "csr" and not pem_codes(r), label


def test_der_upload_and_bare_base64() -> None:
    _, _, leaf = pki()
    r = analyze(leaf.der, now=NOW, source="leaf.cer")
    assert r.objects[0].kind == "certificate" and r.objects[0].encoding == "der"
    assert not pem_codes(r) and r.source == "leaf.cer"
    bare = base64.b64encode(leaf.der).decode()
    wrapped = "\n".join(bare[i : i + 64] for i in range(0, len(bare), 64))
    for text in (wrapped, "証明書: " + bare + " です", wrapped.encode()):
        r = analyze(text, now=NOW)
        assert pem_codes(r) == {"pem.missing_headers"}
        assert r.objects[0].subject == "CN=www.example.com"


def test_lost_begin_line_is_recovered() -> None:
    pem = "\n".join(leaf_pem().splitlines()[1:])
    r = analyze("ここから\n" + pem, now=NOW)
    assert pem_codes(r) == {"pem.malformed_boundary"}
    assert r.objects[0].kind == "certificate"


def test_pkcs7_bundle_pem_and_der() -> None:
    root, inter, leaf = pki()
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    der = pkcs7.serialize_certificates([leaf.cert, inter.cert], Encoding.DER)
    pem = pkcs7.serialize_certificates([leaf.cert, inter.cert], Encoding.PEM).decode()
    for data in (der, pem):
        r = analyze(data, now=NOW, trust=[root.cert])
        assert [o.kind for o in r.objects] == ["pkcs7", "certificate", "certificate"]
        assert [o.parent for o in r.objects] == [None, 0, 0]
        der_file = {"pem.der_file"} if isinstance(data, bytes) else set()
        assert {f.code for f in r.findings} == {"pkcs7.found", "chain.trusted", *der_file}


def test_bad_der_and_nothing_found() -> None:
    junk = base64.encodebytes(b"\x30\x03\x02\x01\x05" * 40).decode()
    r = analyze(f"-----BEGIN CERTIFICATE-----\n{junk}-----END CERTIFICATE-----\n", now=NOW)
    assert pem_codes(r) == {"pem.bad_der"}
    for nothing in ("", "証明書のインストール方法は?", b"", bytes(range(256)) * 4):
        r = analyze(nothing, now=NOW)
        assert [f.code for f in r.findings] == ["pem.none_found"] and not r.objects
    r = analyze(b"\x30\x82\x01\x00" + b"\x00" * 40, now=NOW)
    assert pem_codes(r) == {"pem.bad_der"}


def test_utf16_and_shift_jis_files() -> None:
    text = "証明書です\r\n" + leaf_pem()
    for data in (text.encode("utf-16"), text.encode("cp932"), text.encode("utf-8-sig")):
        r = analyze(data, now=NOW)
        assert r.objects[0].kind == "certificate"


def test_openssl_text_output_around_pem() -> None:
    text = subprocess.run(["openssl", "x509", "-text"], input=leaf_pem().encode(),
                          capture_output=True, check=False).stdout
    if not text:
        pytest.skip("needs the openssl command")
    r = analyze(text, now=NOW)
    assert [o.kind for o in r.objects] == ["certificate"] and not pem_codes(r)


def test_csr_under_certificate_label_is_named() -> None:
    csr = make_csr("www.example.com").replace("CERTIFICATE REQUEST", "CERTIFICATE")
    r = analyze(csr, now=NOW)
    f = next(f for f in r.findings if f.code == "pem.bad_der")
    assert "CSR" in f.message and "CSR" in f.message_en


def test_quoted_block_in_chat() -> None:
    quoted = "\n".join("> " + line for line in leaf_pem().splitlines())
    for text in (quoted, quoted.replace(">", "&gt;")):
        r = analyze("前に送った証明書:\n" + text, now=NOW)
        assert r.objects[0].kind == "certificate" and not pem_codes(r)


def test_two_blocks_glued_on_one_line() -> None:
    root, inter, leaf = pki()
    glued = leaf.pem.rstrip("\n") + inter.pem  # `cat` of a file with no final newline
    r = analyze(glued, now=NOW, trust=[root.cert])
    assert [o.kind for o in r.objects] == ["certificate", "certificate"]
    # OpenSSL reads only the first block of such a file: an error, both still analysed
    assert {f.code for f in r.findings} == {"chain.trusted", "pem.glued_boundary"}
