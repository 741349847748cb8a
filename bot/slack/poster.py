"""The Web API side of the adapter: a retrying WebClient, and posts that never fail
silently. A message Slack refuses for its blocks is posted again as plain text; one
still rate-limited after the client's retries goes to the RetryQueue; a long reply is
posted as several messages in one thread."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.config import Settings
from bot.slack import kit
from bot.slack.retry import RetryQueue

log = logging.getLogger("bot.slack")

# Slack refuses the blocks, not the message: the same content goes out as `text`
BLOCK_ERRORS = frozenset(
    {"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "too_many_blocks"}
)
TEXT_ERRORS = frozenset({"msg_too_long"})
SMALL_TEXT = 1_000  # the pieces of a text Slack found too long anyway
DEFAULT_RETRY_AFTER = 30.0


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


@dataclass(frozen=True)
class Result:
    """A Web API answer: `data` when ok, else Slack's error code (or the exception's
    name) and, for 429, the seconds Slack asked to wait."""

    data: dict[str, Any] | None
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.data is not None and self.error is None

    @property
    def ts(self) -> str | None:
        ts = (self.data or {}).get("ts")
        return str(ts) if ts else None


def _retry_after(exc: SlackApiError) -> float:
    headers = getattr(exc.response, "headers", None) or {}
    for key in ("Retry-After", "retry-after"):
        value = headers.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        try:
            return max(1.0, float(value)) if value is not None else DEFAULT_RETRY_AFTER
        except (TypeError, ValueError):
            continue
    return DEFAULT_RETRY_AFTER


class _Delivery:
    """The messages of one reply, posted in order from where the last attempt stopped."""

    def __init__(
        self, poster: Poster, pages: Sequence[kit.Page], texts: Sequence[str], **where: Any
    ) -> None:
        self.poster = poster
        self.pages = list(pages)
        self.texts = list(texts)
        self.where = where
        self.next = 0
        self.first: Result | None = None

    def run(self) -> Result:
        while self.next < len(self.pages):
            i = self.next
            result = self.poster._post_page(self.pages[i], self.texts[i], **self.where)
            if not result.ok:
                return result
            if self.first is None:
                self.first = result
                if not self.where.get("thread_ts"):  # the rest goes in its thread
                    self.where["thread_ts"] = result.ts
            self.next += 1
        return self.first or Result({})


class Poster:
    """Calls that log their failure with the event they belong to."""

    def __init__(self, client: WebClient, retry: RetryQueue | None = None) -> None:
        self.client = client
        self.retry = retry or RetryQueue()

    def api(self, method: str, event: str | None, **kwargs: Any) -> Result:
        payload = {k: v for k, v in kwargs.items() if v is not None}
        try:
            resp = self.client.api_call(method, json=payload)
            return Result(dict(resp.data) if isinstance(resp.data, dict) else {})
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown_error")
            wait = _retry_after(exc) if error == "ratelimited" else None
            log.error(
                "Slack %s failed (event=%s channel=%s): %s",
                method,
                event,
                kwargs.get("channel"),
                error,
            )
            return Result(None, error, wait)
        except Exception as exc:  # retries exhausted on the network: log, never lose silently
            log.exception(
                "Slack %s failed (event=%s channel=%s)", method, event, kwargs.get("channel")
            )
            return Result(None, type(exc).__name__)

    def call(self, method: str, event: str | None, **kwargs: Any) -> dict[str, Any] | None:
        result = self.api(method, event, **kwargs)
        return result.data if result.ok else None

    def call_or_queue(self, method: str, event: str | None, **kwargs: Any) -> Result:
        """A call that can be made again later (chat.update, views.publish, ...): still
        rate-limited after the client's retries, it is queued for after the wait."""
        result = self.api(method, event, **kwargs)
        if result.error == "ratelimited":

            def job() -> float | None:
                again = self.api(method, event, **kwargs)
                if again.error == "ratelimited":
                    return again.retry_after or DEFAULT_RETRY_AFTER
                return None

            log.warning("%s (event=%s): still rate-limited after retries; queued", method, event)
            self.retry.schedule(f"{method}:{event}", job, result.retry_after or DEFAULT_RETRY_AFTER)
        return result

    # ---- messages ------------------------------------------------------------------

    def post_pages(
        self,
        pages: Sequence[kit.Page],
        *,
        channel: str,
        thread_ts: str | None,
        event: str | None,
        text: str,
        queue: bool = True,
    ) -> Result:
        """Post a reply's messages; the first carries `text`, the others their own text.
        Rate-limited past the client's retries: the rest is queued and posted later
        (unless `queue` is False: the caller retries itself)."""
        texts = [text] + [mrkdwn_text(p) for p in pages[1:]]
        delivery = _Delivery(
            self, pages, texts, channel=channel, thread_ts=thread_ts, event=event
        )
        result = delivery.run()
        if result.error == "ratelimited" and queue:
            self._queue(f"post:{event}:{channel}", delivery, result.retry_after)
        return result

    def _queue(self, name: str, delivery: _Delivery, wait: float | None) -> None:
        def job() -> float | None:
            again = delivery.run()
            if again.error == "ratelimited":
                return again.retry_after or DEFAULT_RETRY_AFTER
            return None

        log.warning("%s: still rate-limited after retries; queued", name)
        self.retry.schedule(name, job, wait or DEFAULT_RETRY_AFTER)

    def _post_page(
        self, page: kit.Page, text: str, *, channel: str, thread_ts: str | None, event: str | None
    ) -> Result:
        result = self.api(
            "chat.postMessage",
            event,
            channel=channel,
            thread_ts=thread_ts,
            text=text,
            blocks=page,
            unfurl_links=False,
        )
        if result.error in BLOCK_ERRORS or result.error in TEXT_ERRORS:
            log.warning("Slack refused a message (%s): posting it as plain text", result.error)
            return self.post_plain(
                kit.page_text(page),
                channel=channel,
                thread_ts=thread_ts,
                event=event,
                limit=SMALL_TEXT if result.error in TEXT_ERRORS else kit.MAX_TEXT,
            )
        return result

    def post_plain(
        self,
        text: str,
        *,
        channel: str,
        thread_ts: str | None,
        event: str | None,
        limit: int = kit.MAX_TEXT,
    ) -> Result:
        """`text` as messages without blocks, cut where sections are cut."""
        first: Result | None = None
        for chunk in kit.text_chunks(text, limit):
            result = self.api(
                "chat.postMessage",
                event,
                channel=channel,
                thread_ts=thread_ts,
                text=chunk,
                unfurl_links=False,
            )
            if result.error in TEXT_ERRORS and limit > SMALL_TEXT:
                result = self.post_plain(
                    chunk, channel=channel, thread_ts=thread_ts, event=event, limit=SMALL_TEXT
                )
            if not result.ok:
                return result
            if first is None:
                first = result
                thread_ts = thread_ts or result.ts
        return first or Result({})

    def update(
        self, *, channel: str, ts: str, blocks: kit.Page, text: str, event: str | None
    ) -> Result:
        """chat.update; refused for its blocks: the same content as text only."""
        result = self.call_or_queue(
            "chat.update", event, channel=channel, ts=ts, text=text, blocks=blocks
        )
        if result.error in BLOCK_ERRORS:
            log.warning("Slack refused an update (%s): updating it as plain text", result.error)
            plain = kit.text_chunks(kit.page_text(blocks), kit.MAX_TEXT)[0]
            result = self.call_or_queue(
                "chat.update", event, channel=channel, ts=ts, text=plain, blocks=[]
            )
        return result

    def respond_pages(
        self,
        respond: Callable[..., Any],
        pages: Sequence[kit.Page],
        *,
        text: str,
        **kwargs: Any,
    ) -> bool:
        """Post through a response_url (ephemeral replies); refused blocks go as text."""
        ok = True
        for i, page in enumerate(pages):
            first_text = text if i == 0 else mrkdwn_text(page)
            if _respond_ok(respond, text=first_text, blocks=page, **kwargs):
                continue
            log.warning("response_url refused a message: posting it as plain text")
            for chunk in kit.text_chunks(kit.page_text(page)):
                ok = _respond_ok(respond, text=chunk, **kwargs) and ok
        return ok

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


def mrkdwn_text(page: kit.Page) -> str:
    """The `text` of a message that continues a reply: the start of its own content."""
    return kit.text_chunks(kit.page_text(page), kit.MAX_SUMMARY)[0]


def _respond_ok(respond: Callable[..., Any], **kwargs: Any) -> bool:
    try:
        resp = respond(**kwargs)
    except Exception:
        log.exception("response_url post failed")
        return False
    status = getattr(resp, "status_code", 200)
    body = str(getattr(resp, "body", "ok") or "")
    return status == 200 and '"ok": false' not in body and '"ok":false' not in body


def _is_slack_ts(value: str) -> bool:
    head, _, tail = value.partition(".")
    return head.isdigit() and tail.isdigit()


def is_slack_ts(value: str | None) -> bool:
    return bool(value) and _is_slack_ts(str(value))
