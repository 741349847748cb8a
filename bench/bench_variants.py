"""Which maintained resource folds general Japanese variation best, and at what cost.

    .venv/bin/python -m bench.bench_variants [--sudachi]

Variant groups written from general knowledge of Japanese orthography (okurigana,
long vowels, half-width kana, kanji/kana spellings, polite and humble forms), not from
any FAQ. Each variant is put in the same short sentence; a group is folded when every
variant gives the same content tokens. Compared:

  unidic   bare fugashi + unidic-lite lemmas (NFKC, long-vowel folding, the same
           part-of-speech and stop-word filters as knowledge/tokens.py);
  sudachi  SudachiPy + sudachidict-core normalized_form (split mode A, the short unit
           closest to UniDic's), with the same filters;
  certdesk knowledge.tokens.analyse(): UniDic plus its small normalisation (humble and
           honorific verbs, the polite prefix お/ご, ヴァ spellings).

And the cost: parse time per question (the development questions and the generated
vendor FAQ's questions) and the resident memory each tokenizer adds to a process.
`--sudachi` needs `pip install sudachipy==0.7.0 sudachidict-core==20261015`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (frame, variants): "{}" in the frame takes each variant.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("{}の手続きについて", ("引越し", "引っ越し", "引越")),
    ("{}を再起動します", ("ｻｰﾊﾞｰ", "サーバー", "サーバ")),
    ("{}の窓口", ("問い合わせ", "問合せ", "問合わせ")),
    ("{}の方法", ("申し込み", "申込み", "申込")),
    ("注文の{}", ("取り消し", "取消", "取消し")),
    ("設定を{}", ("行う", "行なう")),
    ("{}を追加したい", ("ユーザー", "ユーザ")),
    ("{}の手順", ("組み込み", "組込み")),
    ("確認{}", ("いたします", "致します", "します")),
    ("資料はこちらに{}", ("ございます", "あります")),
    ("{}の日程", ("打ち合わせ", "打合せ", "打ち合せ")),
    ("{}の時間", ("受け付け", "受付", "受付け")),
    ("今月の{}", ("売り上げ", "売上", "売上げ")),
    ("{}が必要です", ("手続き", "手続")),
    ("{}の対象", ("割り引き", "割引", "割引き")),
    ("{}の期限", ("振り込み", "振込", "振込み")),
    ("{}を依頼したい", ("見積もり", "見積り", "見積")),
    ("ファイルの{}", ("読み込み", "読込み", "読込")),
    ("{}に失敗しました", ("書き込み", "書込み", "書込")),
    ("画面の{}", ("切り替え", "切替え", "切替")),
    ("{}ができない", ("貼り付け", "貼付け", "貼付")),
    ("{}の注意", ("取り扱い", "取扱い", "取扱")),
    ("担当者の{}", ("引き継ぎ", "引継ぎ", "引継")),
    ("申請の{}", ("締め切り", "締切り", "締切")),
    ("{}の設定", ("コンピューター", "コンピュータ")),
    ("{}が動かない", ("プリンター", "プリンタ", "ﾌﾟﾘﾝﾀｰ")),
    ("{}を更新する", ("ブラウザー", "ブラウザ")),
    ("{}が足りない", ("メモリー", "メモリ")),
    ("{}の仕様", ("インターフェース", "インタフェース", "インターフェイス")),
    ("{}に感染した", ("ウイルス", "ウィルス")),
    ("{}を確認する", ("バージョン", "ヴァージョン")),
    ("{}をやり直す", ("インストール", "ｲﾝｽﾄｰﾙ")),
    ("{}で保存する", ("PDF", "ＰＤＦ")),
    ("登録{}ますか", ("でき", "出来")),
    ("教えて{}", ("ください", "下さい")),
    ("ご連絡を{}たい", ("いただき", "頂き")),
    ("使い方が{}ない", ("わから", "分から", "解ら")),
    ("{}の項目を選ぶ", ("全て", "すべて", "総て")),
    ("{}登録済みです", ("既に", "すでに")),
    ("{}設定しておく", ("予め", "あらかじめ")),
    ("{}の注意点", ("様々", "さまざま")),
    ("{}ご確認ください", ("改めて", "あらためて")),
    ("手順は{}です", ("以下", "下記")),
    ("{}を送る", ("メールアドレス", "メアド")),
    ("{}で試す", ("シミュレーション", "シュミレーション")),
    ("{}を取る", ("コミュニケーション", "コミニュケーション")),
    ("{}から申請", ("スマートフォン", "スマホ")),
    ("{}の品", ("付属", "附属")),
    ("{}後に更新", ("1か月", "1ヶ月", "1カ月", "1ヵ月")),
    ("資料を{}", ("拝見しました", "見ました")),
    ("ご質問を{}", ("承りました", "受けました")),
    ("{}ご確認ください", ("必ず", "かならず")),
    ("{}お待ちください", ("暫く", "しばらく")),
    ("{}が表示される", ("ダイアログ", "ダイヤログ", "ダイアローグ")),
)

_DROP_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白", "接続詞", "感動詞", "接頭辞"})


def certdesk_tokens(text: str) -> tuple[str, ...]:
    from knowledge.tokens import analyse

    return tuple(analyse(text).lemmas)


def unidic_tokens(text: str) -> tuple[str, ...]:
    from knowledge.normalize import fold_long_vowels, normalize
    from knowledge.tokens import _STOP_LEMMAS, _tagger

    out = []
    for w in _tagger()(normalize(text, fold_katakana=False)):
        f = w.feature
        if f.pos1 in _DROP_POS:
            continue
        lemma = fold_long_vowels((f.lemma or w.surface).split("-", 1)[0])
        if lemma not in _STOP_LEMMAS:
            out.append(lemma)
    return tuple(out)


class SudachiTokens:
    def __init__(self) -> None:
        from sudachipy import Dictionary, SplitMode

        from knowledge.tokens import _STOP_LEMMAS

        self._tok = Dictionary(dict="core").tokenizer(mode=SplitMode.A)
        self._stop = _STOP_LEMMAS

    def __call__(self, text: str) -> tuple[str, ...]:
        from knowledge.normalize import fold_long_vowels, normalize

        out = []
        for m in self._tok.tokenize(normalize(text, fold_katakana=False)):
            pos = m.part_of_speech()[0]
            if pos in _DROP_POS:
                continue
            norm = fold_long_vowels(m.normalized_form())
            if norm not in self._stop:
                out.append(norm)
        return tuple(out)


def folded(tokenize: object, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> list[bool]:
    results = []
    for frame, variants in groups:
        seen = {tokenize(frame.format(v)) for v in variants}  # type: ignore[operator]
        results.append(len(seen) == 1)
    return results


def _questions() -> list[str]:
    from bench import gen_faq

    with (ROOT / "tests" / "data" / "dev_questions.jsonl").open(encoding="utf-8") as fh:
        dev = [json.loads(line)["q"] for line in fh if line.strip()]
    return dev + [q["q"] for q in gen_faq.generate(2000)[1]]


def parse_ms(tokenize: object, questions: list[str]) -> float:
    for q in questions[:50]:
        tokenize(q)  # type: ignore[operator]
    t0 = time.perf_counter()
    for q in questions:
        tokenize(q)  # type: ignore[operator]
    return (time.perf_counter() - t0) * 1000 / len(questions)


# Current RSS from /proc (ru_maxrss would carry the parent's peak across exec).
_RSS_PROBE = """
import sys
def rss():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
before = rss()
sys.path.insert(0, {root!r})
import bench.bench_variants as b
tok = b.SudachiTokens() if sys.argv[1] == "sudachi" else getattr(b, sys.argv[1] + "_tokens")
for q in ["証明書をインストールしたいのですが", "引越しの手続き", "ｻｰﾊﾞｰを再起動"] * 50:
    tok(q)
