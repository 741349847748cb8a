"""Shared fixtures. A pinned clock: nothing in a test reads the real time."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# No test reaches the real network: live checks run only where a test builds a probe
# against its own loopback servers (and sets CERTDESK_OFFLINE=0 for a subprocess).
os.environ["CERTDESK_OFFLINE"] = "1"
# Cached matchers (knowledge/cache.py) and downloads go to a folder of this run, never to
# the developer's ~/.cache; subprocesses inherit it.
_CACHE = tempfile.mkdtemp(prefix="certdesk-test-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ.setdefault("CERTDESK_CACHE_DIR", _CACHE)


@pytest.fixture(scope="session")
def kb():  # type: ignore[no-untyped-def]
    from knowledge import load_kb

    return load_kb()


@pytest.fixture(scope="session")
def matcher(kb):  # type: ignore[no-untyped-def]
    from knowledge import Matcher

    return Matcher(kb)
