"""redact(), has_analysable_content() and hosts_in_text(): the helpers the Desk calls."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from test_analyzers_pki import ec_key, pki

from analyzers import analyze, has_analysable_content, hosts_in_text, redact
from analyzers.objects import colon_hex


def spki_sha256(key: object) -> str:
    from cryptography.hazmat.primitives import hashes

    der = key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    h = hashes.Hash(hashes.SHA256())
    h.update(der)
    return colon_hex(h.finalize())


def key_bodies(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def private_keys() -> list[tuple[str, str, object]]:
    _, _, leaf = pki()
    ec = ec_key("redact")
    enc = serialization.BestAvailableEncryption(b"pw")
    none = serialization.NoEncryption()
    pem = serialization.Encoding.PEM
    fmt = serialization.PrivateFormat
    return [
        ("pkcs8", leaf.key.private_bytes(pem, fmt.PKCS8, none).decode(), leaf.key),
        ("rsa", leaf.key.private_bytes(pem, fmt.TraditionalOpenSSL, none).decode(), leaf.key),
        ("ec", ec.private_bytes(pem, fmt.TraditionalOpenSSL, none).decode(), ec),
        ("openssh", ec.private_bytes(pem, fmt.OpenSSH, none).decode(), ec),
        ("encrypted", leaf.key.private_bytes(pem, fmt.PKCS8, enc).decode(), None),
        ("rsa-encrypted", leaf.key.private_bytes(pem, fmt.TraditionalOpenSSL, enc).decode(),
         None),
    ]


@pytest.mark.parametrize("case", private_keys(), ids=lambda c: c[0])
def test_redact_removes_every_private_key_label(case: tuple[str, str, object]) -> None:
    _, pem, key = case
    _, _, leaf = pki()
    text = f"鍵と証明書です\n{pem}\n{leaf.pem}ありがとう"
    out = redact(text)
    for line in key_bodies(pem):
        assert line not in out
    assert "PRIVATE KEY" not in out
    assert leaf.pem in out and out.startswith("鍵と証明書です") and out.endswith("ありがとう")
    if key is not None:
        assert f"[private key removed: sha256 of public key {spki_sha256(key)}]" in out
        # the same fingerprint the analysis reports, so a log line can be matched up
        assert analyze(text, now=pki()[2].cert.not_valid_before_utc).objects[0] \
            .public_key_sha256 == spki_sha256(key)
    else:
        assert "[private key removed]" in out


def test_redact_without_end_line_removes_to_the_end() -> None:
    _, _, leaf = pki()
    pem = leaf.key_pem
    cut = pem[: len(pem) // 2]
    out = redact("before\n" + cut + "\nand some words after")
    assert out == "before\n[private key removed]"


def test_redact_damaged_boundaries_and_bare_base64_keys() -> None:
    _, _, leaf = pki()
    lines = leaf.key_pem.splitlines()
    damaged = "\n".join(["  －－－－－BEGIN PRIVATE KEY－－－－－", *lines[1:]])
    no_dashes = "\n".join(["BEGIN RSA PRIVATE KEY", *lines[1:3]])
    der = leaf.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    bare = base64.b64encode(der).decode()
    for text in (damaged, no_dashes, "key: " + bare):
        out = redact(text)
        assert "[private key removed" in out
        for line in lines[1:-1]:
            assert line not in out


def test_redact_leaves_ordinary_text_alone() -> None:
    root, _, leaf = pki()
    for text in ("How do I begin with a private key backup?", leaf.pem + root.pem,
                 "秘密鍵(PRIVATE KEY)をバックアップするには?", ""):
        assert redact(text) == text


def test_has_analysable_content() -> None:
    _, _, leaf = pki()
    assert has_analysable_content(leaf.pem)
    assert has_analysable_content("－－－－－ＢＥＧＩＮ CERTIFICATE－－－－－")
    assert has_analysable_content(base64.b64encode(leaf.der).decode())
    for text in ("証明書のインストール方法は?", "SHA-256: " + "AB" * 32,
                 "fingerprint " + "0123456789abcdef" * 8, "--- 以上 ---", ""):
        assert not has_analysable_content(text), text


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("www.example.co.jp用の証明書です", ["www.example.co.jp"]),
        ("https://shop.example.com/cart で警告が出ます", ["shop.example.com"]),
        ("<https://a.example.com|a.example.com> and &lt;b.example.org&gt;",
         ["a.example.com", "b.example.org"]),
        ("server.crt と server.key を IIS に入れました", []),
        ("contact admin@example.com please", []),
        ("IIS 4.0 と ASP.NET を使っています", []),
        ("WWW.EXAMPLE.COM です", ["www.example.com"]),
    ],
)
def test_hosts_in_text(text: str, hosts: list[str]) -> None:
    assert hosts_in_text(text) == hosts


def test_hosts_inside_pem_blocks_are_ignored() -> None:
    _, _, leaf = pki()
    text = "for mail.example.net:\n" + leaf.pem.replace("\nM", "\nwww.inside.example\nM", 1)
    assert hosts_in_text(text) == ["mail.example.net"]
