"""Print what the shipped matcher reaches on each development set next to its floor in
tests/data/floors.toml; `--write` sets each floor to that figure less 0.02 (rounded
down). Run after a deliberate change of the model, from the repository root:

    .venv/bin/python tests/update_floors.py [--write]

Raise floors when the matcher improves; lower one only for a documented change of policy
(such as a stricter answer threshold), never to let a regression through.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import DATA

from bot.evaluate import evaluate_file
from knowledge import Matcher, load_kb

MARGIN = 0.02


def measured(name: str, matcher: Matcher) -> dict[str, float | None]:
    s = evaluate_file(DATA / name, matcher).to_json()
    return {
        "accuracy": s["ranking"]["accuracy"],
        "hit_at_1": s["ranking"]["hit_at_1"],
        "precision": s["precision"],
        "oos_refused": s["oos_refused"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite tests/data/floors.toml")
    args = ap.parse_args(argv)
    path = DATA / "floors.toml"
    text = path.read_text(encoding="utf-8")
    matchers: dict[str, Matcher] = {}
    for name, floor in tomllib.loads(text)["sets"].items():
        kb = floor["kb"]
        if kb not in matchers:
            matchers[kb] = Matcher(load_kb(None if kb == "seed" else DATA / kb))
        got = measured(name, matchers[kb])
        head = f'[sets."{name}"]'
        start = text.index(head)
        end = text.find("\n\n", start)
        end = len(text) if end < 0 else end
        block = text[start:end]
        for measure, old in floor.items():
            if measure == "kb":
                continue
            value = got[measure]
            if value is None:
                continue
            new = math.floor((value - MARGIN) * 100) / 100
            print(f"{name:32} {measure:12} {value:.3f}  floor {old} -> {new}")
            block = re.sub(rf"(?m)^{measure} = .*$", f"{measure} = {new}", block)
        text = text[:start] + block + text[end:]
    if args.write:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
