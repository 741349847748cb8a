"""Structures next to certificates: CSRs, CRLs, PKCS#12 (PFX) bundles, OCSP responses.

Kept apart from analyzers.objects (which imports this module lazily, when a body is
tried as every kind in turn).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID

from analyzers.objects import (
    Parsed,
    _ext,
    _iso,
    _name,
    _sha,
    _sig_alg,
    _spki,
    colon_hex,
    general_names,
    key_fields,
    parse_certificate,
)
from analyzers.scan import first_der_element


def parse_csr(der: bytes) -> Parsed:
    csr = x509.load_der_x509_csr(der)
    out: dict[str, Any] = {
        "subject": _name(csr.subject),
        "signature_algorithm": _sig_alg(csr),
        "sha256": colon_hex(_sha(der)),
    }
    san = _ext(csr, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    out["sans"] = general_names(san) if san is not None else ()
    p = Parsed("csr", out, csr=csr)
    try:
        p.public_key = csr.public_key()
        p.spki = _spki(p.public_key)
        out.update(key_fields(p.public_key))
    except Exception:
        out["key_type"] = "unsupported"
    return p


def parse_crl(der: bytes) -> Parsed:
    crl = x509.load_der_x509_crl(der)
    fields_: dict[str, Any] = {
        "issuer": _name(crl.issuer),
        "not_before": _iso(crl.last_update_utc),
        "signature_algorithm": _sig_alg(crl),
        "sha256": colon_hex(_sha(der)),
    }
    if crl.next_update_utc is not None:
        fields_["not_after"] = _iso(crl.next_update_utc)
    return Parsed("crl", fields_)


def parse_pkcs12(der: bytes, now: datetime) -> Parsed:
    """A .pfx/.p12 upload: it holds a private key, so it is reported as one."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    head = first_der_element(der)
    body = der[2 + (der[1] & 0x7F if der[1] & 0x80 else 0) :] if len(der) > 2 else b""
    if head != der or not body.startswith(b"\x02\x01\x03"):  # PFX version 3
        raise ValueError("not PKCS#12")
    p = Parsed("private_key", {"encrypted": True}, label="PKCS12", pkcs12=True)
    for password in (None, b""):
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(der, password)
        except Exception:
            continue
        p.fields["encrypted"] = password is not None
        if key is not None:
            pub = key.public_key()
            p.public_key, p.spki = pub, _spki(pub)
            p.fields.update(key_fields(pub))
        for c in [c for c in (cert, *extra) if c is not None]:
            child = parse_certificate(c.public_bytes(serialization.Encoding.DER), now)
            child.encoding = "der"
            p.children.append(child)
        break
    return p




def parse_ocsp(der: bytes) -> Parsed:
    """An OCSP response (`openssl ocsp -respout`, a stapled response): recognised, not
    analysed; it is not a certificate."""
    from cryptography.x509 import ocsp

    resp = ocsp.load_der_ocsp_response(der)
    status = resp.response_status.name.lower()
    extra: dict[str, object] = {"ocsp_status": status}
    if resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL:
        extra["certificate_status"] = resp.certificate_status.name.lower()
    return Parsed("unknown", label="OCSP RESPONSE", other="ocsp_response", extra=extra)
