"""Issue 11: chains and pastes people really have (one test per numbered defect)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from test_analyzers_pki import NOW, make_cert, name, pki, rsa_key

from analyzers import analyze
from analyzers.removed import parse_table, removed_roots

REAL = Path(__file__).parent / "data" / "certs" / "real"


def codes(r: object) -> set[str]:
    return {f.code for f in r.findings}  # type: ignore[attr-defined]


def _root(cn: str, key: rsa.RSAPrivateKey, *, key_usage: bool = True,
          issuer: tuple[x509.Name, rsa.RSAPrivateKey] | None = None) -> x509.Certificate:
    subject = name(cn)
    iname, ikey = issuer if issuer else (subject, key)
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(iname)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(NOW - timedelta(days=400)).not_valid_after(NOW + timedelta(days=900))
         .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False))
    if key_usage:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                          False), critical=True)
    return b.sign(ikey, hashes.SHA256())


def _pem(c: x509.Certificate) -> str:
    return c.public_bytes(serialization.Encoding.PEM).decode()


# 1. the Let's Encrypt chain 2021-2024: R3, ISRG Root X1 cross-signed by DST Root CA X3
def test_lets_encrypt_cross_signed_chain_is_trusted() -> None:
    data = (REAL / "le_r3_cross_signed.pem").read_bytes()
    r = analyze(data, now=datetime(2022, 11, 1, tzinfo=UTC))
    assert {"chain.trusted", "chain.cross_signed"} <= codes(r)
    assert "chain.incomplete" not in codes(r)
    certs = x509.load_pem_x509_certificates(data)
    p7 = pkcs7.serialize_certificates(certs, serialization.Encoding.DER)
    r = analyze(p7, now=datetime(2022, 11, 1, tzinfo=UTC))
    assert {"chain.trusted", "chain.cross_signed", "pkcs7.found"} <= codes(r)


def test_generated_cross_sign_of_a_trusted_root() -> None:
    new_key, old_key = rsa_key("xs-new"), rsa_key("xs-old")
    new_root = _root("New Root", new_key)
    old_root = _root("Old Root", old_key)
    cross = _root("New Root", new_key, issuer=(old_root.subject, old_key))
    inter_key = rsa_key("xs-int")
    inter = _root("Issuing CA", inter_key, issuer=(new_root.subject, new_key))
    from test_analyzers_pki import Issued
    leaf = make_cert("www.example.com", issuer=Issued(inter, inter_key))
    r = analyze(leaf.pem + _pem(inter) + _pem(cross), now=NOW, trust=[new_root])
    assert {"chain.trusted", "chain.cross_signed"} <= codes(r)
    assert not codes(r) & {"chain.incomplete", "chain.unrelated", "chain.untrusted_root"}


# 2. prose that quotes the boundary lines is not a certificate
def test_prose_quoting_boundary_lines_is_no_object() -> None:
    for text in ("My file starts with -----BEGIN CERTIFICATE----- and ends with -----END "
                 "CERTIFICATE----- but IIS says 80093009",
                 "-----BEGIN CERTIFICATE----- で始まり -----END CERTIFICATE----- で終わる部分を"
                 "すべて貼り付けてください"):
        r = analyze(text, now=NOW)
        assert not r.objects and "pem.bad_base64" not in codes(r)


# 3. --trust with a private root that has no keyUsage (openssl req -x509, OpenSSL 3)
def test_private_root_without_key_usage_is_trusted() -> None:
    key = rsa_key("no-ku")
    root = _root("My Private CA", key, key_usage=False)
    from test_analyzers_pki import Issued
    leaf = make_cert("intra.example.com", issuer=Issued(root, key))
    r = analyze(leaf.pem, now=NOW, trust=[root])
    assert "chain.trusted" in codes(r)


# 4 and 8: damage OpenSSL refuses, and wrappings (see also test_openssl_damage.py)
def test_damage_and_wrappings_are_reported_and_recovered() -> None:
    _r, _inter, leaf = pki()
    lines = leaf.pem.strip().split("\n")
    cases = {
        "pem.blank_line": "\n".join([*lines[:4], "", *lines[4:]]),
        "pem.joined_lines": " ".join(lines),
        "pem.cr_only": "\r".join(lines) + "\r",
        "pem.glued_boundary": leaf.pem.strip() + leaf.pem,
        "pem.quoted": '"' + leaf.pem.strip() + '"',
    }
    for code, text in cases.items():
        r = analyze(text, now=NOW)
        assert code in codes(r) and r.objects[0].kind == "certificate", code
    assert "pem.crlf" not in codes(analyze(cases["pem.cr_only"], now=NOW))
    for data in (leaf.pem.encode("utf-16"), leaf.pem.encode("utf-16-le"),
                 b"\xfe\xff" + leaf.pem.encode("utf-16-be")):
        r = analyze(data, now=NOW)
        assert "pem.utf16" in codes(r) and r.objects[0].kind == "certificate"
    for text in (json.dumps({"cert": leaf.pem}), "cert: \"" + leaf.pem.replace("\n", "\\n")
                 + "\"", "\n".join("> > " + line for line in lines)):
        r = analyze(text, now=NOW)
        assert "pem.quoted" in codes(r) and "pem.bad_base64" not in codes(r)
        assert r.objects[0].kind == "certificate"


# 5. one undecodable extension costs one finding
def test_one_bad_extension_keeps_the_others() -> None:
    key = rsa_key("bad-ext")
    bad = x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.32"), b"\x30\x03\x02\x01")
    cert = (x509.CertificateBuilder().subject_name(name("Broken Policies Root"))
            .issuer_name(name("Broken Policies Root")).public_key(key.public_key())
            .serial_number(7).not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=300))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(bad, critical=False).sign(key, hashes.SHA256()))
    r = analyze(_pem(cert), now=NOW)
    assert "cert.unparsed_extension" in codes(r)
    assert r.objects[0].is_ca is True
    assert not codes(r) & {"cert.self_signed", "cert.no_san"}


# 6. two intermediates with the same key (the DST- and ISRG-signed X3)
def test_two_intermediates_with_the_same_key_are_not_unrelated() -> None:
    root, inter, leaf = pki()
    other_key = rsa_key("x3-other-root")
    other_root = _root("Other Root", other_key)
    inter_key = inter.key
    twin = (x509.CertificateBuilder().subject_name(inter.cert.subject)
            .issuer_name(other_root.subject).public_key(inter_key.public_key())
            .serial_number(99).not_valid_before(NOW - timedelta(days=10))
            .not_valid_after(NOW + timedelta(days=300))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(other_key, hashes.SHA256()))
    r = analyze(leaf.pem + inter.pem + _pem(twin), now=NOW, trust=[root.cert])
    assert "chain.unrelated" not in codes(r) and "chain.trusted" in codes(r)


# 7. a self-signed CA that cannot be the chain's root
def test_self_signed_ca_that_cannot_be_the_root_is_unrelated() -> None:
    _r, inter, leaf = pki()
    other = _root("Unrelated Root", rsa_key("unrel"))
    r = analyze(leaf.pem + inter.pem + _pem(other), now=NOW)
    assert "chain.unrelated" in codes(r) and "chain.root_included" not in codes(r)


# 9. an RSA key cryptography will not load still gets cert.weak_key
def test_weak_key_read_from_the_der() -> None:
    from analyzers.extensions import key_size_from_der
    _r, _inter, leaf = pki()
    assert key_size_from_der(leaf.der) == ("RSA", 2048)


# 10. PKCS#12 pasted as base64 or uploaded; DER file; OCSP; PKCS#7 under CERTIFICATE
def test_containers() -> None:
    _r, inter, leaf = pki()
    pfx = pkcs12.serialize_key_and_certificates(
        b"x", leaf.key, leaf.cert, [inter.cert], serialization.NoEncryption())
    for data in (pfx, base64.encodebytes(pfx).decode()):
        r = analyze(data, now=NOW)
        assert "pkcs12.found" in codes(r) and "pem.missing_headers" not in codes(r)
        assert all("BEGIN PRIVATE KEY" not in f.message_en for f in r.findings)
    r = analyze(leaf.der, now=NOW)
    assert "pem.der_file" in codes(r)
    p7 = pkcs7.serialize_certificates([leaf.cert, inter.cert], serialization.Encoding.DER)
    body = base64.encodebytes(p7).decode()
    r = analyze(f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n", now=NOW)
    assert "pkcs7.found" in codes(r)
    assert [o.kind for o in r.objects] == ["pkcs7", "certificate", "certificate"]


# 11. a bounded host name mismatch message
def test_hostname_mismatch_message_is_bounded() -> None:
    key = rsa_key("many-sans")
    sans = [x509.DNSName(f"h{i}.example.com") for i in range(2000)]
    cert = (x509.CertificateBuilder().subject_name(name("h0.example.com"))
            .issuer_name(name("h0.example.com")).public_key(key.public_key()).serial_number(3)
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .sign(key, hashes.SHA256()))
    r = analyze(_pem(cert), now=NOW, host="other.example.org")
    f = next(f for f in r.findings if f.code == "cert.hostname_mismatch")
    assert len(f.message_en) < 600 and "1995 more" in f.message_en


# 12. roots removed from Mozilla's store
def test_removed_roots_table_parses_and_is_used() -> None:
    table = removed_roots()
    assert len(table.by_fingerprint) > 20
    dst = [r for r in table.by_fingerprint.values() if "DST Root CA X3" in r.name]
    assert dst and dst[0].removed_on >= "2021"
    assert parse_table("sha256,name,subject_der,ski,not_after,last_release,removed_in,"
                       "removed_on\n").by_fingerprint == {}
    # the real R3 chain without its cross-sign, checked after DST Root CA X3 left the store
    certs = x509.load_pem_x509_certificates((REAL / "le_r3_cross_signed.pem").read_bytes())
    cross = _pem(certs[2])
    r = analyze(cross, now=datetime(2022, 11, 1, tzinfo=UTC))
    # the cross-sign alone is a cross-sign of a trusted root, not a removed-root problem
    assert "chain.cross_signed" in codes(r)
    digicert = [r for r in table.by_fingerprint.values()
                if r.name.startswith("CN=DigiCert Global Root CA,")]
    if digicert:  # removed in certifi 2026: a chain issued by it says so
        key = rsa_key("digicert-like")
        sub = (x509.CertificateBuilder().subject_name(name("Some Issuing CA"))
               .issuer_name(x509.Name.from_rfc4514_string(digicert[0].name))
               .public_key(key.public_key()).serial_number(5)
               .not_valid_before(NOW - timedelta(days=10))
               .not_valid_after(NOW + timedelta(days=300))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .sign(key, hashes.SHA256()))
        r = analyze(_pem(sub), now=NOW)
        assert "chain.root_removed" in codes(r) and "chain.incomplete" not in codes(r)


# 13. messages
def test_messages() -> None:
    _r, _inter, leaf = pki()
    bare = "".join(leaf.pem.strip().split("\n")[1:-1])
    r = analyze(bare, now=NOW)
    f = next(f for f in r.findings if f.code == "pem.missing_headers")
    assert "certificate" not in f.message
    pem = leaf.pem[:200] + "\ufeff" + leaf.pem[200:]
    f = next(f for f in analyze(pem, now=NOW).findings if f.code == "pem.nonascii")
    assert "BOM" in f.message and "byte-order mark" in f.message_en
    assert "full-width" not in f.message_en
    key = rsa_key("edell")
    v1 = (x509.CertificateBuilder().subject_name(name("eDellRoot"))
          .issuer_name(name("eDellRoot")).public_key(key.public_key()).serial_number(9)
          .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=900))
          .sign(key, hashes.SHA256()))
    r = analyze(_pem(v1), now=NOW)
    assert not codes(r) & {"cert.self_signed", "cert.no_san"}
    assert "chain.untrusted_root" in codes(r)


# real chains from public test corpora (tests/data/README.md)
def test_comodo_chain_through_addtrust_is_trusted() -> None:
    data = (REAL / "badssl_comodo_addtrust.pem").read_bytes()
    r = analyze(data, now=datetime(2015, 6, 1, tzinfo=UTC))
    assert {"chain.trusted", "chain.cross_signed"} <= codes(r)
    assert "chain.incomplete" not in codes(r)


def test_edellroot_is_judged_as_a_root() -> None:
    r = analyze((REAL / "badssl_edellroot_ca.pem").read_bytes(),
                now=datetime(2018, 6, 1, tzinfo=UTC))
    assert not codes(r) & {"cert.self_signed", "cert.no_san"}
    assert {"chain.root_included", "chain.untrusted_root"} <= codes(r)


def test_digicert_global_root_ca_chain_says_what_the_store_says() -> None:
    from analyzers.trust import mozilla_roots

    data = (REAL / "badssl_digicert_rsa2048.pem").read_bytes()
    certs = x509.load_pem_x509_certificates(data)
    r = analyze(data, now=datetime(2020, 4, 1, tzinfo=UTC))
    assert "chain.incomplete" not in codes(r)
    in_store = any(mozilla_roots().issuers_of(certs[-1]))
    assert ("chain.trusted" if in_store else "chain.root_removed") in codes(r)
    if not in_store:
        f = next(f for f in r.findings if f.code == "chain.root_removed")
        assert "DigiCert Global Root CA" in f.message_en and "20" in f.message_en


def test_lets_encrypt_chain_as_s_client_showcerts_output() -> None:
    data = (REAL / "le_r3_cross_signed.pem").read_text()
    blocks = [b + "-----END CERTIFICATE-----\n" for b in data.split("-----END CERTIFICATE-----\n")
              if b.strip()]
    out = "CONNECTED(00000003)\n---\nCertificate chain\n"
    for i, block in enumerate(blocks):
        out += f" {i} s:CN = subject {i}\n   i:CN = issuer {i}\n" + block
    out += "---\nServer certificate\nsubject=CN = *.s2.eu.hivemq.cloud\n---\nVerification: OK\n"
    r = analyze(out, now=datetime(2022, 11, 1, tzinfo=UTC))
    assert {"chain.trusted", "chain.cross_signed"} <= codes(r)
    assert not {c for c in codes(r) if c.startswith("pem.")}


def test_twin_intermediate_signed_by_a_removed_root_first() -> None:
    # the DST-signed X3 first, the ISRG-signed X3 second: the second leads to trust
    root, inter, leaf = pki()
    old_key = rsa_key("twin-old-root")
    old_root = _root("Old Removed Root", old_key)
    twin = (x509.CertificateBuilder().subject_name(inter.cert.subject)
            .issuer_name(old_root.subject).public_key(inter.key.public_key())
            .serial_number(98).not_valid_before(NOW - timedelta(days=10))
            .not_valid_after(NOW + timedelta(days=300))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(old_key, hashes.SHA256()))
    r = analyze(leaf.pem + _pem(twin) + inter.pem, now=NOW, trust=[root.cert])
    assert "chain.trusted" in codes(r)
    assert not codes(r) & {"chain.unrelated", "chain.incomplete", "chain.root_removed"}


def test_self_issued_certificate_with_a_broken_signature() -> None:
    key = rsa_key("broken-self-sig")
    cert = (x509.CertificateBuilder().subject_name(name("www.example.com"))
            .issuer_name(name("www.example.com")).public_key(key.public_key())
            .serial_number(11).not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("www.example.com")]),
                           critical=False).sign(key, hashes.SHA256()))
    der = bytearray(cert.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 1
    r = analyze(bytes(der), now=NOW)
    assert "chain.bad_signature" in codes(r) and "chain.incomplete" not in codes(r)


def test_a_foreign_root_after_a_lone_leaf_is_unrelated_but_its_own_root_is_included() -> None:
    root, _inter, leaf = pki()
    other = x509.Name([x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, "Someone Else"),
                       x509.NameAttribute(x509.NameOID.COMMON_NAME, "Foreign Root")])
    foreign = (x509.CertificateBuilder().subject_name(other).issuer_name(other)
               .public_key(rsa_key("foreign").public_key()).serial_number(4)
               .not_valid_before(NOW - timedelta(days=1))
               .not_valid_after(NOW + timedelta(days=400))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .sign(rsa_key("foreign"), hashes.SHA256()))
    r = analyze(leaf.pem + _pem(foreign), now=NOW)
    assert "chain.unrelated" in codes(r) and "chain.root_included" not in codes(r)
    r = analyze(leaf.pem + root.pem, now=NOW)  # the chain's own root, intermediate missing
    assert {"chain.incomplete", "chain.root_included"} <= codes(r)


def test_the_faq_answers_that_quote_boundary_lines_hold_no_certificate() -> None:
    import tomllib

    faq = tomllib.loads((Path(__file__).parents[1] / "knowledge" / "faq.toml").read_text())
    quoted = [v for e in faq["entry"] for v in e.values()
              if isinstance(v, str) and "-----BEGIN CERTIFICATE-----" in v]
    assert quoted
    for text in quoted:
        r = analyze(text, now=NOW)
        assert not r.objects and "pem.bad_base64" not in codes(r)
