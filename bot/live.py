"""Live checks as the core sees them: what a Probe returns, and the Probe protocol.

The network code lives in bot.probe; the core never imports it. Adapters and the CLI
build a real probe (`bot.probe.NetworkProbe`) and hand it to the Desk or to the check
command; without one (offline) nothing here touches the network. The findings and the
reports built from these results are in bot.livecheck.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from cryptography import x509

HandshakeStatus = Literal["ok", "refused", "unreachable", "timeout", "not_tls", "handshake_failed"]
FetchStatus = Literal["ok", "refused", "unreachable", "timeout", "too_large", "http_error", "unreadable"]


@dataclass(frozen=True)
class Handshake:
    """What one TLS connection showed. `chain` is the certificate list exactly as the
    server sent it (DER, in its order), taken without verification; `client_accepts`
    is the verdict of a second, verifying handshake by Python's default TLS client."""

    host: str
    port: int
    status: HandshakeStatus
    address: str | None = None  # the one address resolved and connected to
    reason: str = ""  # why it was refused or failed: a stable code (loopback, port, dns, reset...)
    detail: str = ""  # technical detail in English (an OpenSSL error, the refused address)
    chain: tuple[bytes, ...] = ()
    protocol: str | None = None  # TLSv1.3
    cipher: str | None = None
    ocsp_stapled: bool | None = None
    client_accepts: bool | None = None
    client_error: str | None = None

    @property
    def source(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    def to_dict(self) -> dict[str, object]:
        """The `connection` object of a live check's `check --json` line."""
        return {
            "host": self.host,
            "port": self.port,
            "address": self.address,
            "status": self.status,
            "reason": self.reason or None,
            "detail": self.detail or None,
            "protocol": self.protocol,
            "cipher": self.cipher,
            "ocsp_stapled": self.ocsp_stapled,
            "certificates_sent": len(self.chain),
            "client_accepts": self.client_accepts,
            "client_error": self.client_error,
        }


@dataclass(frozen=True)
class Fetched:
    """One AIA caIssuers download: the certificates the URL served (DER), or why not."""

    url: str
    status: FetchStatus
    certificates: tuple[bytes, ...] = ()
    reason: str = ""
    detail: str = ""
    cached: bool = False


class Probe(Protocol):
    """The network, as the core may use it. bot.probe.NetworkProbe is the real one."""

    def handshake(
        self, host: str, port: int, *, trust: Sequence[x509.Certificate] = ()
    ) -> Handshake: ...

    def fetch(self, url: str) -> Fetched: ...
