"""Which servers a chat message asks about, and how many live checks a user may start.

A message names a target by an https URL or a host together with a certificate
question ("警告", "証明書", "expired", "not secure"...), or asks outright:
「www.example.co.jp をチェックして」, "check example.com:8443". Every regex here is
linear: bounded repeats over disjoint character classes, no nested quantifiers.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from analyzers import hosts_in_text

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?"
_HOST = rf"(\[[0-9A-Fa-f:.]{{2,45}}\]|{_NAME})"
_PORT = r"(?::(\d{1,5}))?"
_URL = re.compile(rf"\bhttps://{_HOST}{_PORT}(?=[/?#\s]|$|[^\x00-\x7f])", re.I)
_ASK_EN = re.compile(
    rf"\b(?:check|test|probe|inspect|scan|verify)\s+(?:the\s+)?(?:(?:site|server|host|domain)\s+)?"
    rf"(?:https://)?{_HOST}{_PORT}(?![A-Za-z0-9.:-])", re.I)
_ASK_JA = re.compile(
    rf"(?<![A-Za-z0-9.-]){_HOST}{_PORT}\s{{0,3}}(?:の(?:証明書|チェーン|サーバー)?(?:を)?|を)?\s{{0,3}}"
    r"(?:チェック|確認|検査|調べ|診断|テスト)")
_QUESTION_WORDS = (
    "警告", "証明書", "チェーン", "中間", "信頼", "期限", "安全では", "保護されて", "エラー",
    "ssl", "tls", "cert", "chain", "expired", "expire", "not secure", "warning", "untrusted",
    "intermediate", "error", "invalid",
)
_FILE_TLDS = frozenset(
    "crt cer pem der key csr req txt p7b p7c pfx p12 jks log conf cfg ini html htm php js json "
    "xml yml yaml py sh bat md csv crl bak".split())


@dataclass(frozen=True)
class Target:
    host: str
    port: int


def _target(host: str, port: str | None, *, explicit: bool) -> Target | None:
    host = host.lower().rstrip(".")
    number = int(port) if port else 443
    if not 1 <= number <= 65535:
        return None
    bare = host.strip("[]")
    is_ip = ":" in bare or bare.replace(".", "").isdigit()
    if not is_ip:
        if "." not in host and not (explicit and (port or host == "localhost")):
            return None  # "check this" names no host
        if host.rsplit(".", 1)[-1] in _FILE_TLDS:
            return None  # server.crt is a file
    return Target(bare if ":" in bare else host, number)


def asks_about_certificates(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in _QUESTION_WORDS)


def find_targets(text: str, *, pasted: bool = False) -> list[Target]:
    """The servers `text` asks about, in order, without repeats. Next to a pasted
    certificate a named host is the host that certificate must cover, so only an
    explicit request ("check ...") or an https URL with a question counts then."""
    found: list[Target] = []

    def add(t: Target | None) -> None:
        if t is not None and t not in found:
            found.append(t)

    question = asks_about_certificates(text)
    for rx in (_ASK_JA, _ASK_EN):
        for m in rx.finditer(text):
            add(_target(m.group(1), m.group(2), explicit=True))
    if question:
        for m in _URL.finditer(text):
            add(_target(m.group(1), m.group(2), explicit=True))
        if not pasted:
            for host in hosts_in_text(text):
                if host.startswith("*."):
                    continue
                port = re.search(rf"(?<![A-Za-z0-9.-]){re.escape(host)}:(\d{{1,5}})\b", text, re.I)
                add(_target(host, port.group(1) if port else None, explicit=False))
    return found


class RateLimiter:
    """At most `count` live checks per user in a sliding `window` of seconds (per process)."""

    def __init__(self, count: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.count = count
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, user: str, wanted: int) -> int:
        """How many of `wanted` checks `user` may start now (and records them)."""
        now = self.clock()
        with self._lock:
            q = self._seen.setdefault(user, deque())
            while q and now - q[0] >= self.window:
                q.popleft()
            granted = max(0, min(wanted, self.count - len(q)))
            q.extend([now] * granted)
            if len(self._seen) > 10_000:  # forget idle users
                for key in [k for k, v in self._seen.items() if not v][:5_000]:
                    del self._seen[key]
            return granted
