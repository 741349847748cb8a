"""Block Kit rendering, Slack text handling, file download rules and UI strings:
the pure parts of the Slack adapter, without a server."""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_limits import check_message
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_standin import StandIn

from analyzers import Finding, ObjectInfo, Report
from bot.config import Settings
from bot.slack import blocks as bk
from bot.slack import files, strings, views
from bot.slack import report as report_view
from bot.slack.conversation import guess_lang, slack_text_to_plain
from bot.slack.poster import make_client
from bot.types import Answer, Candidate, EscalationInfo, Reply

TITLES = {"capi2-80093005-invalid-certificate": "CAPI2 80093005", "bad-digital-signature": "Sig"}


def title(entry_id: str) -> str | None:
    return TITLES.get(entry_id)


def dump(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def check_limits(blocks: list[dict]) -> None:
    assert len(blocks) <= bk.MAX_BLOCKS
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= bk.MAX_SECTION
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= bk.MAX_HEADER
        for el in b.get("elements", []):
            if el.get("type") == "button":
                assert len(el["text"]["text"]) <= bk.MAX_BUTTON
        action_ids = [el["action_id"] for el in b.get("elements", []) if "action_id" in el]
        assert len(action_ids) == len(set(action_ids))


@given(st.text(alphabet=st.sampled_from("<>&;amplgt x"), max_size=40))
def test_escape_unescape_roundtrip(text: str) -> None:
    assert bk.unescape(bk.escape(text)) == text
    assert "<" not in bk.escape(text) and ">" not in bk.escape(text)


def test_slack_text_to_plain() -> None:
    raw = "<@UBOT> check <https://www.example.com|www.example.com> &lt;BEGIN&gt; a &amp;lt; b"
    assert slack_text_to_plain(raw, "UBOT") == "check www.example.com <BEGIN> a &lt; b"
    assert slack_text_to_plain("<@UOTHER> hi", "UBOT") == "<@UOTHER> hi"
    assert slack_text_to_plain("mail <mailto:a@b.jp>", None) == "mail a@b.jp"


def test_guess_lang() -> None:
    assert guess_lang("証明書", "en") == "ja"
    assert guess_lang("certificate", "ja") == "en"
    assert guess_lang("  ", "en") == "en"
    assert guess_lang("", "ja") == "ja"


def test_answer_blocks_escaped_with_feedback_and_related() -> None:
    answer = Answer(
        "change-ip-address",
        "IPアドレスを変更できますか?",
        "Use <b> & not </b>",
        related=(Candidate("ip-vs-name-based-hosting", "IP or name?", 0.0),),
    )
    reply = Reply(lang="en", text="t", decision="answer", answer=answer, message_id=42)
    blocks = bk.reply_blocks(reply, title)
    check_limits(blocks)
    assert blocks[0] == bk.header("IPアドレスを変更できますか?")
    assert "Use &lt;b&gt; &amp; not &lt;/b&gt;" in dump(blocks)
    values = {
        el["action_id"]: el["value"]
        for b in blocks
        for el in b.get("elements", [])
        if el.get("type") == "button"
    }
    assert values["feedback_helpful"] == "42" and values["feedback_not_helpful"] == "42"
    assert values["show_entry_0"] == "ip-vs-name-based-hosting|en"


def test_no_feedback_buttons_without_a_logged_message() -> None:
    reply = Reply(lang="ja", text="t", answer=Answer("x", "q", "a"), message_id=None)
    assert "feedback_helpful" not in dump(bk.reply_blocks(reply, title))


def test_candidates_become_buttons_with_message_id() -> None:
    cands = tuple(Candidate(f"e{i}", f"question {i} " + "x" * 100, 0.5) for i in range(3))
    reply = Reply(lang="ja", text="どれ?", decision="ambiguous", candidates=cands, message_id=7)
    blocks = bk.reply_blocks(reply, title)
    check_limits(blocks)
    buttons = [el for b in blocks for el in b.get("elements", []) if el.get("type") == "button"]
    assert [b["value"] for b in buttons] == ["7|e0", "7|e1", "7|e2"]


def _report(n_objects: int = 1) -> Report:
    objects = tuple(
        ObjectInfo(
            index=i,
            kind="certificate",
            subject=f"CN=host{i}.example.jp",
            issuer="CN=Example CA",
            not_after="2027-01-31T00:00:00+00:00",
            days_left=-3,
            sans=tuple(f"h{j}.example.jp" for j in range(25)),
            key_type="RSA",
            key_size=1024,
            signature_algorithm="sha1WithRSAEncryption",
        )
        for i in range(n_objects)
    )
    findings = (
        Finding("chain.root_included", "info", None, "ルート", "root included", ()),
        Finding(
            "cert.weak_key", "error", 0, "弱い鍵 <1024>", "weak key", ("bad-digital-signature",)
        ),
        Finding("pem.crlf", "info", None, "CRLF", "CRLF", ()),
        Finding(
            "cert.no_san",
            "warning",
            0,
            "SANなし",
            "no SAN",
            ("capi2-80093005-invalid-certificate",),
        ),
    )
    return Report(source="message", objects=objects, findings=findings)


def test_report_sections_and_findings_by_severity() -> None:
    reply = Reply(lang="en", text="t", decision=None, reports=(_report(),))
    blocks = bk.reply_blocks(reply, title)
    check_limits(blocks)
    text = dump(blocks)
    assert "CN=host0.example.jp" in text and "expired 3 days ago" in text
    assert "RSA 1024" in text and "sha1WithRSAEncryption" in text and "(+5)" in text
    # errors first, then warnings, then info, each with its marker; English messages
    err, warn, info = (text.index(m) for m in (":red_circle:", ":warning:", ":information_source:"))
    assert err < warn < info
    assert "weak key `cert.weak_key`" in text and "FAQ: Sig" in text
    assert [
        el["value"] for b in blocks if b.get("block_id") == "report_faq" for el in b["elements"]
    ] == ["bad-digital-signature|en", "capi2-80093005-invalid-certificate|en"]


def test_japanese_report_uses_japanese_messages_escaped() -> None:
    blocks = bk.reply_blocks(Reply(lang="ja", text="t", reports=(_report(),)), title)
    assert "弱い鍵 &lt;1024&gt;" in dump(blocks) and "期限切れ" in dump(blocks)


def test_long_reply_continues_in_more_messages_not_truncated() -> None:
    long_answer = Answer("x", "Q" * 400, "long line\n" * 1000)
    reply = Reply(
        lang="en", text="z" * 10_000, answer=long_answer, reports=(_report(60),), message_id=1
    )
    pages = bk.reply_pages(reply, title)
    assert len(pages) > 1
    for page in pages:
        assert check_message({"text": "t", "blocks": page}) == []
    for page in pages[:-1]:
        assert "Continued in the next message" in dump(page[-1])
    text = dump(pages)
    assert text.count("long line") == 1000  # the whole answer, in several sections
    assert "40 more objects not shown" in text  # 20 objects shown, as the terminal does
    assert "truncated" not in text
    assert len(bk.fallback_text(reply)) <= bk.MAX_TEXT
    section = bk.section("y" * 5000, "en")
    assert section["text"]["text"].endswith("(truncated)")


def test_private_key_warning_first_and_key_not_described() -> None:
    key_report = Report(
        source="message",
        objects=(ObjectInfo(index=0, kind="private_key", key_type="RSA", key_size=2048),),
        findings=(Finding("key.private_key", "error", 0, "秘密鍵", "key", ()),),
    )
    reply = Reply(lang="ja", text="t", reports=(key_report,), private_key_pasted=True)
    blocks = bk.reply_blocks(reply, title)
    assert ":rotating_light:" in blocks[0]["text"]["text"]
    assert "RSA 2048" not in dump(blocks)


def test_decisions_render_their_own_blocks() -> None:
    cands = (Candidate("a", "A?", 0.3), Candidate("b", "B?", 0.2))
    none = bk.reply_blocks(
        Reply(
            lang="en",
            text="RAWTEXT",
            decision="none",
            candidates=cands,
            message_id=4,
            escalation=EscalationInfo(id=1, reason="no_answer"),
        ),
        title,
    )
    text = dump(none)
    assert "could not find an answer" in text and "Closest FAQ entries" in text
    assert '"4|a"' in text and "passed this to a person" in text and "RAWTEXT" not in text
    ambiguous = dump(
        bk.reply_blocks(
            Reply(lang="ja", text="RAWTEXT", decision="ambiguous", candidates=cands, message_id=5),
            title,
        )
    )
    assert "選んでください" in ambiguous and '"5|b"' in ambiguous
    hello = bk.reply_blocks(
        Reply(lang="en", text="Hello!", decision="smalltalk", notices=("greeting",)), title
    )
    # notices are keys of bot.messages: the greeting's own words are posted, not the key
    assert [b["type"] for b in hello] == ["section"] and "Ask me anything" in dump(hello)
    assert '"greeting"' not in dump(hello)
    certs_only = bk.reply_blocks(Reply(lang="en", text="RAWTEXT", reports=(_report(),)), title)
    assert "RAWTEXT" not in dump(certs_only)


def test_escalation_notice_for_the_asker() -> None:
    info = EscalationInfo(id=3, reason="no_answer")
    reply = Reply(lang="en", text="Sorry", decision="none", escalation=info)
    assert "passed this to a person" in dump(bk.reply_blocks(reply, title))


@dataclass
class Rec:
    id: int = 5
    status: str = "open"
    reason: str = "no_answer"
    question: str = "what about <script>?"
    asker: str = "UASK"
    assignee: str | None = None
    resolver: str | None = None
    resolution: str | None = None
    best_guess_score: float | None = 0.41
    learned_entry_id: str | None = None


def test_escalation_post_follows_its_state() -> None:
    link = "https://example.slack.com/archives/C1/p1"
    opened = views.escalation_blocks(Rec(), lang="en", permalink=link, best_guess="Guess")
    text = dump(opened)
    assert "&lt;script&gt;" in text and "<@UASK>" in text and link in text and "(0.41)" in text
    assert {"escalation_assign", "escalation_resolve"} <= set(re.findall(r"escalation_\w+", text))
    assigned = dump(
        views.escalation_blocks(
            Rec(status="assigned", assignee="ULEAD"), lang="en", permalink=None, best_guess=None
        )
    )
    assert "Assigned to <@ULEAD>" in assigned and "escalation_resolve" in assigned
    done = dump(
        views.escalation_blocks(
            Rec(
                status="resolved", resolver="ULEAD", resolution="do X", learned_entry_id="learned-1"
            ),
            lang="en",
            permalink=None,
            best_guess=None,
        )
    )
    assert "Resolved by <@ULEAD>" in done and "added to the FAQ" in done and "do X" in done
    assert "escalation_assign" not in done


def test_resolve_modal_roundtrip() -> None:
    modal = views.resolve_modal(9, "ja", "質問")
    assert modal["callback_id"] == views.VIEW_RESOLVE and modal["private_metadata"] == "9"
    assert len(modal["title"]["text"]) <= 24
    state: dict[str, Any] = {
        "values": {
            "answer": {"value": {"value": " 答え "}},
            "add_to_faq": {"value": {"selected_options": [{"value": "yes"}]}},
        }
    }
    assert views.resolve_submission({**modal, "state": state}) == (9, "答え", True)
    state["values"]["add_to_faq"]["value"]["selected_options"] = []
    assert views.resolve_submission({**modal, "state": state}) == (9, "答え", False)


def test_home_view_for_lead_and_others() -> None:
    everyone = views.home_view("en", is_lead=False)
    lead = views.home_view(
        "en",
        is_lead=True,
        stats={"questions": 3},
        open_escalations=[Rec()],
        unanswered=[("weather?", 4)],
    )
    assert everyone["type"] == "home" and "/certdesk ask" in dump(everyone)
    assert "questions" not in dump(everyone)
    assert "questions: *3*" in dump(lead) and "(4) weather?" in dump(lead) and "#5" in dump(lead)


def test_strings_complete_in_both_languages() -> None:
    fmt = string.Formatter()
    for key in strings.all_keys():
        ja, en = strings._STRINGS[key]
        assert ja and en
        assert {f for _, f, _, _ in fmt.parse(ja) if f} == {f for _, f, _, _ in fmt.parse(en) if f}


def test_client_honours_api_url_and_retries_rate_limits() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://h:1/api"})
    client = make_client(settings)
    assert client.base_url == "http://h:1/api/"
    assert any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers)


