"""FAQ matcher speed (issue 2).

    .venv/bin/python -m bench.bench_match

Measures, on this machine:
  1. per-question time in stream mode (`certdesk ask --json -`) with the seed FAQ (target <= 1 ms);
  2. per-question time with a generated 2,000-entry knowledge base (target <= 5 ms);
  3. `certdesk ask` cold start: a fresh process answering one question (target <= 1.5 s);
  4. the Desk on a 1 MB paste of prose (no PEM): bad input must not hang the bot.
Questions are the development set (tests/data/dev_questions.jsonl), repeated.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "data" / "dev_questions.jsonl"


def _questions() -> list[str]:
    with DEV.open(encoding="utf-8") as fh:
        return [json.loads(line)["q"] for line in fh if line.strip()]


def generate_kb(path: Path, n: int, seed: int = 7) -> None:
    """A knowledge base of n entries built from the seed FAQ's own vocabulary, so that
    postings lists are as long as a real, larger FAQ on the same topic would make them."""
    from knowledge import load_kb

    rng = random.Random(seed)
    base = list(load_kb())
    words_ja = sorted(
        {w for e in base for p in e.phrasings_ja for w in p.replace("、", " ").split()}
        | {
            "証明書",
            "秘密鍵",
            "中間証明書",
            "サーバー",
            "インストール",
            "エラー",
            "更新",
            "失効",
            "ブラウザー",
            "ワイルドカード",
            "ドメイン",
            "認証",
            "メール",
            "請求書",
            "支払い",
            "再発行",
            "CSR",
            "Apache",
            "nginx",
            "IIS",
        }
    )
    words_en = sorted({w for e in base for p in e.phrasings_en for w in p.split()})

    def q(words: list[str], k: int, sep: str) -> str:
        return sep.join(rng.choice(words) for _ in range(k))

    lines = []
    for i in range(n):
        src = base[i % len(base)]
        lines.append("[[entry]]")
        lines.append(f'id = "gen-{i}"')
        lines.append(
            f"question_ja = {json.dumps(q(words_ja, 5, '') + 'について', ensure_ascii=False)}"
        )
        lines.append(f"question_en = {json.dumps(q(words_en, 7, ' '))}")
        lines.append(f"answer_ja = {json.dumps(src.answer_ja, ensure_ascii=False)}")
        lines.append(f"answer_en = {json.dumps(src.answer_en)}")
        ph_ja = [q(words_ja, 4, "") for _ in range(8)]
        ph_en = [q(words_en, 6, " ") for _ in range(5)]
        lines.append(f"phrasings_ja = {json.dumps(ph_ja, ensure_ascii=False)}")
        lines.append(f"phrasings_en = {json.dumps(ph_en)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def per_question_ms(kb_path: Path | None, questions: list[str], rounds: int) -> tuple[float, float]:
    from knowledge import Matcher, load_kb

    t0 = time.perf_counter()
    matcher = Matcher(load_kb(kb_path))
    build = time.perf_counter() - t0
    for q in questions[:20]:
        matcher.match(q)  # warm the tokenizer
    t0 = time.perf_counter()
    for _ in range(rounds):
        for q in questions:
            matcher.match(q)
    per_q = (time.perf_counter() - t0) * 1000 / (rounds * len(questions))
    return per_q, build


def stream_ms(questions: list[str], rounds: int) -> float:
    """The real stream mode: one process, many stdin lines, minus its start-up."""
    text = "\n".join(questions * rounds) + "\n"
    cmd = [sys.executable, "-m", "bot", "ask", "--json", "-"]
    t0 = time.perf_counter()
    subprocess.run(cmd, input="\n", capture_output=True, text=True, check=True)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run(cmd, input=text, capture_output=True, text=True, check=True)
    many = time.perf_counter() - t0
    return (many - one) * 1000 / (len(questions) * rounds)


def cold_start_s(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", "秘密鍵をなくしました"],
            capture_output=True,
            check=True,
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def huge_paste_s() -> float:
    """The terminal chat / Slack path on a 1 MB paste of prose with no PEM in it."""
    from datetime import UTC, datetime

    from bot.desk import Desk
    from bot.types import Incoming
    from knowledge import load_kb

    desk = Desk(load_kb())
    text = "証明書のインストールでエラーが出ます。サーバーはIISです。" * 35000
    t0 = time.perf_counter()
    desk.handle(Incoming(text=text, now=datetime.now(UTC)))
    return time.perf_counter() - t0


def main() -> int:
    questions = _questions()
    seed_ms, seed_build = per_question_ms(None, questions, rounds=5)
    stream = stream_ms(questions, rounds=5)
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "kb2000.toml"
        generate_kb(big, 2000)
        big_ms, big_build = per_question_ms(big, questions, rounds=1)
    cold = cold_start_s()
    huge = huge_paste_s()
    rows = [
        ("seed FAQ, per question (in-process)", f"{seed_ms:.3f} ms", "<= 1 ms", seed_ms <= 1),
        (
            "seed FAQ, per question (`ask --json -` stream)",
            f"{stream:.3f} ms",
            "<= 1 ms",
            stream <= 1,
        ),
        ("2,000 entries, per question", f"{big_ms:.3f} ms", "<= 5 ms", big_ms <= 5),
        ("`certdesk ask` cold start (median of 5)", f"{cold:.2f} s", "<= 1.5 s", cold <= 1.5),
        ("Desk.handle on a 1 MB paste of prose", f"{huge * 1000:.0f} ms", "< 1 s", huge < 1),
        ("index build: seed / 2,000 entries", f"{seed_build:.2f} s / {big_build:.1f} s", "-", True),
    ]
    print("| measure | result | target | ok |\n|---|---|---|---|")
    for name, value, target, ok in rows:
        print(f"| {name} | {value} | {target} | {'yes' if ok else 'NO'} |")
    return 0 if all(ok for *_, ok in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