print((rss() - before) / 1024)
"""


def added_rss_mib(kind: str) -> float:
    """Resident memory a fresh process gains by loading and using the tokenizer."""
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE.format(root=str(ROOT)), kind],
        capture_output=True, text=True, check=True,
    )
    return float(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sudachi", action="store_true", help="also measure SudachiPy")
    parser.add_argument("--show", action="store_true", help="print every group's tokens")
    args = parser.parse_args(argv)
    methods: dict[str, object] = {"unidic": unidic_tokens}
    if args.sudachi:
        methods["sudachi"] = SudachiTokens()
    methods["certdesk"] = certdesk_tokens
    questions = _questions()
    n = len(GROUPS)
    print(f"{n} variant groups ({sum(len(v) for _, v in GROUPS)} spellings), "
          f"{len(questions)} questions\n")
    print("| method | groups folded | parse per question | memory added |\n|---|---|---|---|")
    per_group: dict[str, list[bool]] = {}
    for name, tok in methods.items():
        per_group[name] = folded(tok, GROUPS)
        ms = parse_ms(tok, questions)
        rss = added_rss_mib(name)
        print(f"| {name} | {sum(per_group[name])}/{n} | {ms:.3f} ms | {rss:.0f} MiB |")
    print()
    for k, (frame, variants) in enumerate(GROUPS):
        marks = " ".join(f"{name}={'ok' if r[k] else 'NO'}" for name, r in per_group.items())
        if args.show or not all(r[k] for r in per_group.values()):
            detail = ""
            if args.show:
                detail = "  " + " | ".join(
                    f"{name}: " + " / ".join(
                        "+".join(tok(frame.format(v))) for v in variants  # type: ignore[operator]
                    )
                    for name, tok in methods.items()
                )
            print(f"  {'/'.join(variants)}: {marks}{detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
