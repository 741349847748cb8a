"""The on-disk matcher cache (knowledge/cache.py): used when valid, rebuilt when the FAQ,
a table or the code changes, and never trusted when damaged or not ours."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from knowledge import cache
from knowledge.matcher import Matcher

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "sample_faq.jsonl"


class Builds:
    """Counts the knowledge bases the cache module loads and builds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.n = 0
        real = cache.load_kb

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.n += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(cache, "load_kb", counted)


@pytest.fixture
def faq(tmp_path: Path) -> Path:
    path = tmp_path / "faq" / "their.jsonl"
    path.parent.mkdir()
    shutil.copy(SAMPLE, path)
    return path


def _files(folder: Path) -> list[Path]:
    return sorted((folder / "index").glob("*.matcher"))


def _answers(m: Matcher) -> list[Any]:
    return [m.match(q).to_json() for q in ("ワイルドカード証明書でサブドメインを保護できますか",
                                          "支払い方法は?", "社員食堂のメニューは?")]


def test_the_second_start_reads_the_cache(faq: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Builds(monkeypatch)
    first = cache.load_matcher(faq, tmp_path / "c")
    second = cache.load_matcher(faq, tmp_path / "c")
    assert builds.n == 1
    assert len(_files(tmp_path / "c")) == 1
    assert _answers(first) == _answers(second)
    assert second.kb.source == str(faq)  # as given: eval and warnings name it


def test_a_changed_faq_or_table_is_rebuilt(faq: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Builds(monkeypatch)
    cache.load_matcher(faq, tmp_path / "c")
    entry = {"id": "900", "question": "架空の新しい質問", "answer": "新しい回答"}
    with faq.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    assert cache.load_matcher(faq, tmp_path / "c").kb.get("900") is not None
    faq.with_name("their.synonyms.toml").write_text('[group]\n"a" = ["b"]\n', encoding="utf-8")
    cache.load_matcher(faq, tmp_path / "c")
    assert builds.n == 3
    cache.load_matcher(faq, tmp_path / "c")
    assert builds.n == 3
    own = faq.with_name("their.thresholds.toml")
    own.write_text("[decision]\nanswer = 0.5\n", encoding="utf-8")
    assert cache.load_matcher(faq, tmp_path / "c").calibration.answer == 0.5
    own.write_text("[decision]\nanswer = 0.6\n", encoding="utf-8")
    assert cache.load_matcher(faq, tmp_path / "c").calibration.answer == 0.6
    assert builds.n == 5


def test_new_code_is_another_key(faq: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.cache_key(faq)
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    assert cache.cache_key(faq) != key


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "not_a_matcher", "magic"])
def test_a_damaged_file_is_ignored_and_rebuilt(damage: str, faq: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load_matcher(faq, tmp_path / "c")
    (file,) = _files(tmp_path / "c")
    data = file.read_bytes()
    head = len(b"certdesk-matcher-v1\n") + 32
    if damage == "flip":
        data = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = b""
    elif damage == "not_a_matcher":  # a valid checksum over something else
        import hashlib

        payload = pickle.dumps({"not": "a matcher"})
        data = data[: head - 32] + hashlib.sha256(payload).digest() + payload
    else:
        data = b"X" + data[1:]
    file.write_bytes(data)
    builds = Builds(monkeypatch)
    m = cache.load_matcher(faq, tmp_path / "c")
    assert builds.n == 1 and isinstance(m, Matcher)
    assert cache.load_matcher(faq, tmp_path / "c") is not m  # rewritten, read again
    assert builds.n == 1


def test_a_folder_others_may_write_to_is_not_used(faq: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "c"
    cache.load_matcher(faq, folder)
    (folder / "index").chmod(0o777)
    builds = Builds(monkeypatch)
    cache.load_matcher(faq, folder)
    cache.load_matcher(faq, folder)
    assert builds.n == 2  # the valid file in it is not read


def test_no_cache_folder_builds(faq: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = Builds(monkeypatch)
    cache.load_matcher(faq, None)
    assert builds.n == 1


def test_workers_starting_at_once_share_one_file(faq: Path, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    env = {**os.environ, "CERTDESK_CACHE_DIR": str(folder)}
    cmd = [sys.executable, "-m", "bot", "ask", "--json", "--kb", str(faq), "支払い方法は?"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              cwd=ROOT) for _ in range(4)]
    outs = [p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    assert len({o for o, _ in outs}) == 1
    assert len(_files(folder)) == 1
    assert not list((folder / "index").glob(".tmp-*"))
    again = subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT, check=True)
    assert again.stdout == outs[0][0]
