"""`certdesk db|report|escalations|escalation|kb` against real databases."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_backends import store_url_fixture, worker_env  # noqa: F401

from bot.cli import main
from bot.cli.common import parse_duration
from bot.store import Store

STATS_KEYS = {"questions", "answered", "unanswered", "helpful", "not_helpful",
              "escalations_open", "escalations_resolved", "certificates_checked"}


@pytest.fixture
def db(store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env, and any default file lands here
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("USER", "tester")
    return store_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def seed(url: str) -> tuple[int, int]:
    """Two unanswered questions (one escalated) asked recently, one old; returns the
    escalation id and the id of a second, open escalation."""
    store = Store(url)
    now = datetime.now(UTC)
    conv = store.conversation(transport="terminal", channel="t", thread="s", user="u", now=now)
    ids = []
    for n, text in enumerate(["IIS 10 でも使えますか？", "IIS10でも使えますか", "料金は？"]):
        mid = store.log_in(conv, user="u", text=text, now=now - timedelta(minutes=n), lang="ja")
        store.record_match(mid, entry_id=None, score=0.1, decision="none", lang="ja")
        ids.append(mid)
    first = store.open_escalation(ids[0], reason="no_answer", now=now)
    second = store.open_escalation(ids[2], reason="asked_human", now=now)
    old = store.conversation(transport="terminal", channel="t", thread="old", user="u",
                             now=now - timedelta(days=400))
    store.log_in(old, user="u", text="古い質問", now=now - timedelta(days=400))
    store.dispose()
    return first.id, second.id


def test_db_upgrade_then_work_the_queue_end_to_end(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "up to date" in out
    esc, other = seed(db)

    code, out, _ = run(capsys, "report", "stats", "--json")
    stats = json.loads(out)
    assert code == 0 and set(stats) == STATS_KEYS
    assert (stats["questions"], stats["unanswered"], stats["escalations_open"]) == (3, 3, 2)
    code, out, _ = run(capsys, "report", "stats")
    assert code == 0 and "質問 / questions" in out

    code, out, _ = run(capsys, "report", "unanswered", "--json", "--since", "1d")
    report = json.loads(out)
    assert code == 0 and report["questions"] == 3
    assert [g["count"] for g in report["groups"]] == [2, 1]  # the two IIS wordings are one
    assert report["groups"][0]["escalated"] == 1
    code, out, _ = run(capsys, "report", "unanswered", "--csv")
    assert [r["count"] for r in csv.DictReader(io.StringIO(out))] == ["2", "1"]
    code, out, _ = run(capsys, "report", "unanswered")
    assert code == 0 and "料金は？" in out and "IIS" in out

    code, out, _ = run(capsys, "escalations", "--open", "--json")
    assert [e["id"] for e in json.loads(out)] == [esc, other]
    code, out, _ = run(capsys, "escalation", "assign", str(esc))
    assert code == 0 and "tester" in out and "assigned" in out
    code, out, _ = run(capsys, "escalation", "resolve", str(esc), "--answer",
                       "はい、IIS 10 でも同じ手順です。", "--add-to-faq", "--user", "lead")
    assert code == 0 and "learned-" in out
    code, out, _ = run(capsys, "escalation", "close", str(other), "--note", "重複")
    assert code == 0 and "closed" in out
    code, out, _ = run(capsys, "escalation", "show", str(esc), "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["resolver"], shown["assignee"]) == ("resolved", "lead", "tester")
    code, out, _ = run(capsys, "escalations", "--open")
    assert code == 0 and "no escalations" in out

    code, _, err = run(capsys, "escalation", "resolve", str(esc), "--answer", "again")
    assert code == 1 and "already resolved" in err
    code, _, err = run(capsys, "escalation", "show", "999")
    assert code == 1 and "見つかりません" in err and "not found" in err

    target = tmp_path / "learned.toml"
    code, out, _ = run(capsys, "kb", "export", "--out", str(target))
    assert code == 0 and "1" in out
    exported = tomllib.loads(target.read_text(encoding="utf-8"))
    [entry] = exported["entry"]
    assert entry["question_ja"] == "IIS 10 でも使えますか？"
    assert entry["answer_ja"] == "はい、IIS 10 でも同じ手順です。"
    assert entry["answer_en"].startswith("[要翻訳 / TRANSLATE]")
    kb = pytest.importorskip("knowledge.kb")
    assert [e.id for e in kb.parse_kb(exported)] == [entry["id"]]  # pastes into faq.toml

    code, out, _ = run(capsys, "db", "prune", "--older-than", "365d")
    assert code == 0 and "1" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7d", timedelta(days=7)), ("12h", timedelta(hours=12)), ("30m", timedelta(minutes=30)),
     ("365d", timedelta(days=365)), ("2w", timedelta(weeks=2)), (" 45 S ", timedelta(seconds=45))],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["7", "d", "1.5d", "-3d", "7y", ""])
def test_bad_durations_are_usage_errors(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "stats", f"--since={bad}"])
    assert exit_.value.code == 2
    assert "7d, 12h" in capsys.readouterr().err


def certdesk(*argv: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = worker_env() | {"DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "bot", *argv], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


@pytest.mark.parametrize(
    "argv", [["report", "stats", "--json"], ["report", "unanswered"], ["escalations"],
             ["db", "upgrade"], ["escalation", "show", "1"], ["kb", "export"]],
)
def test_unreachable_database_is_a_clear_message_and_exit_2(
    argv: list[str], tmp_path: Path
) -> None:
    done = certdesk(*argv, url="postgresql+psycopg://u:p@127.0.0.1:1/none", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "データベース" in done.stderr and "database" in done.stderr


def test_missing_sqlite_file_is_not_created_by_a_report(tmp_path: Path) -> None:
    target = tmp_path / "nothing-here.db"
    done = certdesk("report", "stats", url=f"sqlite:///{target}", cwd=tmp_path)
    assert done.returncode == 2 and "db upgrade" in done.stderr
    assert not target.exists()


@pytest.mark.parametrize(
    "argv", [["db"], ["db", "upgrade"], ["db", "prune"], ["report"], ["report", "unanswered"],
             ["report", "stats"], ["escalations"], ["escalation"], ["escalation", "show"],
             ["escalation", "assign"], ["escalation", "resolve"], ["escalation", "close"],
             ["kb"], ["kb", "export"]],
)
def test_every_command_has_bilingual_help(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert any("\u3040" <= c <= "\u9fff" for c in out)  # Japanese
    assert any(w in out.lower() for w in ("the", "show", "list", "export", "database"))
