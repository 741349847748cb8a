"""General Japanese variation reaches the same lemmas (knowledge/tokens.py analyse()),
on the variant groups of bench/bench_variants.py, written from general knowledge."""

from __future__ import annotations

import pytest

from bench.bench_variants import GROUPS, certdesk_tokens
from knowledge.tokens import analyse

# Spellings the tokenizer still tells apart (README "Japanese variation"): MeCab reads the
# rare okurigana as other words, and abbreviations and near-synonyms are not variants of
# spelling (a FAQ that needs them ships a synonym table).
KNOWN_APART = {"書き込み", "貼り付け", "以下", "メールアドレス", "スマートフォン",
               "ダイアログ"}


@pytest.mark.parametrize(("frame", "variants"), GROUPS, ids=[v[0] for _, v in GROUPS])
def test_variant_group_folds(frame: str, variants: tuple[str, ...]) -> None:
    seen = {certdesk_tokens(frame.format(v)) for v in variants}
    if variants[0] in KNOWN_APART:
        assert len(seen) > 1, "now folded: drop it from KNOWN_APART and the README"
    else:
        assert len(seen) == 1, seen


def test_vu_spellings_meet_the_usual_ones() -> None:
    # normalize() turns ヴ into ブ; ブァージョン was then read as nothing MeCab knows
    assert analyse("ヴァージョンを確認").lemmas == analyse("バージョンを確認").lemmas
    assert analyse("ヴィンテージ").lemmas == analyse("ビンテージ").lemmas


def test_polite_forms_reduce_to_plain_ones() -> None:
    assert analyse("ご確認ください").lemmas == analyse("確認してください").lemmas == ["確認"]
    assert analyse("資料を拝見しました").lemmas == analyse("資料を見ました").lemmas
    assert analyse("お伺いしたいのですが").lemmas == analyse("聞きたいのですが").lemmas
    # other prefixes keep their meaning: 不一致 is not 一致
    assert analyse("不一致").lemmas != analyse("一致").lemmas


def test_parsed_features_are_the_dictionarys_own() -> None:
    from knowledge import tokens

    text = "証明書をｲﾝｽﾄｰﾙしたらモヒノコで🙂エラー、ﾎﾟﾙﾀとｘが出ました。証明書を再発行"
    for _ in range(2):  # the second pass reads the parsed features back
        for word in tokens._tagger()(text):
            f = word.feature
            assert tokens._features(word) == (f.pos1, f.lemma, f.kana), word.surface


@pytest.mark.parametrize(("noun", "verb"), [
    ("残りの期間", "残っている期間"),
    ("注文の取り消し", "注文を取り消す"),
    ("申し込みの前に", "申し込む前に"),
    ("サーバーの乗り換え", "サーバーを乗り換える"),
    ("支払いの方法", "支払う方法"),
])
def test_a_continuative_noun_meets_its_verb(noun: str, verb: str) -> None:
    assert analyse(noun).lemmas == analyse(verb).lemmas


def test_a_noun_that_is_no_verb_form_stays() -> None:
    assert analyse("手続きの期間").lemmas == ["手続き", "期間"]  # 手続く is no word
    assert analyse("思い出").lemmas == ["思い出"]


def test_loanwords_carry_their_english_origin() -> None:
    a = analyse("サーティフィケートのアラート、セカンドのサイト")
    assert a.origins["サーティフィケート"] == "certificate"
    assert a.origins["アラート"] == "alert"
    assert "セカンド" not in a.origins  # "second（第２）" is a gloss, not a word


def test_a_loanword_the_faq_lacks_is_read_as_its_english_word() -> None:
    from knowledge import Matcher, load_kb

    index = Matcher(load_kb()).index
    tokens, _ = index.analyse("サーティフィケートのデジタルシグネチャがインバリッド")
    # certificate and signature are the seed's words (through its synonym table), the
    # katakana spellings are not; インバリッド has no origin in the dictionary
    assert {"証明", "書", "署名"} <= set(tokens)
    assert "サーティフィケート" not in tokens and "インバリッド" in tokens
    kept, _ = index.analyse("サーバーのキー")  # words the FAQ uses stay as they are
    assert "サーバ" in kept  # (long vowels folded)


def test_light_verbs_and_asking_forms_are_no_content() -> None:
    # やる is the casual する: 「どうやって作れば」 asks how, it names nothing to match
    assert analyse("どうやって作ればいいですか").lemmas == analyse("どう作ればいいですか").lemmas
    assert analyse("設定をやり直す").lemmas != analyse("設定を直す").lemmas  # 遣り直す is a word

