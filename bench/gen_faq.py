"""A generated FAQ the size of a real vendor's: n Japanese-only entries with answers of
about 400 characters, and questions that ask for them in other words.

    .venv/bin/python -m bench.gen_faq OUT.jsonl [--entries 2000] [--seed 7]

The file is generated on demand (never committed). The text is built from an SSL
support vocabulary plus invented product and service names (a real FAQ names hundreds
of products, plans and screens), so the index sees a vocabulary and postings lists of
a realistic size. The same seed gives the same file.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

_TOPICS = (
    "証明書 秘密鍵 中間証明書 ルート証明書 CSR 申請 発行 更新 再発行 失効 取り消し 認証 "
    "ドメイン認証 企業認証 EV証明書 ワイルドカード証明書 マルチドメイン 有効期限 請求書 "
    "見積書 支払い 銀行振込 クレジットカード 領収書 契約 解約 返金 会員登録 マイページ "
    "パスワード メールアドレス 管理画面 ログイン 二段階認証 担当者 連絡先 電話番号 住所 "
    "サーバー ロードバランサー ファイアウォール ブラウザー スマートフォン 警告 エラー "
    "暗号化 鍵長 署名アルゴリズム ハッシュ 暗号スイート プロトコル ポート番号 ホスト名 "
    "コモンネーム サブジェクト 組織名 部署名 所在地 書類 登記簿 電話確認 認証メール "
    "DNSレコード ファイル認証 リダイレクト 常時SSL 混在コンテンツ 鍵ペア バックアップ "
    "エクスポート インポート 変換 形式 拡張子 文字コード 改行コード 設定ファイル 再起動 "
    "キャッシュ 自動更新 通知 期限切れ 障害 メンテナンス 問い合わせ 代理店 ライセンス"
).split()
_SOFTWARE = "Apache nginx IIS Tomcat Exchange Postfix HAProxy OpenSSL keytool certbot".split()
_ACTIONS = (
    ("作成", "作成する"), ("確認", "確認する"), ("変更", "変更する"), ("設定", "設定する"),
    ("削除", "削除する"), ("登録", "登録する"), ("移行", "移行する"), ("取得", "取得する"),
    ("インストール", "インストールする"), ("ダウンロード", "ダウンロードする"),
    ("申請", "申請する"), ("解除", "解除する"), ("追加", "追加する"), ("保存", "保存する"),
)
_QUESTION_FORMS = (
    "{sw}で{a}の{b}を{v}方法を教えてください",
    "{a}の{b}はどのように{v}のですか",
    "{sw}の{a}を{v}ときに{b}が必要ですか",
    "{a}と{b}の違いは何ですか",
    "{a}が{sw}で表示されない場合はどうすればよいですか",
    "{name}の{a}について教えてください",
    "{name}で{b}を{v}ことはできますか",
)
_ASK_FORMS = (
    "{sw}で{a}の{b}を{v}にはどうしたらいいですか",
    "{a}の{b}を{v}やり方が知りたい",
    "{name}の{a}、どうやって{v}の?",
    "{b}を{v}手順を教えて。{sw}を使っています",
    "{a}について質問です。{b}は{v}必要がありますか",
)
_SENTENCES = (
    "{a}を{v}場合は、{place}から{b}の画面を開いてください。",
    "{sw}をお使いの場合、{a}の設定は{b}の項目で行います。",
    "{name}では、{a}と{b}を同時に{v}ことはできません。",
    "{b}が完了するまでに、通常{n}営業日ほどかかります。",
    "{a}の内容に誤りがあると、{b}が差し戻されることがあります。",
    "詳しい手順は、{place}にある{name}のマニュアルをご覧ください。",
    "{a}を{v}前に、必ず{b}のバックアップを取得してください。",
    "{n}日以内に{b}が確認できない場合は、{a}が無効になります。",
    "なお、{sw}のバージョンによっては{a}の表示が異なる場合があります。",
    "ご不明な点があれば、{place}から{a}についてお問い合わせください。",
    "{b}の変更には追加の費用はかかりませんが、{a}の再申請が必要です。",
    "{name}をご利用中のお客様は、{b}の前に{a}をご確認ください。",
)
_PLACES = ("マイページ", "管理画面", "サポートサイト", "お客様専用ページ", "設定メニュー")
_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロ"


def _product_names(rng: random.Random, n: int) -> list[str]:
    """Invented katakana names (ポルタネット, キセラ...): words no dictionary knows."""
    names: set[str] = set()
    while len(names) < n:
        names.add("".join(rng.choice(_KANA) for _ in range(rng.randint(3, 5))))
    return sorted(names)


def generate(n: int = 2000, seed: int = 7) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(entries, questions): n entries in the vendor-export shape (id, category, question,
    answer) and one question per entry that asks for it in other words."""
    rng = random.Random(seed)
    names = _product_names(rng, max(50, n // 2))
    entries: list[dict[str, str]] = []
    questions: list[dict[str, str]] = []
    for i in range(n):
        a, b = rng.sample(_TOPICS, 2)
        noun, verb = rng.choice(_ACTIONS)
        slots = {"a": a, "b": b, "v": verb, "sw": rng.choice(_SOFTWARE), "name": rng.choice(names)}
        question = rng.choice(_QUESTION_FORMS).format(**slots)
        answer: list[str] = []
        while sum(map(len, answer)) < 380:
            fill = dict(slots)
            if answer:  # the first sentence is about the entry itself, the rest wander
                fill["a"] = rng.choice((a, *rng.sample(_TOPICS, 2)))
                fill["b"] = rng.choice((b, *rng.sample(_TOPICS, 2)))
                fill["v"] = rng.choice(_ACTIONS)[1]
            fill["place"] = rng.choice(_PLACES)
            fill["n"] = str(rng.randint(1, 30))
            answer.append(rng.choice(_SENTENCES).format(**fill))
        entry_id = f"gen-{i:04d}"
        entries.append({"id": entry_id, "category": noun, "question": question,
                        "answer": "".join(answer)})
        questions.append({"q": rng.choice(_ASK_FORMS).format(**slots), "expect": entry_id})
    return entries, questions


def write(path: Path, n: int = 2000, seed: int = 7) -> list[str]:
    """Write the FAQ as JSONL (what `--kb` reads directly); return the questions."""
    entries, questions = generate(n, seed)
    with path.open("w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    return [q["q"] for q in questions]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--questions", type=Path, help="also write {q, expect} lines here")
    args = parser.parse_args(argv)
    entries, questions = generate(args.entries, args.seed)
    with args.out.open("w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    if args.questions:
        with args.questions.open("w", encoding="utf-8") as fh:
            for q in questions:
                fh.write(json.dumps(q, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
