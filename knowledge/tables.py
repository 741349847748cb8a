"""The tables a knowledge base is matched with, found beside its file.

Domain synonyms belong to the FAQ they were written for: `faq.toml` has its SSL table in
`faq.synonyms.toml`, and another FAQ gets no synonyms unless it ships `STEM.synonyms.toml`
(`KnowledgeBase.table_path`). Small talk and thresholds are general by default
(`knowledge/smalltalk.toml`, `knowledge/thresholds.toml`); a FAQ may ship its own.
A FAQ's own thresholds file is laid over the general one: it sets only the values it
names (the seed FAQ's `faq.thresholds.toml` sets its answer threshold, chosen on its own
development sets), and the models stay those fitted on every FAQ.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.kb import KnowledgeBase

_HERE = Path(__file__).parent
GENERAL_SMALLTALK = _HERE / "smalltalk.toml"
GENERAL_THRESHOLDS = _HERE / "thresholds.toml"


@dataclass(frozen=True)
class Tables:
    synonyms: Path | None  # None: no synonym table at all
    smalltalk: Path
    thresholds: Path  # the general calibration
    own_thresholds: Path | None = None  # the FAQ's own values laid over it

    def files(self) -> list[Path]:
        """Every table file in use (what a cached index depends on besides the FAQ)."""
        return [
            p
            for p in (self.synonyms, self.smalltalk, self.thresholds, self.own_thresholds)
            if p is not None
        ]


def tables_for(kb: KnowledgeBase) -> Tables:
    return tables_for_source(kb.source)


def tables_for_source(source: str) -> Tables:
    """The tables of the FAQ file `source` (what `KnowledgeBase.source` holds), found
    without loading it: `STEM.NAME.toml` beside `STEM.EXT`, else the general ones."""
    kb = KnowledgeBase((), source)
    return Tables(
        synonyms=kb.table_path("synonyms"),
        smalltalk=kb.table_path("smalltalk") or GENERAL_SMALLTALK,
        thresholds=GENERAL_THRESHOLDS,
        own_thresholds=kb.table_path("thresholds"),
    )
