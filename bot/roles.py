"""Roles: which actions only support leads (CERTDESK_LEADS) may take, and the refusal
that everyone else gets. Adapters call `allowed()` in the handler of every lead action,
on the server, whatever their UI shows or hides."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Literal

log = logging.getLogger(__name__)

LeadAction = Literal["take", "resolve", "close", "add_to_faq", "unanswered", "stats", "home"]

# action: (ja, en) names used in the refusal
_NAMES: dict[str, tuple[str, str]] = {
    "take": ("エスカレーションの担当", "taking an escalation"),
    "resolve": ("エスカレーションの解決", "resolving an escalation"),
    "close": ("エスカレーションのクローズ", "closing an escalation"),
    "add_to_faq": ("FAQへの追加", "adding an answer to the FAQ"),
    "unanswered": ("未回答の質問の一覧", "the unanswered questions report"),
    "stats": ("統計", "the stats report"),
    "home": ("リード用の App Home", "the leads' part of App Home"),
}


def is_lead(leads: Collection[str], user: str | None) -> bool:
    """True when `user` is one of the configured leads (an empty user never is)."""
    return bool(user) and user in leads


def allowed(leads: Collection[str], user: str | None, action: LeadAction) -> bool:
    """`is_lead`, and a log line for every refusal (who tried what)."""
    if is_lead(leads, user):
        return True
    log.warning("refused lead action %s to non-lead user %s", action, user or "?")
    return False


def refusal(action: LeadAction) -> str:
    """The refusal in Japanese and English: the action itself names no language."""
    ja, en = _NAMES.get(action, (action, action))
    return (
        f"申し訳ありませんが、{ja}はサポートリード (CERTDESK_LEADS) だけが行えます。\n"
        f"Sorry, {en} is only available to support leads (CERTDESK_LEADS)."
    )


def short_refusal(action: LeadAction) -> str:
    """A refusal that fits a modal's error line (150 characters)."""
    ja, en = _NAMES.get(action, (action, action))
    return f"{ja}はリードのみ / Only leads: {en}"[:150]
