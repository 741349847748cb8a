"""Fetching a missing intermediate from its AIA caIssuers URL, and caching it for a day.

Plain HTTP only (what AIA URLs are), the same address rules as live checks (resolve
once, connect to that address), at most 64 KB, no cookies or credentials, and
redirects followed only a few hops, each hop judged again like the first URL. The
body may be DER, PKCS#7 (DER or PEM) or PEM; the certificates in it are returned, and
the core checks which one really signed the certificate.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from bot.live import Fetched
from bot.probe.safety import Policy, Refused, Unresolvable

MAX_BYTES = 64 * 1024
MAX_REDIRECTS = 3
CACHE_SECONDS = 24 * 3600.0
AIA_PORTS = (80,)  # besides the policy's own list


def parse_certificates(body: bytes) -> tuple[bytes, ...]:
    """The certificates in a DER certificate, a PKCS#7 bundle or PEM text; () if none."""
    loaders = (
        lambda b: [x509.load_der_x509_certificate(b)],
        pkcs7.load_der_pkcs7_certificates,
        pkcs7.load_pem_pkcs7_certificates,
        x509.load_pem_x509_certificates,
    )
    for load in loaders:
        try:
            certs = load(body)
        except Exception:
            continue
        if certs:
            return tuple(c.public_bytes(Encoding.DER) for c in certs)
    return ()


class Cache:
    """Fetched bodies by URL for a day: in memory per process and on disk, so several
    workers share one download; files are written to a temporary name and renamed."""

    def __init__(
        self, directory: Path | None, *, ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.ttl = ttl
        self.clock = clock
        self._memory: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def _path(self, url: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / "aia" / (hashlib.sha256(url.encode()).hexdigest() + ".bin")

    def get(self, url: str) -> bytes | None:
        now = self.clock()
        with self._lock:
            hit = self._memory.get(url)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        path = self._path(url)
        if path is None:
            return None
        try:
            stamp = path.stat().st_mtime
            if now - stamp >= self.ttl or now < stamp - 60:
                return None
            body = path.read_bytes()
        except OSError:
            return None
        with self._lock:
            self._memory[url] = (stamp, body)
        return body

    def put(self, url: str, body: bytes) -> None:
        now = self.clock()
        with self._lock:
            self._memory[url] = (now, body)
            while len(self._memory) > 1000:
                self._memory.pop(next(iter(self._memory)))
        path = self._path(url)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            os.utime(tmp, (now, now))
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs a download


def _get_once(
    url: str, policy: Policy, deadline: float
) -> tuple[int, bytes, str | None]:
    """(status, body, Location) of one GET; raises Refused, Unresolvable, TimeoutError."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http" or not parts.hostname:
        raise Refused("scheme", parts.scheme or url)
    if parts.username or parts.password:
        raise Refused("credentials")
    port = parts.port or 80
    if port not in AIA_PORTS and port not in policy.ports:
        raise Refused("port", str(port))
    host = parts.hostname
    address = policy.resolve(host, port, deadline)
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("fetch")
    conn = http.client.HTTPConnection(host, port, timeout=left)
    conn.sock = sock = socket.create_connection((address, port), timeout=left)
    # a server that trickles bytes must not stretch the deadline: shut the socket then
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _shut, (sock,))
    watchdog.daemon = True
    watchdog.start()
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.putheader("User-Agent", "certdesk-aia/1")
        conn.putheader("Accept", "application/pkix-cert, application/pkcs7-mime, */*")
        conn.putheader("Connection", "close")
        conn.endheaders()
        resp = conn.getresponse()
        if 300 <= resp.status < 400:
            return resp.status, b"", resp.getheader("Location")
        length = resp.getheader("Content-Length")
        if length and length.isdigit() and int(length) > MAX_BYTES:
            return resp.status, b"x" * (MAX_BYTES + 1), None
        body = b""
        while len(body) <= MAX_BYTES:
            if time.monotonic() > deadline:
                raise TimeoutError("fetch")
            chunk = resp.read(min(16384, MAX_BYTES + 1 - len(body)))
            if not chunk:
                break
            body += chunk
        if time.monotonic() > deadline:
            raise TimeoutError("fetch")
        return resp.status, body, None
    finally:
        watchdog.cancel()
        conn.close()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def fetch(url: str, *, policy: Policy, cache: Cache | None, timeout: float = 5.0) -> Fetched:
    """Never raises: a refused, failed or oversized download is a status with a reason."""
    if cache is not None and (hit := cache.get(url)) is not None:
        certs = parse_certificates(hit)
        if certs:
            return Fetched(url, "ok", certs, cached=True)
    deadline = time.monotonic() + timeout
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            status, body, location = _get_once(current, policy, deadline)
            if location is None:
                break
            current = urljoin(current, location)
        else:
            return Fetched(url, "refused", reason="redirects", detail=current)
    except Refused as exc:
        hop = "" if current == url else f"redirect to {current}: "
        return Fetched(url, "refused", reason=exc.reason, detail=hop + exc.detail)
    except Unresolvable as exc:
        return Fetched(url, "unreachable", reason="dns", detail=str(exc))
    except TimeoutError:
        return Fetched(url, "timeout")
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline:  # the watchdog shut a trickling download
            return Fetched(url, "timeout")
        return Fetched(url, "unreachable", reason="connect", detail=str(exc) or type(exc).__name__)
    if status != 200:
        return Fetched(url, "http_error", reason=str(status))
    if len(body) > MAX_BYTES:
        return Fetched(url, "too_large", detail=f"more than {MAX_BYTES} bytes")
    certs = parse_certificates(body)
    if not certs:
        return Fetched(url, "unreadable", detail="neither DER, PKCS#7 nor PEM")
    if cache is not None:
        cache.put(url, body)
    return Fetched(url, "ok", certs)
