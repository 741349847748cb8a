"""Text normalisation shared by the index and the queries.

NFKC folds full-width ＩＩＳ and half-width ｶﾅ; casefold folds case; a katakana word that
ends in a long-vowel mark loses it (サーバー -> サーバ) so both spellings meet. The result
is idempotent: normalize(normalize(s)) == normalize(s).
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and other invisible characters that survive NFKC.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Dash-like characters people type in place of "-" or "ー".
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-"})
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Katakana runs; a run that ends in long-vowel marks after three or more letters loses them.
_KATAKANA_RUN = re.compile(r"[\u30a1-\u30fa\u30fc]+")
# "ヴ" spellings people write both ways.
_VU = str.maketrans({"ヴ": "ブ"})


# Short texts normalised lately: reading one message normalises its sentences several
# times (framing, asking, quotes, intents, codes). Long texts are not kept: the cache
# must stay small, and their own cost dwarfs a lookup anyway.
_RECENT: dict[tuple[str, bool], str] = {}
_RECENT_MAX = 4096
_RECENT_CHARS = 512


def normalize(text: str, *, fold_katakana: bool = True) -> str:
    """Fold width, case, invisible characters and katakana long-vowel endings.

    The tokeniser passes fold_katakana=False and folds each lemma instead: MeCab reads
    "プライベートキー" well but "プライベートキ" as "プライベート" + "木".
    """
    if len(text) > _RECENT_CHARS:
        return _normalize(text, fold_katakana)
    key = (text, fold_katakana)
    hit = _RECENT.get(key)
    if hit is None:
        if len(_RECENT) >= _RECENT_MAX:
            _RECENT.clear()
        hit = _RECENT[key] = _normalize(text, fold_katakana)
    return hit


def _normalize(text: str, fold_katakana: bool) -> str:
    s = replace_surrogates(text)
    s = unicodedata.normalize("NFKC", s).translate(_INVISIBLE).translate(_DASHES)
    s = s.casefold().translate(_VU)
    if fold_katakana:
        s = fold_long_vowels(s)
    return _SPACES.sub(" ", s).strip()


def replace_surrogates(text: str) -> str:
    """Lone surrogates (undecodable input bytes) cannot be encoded as UTF-8, for MeCab or
    a database: they become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def fold_long_vowels(s: str) -> str:
    """サーバー -> サーバ, ブラウザー -> ブラウザ; short words such as キー keep their mark."""
    return _KATAKANA_RUN.sub(_fold_run, s)


def _fold_run(m: re.Match[str]) -> str:
    # A callback, not one backtracking pattern: that was quadratic on long katakana text.
    run = m.group()
    stripped = run.rstrip("\u30fc")
    return stripped if stripped != run and len(stripped) >= 3 else run


_KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def has_japanese(text: str) -> bool:
    """Any kana or kanji (the rule for the reply language, and for how reports join words)."""
    return _KANA_OR_KANJI.search(text) is not None


def detect_lang(text: str, default: str = "en") -> str:
    """Any kana or kanji means Japanese; other letters mean English; no letters: default."""
    if has_japanese(text):
        return "ja"
    if re.search(r"[A-Za-z]", text):
        return "en"
    return default
