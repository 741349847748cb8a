"""Shared fixtures. A pinned clock: nothing in a test reads the real time."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def kb():  # type: ignore[no-untyped-def]
    from knowledge import load_kb

    return load_kb()


@pytest.fixture(scope="session")
def matcher(kb):  # type: ignore[no-untyped-def]
    from knowledge import Matcher

    return Matcher(kb)
