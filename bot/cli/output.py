"""The one choke point between the command line and the terminal: stdout and stderr are
wrapped so that whatever a command prints (a certificate's subject, a stored question, a
reply that quotes a paste, a file name) has its control and bidi characters escaped
(analyzers.text.escape_controls). Commands print as usual; only `check`'s coloured report,
which escapes its own data before adding colours, is written through `write_trusted`."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

from analyzers.text import escape_controls


class SafeStream:
    """A text stream that escapes control characters in everything written to it.
    `json=True`: in the form that keeps JSON and TOML output valid (`\\u001b`)."""

    def __init__(self, stream: TextIO, *, json: bool = False) -> None:
        self._stream = stream
        self._json = json

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text, json=self._json))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def write_trusted(self, text: str) -> int:
        """For text whose every control character is intended (check's colours)."""
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, ...
        return getattr(self._stream, name)


def write_trusted(stream: TextIO, text: str) -> None:
    """Write `text` unescaped through a SafeStream (or to any other stream as it is)."""
    getattr(stream, "write_trusted", stream.write)(text)


@contextmanager
def safe_terminal(*, json: bool = False) -> Iterator[None]:
    """sys.stdout and sys.stderr escaped for the duration of one command."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, SafeStream(out, json=json))
    sys.stderr = cast(TextIO, SafeStream(err))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
