"""Turn decoded blocks into parsed objects (certificate, CSR, key, PKCS#7, CRL).

Every parse is wrapped: a body that does not hold what its label names becomes a
pem.bad_der note, never an exception. Keys keep only their public key's fingerprint.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID

from analyzers.extensions import (
    key_size_from_der,
    read_certificate,
    read_extensions,
    root_like,
    rsa_key_problem,
)
from analyzers.report import Kind, ObjectInfo
from analyzers.scan import Block, first_der_element
from analyzers.signatures import is_self_signed

LABEL_KINDS: dict[str, Kind] = {
    "CERTIFICATE": "certificate",
    "X509 CERTIFICATE": "certificate",
    "X.509 CERTIFICATE": "certificate",
    "TRUSTED CERTIFICATE": "certificate",
    "CERTIFICATE REQUEST": "csr",
    "NEW CERTIFICATE REQUEST": "csr",
    "PKCS7": "pkcs7",
    "PKCS #7 SIGNED DATA": "pkcs7",
    "CMS": "pkcs7",
    "X509 CRL": "crl",
    "PUBLIC KEY": "public_key",
    "RSA PUBLIC KEY": "public_key",
    "PRIVATE KEY": "private_key",
    "RSA PRIVATE KEY": "private_key",
    "EC PRIVATE KEY": "private_key",
    "DSA PRIVATE KEY": "private_key",
    "ENCRYPTED PRIVATE KEY": "private_key",
    "OPENSSH PRIVATE KEY": "private_key",
    "ANY PRIVATE KEY": "private_key",
}
# Emitted alongside keys by `openssl ecparam -genkey`; not an object worth reporting.
IGNORED_LABELS = frozenset({"EC PARAMETERS"})
PublicKey = Any  # cryptography's union of public key types


@dataclass
class Parsed:
    """One object: its report fields plus the live cryptography object for checks."""

    kind: Kind
    fields: dict[str, Any] = field(default_factory=dict)
    cert: x509.Certificate | None = None
    csr: x509.CertificateSigningRequest | None = None
    public_key: PublicKey | None = None
    spki: bytes | None = None
    bad_der: str | None = None  # why the body is not what the label says
    actual_kind: Kind | None = None  # what the body is instead, when that can be told
    unknown_label: bool = False
    encoding: str = "pem"
    label: str | None = None
    parent: int | None = None
    block: Block | None = None
    children: list[Parsed] = field(default_factory=list)
    der_file: bool = False  # a binary DER file (pem.der_file)
    pkcs12: bool = False  # a PKCS#12 / PFX bundle (pkcs12.found)
    relabelled: str | None = None  # a PKCS#7 body found under this (CERTIFICATE) label
    other: str | None = None  # a known structure this tool does not analyse (OCSP)
    nonstrict: bool = False  # read by the lenient reader: cryptography refused the DER
    # not in the report: has_san, root_like, unparsed (extension names), ocsp_status
    extra: dict[str, Any] = field(default_factory=dict)

    def info(self, index: int, parent: int | None = None) -> ObjectInfo:
        return ObjectInfo(
            index, self.kind, self.label, self.encoding,  # type: ignore[arg-type]
            parent=parent, **self.fields,
        )


def colon_hex(data: bytes) -> str:
    return data.hex(":").upper()


def _spki(key: PublicKey) -> bytes:
    der: bytes = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def key_fields(key: PublicKey) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(key, rsa.RSAPublicKey):
        out.update(key_type="RSA", key_size=key.key_size)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        out.update(key_type="EC", key_size=key.curve.key_size, curve=key.curve.name)
    elif isinstance(key, dsa.DSAPublicKey):
        out.update(key_type="DSA", key_size=key.key_size)
    elif isinstance(key, ed25519.Ed25519PublicKey):
        out.update(key_type="Ed25519", key_size=256)
    elif isinstance(key, ed448.Ed448PublicKey):
        out.update(key_type="Ed448", key_size=456)
    else:
        out.update(key_type=type(key).__name__)
    with contextlib.suppress(Exception):  # anything odd just has no fingerprint
        out["public_key_sha256"] = colon_hex(_sha(_spki(key)))
    return out


def _sha(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SHA256())
    h.update(data)
    return h.finalize()


def _name(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except Exception:
        return repr(name)


SignedObject = x509.Certificate | x509.CertificateSigningRequest | x509.CertificateRevocationList


def _sig_alg(obj: SignedObject) -> str:
    oid = obj.signature_algorithm_oid
    return oid._name if oid._name != "Unknown OID" else oid.dotted_string


def _ext(
    cert: x509.Certificate | x509.CertificateSigningRequest, oid: x509.ObjectIdentifier
) -> Any:
    try:
        return cert.extensions.get_extension_for_oid(oid).value
    except Exception:  # absent, or present but unparseable (x400Address, bad DER)
        return None


def general_names(value: Any) -> tuple[str, ...]:
    out: list[str] = []
    for gn in value or ():
        if isinstance(gn, x509.DNSName | x509.RFC822Name | x509.UniformResourceIdentifier):
            out.append(gn.value)
        elif isinstance(gn, x509.IPAddress):
            out.append(str(gn.value))
        elif isinstance(gn, x509.DirectoryName):
            out.append(_name(gn.value))
        else:
            out.append(str(getattr(gn, "value", gn)))
    return tuple(out)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def cert_fields(
    cert: x509.Certificate, now: datetime, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    extra = {} if extra is None else extra
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # serial 0 / negative serials warn on access
        serial = cert.serial_number
    nb, na = cert.not_valid_before_utc, cert.not_valid_after_utc
    bc = _ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    san = _ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    aia = _ext(cert, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    aia_list = list(aia) if aia is not None else []
    out: dict[str, Any] = {
        "subject": _name(cert.subject),
        "issuer": _name(cert.issuer),
        "serial": ("-" if serial < 0 else "") + f"{abs(serial):x}".zfill(2),
        "not_before": _iso(nb),
        "not_after": _iso(na),
        "days_left": int((na - now).total_seconds() // 86400),
        "sans": general_names(san) if san is not None else (),
        "signature_algorithm": _sig_alg(cert),
        "sha256": colon_hex(cert.fingerprint(hashes.SHA256())),
        "is_ca": bool(bc.ca) if bc is not None else False,
        "self_signed": is_self_signed(cert),
        "aia_ca_issuers": general_names(
            [a.access_location for a in aia_list
             if a.access_method == AuthorityInformationAccessOID.CA_ISSUERS]),
        "ocsp": general_names(
            [a.access_location for a in aia_list
             if a.access_method == AuthorityInformationAccessOID.OCSP]),
    }
    try:
        _ = cert.extensions
        extra["has_san"] = san is not None
    except Exception:  # one extension cryptography cannot decode: read them one by one
        lenient = read_extensions(cert.public_bytes(serialization.Encoding.DER))
        if lenient is not None:
            extra["unparsed"] = lenient.unparsed or ["?"]
            extra["has_san"] = lenient.has_san
            out.update(is_ca=bool(lenient.is_ca), sans=lenient.sans,
                       aia_ca_issuers=lenient.ca_issuers, ocsp=lenient.ocsp)
        else:
            extra["unparsed"], extra["has_san"] = ["?"], True
    extra["root_like"] = root_like(
        out["self_signed"], bc is None and not extra.get("has_san") and not out["is_ca"],
        cert.subject)
    try:
        out.update(key_fields(cert.public_key()))
    except Exception:  # an RSA key cryptography will not load: its size from the DER
        der = cert.public_bytes(serialization.Encoding.DER)
        size = key_size_from_der(der)
        extra["bad_key"] = rsa_key_problem(der)
        if size is not None:
            out["key_type"], out["key_size"] = size
        else:
            out["key_type"] = "unsupported"
    return out


def parse_certificate(der: bytes, now: datetime) -> Parsed:
    extra: dict[str, Any] = {}
    try:
        cert = x509.load_der_x509_certificate(der)
        fields_ = cert_fields(cert, now, extra)  # names are decoded lazily: they may raise
    except Exception:
        read = read_certificate(der, now)  # non-strict DER that OpenSSL still reads
        if read is None:
            raise
        lenient = {k[1:]: read.pop(k) for k in [k for k in read if k.startswith("_")]}
        lenient["root_like"] = root_like(read["self_signed"],
                                         lenient["is_ca"] is None and not lenient["has_san"],
                                         read["subject"])
        return Parsed("certificate", read, nonstrict=True, extra=lenient)
    p = Parsed("certificate", fields_, cert=cert, extra=extra)
    try:
        p.public_key = cert.public_key()
        p.spki = _spki(p.public_key)
    except Exception:
        pass
    return p


def parse_public_key(der: bytes) -> Parsed:
    try:
        key = serialization.load_der_public_key(der)
    except ValueError:  # PKCS#1 "RSA PUBLIC KEY": wrap it as PEM, which cryptography reads
        pem = serialization.load_pem_public_key(_pem("RSA PUBLIC KEY", der))
        key = pem
    p = Parsed("public_key", key_fields(key), public_key=key, spki=_spki(key))
    return p


def parse_private_key(der: bytes, label: str | None, headers: dict[str, str]) -> Parsed:
    """A private key: only whether it is encrypted and its public half are kept."""
    p = Parsed("private_key", {"encrypted": False})
    if label == "ENCRYPTED PRIVATE KEY" or "ENCRYPTED" in headers.get("Proc-Type", ""):
        p.fields["encrypted"] = True
        return p
    try:
        if label == "OPENSSH PRIVATE KEY":
            key: Any = serialization.load_ssh_private_key(_pem(label, der), None)
        else:
            key = serialization.load_der_private_key(der, None)
    except TypeError:  # "Password was not given but private key is encrypted"
        p.fields["encrypted"] = True
        return p
    except Exception as exc:
        p.bad_der = type(exc).__name__
        return p
    pub = key.public_key()
    p.public_key, p.spki = pub, _spki(pub)
    p.fields.update(key_fields(pub))
    return p


def _pem(label: str, der: bytes) -> bytes:
    import base64

    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    text = "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])
    return (text + "\n").encode()


def parse_pkcs7(der: bytes, now: datetime) -> Parsed:
    certs = pkcs7.load_der_pkcs7_certificates(der)
    p = Parsed("pkcs7", {"certificates": len(certs), "sha256": colon_hex(_sha(der))})
    for c in certs:
        child = parse_certificate(c.public_bytes(serialization.Encoding.DER), now)
        child.encoding = "pkcs7"
        p.children.append(child)
    return p


def parse_block(block: Block, now: datetime) -> Parsed | None:
    """Parse one block by its label; a headerless body is tried as every kind in turn."""
    from analyzers import formats

    label = block.label
    if label in IGNORED_LABELS:
        return None
    if label is None:
        return _parse_unlabelled(block, now)
    kind: Kind = LABEL_KINDS.get(label, "unknown")
    if kind == "unknown" and "PRIVATE KEY" in label:
        kind = "private_key"
    p = Parsed(kind, label=label, block=block, unknown_label=label not in LABEL_KINDS)
    der = block.der
    if der is None or kind == "unknown":
        if kind == "private_key":
            p.fields["encrypted"] = "ENCRYPTED" in label
        return p
    try:
        if kind == "certificate":
            q = parse_certificate(first_der_element(der) if "TRUSTED" in label else der, now)
        elif kind == "csr":
            q = formats.parse_csr(der)
        elif kind == "crl":
            q = formats.parse_crl(der)
        elif kind == "pkcs7":
            q = parse_pkcs7(der, now)
        elif kind == "public_key":
            q = parse_public_key(der)
        else:
            q = parse_private_key(der, label, block.headers)
            if q.bad_der is not None:
                q.fields.setdefault("encrypted", False)
    except Exception as exc:
        p.bad_der = type(exc).__name__
        if kind == "certificate":  # a .p7b body under a CERTIFICATE label: expand it
            try:
                q = parse_pkcs7(der, now)
            except Exception:
                pass
            else:
                q.label, q.block, q.encoding, q.relabelled = label, block, block.encoding, label
                return q
        # name what the body really is (a CSR under CERTIFICATE is the FAQ's classic)
        if kind != "private_key":
            actual = _parse_unlabelled(Block(None, der, 0, 0), now)
            if actual is not None and actual.kind != kind:
                p.actual_kind = actual.kind
        return p
    q.label, q.block, q.encoding = label, block, block.encoding
    return q


def _parse_unlabelled(block: Block, now: datetime) -> Parsed | None:
    from analyzers import formats

    der = block.der
    if der is None:
        return None
    attempts = (
        lambda: parse_certificate(der, now),
        lambda: formats.parse_csr(der),
        lambda: parse_pkcs7(der, now),
        lambda: formats.parse_crl(der),
        lambda: parse_public_key(der),
        lambda: _private_der(der),
        lambda: formats.parse_pkcs12(der, now),
        lambda: formats.parse_ocsp(der),
    )
    for attempt in attempts:
        try:
            p = attempt()
        except Exception:
            continue
        p.block, p.encoding = block, block.encoding
        return p
    return None


def _private_der(der: bytes) -> Parsed:
    try:
        serialization.load_der_private_key(der, None)
    except TypeError:
        return Parsed("private_key", {"encrypted": True})
    return parse_private_key(der, None, {})
