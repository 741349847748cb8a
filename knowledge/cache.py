"""The built matcher of a knowledge base, cached on disk so a process starts in a fraction
of the time a build takes (2,000 entries: ~3 s to build, ~0.2 s to read back).

A cache file is keyed by everything the matcher is made from: the FAQ file's bytes and
path, the bytes of each table it uses (knowledge/tables.py), and the code version (the
sources of this package and the versions of Python, fugashi, unidic-lite and rapidfuzz).
Any change gives another key, so a stale file is never read; old files are pruned.

Files are written to a temporary name and renamed (os.replace), so several workers that
start at once each see either no file or a whole one. A file is unpickled only when it
is ours: in a folder owned by this user that nobody else may write to, owned by this
user, with the magic header and a SHA-256 of the payload that matches. Anything else
(corrupt, truncated, foreign) is ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

from knowledge.kb import DEFAULT_KB, load_kb
from knowledge.matcher import Matcher
from knowledge.tables import tables_for_source

log = logging.getLogger(__name__)

_MAGIC = b"certdesk-matcher-v1\n"
_DIGEST = 32  # SHA-256 of the payload, after the magic
_KEEP = 16  # cache files kept per folder (newest first)
_DEPENDENCIES = ("fugashi", "unidic-lite", "rapidfuzz", "pyspellchecker")
_SUFFIX = ".matcher"


def code_version() -> str:
    """A hash of what the built matcher depends on besides its data: this package's
    sources and data files (the glossary) and the versions of the libraries and
    dictionary that tokenise and score."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    here = Path(__file__).parent
    for src in [*sorted(here.glob("*.py")), *sorted((here / "data").glob("*"))]:
        h.update(src.name.encode() + b"\0" + src.read_bytes() + b"\0")
    h.update(sys.version.encode() + b"\0" + str(pickle.HIGHEST_PROTOCOL).encode())
    for dist in _DEPENDENCIES:
        try:
            h.update(f"{dist}={version(dist)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{dist}=?\0".encode())
    return h.hexdigest()


def cache_key(kb_path: Path) -> str:
    """The key of the matcher built from `kb_path` and its tables; OSError when a file
    cannot be read. The path as given is part of it (it is the FAQ's `source`, shown by
    eval), and so is the resolved one (the same spelling from another folder)."""
    h = hashlib.sha256(code_version().encode())
    h.update(f"{kb_path}\0{kb_path.resolve()}\0".encode() + kb_path.read_bytes())
    for table in tables_for_source(str(kb_path)).files():
        h.update(b"\0" + str(table).encode() + b"\0" + table.read_bytes())
    return h.hexdigest()


def load_matcher(kb_path: str | Path | None = None, cache_dir: Path | None = None) -> Matcher:
    """The matcher of the knowledge base at `kb_path` (default: the bundled FAQ), read from
    `cache_dir` when a valid cache file is there, else built (and written there).
    Raises KnowledgeBaseError as `load_kb` does; cache problems never raise."""
    path = Path(kb_path) if kb_path is not None else DEFAULT_KB
    if cache_dir is None:
        return Matcher(load_kb(path))
    try:
        key = cache_key(path)
    except OSError:
        return Matcher(load_kb(path))  # load_kb says what is wrong with the file
    folder = cache_dir / "index"
    file = folder / f"{key}{_SUFFIX}"
    cached = _read(file, folder)
    if cached is not None:
        return cached
    matcher = Matcher(load_kb(path))
    _write(file, folder, matcher)
    return matcher


def _owned_folder(folder: Path, *, create: bool) -> bool:
    """Whether `folder` is ours alone: owned by this user, writable by nobody else."""
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        log.warning("matcher cache %s is not a folder of this user: not used", folder)
        return False
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        log.warning("matcher cache %s is writable by others: not used", folder)
        return False
    return True


def _read(file: Path, folder: Path) -> Matcher | None:
    if not file.exists() or not _owned_folder(folder, create=False):
        return None
    try:
        with file.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_uid != os.geteuid() or not stat.S_ISREG(st.st_mode):
                return None
            data = fh.read()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    payload = memoryview(data)[head:]  # no copy of a file of megabytes
    if (
        len(data) <= head
        or not data.startswith(_MAGIC)
        or hashlib.sha256(payload).digest() != data[len(_MAGIC) : head]
    ):
        log.warning("matcher cache file %s is damaged: rebuilding", file.name)
        return None
    try:
        matcher = pickle.loads(payload)
    except Exception as exc:  # written by us, so only a bug gets here: rebuild
        log.warning("matcher cache file %s cannot be read (%s): rebuilding", file.name, exc)
        return None
    return matcher if isinstance(matcher, Matcher) else None


def _write(file: Path, folder: Path, matcher: Matcher) -> None:
    if not _owned_folder(folder, create=True):
        return
    try:
        payload = pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        log.warning("the matcher cannot be cached: %s", exc)
        return
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp_name, file)  # atomic: readers see no file or the whole file
        tmp_name = None
    except OSError as exc:
        log.warning("cannot write the matcher cache in %s: %s", folder, exc)
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the newest cache files (older FAQ versions and old code go) and remove the
    temporary files of writers that died an hour ago or more."""
    import time

    try:
        files = sorted(folder.glob(f"*{_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[_KEEP:]:
            old.unlink(missing_ok=True)
        for part in folder.glob(".tmp-*.part"):
            if part.stat().st_mtime < time.time() - 3600:
                part.unlink(missing_ok=True)
    except OSError:
        pass
