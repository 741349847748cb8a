"""The FAQ as data: loading and validating faq.toml, or a vendor's CSV or JSONL export.

`load_kb` dispatches on the file's extension (`.toml`, `.csv`, `.jsonl`); the CSV and
JSONL readers live in `knowledge.importer`. Every problem of a file is collected and
reported at once in one `KnowledgeBaseError` (file, line, entry, field); fields the
loader does not know are ignored with a warning (`KnowledgeBase.warnings`)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_KB = Path(__file__).with_name("faq.toml")

REQUIRED_TEXT = ("id", "question_ja", "answer_ja")
OPTIONAL_TEXT = ("question_en", "answer_en", "category", "url")
LISTS = (
    "phrasings_ja",
    "phrasings_en",
    "keywords_ja",
    "keywords_en",
    "signals",
    "related",
)
FIELDS = REQUIRED_TEXT + OPTIONAL_TEXT + LISTS
MAX_ID_CHARS = 200  # ids travel in Slack button values and database columns
_ID = re.compile(r"[\w.-]+")  # letters (any script), digits, _ - .
_URL = re.compile(r"https?://[^\s<>|\"\\\x00-\x1f\x7f]+", re.IGNORECASE)
_ENTRY_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*entry[ \t]*\]\]", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or, as a warning, odd) in a knowledge-base file."""

    source: str
    message: str  # a predicate when `field` is set: "is missing", "must be ..."
    line: int | None = None
    entry: int | None = None  # 1-based position in the file
    entry_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.source:
            parts.append(self.source + (f":{self.line}" if self.line else ""))
        if self.entry is not None:
            parts.append(
                f"entry {self.entry}" + (f" (id {self.entry_id!r})" if self.entry_id else "")
            )
        text = f"field {self.field!r} {self.message}" if self.field else self.message
        return ": ".join([*parts, text])


