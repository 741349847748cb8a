"""Trust anchors: certifi's Mozilla roots plus extra PEM files (a private CA).

Loaded lazily and cached per process, so `import analyzers` stays cheap and the
verification Store is built once, not once per message.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import overload

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import verification


@dataclass(frozen=True, eq=False)
class TrustRoots(Sequence[x509.Certificate]):
    """A set of trusted root certificates with fast lookups.

    It is a Sequence of certificates, so it can be passed as analyze(trust=...); it is
    then used as it is, with its Store built once.
    """

    certificates: tuple[x509.Certificate, ...]
    fingerprints: frozenset[bytes]
    by_subject: dict[bytes, tuple[x509.Certificate, ...]]
    _store: list[verification.Store] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, certs: Iterable[x509.Certificate]) -> TrustRoots:
        unique: dict[bytes, x509.Certificate] = {}
        for c in certs:
            unique.setdefault(c.fingerprint(hashes.SHA256()), c)
        by_subject: dict[bytes, list[x509.Certificate]] = {}
        for c in unique.values():
            by_subject.setdefault(c.subject.public_bytes(), []).append(c)
        return cls(
            tuple(unique.values()),
            frozenset(unique),
            {k: tuple(v) for k, v in by_subject.items()},
        )

    def __len__(self) -> int:
        return len(self.certificates)

    def __iter__(self) -> Iterator[x509.Certificate]:
        return iter(self.certificates)

    @overload
    def __getitem__(self, i: int) -> x509.Certificate: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[x509.Certificate]: ...
    def __getitem__(
        self, i: int | slice
    ) -> x509.Certificate | Sequence[x509.Certificate]:
        return self.certificates[i]

    __hash__ = object.__hash__  # identity: instances are cached and used as cache keys

    def contains(self, cert: x509.Certificate) -> bool:
        """True for the same certificate, or a root with the same name and key."""
        if sha256(cert) in self.fingerprints:
            return True
        roots = self.by_subject.get(subject_der(cert), ())
        if not roots:
            return False
        spki = _spki(cert)
        return any(_spki(r) == spki for r in roots)

    def issuers_of(self, cert: x509.Certificate) -> tuple[x509.Certificate, ...]:
        return self.by_subject.get(issuer_der(cert), ())

    def store(self) -> verification.Store:
        with self._lock:
            if not self._store:
                self._store.append(verification.Store(list(self.certificates)))
            return self._store[0]

    def plus(self, extra: Sequence[x509.Certificate]) -> TrustRoots:
        if not extra:
            return self
        return _combined(self, tuple(extra))


@lru_cache(maxsize=4096)
def _spki(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives import serialization

    try:
        return cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except Exception:  # a key cryptography will not load (RSA exponent 1): matches nothing
        return b"unloadable:" + cert.fingerprint(hashes.SHA256())


@lru_cache(maxsize=4096)
def subject_der(cert: x509.Certificate) -> bytes:
    """The DER of the subject name, cached: chains look it up many times."""
    return cert.subject.public_bytes()


@lru_cache(maxsize=4096)
def issuer_der(cert: x509.Certificate) -> bytes:
    return cert.issuer.public_bytes()


@lru_cache(maxsize=4096)
def sha256(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


spki_der = _spki


def _load_pem_file(data: bytes) -> list[x509.Certificate]:
    # certifi ships a few old roots with serial number 0; cryptography warns about
    # them (RFC 5280 wants positive serials). They are real Mozilla roots, so load
    # them and silence exactly that warning rather than dropping the roots.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*serial number.*", category=CryptographyDeprecationWarning
        )
        certs = x509.load_pem_x509_certificates(data)
        for c in certs:  # the warning fires lazily on first use of the serial
            _ = c.serial_number
    return certs


@lru_cache(maxsize=1)
def _mozilla_roots() -> TrustRoots:
    import certifi

    return TrustRoots.of(_load_pem_file(Path(certifi.where()).read_bytes()))


@lru_cache(maxsize=32)
def _combined(base: TrustRoots, extra: tuple[x509.Certificate, ...]) -> TrustRoots:
    return TrustRoots.of((*base.certificates, *extra))


@lru_cache(maxsize=32)
def _load_cached(paths: tuple[str, ...]) -> TrustRoots:
    extra: list[x509.Certificate] = []
    for p in paths:
        extra.extend(_load_pem_file(Path(p).read_bytes()))
    return _mozilla_roots().plus(extra)


def load_trust_roots(extra_pem_paths: Sequence[str] = ()) -> TrustRoots:
    """certifi's Mozilla roots plus the certificates in `extra_pem_paths`, cached.

    Raises OSError or ValueError when an extra file cannot be read; the CLI turns
    that into exit code 2.
    """
    return _load_cached(tuple(str(p) for p in extra_pem_paths))


def mozilla_roots() -> TrustRoots:
    """certifi's Mozilla roots alone (to tell a --trust anchor from a public one)."""
    return _mozilla_roots()
