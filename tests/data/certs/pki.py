"""Building blocks for the golden corpus: a small private PKI made with `cryptography`,
plus the `openssl` command line for what `cryptography` refuses (SHA-1/MD5 signatures).

Used only by generate.py; the generated files are committed, so nothing here runs
during the tests.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | dsa.DSAPrivateKey

UTC = dt.UTC
AIA_ROOT = "http://pki.example.jp/certdesk-root.crt"
AIA_INT = "http://pki.example.jp/certdesk-int.crt"
OCSP_URL = "http://ocsp.example.jp"


def day(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=UTC)


def name(cn: str, o: str = "certdesk Test PKI", **extra: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "JP")]
    oids = {"st": NameOID.STATE_OR_PROVINCE_NAME, "l": NameOID.LOCALITY_NAME,
            "ou": NameOID.ORGANIZATIONAL_UNIT_NAME, "email": NameOID.EMAIL_ADDRESS}
    for key in ("st", "l"):
        if key in extra:
            attrs.append(x509.NameAttribute(oids[key], extra[key]))
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if "ou" in extra:
        attrs.append(x509.NameAttribute(oids["ou"], extra["ou"]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    if "email" in extra:
        attrs.append(x509.NameAttribute(oids["email"], extra["email"]))
    return x509.Name(attrs)


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@dataclass
class Issuer:
    """A CA that can sign: its key, its certificate (None while self-signing)."""

    key: PrivateKey
    cert: x509.Certificate


def build_cert(
    subject: x509.Name,
    public_key: object,
    issuer: Issuer | None,
    signer: PrivateKey,
    not_before: dt.datetime,
    not_after: dt.datetime,
    serial: int,
    *,
    ca: bool = False,
    sans: list[str] | None = None,
    aia: str | None = None,
    ocsp: bool = False,
) -> x509.Certificate:
    """One certificate with the extensions a public CA would put in (BC, KU, EKU, SKI,
    AKI, SAN, AIA), so that the verifier in cryptography accepts the good chains."""
    issuer_name = issuer.cert.subject if issuer else subject
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if ca:
        ku = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    else:
        ku = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
    b = b.add_extension(ku, critical=True)
    if issuer is not None:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer.cert.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
    if sans:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False
        )
    descs = []
    if aia:
        descs.append(x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(aia)))
    if ocsp:
        descs.append(x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(OCSP_URL)))
    if descs:
        b = b.add_extension(x509.AuthorityInformationAccess(descs), critical=False)
    return b.sign(signer, hashes.SHA256())


def build_csr(subject: x509.Name, key: PrivateKey, sans: list[str] | None = None
              ) -> x509.CertificateSigningRequest:
    b = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if sans:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False
        )
    return b.sign(key, hashes.SHA256())


def pem(obj: x509.Certificate | x509.CertificateSigningRequest | x509.CertificateRevocationList
        ) -> str:
    return obj.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: PrivateKey, fmt: serialization.PrivateFormat,
            password: bytes | None = None) -> str:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, enc).decode()


def pub_pem(key: PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


_CA_CONF = """[ ca ]
default_ca = d
[ d ]
database = index.txt
new_certs_dir = .
serial = serial
policy = p
unique_subject = no
copy_extensions = none
preserve = yes
[ p ]
countryName = optional
organizationName = optional
commonName = supplied
"""


def openssl_sign(csr: x509.CertificateSigningRequest, issuer: Issuer | None,
                 self_key: PrivateKey | None, md: str, not_before: dt.datetime,
                 not_after: dt.datetime, extensions: str) -> x509.Certificate:
    """Sign `csr` with `openssl ca` and digest `md` (sha1, md5), which cryptography's
    builders refuse. `issuer=None` self-signs with `self_key` (`openssl ca -selfsign`).
    Fixed dates come from -startdate/-enddate, so the output is pinned like the rest."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "ca.cnf").write_text(_CA_CONF)
        (d / "index.txt").write_text("")
        (d / "serial").write_text("5A01\n")
        (d / "ext.cnf").write_text("[ x ]\n" + extensions)
        (d / "req.pem").write_text(pem(csr))
        key = issuer.key if issuer else self_key
        assert key is not None
        (d / "ca.key").write_text(key_pem(key, serialization.PrivateFormat.PKCS8))
        cmd = ["openssl", "ca", "-batch", "-config", "ca.cnf", "-in", "req.pem",
               "-keyfile", "ca.key", "-md", md, "-notext", "-out", "out.pem",
               "-startdate", not_before.strftime("%Y%m%d%H%M%SZ"),
               "-enddate", not_after.strftime("%Y%m%d%H%M%SZ"),
               "-extfile", "ext.cnf", "-extensions", "x"]
        if issuer:
            (d / "ca.pem").write_text(pem(issuer.cert))
            cmd += ["-cert", "ca.pem"]
        else:
            cmd += ["-selfsign"]
        subprocess.run(cmd, cwd=d, check=True, capture_output=True)
        return x509.load_pem_x509_certificate((d / "out.pem").read_bytes())


def openssl_trusted(cert: x509.Certificate) -> str:
    """The same certificate as OpenSSL's `TRUSTED CERTIFICATE` (cert + trust settings)."""
    out = subprocess.run(
        ["openssl", "x509", "-addtrust", "serverAuth", "-trustout"],
        input=pem(cert).encode(), check=True, capture_output=True,
    )
    return out.stdout.decode()


def openssl_dh_params() -> str:
    """A `DH PARAMETERS` block (RFC 7919 ffdhe2048): a real label this tool does not know."""
    out = subprocess.run(
        ["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
         "dh_param:ffdhe2048"], check=True, capture_output=True,
    )
    return out.stdout.decode()


def openssl_csr(key: PrivateKey, subject: str, md: str) -> str:
    """A CSR self-signed with digest `md` (sha1, md5), which cryptography refuses."""
    with tempfile.TemporaryDirectory() as tmp:
        k = Path(tmp) / "k.pem"
        k.write_text(key_pem(key, serialization.PrivateFormat.PKCS8))
        out = subprocess.run(["openssl", "req", "-new", "-key", str(k), f"-{md}", "-subj",
                              subject], check=True, capture_output=True)
        return out.stdout.decode()
