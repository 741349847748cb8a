"""Per-object findings: validity, strength, SAN, host names, CSRs, keys and matching."""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec
from cryptography.x509.oid import NameOID
from test_analyzers_pki import NOW, make_cert, make_csr, pki, rsa_key

from analyzers import analyze
from analyzers.checks import host_matches


def codes(data: str | bytes, **kw: object) -> set[str]:
    return {f.code for f in analyze(data, now=NOW, **kw).findings}  # type: ignore[arg-type]


def leaf_with(**kw: object) -> str:
    _, inter, _ = pki()
    return make_cert("site.example.com", issuer=inter, **kw).pem  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("days_left", "expected", "absent"),
    [
        (-1, "cert.expired", {"cert.expiring_soon", "cert.not_yet_valid"}),
        (10, "cert.expiring_soon", {"cert.expired"}),
        (30, "cert.expiring_soon", {"cert.expired"}),
        (45, None, {"cert.expiring_soon", "cert.expired", "cert.not_yet_valid"}),
    ],
)
def test_validity_against_the_pinned_clock(
    days_left: int, expected: str | None, absent: set[str]
) -> None:
    found = codes(leaf_with(not_before=NOW - timedelta(days=300),
                            not_after=NOW + timedelta(days=days_left)))
    if expected:
        assert expected in found
    assert not found & absent


def test_not_yet_valid() -> None:
    found = codes(leaf_with(not_before=NOW + timedelta(days=2)))
    assert "cert.not_yet_valid" in found and "cert.expired" not in found


def test_expired_message_and_report_details() -> None:
    r = analyze(leaf_with(not_after=NOW - timedelta(days=3)), now=NOW)
    o = r.objects[0]
    assert o.days_left == -3 and o.not_after is not None and o.not_after.endswith("Z")
    f = next(f for f in r.findings if f.code == "cert.expired")
    assert "有効期限" in f.message and "expired" in f.message_en


def test_weak_rsa_dsa_and_ec_keys() -> None:
    _, inter, _ = pki()
    weak = make_cert("weak.example.com", issuer=inter, key=rsa_key("weak", 1024))
    assert "cert.weak_key" in codes(weak.pem)
    strong = make_cert("ec.example.com", issuer=inter, key=ec.generate_private_key(ec.SECP256R1()))
    assert "cert.weak_key" not in codes(strong.pem)
    small_ec = make_cert("ec192.example.com", issuer=inter,
                         key=ec.generate_private_key(ec.SECP192R1()))
    assert "cert.weak_key" in codes(small_ec.pem)
    r = analyze(small_ec.pem, now=NOW)
    assert r.objects[0].key_type == "EC" and r.objects[0].key_size == 192


def test_dsa_key_is_weak() -> None:
    _, inter, _ = pki()
    key = dsa.generate_private_key(2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dsa.example.com")]))
        .issuer_name(inter.cert.subject)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=90))
        .sign(inter.key, hashes.SHA256())
    )
    assert "cert.weak_key" in codes(cert.public_bytes(serialization.Encoding.PEM).decode())


def test_no_san_on_end_entity_only() -> None:
    assert "cert.no_san" in codes(leaf_with(sans=()))
    root, inter, _ = pki()
    assert "cert.no_san" not in codes(inter.pem + root.pem)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_sha1_signature_made_with_openssl(tmp_path: Path) -> None:
    root, inter, _ = pki()
    (tmp_path / "ca.key").write_text(inter.key_pem)
    (tmp_path / "ca.pem").write_text(inter.pem)
    (tmp_path / "leaf.csr").write_text(make_csr("sha1.example.com"))
    (tmp_path / "ext").write_text("subjectAltName=DNS:sha1.example.com\n")
    subprocess.run(
        ["openssl", "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-set_serial", "5", "-days", "30", "-sha1", "-extfile", "ext", "-out", "leaf.pem"],
        cwd=tmp_path, check=True, capture_output=True,
    )
    r = analyze((tmp_path / "leaf.pem").read_text() + inter.pem, now=NOW,
                trust=[root.cert])
    found = {f.code for f in r.findings}
    assert "cert.weak_signature" in found
    assert "chain.trusted" not in found  # the verifier rejects SHA-1, as browsers do
    assert r.objects[0].signature_algorithm == "sha1WithRSAEncryption"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_sha1_self_signed_root_is_not_a_weak_signature(tmp_path: Path) -> None:
    # nobody verifies a root's own signature, so SHA-1 there is not reported
    (tmp_path / "k.pem").write_text(rsa_key("sha1root").private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode())
    subprocess.run(
        ["openssl", "req", "-x509", "-new", "-key", "k.pem", "-sha1", "-days", "3650",
         "-subj", "/CN=Old SHA1 Root", "-out", "root.pem"],
        cwd=tmp_path, check=True, capture_output=True,
    )
    r = analyze((tmp_path / "root.pem").read_bytes(), now=NOW)
    assert r.objects[0].self_signed and r.objects[0].is_ca
    assert "cert.weak_signature" not in {f.code for f in r.findings}


