"""What a question asks for, as a small set of general classes, from surface cues in
Japanese and English. The same classifier reads the customer's message and each
entry's own question, so an entry that shares the nouns but answers something else
("how do I renew" against an error whose cause is a renewal) can be told apart.

Classes:
  howto   how to do something (方法, 手順, どうすれば, how do I, steps)
  cause   why something happens (なぜ, 原因, why, cause)
  can     whether something is possible or allowed (できますか, 大丈夫, can I, is it ok)
  need    whether something is required (必要, しなければ, do I have to, must)
  what    what something is or means (とは, 違い, what is, difference)
  error   an error, warning or message is shown (エラー, 警告, 表示され, error, says)
  trouble something went wrong or was lost (してしまった, できない, 失敗, lost, can't)
  cost    price, time, terms (料金, 費用, 期間, いつまで, how much, how long)
"""

from __future__ import annotations

import re

from knowledge.normalize import normalize

INTENTS = ("howto", "cause", "can", "need", "what", "error", "trouble", "cost")

_CUES: dict[str, str] = {
    "howto": r"方法|手順|やり方|仕方|作り方|設定方法|どう(?:すれば|したら|やって|すると|する)|どのように|どうやる|"
    r"教えて|教示|知りたい|したい|したいのですが|たい(?:です|のですが|んですが)|"
    r"\bhow (?:do|can|should|to|would)\b|\bsteps?\b|\bprocedure\b|\bway to\b|\bwant to\b|\bneed to know\b",
    "cause": r"なぜ|何故|どうして|原因|理由|のはなぜ|のでしょう|\bwhy\b|\bcause[sd]?\b|\breason\b|\bhow come\b",
    "can": r"できますか|できる(?:の|か)|できません(?:か)|可能(?:ですか|でしょうか|か)?|大丈夫|問題(?:ない|ありません)|"
    r"(?:いい|よい|良い)(?:ですか|でしょうか|の|か)|構いません|かまいません|使えますか|使える(?:の|か)|"
    r"\bcan i\b|\bcan we\b|\bcan you\b|\bis it (?:possible|ok|okay|safe|allowed)\b|\bpossible\b|\ballowed\b|\bok to\b",
    "need": r"必要|しなければ|しないと(?:いけない|だめ|ダメ)|なければ(?:なりません|ならない|いけない)|必須|要りますか|いりますか|"
    r"\bneed\b|\bmust\b|\bhave to\b|\brequired?\b|\bnecessary\b",
    "what": r"とは|って何|ってなに|とは何|違い|意味|何ですか|なんですか|\bwhat (?:is|are|does)\b|\bdifference\b|\bmean(?:s|ing)?\b",
    "error": r"エラー|警告|表示され|と出(?:る|ます|て|た)|が出(?:る|ます|て|た)|メッセージ|ダイアログ|と言われ|と表示|"
    r"\berror\b|\bwarning\b|\bmessage\b|\bsays?\b|\bsaying\b|\bshows?\b|\bshowing\b|\bpops? up\b|"
    r"\bpopup\b|\bprompt\b|\balert\b|\bdisplay(?:s|ed)?\b|\bthrows?\b|\b[45]0[0-9]\b|"
    r"\bwarn(?:s|ed|ing)?\b|\btold\b|\bcomplain(?:s|ed|ing|ts?)?\b|"
    r"旨の|表示が|画面に|画面になる|と言われ|怒られ|弾かれ|はじかれ|出てきます|出てくる|って出|出る|出ます|出ました|"
    r"出て|出た|提示され",
    "trouble": r"てしまい|てしまった|ちゃった|ちゃいました|ちゃって|できない|できません|ない(?:です|んです)|"
    r"ません(?:でした)?|なかった|つながらない|繋がらない|失敗|消え|なくなっ|なくし|紛失|壊れ|動かない|"
    r"うまくいかない|困って|誤って|うっかり|間違え|消去|削除|弾かれ|はじかれ|無効|不正|違う|合わない|"
    r"\b(?:ca|does|wo|is|are|was|were|did)n'?t\b|\bcannot\b|\bfail(?:s|ed|ing)?\b|\blost\b|"
    r"\bbroken\b|\bdoes not\b|\bnot\b|\brefuses?\b|\brejects?\b|\bkeeps?\b|\baccidentally\b|\bdeleted\b|\bwrong\b|"
    r"\binvalid\b|\bgone\b|\bnobody\b|\bmissing\b",
    "cost": r"料金|費用|価格|値段|いくら|支払|請求|返金|期間|いつまで|何日|日数|納期|\bhow much\b|\bprice\b|\bcost\b|"
    r"\bhow long\b|\brefund\b|\bpayment\b",
}
_PATTERNS = {k: re.compile(v) for k, v in _CUES.items()}


def intents(text: str) -> frozenset[str]:
    """The classes whose cues appear in `text` (normalised, so full-width and case
    do not matter)."""
    norm = normalize(text, fold_katakana=False)
    return frozenset(k for k, p in _PATTERNS.items() if p.search(norm))


def intent_vector(found: frozenset[str]) -> tuple[float, ...]:
    return tuple(1.0 if k in found else 0.0 for k in INTENTS)
