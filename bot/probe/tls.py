"""One live TLS check: resolve once, connect to that address, shake hands with SNI.

pyOpenSSL does the first handshake because it hands over the certificate list exactly
as the server sent it (`get_peer_cert_chain`), unverified, with the protocol, the
cipher and any stapled OCSP response; Python 3.11's `ssl` keeps only the leaf of an
unverified connection. A second handshake by Python's default `ssl` client (certifi's
roots plus --trust, host name checked) says whether a standard client accepts the site.
Both run against the same address within one deadline.
"""

from __future__ import annotations

import select
import socket
import ssl
import time
from collections.abc import Sequence
from functools import lru_cache

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from OpenSSL import SSL

from bot.live import Handshake
from bot.probe.safety import Policy, Refused, Unresolvable

_NOT_TLS_HINTS = ("wrong version number", "packet length too long", "http request",
                  "record layer failure", "unknown protocol", "record_layer_failure")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline")
    return left


def _connect(address: str, port: int, deadline: float, connect_timeout: float) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(min(connect_timeout, _remaining(deadline)))
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _is_ip(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host.strip("[]"))
    except OSError:
        return False
    return True


def _unverified(
    sock: socket.socket, host: str, deadline: float
) -> tuple[SSL.Connection, list[bytes], dict[str, bool]]:
    stapled = {"ocsp": False}

    def on_ocsp(_conn: SSL.Connection, response: bytes, _data: object) -> bool:
        stapled["ocsp"] = bool(response)
        return True  # report it, never refuse on it

    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_verify(SSL.VERIFY_NONE, lambda *_: True)
    ctx.set_ocsp_client_callback(on_ocsp)
    conn = SSL.Connection(ctx, sock)
    if not _is_ip(host):
        conn.set_tlsext_host_name(host.encode("idna"))
    conn.request_ocsp()
    conn.set_connect_state()
    sock.setblocking(False)
    while True:
        try:
            conn.do_handshake()
            break
        except SSL.WantReadError:
            ready = select.select([sock], [], [], _remaining(deadline))[0]
        except SSL.WantWriteError:
            ready = select.select([], [sock], [], _remaining(deadline))[1]
        if not ready:
            raise TimeoutError("handshake")
    chain = conn.get_peer_cert_chain(as_cryptography=True) or []
    return conn, [c.public_bytes(Encoding.DER) for c in chain], stapled


@lru_cache(maxsize=16)
def _client_context(extra_pem: str) -> ssl.SSLContext:
    """Python's default client context with certifi's roots (+ extra roots), built once
    per trust set: loading the roots costs far more than a loopback handshake."""
    ctx = ssl.create_default_context(cafile=certifi.where())
    if extra_pem:
        ctx.load_verify_locations(cadata=extra_pem)
    return ctx


def _client_verdict(
    address: str, port: int, host: str, trust: Sequence[x509.Certificate],
    deadline: float, connect_timeout: float,
) -> tuple[bool | None, str | None]:
    ctx = _client_context("".join(c.public_bytes(Encoding.PEM).decode() for c in trust))
    try:
        sock = _connect(address, port, deadline, connect_timeout)
    except (OSError, TimeoutError) as exc:
        return None, f"second connection failed: {exc}"
    try:
        sock.settimeout(_remaining(deadline))
        with ctx.wrap_socket(sock, server_hostname=host.strip("[]")):
            return True, None
    except ssl.SSLCertVerificationError as exc:
        return False, exc.verify_message or str(exc)
    except ssl.SSLError as exc:
        return False, exc.reason or str(exc)
    except (OSError, TimeoutError) as exc:
        return None, f"second handshake failed: {exc or type(exc).__name__}"
    finally:
        sock.close()


def handshake(
    host: str, port: int, *, policy: Policy, trust: Sequence[x509.Certificate] = (),
    timeout: float = 5.0, connect_timeout: float = 3.0,
) -> Handshake:
    """Never raises on a bad target: every failure is a status with a reason."""
    deadline = time.monotonic() + timeout
    try:
        policy.check_port(port)
        address = policy.resolve(host, port, deadline)
    except Refused as exc:
        return Handshake(host, port, "refused", reason=exc.reason, detail=exc.detail)
    except Unresolvable as exc:
        return Handshake(host, port, "unreachable", reason="dns", detail=str(exc))
    except TimeoutError:
        return Handshake(host, port, "timeout", reason="dns")
    try:
        sock = _connect(address, port, deadline, connect_timeout)
    except TimeoutError:
        return Handshake(host, port, "timeout", address, reason="connect")
    except OSError as exc:
        return Handshake(host, port, "unreachable", address, reason="connect",
                         detail=exc.strerror or str(exc))
    try:
        conn, chain, stapled = _unverified(sock, host, deadline)
        protocol, cipher = conn.get_protocol_version_name(), conn.get_cipher_name()
    except TimeoutError:
        return Handshake(host, port, "timeout", address, reason="handshake")
    except SSL.SysCallError as exc:
        return Handshake(host, port, "handshake_failed", address, reason="reset",
                         detail=str(exc.args[1] if len(exc.args) > 1 else exc))
    except SSL.ZeroReturnError:
        return Handshake(host, port, "handshake_failed", address, reason="closed")
    except SSL.Error as exc:
        text = str(exc).lower()
        if any(h in text for h in _NOT_TLS_HINTS):
            return Handshake(host, port, "not_tls", address, reason="not_tls", detail=str(exc))
        return Handshake(host, port, "handshake_failed", address, reason="alert", detail=str(exc))
    except OSError as exc:
        return Handshake(host, port, "handshake_failed", address, reason="reset",
                         detail=exc.strerror or str(exc))
    finally:
        sock.close()
    try:
        accepts, error = _client_verdict(address, port, host, trust, deadline, connect_timeout)
    except TimeoutError:
        accepts, error = None, "no time left for the verifying handshake"
    return Handshake(
        host, port, "ok", address, chain=tuple(chain), protocol=protocol, cipher=cipher,
        ocsp_stapled=stapled["ocsp"], client_accepts=accepts, client_error=error,
    )
