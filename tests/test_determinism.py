"""Results do not depend on PYTHONHASHSEED (set iteration order), nor on whether the
matcher was built in this process or read from a cache file another process wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import gen_faq

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def _questions() -> str:
    lines = []
    for name in ("dev_questions.jsonl", "dev2_questions.jsonl"):
        with (DATA / name).open(encoding="utf-8") as fh:
            lines += [json.loads(line)["q"].replace("\n", " ") for line in fh if line.strip()]
    lines += [q["q"] for q in gen_faq.generate(200)[1]]
    return "\n".join(lines) + "\n"


def _ask(kb: Path, seed: str, cache: Path, questions: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed, "CERTDESK_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--top", "10", "--kb", str(kb), "-"],
        input=questions, capture_output=True, text=True, env=env, cwd=ROOT, check=True,
    )
    return out.stdout


@pytest.mark.parametrize("kb", [ROOT / "knowledge" / "faq.toml", DATA / "kb" / "ssl-vendor-faq.ja.jsonl"],
                         ids=["seed", "vendor"])
def test_same_answers_under_any_hash_seed(kb: Path, tmp_path: Path) -> None:
    questions = _questions()
    built_1 = _ask(kb, "1", tmp_path / "one", questions)  # builds and writes the cache
    built_2 = _ask(kb, "2", tmp_path / "two", questions)
    read_2 = _ask(kb, "2", tmp_path / "one", questions)  # reads seed 1's cache file
    assert len(built_1.splitlines()) == questions.count("\n")
    assert built_1 == built_2
    assert built_1 == read_2
    assert list((tmp_path / "one" / "index").glob("*.matcher"))
