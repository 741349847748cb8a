"""Paths and constants the tests share (importable as `support`: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "iis4-faq.ja.txt"
DATA = ROOT / "tests" / "data"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
