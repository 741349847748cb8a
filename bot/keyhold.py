"""The key hold: a conversation that has just received part of a private key holds its
next messages to the same rule for a short while. A key split over several messages
has middle parts that are nothing but base64 lines; alone they look like any damaged
paste, but right after a key's first part they are key material too.

Kept in memory per process and keyed by transport, channel and user; bounded in size.
Time comes from the messages (`Incoming.now`), never from the clock."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

HOLD_WINDOW = timedelta(minutes=10)
HOLD_MESSAGES = 6
MAX_CONVERSATIONS = 10_000

Key = tuple[str, str, str]  # (transport, channel, user)


class KeyHold:
    def __init__(
        self,
        window: timedelta = HOLD_WINDOW,
        messages: int = HOLD_MESSAGES,
        max_conversations: int = MAX_CONVERSATIONS,
    ) -> None:
        self.window = window
        self.messages = messages
        self.max_conversations = max_conversations
        self._held: OrderedDict[Key, tuple[datetime, int]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, key: Key, now: datetime) -> None:
        """Part of a key arrived: hold the next `messages` messages for `window`."""
        with self._lock:
            self._held.pop(key, None)
            self._held[key] = (now + self.window, self.messages)
            while len(self._held) > self.max_conversations:
                self._held.popitem(last=False)  # the oldest hold goes first

    def take(self, key: Key, now: datetime) -> bool:
        """Whether this message is held; it counts as one of the held messages."""
        with self._lock:
            held = self._held.get(key)
            if held is None:
                return False
            until, left = held
            if now > until or left <= 0:
                del self._held[key]
                return False
            self._held[key] = (until, left - 1)
            return True
