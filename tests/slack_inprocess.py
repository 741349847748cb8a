"""The real Bolt app in this test process, talking to a stand-in: for tests that look at
what a listener did before its ack, or hold the stand-in's reply open meanwhile.
Requests are signed as Slack signs them and go through Bolt's own dispatch."""

from __future__ import annotations

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_standin import SIGNING_SECRET, StandIn, sign

from bot.config import Settings
from bot.desk import Desk
from bot.slack.app import build_app


def inprocess_app(standin: StandIn, desk: Desk, **env: str) -> App:
    """certdesk's Bolt app on `desk`, its Web API calls going to `standin`; `env` adds
    settings (CERTDESK_LEADS, ...)."""
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": standin.token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "CERTDESK_ESCALATION_CHANNEL": "CESC",
            **env,
        }
    )
    client = WebClient(token=standin.token, base_url=standin.api_url)
    return build_app(settings, desk, client=client, sweep=False)


def dispatch(app: App, body: str) -> BoltResponse:
    """One signed request: an Events API envelope (JSON) or an interactive payload (form)."""
    kind = "application/json" if body.lstrip().startswith("{") else "application/x-www-form-urlencoded"
    headers = {"content-type": [kind]}
    headers.update({k.lower(): [v] for k, v in sign(body).items()})
    return app.dispatch(BoltRequest(body=body, headers=headers))
