"""Hostile text costs linear time: every regex that runs on user text, the Desk's prose
cut, the terminal's block markers and a whole Desk turn, on runs of dashes, spaces,
BEGIN, base64 characters, newlines and their mixes at two sizes (tests/growth.py: CPU
time of 16 times the input, never a stopwatch).

40,000 dashes in one chat message used to take 88 s (`-{3,}\\s*BEGIN ... .*?` in
bot/desk.py tried every dash as a start and backtracked through the rest).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from growth import assert_linear, growth
from hypothesis import given
from hypothesis import strategies as st

from analyzers.text import strip_pem_blocks
from bot.desk import Desk, prose_of
from bot.terminal import gather_messages
from bot.types import MAX_MESSAGE_CHARS, Incoming
from knowledge import KnowledgeBase

# What attackers (and careless pastes) repeat: each alone, and after a prefix that opens
# a block, so that a pattern's "BEGIN ... then anything" part is exercised too.
UNITS = (
    "-", " ", "\t", "\n", "\r", "- ", "-\n", " \n", "BEGIN", "BEGIN ", "BEGIN\n", "-----BEGIN",
    "---BEGIN-", "-----BEGIN X-----\n", "-----END A", "A", "A/", "AAAA\n", "=", "0", "a.",
    "a-", "ー", "\u3000", "－", "<", "&", "\\n", "> ", "\"-----BEGIN ", "<https://a",
    "<@U1|", "a1", "https://a.b/ ",
)
PREFIXES = ("", "---BEGIN", "-----BEGIN PRIVATE KEY-----\n")

# Patterns that user text reaches only through match()/fullmatch() on one token or line,
# where their unanchored worst case cannot happen.
ANCHORED_ONLY = {
    "analyzers.scan._HEADER_RE": "_HEADER_RE.match(segment) on one line",
    "knowledge.tokens._PRODUCT_VERSION": "fullmatch(word) on one token",
}

# The regex the Desk used before strip_pem_blocks: the reference for what it must cut.
OLD_BLOCK = re.compile(r"-{3,}\s*BEGIN[^\n]*\n.*?(?:-{3,}\s*END[^\n]*-{3,}|\Z)", re.S | re.I)


def _module_patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for package in ("analyzers", "knowledge", "bot"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                    found.setdefault(f"{info.name}.{name}", value)
    return found


PATTERNS = _module_patterns()


def test_the_audit_sees_the_patterns_it_should() -> None:
    assert "analyzers.text._BEGIN_MARK" in PATTERNS and "bot.terminal._BEGIN" in PATTERNS
    assert len(PATTERNS) > 40
    assert set(ANCHORED_ONLY) <= set(PATTERNS)


@pytest.mark.parametrize("name", sorted(set(PATTERNS) - set(ANCHORED_ONLY)))
def test_every_module_regex_is_linear_on_hostile_text(name: str) -> None:
    pattern = PATTERNS[name]

    def scan(text: str) -> None:
        for _ in pattern.finditer(text):
            pass

    worst = (0.0, "")
    for prefix in PREFIXES:
        for unit in UNITS:
            small = prefix + unit * (1000 // len(unit) + 1)
            large = prefix + unit * (16000 // len(unit) + 1)
            ratio = growth(scan, small, large, runs=2)
            worst = max(worst, (ratio, f"{prefix!r} + {unit!r}*n"))
    assert worst[0] < 96, f"{name}: 16x input cost {worst[0]:.0f}x on {worst[1]}"


def test_the_old_block_regex_was_quadratic() -> None:
    """The audit's yardstick fails the regex this change removed (so it can fail)."""
    ratio = growth(lambda s: OLD_BLOCK.sub(" ", s), "-" * 500, "-" * 8000, runs=1)
    assert ratio > 96


PIECES = ["-", "---", "-----", "BEGIN", "END", "begin", " ", "\t", "\n", "x", "CERT", "\u3000"]


