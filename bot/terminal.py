"""The terminal adapter: `certdesk chat`. The same Desk as Slack, with SQLite and no Slack.

Interactive: a multi-line paste (a PEM block, a chain) arrives as one message because
lines that are already waiting on stdin are read together; a block without its END line
waits for more only while the lines continue it, so a blank line, a /command or a
question ends it. Piped: each line is one message, except that a paste (PEM blocks,
base64 or hex lines, `openssl -text` dumps, PuTTY files, JSON objects: bot.paste) is
gathered into one. It ends at EOF.
"""

from __future__ import annotations

import getpass
import os
import re
import select
import sys
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from analyzers.boundary import DASHES
from bot.config import Settings
from bot.desk import Desk
from bot.live import Probe
from bot.paste import gather_messages
from bot.types import Incoming, Reply, Upload

# Possessive and anchored at the start of a dash run: linear on a line of a million dashes.
_BEGIN = re.compile(r"(?<!-)-{2,}+\s*+BEGIN\b", re.I)
_END = re.compile(r"(?<!-)-{2,}+\s*+END\b", re.I)

BANNER = """certdesk chat — SSL証明書サポート / SSL certificate support
質問を入力するか、証明書・CSRを貼り付けてください。 Type a question or paste a certificate or CSR.
  /good /bad  直前の回答の評価 / rate the last answer     1 2 3  候補を選ぶ / pick a candidate
  /file PATH  ファイルをチェック / check a file             /cases 引き継いだケース / handed-over cases
  /quit  終了 / quit (Ctrl-D)
"""


# The chat's own commands: typed after a paste whose END line never came, one of these
# ends the paste and is then obeyed (before, everything was swallowed until Ctrl-D).
COMMANDS = frozenset({"/quit", "/exit", "/q", "/help", "/?", "/cases", "/good", "/bad", "/file"})
_HEADER_LINE = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,40}:")  # Proc-Type:, DEK-Info:, Comment:
_B64_LINE = re.compile(r"[A-Za-z0-9+/=]+")
# the scanner's lookalike dashes: a BEGIN line it would read is one the paste continues with
_LOOSE_DASHES = frozenset(DASHES)


def continues_paste(line: str) -> bool:
    """Whether a line read while a pasted block still waits for its END line belongs to
    it: base64 (also joined lines of it), a header or a BEGIN/END line, however damaged.
    A blank line, a /command or a line that is plainly not base64 (a question, Japanese
    text) ends the paste."""
    s = unicodedata.normalize("NFKC", line).strip(" \t\r\n\u200b\ufeff")
    if not s:
        return False
    words = s.split()
    if words[0].lower() in COMMANDS:
        return False
    upper = s.upper()
    if ("BEGIN" in upper or "END" in upper) and sum(c in _LOOSE_DASHES for c in s) >= 2:
        return True
    if _HEADER_LINE.match(s):
        return True
    if len(words) == 1:
        return _B64_LINE.fullmatch(s) is not None
    return all(len(w) >= 16 and _B64_LINE.fullmatch(w) for w in words)


def lines_waiting(stdin: TextIO) -> bool:
    """Lines already typed or pasted and not yet read."""
    ready, _, _ = select.select([stdin], [], [], 0.05)
    return bool(ready)


def _interactive_messages(
    stdin: TextIO, out: TextIO, waiting: Callable[[TextIO], bool] = lines_waiting
) -> Iterator[str]:
    """A TTY: everything pasted at once (lines already waiting) is one message. A block
    whose END line has not come yet waits for more lines, as long as they continue it
    (continues_paste); the first line that does not ends the message and is the next one."""
    pending: str | None = None
    while True:
        if pending is None:
            out.write("\n> ")
            out.flush()
            first = stdin.readline()
            if not first:
                return
        else:
            first, pending = pending, None
        lines = [first.rstrip("\n")]
        open_block = bool(_BEGIN.search(first)) and not _END.search(first)
        while True:
            if waiting(stdin):
                more = stdin.readline()
            elif open_block:  # the rest of a slow paste, or what the person types next
                more = stdin.readline()
                if more and not continues_paste(more):
                    pending = more if more.strip() else None
                    break
            else:
                break
            if not more:
                break
            lines.append(more.rstrip("\n"))
            if _BEGIN.search(more):
                open_block = not _END.search(more)
            elif _END.search(more):
                open_block = False
        text = "\n".join(lines).strip()
        if text:
            yield text


