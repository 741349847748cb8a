"""Japanese/English tokenisation into lemmas, via fugashi with unidic-lite pinned.

The dictionary path is passed explicitly (`-d`, `-r`) so that installing the full
`unidic` package can never silently change which dictionary is used.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from knowledge.normalize import fold_long_vowels, normalize

# Parts of speech that carry no topic: particles, auxiliaries, symbols, whitespace.
_DROP_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白", "接続詞", "感動詞"})
# Light verbs and fillers that every question has.
_STOP_LEMMAS = frozenset(
    """為る 遣る 有る 居る 成る 出来る 言う 思う 貰う 下さる 頂く 致す 御座る 良い 宜しい
    こと もの よう これ それ あれ どれ ここ そこ どこ 此れ 其れ 何 なに どう どの 様 方 事 物 時
    the a an of to in on for is are was were be been do does did i you we it my our your this that
    and or with can could would should please how what why when where which there have has had me
    get got any some just from at by as if so not no yes hi hello thanks thank say says said
    i'm it's don't doesn't can't won't""".split()
) | frozenset(
    # English function words (the usual general stopword list, NLTK's): on a long English
    # message they were read as content, and as words no entry knows
    """about above after again against all am because before being below between both but
    each few further here hers herself him himself his into its itself more most nor now
    off once only other ours ourselves out over own same she he her they them their theirs
    themselves than then these those through too under until up very while who whom will
    us yours yourself yourselves also still already really even ever maybe actually quite
    let know want""".split()
)


_local = threading.local()


def _tagger() -> Any:
    """One MeCab tagger per thread: a tagger is not safe to share (Bolt runs listeners
    on several threads)."""
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        import fugashi

        tagger = _local.tagger = fugashi.Tagger(_dictionary_args())
    return tagger


# A noun that is a verb's continuative form (残り, 取り消し, 申し込み, 支払い, 乗り換え):
# kanji, optional okurigana between more kanji, ending in the i- or e-row kana the form
# ends in. UniDic gives such a noun its own lemma; a FAQ and its askers use both forms
# for the same thing (残りの期間 / 残っている期間), so the noun is read as the verb.
_CONTINUATIVE = re.compile(
    r"[\u4e00-\u9fff々]+(?:[\u3041-\u3096]{1,2}[\u4e00-\u9fff々]+)*[\u3041-\u3096]*"
    r"[いきぎしちにびみりえけげせてねべめれ]"
)
_GODAN = dict(zip("いきぎしちにびみり", "うくぐすつぬぶむる", strict=True))


@lru_cache(maxsize=65536)
def verb_of(noun: str) -> str:
    """The verb whose continuative form `noun` is (取り消し -> 取り消す, 乗り換え -> 乗り換える),
    if the dictionary knows that verb as one word; else `noun`."""
    if not _CONTINUATIVE.fullmatch(noun):
        return noun
    candidates = [noun[:-1] + _GODAN[noun[-1]]] if noun[-1] in _GODAN else []
    candidates.append(noun + "る")  # ichidan: 乗り換え + る
    for verb in candidates:
        words = _tagger()(verb)
        if len(words) == 1:
            pos, lemma, _ = _features(words[0])
            if pos == "動詞" and lemma == verb:
                return verb
    return noun


@lru_cache(maxsize=1)
def _dictionary_args() -> str:
    import unidic_lite

    dicdir = unidic_lite.DICDIR
    return f'-d "{dicdir}" -r "{dicdir}/mecabrc"'


_VOWEL = re.compile(r"[aeiouy]")


def _stem_en(word: str) -> str:
    """A deliberately tiny English stemmer: plurals and common verb endings. Acronyms
    (no vowel: https, hsts, dns) are left alone, or "https" would become "http"."""
    if not _VOWEL.search(word):
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 3 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_ASCII_RUN = re.compile(r"[a-z0-9][a-z0-9._+-]*")
_ALNUM_PARTS = re.compile(r"[a-z]+|[0-9]+")
_HEX_PREFIX = re.compile(r"^0x(?=[0-9a-f]{8}$)")
# A product and its version are one word: "IIS 4.0", "iis4" and "IIS4" meet as "iis4",
# "HTTP/2" becomes "http2" (so its "2" is not the "2" of "2箇所"), "TLS 1.3" "tls1.3".
_VERSIONED = re.compile(r"(?<![a-z0-9])([a-z]{2,})[ /]?v?(\d{1,2})(?:\.(\d+))?(?![\d.])")
_PRODUCT_VERSION = re.compile(r"[a-z]{2,}\d{1,2}(?:\.\d+)?")


def product_of(token: str) -> str | None:
    """The product a versioned token names ("iis" of "iis4", "tls" of "tls1.3"), or None."""
    if not _PRODUCT_VERSION.fullmatch(token):
        return None
    return token.rstrip("0123456789.")


def _glue_version(m: re.Match[str]) -> str:
    if m.group(1) in _STOP_LEMMAS:  # "how 2", "step 2 of": no product, no version
        return m.group(0)
    minor = m.group(3)
    return m.group(1) + m.group(2) + (f".{minor}" if minor and minor != "0" else "")


def _ascii_lemmas(run: str, out: list[str]) -> None:
    word = _HEX_PREFIX.sub("", run.strip("._+-"))
    if not word:
        return
    if "." in word or "/" in word or _PRODUCT_VERSION.fullmatch(word):
        out.append(word)  # file names, hosts and versioned products stay whole
        return
    # Other letter/digit mixes ("sha256", "x509") split: letters and digits apart.
    for part in _ALNUM_PARTS.findall(word):
        if part not in _STOP_LEMMAS:
            out.append(_stem_en(part))


_NEGATIONS = frozenset({"ない", "無い", "ぬ", "ず", "ん"})

# General Japanese variation that UniDic's lemmas leave apart (measured against SudachiPy's
# normalized forms in bench/bench_variants.py; README "Japanese variation"): humble and
# honorific verbs mean what the plain verb means to a FAQ. The polite prefix お/ご (lemma
# 御) is dropped below: ご確認 = 確認. Orthographic variants (引越し = 引っ越し, 問合せ =
# 問い合わせ, 行なう = 行う) already share UniDic's lemma.
_PLAIN_FORMS = {
    "拝見": "見る",
    "拝読": "読む",
    "承る": "受ける",
    "伺う": "聞く",
    "申す": "言う",
    "申し上げる": "言う",
    "仰る": "言う",
    "存ずる": "知る",
    "差し上げる": "上げる",
    "召し上がる": "食べる",
}
# NFKC plus normalize()'s ヴ -> ブ turn ヴァージョン into ブァージョン, which MeCab
# cannot read; the usual spelling is restored before tokenising (バージョン).
_VU_SPELLING = re.compile(r"ブ([ァィェォ])")
_VU_PLAIN = {"ァ": "バ", "ィ": "ビ", "ェ": "ベ", "ォ": "ボ"}


@lru_cache(maxsize=65536)
def _clean_lemma(lemma: str) -> str:
    """Loanword lemmas look like "サーバー-server": keep the Japanese side, normalised."""
    return fold_long_vowels(normalize(lemma.split("-", 1)[0], fold_katakana=False))


@dataclass(frozen=True)
class Analysis:
    """One pass of MeCab over a text, for the index and the queries alike."""

    lemmas: list[str]  # content lemmas, in order
    reading: str  # the whole text in katakana, ASCII kept
    readings: list[tuple[str, str]]  # (katakana reading, lemma) of content words
    # loanword lemma -> the English word UniDic gives as its origin (サーティフィケート ->
    # certificate), read with the readings (the query side)
    origins: dict[str, str] = field(default_factory=dict)
    # what the text's verbs act on or its statements are about: the nouns before を, が,
    # は, も or a comma (「発行メール、消しちゃった」) and the English words after a
    # determiner (the email, my key), read with the readings. 「メールを消してしまった」
    # is not about a key even if it says 消す.
    arguments: list[str] = field(default_factory=list)
    # where a move goes from and to: the nouns before から and, after a から, before へ
    # or に ("from X", "to/into X" in English), read with the readings. 「Apacheから
    # IISへ」 is the opposite move to 「IISからApacheへ」, in the same words.
    sources: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)


_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞"})
HIRAGANA_TO_KATAKANA = {c: c + 0x60 for c in range(0x3041, 0x3097)}


# Dictionary feature string -> (part of speech, lemma, kana reading). fugashi builds a
# 26-field tuple on every `feature` access, three quarters of a parse's cost; the same
# words come back all the time, so each feature string is parsed once. Bounded: the
# dictionary's words are many, a run's are not.
_FEATURES: dict[str, tuple[str, str | None, str | None]] = {}
_FEATURES_MAX = 20_000


def _features(word: Any) -> tuple[str, str | None, str | None]:
    raw = word.feature_raw
    hit = _FEATURES.get(raw)
    if hit is None:
        f = word.feature
        hit = (f.pos1, f.lemma, f.kana)  # unknown words: lemma and kana None, any surface
        if len(_FEATURES) < _FEATURES_MAX:
            _FEATURES[raw] = hit
    return hit


_ORIGIN = re.compile(r"[a-z]{3,}")


@lru_cache(maxsize=65536)
def _loan_origin(lemma: str) -> str | None:
    """The English word of a loanword lemma ("サーティフィケート-certificate"), stemmed as
    English words are; None for other lemmas and glosses ("セカンド-second（第２）")."""
    _, sep, origin = lemma.partition("-")
    return _stem_en(origin) if sep and _ORIGIN.fullmatch(origin) else None


_HAS_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() accepts, found in C
# Particles that mark a noun as what a clause is about or acts on (and 、, which sets
# off a topic in chat: 「証明書のメール、消しちゃった」).
_ARGUMENT_MARKS = frozenset({"を", "が", "は", "も"})
_GOAL_MARKS = frozenset({"へ", "に"})
# An English noun phrase's first word after its determiner: "the email", "my key".
_DETERMINED = re.compile(
    r"\b(?:the|my|our|your|a|an|this|that|these|those|its|their|his|her) ([a-z][a-z0-9-]{2,})"
)


# "from a Linux Apache box to Windows IIS": up to four words each side; "to" marks the
# goal only after a "from" ("want to move" does not), "into" always does.
# Words are separated by one space each, so no run of letters can be split two ways
# (linear time).
_WORD = r"[a-z0-9][\w.+-]*"
_FROM_TO = re.compile(
    rf"\bfrom ({_WORD}(?: {_WORD}){{0,3}}?)(?: (?:to|into) ({_WORD}(?: {_WORD}){{0,2}})|[^\w ]| ?$)"
)
_INTO = re.compile(rf"\binto ({_WORD}(?: {_WORD}){{0,2}})")


def _japanese(
    segment: str, into: Analysis, kana: list[str] | None, lead: Sequence[str] = ()
) -> None:
    """Lemmas of one Japanese run into `into`; readings too unless `kana` is None (a
    long answer needs its lemmas only). `lead`: the words of an English run just before
    it ("Key Managerを")."""
    # read every node first: verb_of parses too, and a parse frees the last one's nodes
    words = [(_features(w), w.surface) for w in _tagger()(segment)]
    run = list(lead)  # the nouns just read: arguments if a marking particle follows
    for (pos, lemma, reading), surface in words:
        if kana is not None:
            if _HAS_ALNUM.search(surface):
                kana.append(reading or surface.translate(HIRAGANA_TO_KATAKANA))
            if pos in _CONTENT_POS and reading and lemma:
                into.readings.append((fold_long_vowels(reading), _clean_lemma(lemma)))
                origin = _loan_origin(lemma)
                if origin:
                    into.origins[_clean_lemma(lemma)] = origin
            if (pos == "助詞" and surface in _ARGUMENT_MARKS) or surface == "、":
                into.arguments.extend(run)
            elif surface == "から":  # after an English run MeCab reads it as a conjunction
                into.sources.extend(run)
            elif surface in _GOAL_MARKS and pos in ("助詞", "助動詞"):
                into.goals.extend(run)
            if pos != "名詞" and pos != "接頭辞" and not (pos == "接尾辞" and run):
                run = []
        # Negation carries meaning here: 正しくない, 一致しない, 表示されない.
        if pos in ("助動詞", "形容詞") and (lemma in _NEGATIONS or surface == "ない"):
            into.lemmas.append("ない")
            continue
        if pos in _DROP_POS or (lemma == "御" and pos == "接頭辞"):
            continue
        cleaned = _clean_lemma(lemma if lemma is not None else surface)  # no lemma: surface
        cleaned = _PLAIN_FORMS.get(cleaned, cleaned)
        if pos == "名詞":
            cleaned = verb_of(cleaned)
        if kana is not None and (pos == "名詞" or (pos == "接尾辞" and run)):
            run.append(cleaned)
        if cleaned and cleaned not in _STOP_LEMMAS and not cleaned.isspace():
            into.lemmas.append(cleaned)


def analyse(text: str) -> Analysis:
    """Lemmas, reading and content-word readings of `text`. ASCII words bypass MeCab (it
    splits "capi2" and "0x80093009"), are lower-cased and lightly stemmed; Japanese runs
    go through fugashi."""
    return _analyse(text, with_readings=True)


def lemmas(text: str) -> list[str]:
    """Content lemmas of `text`, in order: `analyse(text).lemmas`, without the readings."""
    return _analyse(text, with_readings=False).lemmas


def _analyse(text: str, *, with_readings: bool) -> Analysis:
    s = _VERSIONED.sub(_glue_version, normalize(text, fold_katakana=False))
    if "ブ" in s:
        s = _VU_SPELLING.sub(lambda m: _VU_PLAIN[m.group(1)], s)
    result = Analysis([], "", [])
    kana: list[str] | None = [] if with_readings else None
    pos = 0
    lead: list[str] = []  # the English words just read
    for m in _ASCII_RUN.finditer(s):
        if m.start() > pos and not s[pos : m.start()].isspace():  # "Key Manager" is one run
            _japanese(s[pos : m.start()], result, kana, lead)
            lead = []
        before = len(result.lemmas)
        _ascii_lemmas(m.group(), result.lemmas)
        if kana is not None:
            kana.append(m.group())
            lead += result.lemmas[before:]
        pos = m.end()
    if pos < len(s):
        _japanese(s[pos:], result, kana, lead)
    if kana is None:
        return result
    for m in _DETERMINED.finditer(s):
        _ascii_lemmas(m.group(1), result.arguments)
    for m in _FROM_TO.finditer(s):
        _ascii_lemmas(m.group(1), result.sources)
        if m.group(2):
            _ascii_lemmas(m.group(2), result.goals)
    for m in _INTO.finditer(s):
        _ascii_lemmas(m.group(1), result.goals)
    reading = fold_long_vowels("".join(kana))
    return Analysis(
        result.lemmas, reading, result.readings, result.origins, result.arguments,
        result.sources, result.goals,
    )


def reading(text: str) -> str:
    """The text as katakana (MeCab's readings) with ASCII kept: "でじたるしょめい" and
    "デジタル署名" both become "デジタルショメイ", so kana typos still meet the FAQ."""
    return analyse(text).reading
