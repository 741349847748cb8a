"""redact(): remove private-key blocks from text before it is logged. (WIP)"""

from __future__ import annotations


def redact(text: str) -> str:
    return text
