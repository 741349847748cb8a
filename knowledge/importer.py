"""A vendor's FAQ export (CSV or JSONL) read as a knowledge base, and any knowledge base
written back in faq.toml's format (`certdesk kb import`).

Fields, as CSV header names or JSONL keys: `question` and `answer` (the Japanese text)
are required; `id`, `category`, `url`, `question_en`, `answer_en` and `keywords` are
optional, and faq.toml's own names (`question_ja`, `keywords_en`, `related`, ...) are
accepted too. A list field is a JSON list, or text separated by `;` (or a line break).

CSV: UTF-8 with or without a BOM (Excel's "CSV UTF-8"), Shift_JIS / CP932 (Excel's
plain "CSV" on a Japanese Windows), EUC-JP and UTF-16 are recognised; quoted cells may
span lines; the delimiter (comma, tab or semicolon) is read off the header line.

An entry without an `id` gets `q-` and ten hex digits of the SHA-256 of its question
(NFKC, whitespace collapsed). Unlike a number in file order, that id survives a
re-export in which entries were added, removed or reordered, so conversation logs,
escalations and eval files keep pointing at the same entry; it changes only when the
question itself is edited. Give an `id` column when the vendor has one."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from knowledge.kb import (
    LISTS,
    KnowledgeBase,
    KnowledgeBaseError,
    Problem,
    Record,
    parse_records,
)

# export column / key name -> faq.toml field
ALIASES: dict[str, str] = {
    "question": "question_ja",
    "answer": "answer_ja",
    "keywords": "keywords_ja",
    "phrasings": "phrasings_ja",
    "質問": "question_ja",
    "回答": "answer_ja",
    "答え": "answer_ja",
    "カテゴリ": "category",
    "カテゴリー": "category",
    "分類": "category",
    "キーワード": "keywords_ja",
}
_LIST_SPLIT = re.compile(r"[;；\n]")
_SPACES = re.compile(r"\s+")
_HEADER_SEP = re.compile(r"[\s\-]+")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_NOT_SJIS = re.compile(r"[\x80\uf8f0-\uf8f3]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # "\\ud800" in JSON: not encodable as UTF-8
_RESAVE = (
    "re-save it as UTF-8: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)' / "
    "Excelで「名前を付けて保存」>「CSV UTF-8 (コンマ区切り)」で保存し直してください"
)


def load_export(path: str | Path) -> KnowledgeBase:
    """A CSV or JSONL FAQ export as a validated knowledge base (every problem at once)."""
    p = Path(path)
    source = str(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(f"{p}: cannot read the file ({exc.strerror or exc})") from exc
    text, notes = decode(raw, source)
    if p.suffix.lower() == ".csv":
        records, problems = csv_records(text, source)
    else:
        records, problems = jsonl_records(text, source)
    if problems:
        raise KnowledgeBaseError(problems)
    records, id_notes = assign_ids(records, source)
    kb = parse_records(records, source=source)
    warnings = (*notes, *id_notes, *kb.warnings)
    return KnowledgeBase(kb.entries, kb.source, tuple(warnings))


# -- decoding ---------------------------------------------------------------------------


def decode(raw: bytes, source: str) -> tuple[str, list[Problem]]:
    """The text of an export, with a note when it was not UTF-8; a clear error (and how to
    re-save the file) when it is no text at all."""
    if raw.startswith(b"PK\x03\x04"):
        raise KnowledgeBaseError(
            [Problem(source, "is an Excel workbook (.xlsx), not CSV text; " + _RESAVE)]
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), [Problem(source, "read as UTF-16")]
        except UnicodeDecodeError as exc:
            raise KnowledgeBaseError(
                [Problem(source, f"is not valid UTF-16 (byte {exc.start}); " + _RESAVE)]
            ) from exc
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if b"\x00" in raw:
        raise KnowledgeBaseError([Problem(source, "is binary, not text; " + _RESAVE)])
    decoded: list[tuple[int, str, str]] = []
    for codec, name in (("cp932", "Shift_JIS (CP932)"), ("euc_jp", "EUC-JP")):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if _NOT_SJIS.search(text):  # bytes CP932 leaves undefined, mapped to U+0080, U+F8Fx
            continue
        # EUC-JP bytes also decode as CP932, into half-width katakana: fewer wins
        halfwidth = len(_HALFWIDTH_KANA.findall(text))
        decoded.append((halfwidth, name, text))
        if not halfwidth:
            break
    if not decoded:
        raise KnowledgeBaseError(
            [
                Problem(
                    source,
                    f"is neither UTF-8 nor Shift_JIS text (byte {utf8_error.start}); " + _RESAVE,
                )
            ]
        )
    _, name, text = min(decoded, key=lambda d: d[0])
    return text, [Problem(source, f"read as {name}, not UTF-8")]


# -- CSV and JSONL ------------------------------------------------------------------------


def field_name(header: str) -> str:
    """An export's column name or key as a faq.toml field name."""
    key = _HEADER_SEP.sub("_", unicodedata.normalize("NFKC", header).strip().lower())
    return ALIASES.get(key, key)


