"""Tables belong to the FAQ they were written for (knowledge/tables.py): the SSL synonyms
beside knowledge/faq.toml are not applied to another FAQ; a FAQ may ship its own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, Matcher, load_kb
from knowledge.index import content_lemmas
from knowledge.matcher import Calibration
from knowledge.tables import GENERAL_SMALLTALK, GENERAL_THRESHOLDS, tables_for
from knowledge.tokens import analyse

DATA = Path(__file__).parent / "data"
# A copy of ../shared/kb-dev/ssl-vendor-faq.ja.jsonl: a vendor's own FAQ, Japanese only.
VENDOR = DATA / "kb" / "ssl-vendor-faq.ja.jsonl"
# Everyday words the SSL table folds into its own terms.
EVERYDAY = {"引越し": "移行", "紛失": "削除", "入れる": "インストール", "画面": "ページ"}


def _tokens(m: Matcher, word: str) -> list[str]:
    return m.index.tokens(f"{word}について")


def test_the_bundled_faq_keeps_its_ssl_synonyms() -> None:
    seed = Matcher(load_kb())
    tables = tables_for(seed.kb)
    assert tables.synonyms is not None and tables.synonyms.name == "faq.synonyms.toml"
    for word, canonical in EVERYDAY.items():
        assert canonical in _tokens(seed, word), word


def test_a_vendor_faq_gets_none_of_the_ssl_synonyms() -> None:
    vendor = Matcher(load_kb(VENDOR))
    assert tables_for(vendor.kb).synonyms is None
    for word, canonical in EVERYDAY.items():
        got = _tokens(vendor, word)
        assert canonical not in got, (word, got)
        # plain lemmas (less the framing words every message has), nothing rewritten
        assert got == content_lemmas(analyse(f"{word}について").lemmas)


def test_a_faq_ships_its_own_tables_beside_it(tmp_path: Path) -> None:
    kb_file = tmp_path / "their-faq.jsonl"
    shutil.copy(VENDOR, kb_file)
    (tmp_path / "their-faq.synonyms.toml").write_text(
        '[group]\n"引っ越し" = ["移転", "お引越し"]\n', encoding="utf-8"
    )
    m = Matcher(load_kb(kb_file))
    assert _tokens(m, "移転") == _tokens(m, "引越し")
    tables = tables_for(m.kb)
    assert tables.smalltalk == GENERAL_SMALLTALK and tables.thresholds == GENERAL_THRESHOLDS


def test_a_faq_ships_its_own_smalltalk(tmp_path: Path) -> None:
    kb_file = tmp_path / "shop.jsonl"
    kb_file.write_text(
        json.dumps({"id": "1", "question": "営業時間は?", "answer": "9時から17時です。"},
                   ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "shop.smalltalk.toml").write_text('greeting = ["まいど"]\n', encoding="utf-8")
    assert Matcher(load_kb(kb_file)).match("まいど").decision == "smalltalk"
    assert Matcher(load_kb()).match("まいど").decision != "smalltalk"


def test_a_faq_sets_its_own_answer_threshold_over_the_general_models(tmp_path: Path) -> None:
    general = Calibration.load(GENERAL_THRESHOLDS)
    seed = Matcher(load_kb()).calibration
    assert tables_for(load_kb()).own_thresholds is not None  # faq.thresholds.toml
    assert seed.weights == general.weights and seed.confidence == general.confidence
    kb_file = tmp_path / "their-faq.jsonl"
    shutil.copy(VENDOR, kb_file)
    assert Matcher(load_kb(kb_file)).calibration == general
    (tmp_path / "their-faq.thresholds.toml").write_text(
        "[decision]\nanswer = 0.42\n", encoding="utf-8"
    )
    own = Matcher(load_kb(kb_file)).calibration
    assert own.answer == 0.42 and own.ambiguous == general.ambiguous
    assert own.weights == general.weights


@pytest.mark.parametrize(
    "text, field",
    [
        ("[decision]\nanswr = 0.5\n", "decision.answr"),
        ('[decision]\nanswer = "high"\n', "decision.answer"),
        ("[nonsense]\nx = 1\n", "nonsense.x"),
        ("answer = 0.5\n", "answer"),
    ],
)
def test_a_wrong_own_thresholds_file_is_a_clear_error(tmp_path: Path, text: str,
                                                      field: str) -> None:
    kb_file = tmp_path / "their-faq.jsonl"
    shutil.copy(VENDOR, kb_file)
    own = tmp_path / "their-faq.thresholds.toml"
    own.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as err:
        Matcher(load_kb(kb_file))
    assert str(own) in str(err.value) and repr(field) in str(err.value)
    own.write_text("[decision\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"their-faq\.thresholds\.toml"):
        Matcher(load_kb(kb_file))
