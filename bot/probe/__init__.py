"""Network checks: live TLS servers and AIA fetches, passed into the analysis.

The only room that opens sockets. `NetworkProbe` implements the core's `bot.live.Probe`;
the CLI and the adapters build it from Settings and inject it into the Desk, which never
imports this package. With CERTDESK_OFFLINE=1 (or --offline) nobody builds one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.live import Fetched, Handshake
from bot.probe import aia, tls
from bot.probe.safety import Policy, Resolver, parse_networks, refusal, system_resolver

if TYPE_CHECKING:
    from cryptography import x509

    from bot.config import Settings

__all__ = ["NetworkProbe", "Policy", "refusal"]

log = logging.getLogger(__name__)


class NetworkProbe:
    """The real Probe: the address and port rules of `policy`, one deadline per host."""

    def __init__(
        self,
        policy: Policy,
        *,
        timeout: float = 5.0,
        connect_timeout: float = 3.0,
        cache: aia.Cache | None = None,
    ) -> None:
        self.policy = policy
        self.timeout = min(timeout, 5.0)
        self.connect_timeout = min(connect_timeout, self.timeout)
        self.cache = cache

    @classmethod
    def from_settings(cls, settings: Settings, *, resolver: Resolver = system_resolver) -> NetworkProbe:
        policy = Policy(parse_networks(settings.probe_allow), settings.probe_ports, resolver)
        cache = aia.Cache(settings.resolved_cache_dir)
        return cls(policy, timeout=settings.probe_timeout,
                   connect_timeout=min(3.0, settings.probe_timeout), cache=cache)

    def handshake(
        self, host: str, port: int, *, trust: Sequence[x509.Certificate] = ()
    ) -> Handshake:
        try:
            return tls.handshake(host, port, policy=self.policy, trust=trust,
                                 timeout=self.timeout, connect_timeout=self.connect_timeout)
        except Exception as exc:  # a name or server too odd for the TLS stack: a finding
            log.warning("live check of %s:%s failed unexpectedly: %r", host, port, exc)
            return Handshake(host, port, "handshake_failed", reason="error",
                             detail=type(exc).__name__)

    def fetch(self, url: str) -> Fetched:
        try:
            return aia.fetch(url, policy=self.policy, cache=self.cache, timeout=self.timeout)
        except Exception as exc:
            log.warning("AIA fetch of %s failed unexpectedly: %r", url, exc)
            return Fetched(url, "unreachable", reason="error", detail=type(exc).__name__)
