"""A tiny in-test PKI for the analyzer tests (imported by the other test_analyzers_* files).

Keys are generated once per session (RSA generation is the slow part); certificates
are cheap to make per test. The clock is pinned at NOW.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@cache
def rsa_key(tag: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@cache
def ec_key(tag: str) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def name(cn: str, **extra: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if "o" in extra:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra["o"]))
    return x509.Name(attrs)


@dataclass
class Issued:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> str:
        return self.cert.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def key_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


def make_cert(
    cn: str,
    *,
    issuer: Issued | None = None,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
    ca: bool = False,
    sans: tuple[str, ...] | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    aia: str | None = None,
    serial: int | None = None,
) -> Issued:
    key = key or rsa_key(cn)
    nb = not_before or NOW - timedelta(days=30)
    na = not_after or NOW + timedelta(days=365)
    subject = name(cn)
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else subject
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(nb)
        .not_valid_after(na)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    )
    signer_pub = (issuer.key if issuer else key).public_key()
    b = b.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_pub), critical=False
    )
    if ca:
        b = b.add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    else:
        if sans is None:
            sans = (cn,)
        b = b.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    if sans:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False
        )
    if aia:
        b = b.add_extension(
            x509.AuthorityInformationAccess([
                x509.AccessDescription(
                    x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                    x509.UniformResourceIdentifier(aia),
                ),
            ]),
            critical=False,
        )
    return Issued(b.sign(signer_key, hashes.SHA256()), key)


@cache
def pki() -> tuple[Issued, Issued, Issued]:
    """root -> intermediate -> leaf (www.example.com)."""
    root = make_cert("Test Root CA", ca=True, not_after=NOW + timedelta(days=3650))
    inter = make_cert("Test Intermediate CA", issuer=root, ca=True,
                      aia="http://ca.example.net/root.crt")
    leaf = make_cert("www.example.com", issuer=inter, sans=("www.example.com", "example.com"),
                     aia="http://ca.example.net/inter.crt")
    return root, inter, leaf


def make_csr(cn: str, key: rsa.RSAPrivateKey | None = None, **attrs: str) -> str:
    key = key or rsa_key(cn)
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if "o" in attrs:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, attrs["o"]))
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(parts))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def test_pki_chain_links() -> None:
    root, inter, leaf = pki()
    leaf.cert.verify_directly_issued_by(inter.cert)
    inter.cert.verify_directly_issued_by(root.cert)
