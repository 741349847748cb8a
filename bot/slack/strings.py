"""UI strings of the Slack adapter, Japanese and English, kept in one place."""

from __future__ import annotations

from bot.types import Lang

_STRINGS: dict[str, tuple[str, str]] = {
    # key: (ja, en)
    "helpful": ("役に立った", "Helpful"),
    "not_helpful": ("役に立たなかった", "Not helpful"),
    "was_helpful": ("この回答は役に立ちましたか?", "Did this answer help?"),
    "related": ("関連する質問", "Related questions"),
    "candidates": (
        "次のどれについての質問ですか? 選んでください。",
        "Which of these is your question about? Pick one.",
    ),
    "no_answer": (
        "FAQに該当する回答が見つかりませんでした。",
        "I could not find an answer to this in the FAQ.",
    ),
    "closest": ("近いFAQ:", "Closest FAQ entries:"),
    "report_title": ("証明書チェックの結果", "Certificate check"),
    "object": ("オブジェクト", "Object"),
    "subject": ("サブジェクト", "Subject"),
    "issuer": ("発行者", "Issuer"),
    "validity": ("有効期限", "Valid until"),
    "days_left": ("残り {n} 日", "{n} days left"),
    "expired_days": ("{n} 日前に期限切れ", "expired {n} days ago"),
    "sans": ("SAN", "SANs"),
    "key": ("鍵", "Key"),
    "signature": ("署名", "Signature"),
    "no_findings": ("問題は見つかりませんでした。", "No problems found."),
    "sev_error": ("エラー", "Errors"),
    "sev_warning": ("警告", "Warnings"),
    "sev_info": ("情報", "Info"),
    "faq_link": ("FAQ: {q}", "FAQ: {q}"),
    "private_key_warning": (
        ":rotating_light: *秘密鍵が貼り付けられました。* この鍵は漏洩したものとして扱ってください。"
        "このメッセージを削除し、新しい鍵ペアを生成して証明書を再発行してください。"
        "ボットは鍵を保存も表示もしません。",
        ":rotating_light: *A private key was pasted.* Treat this key as exposed: "
        "delete the message, generate a new key pair and have the certificate reissued. "
        "The bot neither stores nor repeats the key.",
    ),
    "escalated_asker": (
        ":raising_hand: 担当者に引き継ぎました。回答はこのスレッドでお知らせします。",
        ":raising_hand: I have passed this to a person. The answer will appear in this thread.",
    ),
    "esc_title": ("エスカレーション #{id}", "Escalation #{id}"),
    "esc_reason_no_answer": ("回答が見つからない", "no answer found"),
    "esc_reason_not_helpful": ("回答が役に立たなかった", "answer was not helpful"),
    "esc_reason_asked_human": ("担当者を希望", "asked for a person"),
    "esc_question": ("質問", "Question"),
    "esc_asker": ("質問者", "Asked by"),
    "esc_reason": ("理由", "Reason"),
    "esc_link": ("元のメッセージ", "Original message"),
    "esc_link_text": ("Slackで開く", "open in Slack"),
    "esc_best_guess": ("ボットの推測", "Bot's best guess"),
    "esc_no_guess": ("(なし)", "(none)"),
    "esc_take": ("担当する", "Take it"),
    "esc_resolve": ("解決する", "Resolve"),
    "esc_assigned": (
        ":bust_in_silhouette: 担当: <@{user}>",
        ":bust_in_silhouette: Assigned to <@{user}>",
    ),
    "esc_resolved": (
        ":white_check_mark: <@{user}> が解決しました",
        ":white_check_mark: Resolved by <@{user}>",
    ),
    "esc_resolved_faq": ("(FAQに追加済み)", "(added to the FAQ)"),
    "esc_answer": ("回答", "Answer"),
    "resolve_title": ("回答して解決", "Resolve"),
    "resolve_submit": ("送信", "Send"),
    "resolve_cancel": ("キャンセル", "Cancel"),
    "resolve_answer": ("回答", "Answer"),
    "resolve_add_faq": ("FAQに追加する", "Add to the FAQ"),
    "resolve_add_faq_hint": (
        "同じ質問に今後はボットがこの回答で答えます",
        "The bot will answer the same question with this from now on",
    ),
    "resolved_for_asker": (
        ":speech_balloon: <@{user}> からの回答:\n{answer}",
        ":speech_balloon: Answer from <@{user}>:\n{answer}",
    ),
    "resolve_failed": (
        "ケース #{id} を解決できませんでした。",
        "Case #{id} could not be resolved.",
    ),
    "thanks_feedback": ("フィードバックありがとうございます。", "Thanks for the feedback."),
    "lead_only": (
        "申し訳ありませんが、`{cmd}` はサポートリード専用のコマンドです。",
        "Sorry, `{cmd}` is only available to support leads.",
    ),
    "usage": (
        "*certdesk の使い方*\n"
        "• チャンネルで `@certdesk 質問` とメンションするか、DMで質問してください。\n"
        "• 証明書・CSR・チェーンはPEMテキストを貼り付けるか、ファイル "
        "(.pem .crt .cer .der .p7b .csr .txt, 1MBまで) をアップロードするとチェックします。\n"
        "• `/certdesk ask 質問` `/certdesk check` `/certdesk help`\n"
        "• 秘密鍵は絶対に貼り付けないでください。",
        "*How to use certdesk*\n"
        "• Mention `@certdesk your question` in a channel, or send a DM.\n"
        "• Paste PEM text, or upload a file (.pem .crt .cer .der .p7b .csr .txt, up to 1 MB), "
        "to have a certificate, CSR or chain checked.\n"
        "• `/certdesk ask question` `/certdesk check` `/certdesk help`\n"
        "• Never paste a private key.",
    ),
    "lead_usage": (
        "*リード用:* `/certdesk unanswered` `/certdesk stats`",
        "*For leads:* `/certdesk unanswered` `/certdesk stats`",
    ),
    "check_help": (
        "証明書・CSR・チェーンをチェックするには、ボットへのDMかメンション付きのメッセージに"
        "`-----BEGIN CERTIFICATE-----` から `-----END CERTIFICATE-----` までを貼り付けるか、"
        "ファイル (.pem .crt .cer .der .p7b .csr .txt, 1MBまで) をアップロードしてください。"
        "中間証明書も含めてチェーン全体を貼るとチェーンの順序も確認します。秘密鍵は貼らないでください。",
        "To check a certificate, CSR or chain, DM the bot (or mention it) with the text from "
        "`-----BEGIN CERTIFICATE-----` to `-----END CERTIFICATE-----`, or upload a file "
        "(.pem .crt .cer .der .p7b .csr .txt, up to 1 MB). Paste the whole chain with its "
        "intermediates to have the order checked too. Never paste a private key.",
    ),
    "ask_usage": ("使い方: `/certdesk ask 質問`", "Usage: `/certdesk ask your question`"),
    "home_stats": ("*統計 (過去7日)*", "*Stats (last 7 days)*"),
    "home_open": ("*未解決のエスカレーション*", "*Open escalations*"),
    "home_unanswered": ("*回答できなかった質問 (上位)*", "*Top unanswered questions*"),
    "home_none": ("(なし)", "(none)"),
    "unavailable": ("(データベースを利用できません)", "(database unavailable)"),
    "file_skipped_ext": (
        "ファイル `{name}` は対象外の形式のためチェックしませんでした。",
        "File `{name}` was not checked: unsupported type.",
    ),
    "file_skipped_size": (
        "ファイル `{name}` は1MBを超えるためチェックしませんでした。",
        "File `{name}` was not checked: larger than 1 MB.",
    ),
    "file_failed": (
        "ファイル `{name}` をダウンロードできませんでした。",
        "File `{name}` could not be downloaded.",
    ),
    "error": (
        "申し訳ありません、処理中にエラーが発生しました。しばらくしてからもう一度お試しください。",
        "Sorry, something went wrong. Please try again in a moment.",
    ),
    "truncated": ("…(省略)", "… (truncated)"),
    "continued_below": (
        ":arrow_down: 続きは次のメッセージにあります。",
        ":arrow_down: Continued in the next message.",
    ),
    "reply_cut": (
        ":scissors: Slackのメッセージに収まらないため、ここから先は省略しました。",
        ":scissors: The rest does not fit into Slack messages and was left out.",
    ),
    "objects_more": (
        "ほか {n} 件のオブジェクトの詳細は省略しました (指摘事項はすべて上に表示しています)。",
        "{n} more objects not shown (every finding is listed above).",
    ),
    "finding_also": (
        "同じ指摘がほかに {n} 件: オブジェクト {objects}",
        "The same for {n} more: objects {objects}",
    ),
    "objects_title": ("オブジェクトの詳細", "Objects"),
    "home_more": ("…ほか {n} 件", "… and {n} more"),
    "esc_question_cut": (
        "(質問は {shown} 文字まで表示しています。全文は元のメッセージを参照してください)",
        "(question shown up to {shown} characters; the full text is in the original message)",
    ),
    "escalation_failed": (
        ":warning: 担当者への引き継ぎに失敗しました (サポートチャンネルへ投稿できませんでした)。"
        "ご質問はケース #{id} として未解決のまま記録されており、自動で再送します。",
        ":warning: I could not pass this to a person yet: posting to the support channel "
        "failed. Your question is kept open as case #{id}, and I will retry automatically.",
    ),
    "escalation_late": (
        ":raising_hand: ケース #{id} を担当者に引き継ぎました。回答はこのスレッドでお知らせします。",
        ":raising_hand: Case #{id} has now reached a person. The answer will appear here.",
    ),
    "file_not_a_file": (
        "ファイル `{name}` をダウンロードできませんでした: Slackがファイルの代わりにWebページ"
        "(サインイン画面)を返しました。アプリに `files:read` スコープがないか、スコープの追加後に"
        "アプリが再インストールされていない可能性があります。管理者にお知らせください。",
        "File `{name}` could not be downloaded: Slack answered with a web page (its sign-in "
        "page) instead of the file. The app probably lacks the `files:read` scope, or was "
        "not reinstalled after the scope was added. Please tell your Slack admin.",
    ),
}


def t(key: str, lang: Lang | str, **fmt: object) -> str:
    """The UI string `key` in `lang` (Japanese unless "en"), formatted with `fmt`."""
    ja, en = _STRINGS[key]
    text = en if lang == "en" else ja
    return text.format(**fmt) if fmt else text


def all_keys() -> frozenset[str]:
    return frozenset(_STRINGS)