class KnowledgeBaseError(ValueError):
    """A knowledge-base file is unreadable or invalid. `problems` holds every problem
    found (each names file, line or entry, and field); str() puts one on each line."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


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
    # fields the loader ignored, and other oddities that did not stop it
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

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
        return KnowledgeBase(self.entries + tuple(extra), self.source, self.warnings)

    def table_path(self, name: str) -> Path | None:
        """The FAQ's own table `name` (synonyms, smalltalk, thresholds, ...): the file
        `STEM.NAME.toml` beside the FAQ file `STEM.EXT`, or None when it ships none.
        Tables belong to the FAQ they were written for; another FAQ gets none of them."""
        if self.source.startswith("<"):
            return None
        candidate = table_file(Path(self.source), name)
        return candidate if candidate.is_file() else None


def table_file(kb_path: Path, name: str) -> Path:
    """Where the FAQ file `STEM.EXT` keeps its own table `name`: `STEM.NAME.toml` beside it."""
    return kb_path.with_name(f"{kb_path.stem}.{name}.toml")


# A record: the line it starts on (None when unknown) and its fields in faq.toml's names.
Record = tuple[int | None, Mapping[str, Any]]


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge base (default: the bundled faq.toml): a faq.toml-format
    file, or a CSV or JSONL export (see knowledge.importer), chosen by the extension."""
    p = Path(path) if path is not None else DEFAULT_KB
    suffix = p.suffix.lower()
    if suffix in (".csv", ".jsonl", ".ndjson"):
        from knowledge import importer

        return importer.load_export(p)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise KnowledgeBaseError(
            f"{p}: a spreadsheet, not a FAQ file: save it as CSV UTF-8 (Excel: File > Save As"
            " > 'CSV UTF-8') and use the .csv / 表計算ファイルです。CSV UTF-8 で保存してください"
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(f"{p}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(f"{p}: not UTF-8 text (byte {exc.start})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        hint = "" if suffix == ".toml" else " (certdesk reads .toml, .csv and .jsonl files)"
        raise KnowledgeBaseError(f"{p}: invalid TOML{hint}: {exc}") from exc
    return parse_kb(data, source=str(p), lines=entry_lines(text))


def entry_lines(text: str) -> list[int]:
    """The line of each `[[entry]]` header of a TOML text, in order (one pass)."""
    lines: list[int] = []
    line, pos = 1, 0
    for m in _ENTRY_HEADER.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        lines.append(line)
    return lines


def parse_kb(
    data: Mapping[str, Any], *, source: str = "<memory>", lines: Sequence[int] = ()
) -> KnowledgeBase:
    """The parsed TOML document of a faq.toml-format file. `lines` gives each entry's line
    (ignored when it does not match the entries, e.g. a header inside a string)."""
    raw_entries = data.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise KnowledgeBaseError([Problem(source, "no [[entry]] tables found")])
    known_lines: Sequence[int | None] = (
        lines if len(lines) == len(raw_entries) else [None] * len(raw_entries)
    )
    return parse_records(list(zip(known_lines, raw_entries, strict=True)), source=source)


def parse_records(records: Sequence[Record], *, source: str) -> KnowledgeBase:
    """Validate records (fields in faq.toml's names) into a KnowledgeBase, collecting every
    problem of the file before raising one KnowledgeBaseError that lists them all."""
    problems: list[Problem] = []
    unknown: dict[str, list[int]] = {}
    entries: list[Entry] = []
    links: list[tuple[int, int | None, str | None, list[str]]] = []  # for 'related'
    seen: dict[str, int] = {}
    if not records:
        raise KnowledgeBaseError([Problem(source, "holds no entries")])
    for n, (line, raw) in enumerate(records, start=1):
        if not isinstance(raw, Mapping):
            problems.append(Problem(source, "must be a table of fields", line, n))
            continue
        entry, found = _parse_entry(raw, source, line, n)
        problems += found
        for key in raw:
            if key not in FIELDS:
                unknown.setdefault(str(key), []).append(n)
        entry_id = _id_of(raw)
        if entry_id is not None:
            if entry_id in seen:
                problems.append(
                    Problem(
                        source,
                        f"duplicates the id of entry {seen[entry_id]}",
                        line,
                        n,
                        entry_id,
                        "id",
                    )
                )
            else:
                seen[entry_id] = n
        if entry is not None:
            entries.append(entry)
        related = raw.get("related")
        if isinstance(related, list):  # checked even when the entry itself is broken
            links.append((n, line, entry_id, [r.strip() for r in related if isinstance(r, str)]))
    for n, line, entry_id, related in links:
        for rel in related:
            if rel and rel == entry_id:
                problems.append(
                    Problem(source, "refers to the entry itself", line, n, entry_id, "related")
                )
            elif rel and rel not in seen:
                problems.append(
                    Problem(source, f"names an unknown id {rel!r}", line, n, entry_id, "related")
                )
    if problems:
        raise KnowledgeBaseError(problems)
    warnings = tuple(
        Problem(source, f"is not a certdesk field; ignored (entries {_ranges(ns)})", field=key)
        for key, ns in unknown.items()
    )
    return KnowledgeBase(tuple(entries), source, warnings)


def _id_of(raw: Mapping[str, Any]) -> str | None:
    value = raw.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _parse_entry(
    raw: Mapping[str, Any], source: str, line: int | None, n: int
) -> tuple[Entry | None, list[Problem]]:
    entry_id = _id_of(raw)
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(source, message, line, n, entry_id, key))

    values: dict[str, Any] = {}
    raw_id = raw.get("id")
    if raw_id is None:
        problem("id", "is missing")
    elif entry_id is None:
        problem("id", "must be a non-empty string or a whole number")
    elif len(entry_id) > MAX_ID_CHARS:
        problem("id", f"is longer than {MAX_ID_CHARS} characters")
    elif not _ID.fullmatch(entry_id):
        problem("id", "must be a slug (letters, digits, '-', '_' or '.'; no spaces)")
    values["id"] = entry_id
    for key in REQUIRED_TEXT[1:] + OPTIONAL_TEXT:
        value = raw.get(key)
        if value is None or (key in OPTIONAL_TEXT and value == ""):
            if key in REQUIRED_TEXT:
                problem(key, "is missing")
            values[key] = ""
        elif not isinstance(value, str) or not value.strip():
            problem(key, "must be a non-empty string")
        else:
            values[key] = _lf(value.strip())
    if bool(values.get("question_en")) != bool(values.get("answer_en")) and not any(
        p.field in ("question_en", "answer_en") for p in problems
    ):
        missing = "answer_en" if values.get("question_en") else "question_en"
        other = "question_en" if missing == "answer_en" else "answer_en"
        problem(missing, f"is missing while {other!r} is given (give both or neither)")
    url = values.get("url")
    if url and not _URL.fullmatch(url):
        problem("url", "must be one http:// or https:// address without spaces")
    for key in LISTS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problem(key, "must be a list of non-empty strings")
        else:
            values[key] = tuple(_lf(v.strip()) for v in value)
    if problems:
        return None, problems
    return Entry(**values), problems


def _lf(text: str) -> str:
    """Windows line ends as \\n: a bare CR would move a terminal's cursor."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _ranges(numbers: Sequence[int]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"; long lists are cut after a few ranges."""
    out: list[str] = []
    start = prev = numbers[0]
    for k in [*numbers[1:], None]:
        if k is not None and k == prev + 1:
            prev = k
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if k is not None:
            start = prev = k
    return ", ".join(out[:5]) + (f", … ({len(numbers)} in all)" if len(out) > 5 else "")
