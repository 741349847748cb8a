"""knowledge.calibrate's choice rule: precision is judged on the hardest development set
as well as on all of them, so an easy set cannot buy a threshold a hard one pays for."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge import calibrate
from knowledge.kb import DEFAULT_KB


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_precision_is_also_judged_on_the_hardest_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = ["IIS4で秘密鍵をバックアップしたい", "ポート443をIIS 4で有効にする場所",
                 "CAPI2 error = 80093005 が出ます", "IPアドレスを変えても証明書は使えますか"]
    matcher, _ = calibrate.collect("seed", DEFAULT_KB, [])
    ranked_ids = [matcher.rank(q)[0].entry.id for q in questions]
    # the easy set expects what the matcher ranks first; the hard one something else
    easy = _write(tmp_path / "easy.jsonl",
                  [{"q": q, "expect": e, "lang": "ja"} for q, e in zip(questions, ranked_ids, strict=True)])
    wrong = [next(e.id for e in matcher.kb if e.id != got) for got in ranked_ids]
    hard = _write(tmp_path / "hard.jsonl",
                  [{"q": q, "expect": e, "lang": "ja"} for q, e in zip(questions, wrong, strict=True)])
    _, cases = calibrate.collect("seed", DEFAULT_KB, [easy, hard])
    assert [c.source for c in cases] == ["easy.jsonl"] * 4 + ["hard.jsonl"] * 4
    ranked = [matcher.rank(c.question) for c in cases]
    everything = replace(matcher.calibration, answer=0.0)  # every question answered
    conf = np.ones(len(cases))

    monkeypatch.setattr(calibrate, "PREC_MIN_ANSWERS", 4)
    acc = calibrate._accuracy(cases, ranked, conf, everything)
    assert acc["seed", "prec"] == pytest.approx(0.5)
    assert acc["seed", "prec_worst"] == 0.0
    # a set with fewer answers than PREC_MIN_ANSWERS does not count on its own
    monkeypatch.setattr(calibrate, "PREC_MIN_ANSWERS", 5)
    assert ("seed", "prec_worst") not in calibrate._accuracy(cases, ranked, conf, everything)
