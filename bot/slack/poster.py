"""The Web API side of the adapter: a retrying WebClient and posts that never fail silently."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.config import Settings
from bot.slack import blocks as bk
from bot.types import Reply

log = logging.getLogger("bot.slack")


def make_client(settings: Settings) -> WebClient:
    """WebClient on SLACK_API_URL that retries 429 (Retry-After) and connection errors."""
    kwargs: dict[str, Any] = {}
    if settings.slack_api_url:
        base = settings.slack_api_url
        kwargs["base_url"] = base if base.endswith("/") else base + "/"
    return WebClient(
        token=settings.slack_bot_token,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=3),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
        **kwargs,
    )


class Poster:
    """Calls that log their failure with the event they belong to, then return None."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def call(self, method: str, event: str | None, **kwargs: Any) -> dict[str, Any] | None:
        payload = {k: v for k, v in kwargs.items() if v is not None}
        try:
            resp = self.client.api_call(method, json=payload)
            return dict(resp.data) if isinstance(resp.data, dict) else {}
        except Exception:  # SlackApiError, retries exhausted, network: log, never lose silently
            log.exception(
                "Slack %s failed (event=%s channel=%s)", method, event, kwargs.get("channel")
            )
            return None

    def post_reply(
        self,
        reply: Reply,
        *,
        channel: str,
        thread_ts: str | None,
        event: str | None,
        entry_title: bk.EntryTitle,
        extra: tuple[str, ...] = (),
    ) -> dict[str, Any] | None:
        blocks = bk.reply_blocks(reply, entry_title, extra=extra)
        return self.call(
            "chat.postMessage",
            event,
            channel=channel,
            thread_ts=thread_ts,
            text=bk.fallback_text(reply),
            blocks=blocks,
            unfurl_links=False,
        )

    def permalink(self, channel: str, ts: str | None) -> str | None:
        if not ts or not _is_slack_ts(ts):
            return None
        try:
            resp = self.client.chat_getPermalink(channel=channel, message_ts=ts)
            link = resp.get("permalink")
            return str(link) if link else None
        except Exception:
            log.warning("chat.getPermalink failed for %s/%s", channel, ts, exc_info=True)
            return None


def _is_slack_ts(value: str) -> bool:
    head, _, tail = value.partition(".")
    return head.isdigit() and tail.isdigit()


def is_slack_ts(value: str | None) -> bool:
    return bool(value) and _is_slack_ts(str(value))
