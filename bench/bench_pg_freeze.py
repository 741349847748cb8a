"""How soon the Slack bot answers after PostgreSQL freezes.

Run:  .venv/bin/python -m bench.bench_pg_freeze [--rounds N]

Starts a PostgreSQL cluster of its own (initdb on a free port; needs the postgresql
package, and root or the postgres user's rights as .ci/postgres.sh), `certdesk serve
--http` on it against the Web API stand-in, answers one question, then freezes every
process of the cluster with SIGSTOP and measures, for each of `rounds` questions sent
one after the other while it is frozen, the time from the event to its reply.
Requirement: every reply within 10 s of the freeze (README "Database timeouts").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pg_throwaway import find_bindir, start_cluster
from slack_standin import BOT_USER_ID, StandIn, event_envelope, serve


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL (initdb) is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, start_cluster(bindir) as pg, StandIn() as st, \
            serve(st, pg.url, Path(tmp) / "serve.log") as server:

        def ask(n: int) -> tuple[float, str]:
            ts = f"{1_840_000_000 + n}.000700"
            ev = {"type": "app_mention", "user": "U1", "ts": ts, "channel": "C700",
                  "text": f"<@{BOT_USER_ID}> IPアドレスを変更できますか?", "event_ts": ts}
            start = time.monotonic()
            server.post(event_envelope(ev, f"EvBench{n}"))
            call = st.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts,
                               timeout=120)[0]
            return time.monotonic() - start, str(call.params.get("text"))

        ask(0)
        pg.freeze()
        frozen_at = time.monotonic()
        rows = []
        try:
            for n in range(1, args.rounds + 1):
                took, text = ask(n)
                rows.append((n, took, time.monotonic() - frozen_at, "記録に失敗" in text))
        finally:
            pg.thaw()
    print("| question | reply after (s) | since freeze (s) | says logging failed |")
    print("|---|---|---|---|")
    for n, took, since, said in rows:
        print(f"| {n} | {took:.2f} | {since:.2f} | {'yes' if said else 'no'} |")
    worst = max(r[1] for r in rows)
    return 0 if worst <= 10.0 and all(r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
