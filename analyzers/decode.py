"""Undo the wrappings people's tools put around PEM text before the scanner looks for blocks.

Bytes: UTF-16 (Windows Notepad "Unicode"), with or without a BOM, LE or BE.
Text: bare-CR line endings, PEM inside a quoted string with literal `\\n` escapes (JSON,
YAML, C or JavaScript source), the block in double quotes, and e-mail quote markers
(`> > `). Every text transform keeps the length of the text, so the scanner's offsets
still point into the original (redaction relies on them): escapes and quote marks
become backticks, which the scanner already strips at the edges of a line (Slack code
fences), and a bare CR becomes LF. Each transform leaves a flag for its finding.
"""

from __future__ import annotations

import re

# literal \n or \r\n (two characters each) next to PEM material
_ESCAPE_RE = re.compile(r"\\r\\n|\\n")
# a line of source code holding a piece of PEM in quotes:  + "MIIB...\n" \  or  'MII...',
_CODE_LINE_RE = re.compile(
    r"^(?P<pre>[ \t]*(?:[+,][ \t]*)?[\"'])(?P<body>-----[A-Z][A-Z0-9 ]*-----|[A-Za-z0-9+/=]{4,})"
    r"(?P<post>(?:\\r)?(?:\\n)?[\"'][ \t]*(?:[+,;\\)][ \t]*)*)$"
)
_QUOTE_MARKS_RE = re.compile(r"^(?:>[ \t]?){2,}")
_BOUNDARY_QUOTE_RE = re.compile(r"[\"']-----(?:BEGIN|END) |-----(?:BEGIN|END) [A-Z0-9 ]+-----[\"']")


def decode_bytes(data: bytes) -> tuple[str, bool] | None:
    """UTF-16 text -> (text, True); None when `data` is not UTF-16."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), True
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    # ASCII text in UTF-16: every other byte is NUL
    if odd.count(0) > len(odd) * 0.9 and even.count(0) < len(even) * 0.1:
        return data.decode("utf-16-le", errors="replace"), True
    if even.count(0) > len(even) * 0.9 and odd.count(0) < len(odd) * 0.1:
        return data.decode("utf-16-be", errors="replace"), True
    return None


def prepare(text: str) -> tuple[str, set[str]]:
    """A text of the same length with wrappings removed, and the flags of what was found.

    Flags: "cr_only" (lines end in a bare CR), "crlf", "quoted" (quotes or escaped
    newlines around PEM material).
    """
    flags: set[str] = set()
    if "\r" in text:
        bare = text.count("\r") - text.count("\r\n")
        # lines end in a bare CR when CRs outnumber LFs (a stray CR in a text dump does not)
        if bare and bare > text.count("\n"):
            flags.add("cr_only")
            text = re.sub(r"\r(?!\n)", "\n", text)
        if "\r\n" in text:
            flags.add("crlf")
    if "\\n" not in text and '"' not in text and "'" not in text and ">" not in text:
        return text, flags  # the usual paste: nothing to unwrap
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        new = _line(line, flags)
        if new is not line:
            lines[i] = new
            changed = True
    if changed:
        text = "\n".join(lines)
        # the escapes made new lines: clean the quotes on those too
        if "quoted" in flags and '"' in text:
            text = "\n".join(_unquote(part, flags) for part in text.split("\n"))
    return text, flags


def _line(line: str, flags: set[str]) -> str:
    if ('"' in line or "'" in line) and (m := _CODE_LINE_RE.match(line)):
        flags.add("quoted")  # one line of a string literal in source code
        return "`" * len(m.group("pre")) + m.group("body") + "`" * len(m.group("post"))
    out = line
    if "\\n" in out and ("-----" in out or _mostly_base64(out)):
        out = _ESCAPE_RE.sub(lambda m: "`" * (len(m.group()) - 1) + "\n", out)
        flags.add("quoted")
    if out.startswith(">") and (m := _QUOTE_MARKS_RE.match(out)):
        rest = out[m.end():]
        if rest.startswith("-----") or re.fullmatch(r"[A-Za-z0-9+/=]{4,}\r?", rest):
            out = "`" * m.end() + rest
            flags.add("quoted")  # an e-mail reply quoted more than once
    if '"' in out or "'" in out:
        out = _unquote(out, flags)
    return out


def _unquote(part: str, flags: set[str]) -> str:
    m = _CODE_LINE_RE.match(part)
    if m is not None:
        flags.add("quoted")
        return "`" * len(m.group("pre")) + m.group("body") + "`" * len(m.group("post"))
    if _BOUNDARY_QUOTE_RE.search(part):
        flags.add("quoted")
        return re.sub(r"[\"'](?=-----(?:BEGIN|END) )|(?<=-----)[\"']", "`", part)
    return part


def _mostly_base64(s: str) -> bool:
    core = s.strip(" \t\"'`+,;\\")
    core = core.replace("\\n", "")
    return len(core) >= 16 and re.fullmatch(r"[A-Za-z0-9+/=]+", core) is not None