@pytest.mark.parametrize(
    ("host", "sans", "ok"),
    [
        ("www.example.com", ("www.example.com",), True),
        ("WWW.Example.COM.", ("www.example.com",), True),
        ("a.example.com", ("*.example.com",), True),
        ("a.b.example.com", ("*.example.com",), False),
        ("example.com", ("*.example.com",), False),
        ("192.0.2.1", ("192.0.2.1",), True),
        ("192.0.2.2", ("192.0.2.1",), False),
        ("例え.jp", ("xn--r8jz45g.jp",), True),
    ],
)
def test_host_matching(host: str, sans: tuple[str, ...], ok: bool) -> None:
    assert host_matches(host, sans) is ok


def test_hostname_mismatch_from_option_and_from_message_text() -> None:
    _, _, leaf = pki()
    assert "cert.hostname_mismatch" in codes(leaf.pem, host="shop.example.org")
    assert "cert.hostname_mismatch" not in codes(leaf.pem, host="example.com")
    said = "shop.example.org用の証明書です。\n" + leaf.pem
    r = analyze(said, now=NOW)
    f = next(f for f in r.findings if f.code == "cert.hostname_mismatch")
    assert "shop.example.org" in f.message and f.object == 0
    # a host in the text that the certificate covers is fine; files carry no message
    assert "cert.hostname_mismatch" not in codes("www.example.comの証明書\n" + leaf.pem)
    assert "cert.hostname_mismatch" not in codes(said.encode())


def test_csr_found_and_clean() -> None:
    found = codes(make_csr("www.example.com", o="Example Inc."))
    assert found == {"csr.found"}


@pytest.mark.parametrize("org", ["Foo & Bar", "A/B", "株式会社サンプル", "Foo (Japan)"])
def test_csr_invalid_characters(org: str) -> None:
    r = analyze(make_csr("www.example.com", o=org), now=NOW)
    f = next(f for f in r.findings if f.code == "csr.invalid_characters")
    assert "improperly-formatted-der-message" in f.faq


def test_csr_common_name_may_hold_a_wildcard() -> None:
    assert "csr.invalid_characters" not in codes(make_csr("*.example.com"))


def test_csr_bad_signature_and_weak_key() -> None:
    pem = make_csr("tamper.example.com")
    der = bytearray(x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0xFF  # inside the signature
    body = base64.encodebytes(bytes(der)).decode()
    tampered = f"-----BEGIN CERTIFICATE REQUEST-----\n{body}-----END CERTIFICATE REQUEST-----\n"
    assert "csr.bad_signature" in codes(tampered)
    assert "csr.weak_key" in codes(make_csr("weak.example.com", key=rsa_key("weakcsr", 1024)))


def test_private_key_is_reported_and_never_echoed() -> None:
    _, _, leaf = pki()
    r = analyze(leaf.key_pem, now=NOW)
    assert {f.code for f in r.findings} == {"key.private_key"}
    assert r.private_key_found and r.has_errors
    dumped = str(r.to_dict())
    body_line = leaf.key_pem.splitlines()[3]
    assert body_line not in dumped
    assert r.objects[0].public_key_sha256 is not None


def test_encrypted_private_key_is_a_warning() -> None:
    _, _, leaf = pki()
    pem = leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    r = analyze(pem, now=NOW)
    assert {f.code for f in r.findings} == {"key.encrypted_private_key"}
    assert r.private_key_found and r.objects[0].encrypted


def test_matching_certificate_with_key_csr_and_public_key() -> None:
    _, _, leaf = pki()
    pub = leaf.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    same_csr = make_csr("www.example.com", key=leaf.key)  # type: ignore[arg-type]
    other_csr = make_csr("www.example.com", key=rsa_key("someone else"))
    assert "match.key_match" in codes(leaf.pem + leaf.key_pem)
    assert "match.key_match" in codes(pub + leaf.pem)
    assert "match.key_match" in codes(same_csr + leaf.pem)
    mismatch = analyze(other_csr + leaf.pem, now=NOW)
    f = next(f for f in mismatch.findings if f.code == "match.key_mismatch")
    assert f.object == 0 and "does-not-match-certificate-requested" in f.faq
    assert "match.key_match" not in {f.code for f in mismatch.findings}


def test_pfx_upload_is_a_private_key_with_its_certificates() -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    _, inter, leaf = pki()
    for encryption, code in ((serialization.BestAvailableEncryption(b"pw"),
                              "key.encrypted_private_key"),
                             (serialization.NoEncryption(), "key.private_key")):
        pfx = pkcs12.serialize_key_and_certificates(
            b"site", leaf.key, leaf.cert, [inter.cert], encryption)
        r = analyze(pfx, now=NOW, source="site.pfx")
        assert r.objects[0].kind == "private_key" and r.objects[0].label == "PKCS12"
        assert code in {f.code for f in r.findings}
        if code == "key.private_key":  # readable: its certificates are analysed too
            assert [o.kind for o in r.objects[1:]] == ["certificate", "certificate"]
            assert "match.key_match" in {f.code for f in r.findings}