@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_strip_pem_blocks_cuts_what_the_old_regex_cut(text: str) -> None:
    assert strip_pem_blocks(text) == OLD_BLOCK.sub(" ", text)


def test_strip_pem_blocks_keeps_the_words_around_blocks() -> None:
    text = ("before\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nmiddle\n"
            "-----BEGIN X-----\nAAAA\n-----END X----- tail\nafter")
    assert strip_pem_blocks(text).split() == ["before", "middle", "tail", "after"]
    assert strip_pem_blocks("q\n-----BEGIN KEY-----\nAAAA").split() == ["q"]  # no END
    assert strip_pem_blocks("-----BEGIN X----- only one line") == "-----BEGIN X----- only one line"


@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("prefix", PREFIXES[:2])
def test_prose_of_is_linear(prefix: str, unit: str) -> None:
    assert_linear(lambda s: prose_of(prefix + s), unit, small=2000 // len(unit) + 1,
                  label=f"{prefix}{unit}")


@pytest.mark.parametrize("unit", ["-", " ", "-\n", "--BEGIN", "-- BEGIN\n", "--END\n", "\n"])
def test_piped_chat_grouping_is_linear(unit: str) -> None:
    def gather(text: str) -> None:
        for _ in gather_messages(("--BEGIN " + text).splitlines(keepends=True)):
            pass

    assert_linear(gather, unit, small=2000 // len(unit) + 1, label=unit)


HOSTILE = ("-", " ", "-\n", "BEGIN", "-----BEGIN", "---BEGIN-", "A", "AAAA\n", "\n", "ー",
           "-----BEGIN X-----\n", "-----BEGIN CERTIFICATE-----\nMIIB\n", "-----END A", "\\n")


@pytest.mark.parametrize("unit", HOSTILE)
def test_a_desk_turn_is_linear_on_hostile_messages(kb: KnowledgeBase, unit: str) -> None:
    desk = Desk(kb, None)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert_linear(lambda s: desk.handle(Incoming(text="---BEGIN" + s, now=now)), unit,
                  small=2500 // len(unit) + 1, label=unit)


@pytest.mark.parametrize("unit", ["-", " "])
def test_a_logged_desk_turn_is_linear_on_hostile_messages(
    kb: KnowledgeBase, unit: str, tmp_path: Path
) -> None:
    from bot.store import Store

    store = Store(f"sqlite:///{tmp_path / 'hostile.db'}")
    store.upgrade()
    desk = Desk(kb, store)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    try:
        assert_linear(lambda s: desk.handle(Incoming(text="-----BEGIN" + s, now=now)), unit,
                      small=1000, label=unit)
    finally:
        store.dispose()


def test_a_message_over_the_cap_is_cut_and_the_reply_says_so(kb: KnowledgeBase) -> None:
    desk = Desk(kb, None)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    text = "秘密鍵をうっかり消してしまいました " + "-" * (MAX_MESSAGE_CHARS * 3)
    reply = desk.handle(Incoming(text=text, now=now))
    assert "最初の100,000文字" in reply.text
    assert reply.answer is not None  # the first part is still read and answered
    english = desk.handle(Incoming(text="I deleted my private key " + "=" * MAX_MESSAGE_CHARS,
                                   now=now))
    assert "first 100,000 characters" in english.text
    short = desk.handle(Incoming(text="I deleted my private key", now=now))
    assert "100,000" not in short.text


def test_the_cut_text_is_what_gets_logged(kb: KnowledgeBase, tmp_path: Path) -> None:
    from bot.store import Store

    store = Store(f"sqlite:///{tmp_path / 'cut.db'}")
    store.upgrade()
    desk = Desk(kb, store)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    reply = desk.handle(Incoming(text="How do I renew? " + "x" * (MAX_MESSAGE_CHARS + 5000),
                                 now=now))
    assert reply.message_id is not None
    msg = store.message(reply.message_id)
    assert msg is not None and len(msg.text) <= MAX_MESSAGE_CHARS
    store.dispose()
