"""Socket Mode side of the Slack stand-in: a minimal WebSocket server (RFC 6455, text,
ping/pong and close frames) that plays Slack's end of a Socket Mode connection.

StandIn answers apps.connections.open with this server's ws:// URL; slack_sdk's builtin
client uses a plain socket for any port other than 443 (its own test hook).
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(opcode: int, payload: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload  # server frames are never masked


def _read_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    b0, b1 = _read_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", _read_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", _read_exact(sock, 8))[0]
    mask = _read_exact(sock, 4) if b1 & 0x80 else b""
    data = _read_exact(sock, n)
    if mask:
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
    return b0 & 0x0F, data


class SocketModeServer:
    """Accepts Socket Mode connections; `send_envelope` pushes a request to the app and
    `acks` collects the app's acknowledgements ({"envelope_id", "payload"?})."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.acks: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link"

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for conn in self._conns:
                conn.close()

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            headers = dict(
                line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
            )
            key = {k.lower(): v for k, v in headers.items()}["sec-websocket-key"]
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
            conn.sendall(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}}
            conn.sendall(_frame(0x1, json.dumps(hello).encode()))
            with self._lock:
                self._conns.append(conn)
            while True:
                opcode, data = _read_frame(conn)
                if opcode == 0x1:
                    with self._lock:
                        self.acks.append(json.loads(data))
                elif opcode == 0x9:
                    conn.sendall(_frame(0xA, data))
                elif opcode == 0x8:
                    conn.sendall(_frame(0x8, data[:2]))
                    return
        except (OSError, ConnectionError, KeyError, ValueError):
            return
        finally:
            conn.close()
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)

    def wait_connected(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._conns:
                    return
            time.sleep(0.05)
        raise AssertionError("the app never opened a Socket Mode connection")

    def send_envelope(self, type_: str, payload: dict[str, Any]) -> str:
        """Push one request (events_api, slash_commands, interactive) to the app."""
        envelope_id = str(uuid.uuid4())
        msg = {
            "envelope_id": envelope_id,
            "type": type_,
            "payload": payload,
            "accepts_response_payload": type_ != "events_api",
            "retry_attempt": 0,
        }
        with self._lock:
            conn = self._conns[-1]
        conn.sendall(_frame(0x1, json.dumps(msg).encode()))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for ack in self.acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
            time.sleep(0.02)
        raise AssertionError(f"no ack for envelope {envelope_id}")