class TerminalChat:
    def __init__(self, desk: Desk, *, user: str, out: TextIO) -> None:
        self.desk = desk
        self.user = user
        self.out = out
        self.thread = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.last: Reply | None = None

    def say(self, text: str) -> None:
        self.out.write(text.rstrip() + "\n")
        self.out.flush()

    def handle(self, text: str) -> bool:
        """One message; False when the person wants to leave."""
        now = datetime.now(UTC)
        cmd = text.strip()
        if cmd in ("/quit", "/exit", "/q"):
            return False
        if cmd in ("/help", "/?"):
            self.say(BANNER)
            return True
        if cmd == "/cases":
            self._cases()
            return True
        last = self.last
        if cmd in ("/good", "/bad") and last is not None and last.message_id is not None:
            helpful = cmd == "/good"
            reply = self.desk.feedback(
                last.message_id, helpful, user=self.user, now=now, transport="terminal"
            )
            self._show(reply)
            return True
        if cmd.isdigit() and last is not None and last.decision == "ambiguous" and last.message_id:
            k = int(cmd) - 1
            if 0 <= k < len(last.candidates):
                entry_id = last.candidates[k].id
                self._show(self.desk.choose(last.message_id, entry_id, user=self.user, now=now))
                return True
        uploads: tuple[Upload, ...] = ()
        if cmd.startswith("/file "):
            path = Path(cmd[6:].strip()).expanduser()
            try:
                uploads = (Upload(path.name, path.read_bytes()[: 1024 * 1024 * 4]),)
            except OSError as exc:
                self.say(f"ファイルを読めません / cannot read the file: {exc.strerror or exc}")
                return True
            text = ""
        incoming = Incoming(
            text=text,
            now=now,
            user=self.user,
            channel="terminal",
            thread=self.thread,
            transport="terminal",
            uploads=uploads,
        )
        self._show(self.desk.handle(incoming))
        return True

    def _cases(self) -> None:
        from bot.messages import t

        lang = self.last.lang if self.last else self.desk.default_lang
        cases = self.desk.cases(transport="terminal", channel="terminal", thread=self.thread)
        if not cases:
            self.say(t("cases_none", lang))
            return
        for case in cases:
            line = t("case_line", lang, id=case.id, status=case.status)
            if case.resolution:
                line += "\n" + case.resolution
            self.say(line)

    def _show(self, reply: Reply) -> None:
        self.last = reply if reply.decision is not None or reply.reports else self.last
        self.say(reply.text)


def real_probe(settings: Settings) -> Probe | None:
    """The network probe the adapter injects into the Desk; None when offline."""
    if settings.offline:
        return None
    from bot.probe import NetworkProbe

    return NetworkProbe.from_settings(settings)


def run_terminal_chat(
    *,
    kb_path: str | None = None,
    user: str | None = None,
    log: bool = True,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    from knowledge import KnowledgeBaseError

    stdin = stdin or sys.stdin
    out = out or sys.stdout
    settings = Settings.from_env()
    try:
        if log:
            desk = Desk.from_settings(settings, kb_path=kb_path, probe=real_probe(settings))
        else:
            from bot.desk import cached_matcher
            from bot.livestep import LiveStep

            matcher = cached_matcher(kb_path or settings.kb_path, settings)
            desk = Desk(matcher.kb, None, default_lang=settings.lang_code, matcher=matcher,
                        live=LiveStep.from_settings(settings, real_probe(settings)))
    except KnowledgeBaseError as exc:
        problems = "\n".join("  " + line for line in exc.lines)  # one problem per line
        print(f"certdesk: FAQファイルを読み込めません / cannot load the FAQ file:\n{problems}",
              file=sys.stderr)
        return 2
    for warning in desk.base_kb.warnings:
        print(f"certdesk: 注意 / warning: {warning}", file=sys.stderr)
    chat = TerminalChat(desk, user=user or _whoami(), out=out)
    interactive = stdin.isatty()
    if interactive:
        chat.say(BANNER)
    messages = _interactive_messages(stdin, out) if interactive else gather_messages(stdin)
    for message in messages:
        if not chat.handle(message):
            break
        if not interactive:
            out.write("\n")
    if desk.store is not None:
        desk.store.dispose()
    return 0


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "terminal"
