"""Shared fixtures. A pinned clock: nothing in a test reads the real time."""

from __future__ import annotations

import os

import pytest

# No test reaches the real network: live checks run only where a test builds a probe
# against its own loopback servers (and sets CERTDESK_OFFLINE=0 for a subprocess).
os.environ["CERTDESK_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def kb():  # type: ignore[no-untyped-def]
    from knowledge import load_kb

    return load_kb()


@pytest.fixture(scope="session")
def matcher(kb):  # type: ignore[no-untyped-def]
    from knowledge import Matcher

    return Matcher(kb)
