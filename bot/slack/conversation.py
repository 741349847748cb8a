"""Messages, buttons, the slash command and App Home: Slack payloads in, Desk calls out."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import roles
from bot.config import Settings
from bot.slack import blocks as bk
from bot.slack import views
from bot.slack.escalation import Escalations
from bot.slack.files import Skipped, fetch_uploads
from bot.slack.poster import Poster
from bot.slack.strings import t
from bot.types import Incoming, Lang, Reply, Upload
from knowledge.normalize import detect_lang

if TYPE_CHECKING:
    from bot.desk import Desk

log = logging.getLogger("bot.slack")

# message subtypes that carry a new question; edits, deletions, joins and bot posts do not
NEW_MESSAGE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
# linear: a link's parts never hold "<" (Slack sends it as &lt;), so each "<" looks only
# as far as the next one, and at most a few thousand characters ahead
_LINK = re.compile(r"<((?:https?|mailto):[^|<>]{1,3000})(?:\|([^<>]{0,3000}))?>")


def slack_text_to_plain(text: str, bot_user_id: str | None) -> str:
    """Strip the bot's mention, turn Slack links back into their text, unescape & < >."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]{{0,200}})?>", " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    return bk.unescape(text).strip()


def guess_lang(text: str, default: str) -> Lang:
    """The reply language of a text (the knowledge package's rule: kana or kanji = ja)."""
    return "en" if detect_lang(text, default) == "en" else "ja"


