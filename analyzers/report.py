"""The result types of an analysis: one ObjectInfo per object found, and the Report."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

from analyzers.findings import Finding

Kind = Literal["certificate", "csr", "private_key", "public_key", "pkcs7", "crl", "unknown"]


@dataclass(frozen=True)
class ObjectInfo:
    """What could be read of one object. Fields that do not apply to the kind stay None.

    For keys only the public key's fingerprint is kept: never any key material.
    """

    index: int
    kind: Kind
    label: str | None = None  # the PEM label, "DER" for a binary upload, or None
    encoding: Literal["pem", "der", "base64", "pkcs7"] = "pem"
    parent: int | None = None  # the pkcs7 object a certificate was taken from
    subject: str | None = None
    issuer: str | None = None
    serial: str | None = None  # hex
    not_before: str | None = None  # ISO 8601, UTC
    not_after: str | None = None
    days_left: int | None = None
    sans: tuple[str, ...] | None = None
    key_type: str | None = None  # RSA, EC, DSA, Ed25519, Ed448
    key_size: int | None = None
    curve: str | None = None
    signature_algorithm: str | None = None
    sha256: str | None = None  # fingerprint of the DER object (certificates, CSRs, CRLs)
    public_key_sha256: str | None = None  # fingerprint of the SubjectPublicKeyInfo
    is_ca: bool | None = None
    self_signed: bool | None = None
    aia_ca_issuers: tuple[str, ...] | None = None
    ocsp: tuple[str, ...] | None = None
    encrypted: bool | None = None  # private keys only
    certificates: int | None = None  # pkcs7 only: how many certificates it held

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class Report:
    source: str
    objects: tuple[ObjectInfo, ...] = ()
    findings: tuple[Finding, ...] = field(default=())

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def private_key_found(self) -> bool:
        return any(o.kind == "private_key" for o in self.objects) or any(
            f.code in ("key.private_key", "key.encrypted_private_key") for f in self.findings
        )

    @property
    def certificates_checked(self) -> int:
        return sum(1 for o in self.objects if o.kind == "certificate")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The exact `certdesk check --json` line of DESIGN.md."""
        return {
            "source": self.source,
            "objects": [o.to_dict() for o in self.objects],
            "findings": [f.to_dict() for f in self.findings],
        }
