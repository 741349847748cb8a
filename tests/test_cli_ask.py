"""`certdesk ask`, `certdesk eval` and `certdesk chat` as a person runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support import DATA, ROOT


def certdesk(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    full_env.pop("CERTDESK_KB", None)  # the developer's own setting must not leak in
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=full_env,
        timeout=120,
    )


def test_ask_json_answers_with_the_seed_heading() -> None:
    r = certdesk("ask", "--json", "80093005 のエラーが出ました")
    assert r.returncode == 0, r.stderr
    line = json.loads(r.stdout)
    assert line["answered"] is True and line["lang"] == "ja"
    assert line["entry"]["question"] == 'エラー: "CAPI2 error = 80093005. Invalid Certificate"'
    assert line["candidates"][0]["id"] == line["entry"]["id"]


def test_ask_stream_mode_prints_one_line_per_question_in_order() -> None:
    questions = [
        "こんにちは",
        "How do I back up my private key in IIS 4?",
        "経費精算の締め日は?",
        "",
    ]
    r = certdesk("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["question"] for x in lines] == questions
    assert lines[1]["answered"] and lines[1]["lang"] == "en"
    assert not lines[0]["answered"] and not lines[2]["answered"] and not lines[3]["answered"]


def test_ask_human_output_and_help() -> None:
    r = certdesk("ask", "IPアドレスを変更しても証明書は使えますか")
    assert r.returncode == 0 and "■" in r.stdout
    for cmd in ("ask", "chat", "eval", "check", "report", "db", "serve"):
        h = certdesk(cmd, "--help")
        assert h.returncode == 0 and "usage" in h.stdout.lower(), cmd


def test_kb_option_and_environment_load_another_file(tmp_path: Path) -> None:
    kb = tmp_path / "other.toml"
    kb.write_text(
        '[[entry]]\nid = "wildcard"\nquestion_ja = "ワイルドカード証明書は使えますか?"\n'
        'question_en = "Can I use a wildcard certificate?"\nanswer_ja = "はい。"\nanswer_en = "Yes."\n',
        encoding="utf-8",
    )
    for args, env in ((["--kb", str(kb)], None), ([], {"CERTDESK_KB": str(kb)})):
        r = certdesk("ask", "--json", *args, "ワイルドカード証明書は使えますか?", env=env)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["entry"]["id"] == "wildcard"


def test_broken_kb_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    kb = tmp_path / "bad.toml"
    kb.write_text('[[entry]]\nid = "x"\n', encoding="utf-8")
    r = certdesk("ask", "--kb", str(kb), "hello")
    assert r.returncode == 2
    assert "field 'question_ja' is missing" in r.stderr and "Traceback" not in r.stderr


def test_eval_prints_accuracy_by_kind_and_every_miss(tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    rows = [
        {
            "q": "80093009",
            "expect": 'エラー: "The certificate is invalid. Please double-check that you have chosen the correct file. CAPI2 error = 80093009"',
        },
        {
            "q": "80093005",
            "expect": 'エラー: "The certificate is invalid. Please double-check that you have chosen the correct file. CAPI2 error = 80093009"',
        },
        {"q": "昼ごはんどうする?", "expect": None},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    r = certdesk("eval", str(f))
    assert r.returncode == 0, r.stderr
    assert "oos" in r.stdout and "misses (1)" in r.stdout and "line 2" in r.stdout
    j = certdesk("eval", "--json", str(f))
    summary = json.loads(j.stdout)
    assert summary["accuracy"]["oos"] == 1.0 and len(summary["misses"]) == 1


def test_eval_on_the_dev_set_runs(tmp_path: Path) -> None:
    r = certdesk("eval", "--json", str(DATA / "dev_questions.jsonl"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counts"]["all"] >= 150
