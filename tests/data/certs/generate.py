#!/usr/bin/env python
"""Generate the golden certificate corpus: fixtures plus cases.toml.

Run:  .venv/bin/python tests/data/certs/generate.py

It builds a private PKI (root CA -> intermediate -> leaf) with `cryptography`, a few
deliberately bad certificates (SHA-1/MD5 via the `openssl` command line), CSRs, keys,
bundles and damaged pastes, and writes each case's input next to this script. All
validity dates are fixed relative to the pinned clock NOW, so the expected codes never
drift. Keys are random, so re-running changes bytes but not the expected findings; the
committed files are the golden fixtures. The case list itself is in corpus_cases.py.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.verification import PolicyBuilder, Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pki import (
    AIA_INT,
    AIA_ROOT,
    Issuer,
    PrivateKey,
    build_cert,
    build_csr,
    day,
    name,
    openssl_sign,
    openssl_trusted,
    pem,
    rsa_key,
)

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)  # the pinned clock of every case
OUT = Path(__file__).resolve().parent
LEAF_SANS = ["www.example.jp", "example.jp"]
SUBJECT_JA = {"st": "Tokyo", "l": "Chiyoda-ku"}


@dataclass
class Pki:
    """Everything the cases are built from. Names are the fixture file stems."""

    keys: dict[str, PrivateKey] = field(default_factory=dict)
    certs: dict[str, x509.Certificate] = field(default_factory=dict)
    csrs: dict[str, x509.CertificateSigningRequest] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)  # ready-made PEM text


def _leaf(p: Pki, stem: str, issuer: Issuer, *, key: PrivateKey | None = None,
          cn: str = "www.example.jp", sans: list[str] | None = LEAF_SANS,
          nb: dt.datetime | None = None, na: dt.datetime | None = None,
          serial: int = 0x1000, o: str = "Sample Corporation") -> x509.Certificate:
    key = key or rsa_key()
    nb, na = nb or day(2026, 1, 1), na or day(2027, 1, 1)
    cert = build_cert(name(cn, o, **SUBJECT_JA), key.public_key(), issuer, issuer.key, nb, na,
                      serial, sans=sans, aia=AIA_INT, ocsp=True)
    p.keys[stem], p.certs[stem] = key, cert
    return cert


def build_pki() -> Pki:
    p = Pki()
    root_key, int_key = rsa_key(), rsa_key()
    root = build_cert(name("certdesk Test Root CA"), root_key.public_key(), None, root_key,
                      day(2020, 1, 1), day(2045, 1, 1), 0x01, ca=True)
    root_i = Issuer(root_key, root)
    inter = build_cert(name("certdesk Test Intermediate CA"), int_key.public_key(), root_i,
                       root_key, day(2021, 1, 1), day(2036, 1, 1), 0x02, ca=True,
                       aia=AIA_ROOT, ocsp=True)
    int_i = Issuer(int_key, inter)
    p.keys.update(root=root_key, int=int_key)
    p.certs.update(root=root, int=inter)
    # Same subject as the real intermediate, different key: "the wrong intermediate".
    evil_key = rsa_key()
    p.keys["int_evil"] = evil_key
    p.certs["int_evil"] = build_cert(
        name("certdesk Test Intermediate CA"), evil_key.public_key(), root_i, root_key,
        day(2021, 1, 1), day(2036, 1, 1), 0x03, ca=True, aia=AIA_ROOT)
    # An unrelated hierarchy for "another site's certificate".
    other_root_key = rsa_key()
    other_root = build_cert(name("Other Root CA", "Other Trust K.K."),
                            other_root_key.public_key(), None, other_root_key,
                            day(2020, 1, 1), day(2045, 1, 1), 0x11, ca=True)
    p.keys["other_root"], p.certs["other_root"] = other_root_key, other_root
    _leaf(p, "other_leaf", Issuer(other_root_key, other_root), cn="www.other.example",
          sans=["www.other.example"], serial=0x1100, o="Other Site Inc.")

    _leaf(p, "leaf", int_i)
    _leaf(p, "leaf2", int_i, cn="mail.example.jp", sans=["mail.example.jp"], serial=0x1001)
    _leaf(p, "leaf_ec", int_i, key=ec.generate_private_key(ec.SECP256R1()), serial=0x1002)
    _leaf(p, "leaf_wildcard", int_i, cn="*.example.jp", sans=["*.example.jp"], serial=0x1003)
    _leaf(p, "leaf_expired", int_i, nb=day(2025, 3, 1), na=day(2026, 3, 1), serial=0x1010)
    _leaf(p, "leaf_not_yet_valid", int_i, nb=day(2026, 7, 1), na=day(2027, 7, 1),
          serial=0x1011)
    _leaf(p, "leaf_expiring_10d", int_i, nb=day(2025, 6, 11), na=NOW + dt.timedelta(days=10),
          serial=0x1012)
    _leaf(p, "leaf_expiring_30d", int_i, nb=day(2025, 7, 1), na=NOW + dt.timedelta(days=30),
          serial=0x1013)
    _leaf(p, "leaf_60d_left", int_i, nb=day(2025, 8, 1), na=NOW + dt.timedelta(days=60),
          serial=0x1014)
    _leaf(p, "leaf_rsa1024", int_i, key=rsa_key(1024), serial=0x1020)
    _leaf(p, "leaf_p192", int_i, key=ec.generate_private_key(ec.SECP192R1()), serial=0x1021)
    _leaf(p, "leaf_dsa", int_i, key=dsa.generate_private_key(2048), serial=0x1022)
    _leaf(p, "leaf_no_san", int_i, sans=None, serial=0x1030)

    # A self-signed end-entity certificate (BasicConstraints CA:FALSE, with SAN).
    ss_key = rsa_key()
    p.keys["leaf_self_signed"] = ss_key
    p.certs["leaf_self_signed"] = build_cert(
        name("www.example.jp", "Sample Corporation", **SUBJECT_JA), ss_key.public_key(), None,
        ss_key, day(2026, 1, 1), day(2027, 1, 1), 0x1040, sans=LEAF_SANS)

    # SHA-1 / MD5: cryptography refuses to sign these, `openssl ca` does not.
    leaf_ext = ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,"
                "keyEncipherment\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=DNS:www.example.jp,DNS:example.jp\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                f"authorityInfoAccess=caIssuers;URI:{AIA_INT}\n")
    for md in ("sha1", "md5"):
        k = rsa_key()
        csr = build_csr(name("www.example.jp", "Sample Corporation"), k)
        p.keys[f"leaf_{md}"] = k
        p.certs[f"leaf_{md}"] = openssl_sign(csr, int_i, None, md, day(2026, 1, 1),
                                             day(2027, 1, 1), leaf_ext)
    # A SHA-1 self-signed root: weak_signature must NOT fire on self-signed certificates.
    k = rsa_key()
    p.keys["root_sha1"] = k
    p.certs["root_sha1"] = openssl_sign(
        build_csr(name("Legacy SHA1 Root CA"), k), None, k, "sha1", day(2010, 1, 1),
        day(2035, 1, 1), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,"
        "cRLSign\nsubjectKeyIdentifier=hash\n")

    # CSRs: the leaf's own, another key's, and subjects with forbidden characters.
    p.csrs["leaf"] = build_csr(name("www.example.jp", "Sample Corporation", **SUBJECT_JA),
                               p.keys["leaf"], LEAF_SANS)
    p.csrs["other"] = build_csr(name("www.example.jp", "Sample Corporation", **SUBJECT_JA),
                                rsa_key(), LEAF_SANS)
    p.csrs["ec"] = build_csr(name("shop.example.jp", "Sample Co., Ltd.", **SUBJECT_JA),
                             ec.generate_private_key(ec.SECP256R1()))
    p.csrs["ampersand"] = build_csr(name("www.example.jp", "Sample & Co.", **SUBJECT_JA),
                                    rsa_key())
    p.csrs["japanese_org"] = build_csr(name("www.example.jp", "株式会社サンプル", **SUBJECT_JA),
                                       rsa_key())
    p.csrs["ou_slash"] = build_csr(name("www.example.jp", "Sample Corporation", ou="IT/Security",
                                        **SUBJECT_JA), rsa_key())
    p.csrs["cn_email_symbols"] = build_csr(
        name("*.example.jp", "Sample Corporation", email="admin@example.jp", **SUBJECT_JA),
        rsa_key())
    p.csrs["rsa1024"] = build_csr(name("www.example.jp", "Sample Corporation", **SUBJECT_JA),
                                  rsa_key(1024))

    # A CRL from the intermediate, and OpenSSL's TRUSTED CERTIFICATE form of the leaf.
    crl = (x509.CertificateRevocationListBuilder()
           .issuer_name(inter.subject).last_update(day(2026, 5, 25))
           .next_update(day(2026, 6, 8))
           .add_revoked_certificate(x509.RevokedCertificateBuilder()
                                    .serial_number(0x1010).revocation_date(day(2026, 2, 1))
                                    .build())
           .sign(int_key, hashes.SHA256()))
    p.extra["crl"] = pem(crl)
    p.extra["crl_der"] = crl.public_bytes(serialization.Encoding.DER).hex()
    p.extra["trusted_leaf"] = openssl_trusted(p.certs["leaf"])
    return p


def broken_csr_signature(csr: x509.CertificateSigningRequest) -> bytes:
    """DER of the CSR with the last byte of its signature flipped: the structure still
    parses, the self-signature no longer verifies."""
    der = bytearray(csr.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    return bytes(der)


def self_check(p: Pki) -> None:
    """Fail generation if the fixtures do not mean what the cases claim."""
    root, inter, leaf = p.certs["root"], p.certs["int"], p.certs["leaf"]
    verifier = (PolicyBuilder().store(Store([root])).time(NOW)
                .build_server_verifier(x509.DNSName("www.example.jp")))
    chain = verifier.verify(leaf, [inter])
    assert [c.subject for c in chain] == [leaf.subject, inter.subject, root.subject]
    leaf.verify_directly_issued_by(inter)
    evil = p.certs["int_evil"]
    assert evil.subject == inter.subject
    try:
        leaf.verify_directly_issued_by(evil)
    except Exception:  # InvalidSignature: that is the point of this fixture
        pass
    else:
        raise AssertionError("int_evil must not verify the leaf")
    for md, algo in (("sha1", hashes.SHA1), ("md5", hashes.MD5)):
        assert isinstance(p.certs[f"leaf_{md}"].signature_hash_algorithm, algo)
        inter.public_key().verify(  # type: ignore[call-arg,union-attr]
            p.certs[f"leaf_{md}"].signature, p.certs[f"leaf_{md}"].tbs_certificate_bytes,
            padding.PKCS1v15(), algo())  # type: ignore[arg-type]
    assert p.csrs["leaf"].is_signature_valid
    bad = x509.load_der_x509_csr(broken_csr_signature(p.csrs["leaf"]))
    assert not bad.is_signature_valid
    assert p.certs["leaf_expiring_30d"].not_valid_after_utc - NOW == dt.timedelta(days=30)


def main(argv: list[str]) -> int:
    """`generate.py [--out DIR]`: DIR defaults to this folder (the committed corpus);
    the test suite regenerates into a temporary folder to check the two agree."""
    from corpus_cases import build_cases, write_corpus

    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    pki = build_pki()
    self_check(pki)
    shared, cases = build_cases(pki, broken_csr_signature, pkcs7.serialize_certificates)
    write_corpus(out, shared, cases)
    print(f"wrote {len(cases)} cases to {out / 'cases.toml'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
