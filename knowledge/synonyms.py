"""Synonym table applied to lemma sequences (so variants never damage other words).

Each variant and its canonical form are tokenised with the same pipeline; a run of
lemmas equal to a variant's lemmas is replaced by the canonical lemmas, longest first.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from knowledge.tokens import lemmas

# The bundled FAQ's own table (SSL terms); see knowledge/tables.py.
DEFAULT_SYNONYMS = Path(__file__).with_name("faq.synonyms.toml")


class SynonymTable:
    def __init__(self, groups: Mapping[str, Sequence[str]]) -> None:
        table: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in groups.items():
            target = tuple(lemmas(canonical))
            if not target:
                continue
            for variant in variants:
                key = tuple(lemmas(variant))
                if key and key != target:
                    table.setdefault(key, target)
        self._table = table
        self._longest = max((len(k) for k in table), default=0)

    def apply(self, tokens: Sequence[str]) -> list[str]:
        out: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            for width in range(min(self._longest, n - i), 0, -1):
                target = self._table.get(tuple(tokens[i : i + width]))
                if target is not None:
                    out.extend(target)
                    i += width
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out


@lru_cache(maxsize=4)
def load_synonyms(path: Path | None = DEFAULT_SYNONYMS) -> SynonymTable:
    """The table in `path`; None: an empty table (a FAQ that ships none)."""
    if path is None:
        return SynonymTable({})
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return SynonymTable(data.get("group", {}))
