"""Configuration from the environment (and a `.env` file in the working directory)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_loaded = False


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
        )
