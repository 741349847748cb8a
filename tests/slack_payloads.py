"""Adversarial inputs for the Slack adapter, of the kinds real users send: many pasted
certificates, a large CA bundle, answers near or past Slack's 3,000-character section
limit full of characters that grow when escaped, and very long questions.

Certificates are real (made with `cryptography`), each with findings of its own
(expired, self-signed, no SAN, unrelated to the others), so a report of N of them has
many findings to lose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@lru_cache(maxsize=1)
def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def cert_pem(i: int, *, sans: int = 25) -> str:
    """A self-signed end-entity certificate: long names, many SANs, every third one
    expired, every fifth one without SANs."""
    key = _key()
    cn = f"host-{i:04d}-" + "x" * 40 + ".example.jp"
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example & <Sons> K.K."),
        ]
    )
    expired = i % 3 == 0
    start = NOW - timedelta(days=400 if expired else 10)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1000 + i)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if i % 5 != 0:
        names = [x509.DNSName(f"san{j}-{i}.example.jp") for j in range(sans)]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def bundle(n: int) -> str:
    return "".join(cert_pem(i) for i in range(n))


def escaping_answer(size: int = 2_990) -> str:
    """A learned answer just under 3,000 characters that grows past it when escaped,
    with a link and paragraph breaks."""
    unit = "Use a <VirtualHost> & check R&D's <config> > file. "
    text = "See https://example.com/a?b=1&c=2 first.\n\n"
    while len(text) < size:
        text += unit
        if len(text) % 700 < len(unit):
            text += "\n\n"
    return text[:size].rstrip() + " End of the answer."


def long_question(size: int = 3_000) -> str:
    unit = "証明書 <chain> & 中間証明書が見つからないと言われます。"
    return (unit * (size // len(unit) + 1))[:size]
