"""The Desk's live-check step: find the servers a message asks about, check them with the
injected Probe (never more than a few per message, never past a user's rate limit),
and fetch the missing intermediate of an incomplete chain, live or pasted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.live import Probe
from bot.live_report import LiveCheck, Offer, live_report, offer_intermediates
from bot.targets import RateLimiter, Target, find_targets

if TYPE_CHECKING:
    from cryptography import x509

    from analyzers import Report
    from bot.config import Settings
    from bot.types import Answer, EscalationReason, Incoming, Reply

MAX_HOSTS = 3


@dataclass
class LiveOutcome:
    checks: tuple[LiveCheck, ...] = ()
    offers: tuple[Offer, ...] = ()  # for pasted reports
    notices: tuple[str, ...] = field(default=())  # keys of bot.messages


class LiveStep:
    def __init__(
        self,
        probe: Probe | None,
        *,
        ports: Sequence[int] = (443, 8443, 465, 587, 636, 993, 995),
        max_hosts: int = MAX_HOSTS,
        limiter: RateLimiter | None = None,
        trust: Sequence[x509.Certificate] = (),
    ) -> None:
        self.trust = tuple(trust)  # extra roots (a private CA) for live checks
        self.probe = probe
        self.ports = tuple(ports)
        self.max_hosts = min(max_hosts, MAX_HOSTS)
        self.limiter = limiter

    @classmethod
    def from_settings(cls, settings: Settings, probe: Probe | None) -> LiveStep:
        count, window = settings.probe_rate
        return cls(None if settings.offline else probe, ports=settings.probe_ports,
                   max_hosts=settings.probe_max_hosts, limiter=RateLimiter(count, window))

    def run(self, incoming: Incoming, reports: Sequence[Report], pasted: bool) -> LiveOutcome:
        targets = find_targets(incoming.text, pasted=pasted)
        notices: list[str] = []
        if targets and self.probe is None:
            notices.append("live_offline")
            targets = []
        if len(targets) > self.max_hosts:
            notices.append("live_too_many")
            targets = targets[: self.max_hosts]
        if targets and self.limiter is not None and incoming.transport == "slack":
            granted = self.limiter.take(incoming.user, len(targets))
            if granted < len(targets):
                notices.append("live_rate_limited")
                targets = targets[:granted]
        checks = tuple(self._check(t, incoming.now) for t in targets)
        offers: list[Offer] = []
        if self.probe is not None:
            datas: list[str | bytes] = []
            if any(r.source == "message" for r in reports):
                datas.append(incoming.text)
            datas.extend(up.data for up in incoming.uploads)
            for report, data in zip(reports, datas, strict=False):
                offers.extend(offer_intermediates(report, data, self.probe, now=incoming.now))
        return LiveOutcome(checks, tuple(offers), tuple(notices))

    def _check(self, target: Target, now: datetime) -> LiveCheck:
        assert self.probe is not None
        h = self.probe.handshake(target.host, target.port, trust=self.trust)
        report = live_report(h, now=now, ports=self.ports, trust=self.trust)
        offers: tuple[Offer, ...] = ()
        if h.status == "ok" and h.chain:
            from cryptography import x509
            from cryptography.hazmat.primitives.serialization import Encoding

            pem = "".join(
                x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode()
                for d in h.chain
            )
            offers = offer_intermediates(report, pem.encode(), self.probe, now=now)
        return LiveCheck(h, report, offers)


def pointed_entry(checks: Sequence[LiveCheck]) -> str | None:
    """The FAQ entry of the most severe finding of the live checks (errors first)."""
    for severity in ("error", "warning"):
        for check in checks:
            for f in check.report.findings:
                if f.severity == severity and f.faq:
                    return f.faq[0]
    return None


def merge_live(
    reply: Reply,
    outcome: LiveOutcome,
    reason: EscalationReason | None,
    entry: Callable[[str, str], Answer | None],
) -> tuple[Reply, EscalationReason | None]:
    """Add the live checks to a reply; when the matcher had no answer, the FAQ entry the
    checks' findings point to (a missing intermediate -> the untrusted-site entry) answers,
    and nothing is escalated: the check found the cause."""
    reply = replace(reply, live=outcome.checks, offers=outcome.offers,
                    notices=(*outcome.notices, *reply.notices))
    pointed = pointed_entry(outcome.checks)
    if pointed is not None and reply.decision in (None, "none", "ambiguous"):
        answer = entry(pointed, reply.lang)
        if answer is not None:
            reply = replace(reply, answer=answer, decision="answer", candidates=())
            reason = None
    return reply, reason
