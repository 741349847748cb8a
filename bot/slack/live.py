"""Block Kit for live checks: each checked server as a report like a pasted one, with a
one-line connection summary, and a fetched intermediate as its subject, its PEM in a
code block and where it goes. Kept apart from blocks.py, which only calls live_blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.live_report import WHERE_IT_GOES, connection_summary
from bot.slack import blocks as bk
from bot.slack import kit
from bot.slack.report import RenderContext, report_blocks
from bot.types import Lang, Reply

if TYPE_CHECKING:
    from bot.live_report import Offer


def offer_blocks(offer: Offer, lang: Lang) -> list[bk.Block]:
    if offer.status != "ok" or not offer.pem:
        return [bk.context(":warning: " + bk.escape(offer.reason_en if lang == "en" else offer.reason_ja))]
    head = (f"*不足している中間証明書*({bk.escape(offer.url)} から取得、署名を確認済み)\n{bk.escape(offer.subject or '')}"
            if lang == "ja" else
            f"*The missing intermediate* (fetched from {bk.escape(offer.url)}, signature verified)\n"
            f"{bk.escape(offer.subject or '')}")
    return [
        bk.section(head, lang),
        bk.section(f"```{bk.escape(offer.pem.rstrip())}```", lang),
        bk.context(bk.escape(WHERE_IT_GOES[lang])),
    ]


def live_blocks(reply: Reply, ctx: RenderContext) -> list[bk.Block]:
    lang = reply.lang
    out: list[bk.Block] = []
    for check in reply.live:
        blocks = report_blocks(check.report, lang, ctx)
        if check.handshake.status == "ok":
            blocks.insert(1, bk.context(":globe_with_meridians: " + bk.escape(
                connection_summary(check.handshake, lang))))
        out.extend(blocks)
        for offer in check.offers:
            out.extend(offer_blocks(offer, lang))
        out.append(kit.divider())
    for offer in reply.offers:
        out.extend(offer_blocks(offer, lang))
    return out