def csv_records(text: str, source: str) -> tuple[list[Record], list[Problem]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise KnowledgeBaseError([Problem(source, f"is not valid CSV: {exc}", 1)]) from exc
    if not header or not any(h.strip() for h in header):
        raise KnowledgeBaseError([Problem(source, "has no header row", 1)])
    names = [field_name(h) for h in header]
    for required, column in (("question_ja", "question"), ("answer_ja", "answer")):
        if required not in names:
            found = ", ".join(repr(h.strip()) for h in header if h.strip())
            problems.append(
                Problem(source, f"header: has no column {column!r} (found: {found})", 1)
            )
    for k, name in enumerate(names):
        if name and name in names[:k]:
            problems.append(Problem(source, f"header: column {header[k]!r} appears twice", 1))
    if problems:
        raise KnowledgeBaseError(problems)
    records: list[Record] = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(source, f"is not valid CSV here: {exc}", line))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank lines and Excel's trailing ",,,"
        if len(row) > len(names) and any(cell.strip() for cell in row[len(names) :]):
            problems.append(
                Problem(
                    source,
                    f"row has {len(row)} cells but the header has {len(names)} "
                    "(an unquoted delimiter in a cell?)",
                    start,
                )
            )
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(names, row, strict=False):
            if not name:
                continue
            cell = cell.replace("\r\n", "\n").replace("\r", "\n")
            if not cell.strip():
                continue
            values[name] = _split_list(cell) if name in LISTS else cell
        records.append((start, values))
    return records, problems


def jsonl_records(text: str, source: str) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    # split on \n only: str.splitlines() would also split at U+2028 inside a JSON string
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(source, f"is not JSON ({exc.msg}, column {exc.colno})", n))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(source, 'must be a JSON object {"question", "answer", …}', n))
            continue
        values: dict[str, Any] = {}
        for key, value in row.items():
            name = field_name(str(key))
            if name in values:
                problems.append(Problem(source, f"key {key!r} repeats another key's field", n))
            if value is None or value == "" or value == []:
                continue
            if isinstance(value, str):
                value = _clean(value)
                if name in LISTS:
                    value = _split_list(value)
            elif isinstance(value, list):
                value = [_clean(v) if isinstance(v, str) else v for v in value]
            values[name] = value
        records.append((n, values))
    return records, problems


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


# -- ids ------------------------------------------------------------------------------------


def slug_id(question: str) -> str:
    """The id of an entry that has none: stable under reordering (see the module doc)."""
    key = _SPACES.sub(" ", unicodedata.normalize("NFKC", question)).strip()
    return "q-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def assign_ids(records: Sequence[Record], source: str) -> tuple[list[Record], list[Problem]]:
    """Records with an id each: the given one, or slug_id(question) (-2, -3, ... when two
    entries share a question)."""
    taken = {str(r.get("id")) for _, r in records if r.get("id") not in (None, "")}
    out: list[Record] = []
    notes: list[Problem] = []
    first_of: dict[str, int] = {}
    for n, (line, raw) in enumerate(records, start=1):
        if raw.get("id") not in (None, "") or not isinstance(raw.get("question_ja"), str):
            out.append((line, raw))
            continue
        base = slug_id(raw["question_ja"])
        entry_id, k = base, 1
        while entry_id in taken:
            k += 1
            entry_id = f"{base}-{k}"
        if k > 1 and base in first_of:
            notes.append(
                Problem(
                    source,
                    f"has the same question as entry {first_of[base]}; given the id {entry_id!r}",
                    line,
                    n,
                    entry_id,
                )
            )
        first_of.setdefault(base, n)
        taken.add(entry_id)
        out.append((line, {**raw, "id": entry_id}))
    return out, notes


# -- writing faq.toml ------------------------------------------------------------------------

_ORDER = (
    "id",
    "category",
    "url",
    "question_ja",
    "question_en",
    "answer_ja",
    "answer_en",
    *LISTS,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def toml_string(text: str) -> str:
    """A TOML string for `text`: a multi-line literal string when that is exact (readable
    answers), else a basic string with escapes."""
    if "\n" in text and "'''" not in text and not text.endswith("'") and not _CONTROL.search(text):
        return "'''\n" + text + "'''"
    # a JSON string is a valid TOML basic string once DEL is escaped as well
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def to_toml(kb: KnowledgeBase, *, origin: str | None = None) -> str:
    """The knowledge base in knowledge/faq.toml's format; load_kb reads back equal entries."""
    only_ja = sum(1 for e in kb if not e.has_lang("en"))
    out = [
        f"# certdesk knowledge base: {len(kb)} entries"
        + (f", imported from {Path(origin).name} by `certdesk kb import`" if origin else "")
        + ".",
        "# Format: knowledge/faq.toml. Entries without question_en/answer_en answer English",
        f"# questions in Japanese and say so ({only_ja} such entries here).",
        "",
    ]
    for e in kb:
        out.append("[[entry]]")
        for key in _ORDER:
            value = getattr(e, key)
            if not value:
                continue
            if isinstance(value, tuple):
                items = ", ".join(toml_string(v) for v in value)
                out.append(f"{key} = [{items}]")
            else:
                out.append(f"{key} = {toml_string(value)}")
        out.append("")
    return "\n".join(out)


def summary_counts(kb: KnowledgeBase) -> Mapping[str, int]:
    """What an import produced, for the command's one-line report."""
    return {
        "entries": len(kb),
        "japanese_only": sum(1 for e in kb if not e.has_lang("en")),
        "with_url": sum(1 for e in kb if e.url),
        "with_category": sum(1 for e in kb if e.category),
    }
