"""Reading a vendor's FAQ export (issue 14).

    .venv/bin/python -m bench.bench_import

Measures, on a generated 2,000-entry FAQ with answers of about 400 characters (Japanese
only, categories, URLs, keywords, multi-line answers), saved as Excel does (UTF-8 with a
BOM and CRLF, and again as Shift_JIS):
  1. load_kb on the CSV (decode, parse, validate) and on the JSONL (targets <= 0.5 s),
     and on the faq.toml written from it (<= 1 s: tomllib is pure Python);
  2. `certdesk kb import FILE --out PATH` end to end in a fresh process (target <= 2 s).
The matcher's index build is not part of this; bench.bench_match measures it.
"""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.timing import best as _best

ROOT = Path(__file__).resolve().parents[1]
N = 2000
WORDS = (
    "証明書 秘密鍵 中間証明書 更新 再発行 申請 認証 ドメイン サーバー インストール 設定 "
    "エラー 有効期限 マイページ お支払い 書類 電話確認 ブラウザー 警告 変換 形式 手順 "
    "ご注文 ワイルドカード コモンネーム 組織 審査 発行 ダウンロード 保管"
).split()


def generate_rows(n: int = N, seed: int = 14) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        q = "".join(rng.choice(WORDS) + rng.choice("のをにがでと") for _ in range(5)) + "ですか"
        sentences = [
            "".join(rng.choice(WORDS) + rng.choice("のをにがでと") for _ in range(6)) + "ます。"
            for _ in range(14)
        ]
        answer = "".join(sentences[:6]) + "\n\n" + "".join(sentences[6:])
        rows.append(
            {
                "id": str(10000 + k),
                "category": rng.choice(("ご注文", "認証", "CSR", "更新", "インストール")),
                "question": q,
                "answer": answer,
                "url": f"https://support.example.jp/faq/{10000 + k}",
                "keywords": ";".join(rng.sample(WORDS, 3)),
            }
        )
    return rows


def write_files(folder: Path, rows: list[dict[str, str]]) -> dict[str, Path]:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    files = {
        "csv": folder / "faq.csv",
        "sjis": folder / "faq-sjis.csv",
        "jsonl": folder / "faq.jsonl",
    }
    files["csv"].write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    files["sjis"].write_bytes(buf.getvalue().encode("cp932"))
    files["jsonl"].write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return files


def main() -> int:
    from knowledge import load_kb
    from knowledge.importer import to_toml

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = generate_rows()
        files = write_files(folder, rows)
        kb = load_kb(files["csv"])
        toml_path = folder / "faq.toml"
        toml_path.write_text(to_toml(kb), encoding="utf-8")
        size = files["csv"].stat().st_size / 1e6
        print(f"{len(kb)} entries, mean answer {statistics.mean(len(e.answer_ja) for e in kb):.0f}"
              f" characters, CSV {size:.1f} MB\n")
        print(f"{'measure':<44} {'result':>9}  target")
        for label, path, target in (("load_kb: CSV (UTF-8 with BOM)", files["csv"], 0.5),
                                    ("load_kb: CSV (Shift_JIS)", files["sjis"], 0.5),
                                    ("load_kb: JSONL", files["jsonl"], 0.5),
                                    ("load_kb: the written faq.toml", toml_path, 1.0)):
            t = _best(lambda p=path: load_kb(p), 5)  # type: ignore[misc]
            ok &= t <= target
            print(f"{label:<44} {t * 1000:7.0f} ms  <= {target * 1000:.0f} ms")
        t = _best(lambda: to_toml(kb), 5)
        print(f"{'to_toml':<44} {t * 1000:7.0f} ms")
        out = folder / "out.toml"
        cmd = [sys.executable, "-m", "bot", "kb", "import", str(files["csv"]), "--out", str(out)]
        t = _best(lambda: subprocess.run(cmd, check=True, capture_output=True), 3)
        ok &= t <= 2.0
        print(f"{'certdesk kb import (fresh process)':<44} {t * 1000:7.0f} ms  <= 2000 ms")
        assert load_kb(out).entries == kb.entries
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
