"""Cheap text helpers the chat Desk calls on every message. (WIP)"""

from __future__ import annotations


def has_analysable_content(text: str) -> bool:
    return "-----BEGIN" in text


def hosts_in_text(text: str) -> list[str]:
    return []
