"""The terminal adapter: `certdesk chat`. The same Desk as Slack, with SQLite and no Slack.

Interactive: a multi-line paste (a PEM block, a chain) arrives as one message because
lines that are already waiting on stdin are read together. Piped: each line is one
message, except that BEGIN ... END blocks (and blocks that follow one another) are
gathered into one. It ends at EOF.
"""

from __future__ import annotations

import getpass
import os
import re
import select
import sys
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.desk import Desk
from bot.live import Probe
from bot.types import Incoming, Reply, Upload

_BEGIN = re.compile(r"-{2,}\s*BEGIN\b", re.I)
_END = re.compile(r"-{2,}\s*END\b", re.I)

BANNER = """certdesk chat — SSL証明書サポート / SSL certificate support
質問を入力するか、証明書・CSRを貼り付けてください。 Type a question or paste a certificate or CSR.
  /good /bad  直前の回答の評価 / rate the last answer     1 2 3  候補を選ぶ / pick a candidate
  /file PATH  ファイルをチェック / check a file             /cases 引き継いだケース / handed-over cases
  /quit  終了 / quit (Ctrl-D)
"""


def gather_messages(lines: Iterable[str]) -> Iterator[str]:
    """Piped input: one message per line; a PEM block, or several in a row, is one message."""
    block: list[str] = []
    depth = 0
    pending_blank: list[str] = []
    for raw in lines:
        line = raw.rstrip("\n")
        if depth == 0 and not block:
            if _BEGIN.search(line):
                block = [line]
                depth = 0 if _END.search(line) else 1
                continue
            if line.strip():
                yield line
            continue
        if depth == 0:  # after a complete block: another block continues the message
            if not line.strip():
                pending_blank.append(line)
                continue
            if _BEGIN.search(line):
                block += [*pending_blank, line]
                pending_blank = []
                depth = 0 if _END.search(line) else 1
                continue
            yield "\n".join(block)
            block, pending_blank = [], []
            if _BEGIN.search(line):
                block = [line]
                depth = 1
            elif line.strip():
                yield line
            continue
        block.append(line)
        if _END.search(line):
            depth = 0
        elif _BEGIN.search(line):  # a new BEGIN before END: the old block was cut short
            depth = 1
    if block:
        yield "\n".join(block)


def _interactive_messages(stdin: TextIO, out: TextIO) -> Iterator[str]:
    """A TTY: everything pasted at once (lines already waiting) is one message."""
    while True:
        out.write("\n> ")
        out.flush()
        first = stdin.readline()
        if not first:
            return
        lines = [first.rstrip("\n")]
        open_block = bool(_BEGIN.search(first)) and not _END.search(first)
        while True:
            ready, _, _ = select.select([stdin], [], [], 0.05)
            if not ready and not open_block:
                break
            more = stdin.readline()
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
