"""Benchmark of hostile messages: runs of dashes, spaces, BEGIN and base64 characters.

Run:  .venv/bin/python -m bench.bench_hostile [--slack-only | --desk-only]

(a) The Desk (SQLite Store in a temp dir, as `certdesk chat` runs it): wall time of one
    `Desk.handle` per hostile message, and per hostile 1 MB upload; requirement every
    message answered within 5 s.
(b) Slack: `certdesk serve --http` (gunicorn + Bolt, 2 workers) against the local Web API
    stand-in (tests/slack_standin.py). Five hostile DMs are sent at once, as in the
    measurement that found the problem (20,000 dashes delayed acks to 21.6 s); while they
    are worked on, a benign DM and a GET /healthz go out every 0.25 s. Measured: the ack
    of every POST (requirement < 3 s: Slack retries past it), /healthz, and the time
    until each hostile DM's reply reached the stand-in (requirement < 5 s).
Prints markdown tables; exits 1 when a requirement fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from slack_standin import Call, Served, StandIn, event_envelope, serve

# name -> text; sizes where the old regexes took seconds to minutes
DESK_MESSAGES: dict[str, str] = {
    "40,000 dashes": "-" * 40_000,
    "---BEGIN + 1,000,000 dashes": "---BEGIN" + "-" * 1_000_000,
    "-----BEGIN + 100,000 spaces": "-----BEGIN " + " " * 100_000,
    "PRIVATE KEY header + 50,000 tabs": "-----BEGIN PRIVATE KEY-----\n" + "\t" * 50_000,
    "20,000 x BEGIN": "BEGIN" * 20_000,
    "3,000 BEGIN lines, no END": "-----BEGIN CERTIFICATE-----\n" * 3_000,
    "3,000 unfinished blocks": "-----BEGIN CERTIFICATE-----\nMIIB\n" * 3_000,
    "100,000 base64 characters": "A" * 100_000,
    "50,000 dash lines": "-\n" * 50_000,
    "dashes and spaces, 100,000": "- " * 50_000,
    "question + 1,000,000 '='": "秘密鍵を消してしまいました " + "=" * 1_000_000,
}
# a file as large as Slack uploads are taken (1 MB), with as many findings as it can hold
DESK_UPLOADS: dict[str, bytes] = {
    "30,000 unfinished blocks": b"-----BEGIN CERTIFICATE-----\nMIIB\n" * 30_000,
    "1 MB of dashes": b"-" * 1_000_000,
}
# what one Slack message can hold (Slack cuts at 40,000 characters)
SLACK_MESSAGES: dict[str, str] = {
    "20,000 dashes": "-" * 20_000,
    "---BEGIN + 39,000 dashes": "---BEGIN" + "-" * 39_000,
    "-----BEGIN + 39,000 spaces": "-----BEGIN " + " " * 39_000,
    "PRIVATE KEY header + 39,000 tabs": "-----BEGIN PRIVATE KEY-----\n" + "\t" * 39_000,
    "1,200 unfinished blocks": "-----BEGIN CERTIFICATE-----\nMIIB\n" * 1_200,
}
MIN_PINGS = 8  # acks measured while the hostile DMs are worked on, at the least
ANSWER_S = 5.0
ACK_S = 3.0


def bench_desk() -> tuple[list[tuple[str, str, str, bool | None]], bool]:
    from bot.desk import Desk
    from bot.store import Store
    from bot.types import Incoming, Upload
    from knowledge import load_kb

    rows: list[tuple[str, str, str, bool | None]] = []
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'hostile.db'}")
        store.upgrade()
        desk = Desk(load_kb(None), store)
        now = datetime.now(UTC)
        desk.handle(Incoming(text="こんにちは", now=now))  # warm: tokenizer, matcher
        for name, text in DESK_MESSAGES.items():
            start = time.perf_counter()
            reply = desk.handle(Incoming(text=text, now=now, thread=name))
            took = time.perf_counter() - start
            passed = took < ANSWER_S and bool(reply.text)
            ok = ok and passed
            rows.append((f"Desk: {name} ({len(text):,} chars)", f"{took * 1000:.0f} ms",
                         f"< {ANSWER_S:.0f} s", passed))
        for name, data in DESK_UPLOADS.items():
            start = time.perf_counter()
            reply = desk.handle(Incoming(text="check this file", now=now, thread=name,
                                         uploads=(Upload("hostile.pem", data),)))
            took = time.perf_counter() - start
            passed = took < ANSWER_S and bool(reply.text)
            ok = ok and passed
            rows.append((f"Desk: upload of {name} ({len(data):,} bytes)",
                         f"{took * 1000:.0f} ms", f"< {ANSWER_S:.0f} s", passed))
        store.dispose()
    return rows, ok


def _dm(text: str, channel: str, ts: str) -> dict[str, str]:
    return {"type": "message", "channel_type": "im", "user": "UHOSTILE", "text": text,
            "ts": ts, "channel": channel, "event_ts": ts}


def bench_slack() -> tuple[list[tuple[str, str, str, bool | None]], bool]:
    base = int(time.time() * 1000) % 1_000_000_000
    acks: list[float] = []
    health: list[float] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory() as tmp, StandIn() as standin:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        with serve(standin, db, Path(tmp) / "serve.log", workers=2) as srv:
            _warm(srv, standin, base)
            hostile = [(name, f"DH{i}") for i, name in enumerate(SLACK_MESSAGES)]
            sent = {channel: 0.0 for _, channel in hostile}
            done = threading.Event()

            def fire(name: str, channel: str, i: int) -> None:
                ts = f"{base + 100 + i}.000100"
                sent[channel] = time.monotonic()
                status, _, elapsed = srv.post(
                    event_envelope(_dm(SLACK_MESSAGES[name], channel, ts), f"EvH{base}-{i}"))
                with lock:
                    acks.append(elapsed if status == 200 else float("inf"))

            def pings() -> None:
                n = 0
                while not done.is_set() or n < MIN_PINGS:
                    n += 1
                    ts = f"{base + 1000 + n}.000200"
                    status, _, elapsed = srv.post(
                        event_envelope(_dm("こんにちは", f"DP{n}", ts), f"EvP{base}-{n}"))
                    start = time.perf_counter()
                    with urllib.request.urlopen(srv.url + "/healthz", timeout=30) as resp:
                        resp.read()
                    with lock:
                        acks.append(elapsed if status == 200 else float("inf"))
                        health.append(time.perf_counter() - start)
                    time.sleep(0.25)

            pinger = threading.Thread(target=pings)
            pinger.start()
            threads = [threading.Thread(target=fire, args=(name, ch, i))
                       for i, (name, ch) in enumerate(hostile)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            replies: dict[str, float] = {}
            for name, channel in hostile:
                def to(c: Call, channel: str = channel) -> bool:
                    return c.params.get("channel") == channel

                try:
                    # the first message of the reply (a long one may take several)
                    first = standin.wait_for("chat.postMessage", to, timeout=120)[0]
                    replies[name] = first.at - sent[channel]
                except AssertionError:
                    replies[name] = float("inf")
            done.set()
            pinger.join()
    rows: list[tuple[str, str, str, bool | None]] = []
    for name, took in replies.items():
        rows.append((f"Slack DM: {name}, reply posted", f"{took * 1000:.0f} ms",
                     f"< {ANSWER_S:.0f} s", took < ANSWER_S))
    worst_ack = max(acks)
    rows.append((f"Slack: every ack ({len(acks)} POSTs, hostile and benign)",
                 f"max {worst_ack * 1000:.0f} ms", f"< {ACK_S:.0f} s", worst_ack < ACK_S))
    rows.append((f"/healthz while they are worked on ({len(health)} GETs)",
                 f"max {max(health) * 1000:.0f} ms", "", None))
    ok = all(r[3] is not False for r in rows)
    return rows, ok


def _warm(srv: Served, standin: StandIn, base: int) -> None:
    ts = f"{base}.000900"
    srv.post(event_envelope(_dm("IIS4で秘密鍵をバックアップするには?", "DWARM", ts), f"EvW{base}"))
    standin.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "DWARM",
                     timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--desk-only", action="store_true")
    which.add_argument("--slack-only", action="store_true")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str, bool | None]] = []
    ok = True
    if not args.slack_only:
        r, passed = bench_desk()
        rows += r
        ok = ok and passed
    if not args.desk_only:
        r, passed = bench_slack()
        rows += r
        ok = ok and passed
    print("Hostile messages: the Desk with SQLite, and the Slack app over HTTP (2 workers)\n")
    print("| measure | measured | requirement | pass |")
    print("|---|---|---|---|")
    for name, value, req, passed_row in rows:
        mark = "" if passed_row is None else ("yes" if passed_row else "**no**")
        print(f"| {name} | {value} | {req} | {mark} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
