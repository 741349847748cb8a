"""Benchmark of the private-key detector (analyzers.keys) that runs on every message.

Run:  .venv/bin/python -m bench.bench_keys

find_private_keys() and redact() on 1 MB of: Japanese prose, base64 that holds no key,
the adversarial units of tests/test_analyzers_keys.py mixed, and every key form of
tests/keyforms.py repeated; and 250 KB / 1 MB of the mix, to show it is linear.
Prints a markdown table; exits 1 when a target is missed (1 MB under 1 s each).
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from analyzers import find_private_keys, redact  # noqa: E402
from bench.timing import best  # noqa: E402

MB = 1_000_000



def inputs() -> dict[str, str]:
    from keyforms import forms
    from test_analyzers_keys import ADVERSARIAL

    prose = "証明書のインストール方法を教えてください。IIS4で秘密鍵をバックアップするには? "
    b64 = base64.encodebytes(os.urandom(MB * 3 // 4)).decode()
    mix = "".join(ADVERSARIAL)
    keys = "\n".join(f.text for f in forms())
    return {
        "Japanese prose": (prose * (MB // len(prose)))[:MB],
        "base64 without a key": b64[:MB],
        "adversarial mix": (mix * (MB // len(mix) + 1))[:MB],
        "every key form, repeated": (keys * (MB // len(keys) + 1))[:MB],
    }


def main() -> int:
    rows: list[tuple[str, str, str, bool]] = []
    for name, text in inputs().items():
        for label, fn in (("find_private_keys", find_private_keys), ("redact", redact)):
            t = best(lambda fn=fn, text=text: fn(text))  # type: ignore[misc]
            rows.append((f"{label}: 1 MB of {name}", f"{t * 1000:.0f} ms", "< 1 s", t < 1.0))
    mix = inputs()["adversarial mix"]
    small, large = best(lambda: find_private_keys(mix[: MB // 4])), best(
        lambda: find_private_keys(mix))
    ratio = large / max(small, 1e-6)
    rows.append(("find_private_keys: time(1 MB) / time(250 KB) of the mix", f"{ratio:.1f}",
                 "linear (< 8)", ratio < 8))
    print("| measure | result | target |\n|---|---|---|")
    for metric, measured, target, ok in rows:
        print(f"| {metric} | {measured} | {target}{'' if ok else ' MISSED'} |")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
