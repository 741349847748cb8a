"""Every sentence the bot itself says, in Japanese and English. FAQ text lives in
knowledge/faq.toml; these are the bot's own words around it."""

from __future__ import annotations

from typing import Any

from bot.types import MAX_MESSAGE_CHARS

MESSAGES: dict[str, dict[str, str]] = {
    "greeting": {
        "ja": "こんにちは!SSL証明書のことなら何でも聞いてください。証明書やCSRを貼り付ければ、その場でチェックします。",
        "en": "Hello! Ask me anything about SSL certificates, or paste a certificate or CSR and I will check it.",
    },
    "help": {
        "ja": "SSL証明書についての質問にFAQからお答えします。たとえば「80093009 エラーが出る」「秘密鍵を削除してしまった」のように聞いてください。"
        "証明書・CSR・チェーンを貼り付けるかファイルをアップロードすると、その場でチェックします。担当者と話したいときは「担当者につないで」と書いてください。",
        "en": "I answer SSL certificate questions from the FAQ: try \"CAPI2 error 80093009\" or \"I deleted my private key\". "
        "Paste or upload a certificate, CSR or chain and I check it on the spot. Write \"talk to a person\" to reach the support team.",
    },
    "thanks": {
        "ja": "どういたしまして。ほかにもあれば、いつでも聞いてください。",
        "en": "You're welcome. Ask any time if something else comes up.",
    },
    "ambiguous": {
        "ja": "どれについてのご質問でしょうか?近いものを選んでください:",
        "en": "Which of these is closest to your question?",
    },
    "no_answer": {
        "ja": "申し訳ありません。FAQにはこのご質問への答えが見つかりませんでした。",
        "en": "Sorry, I could not find an answer to this in the FAQ.",
    },
    "asked_human": {
        "ja": "承知しました。担当者におつなぎします。",
        "en": "Understood. I'm handing this to a person.",
    },
    "escalated": {
        "ja": "サポート担当者に引き継ぎました(ケース #{id})。担当者がこのスレッドで回答します。",
        "en": "I've passed this to the support team (case #{id}). Someone will answer in this thread.",
    },
    "escalated_terminal": {
        "ja": "サポート担当者に引き継ぎました(ケース #{id})。担当者が回答すると、/cases で確認できます。",
        "en": "I've passed this to the support team (case #{id}). Type /cases to see their answer once it arrives.",
    },
    "cases_none": {
        "ja": "この会話で引き継いだケースはありません。",
        "en": "No cases were handed over in this chat.",
    },
    "case_line": {"ja": "ケース #{id}: {status}", "en": "Case #{id}: {status}"},
    "escalation_would": {
        "ja": "(Slackでは、このご質問はサポート担当者に引き継がれます。)",
        "en": "(In Slack, this question would be handed to the support team.)",
    },
    "best_guess": {
        "ja": "参考までに、いちばん近いFAQ: {question}",
        "en": "For reference, the closest FAQ entry: {question}",
    },
    "related": {"ja": "関連する質問:", "en": "Related questions:"},
    "feedback_thanks": {
        "ja": "フィードバックありがとうございます。",
        "en": "Thanks for the feedback.",
    },
    "not_helpful": {
        "ja": "お役に立てず申し訳ありません。",
        "en": "Sorry that did not help.",
    },
    "message_cut": {
        "ja": f"(注意: メッセージが長すぎるため、最初の{MAX_MESSAGE_CHARS:,}文字だけを確認しました。"
        "残りは読んでいません。)",
        "en": f"(Note: the message was too long; only its first {MAX_MESSAGE_CHARS:,} characters "
        "were checked. The rest was not read.)",
    },
    "db_file_replaced": {
        "ja": "(注意: データベースファイルが実行中に削除されたため、新しく作り直しました。"
        "それまでの記録は新しいファイルにはありません。)",
        "en": "(Note: the database file was deleted while the bot was running and has been "
        "recreated. Earlier records are not in the new file.)",
    },
    "logging_failed": {
        "ja": "(注意: 会話の記録に失敗しました。回答はできますが、この会話は保存されていません。)",
        "en": "(Note: logging failed. I can still answer, but this conversation was not saved.)",
    },
    "private_key": {
        "ja": "秘密鍵が貼り付けられました。この鍵は漏えいしたものとして扱ってください。"
        "メッセージを削除し、新しい鍵とCSRを作成して証明書を再発行してください。鍵の内容は表示も保存もしていません。",
        "en": "A private key was pasted. Treat this key as exposed: delete the message, generate a "
        "new key and CSR, and have the certificate reissued. The key was neither shown nor stored.",
    },
    "analysis_header": {
        "ja": "貼り付けられた内容のチェック結果:",
        "en": "Check of what you pasted:",
    },
    "live_header": {
        "ja": "{source} のライブチェック(サーバーが実際に送った証明書):",
        "en": "Live check of {source} (the certificates the server really sends):",
    },
    "live_offline": {
        "ja": "(ライブチェックはオフです: CERTDESK_OFFLINE。サーバーには接続していません。)",
        "en": "(Live checks are off: CERTDESK_OFFLINE. No server was contacted.)",
    },
    "live_too_many": {
        "ja": "1つのメッセージで確認できるサーバーは3件までです。最初の3件だけ確認しました。",
        "en": "At most 3 servers are checked per message; I checked the first 3.",
    },
    "live_rate_limited": {
        "ja": "短時間にライブチェックが多すぎるため、一部(または全部)のサーバーを確認していません。しばらくしてからもう一度どうぞ。",
        "en": "Too many live checks in a short time: some (or all) servers were not checked. Please try again in a while.",
    },
    "faq_link": {"ja": "関連FAQ: {question}", "en": "See the FAQ: {question}"},
    # said (in English replies only) above an answer whose entry has no English text
    "only_japanese": {
        "ja": "この回答は日本語のみです。",
        "en": "This answer is only available in Japanese.",
    },
    "more_info": {"ja": "詳しくはこちら: {url}", "en": "More on this: {url}"},
}


def t(key: str, lang: str, **kwargs: Any) -> str:
    text = MESSAGES[key]["en" if lang == "en" else "ja"]
    return text.format(**kwargs) if kwargs else text
