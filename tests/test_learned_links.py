"""Learned answers show where their links go: link text never hides a target."""

from __future__ import annotations

import pytest
from growth import assert_linear

from bot.learned import reveal_links


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<https://evil.example/fix.exe|ここ>を実行", "ここ (https://evil.example/fix.exe)を実行"),
        ("[ここ](https://evil.example/fix.exe)", "ここ (https://evil.example/fix.exe)"),
        ('[x](https://e.example/a "title")', "x (https://e.example/a)"),
        ('<a href="https://evil.example/x">click</a>', "click (https://evil.example/x)"),
        ("<https://same.example/|https://same.example/>", "https://same.example/"),
        ("plain https://ok.example/ stays", "plain https://ok.example/ stays"),
        ("<https://bare.example/>", "<https://bare.example/>"),
    ],
)
def test_hidden_links_are_shown(text: str, shown: str) -> None:
    assert reveal_links(text) == shown


@pytest.mark.parametrize("unit", ["[", "<https://", "<a href=", "[a](https://", "<a x"])
def test_reveal_links_is_linear_on_hostile_text(unit: str) -> None:
    assert_linear(reveal_links, unit, small=2_000, label=unit)
