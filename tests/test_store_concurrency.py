"""Several processes on one database: event claims are exclusive and no write is lost."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from store_backends import store_fixture, store_url_fixture, worker_command, worker_env  # noqa: F401

from bot.store import Store

pytestmark = pytest.mark.slow


def run_workers(args: list[list[str]], start_file: Path) -> list[str]:
    procs = [
        subprocess.Popen(
            worker_command(*a), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=worker_env(),
        )
        for a in args
    ]
    start_file.touch()  # release them together
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        assert err == "", err  # no error and no retry noise visible to anyone
        outs.append(out)
    return outs


def test_processes_claiming_the_same_events_win_each_exactly_once(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    n_events, n_procs = 60, 4
    start = tmp_path / "go"
    outs = run_workers([["claim", store_url, str(start), str(n_events)]] * n_procs, start)
    won = [out.split() for out in outs]
    claimed = [event for w in won for event in w]
    assert sorted(claimed) == sorted(f"Ev{i}" for i in range(n_events))  # each exactly once
    assert store.claim_event("Ev0", now=datetime(2026, 1, 2, tzinfo=UTC)) is False


def test_three_processes_log_200_questions_each(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    start = tmp_path / "go"
    outs = run_workers(
        [["chat", store_url, str(start), f"W{w}", "200"] for w in range(3)], start
    )
    assert [o.strip() for o in outs] == ["200"] * 3
    engine = create_engine(store_url)
    with engine.connect() as conn:
        per_user: dict[str, int] = dict(
            conn.execute(
                text(
                    "SELECT m.user, count(*) FROM messages m JOIN matches x"
                    " ON x.message_id = m.id WHERE m.direction = 'in' GROUP BY m.user"
                )
            ).all()
        )
        replies = conn.execute(
            text("SELECT count(*) FROM messages WHERE direction = 'out' AND reply_to IS NOT NULL")
        ).scalar()
    engine.dispose()
    assert per_user == {"W0": 200, "W1": 200, "W2": 200}
    assert replies == 600
    stats = store.report_stats(
        since=datetime(2025, 12, 31, tzinfo=UTC), now=datetime(2026, 1, 2, tzinfo=UTC)
    )
    assert (stats["questions"], stats["answered"]) == (600, 600)
