"""Every form of private key sent to `certdesk serve --http` as a signed DM, against the
Web API stand-in with a real SQLite file: the reply warns, and the key material is in no
call the app made (replies, the escalation channel post, App Home), not in the database
file and not in the server's log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyforms import KeyForm, forms, split_key
from slack_standin import Served, StandIn, event_envelope, serve, strict_standin, timestamps
from test_desk_keys import everything_stored

pytestmark = pytest.mark.slow

FORMS = forms()
LEAD = "ULEAD"
next_ts = timestamps(1_830_000_000, "000300")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    yield from strict_standin()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("slack_keys") / "certdesk.db"


@pytest.fixture(scope="module")
def server(standin: StandIn, db: Path) -> Iterator[Served]:
    with serve(standin, f"sqlite:///{db}", db.parent / "serve.log") as srv:
        yield srv


def dm(server: Served, standin: StandIn, text: str, user: str) -> dict[str, Any]:
    ts = next_ts()
    ev = {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts,
          "channel": f"D{user}", "event_ts": ts}
    status, _, _ = server.post(event_envelope(ev, f"Ev{ts}"))
    assert status == 200
    (call,) = standin.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts,
                               timeout=30)
    return call.params


def leaks(secrets: tuple[str, ...], text: str) -> list[str]:
    return [s for s in secrets if s in text]


@pytest.fixture(scope="module")
def sent(server: Served, standin: StandIn) -> dict[str, dict[str, Any]]:
    """Each form asked for a person (so it is escalated) by a user of its own."""
    return {f.name: dm(server, standin, f"担当者につないでください\n{f.text}", f"UK{i:02d}")
            for i, f in enumerate(FORMS)}


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_the_reply_warns_and_repeats_nothing(
    sent: dict[str, dict[str, Any]], form: KeyForm
) -> None:
    reply = json.dumps(sent[form.name], ensure_ascii=False)
    assert ":rotating_light:" in reply and "漏洩" in reply
    assert leaks(form.secrets, reply) == []


def test_no_call_the_app_made_holds_a_key(
    sent: dict[str, dict[str, Any]], server: Served, standin: StandIn, db: Path
) -> None:
    posts = standin.wait_for("chat.postMessage", lambda c: c.params["channel"] == "CESCALATE",
                             count=len(FORMS), timeout=30)
    assert any("担当者につないでください" in json.dumps(p.params, ensure_ascii=False)
               for p in posts)
    ev = {"type": "app_home_opened", "user": LEAD, "channel": "DHOME", "tab": "home",
          "event_ts": next_ts()}
    assert server.post(event_envelope(ev, f"EvHome{next_ts()}"))[0] == 200
    (home,) = standin.wait_for("views.publish", lambda c: c.params["user_id"] == LEAD)
    assert "担当者につないでください" in json.dumps(home.params, ensure_ascii=False)
    secrets = tuple(s for f in FORMS for s in f.secrets)
    everything = json.dumps([c.params for c in standin.calls], ensure_ascii=False)
    assert leaks(secrets, everything) == []
    assert leaks(secrets, everything_stored(db)) == []
    assert leaks(secrets, server.log()) == []


def test_a_key_split_over_three_dms(server: Served, standin: StandIn, db: Path) -> None:
    parts, secrets = split_key(3)
    replies = [dm(server, standin, part, "USPLIT") for part in parts]
    for reply in replies:
        assert ":rotating_light:" in json.dumps(reply, ensure_ascii=False)
    everything = json.dumps([c.params for c in standin.calls], ensure_ascii=False)
    assert leaks(secrets, everything) == []
    assert leaks(secrets, everything_stored(db)) == []
