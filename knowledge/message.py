"""Reading a message as a person does: sentences, the business framing around the
question (greetings, self-introductions, apologies, thanks, closings), the quoted
screen text, and the error codes in whatever notation they were typed.

Everything here is pattern-based and general: the patterns describe how Japanese and
English business messages are framed, not any particular question. The matcher scores
the content that is left, so a long, polite message weighs the same as a terse one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.normalize import normalize

# Sentence ends: Japanese full stops and marks, line breaks, and an English full stop
# followed by a space (not the dot of "IIS 4.0" or "example.com").
_SENTENCE_END = re.compile(r"(?<=[。!?！？])|\n+|(?<=[a-z0-9\)\"'][.!?])\s+(?=[A-Za-z\"'(])")

# Phrases that frame a message without asking anything, matched on normalised text
# (NFKC, casefolded). A sentence that holds nothing else once these are removed is set
# aside; inside a sentence the phrase alone is removed ("恐れ入りますが、…").
_JA_FRAMING = [
    r"(?:いつも|大変|たいへん)?(?:お|ご)?世話に(?:なって)?(?:おります|なります|なっております|なりました)",
    r"お世話様です",
    r"お疲れ(?:様|さま)です",
    r"お忙しい(?:ところ|中)(?:申し訳(?:ございません|ありません)が?|恐れ入りますが?|失礼いたします|すみません)?",
    r"(?:夜分|早朝|突然|急|度々|たびたび)(?:に|の)?(?:ご連絡|ご質問|お問い合わせ)?(?:を)?(?:失礼|すみません|申し訳(?:ございません|ありません))(?:いたします|します|致します)?",
    r"(?:突然の|急な)?(?:ご連絡|ご質問|お問い合わせ|メール)(?:を)?(?:失礼|すみません)(?:いたします|します|致します)?",
    r"(?:初めて|はじめて)(?:ご連絡|ご質問|お問い合わせ|問い合わせ|連絡|質問)(?:を)?(?:いたします|させていただきます|します|致します)",
    r"(?:ご連絡|ご返信|お返事|返信|連絡)(?:が)?遅くなり(?:まして)?(?:大変)?(?:申し訳(?:ございません|ありません)|すみません)(?:でした)?",
    r"(?:大変)?恐れ入りますが",
    r"(?:大変)?恐縮(?:です|ですが|ではございますが)",
    r"お手数(?:を)?(?:おかけ|お掛け)(?:いたします|します|致します)が",
    r"お手数(?:です|ではございます)が",
    r"(?:大変)?申し訳(?:ございません|ありません)が",
    r"すみませんが",
    r"失礼(?:いたします|します|致します)",
    r"(?:以上[、,]?\s*)?(?:何卒|なにとぞ|どうぞ)?(?:よろしく|宜しく)(?:お願い)?(?:いたします|致します|します|申し上げます|お願いします|お願いいたします)?",
    r"(?:ご回答|ご返信|ご返答|お返事|ご連絡)(?:を)?(?:お待ちしております|お待ちしています|いただけると助かります|いただけますと幸いです)",
    r"(?:ご確認|ご検討|ご対応)(?:の)?(?:ほど)?(?:よろしく|宜しく)?(?:お願い)?(?:いたします|致します|申し上げます)",
    r"ありがとうございます|ありがとうございました",
    r"以上(?:です|になります|となります)",
    r"取り急ぎ(?:ご連絡まで|お願いまで)?",
]
_EN_FRAMING = [
    r"(?:dear|hi|hello|hey|good (?:morning|afternoon|evening))\b[^.!?\n]{0,40}?[,!:]",
    r"(?:dear|hi|hello|hey)\s+(?:team|all|support|sir|madam|sirs|there)\b",
    r"i hope (?:this|you|all)[^.!?\n]{0,40}",
    r"(?:sorry|apologies|apologize|i apologi[sz]e) (?:to bother you|for (?:the|my|any)[^.!?\n]{0,40}|in advance)",
    r"sorry for my (?:bad |poor )?english",
    r"(?:thanks|thank you)(?: (?:so|very) much)?(?: in advance| for (?:your|the|any) (?:help|time|support|reply|answer|assistance))?",
    r"(?:any )?(?:help|advice|assistance|guidance) (?:would be|is) (?:greatly |much |really )?appreciated",
    r"i (?:would|will|'d) (?:really |greatly )?appreciate (?:your|any) (?:help|advice|assistance|reply)",
    r"(?:best|kind|warm)? ?regards|sincerely|cheers|best wishes|yours (?:truly|faithfully)",
    r"(?:please )?let me know(?: if you need (?:more|any) (?:info|information|details))?",
    r"looking forward to (?:your|hearing)[^.!?\n]{0,30}",
]
_FRAMING = re.compile("|".join(f"(?:{p})" for p in _JA_FRAMING + _EN_FRAMING))
# A self-introduction: "株式会社サンプルの田中です", "情報システム部の佐藤と申します",
# "My name is Ken and I work at Example Corp", "This is Ken from Example".
_SELF_INTRO = re.compile(
    r"^[^。?？]{0,40}(?:と申します|と言います)$"
    # でございます introduces a person only after a name: "〇〇の田中でございます", not
    # "サイトをIISに移す予定でございます" (a clause: its particles give it away)
    r"|^(?:[^。?？]{0,30}の)?[^。?？のをにがではへと]{1,10}でございます$"
    r"|^[^。?？]{0,30}(?:株式会社|有限会社|\(株\)|会社|部|課|室|チーム|グループ|担当|事業部|センター|の者)"
    r"[^。?？]{0,12}(?:です|でございます)$"
    # a name of one or two words, then where the person is from: "I am being warned that
    # ..." or "I am getting an error of ..." is a question, not an introduction
    r"|^(?:my name is|this is|i am|i'm)\s(?:\S+\s){1,2}?(?:from|at|of|with|and i work|in charge)\b[^.?]{0,60}$"
    r"|^my name is\s[^.?]{0,40}$"
)
# A closing signature: what follows "Best regards" or "よろしくお願いいたします" when it is
# short and asks nothing (a name, a company).
_CLOSING = re.compile(r"regards|sincerely|cheers|thanks|thank you|よろしく|宜しく|以上")
# What is left of a sentence once framing is gone: punctuation and politeness glue.
_RESIDUE = re.compile(
    r"[\W_]+|です|ます|ました|いたします|致します|ございます|ください|下さい|ね|よ|が|は|を|に|で|と|も|"
    r"\b(?:and|but|so|also|again|very|much|all|you|i|we|please|the|a)\b"
)
_QUOTE = re.compile(
    r"「([^「」]{3,200})」|『([^『』]{3,200})』|\"([^\"]{3,200})\"|'([^'\n]{6,200})'|“([^”]{3,200})”"
)
_ASKING = re.compile(
    r"[?？]|(?:でしょうか|ですか|ますか|ませんか|ないか|か\s*$|教えて|教示|知りたい|伺いたい|"
    r"方法|やり方|どう(?:すれば|したら|やって)|どのように|なぜ|どうして|原因|"
    r"\b(?:how|why|what|can|could|should|is it|do i|does|where|which)\b)"
)


@dataclass(frozen=True)
class Reading:
    """A message taken apart. `content` is what the matcher scores."""

    text: str
    content: str  # the sentences that are not framing, joined; the text if nothing else is left
    sentences: tuple[str, ...]  # the content sentences
    asking: str | None  # the (last) content sentence that asks something
    framing: int  # how many sentences were set aside entirely
    quotes: tuple[str, ...]  # quoted screen text, normalised


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _strip_framing(sentence: str) -> tuple[str, bool]:
    """The sentence without framing phrases, and whether nothing of substance is left."""
    norm = normalize(sentence, fold_katakana=False)
    if _SELF_INTRO.match(norm.rstrip("。.!！")):
        return "", True
    rest = _FRAMING.sub(" ", norm)
    empty = not _RESIDUE.sub("", rest).strip()
    return rest.strip(" 、,。"), empty


def read_message(text: str) -> Reading:
    """Split into sentences and set the framing aside. Framing phrases inside a sentence
    that also says something are removed from it; a signature after a closing formula
    goes with the closing."""
    sentences = split_sentences(text)
    kept: list[str] = []
    framing = 0
    closed = False
    for s in sentences:
        rest, empty = _strip_framing(s)
        if empty:
            framing += 1
            closed = closed or bool(_CLOSING.search(normalize(s)))
            continue
        if closed and len(rest) <= 25 and not _ASKING.search(rest):
            framing += 1  # a name or company under the closing
            continue
        kept.append(rest if rest != normalize(s, fold_katakana=False) else s)
    if not kept:
        kept = sentences[:] or [text]
        framing = 0
    asking = next((s for s in reversed(kept) if _ASKING.search(normalize(s))), None)
    joiner = "\n" if "\n" in text else " "
    content = joiner.join(kept) if framing or len(kept) != len(sentences) else text
    quotes = tuple(normalize(next(g for g in m.groups() if g)) for m in _QUOTE.finditer(text))
    return Reading(text, content, tuple(kept), asking, framing, quotes)


# Lemmas of asking and politeness that carry no topic: removed from what is scored, on
# the query and the entry side alike (what is asked is `knowledge.intent`'s business).
FRAMING_LEMMAS = frozenset(
    """御 所 幸い 教示 教える 知る 伺う 尋ねる 質問 問い合わせる 問い合わせ 恐れ入る 申し訳 申す
    申し上げる 願う 助かる 存じる 手数 世話 失礼 宜しい 何卒 回答 返信 連絡 困る 様 さん 貴社 弊社
    当方 何時 よろしく 大変 恐縮 お願い 下さい 頂ける 致す 仕舞う 呉れる 其の 此の 彼の 奴 何方 何処
    何れ 何の 未だ もう 直ぐ 凡そ 色々 一寸 沢山 矢張り みたい 所為 質 達 程 つく 関する 考える 分かる
    思う 実際 是非 一応 取り敢えず
    help question regard thank thanks advance appreciate dear hope team know tell wonder anyone
    sorry bother hi hello kindly sir madam
    teach hey guy folk quick gotta gonna wanna em kinda sorta lol ugh bunch pls plz thx""".split()
)
