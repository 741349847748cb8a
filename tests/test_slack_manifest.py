"""manifest.yaml asks for exactly what the Bolt app uses: its events, scopes and command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def listed(section: str) -> set[str]:
    """The `- item` lines right under `section:` in the manifest (no YAML parser needed)."""
    lines = (ROOT / "manifest.yaml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{section}:")
    items: set[str] = set()
    for line in lines[start + 1 :]:
        m = re.match(r"\s*- (\S+)$", line)
        if not m:
            break
        items.add(m.group(1))
    return items


def test_events_match_the_listeners() -> None:
    source = (ROOT / "bot" / "slack" / "app.py").read_text()
    registered = set(re.findall(r'@app\.event\("([^"]+)"\)', source))
    assert registered == {"app_mention", "message", "app_home_opened"}
    # message listeners answer DMs only, so the subscription is message.im, not message.*
    assert 'event.get("channel_type") == "im"' in source
    assert listed("bot_events") == {"app_mention", "message.im", "app_home_opened"}


def test_scopes_are_exactly_the_needed_ones() -> None:
    assert listed("bot") == {
        "app_mentions:read",
        "chat:write",
        "commands",
        "files:read",
        "im:history",
    }


def test_command_interactivity_and_home() -> None:
    text = (ROOT / "manifest.yaml").read_text()
    assert "- command: /certdesk" in text
    assert '@app.command("/certdesk")' in (ROOT / "bot" / "slack" / "app.py").read_text()
    assert re.search(r"interactivity:\n\s+is_enabled: true", text)
    assert "home_tab_enabled: true" in text and "messages_tab_enabled: true" in text
