"""The Desk: the transport-independent core. Adapters hand it an `Incoming` and render
the `Reply`. It matches questions, analyses pasted certificates, logs both sides through
the Store and escalates what it cannot solve. It never reads the clock: `now` comes in."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.keyhold import KeyHold
from bot.learned import LearnedMatcher
from bot.render_text import render_reply
from bot.types import (
    MAX_MESSAGE_CHARS,
    Answer,
    Candidate,
    EscalationInfo,
    EscalationReason,
    Incoming,
    Lang,
    Reply,
)
from knowledge import Entry, KnowledgeBase, Matcher, MatchResult, detect_lang
from knowledge.matcher import MAX_QUESTION_CHARS

if TYPE_CHECKING:
    from analyzers import Report
    from bot.config import Settings
    from bot.live import Probe
    from bot.livestep import LiveStep
    from bot.store import Store
    from bot.store.records import EscalationRecord, MessageRecord

log = logging.getLogger(__name__)

# Anything between BEGIN/END lines (analyzers.strip_pem_blocks, linear), or a long unbroken
# base64 run, is material, not prose.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{60,}")
_FENCE = re.compile(r"```")
# How often a Desk whose database was down at start tries its migrations again.
SCHEMA_RETRY_SECONDS = 10.0


def prose_of(text: str) -> str:
    """The words around pasted material: what the person actually asked."""
    from analyzers.text import strip_pem_blocks

    return _FENCE.sub(" ", _BASE64_RUN.sub(" ", strip_pem_blocks(text))).strip()


@dataclass
class _Logged:
    ok: bool = True


class Desk:
    def __init__(
        self,
        kb: KnowledgeBase,
        store: Store | None = None,
        *,
        default_lang: Lang = "ja",
        clock: Callable[[], float] = time.monotonic,
        live: LiveStep | None = None,
        matcher: Matcher | None = None,
    ) -> None:
        """`matcher`: the one built from `kb` already (read from the cache), if any."""
        self.base_kb = kb
        self.live = live  # live checks through an injected Probe; None: no network at all
        self.store = store
        self.default_lang: Lang = default_lang
        self._clock = clock
        self._learned = LearnedMatcher(kb, store, clock, base=matcher)
        self._schema_pending = False  # set by from_settings until a migration succeeds
        self._store_required = store is not None
        self._schema_tried = float("-inf")
        self._key_hold = KeyHold()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        kb_path: str | None = None,
        upgrade: bool = True,
        clock: Callable[[], float] = time.monotonic,
        probe: Probe | None = None,
    ) -> Desk:
        """The Desk with the configured knowledge base and Store (migrated on start).
        A database that cannot be reached leaves the Desk answering without a log; it
        retries the migration now and then, so logging resumes when the database does."""
        from bot.store import Store, StoreError

        matcher = cached_matcher(kb_path or settings.kb_path, settings)
        kb = matcher.kb
        store: Store | None = None
        try:
            store = Store(settings.database_url)
        except StoreError as exc:  # a malformed DATABASE_URL: nothing to retry
            log.error("DATABASE_URL is unusable, answering without a log: %s", exc)
        from bot.livestep import LiveStep

        live = LiveStep.from_settings(settings, probe)
        desk = cls(
            kb, store, default_lang=settings.lang_code, clock=clock, live=live, matcher=matcher
        )
        desk._store_required = True
        if store is not None and upgrade:
            desk._schema_pending = True
            desk._ensure_schema()
        return desk

    def _logging_ok_without_store(self) -> bool:
        """No Store is fine for a Desk built without one (`chat --no-log`); for one whose
        database URL was unusable, it is a logging failure the person should hear of."""
        return self.store is not None or not self._store_required

    def _ensure_schema(self) -> None:
        """Apply the migrations if an earlier attempt failed (the database was down)."""
        if not self._schema_pending or self.store is None:
            return
        now = self._clock()
        if now - self._schema_tried < SCHEMA_RETRY_SECONDS:
            return
        self._schema_tried = now
        try:
            self.store.upgrade()
        except Exception as exc:
            log.error("database unavailable, answering without a log: %s", exc)
            return
        self._schema_pending = False

    # -- matching -----------------------------------------------------------------

    @property
    def matcher(self) -> Matcher:
        return self._learned.current()

    def entry(self, entry_id: str, lang: str) -> Answer | None:
        e = self.matcher.kb.get(entry_id)
        return None if e is None else self._answer(e, lang)

    def _answer(self, e: Entry, lang: str) -> Answer:
        kb = self.matcher.kb
        related = tuple(
            Candidate(r.id, r.question(lang), 0.0)
            for r in (kb.get(rid) for rid in e.related)
            if r is not None
        )
        return Answer(
            e.id,
            e.question(lang),
            e.answer(lang),
            related,
            learned=e.learned,
            url=e.url,
            untranslated=not e.has_lang(lang),
        )

    # -- the one entry point adapters call ------------------------------------------

    def handle(self, incoming: Incoming) -> Reply:
        import analyzers

        cut = len(incoming.text) > MAX_MESSAGE_CHARS
        if cut:
            incoming = replace(incoming, text=incoming.text[:MAX_MESSAGE_CHARS])
        reports = self._analyse(incoming)
        held, reports = self._hold_keys(incoming, reports)
        if held is not None:
            incoming = held
        # key material is no question: the matcher and the escalation see only the words
        words = (incoming.text.replace(analyzers.marker(), " ") if held is not None
                 else analyzers.without_keys(incoming.text))
        prose = prose_of(words)[:MAX_QUESTION_CHARS]
        lang: Lang = "ja" if detect_lang(prose, self.default_lang) == "ja" else "en"
        outcome = self.live.run(incoming, reports, pasted=bool(reports)) if self.live else None
        checked = bool(reports) or bool(outcome and outcome.checks)
        result: MatchResult | None = None
        if prose and (not checked or self._worth_matching(prose)):
            result = self.matcher.match(prose, default_lang=lang)
            if result.decision == "none" and (checked or not any(c.isalnum() for c in prose)):
                # "please check this" around a certificate is not a question, and "!!!"
                # is nothing to hand to a person
                result = None
        if result is not None and result.entry is not None:
            # a question that quotes "-----BEGIN CERTIFICATE-----" holds no certificate:
            # the answer is the FAQ's, not "no certificate was found"
            reports = tuple(r for r in reports
                            if r.objects or r.source != "message" or r.private_key_found)
        reply = self._reply(lang, result, reports)
        reason = _escalation_reason(result)
        if outcome is not None:
            from bot.livestep import merge_live

            reply, reason = merge_live(reply, outcome, reason, self.entry)
        if result is None and not checked and not reply.notices:
            # nothing to answer or check (a bare mention, an empty fence): say how to ask
            reply = replace(reply, decision="smalltalk", notices=("help",))
        if cut:
            reply = replace(reply, notices=(*reply.notices, "message_cut"))
        logged = (*reports, *(c.report for c in reply.live))
        return self._log_exchange(incoming, reply, result, logged, reason)

    def _hold_keys(
        self, incoming: Incoming, reports: tuple[Report, ...]
    ) -> tuple[Incoming | None, tuple[Report, ...]]:
        """Part of a key holds the conversation (bot.keyhold); while it is held, runs of
        base64 or hex lines are the key's next part: the message comes back with them
        replaced by the marker (before anything stores or shows it), and flagged."""
        import analyzers

        key = (incoming.transport, incoming.channel, incoming.user)
        held = self._key_hold.take(key, incoming.now)
        if any(r.private_key_found for r in reports):
            self._key_hold.start(key, incoming.now)
            return None, reports
        if not analyzers.encoded_runs(incoming.text):
            return None, reports
        if not held and not self._held_in_store(incoming):
            return None, reports
        text, replaced = analyzers.redact_held(incoming.text)
        if not replaced:
            return None, reports
        self._key_hold.start(key, incoming.now)  # a key in many parts: hold the rest too
        kept = tuple(r for r in reports if r.objects)  # "no certificate found" is moot
        return replace(incoming, text=text), (*kept, analyzers.key_material_report())

    def _held_in_store(self, incoming: Incoming) -> bool:
        """The hold as the database tells it: one of this user's last messages in this
        channel within the window held key material (its stored text has the marker).
        Another worker process may have taken the key's first part."""
        from analyzers.redact import MARKER_PREFIX

        if self.store is None:
            return False
        try:
            texts = self.store.recent_texts(
                transport=incoming.transport, channel=incoming.channel, user=incoming.user,
                since=incoming.now - self._key_hold.window, limit=self._key_hold.messages,
            )
        except Exception as exc:
            log.warning("key hold: recent messages unavailable: %s", exc)
            return False
        return any(MARKER_PREFIX in t for t in texts)

    def _worth_matching(self, prose: str) -> bool:
        return len(self.matcher.index.tokens(prose)) >= 2 or "?" in prose or "?" in prose

    def _analyse(self, incoming: Incoming) -> tuple[Report, ...]:
        import analyzers

        reports: list[Report] = []
        # analyze() finds host names in chat text itself (skipping those inside a pasted
        # certificate); an uploaded file is checked against the hosts the message names.
        if analyzers.has_analysable_content(incoming.text):
            reports.append(analyzers.analyze(incoming.text, now=incoming.now, source="message"))
        hosts = analyzers.hosts_in_text(incoming.text) if incoming.uploads else []
        for up in incoming.uploads:
            host = hosts[0] if hosts else None
            reports.append(analyzers.analyze(up.data, now=incoming.now, host=host, source=up.name))
        return tuple(reports)

    def _reply(self, lang: Lang, result: MatchResult | None, reports: tuple[Report, ...]) -> Reply:
        answer = None
        if result is not None and result.entry is not None:
            answer = self._answer(result.entry, lang)
        candidates: tuple[Candidate, ...] = ()
        if result is not None:
            candidates = tuple(
                Candidate(c.entry.id, c.entry.question(lang), c.score) for c in result.candidates
            )
        return Reply(
            lang=lang,
            text="",
            decision=None if result is None else result.decision,
            answer=answer,
            candidates=candidates,
            reports=reports,
            private_key_pasted=any(r.private_key_found for r in reports),
            # greeting / thanks: the renderer says the matching friendly line
            notices=(result.smalltalk,)
            if result and result.decision == "smalltalk" and result.smalltalk
            else (),
        )

    # -- logging and escalation ------------------------------------------------------

    @contextmanager
    def _logging(self, state: _Logged) -> Iterator[None]:
        """Store failures never stop a reply: they turn into a notice."""
        try:
            yield
        except Exception as exc:
            state.ok = False
            log.error("logging failed: %s", exc)

    def _log_exchange(
        self,
        incoming: Incoming,
        reply: Reply,
        result: MatchResult | None,
        reports: tuple[Report, ...],
        reason: EscalationReason | None,
    ) -> Reply:
        self._ensure_schema()
        state = _Logged(ok=self._logging_ok_without_store())
        message_id: int | None = None
        conv: int | None = None
        escalation: EscalationInfo | None = None
        if self.store is not None:
            store = self.store
            with self._logging(state):
                conv = store.conversation(
                    transport=incoming.transport,
                    channel=incoming.channel,
                    thread=incoming.thread,
                    user=incoming.user,
                    now=incoming.now,
                )
                message_id = store.log_in(
                    conv,
                    user=incoming.user,
                    text=incoming.text,
                    now=incoming.now,
                    lang=reply.lang,
                    external_id=incoming.external_id,
                )
                if result is not None:
                    best = result.best
                    store.record_match(
                        message_id,
                        entry_id=best.entry.id if best else None,
                        score=result.score,
                        decision=result.decision,
                        lang=reply.lang,
                    )
                if reports:
                    store.record_findings(
                        message_id,
                        codes=[f.code for r in reports for f in r.findings],
                        certificates=sum(r.certificates_checked for r in reports),
                    )
                if reason is not None and result is not None:
                    escalation = self._escalate(
                        message_id, reason, result, reply.lang, incoming.now
                    )
        elif reason is not None and result is not None:
            best = result.best
            guess = (
                Candidate(best.entry.id, best.entry.question(reply.lang), best.score)
                if best
                else None
            )
            escalation = EscalationInfo(0, reason, best_guess=guess)
        reply = replace(reply, message_id=message_id, escalation=escalation)
        # something the Store must tell people (its SQLite file was deleted and recreated)
        said = self.store.take_notice() if self.store is not None else None
        if said is not None:
            reply = replace(reply, notices=(*reply.notices, said))
        rendered = render_reply(reply, logged=state.ok, transport=incoming.transport)
        reply = replace(reply, logged=state.ok, text=rendered)
        if self.store is not None and conv is not None and message_id is not None:
            with self._logging(state):
                self.store.log_out(conv, text=reply.text, now=incoming.now, reply_to=message_id)
            if not state.ok:
                rendered = render_reply(reply, logged=False, transport=incoming.transport)
                reply = replace(reply, logged=False, text=rendered)
        return reply

    def _escalate(
        self,
        message_id: int,
        reason: EscalationReason,
        result: MatchResult,
        lang: Lang,
        now: datetime,
    ) -> EscalationInfo:
        assert self.store is not None
        best = result.best
        record = self.store.open_escalation(
            message_id,
            reason=reason,
            now=now,
            best_guess_entry=best.entry.id if best else None,
            best_guess_score=best.score if best else None,
        )
        guess = Candidate(best.entry.id, best.entry.question(lang), best.score) if best else None
        return EscalationInfo(record.id, reason, "open", guess)

    # -- follow-ups from buttons and staff ---------------------------------------------

    def choose(self, message_id: int, entry_id: str, *, user: str, now: datetime) -> Reply:
        """The asker picked one of the offered candidates."""
        lang = self._lang_of(self._message(message_id))
        answer = self.entry(entry_id, lang)
        state = _Logged(ok=self._logging_ok_without_store())
        if self.store is not None and answer is not None:
            with self._logging(state):
                self.store.record_choice(message_id, entry_id=entry_id, user=user, now=now)
        reply = Reply(
            lang=lang,
            text="",
            decision="answer" if answer else "none",
            answer=answer,
            message_id=message_id,
            logged=state.ok,
        )
        return replace(reply, text=render_reply(reply, logged=state.ok))

    def feedback(
        self, message_id: int, helpful: bool, *, user: str, now: datetime, transport: str = "slack"
    ) -> Reply:
        """Helpful / not helpful. Not helpful hands the question to a person."""
        msg = self._message(message_id)  # read once: the language and the best guess
        lang = self._lang_of(msg)
        state = _Logged(ok=self._logging_ok_without_store())
        escalation: EscalationInfo | None = None
        if self.store is not None:
            with self._logging(state):
                self.store.record_feedback(message_id, user=user, helpful=helpful, now=now)
                if not helpful:
                    record = self.store.open_escalation(
                        message_id,
                        reason="not_helpful",
                        now=now,
                        best_guess_entry=msg.match_entry if msg else None,
                        best_guess_score=msg.match_score if msg else None,
                    )
                    escalation = EscalationInfo(record.id, "not_helpful", "open")
        reply = Reply(
            lang=lang,
            text="",
            decision=None,
            message_id=message_id,
            escalation=escalation,
            logged=state.ok,
            notices=("feedback_thanks",) if helpful else ("not_helpful",),
        )
        return replace(reply, text=render_reply(reply, logged=state.ok, transport=transport))

    def cases(self, *, transport: str, channel: str, thread: str) -> list[EscalationRecord]:
        """The escalations raised in one conversation, newest first."""
        if self.store is None:
            return []
        return [
            r
            for r in self.store.escalations(limit=1000)
            if (r.transport, r.channel, r.thread) == (transport, channel, thread)
        ]

    def assign(self, escalation_id: int, *, user: str, now: datetime) -> EscalationRecord:
        assert self.store is not None, "escalations need a database"
        return self.store.assign(escalation_id, user=user, now=now)

    def resolve(
        self, escalation_id: int, *, user: str, answer: str, add_to_faq: bool, now: datetime
    ) -> EscalationRecord:
        assert self.store is not None, "escalations need a database"
        record = self.store.resolve(
            escalation_id, user=user, answer=answer, now=now, add_to_faq=add_to_faq
        )
        if add_to_faq:
            log.info(
                "escalation %s resolved by %s; answer added to the FAQ as %s by %s",
                escalation_id, user, record.learned_entry_id, user,
            )
            self._learned.refresh(force=True)  # answer the same question from it at once
        else:
            log.info("escalation %s resolved by %s", escalation_id, user)
        return record

    def close(
        self, escalation_id: int, *, user: str, now: datetime, note: str | None = None
    ) -> EscalationRecord:
        assert self.store is not None, "escalations need a database"
        return self.store.close(escalation_id, user=user, now=now, note=note)

    def _message(self, message_id: int) -> MessageRecord | None:
        """The logged question, or None without a (working) Store."""
        if self.store is None:
            return None
        try:
            return self.store.message(message_id)
        except Exception:
            return None

    def _lang_of(self, msg: MessageRecord | None) -> Lang:
        if msg is not None and msg.lang in ("ja", "en"):
            return "en" if msg.lang == "en" else "ja"
        return self.default_lang


def _escalation_reason(result: MatchResult | None) -> EscalationReason | None:
    if result is None:
        return None
    if result.decision == "human":
        return "asked_human"
    if result.decision == "none":
        return "no_answer"
    return None


def cached_matcher(kb_path: str | None, settings: Settings) -> Matcher:
    """The matcher of the configured FAQ, from the on-disk cache when it is valid
    (CERTDESK_CACHE_DIR/index/, knowledge/cache.py), else built and cached."""
    from knowledge.cache import load_matcher

    return load_matcher(kb_path, settings.resolved_cache_dir)
