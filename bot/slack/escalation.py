"""Escalation in Slack: the post in the escalation channel, take it, resolve (modal)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot import roles
from bot.config import Settings
from bot.learned import reveal_links
from bot.slack import blocks as bk
from bot.slack import views
from bot.slack.poster import Poster, is_slack_ts
from bot.slack.strings import t
from bot.types import EscalationInfo, Lang

if TYPE_CHECKING:
    from bot.desk import Desk

log = logging.getLogger("bot.slack")


def _lang(value: str | None) -> Lang:
    return "en" if value == "en" else "ja"


class Escalations:
    def __init__(self, settings: Settings, desk: Desk, poster: Poster) -> None:
        self.settings = settings
        self.desk = desk
        self.poster = poster

    @property
    def staff_lang(self) -> Lang:
        """The escalation channel is for staff: CERTDESK_LANG, not the asker's language."""
        return _lang(self.settings.lang)

    def _record(self, escalation_id: int) -> Any:
        store = self.desk.store
        return store.escalation(escalation_id) if store is not None else None

    def _guess_title(self, record: Any, info: EscalationInfo | None = None) -> str | None:
        if info is not None and info.best_guess is not None:
            return info.best_guess.question
        if record.best_guess_entry:
            entry = self.desk.entry(record.best_guess_entry, self.staff_lang)
            return entry.question if entry else str(record.best_guess_entry)
        return None

    def render(self, record: Any, info: EscalationInfo | None = None) -> list[bk.Block]:
        return views.escalation_blocks(
            record,
            lang=self.staff_lang,
            permalink=self.poster.permalink(record.channel, record.external_id),
            best_guess=self._guess_title(record, info),
        )

    def announce(self, info: EscalationInfo, *, event: str | None) -> None:
        """Post a new case to CERTDESK_ESCALATION_CHANNEL and remember where it is."""
        channel = self.settings.escalation_channel
        record = self._record(info.id)
        if channel is None or record is None:
            log.error(
                "escalation %s not posted (event=%s): %s",
                info.id,
                event,
                "CERTDESK_ESCALATION_CHANNEL is not set" if channel is None else "no record",
            )
            return
        if record.post_ts:  # already announced (e.g. a second 👎 on the same case)
            return
        resp = self.poster.call(
            "chat.postMessage",
            event,
            channel=channel,
            text=views.escalation_text(record, self.staff_lang),
            blocks=self.render(record, info),
            unfurl_links=False,
        )
        if resp and resp.get("ts") and self.desk.store is not None:
            self.desk.store.set_escalation_post(
                info.id, channel=str(resp.get("channel") or channel), ts=str(resp["ts"])
            )

    def _refresh(self, record: Any, body: dict[str, Any], event: str) -> None:
        """chat.update the escalation post so it shows the assignee or the resolver."""
        channel = record.post_channel or (body.get("channel") or {}).get("id")
        ts = record.post_ts or (body.get("message") or {}).get("ts")
        if not channel or not ts:
            log.error("escalation %s has no post to update (%s)", record.id, event)
            return
        self.poster.call(
            "chat.update",
            event,
            channel=channel,
            ts=ts,
            text=views.escalation_text(record, self.staff_lang),
            blocks=self.render(record),
        )

    # ---- roles: every lead action is checked here, on the server --------------------

    def permitted(self, user: str | None, action: roles.LeadAction) -> bool:
        return roles.allowed(self.settings.leads, user, action)

    def refuse(self, body: dict[str, Any], user: str, action: roles.LeadAction) -> None:
        """Tell the clicker (only them) that the action is for leads."""
        channel = (body.get("channel") or {}).get("id")
        if channel:
            self.poster.call(
                "chat.postEphemeral",
                f"refuse:{action}",
                channel=channel,
                user=user,
                text=bk.escape(roles.refusal(action)),
            )

    def assign(self, body: dict[str, Any], escalation_id: int, user: str) -> None:
        event = f"assign:{escalation_id}"
        if not self.permitted(user, "take"):
            self.refuse(body, user, "take")
            return
        try:
            record = self.desk.assign(escalation_id, user=user, now=datetime.now(UTC))
        except Exception as exc:  # e.g. resolved meanwhile: tell the clicker, not the channel
            log.warning("assign of escalation %s failed: %s", escalation_id, exc)
            channel = (body.get("channel") or {}).get("id")
            if channel:
                self.poster.call(
                    "chat.postEphemeral",
                    event,
                    channel=channel,
                    user=user,
                    text=bk.escape(f"#{escalation_id}: {exc}"),
                )
            return
        log.info("escalation %s taken by %s", escalation_id, user)
        self._refresh(record, body, event)

    def close(self, body: dict[str, Any], escalation_id: int, user: str) -> None:
        """Close a case without an answer (duplicate, spam); recorded with who did it."""
        event = f"close:{escalation_id}"
        if not self.permitted(user, "close"):
            self.refuse(body, user, "close")
            return
        try:
            record = self.desk.close(escalation_id, user=user, now=datetime.now(UTC))
        except Exception as exc:
            log.warning("close of escalation %s failed: %s", escalation_id, exc)
            channel = (body.get("channel") or {}).get("id")
            if channel:
                self.poster.call(
                    "chat.postEphemeral", event, channel=channel, user=user,
                    text=bk.escape(f"#{escalation_id}: {exc}"),
                )
            return
        log.info("escalation %s closed by %s", escalation_id, user)
        self._refresh(record, body, event)

    def open_resolve(self, body: dict[str, Any], escalation_id: int) -> None:
        user = str((body.get("user") or {}).get("id") or "")
        if not self.permitted(user, "resolve"):
            self.refuse(body, user, "resolve")
            return
        record = self._record(escalation_id)
        question = str(record.question) if record is not None else ""
        self.poster.call(
            "views.open",
            f"resolve:{escalation_id}",
            trigger_id=body["trigger_id"],
            view=views.resolve_modal(escalation_id, self.staff_lang, question),
        )

    def refusal_for_submission(self, user: str, add_to_faq: bool) -> str | None:
        """The modal's error line when `user` may not submit the resolve modal, else None."""
        if not self.permitted(user, "resolve"):
            return roles.short_refusal("resolve")
        if add_to_faq and not self.permitted(user, "add_to_faq"):
            return roles.short_refusal("add_to_faq")
        return None

    def resolve(self, escalation_id: int, user: str, answer: str, add_to_faq: bool) -> Any:
        """Record the resolution (before the modal closes, so a failure can be shown in it)."""
        refused = self.refusal_for_submission(user, add_to_faq)
        if refused is not None:
            raise PermissionError(refused)
        return self.desk.resolve(
            escalation_id, user=user, answer=answer, add_to_faq=add_to_faq, now=datetime.now(UTC)
        )

    def announce_resolution(
        self, body: dict[str, Any], record: Any, user: str, answer: str
    ) -> None:
        """The answer in the asker's thread, and the escalation post marked resolved."""
        event = f"resolve:{record.id}"
        lang = _lang(record.lang)
        text = t("resolved_for_asker", lang, user=user, answer=bk.escape(reveal_links(answer)))
        # a slash-command question has no thread to answer in: use the asker's DM
        in_thread = record.transport == "slack" and is_slack_ts(record.thread)
        self.poster.call(
            "chat.postMessage",
            event,
            channel=record.channel if in_thread else record.asker,
            thread_ts=record.thread if in_thread else None,
            text=text,
            blocks=[bk.section(text, lang)],
            unfurl_links=False,
        )
        self._refresh(record, body, event)
