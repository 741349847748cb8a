"""Shared assertions for the analyzer test modules (golden corpus, vectors, fuzz)."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from typing import Any

from analyzers import REGISTRY, Report, analyze

NOW = datetime(2026, 6, 1, tzinfo=UTC)  # the golden corpus's pinned clock
KINDS = {"certificate", "csr", "private_key", "public_key", "pkcs7", "crl", "unknown"}


def assert_well_formed(report: Report, source: str | None = None) -> dict[str, Any]:
    """The `check --json` contract of DESIGN.md, checked on one report. Returns the dict."""
    assert isinstance(report, Report)
    d = report.to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d, "to_dict() must be JSON"
    assert set(d) == {"source", "objects", "findings"}
    if source is not None:
        assert d["source"] == source
    assert [o["index"] for o in d["objects"]] == list(range(len(d["objects"])))
    assert all(o["kind"] in KINDS for o in d["objects"]), d["objects"]
    for f in d["findings"]:
        assert set(f) == {"code", "severity", "object", "message", "message_en", "faq"}, f
        info = REGISTRY[f["code"]]
        assert f["severity"] == info.severity, f["code"]
        assert f["faq"] == list(info.faq), f["code"]
        assert isinstance(f["message"], str) and f["message"].strip(), f["code"]
        assert isinstance(f["message_en"], str) and f["message_en"].strip(), f["code"]
        assert f["object"] is None or 0 <= f["object"] < len(d["objects"]), f
    return d


def analyze_quietly(data: str | bytes, **kw: Any) -> Report:
    """analyze() with every warning recorded: user input must not make the analyzer
    print warnings (cryptography's deprecation warnings about odd certificates are
    for the analyzer to handle, not to leak to a bot's stderr)."""
    kw.setdefault("now", NOW)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = analyze(data, **kw)
    assert not caught, [f"{w.category.__name__}: {w.message}" for w in caught]
    return report
