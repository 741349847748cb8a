"""Every development set at its own floor, the floors in data (tests/data/floors.toml)."""

from __future__ import annotations

import tomllib

import pytest
from support import DATA

from bot.evaluate import evaluate_file
from knowledge import Matcher, load_kb
from knowledge.calibrate import dev_sets, spent_holdouts

FLOORS = tomllib.loads((DATA / "floors.toml").read_text(encoding="utf-8"))["sets"]
_matchers: dict[str, Matcher] = {}


def _matcher(kb: str) -> Matcher:
    if kb not in _matchers:
        _matchers[kb] = Matcher(load_kb(None if kb == "seed" else DATA / kb))
    return _matchers[kb]


def test_every_development_set_has_a_floor() -> None:
    files = {p.relative_to(DATA).as_posix() for p in DATA.glob("questions/*.jsonl")}
    files |= {p.relative_to(DATA).as_posix() for p in DATA.glob("voices2/*.jsonl")}
    files |= {p.relative_to(DATA).as_posix() for p in DATA.glob("kb/vendor_*.jsonl")}
    files |= {p.name for p in DATA.glob("dev*_questions.jsonl")}
    files |= {p.relative_to(DATA).as_posix() for ps in spent_holdouts().values() for p in ps}
    assert files <= set(FLOORS), sorted(files - set(FLOORS))


def test_the_calibration_reads_spent_holdouts_and_no_other() -> None:
    spent = {p for ps in spent_holdouts().values() for p in ps}
    assert spent and all(p.is_file() for p in spent)
    read = {p for _, _, files in dev_sets() for p in files}
    assert spent <= read
    holdouts = set(DATA.glob("holdout*_questions.jsonl")) | set(DATA.glob("holdout_voices/*.jsonl"))
    assert not (read & holdouts) - spent  # a hold-out not yet spent is never fitted on


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_development_set_holds_its_floor(name: str) -> None:
    floor = FLOORS[name]
    summary = evaluate_file(DATA / name, _matcher(floor["kb"])).to_json()
    got = {
        "accuracy": summary["ranking"]["accuracy"],
        "hit_at_1": summary["ranking"]["hit_at_1"],
        "precision": summary["precision"],
        "oos_refused": summary["oos_refused"],
    }
    for measure, value in got.items():
        if measure in floor:
            assert value is not None and value >= floor[measure], (name, measure, value)
