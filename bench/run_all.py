"""Run every benchmark and print its table: `make bench` (about two minutes).

Each benchmark is also runnable alone: `python -m bench.bench_match`, `bench.bench_check`,
`bench.bench_reports`, `bench.bench_slack`, `bench.bench_import`, `bench.bench_probe`,
`bench.bench_hostile`, `bench.bench_keys`. The exit
status is 1 when any target is missed.
"""

from __future__ import annotations

import subprocess
import sys

BENCHES = (
    "bench.bench_match",
    "bench.bench_check",
    "bench.bench_reports",
    "bench.bench_slack",
    "bench.bench_import",
    "bench.bench_probe",
    "bench.bench_hostile",
    "bench.bench_keys",
)


def main() -> int:
    failed = []
    for name in BENCHES:
        print(f"\n## {name}\n", flush=True)
        if subprocess.run([sys.executable, "-m", name]).returncode != 0:
            failed.append(name)
    if failed:
        print("\nmissed a target: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
