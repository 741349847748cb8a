"""The FAQ as data: loading and validating faq.toml (or another file in its format)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_KB = Path(__file__).with_name("faq.toml")

_REQUIRED_TEXT = ("id", "question_ja", "question_en", "answer_ja", "answer_en")
_LISTS = (
    "phrasings_ja",
    "phrasings_en",
    "keywords_ja",
    "keywords_en",
    "signals",
    "related",
)


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is unreadable or invalid; the message names file, entry and field."""


@dataclass(frozen=True)
class Entry:
    id: str
    question_ja: str
    question_en: str
    answer_ja: str
    answer_en: str
    phrasings_ja: tuple[str, ...] = ()
    phrasings_en: tuple[str, ...] = ()
    keywords_ja: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    learned: bool = False  # added from a resolved escalation, not from the file
    category: str = ""
    url: str = ""

    def has_lang(self, lang: str) -> bool:
        """Whether the entry is written in `lang`; a Japanese-only FAQ has empty _en fields."""
        return bool(self.question_en and self.answer_en) if lang == "en" else True

    def question(self, lang: str) -> str:
        return self.question_en if lang == "en" and self.question_en else self.question_ja

    def answer(self, lang: str) -> str:
        return self.answer_en if lang == "en" and self.answer_en else self.answer_ja


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    source: str = "<memory>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        by_id: dict[str, Entry] = self._by_id  # type: ignore[attr-defined]
        return by_id.get(entry_id)

    def find(self, key: str) -> Entry | None:
        """An entry by id, or by its question in either language (as eval files name them)."""
        hit = self.get(key)
        if hit is not None:
            return hit
        return next((e for e in self.entries if key in (e.question_ja, e.question_en)), None)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def with_entries(self, extra: Iterable[Entry]) -> KnowledgeBase:
        return KnowledgeBase(self.entries + tuple(extra), self.source)

    def table_path(self, name: str) -> Path | None:
        """The FAQ's own table `name` (synonyms, smalltalk, thresholds, ...): the file
        `STEM.NAME.toml` beside the FAQ file `STEM.EXT`, or None when it ships none.
        Tables belong to the FAQ they were written for; another FAQ gets none of them."""
        if self.source.startswith("<"):
            return None
        p = Path(self.source)
        candidate = p.with_name(f"{p.stem}.{name}.toml")
        return candidate if candidate.is_file() else None


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge-base TOML file (default: the bundled faq.toml)."""
    p = Path(path) if path is not None else DEFAULT_KB
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(f"{p}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(f"{p}: not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeBaseError(f"{p}: invalid TOML: {exc}") from exc
    return parse_kb(data, source=str(p))


def parse_kb(data: Mapping[str, Any], *, source: str = "<memory>") -> KnowledgeBase:
    raw_entries = data.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise KnowledgeBaseError(f"{source}: no [[entry]] tables found")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(raw_entries, start=1):
        where = f"{source}: entry {n}"
        if not isinstance(raw, dict):
            raise KnowledgeBaseError(f"{where}: must be a table")
        if isinstance(raw.get("id"), str):
            where += f" (id {raw['id']!r})"
        entries.append(_parse_entry(raw, where))
        entry_id = entries[-1].id
        if entry_id in seen:
            raise KnowledgeBaseError(f"{where}: field 'id': duplicate of entry {seen[entry_id]}")
        seen[entry_id] = n
    for n, entry in enumerate(entries, start=1):
        for rel in entry.related:
            if rel not in seen:
                raise KnowledgeBaseError(
                    f"{source}: entry {n} (id {entry.id!r}): field 'related': unknown id {rel!r}"
                )
            if rel == entry.id:
                raise KnowledgeBaseError(
                    f"{source}: entry {n} (id {entry.id!r}): field 'related': refers to itself"
                )
    return KnowledgeBase(tuple(entries), source)


def _parse_entry(raw: dict[str, Any], where: str) -> Entry:
    known = set(_REQUIRED_TEXT) | set(_LISTS)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise KnowledgeBaseError(f"{where}: unknown field {unknown[0]!r}")
    values: dict[str, Any] = {}
    for key in _REQUIRED_TEXT:
        value = raw.get(key)
        if value is None:
            raise KnowledgeBaseError(f"{where}: field {key!r} is missing")
        if not isinstance(value, str) or not value.strip():
            raise KnowledgeBaseError(f"{where}: field {key!r} must be a non-empty string")
        values[key] = value.strip() if key != "id" else value
    if not values["id"].replace("-", "").replace("_", "").isalnum():
        raise KnowledgeBaseError(f"{where}: field 'id' must be a slug (letters, digits, - or _)")
    for key in _LISTS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise KnowledgeBaseError(f"{where}: field {key!r} must be a list of non-empty strings")
        values[key] = tuple(v.strip() for v in value)
    return Entry(**values)
