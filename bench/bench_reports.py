"""Benchmark `certdesk report unanswered` and `certdesk report stats` on 100,000 logged
questions in a SQLite file (the issue asks for under 2 s each).

    .venv/bin/python -m bench.bench_reports [--questions 100000] [--keep DIR]

The database is filled with bulk inserts through SQLAlchemy Core after Store.upgrade()
created the schema: ~300 distinct questions (60 topics x 5 phrasings, Japanese and
English) in typed variants (width, case, spacing, punctuation), 30% of them unanswered
or escalated. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

from bot.reports import Group
from bot.store import Store
from bot.store.models import Analysis, Conversation, Escalation, Feedback, Match, Message
from bot.store.records import UnansweredRow

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SUBJECTS_JA = ["サーバー証明書", "中間証明書", "ルート証明書", "CSR", "秘密鍵", "EV証明書",
               "ワイルドカード証明書", "コード署名証明書", "SAN", "証明書チェーン", "PFXファイル",
               "IIS 10", "Apache", "nginx", "ロードバランサ"]
ASKS_JA = ["{s}のインストール方法を教えてください", "{s}の更新はどうすればいいですか？",
           "{s}でエラーが出ます", "{s}は何台まで使えますか", "{s}をエクスポートしたい",
           "{s}の有効期限を確認したい", "{s}の価格はいくらですか", "{s}を再発行してほしい",
           "{s}をバックアップする手順は", "{s}が信頼されないと表示される"]
SUBJECTS_EN = ["server certificate", "intermediate certificate", "root certificate", "CSR",
               "private key", "EV certificate", "wildcard certificate", "code signing cert",
               "SAN list", "certificate chain", "PFX file", "IIS 10", "Apache", "nginx",
               "load balancer"]
ASKS_EN = ["How do I install the {s}?", "how can I renew my {s}", "I get an error with the {s}",
           "On how many servers can I use the {s}?", "I want to export the {s}",
           "Where do I check the expiry date of the {s}?", "What is the price of the {s}?",
           "Please reissue the {s}", "How should I back up the {s}?",
           "Browsers say the {s} is not trusted"]


def questions() -> list[tuple[str, str]]:
    """300 distinct questions: 15 subjects x 10 asks, in Japanese and in English."""
    ja = [(a.format(s=s), "ja") for s in SUBJECTS_JA for a in ASKS_JA]
    return ja + [(a.format(s=s), "en") for s in SUBJECTS_EN for a in ASKS_EN]


def variant(rng: random.Random, text: str) -> str:
    """How people type the same question: width, case, spacing, punctuation."""
    r = rng.random()
    if r < 0.5:
        return text
    if r < 0.6:
        return unicodedata.normalize("NFKC", text).upper() if text.isascii() else text + "？"
    if r < 0.7:
        return text.replace(" ", "  ").rstrip("?？") + "!!"
    if r < 0.8:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)  # full width
    if r < 0.9:
        return "すみません、" + text if not text.isascii() else "hi, " + text.lower()
    return text + f" (#{rng.randint(1, 40)})"


def fill(url: str, n: int, seed: int = 7) -> dict[str, str]:
    """Write n questions; returns each typed variant's original question."""
    rng = random.Random(seed)
    base = questions()
    truth: dict[str, str] = {}
    engine = create_engine(url)
    n_conv = max(n // 10, 1)
    convs: list[dict[str, Any]] = []
    msgs: list[dict[str, Any]] = []
    matches: list[dict[str, Any]] = []
    escs: list[dict[str, Any]] = []
    feedback: list[dict[str, Any]] = []
    analyses: list[dict[str, Any]] = []
    for c in range(1, n_conv + 1):
        t = NOW - timedelta(days=30 * rng.random())
        convs.append({"id": c, "transport": "slack", "channel": f"C{c % 50}",
                      "thread": f"{c}.0", "user": f"U{c % 700}", "created_at": t, "last_at": t})
    popularity = [1.0 / (k + 1) ** 0.8 for k in range(len(base))]  # a few questions dominate
    for mid in range(1, n + 1):
        conv = convs[mid % n_conv]
        text, lang = rng.choices(base, weights=popularity)[0]
        at = conv["created_at"] + timedelta(seconds=mid % 600)
        typed = variant(rng, text)
        truth[typed] = text
        msgs.append({"id": mid, "conversation_id": conv["id"], "direction": "in",
                     "user": conv["user"], "text": typed, "lang": lang,
                     "created_at": at, "external_id": None, "reply_to": None})
        r = rng.random()
        decision = "none" if r < 0.2 else "human" if r < 0.25 else "ambiguous" if r < 0.35 \
            else "answer"
        matches.append({"message_id": mid, "entry_id": f"entry-{rng.randint(1, 22)}",
                        "score": rng.random(), "decision": decision, "lang": lang})
        escalate = decision == "human" or (decision == "none" and rng.random() < 0.5)
        if escalate or (decision == "answer" and rng.random() < 0.06):
            escs.append({"message_id": mid, "active_message_id": mid, "status": "open",
                         "reason": "no_answer", "created_at": at})
        if decision == "answer" and rng.random() < 0.2:
            feedback.append({"message_id": mid, "user": conv["user"],
                             "helpful": rng.random() < 0.8, "created_at": at})
        if rng.random() < 0.1:
            analyses.append({"message_id": mid, "certificates": rng.randint(1, 3)})
    with engine.begin() as conn:
        for model, rows in ((Conversation, convs), (Message, msgs), (Match, matches),
                            (Escalation, escs), (Feedback, feedback), (Analysis, analyses)):
            for i in range(0, len(rows), 20_000):
                conn.execute(insert(model), rows[i : i + 20_000])
    engine.dispose()
    return truth


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def quality(
    groups: list[Group], rows: list[UnansweredRow], truth: dict[str, str]
) -> tuple[float, float]:
    """Purity (share of questions whose group's majority is their own original question)
    and fragmentation (groups an original question is spread over, on average)."""
    text_of = {r.message_id: r.text for r in rows}
    pure = 0
    spread: dict[str, set[int]] = {}
    for n, g in enumerate(groups):
        origins = Counter(truth[text_of[mid]] for mid in g.message_ids)
        pure += origins.most_common(1)[0][1]
        for origin in origins:
            spread.setdefault(origin, set()).add(n)
    total = sum(len(g.message_ids) for g in groups)
    return pure / max(total, 1), sum(map(len, spread.values())) / max(len(spread), 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--questions", type=int, default=100_000)
    ap.add_argument("--keep", metavar="DIR", help="keep the database in DIR")
    args = ap.parse_args(argv)

    from bot.reports import group_unanswered, lemma_features, nearest_finder, normaliser

    tmp = tempfile.TemporaryDirectory()
    where = Path(args.keep or tmp.name)
    where.mkdir(parents=True, exist_ok=True)
    db = where / "bench.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    store = Store(url)
    store.upgrade()
    t_fill, truth = timed(lambda: fill(url, args.questions), repeat=1)
    since = NOW - timedelta(days=31)
    norm, near, feats = normaliser(), nearest_finder(), lemma_features()
    if near is not None:
        near("warm up the matcher")  # loading the FAQ is start-up, not the report

    t_stats, stats = timed(lambda: store.report_stats(since=since, now=NOW))
    t_rows, rows = timed(lambda: store.unanswered_questions(since=since))
    t_group, groups = timed(lambda: group_unanswered(rows, norm, None, features=feats))
    t_near, _ = timed(lambda: group_unanswered(rows, norm, near, features=feats))
    t_total = t_rows + t_near
    # end to end through the real command line, Python start-up and FAQ loading included
    env_cmd = [sys.executable, "-m", "bot", "report"]
    cli = {}
    for name, extra in (("unanswered", ["unanswered", "--json", "--since", "3650d"]),
                        ("stats", ["stats", "--json", "--since", "3650d"])):
        t0 = time.perf_counter()
        subprocess.run([*env_cmd, *extra], check=True, capture_output=True,
                       env={**__import__("os").environ, "DATABASE_URL": url})
        cli[name] = time.perf_counter() - t0
    store.dispose()
    purity, split = quality(groups, rows, truth)

    print(f"\n{args.questions:,} logged questions; {stats['unanswered']:,} unanswered; "
          f"{len(groups)} groups; fill {t_fill:.1f} s")
    print(f"grouping quality: purity {purity:.3f} (share of questions in a group whose "
          f"majority is their own original question); {split:.2f} groups per original\n")
    print("| step | seconds | limit |")
    print("|---|---:|---:|")
    print(f"| report stats (query) | {t_stats:.3f} | 2 |")
    print(f"| report unanswered: query ({len(rows):,} rows) | {t_rows:.3f} | |")
    print(f"| report unanswered: grouping | {t_group:.3f} | |")
    print(f"| report unanswered: grouping + nearest FAQ (matcher) | {t_near:.3f} | |")
    print(f"| report unanswered (query + grouping + nearest) | {t_total:.3f} | 2 |")
    print(f"| `certdesk report unanswered --json` end to end | {cli['unanswered']:.3f} | |")
    print(f"| `certdesk report stats --json` end to end | {cli['stats']:.3f} | |")
    ok = t_stats < 2 and t_total < 2
    print(f"\n{'PASS' if ok else 'FAIL'}: each report under 2 s")
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