def test_file_rules() -> None:
    assert files.allowed_name("Server.CRT") and files.allowed_name("chain.p7b")
    assert not files.allowed_name("key.pfx") and not files.allowed_name("crt")
    api = "http://127.0.0.1:9/api/"
    assert files._trusted_host("https://files.slack.com/files-pri/T1/x.pem", None)
    assert not files._trusted_host("http://files.slack.com/x.pem", None)  # https only
    assert files._trusted_host("http://127.0.0.1:9/files/x.pem", api)
    # scheme, host AND port: another port on the same host is another server
    assert not files._trusted_host("http://127.0.0.1:5/files/x.pem", api)
    assert not files._trusted_host("https://127.0.0.1:9/files/x.pem", api)
    assert not files._trusted_host("https://files.slack.com:8443/x.pem", None)
    assert files._trusted_host("https://files.slack.com:443/x.pem", None)
    assert not files._trusted_host("https://files.slack.com:bad/x.pem", None)
    assert not files._trusted_host("https://evil.example/x.pem", api)


def test_fetch_uploads_with_the_bot_token() -> None:
    with StandIn(token="xoxb-right") as standin:
        standin.add_file("a.pem", b"PEM")
        standin.add_file("big.cer", b"x" * (files.MAX_BYTES + 1))
        standin.add_file("lied.crt", b"y" * (files.MAX_BYTES + 10))
        objs = [
            standin.file_object("a.pem"),
            standin.file_object("big.cer"),
            standin.file_object("lied.crt", size=10),
            standin.file_object("c.zip"),
            {"id": "F9", "name": "evil.pem", "url_private": "https://evil.example/x"},
        ]
        uploads, skipped = files.fetch_uploads(objs, token="xoxb-right", api_url=standin.api_url)
        assert [(u.name, u.data) for u in uploads] == [("a.pem", b"PEM")]
        assert [(s.name, s.why) for s in skipped] == [
            ("big.cer", "size"),
            ("lied.crt", "size"),
            ("c.zip", "ext"),
            ("evil.pem", "failed"),
        ]
        assert standin.find("download:big.cer") == []  # size known up front: never fetched
        _, wrong = files.fetch_uploads(objs[:1], token="xoxb-wrong", api_url=standin.api_url)
        assert [s.why for s in wrong] == ["failed"]
        # a partial file object (file_access: check_file_info) is completed first
        partial = [{"id": "a.pem", "file_access": "check_file_info"}]
        got, _ = files.fetch_uploads(
            partial, token="xoxb-right", api_url=standin.api_url, file_info=standin.file_object
        )
        assert [(u.name, u.data) for u in got] == [("a.pem", b"PEM")]


def test_now_is_utc_aware_in_dates() -> None:
    assert report_view.fmt_date(datetime(2027, 1, 2, 3, 4, tzinfo=UTC)) == "2027-01-02 03:04 UTC"
    assert report_view.fmt_date("2027-01-31T00:00:00+00:00") == "2027-01-31 00:00:00 UTC"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_usage_texts_mention_the_slash_command(lang: str) -> None:
    assert "/certdesk" in strings.t("usage", lang)
