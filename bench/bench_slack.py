"""Benchmark of the Slack app over real HTTP on loopback.

Run:  .venv/bin/python -m bench.bench_slack [--rounds N] [--workers N] [--concurrency N]

`certdesk serve --http` (gunicorn + Bolt, SQLite in a temp dir) against the local Web
API stand-in (tests/slack_standin.py). Each round fires `concurrency` (20) signed
app_mention events at once, each a different FAQ question, and measures
(a) the ack: time until the HTTP response to Slack's POST;
    requirement every ack < 1 s, target p99 < 100 ms;
(b) the reply: time from sending the event until its chat.postMessage reaches the
    stand-in; requirement p50 <= 300 ms;
(c) the resolve modal with "add to the FAQ" at `--learned` (1,000) learned entries: the
    ack of the view_submission (requirement < 1 s: Slack shows the lead an error past
    3 s) and the time until the resolution reached the asker (work after the ack).
Prints a markdown table; exits 1 when a requirement fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from slack_standin import (
    BOT_USER_ID,
    TEAM_ID,
    Call,
    Served,
    StandIn,
    event_envelope,
    form,
    serve,
)

QUESTIONS = (
    "IPアドレスを変更できますか?",
    "受け取った証明書はすべてインストールする必要がありますか",
    "How do I back up the private key in IIS4?",
    "CAPI2 error 80093005 が出ます",
    "ポート443はIIS4のどこで有効にしますか",
    "The page cannot be displayed on https",
    "別のサイトの証明書が表示されます",
    "Schannel error 80090304 Invalid Password",
    "Improperly formatted DER message",
    "Can I import an Apache key into IIS?",
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_round(
    srv: Served, standin: StandIn, n: int, round_no: int
) -> tuple[list[float], list[float]]:
    events = []
    # ids unique per run: a reused database has already claimed earlier runs' events
    base = int(time.time() * 1000) % 1_000_000_000
    for i in range(n):
        ts = f"{base + round_no * 1000 + i}.000400"
        ev = {
            "type": "app_mention",
            "user": f"UB{i}",
            "text": f"<@{BOT_USER_ID}> {QUESTIONS[i % len(QUESTIONS)]}",
            "ts": ts,
            "channel": "CBENCH",
            "event_ts": ts,
        }
        events.append((ts, event_envelope(ev, f"EvBench{base}-{round_no}-{i}")))
    barrier = threading.Barrier(n)
    sent: dict[str, float] = {}
    acks: list[float] = []
    lock = threading.Lock()

    def fire(ts: str, body: str) -> None:
        barrier.wait()
        sent[ts] = time.monotonic()  # the stand-in stamps calls with the same clock
        status, _, elapsed = srv.post(body)
        if status != 200:
            raise RuntimeError(f"HTTP {status}")
        with lock:
            acks.append(elapsed)

    threads = [threading.Thread(target=fire, args=e) for e in events]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    replies: list[float] = []
    for ts, _ in events:

        def in_thread(c: Call, ts: str = ts) -> bool:
            return c.params.get("thread_ts") == ts

        (call,) = standin.wait_for("chat.postMessage", in_thread, timeout=30)
        replies.append(call.at - sent[ts])
    return acks, replies


def seed_learned(db: str, n: int) -> int:
    """`n` learned FAQ entries (resolved escalations) and one open case; its id."""
    from datetime import UTC, datetime

    from bot.store import Store

    store = Store(db)
    store.upgrade()
    now = datetime.now(UTC)

    def case(i: int) -> int:
        conv = store.conversation(
            transport="slack", channel="CSEED", thread=f"{1_600_000_000 + i}.000100",
            user="USEED", now=now,
        )
        text = f"社内システム {i} 番のプリンタ {i % 97} 台目の設定手順を教えてください"
        msg = store.log_in(conv, user="USEED", text=text, now=now, lang="ja")
        return store.open_escalation(msg, reason="no_answer", now=now).id

    for i in range(n):
        store.resolve(case(i), user="ULEAD", answer=f"手順 {i}: 管理画面で設定します。",
                      now=now, add_to_faq=True)
    target = case(n)
    # as if announced: the resolution then updates that post as in production
    store.set_escalation_post(target, channel="CESCALATE", ts="1600000000.999900")
    store.dispose()
    return target


def resolve_ack(srv: Served, standin: StandIn, esc_id: int) -> tuple[float, float]:
    """(ack seconds, seconds until the asker got the answer) for one resolve modal."""
    answer = f"ベンチマークの回答 {esc_id}"
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": "ULEAD"},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": "trig-bench",
        "view": {
            "id": "VBENCH",
            "type": "modal",
            "callback_id": "escalation_resolve_view",
            "private_metadata": str(esc_id),
            "state": {
                "values": {
                    "answer": {"value": {"type": "plain_text_input", "value": answer}},
                    "add_to_faq": {
                        "value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
                    },
                }
            },
        },
    }
    start = time.monotonic()
    status, body, elapsed = srv.post(form(payload), content_type="application/x-www-form-urlencoded")
    if status != 200 or body:
        raise RuntimeError(f"resolve modal answered {status} {body[:200]!r}")
    (told,) = standin.wait_for(
        "chat.postMessage", lambda c: answer in str(c.params.get("text")), timeout=60
    )
    return elapsed, told.at - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--database-url", help="e.g. $CERTDESK_TEST_POSTGRES_URL (default: SQLite in a temp dir)"
    )
    parser.add_argument("--learned", type=int, default=1000, help="learned entries for (c)")
    args = parser.parse_args(argv)
    acks: list[float] = []
    replies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, StandIn() as standin:
        db = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        target = seed_learned(db, args.learned)
        with serve(standin, db, Path(tmp) / "serve.log", workers=args.workers) as srv:
            run_round(srv, standin, 4, 0)  # warm-up: imports, matcher caches, connections
            for r in range(1, args.rounds + 1):
                a, p = run_round(srv, standin, args.concurrency, r)
                acks += a
                replies += p
            resolve_s, resolved_s = resolve_ack(srv, standin, target)
            errors = [line for line in srv.log().splitlines() if " ERROR " in line]
    ms = [x * 1000 for x in acks]
    rp = [x * 1000 for x in replies]
    rows = [
        ("ack p50", f"{pct(ms, 50):.1f} ms", "", None),
        ("ack p99", f"{pct(ms, 99):.1f} ms", "target < 100 ms", pct(ms, 99) < 100),
        ("ack max", f"{max(ms):.1f} ms", "every ack < 1000 ms", max(ms) < 1000),
        ("reply p50", f"{statistics.median(rp):.1f} ms", "<= 300 ms", statistics.median(rp) <= 300),
        ("reply p99", f"{pct(rp, 99):.1f} ms", "", None),
        ("reply max", f"{max(rp):.1f} ms", "", None),
        (
            f"resolve modal ack, {args.learned} learned entries",
            f"{resolve_s * 1000:.1f} ms",
            "< 1000 ms",
            resolve_s < 1,
        ),
        ("resolve: answer in the asker's thread", f"{resolved_s * 1000:.0f} ms", "", None),
        ("server errors logged", str(len(errors)), "0", not errors),
    ]
    print(
        f"Slack app over HTTP: {args.rounds} rounds x {args.concurrency} concurrent events, "
        f"{args.workers} gunicorn workers, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}, loopback stand-in\n"
    )
    print("| metric | measured | requirement | pass |")
    print("|---|---|---|---|")
    for name, value, req, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "**no**")
        print(f"| {name} | {value} | {req} | {mark} |")
    # the p99 ack target is a target, not a requirement: only hard requirements fail the run
    hard_fail = max(ms) >= 1000 or statistics.median(rp) > 300 or bool(errors) or resolve_s >= 1
    for line in errors[:5]:
        print(line, file=sys.stderr)
    return 1 if hard_fail else 0


if __name__ == "__main__":
    sys.exit(main())
