"""Escalation in Slack: the post in the escalation channel, take it, resolve (modal).

An announcement the channel refuses (`not_in_channel`, a rate limit past the client's
retries, ...) leaves the case open in the Store with no post (its post_ts stays empty):
the asker is told so, the announcement is retried with growing waits, and a periodic
sweep picks up cases a restarted process had left unannounced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import roles
from bot.config import Settings
from bot.learned import reveal_links
from bot.slack import kit, views
from bot.slack.mrkdwn import escape
from bot.slack.poster import Poster, Result, is_slack_ts
from bot.slack.strings import t
from bot.types import EscalationInfo, Lang

if TYPE_CHECKING:
    from bot.desk import Desk

log = logging.getLogger("bot.slack")

ANNOUNCE_RETRY_S = (30.0, 120.0, 600.0, 1800.0, 3600.0)
SWEEP_EVERY_S = 600.0
SWEEP_MIN_AGE = timedelta(minutes=5)  # younger cases are still being announced
SWEEP_MAX_AGE = timedelta(days=7)
CLAIM_WINDOW_S = 60.0  # one announcement attempt per case and minute, across workers


def _lang(value: str | None) -> Lang:
    return "en" if value == "en" else "ja"


def asker_place(record: Any) -> tuple[str, str | None]:
    """Where to tell the asker: their thread, or their DM for a slash-command question
    (it has no thread)."""
    in_thread = record.transport == "slack" and is_slack_ts(record.thread)
    return (record.channel, record.thread) if in_thread else (record.asker, None)


class Escalations:
    def __init__(self, settings: Settings, desk: Desk, poster: Poster) -> None:
        self.settings = settings
        self.desk = desk
        self.poster = poster
        self._retrying: set[int] = set()
        # the adapter's clock (tests pin it alongside the RetryQueue's)
        self.wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC)

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

    def render(self, record: Any, info: EscalationInfo | None = None) -> list[kit.Block]:
        return views.escalation_blocks(
            record,
            lang=self.staff_lang,
            permalink=self.poster.permalink(record.channel, record.external_id),
            best_guess=self._guess_title(record, info),
        )

    # ---- announcing ----------------------------------------------------------------

    def announce(self, info: EscalationInfo, *, event: str | None) -> bool:
        """Post a new case to CERTDESK_ESCALATION_CHANNEL and remember where it is.
        False when it could not be posted: the case stays open and a retry is queued."""
        if self._post_announcement(info.id, info, event):
            return True
        self._queue_retry(info.id)
        return False

    def _post_announcement(
        self, esc_id: int, info: EscalationInfo | None, event: str | None
    ) -> bool:
        channel = self.settings.escalation_channel
        record = self._record(esc_id)
        if record is None:
            log.error("escalation %s not posted (event=%s): no record", esc_id, event)
            return False
        if record.post_ts or record.status not in ("open", "assigned"):
            return True  # already announced (a second 👎 on the same case), or done
        if channel is None:
            log.error("escalation %s not posted: CERTDESK_ESCALATION_CHANNEL is not set", esc_id)
            return False
        result: Result = self.poster.post_pages(
            [self.render(record, info)],
            channel=channel,
            thread_ts=None,
            event=event,
            text=views.escalation_text(record, self.staff_lang),
            queue=False,
        )
        if not result.ok or not result.ts:
            log.error("escalation %s not posted to %s: %s", esc_id, channel, result.error)
            return False
        if self.desk.store is not None:
            posted_in = str((result.data or {}).get("channel") or channel)
            self.desk.store.set_escalation_post(esc_id, channel=posted_in, ts=result.ts)
        return True

    def _queue_retry(self, esc_id: int) -> None:
        if esc_id in self._retrying:
            return
        self._retrying.add(esc_id)
        attempts = [0]

        def job() -> float | None:
            attempts[0] += 1
            if not self._claim(esc_id):  # another worker is at it this minute: look again
                return ANNOUNCE_RETRY_S[min(attempts[0], len(ANNOUNCE_RETRY_S) - 1)]
            if self._post_announcement(esc_id, None, f"announce-retry:{esc_id}"):
                self._retrying.discard(esc_id)
                self._tell_asker_late(esc_id)
                return None
            if attempts[0] >= len(ANNOUNCE_RETRY_S):  # from here on the sweep tries it
                log.error("escalation %s still not announced; left to the sweep", esc_id)
                self._retrying.discard(esc_id)
                return None
            return ANNOUNCE_RETRY_S[attempts[0]]

        self.poster.retry.schedule(
            f"announce:{esc_id}",
            job,
            ANNOUNCE_RETRY_S[0],
            on_drop=lambda: self._retrying.discard(esc_id),  # the sweep takes over
        )

    def _claim(self, esc_id: int) -> bool:
        """One worker per case and minute tries to announce it (the Store's event dedupe):
        a retry here and a sweep in another worker do not both post it."""
        store = self.desk.store
        if store is None:
            return True
        now = self.wall_clock()
        bucket = int(now.timestamp() // CLAIM_WINDOW_S)
        try:
            return bool(store.claim_event(f"announce:{esc_id}:{bucket}", now=now))
        except Exception:
            log.exception("claim for announcing escalation %s failed; trying anyway", esc_id)
            return True

    def _tell_asker_late(self, esc_id: int) -> None:
        record = self._record(esc_id)
        if record is None:
            return
        lang = _lang(record.lang)
        channel, thread = asker_place(record)
        text = t("escalation_late", lang, id=esc_id)
        self.poster.post_pages(
            [kit.sections(text)], channel=channel, thread_ts=thread, event=None, text=text
        )

    def start_sweep(self, delay: float = 60.0) -> None:
        """Every SWEEP_EVERY_S, announce open cases that have no post yet."""

        def job() -> float | None:
            try:
                self.sweep(self.wall_clock())
            except Exception:
                log.exception("escalation sweep failed")
            return SWEEP_EVERY_S

        self.poster.retry.schedule("escalation-sweep", job, delay)

    def sweep(self, now: datetime) -> list[int]:
        """Announce the open Slack cases without a post, between SWEEP_MIN_AGE and
        SWEEP_MAX_AGE old; returns the ids announced."""
        store = self.desk.store
        if store is None or self.settings.escalation_channel is None:
            return []
        done: list[int] = []
        for record in store.escalations(open_only=True, limit=1000):
            age = now - record.created_at.replace(tzinfo=record.created_at.tzinfo or UTC)
            if record.transport != "slack":  # the terminal chat's cases are not announced
                continue
            if record.post_ts or not SWEEP_MIN_AGE <= age <= SWEEP_MAX_AGE:
                continue
            if record.id in self._retrying or not self._claim(record.id):
                continue
            if self._post_announcement(record.id, None, f"announce-sweep:{record.id}"):
                done.append(record.id)
                self._tell_asker_late(record.id)
        return done

    # ---- the case's life -------------------------------------------------------------

    def _refresh(self, record: Any, body: dict[str, Any], event: str) -> None:
        """chat.update the escalation post so it shows the assignee or the resolver."""
        channel = record.post_channel or (body.get("channel") or {}).get("id")
        ts = record.post_ts or (body.get("message") or {}).get("ts")
        if not channel or not ts:
            log.error("escalation %s has no post to update (%s)", record.id, event)
            return
        self.poster.update(
            channel=channel,
            ts=ts,
            text=views.escalation_text(record, self.staff_lang),
            blocks=self.render(record),
            event=event,
        )

    def _tell_staff(self, user: str, channel: str | None, text: str, event: str) -> None:
        """An ephemeral note to one person in the escalation channel, else their DM."""
        if channel:
            self.poster.call("chat.postEphemeral", event, channel=channel, user=user, text=text)
        else:
            self.poster.call("chat.postMessage", event, channel=user, text=text)

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
                text=escape(roles.refusal(action)),
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
                self._tell_staff(user, channel, escape(f"#{escalation_id}: {exc}"), event)
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
            self._tell_staff(user, channel, escape(f"#{escalation_id}: {exc}"), event)
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
        """Record the resolution (the matcher learns the answer when add_to_faq). The
        handler has checked the role before its ack; checked again here, on the server."""
        refused = self.refusal_for_submission(user, add_to_faq)
        if refused is not None:
            raise PermissionError(refused)
        return self.desk.resolve(
            escalation_id, user=user, answer=answer, add_to_faq=add_to_faq, now=datetime.now(UTC)
        )

    def resolve_after_ack(
        self, body: dict[str, Any], escalation_id: int, user: str, answer: str, add_to_faq: bool
    ) -> None:
        """The work behind a submitted resolve modal, after the modal was acked (closed):
        resolve, then tell the asker and update the post; a failure is told to the lead."""
        event = f"resolve:{escalation_id}"
        try:
            record = self.resolve(escalation_id, user, answer, add_to_faq)
        except Exception as exc:  # already resolved, database down: tell the lead
            log.exception("resolving escalation %s failed", escalation_id)
            known = self._safe_record(escalation_id)
            channel = known.post_channel if known is not None else None
            text = t("resolve_failed", self.staff_lang, id=escalation_id)
            self._tell_staff(user, channel, text + escape(f" ({type(exc).__name__}: {exc})"), event)
            return
        self.announce_resolution(body, record, user, answer)

    def _safe_record(self, escalation_id: int) -> Any:
        try:
            return self._record(escalation_id)
        except Exception:
            return None

    def announce_resolution(
        self, body: dict[str, Any], record: Any, user: str, answer: str
    ) -> None:
        """The answer in the asker's thread, and the escalation post marked resolved."""
        event = f"resolve:{record.id}"
        lang = _lang(record.lang)
        text = t("resolved_for_asker", lang, user=user, answer=escape(reveal_links(answer)))
        channel, thread = asker_place(record)
        composer = kit.Composer(lang)
        composer.extend(kit.sections(text))
        self.poster.post_pages(
            composer.result(),
            channel=channel,
            thread_ts=thread,
            event=event,
            text=kit.text_chunks(text, kit.MAX_SUMMARY)[0],
        )
        self._refresh(record, body, event)