class Conversation:
    def __init__(self, settings: Settings, desk: Desk, poster: Poster) -> None:
        self.settings = settings
        self.desk = desk
        self.poster = poster
        self.escalations = Escalations(settings, desk, poster)
        # fallback dedupe when the Desk runs without a Store (it normally has one)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seen_lock = threading.Lock()

    # ---- helpers -------------------------------------------------------------------

    def entry_title(self, lang: Lang) -> bk.EntryTitle:
        def title(entry_id: str) -> str | None:
            entry = self.desk.entry(entry_id, lang)
            return entry.question if entry is not None else None

        return title

    def claim(self, key: str, now: datetime) -> bool:
        """True exactly once per key, across workers when the Store is there."""
        store = self.desk.store
        if store is not None:
            try:  # bounded by the Store's dedupe timeout
                return bool(store.claim_event(key, now=now))
            except Exception as exc:  # a broken or frozen database must not silence the bot
                log.warning("event dedupe failed for %s, answering anyway: %s", key, exc)
                return True
        with self._seen_lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > 10_000:
                self._seen.popitem(last=False)
            return True

    def deliver(
        self,
        reply: Reply,
        *,
        channel: str,
        thread_ts: str | None,
        event: str | None,
        extra: tuple[str, ...] = (),
    ) -> None:
        """Announce the case first (when the reply escalates) so that the asker is told
        the truth about the hand-off, then post the reply's messages."""
        failed = False
        if reply.escalation is not None:
            failed = not self.escalations.announce(reply.escalation, event=event)
        pages = bk.reply_pages(
            reply, self.entry_title(reply.lang), extra, escalation_failed=failed
        )
        self.poster.post_pages(
            pages, channel=channel, thread_ts=thread_ts, event=event, text=bk.fallback_text(reply)
        )

    # ---- messages ------------------------------------------------------------------

    def on_message(
        self, body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None
    ) -> None:
        """An app_mention or a DM: answer it once, in its thread."""
        if event.get("subtype") not in NEW_MESSAGE_SUBTYPES or event.get("bot_id"):
            return
        user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
        if not user or not channel or not ts or user == bot_user_id:
            return
        now = datetime.now(UTC)
        event_id = str(body.get("event_id") or f"{channel}:{ts}")
        # event_id catches retries; channel:ts catches one message delivered as two events
        if not self.claim(event_id, now) or not self.claim(f"msg:{channel}:{ts}", now):
            log.info("duplicate event %s ignored", event_id)
            return
        thread_ts = event.get("thread_ts") or ts
        text = slack_text_to_plain(str(event.get("text") or ""), bot_user_id)
        uploads: list[Upload] = []
        skipped: list[Skipped] = []
        if event.get("files") and self.settings.slack_bot_token:
            uploads, skipped = fetch_uploads(
                event["files"],
                token=self.settings.slack_bot_token,
                api_url=self.settings.slack_api_url,
                file_info=self._file_info,
            )
        lang = guess_lang(text, self.settings.lang)
        extra = tuple(_skipped_note(s, lang) for s in skipped)
        if not text and not uploads:
            usage = Reply(lang=lang, text=t("usage", lang), logged=False)
            self.deliver(usage, channel=channel, thread_ts=thread_ts, event=event_id, extra=extra)
            return
        incoming = Incoming(
            text=text,
            now=now,
            user=str(user),
            channel=str(channel),
            thread=str(thread_ts),
            transport="slack",
            uploads=tuple(uploads),
            external_id=str(ts),
        )
        try:
            reply = self.desk.handle(incoming)
        except Exception:
            log.exception("Desk failed on event %s", event_id)
            reply = Reply(lang=lang, text=t("error", lang), logged=False)
        self.deliver(reply, channel=channel, thread_ts=thread_ts, event=event_id, extra=extra)

    def _file_info(self, file_id: str) -> dict[str, Any] | None:
        resp = self.poster.call("files.info", f"file:{file_id}", file=file_id)
        return dict(resp["file"]) if resp and isinstance(resp.get("file"), dict) else None

    # ---- buttons -------------------------------------------------------------------

    def _answer_action(
        self, body: dict[str, Any], reply: Reply, respond: Callable[..., Any]
    ) -> None:
        """Reply to a button: in the thread, or through response_url when it was ephemeral."""
        container = body.get("container") or {}
        if container.get("is_ephemeral"):
            self._respond_reply(reply, respond, event=body.get("trigger_id"))
            return
        message = body.get("message") or {}
        channel = str((body.get("channel") or {}).get("id") or container.get("channel_id"))
        thread_ts = message.get("thread_ts") or container.get("thread_ts") or message.get("ts")
        self.deliver(reply, channel=channel, thread_ts=thread_ts, event=body.get("trigger_id"))

    def on_choose(self, body: dict[str, Any], value: str, respond: Callable[..., Any]) -> None:
        message_id, _, entry_id = value.partition("|")
        if not entry_id:
            return
        if not message_id:  # the question was not logged: just show the entry
            self.on_show(body, f"{entry_id}|{self.settings.lang}", respond)
            return
        reply = self.desk.choose(
            int(message_id), entry_id, user=body["user"]["id"], now=datetime.now(UTC)
        )
        self._answer_action(body, reply, respond)

    def on_show(self, body: dict[str, Any], value: str, respond: Callable[..., Any]) -> None:
        entry_id, _, lang_s = value.partition("|")
        lang: Lang = "en" if lang_s == "en" else "ja"
        entry = self.desk.entry(entry_id, lang)
        if entry is None:
            return
        text = f"{entry.question}\n{entry.answer}"
        reply = Reply(lang=lang, text=text, answer=entry, logged=False)
        self._answer_action(body, reply, respond)

    def on_feedback(
        self, body: dict[str, Any], value: str, helpful: bool, respond: Callable[..., Any]
    ) -> None:
        user = body["user"]["id"]
        reply = self.desk.feedback(int(value), helpful, user=user, now=datetime.now(UTC))
        if reply.escalation is not None:
            self._answer_action(body, reply, respond)
            return
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        text = reply.text or t("thanks_feedback", reply.lang)
        if channel and not (body.get("container") or {}).get("is_ephemeral"):
            self.poster.call_or_queue(
                "chat.postEphemeral",
                body.get("trigger_id"),
                channel=channel,
                user=user,
                thread_ts=message.get("thread_ts") or message.get("ts"),
                text=bk.escape(text),
            )
        else:
            respond(text=bk.escape(text), response_type="ephemeral", replace_original=False)

    # ---- slash command -------------------------------------------------------------

    def command_ack(self, command: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
        """(immediate ephemeral response, whether work follows the ack)."""
        text = str(command.get("text") or "").strip()
        sub, _, rest = text.partition(" ")
        sub = sub.lower()
        user = str(command.get("user_id") or "")
        lang = guess_lang(rest if sub in ("ask", "check", "help") else text, self.settings.lang)
        is_lead = roles.is_lead(self.settings.leads, user)
        if sub in ("", "help"):
            usage = t("usage", lang) + ("\n" + t("lead_usage", lang) if is_lead else "")
            return {"text": usage, "response_type": "ephemeral"}, False
        if sub == "check":
            return {"text": t("check_help", lang), "response_type": "ephemeral"}, False
        if sub in ("unanswered", "stats"):
            action: roles.LeadAction = "stats" if sub == "stats" else "unanswered"
            if not roles.allowed(self.settings.leads, user, action):
                # the command word says nothing about language: say both
                refusal = t("lead_only", "ja", cmd=sub) + "\n" + t("lead_only", "en", cmd=sub)
                return {"text": refusal, "response_type": "ephemeral"}, False
            return None, True
        if sub == "ask" and not rest.strip():
            return {"text": t("ask_usage", lang), "response_type": "ephemeral"}, False
        return None, True

    def on_command(self, command: dict[str, Any], respond: Callable[..., Any]) -> None:
        """Work after the ack: ask (anything not a sub-command is a question), lead reports."""
        text = str(command.get("text") or "").strip()
        sub, _, rest = text.partition(" ")
        now = datetime.now(UTC)
        lang = guess_lang(rest if sub.lower() == "ask" else text, self.settings.lang)
        if sub.lower() in ("stats", "unanswered"):
            lang = "en" if self.settings.lang == "en" else "ja"
            # checked again after the ack: lead reports never leave without the role
            if not roles.allowed(self.settings.leads, str(command.get("user_id") or ""), "stats"):
                respond(text=roles.refusal("stats"), response_type="ephemeral")
                return
        if sub.lower() == "stats":
            stats = self.stats(now)
            respond(text=t("home_stats", lang) + "\n" + views.format_stats(stats, lang))
            return
        if sub.lower() == "unanswered":
            groups = self.unanswered(now)
            respond(text=t("home_unanswered", lang) + "\n" + views.format_unanswered(groups, lang))
            return
        question = rest if sub.lower() == "ask" else text
        incoming = Incoming(
            text=bk.unescape(question),
            now=now,
            user=str(command.get("user_id")),
            channel=str(command.get("channel_id")),
            thread=f"slash:{command.get('trigger_id')}",
            transport="slack",
        )
        try:
            reply = self.desk.handle(incoming)
        except Exception:
            log.exception("Desk failed on /certdesk ask")
            respond(text=t("error", lang), response_type="ephemeral")
            return
        self._respond_reply(reply, respond, event=str(command.get("trigger_id")))

    def _respond_reply(
        self, reply: Reply, respond: Callable[..., Any], *, event: str | None
    ) -> None:
        """An ephemeral reply through the response_url, after announcing its escalation."""
        failed = False
        if reply.escalation is not None:
            failed = not self.escalations.announce(reply.escalation, event=event)
        pages = bk.reply_pages(reply, self.entry_title(reply.lang), escalation_failed=failed)
        self.poster.respond_pages(
            respond,
            pages,
            text=bk.fallback_text(reply),
            response_type="ephemeral",
            replace_original=False,
        )

    # ---- lead data -----------------------------------------------------------------

    def stats(self, now: datetime) -> dict[str, Any] | None:
        store = self.desk.store
        if store is None:
            return None
        try:
            return dict(store.report_stats(since=now - timedelta(days=7), now=now))
        except Exception:
            log.exception("report_stats failed")
            return None

    def unanswered(self, now: datetime) -> list[tuple[str, int]]:
        store = self.desk.store
        if store is None:
            return []
        try:
            from bot.reports import group_unanswered, lemma_features, normaliser

            # grouped exactly as `certdesk report unanswered` groups them
            rows = store.unanswered_questions(since=now - timedelta(days=7))
            groups = group_unanswered(rows, normaliser(), None, features=lemma_features())
            return [(g.question, g.count) for g in groups]
        except Exception:
            log.exception("unanswered groups failed")
            return []

    def on_home(self, event: dict[str, Any]) -> None:
        user = str(event.get("user") or "")
        if not user or event.get("tab", "home") != "home":
            return
        lang: Lang = "en" if self.settings.lang == "en" else "ja"
        is_lead = roles.is_lead(self.settings.leads, user)  # the lead parts only for leads
        now = datetime.now(UTC)
        cases = self._open_escalations() if is_lead else []
        view = views.home_view(
            lang,
            is_lead=is_lead,
            stats=self.stats(now) if is_lead else None,
            open_escalations=cases,
            open_total=len(cases),
            unanswered=self.unanswered(now) if is_lead else (),
        )
        self.poster.call_or_queue("views.publish", f"home:{user}", user_id=user, view=view)

    def _open_escalations(self) -> list[Any]:
        store = self.desk.store
        if store is None:
            return []
        try:
            return list(store.escalations(open_only=True, limit=10_000))
        except Exception:
            log.exception("escalations() failed")
            return []


def _skipped_note(s: Skipped, lang: Lang) -> str:
    key = {
        "ext": "file_skipped_ext",
        "size": "file_skipped_size",
        "not_a_file": "file_not_a_file",
    }.get(s.why, "file_failed")
    return t(key, lang, name=s.name)
