"""Signature checks for links between certificates and for CSRs.

cryptography's X.509 helpers refuse MD5 and SHA-1, yet a legacy chain still has to be
linked (and then reported as weak), so those are checked by hand here.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa


def verify_raw(
    key: Any, signature: bytes, data: bytes, params: Any, hash_alg: Any
) -> bool:
    """Check a signature by hand: cryptography's X.509 helpers refuse MD5 and SHA-1,
    but a legacy chain still has to be linked (and then reported as weak)."""
    try:
        # cryptography gives no parameters for the legacy MD5/SHA-1 algorithms
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, params or padding.PKCS1v15(), hash_alg)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, params or ec.ECDSA(hash_alg))
        elif isinstance(key, dsa.DSAPublicKey):
            key.verify(signature, data, hash_alg)
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            return False
    except Exception:  # InvalidSignature, or parameters that do not fit the key
        return False
    return True


def signature_check(child: x509.Certificate, parent: x509.Certificate) -> bool | None:
    """Did `parent` sign `child`? None when nothing here can tell (MD2, odd keys)."""
    if child.issuer != parent.subject:
        return False
    try:
        child.verify_directly_issued_by(parent)
        return True
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass  # MD5/SHA-1 or an odd key: fall back to a manual check below
    except Exception:
        return False
    try:
        hash_alg = child.signature_hash_algorithm
        key = parent.public_key()
    except Exception:  # MD2 (OpenSSL 3 has none), unsupported key types
        return None
    try:
        params = child.signature_algorithm_parameters
    except Exception:
        params = None
    return verify_raw(key, child.signature, child.tbs_certificate_bytes, params, hash_alg)


def issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """True when `parent`'s name and key issued `child` (checked by signature)."""
    return signature_check(child, parent) is True


def csr_signature_valid(csr: x509.CertificateSigningRequest) -> bool:
    try:
        if csr.is_signature_valid:
            return True
    except Exception:
        pass
    try:  # cryptography says False (or raises) for SHA-1/MD5 CSRs: check by hand
        return verify_raw(csr.public_key(), csr.signature, csr.tbs_certrequest_bytes,
                          csr.signature_algorithm_parameters, csr.signature_hash_algorithm)
    except Exception:
        return False


def is_self_signed(cert: x509.Certificate) -> bool:
    # an MD2 root cannot be checked at all: its own name as issuer has to do
    return cert.subject == cert.issuer and signature_check(cert, cert) is not False
