"""A vendor's own FAQ end to end, as a person runs it: `certdesk kb import`, then `ask` and
`chat` on the result or on the CSV / JSONL directly (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import DATA, ROOT

from knowledge import load_kb

SAMPLE_CSV = DATA / "sample_faq.csv"
SAMPLE_JSONL = DATA / "sample_faq.jsonl"
VENDOR = Path(os.environ.get("CERTDESK_TEST_SHARED", ROOT.parent / "shared")) / "kb-dev" / "ssl-vendor-faq.ja.jsonl"
ONLY_JA = "This answer is only available in Japanese."


def certdesk(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    full_env.pop("CERTDESK_KB", None)
    full_env.pop("CERTDESK_LANG", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
    )


def test_import_then_ask_answers_from_the_result(tmp_path: Path) -> None:
    out = tmp_path / "x.toml"
    r = certdesk("kb", "import", str(SAMPLE_CSV), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "8" in r.stdout and str(out) in r.stdout
    assert load_kb(out).entries == load_kb(SAMPLE_CSV).entries
    r = certdesk("ask", "--kb", str(out), "--json", "nginxでCSRを作成する手順を教えてください")
    assert r.returncode == 0, r.stderr
    line = json.loads(r.stdout)
    assert line["answered"] and line["entry"]["id"] == "201"
    assert line["entry"]["url"] == "https://support.example.jp/faq/201"
    r = certdesk("ask", "--kb", str(out), "--json", "PFXファイルをPEM形式に変換するには")
    entry = json.loads(r.stdout)["entry"]
    assert entry["id"] == "402" and "url" not in entry  # no url: no key


def test_import_prints_to_stdout_without_out() -> None:
    r = certdesk("kb", "import", str(SAMPLE_JSONL))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("[[entry]]") == 8 and 'id = "101"' in r.stdout


def test_ask_top_lists_n_candidates_and_keeps_the_decision() -> None:
    q = "IPアドレスを変更しても証明書は使えますか"
    lines = {}
    for n in (1, 3, 5):
        r = certdesk("ask", "--json", "--top", str(n), q)
        assert r.returncode == 0, r.stderr
        lines[n] = json.loads(r.stdout)
        assert len(lines[n]["candidates"]) == n
    assert {x["decision"] for x in lines.values()} == {"answer"}
    assert lines[5]["candidates"][:3] == lines[3]["candidates"]
    r = certdesk("ask", "--json", "--top", "0", q)
    assert r.returncode == 2 and "1 から 100" in r.stderr


def test_an_english_question_gets_the_japanese_answer_and_says_so() -> None:
    q = "How do I create a CSR on nginx?"
    r = certdesk("ask", "--kb", str(SAMPLE_JSONL), "--json", q)
    line = json.loads(r.stdout)
    assert line["lang"] == "en" and line["answered"], line
    assert line["entry"]["question"] == "nginxでCSRを作成する手順を教えてください"
    assert line["entry"]["answer"].startswith("OpenSSL で秘密鍵と CSR を作成します。")
    human = certdesk("ask", "--kb", str(SAMPLE_JSONL), q).stdout
    assert human.splitlines()[0] == ONLY_JA
    assert "■ nginxでCSRを作成する手順" in human
    assert "More on this: https://support.example.jp/faq/201" in human
    ja = certdesk("ask", "--kb", str(SAMPLE_JSONL), "nginxでCSRを作成する手順を教えてください")
    assert ONLY_JA not in ja.stdout and "詳しくはこちら: https://support.example.jp/faq/201" in ja.stdout


def test_chat_reads_the_csv_directly(tmp_path: Path) -> None:
    r = certdesk(
        "chat",
        "--kb",
        str(SAMPLE_CSV),
        stdin="秘密鍵を紛失したので証明書を再発行したい\nHow do I create a CSR on nginx?\n",
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"},
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "■ 秘密鍵を紛失したので証明書を再発行したい" in r.stdout
    assert "再発行は有効期間内であれば無料です。" in r.stdout
    assert "詳しくはこちら: https://support.example.jp/faq/302" in r.stdout
    assert ONLY_JA in r.stdout and "More on this: https://support.example.jp/faq/201" in r.stdout


def test_certdesk_kb_environment_takes_a_csv() -> None:
    r = certdesk("ask", "--json", "中間証明書をインストールしないとどうなりますか",
                 env={"CERTDESK_KB": str(SAMPLE_CSV)})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["entry"]["id"] == "401"


def test_a_broken_export_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "broken.csv"
    src.write_text(
        "id,question,answer,url,colour\n"
        "1,質問1,答え,https://example.jp/1,red\n"
        "2,質問2,,,\n"
        "3,質問3,答え,example.jp,\n"
        "1,質問4,答え,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.toml"
    r = certdesk("kb", "import", str(src), "--out", str(out))
    assert r.returncode == 2 and not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left either
    lines = r.stderr.splitlines()
    assert "3 problems" in lines[0] and "Traceback" not in r.stderr
    assert [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in lines[1:]] == ["3", "4", "5"]
    assert "field 'answer_ja' is missing" in lines[1] and "field 'url'" in lines[2]
    src.write_text("id,question,answer,colour\n1,質問1,答え,red\n", encoding="utf-8")
    r = certdesk("kb", "import", str(src), "--out", str(out))
    assert r.returncode == 0 and out.exists()
    assert "warning" in r.stderr and "'colour' is not a certdesk field" in r.stderr
    r = certdesk("kb", "import", str(out), "--out", str(out))
    assert r.returncode == 2 and "will not overwrite" in r.stderr


def test_import_help_is_bilingual() -> None:
    r = certdesk("kb", "import", "--help")
    assert r.returncode == 0
    for word in ("question, answer", "必須", "required", "category, url", "Shift_JIS", "--out"):
        assert word in r.stdout, word


@pytest.mark.skipif(not VENDOR.exists(), reason="../shared/kb-dev is beside the repository")
def test_the_development_vendor_faq_loads_and_answers() -> None:
    kb = load_kb(VENDOR)
    assert len(kb) == 240 and not kb.warnings and all(e.category for e in kb)
    r = certdesk("ask", "--kb", str(VENDOR), "--json", "--top", "5", kb.entries[0].question_ja)
    assert r.returncode == 0, r.stderr
    line = json.loads(r.stdout)
    assert len(line["candidates"]) == 5 and line["candidates"][0]["id"] == kb.entries[0].id


def test_serve_with_a_broken_faq_says_what_is_wrong(tmp_path: Path) -> None:
    src = tmp_path / "broken.jsonl"
    src.write_text('{"question": "質問"}\n{"answer": "答え"}\n', encoding="utf-8")
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "CERTDESK_KB": str(src),
        "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
        "SLACK_APP_TOKEN": "",  # empty is unset: HTTP mode
    }
    r = certdesk("serve", "--http", "--port", "0", env=env, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "broken.jsonl:1: entry 1" in r.stderr and "broken.jsonl:2: entry 2" in r.stderr
