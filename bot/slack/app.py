"""The Bolt app: listeners only. Each turns a payload into Desk calls (bot.slack.conversation)
and posts Block Kit (bot.slack.blocks).

Bolt acks first and runs listeners afterwards on its thread pool
(process_before_response=False), so a slow Desk or Web API never delays the ack. A
listener that must answer in its ack (the resolve modal's validation errors, a slash
command's usage text) does only that cheap part before `ack()`, the work after it.
Request signatures and the 5-minute timestamp window are checked by Bolt's
RequestVerification middleware before any listener runs.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ParamSpec

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.config import Settings
from bot.slack import blocks as bk
from bot.slack import views
from bot.slack.conversation import Conversation
from bot.slack.poster import Poster, make_client

if TYPE_CHECKING:
    from bot.desk import Desk

log = logging.getLogger("bot.slack")

# Listener work is mostly CPU (matching, X.509) under the GIL: more threads do not answer
# faster, they only delay the request threads' acks. bench/bench_slack.py: 16 threads gave
# ack p99 ~130 ms under 20 concurrent events on 2 cores, 4 threads ~40-90 ms, same reply p50.
# Scale with gunicorn workers (processes) instead.
LISTENER_THREADS = 4
P = ParamSpec("P")


def logged(fn: Callable[P, None]) -> Callable[P, None]:
    """Log, never raise, from work after the ack: an exception escaping a listener that
    already acked makes Bolt forget the ack (slack_bolt ThreadListenerRunner) and the
    request would time out."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("listener %s failed", fn.__name__)

    return run


def build_app(
    settings: Settings, desk: Desk, *, client: WebClient | None = None, sweep: bool = True
) -> App:
    """A Bolt App for one workspace whose listeners call `desk`. With `sweep`, cases
    left unannounced (the escalation channel refused them) are announced again later."""
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    client = client or make_client(settings)
    app = App(  # the token travels inside `client`
        # Socket Mode needs no signing secret; over HTTP Bolt refuses unsigned requests
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="certdesk"),
        logger=log,
    )
    # Bolt logs the whole body of a request with a bad signature at INFO; a body can hold a
    # pasted private key, which must never reach a log (server.WsgiApp logs refusals)
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    conv = Conversation(settings, desk, Poster(client))
    if sweep:
        conv.escalations.start_sweep()

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        logged(conv.on_message)(body, event, context.bot_user_id)

    @app.event("message")
    def on_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        # channel messages reach us only as app_mention; here we answer DMs
        if event.get("channel_type") == "im":
            logged(conv.on_message)(body, event, context.bot_user_id)

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any]) -> None:
        logged(conv.on_home)(event)

    @app.command("/certdesk")
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        response, more = conv.command_ack(command)
        if response is None:
            ack()
        else:
            ack(**response)
        if more:
            logged(conv.on_command)(command, respond)

    def value(body: dict[str, Any]) -> str:
        return str(body["actions"][0].get("value") or "")

    @app.action(re.compile(rf"^{bk.ACTION_CHOOSE}_\d+$"))
    def on_choose(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        logged(conv.on_choose)(body, value(body), respond)

    @app.action(re.compile(rf"^{bk.ACTION_SHOW}_\d+$"))
    def on_show(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        logged(conv.on_show)(body, value(body), respond)

    @app.action(bk.ACTION_HELPFUL)
    def on_helpful(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        logged(conv.on_feedback)(body, value(body), True, respond)

    @app.action(bk.ACTION_NOT_HELPFUL)
    def on_not_helpful(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        logged(conv.on_feedback)(body, value(body), False, respond)

    @app.action(bk.ACTION_ASSIGN)
    def on_assign(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        logged(conv.escalations.assign)(body, int(value(body)), body["user"]["id"])

    @app.action(bk.ACTION_RESOLVE)
    def on_resolve(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        logged(conv.escalations.open_resolve)(body, int(value(body)))

    @app.action(views.ACTION_CLOSE)
    def on_close(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        logged(conv.escalations.close)(body, int(value(body)), body["user"]["id"])

    @app.view(bk.VIEW_RESOLVE)
    def on_resolve_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        # validation answers in the modal (response_action); everything else after the
        # ack: resolving, learning the answer (a matcher update) and posting take seconds
        escalation_id, answer, add_to_faq = views.resolve_submission(view)
        refused = conv.escalations.refusal_for_submission(body["user"]["id"], add_to_faq)
        if refused is not None:  # checked here, not only by who saw the button
            ack(response_action="errors", errors={"answer": refused})
            return
        if not answer:
            error = "回答を入力してください / Enter an answer"
            ack(response_action="errors", errors={"answer": error})
            return
        ack()
        user = body["user"]["id"]
        logged(conv.escalations.resolve_after_ack)(body, escalation_id, user, answer, add_to_faq)

    return app
