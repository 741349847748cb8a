"""Every benchmark imports the way `python -m bench.X` runs it: from the repository root,
without pytest's tests/ on sys.path (which would hide a bench that forgot to add it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_bench_module_imports_from_the_repository_root() -> None:
    names = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    assert names, "no bench modules found"
    code = "import importlib\n" + "".join(f"importlib.import_module('bench.{n}')\n" for n in names)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
