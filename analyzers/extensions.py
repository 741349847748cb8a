"""A lenient second reader (asn1crypto) for what cryptography refuses.

cryptography parses all extensions at once and enforces strict DER, so one extension
it cannot decode hides basicConstraints, SANs and AIA, and a certificate that breaks
DER rules (empty RDN sets, UTCTime without seconds, unsorted SETs, an explicit v1
version) is not read at all, although OpenSSL reads both. This module reads each
extension on its own, and a whole certificate when cryptography will not, so one bad
part costs one finding (cert.unparsed_extension, cert.nonstrict_der) instead of the
analysis. It also reads RSA key sizes that cryptography will not load (exponent 1,
even moduli), so cert.weak_key still fires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509

_NAMES = {
    "2.5.29.19": "basicConstraints", "2.5.29.17": "subjectAltName",
    "1.3.6.1.5.5.7.1.1": "authorityInfoAccess", "2.5.29.15": "keyUsage",
    "2.5.29.37": "extendedKeyUsage", "2.5.29.32": "certificatePolicies",
    "2.5.29.31": "cRLDistributionPoints", "2.5.29.14": "subjectKeyIdentifier",
    "2.5.29.35": "authorityKeyIdentifier", "2.5.29.30": "nameConstraints",
}


@dataclass
class Lenient:
    """What the lenient reader could tell; None where it could not either."""

    is_ca: bool | None = None
    has_extensions: bool = False
    has_san: bool = False
    sans: tuple[str, ...] = ()
    ca_issuers: tuple[str, ...] = ()
    ocsp: tuple[str, ...] = ()
    unparsed: list[str] = field(default_factory=list)  # names of undecodable extensions


def _gn(name: Any) -> str:
    try:
        value = name.native
    except Exception:
        return "?"
    if isinstance(value, dict | list):  # a directory name
        try:
            return str(name.chosen.human_friendly)
        except Exception:
            return "?"
    return str(value)


def read_extensions(der: bytes) -> Lenient | None:
    """Each extension decoded on its own; None when even the outer structure fails."""
    from asn1crypto import x509 as ax509  # loaded only when cryptography refuses

    try:
        cert = ax509.Certificate.load(der)
        exts = cert["tbs_certificate"]["extensions"]
    except Exception:
        return None
    try:
        items = list(exts)
    except Exception:  # absent (Void) or unreadable as a whole
        items = []
    out = Lenient(has_extensions=bool(items))
    for ext in items:
        try:
            oid = ext["extn_id"].dotted
        except Exception:
            out.unparsed.append("?")
            continue
        try:
            value = ext["extn_value"].parsed
            if oid == "2.5.29.19":
                out.is_ca = bool(value["ca"].native)
            elif oid == "2.5.29.17":
                out.has_san = True
                out.sans = tuple(_gn(n) for n in value)
            elif oid == "1.3.6.1.5.5.7.1.1":
                for desc in value:
                    method = desc["access_method"].native
                    loc = _gn(desc["access_location"])
                    if method == "ca_issuers":
                        out.ca_issuers += (loc,)
                    elif method == "ocsp":
                        out.ocsp += (loc,)
            elif value is not None:
                _ = value.native  # decode it fully: a damaged one raises here
        except Exception:
            if oid == "2.5.29.17":
                out.has_san = True  # present, if unreadable: no cert.no_san
            out.unparsed.append(_NAMES.get(oid, oid))
    return out


def key_size_from_der(der: bytes) -> tuple[str, int] | None:
    """(key type, bits) read from the SPKI itself, for keys cryptography will not load."""
    from asn1crypto import x509 as ax509  # loaded only when cryptography refuses

    try:
        spki = ax509.Certificate.load(der)["tbs_certificate"]["subject_public_key_info"]
        algo = spki["algorithm"]["algorithm"].native
        if algo in ("rsa", "rsassa_pss"):
            modulus = int(spki["public_key"].parsed["modulus"].native)
            return "RSA", modulus.bit_length()
        if algo == "dsa":
            p = spki["algorithm"]["parameters"]["p"].native
            return "DSA", int(p).bit_length()
        if algo == "ec":
            return "EC", int(spki.bit_size)
    except Exception:
        return None
    return None


def rsa_key_problem(der: bytes) -> str | None:
    """Why an RSA key is unusable whatever its size (exponent 1, even numbers)."""
    from asn1crypto import x509 as ax509  # loaded only when cryptography refuses

    try:
        spki = ax509.Certificate.load(der)["tbs_certificate"]["subject_public_key_info"]
        if spki["algorithm"]["algorithm"].native != "rsa":
            return None
        key = spki["public_key"].parsed
        n, e = int(key["modulus"].native), int(key["public_exponent"].native)
    except Exception:
        return None
    if e < 3:
        return f"exponent {e}"
    if e % 2 == 0:
        return "even exponent"
    if n % 2 == 0:
        return "even modulus"
    return None


_SHORT = {"common_name": "CN", "organization_name": "O", "organizational_unit_name": "OU",
          "country_name": "C", "state_or_province_name": "ST", "locality_name": "L",
          "email_address": "emailAddress", "domain_component": "DC",
          "serial_number": "serialNumber", "street_address": "street"}


def _name(name: Any) -> str:
    """RFC 4514 order and keys, as cryptography would print it."""
    try:
        parts = []
        for rdn in reversed(list(name.chosen)):
            parts.append("+".join(
                f"{_SHORT.get(a['type'].native, a['type'].dotted)}={a['value'].native}"
                for a in rdn))
        return ",".join(parts)
    except Exception:
        try:
            return str(name.human_friendly)
        except Exception:
            return "?"


def _time(t: Any) -> datetime:
    value = t.native
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def read_certificate(der: bytes, now: datetime) -> dict[str, Any] | None:
    """The report fields of a certificate cryptography refuses (non-strict DER)."""
    from asn1crypto import x509 as ax509  # loaded only when cryptography refuses

    try:
        cert = ax509.Certificate.load(der)
        tbs = cert["tbs_certificate"]
        subject, issuer = tbs["subject"], tbs["issuer"]
        nb, na = _time(tbs["validity"]["not_before"]), _time(tbs["validity"]["not_after"])
        serial = int(tbs["serial_number"].native)
        sig = cert["signature_algorithm"]["algorithm"].dotted
    except Exception:
        return None
    import hashlib

    ext = read_extensions(der) or Lenient()
    fp = hashlib.sha256(der).digest().hex(":").upper()
    fields: dict[str, Any] = {
        "subject": _name(subject), "issuer": _name(issuer),
        "serial": ("-" if serial < 0 else "") + f"{abs(serial):x}".zfill(2),
        "not_before": nb.isoformat().replace("+00:00", "Z"),
        "not_after": na.isoformat().replace("+00:00", "Z"),
        "days_left": int((na - now).total_seconds() // 86400),
        "sans": ext.sans, "signature_algorithm": sig, "sha256": fp,
        "is_ca": bool(ext.is_ca), "self_signed": subject.dump() == issuer.dump(),
        "aia_ca_issuers": ext.ca_issuers, "ocsp": ext.ocsp,
    }
    size = key_size_from_der(der)
    if size is not None:
        fields["key_type"], fields["key_size"] = size
    else:
        fields["key_type"] = "unsupported"
    fields["_bad_key"] = rsa_key_problem(der)
    fields["_has_san"] = ext.has_san
    fields["_is_ca"] = ext.is_ca
    fields["_has_extensions"] = ext.has_extensions
    fields["_v1"] = tbs["version"].native == "v1"
    return fields


def root_like(self_signed: bool, bare: bool, subject: x509.Name | str) -> bool:
    """A self-signed certificate without basicConstraints or SANs (v1, or extensions of
    the 1990s) whose name is not a host name: an old-style root (eDellRoot), judged as a
    CA, not as a server certificate. `bare`: no basicConstraints and no SAN."""
    if not (self_signed and bare):
        return False
    if isinstance(subject, x509.Name):
        cns = subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        cn = str(cns[0].value) if cns else ""
    else:
        cn = subject.split("CN=", 1)[1].split(",", 1)[0] if "CN=" in subject else ""
    cn = cn.strip().lower()
    return not (("." in cn and " " not in cn) or cn == "localhost" or cn.startswith("localhost."))
