"""Configuration from the environment (and a `.env` file in the working directory)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_loaded = False
# The ports live checks may connect to unless CERTDESK_PROBE_PORTS says otherwise.
DEFAULT_PROBE_PORTS = (443, 8443, 465, 587, 636, 993, 995)


def load_dotenv_once() -> None:
    """Read `.env` from the working directory without overriding real variables."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    if Path(".env").is_file():
        from dotenv import load_dotenv

        load_dotenv(".env", override=False)


def default_database_url() -> str:
    return "sqlite:///" + str(Path.cwd() / "certdesk.db")


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_app_token: str | None
    slack_api_url: str | None
    database_url: str
    escalation_channel: str | None
    leads: frozenset[str]
    lang: str
    kb_path: str | None
    offline: bool = False  # CERTDESK_OFFLINE=1: no network access at all
    cache_dir: str | None = None  # CERTDESK_CACHE_DIR
    probe_allow: tuple[str, ...] = ()  # CERTDESK_PROBE_ALLOW: CIDRs live checks may reach
    probe_ports: tuple[int, ...] = DEFAULT_PROBE_PORTS  # CERTDESK_PROBE_PORTS
    probe_timeout: float = 5.0  # CERTDESK_PROBE_TIMEOUT: seconds per host, everything included
    probe_max_hosts: int = 3  # hosts checked per message
    probe_rate: tuple[int, float] = (10, 600.0)  # CERTDESK_PROBE_RATE "10/600": per user in Slack

    @property
    def resolved_cache_dir(self) -> Path:
        if self.cache_dir:
            return Path(self.cache_dir)
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "certdesk"

    @property
    def lang_code(self) -> Literal["ja", "en"]:
        return "en" if self.lang == "en" else "ja"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = dict(os.environ) if env is None else env
        lang = (e.get("CERTDESK_LANG") or "ja").strip().lower()
        return cls(
            slack_bot_token=e.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=e.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=e.get("SLACK_APP_TOKEN") or None,
            slack_api_url=e.get("SLACK_API_URL") or None,
            database_url=e.get("DATABASE_URL") or default_database_url(),
            escalation_channel=e.get("CERTDESK_ESCALATION_CHANNEL") or None,
            leads=frozenset(
                u.strip() for u in (e.get("CERTDESK_LEADS") or "").split(",") if u.strip()
            ),
            lang="en" if lang.startswith("en") else "ja",
            kb_path=e.get("CERTDESK_KB") or None,
            offline=(e.get("CERTDESK_OFFLINE") or "").strip().lower() in ("1", "true", "yes", "on"),
            cache_dir=e.get("CERTDESK_CACHE_DIR") or None,
            probe_allow=tuple(
                c.strip() for c in (e.get("CERTDESK_PROBE_ALLOW") or "").split(",") if c.strip()
            ),
            probe_ports=parse_ports(e.get("CERTDESK_PROBE_PORTS")),
            probe_timeout=_positive(e.get("CERTDESK_PROBE_TIMEOUT"), 5.0, upper=5.0),
            probe_rate=_rate(e.get("CERTDESK_PROBE_RATE")),
        )


def parse_ports(value: str | None) -> tuple[int, ...]:
    """"443,8443,9000-9010" -> the ports; empty or unusable -> the default list."""
    if not value or not value.strip():
        return DEFAULT_PROBE_PORTS
    ports: list[int] = []
    for part in value.split(","):
        part = part.strip()
        lo, _, hi = part.partition("-")
        try:
            a, b = int(lo), int(hi or lo)
        except ValueError:
            continue
        if 1 <= a <= b <= 65535 and b - a <= 65535:
            ports.extend(p for p in range(a, b + 1) if p not in ports)
    return tuple(ports) or DEFAULT_PROBE_PORTS


def _positive(value: str | None, default: float, *, upper: float) -> float:
    try:
        number = float(value) if value else default
    except ValueError:
        return default
    return min(number, upper) if number > 0 else default


def _rate(value: str | None) -> tuple[int, float]:
    """"10/600": at most 10 live checks per user in 600 seconds."""
    count, _, window = (value or "").partition("/")
    try:
        return (max(1, int(count)), max(1.0, float(window or 600)))
    except ValueError:
        return (10, 600.0)
