"""Benchmark of a live check against a loopback TLS server, measured in one run.

Run:  .venv/bin/python -m bench.bench_probe [--quick]

(a) the bare handshake: connect to the loopback server, a TLS handshake with SNI and the
    unverified chain read (pyOpenSSL, as the probe does it), nothing else;
(b) the whole live check: NetworkProbe.handshake (resolve, address rules, that handshake,
    the second, verifying handshake by Python's ssl) plus the report (live_report: the
    analyzer on the chain, the tls.* findings);
requirement: median (b) - median (a) <= 50 ms. The server sends leaf + intermediate
(EC P-256) generated on the spot; the allow-list is loopback only, inside this run.
Prints a markdown table; exits 1 when the requirement fails.
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

LIMIT_MS = 50.0


def bare_handshake(port: int) -> int:
    from OpenSSL import SSL

    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.set_verify(SSL.VERIFY_NONE, lambda *_: True)
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.settimeout(None)  # blocking: pyOpenSSL then needs no select loop
    try:
        conn = SSL.Connection(ctx, sock)
        conn.set_tlsext_host_name(b"localhost")
        conn.set_connect_state()
        conn.do_handshake()
        return len(conn.get_peer_cert_chain(as_cryptography=True) or [])
    finally:
        sock.close()


def main() -> int:
    from tls_servers import Server, issue

    from bot.live_report import live_report
    from bot.probe import NetworkProbe
    from bot.probe.safety import Policy, parse_networks

    runs = 20 if "--quick" in sys.argv else 100
    root = issue("Bench Root", None, ca=True)
    inter = issue("Bench Intermediate", root, ca=True)
    leaf = issue("localhost", inter, ca=False, sans=("localhost",))
    with tempfile.TemporaryDirectory() as tmp:
        server = Server("tls", Path(tmp), (leaf, inter), leaf)
        probe = NetworkProbe(Policy(parse_networks(["127.0.0.0/8"]), (server.port,)))
        trust = [root.cert]

        def full() -> int:
            h = probe.handshake("localhost", server.port, trust=trust)
            report = live_report(h, now=datetime.now(UTC), trust=trust)
            assert h.status == "ok" and "chain.trusted" in report.codes, report.codes
            return len(h.chain)

        for _ in range(5):  # warm-up: trust store, imports
            bare_handshake(server.port)
            full()
        bare, whole = [], []
        for _ in range(runs):  # interleaved, so load on the machine hits both alike
            t0 = time.perf_counter()
            bare_handshake(server.port)
            t1 = time.perf_counter()
            full()
            t2 = time.perf_counter()
            bare.append((t1 - t0) * 1000)
            whole.append((t2 - t1) * 1000)
        server.close()
    a, b = statistics.median(bare), statistics.median(whole)
    extra = b - a
    ok = extra <= LIMIT_MS
    print("| metric | measured | requirement | pass |")
    print("|---|---|---|---|")
    print(f"| (a) bare handshake, median of {runs} | {a:.1f} ms | | |")
    print(f"| (b) live check + report, median of {runs} | {b:.1f} ms | | |")
    print(f"| (b) - (a) | {extra:.1f} ms | <= {LIMIT_MS:.0f} ms | {'yes' if ok else 'NO'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
