"""Build knowledge/data/jmdict-en-ja.tsv.gz, the glossary `knowledge.glossary` reads,
from JMdict (a jamdict SQLite build; the shipped file is from jamdict-data 1.5, JMdict of
April 2021). Only when JMdict, UniDic or certdesk's analysis changes:

    pip install jamdict-data==1.5
    python -m knowledge.glossary_build --jmdict PATH/TO/jamdict.db

(jamdict-data ships jamdict.db.xz: unpack it with `xz -dk` first.)
"""

from __future__ import annotations

import argparse
import gzip
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from knowledge.glossary import GLOSSARY, key_of

# More than this many Japanese words per English key are never kept: beyond them the
# senses are the rare ones of a common word ("set", "run").
MAX_GROUPS = 12
# Senses whose Japanese word a customer of today does not write.
_SKIP_MISC = frozenset({
    "archaism", "obsolete term", "obscure term", "proverb", "yojijukugo", "slang",
    "derogatory", "vulgar expression or word", "rare term", "rare", "dated term",
    "historical term", "manga slang", "poetical term", "children's language",
})
_PRIORITY = {"ichi1": 3, "news1": 3, "spec1": 2, "gai1": 2, "ichi2": 1, "news2": 1,
             "spec2": 1, "gai2": 1}
_KANA_ONLY = "word usually written using kana alone"


def _english_words(gloss: str) -> tuple[list[str], bool] | None:
    """A gloss as the index reads English: "to renew (a contract)" -> ["renew"],
    "receipts" -> ["receipt"], and whether those are all its words ("both days" is
    ["day"], not all); None for glosses of more than two content words."""
    from knowledge.tokens import lemmas

    depth, plain = 0, []
    for ch in gloss.lower():  # parentheses hold usage notes, not the meaning
        depth += ch == "("
        if depth == 0:
            plain.append(ch)
        depth -= ch == ")" and depth > 0
    text = "".join(plain).strip()
    if not text or not text.isascii():
        return None
    words = lemmas(text)
    if not 1 <= len(words) <= 2 or not all(w.isalpha() for w in words):
        return None
    said = text.removeprefix("to ").replace("-", " ").split()
    return words, len(said) == len(words)


def build(jmdict: Path) -> dict[str, list[tuple[str, ...]]]:
    """The glossary from a jamdict SQLite build of JMdict."""
    from knowledge.index import content_lemmas
    from knowledge.tokens import lemmas

    db = sqlite3.connect(f"file:{jmdict}?mode=ro", uri=True)
    rank: dict[int, int] = {}
    for table, forms in (("KJP", "Kanji"), ("KNP", "Kana")):
        rows = db.execute(f"SELECT f.idseq, p.text FROM {table} p JOIN {forms} f ON f.ID = p.kid")
        for idseq, tag in rows:
            rank[idseq] = max(rank.get(idseq, 0), _PRIORITY.get(tag, 0))
    kanji: dict[int, str] = {}
    kana: dict[int, str] = {}
    for idseq, text in db.execute("SELECT idseq, text FROM Kanji ORDER BY ID"):
        kanji.setdefault(idseq, text)
    for idseq, text in db.execute("SELECT idseq, text FROM Kana ORDER BY ID"):
        kana.setdefault(idseq, text)
    skip: set[int] = set()
    kana_only: set[int] = set()
    for sid, text in db.execute("SELECT sid, text FROM misc"):
        if text in _SKIP_MISC:
            skip.add(sid)
        elif text == _KANA_ONLY:
            kana_only.add(sid)
    # A group's place under a key: its word's priority, then a gloss that is the key
    # itself before one the key was cut from ("day" before "both days"), then how early
    # the gloss stands in the word's senses.
    found: dict[str, dict[tuple[str, ...], tuple[int, int, int, int]]] = {}
    members: dict[str, set[str]] = {}  # family key -> the words in it
    rows = db.execute(
        "SELECT s.idseq, s.ID, g.text FROM SenseGloss g JOIN Sense s ON s.ID = g.sid "
        "WHERE g.lang = 'eng' ORDER BY s.ID, g.rowid"
    )
    sense_no: dict[int, int] = {}  # idseq -> its sense being read, counted from 0
    last_sense, gloss_no = -1, 0  # the sense being read, and its gloss's place in it
    for idseq, sid, gloss in rows:
        if sid != last_sense:
            sense_no[idseq] = sense_no.get(idseq, -1) + 1
            last_sense, gloss_no = sid, 0
        else:
            gloss_no += 1
        if sid in skip:
            continue
        read = _english_words(gloss)
        written = kana.get(idseq) if sid in kana_only or idseq not in kanji else kanji[idseq]
        if read is None or not written:
            continue
        words, whole = read
        group = tuple(content_lemmas(lemmas(written)))
        if not group or len(group) > 3:
            continue
        members.setdefault(key_of(words), set()).add(" ".join(words))
        place = (-rank.get(idseq, 0), int(not whole), sense_no[idseq], gloss_no)
        for key in (" ".join(words), key_of(words)):  # the word, and its family
            groups = found.setdefault(key, {})
            groups[group] = min(groups.get(group, place), place)
    out = {
        key: sorted(groups, key=lambda g: (groups[g], len(g), g))[:MAX_GROUPS]
        for key, groups in sorted(found.items())
    }
    # a family of one word says no more than the word, which is read first
    return {k: v for k, v in out.items() if len(members.get(k, ())) != 1}


def write(glossary: dict[str, list[tuple[str, ...]]], path: Path = GLOSSARY) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# English -> Japanese content lemmas, from JMdict (EDRDG, CC BY-SA 3.0; see README.md);"
        " built by python -m knowledge.glossary_build\n"
    ]
    # sorted by key as bytes: `lookup` searches the lines in this order
    lines += [
        f"{k}\t{'|'.join(' '.join(g) for g in v)}\n"
        for k, v in sorted(glossary.items(), key=lambda kv: kv[0].encode("utf-8"))
    ]
    # mtime=0: the same input gives the same bytes
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write("".join(lines).encode("utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m knowledge.glossary_build",
        description="Rebuild knowledge/data/jmdict-en-ja.tsv.gz from JMdict "
        "(a jamdict SQLite database, e.g. from the jamdict-data package).",
    )
    ap.add_argument("--jmdict", type=Path, required=True, help="path to jamdict.db")
    ap.add_argument("--out", type=Path, default=GLOSSARY)
    args = ap.parse_args(argv)
    if not args.jmdict.is_file():
        ap.error(f"no such file: {args.jmdict}")
    glossary = build(args.jmdict)
    write(glossary, args.out)
    print(f"wrote {args.out}: {len(glossary)} English keys")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
