"""Live TLS checks against real loopback servers with generated chains, AIA fetches from
a loopback HTTP server, and the address rules (allow-list: loopback, only here)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tls_servers import AiaServer, Cert, Server, issue, p7

from bot.live_report import live_report, offer_intermediates
from bot.probe import NetworkProbe
from bot.probe.aia import MAX_BYTES, Cache
from bot.probe.safety import Policy, parse_networks, refusal

LOOPBACK = parse_networks(["127.0.0.0/8"])


class PKI:
    def __init__(self, aia: AiaServer) -> None:
        self.root = issue("Probe Test Root", None, ca=True, days=(-10, 3650))
        self.inter = issue("Probe Test Intermediate", self.root, ca=True, days=(-10, 1825))
        self.other_root = issue("Unrelated Root", None, ca=True)
        self.other_inter = issue("Probe Test Intermediate", self.other_root, ca=True)
        aia.routes["inter.der"] = (200, {"Content-Type": "application/pkix-cert"}, self.inter.der)
        aia.routes["inter.p7c"] = (200, {"Content-Type": "application/pkcs7-mime"},
                                   p7(self.inter))
        aia.routes["big"] = (200, {}, b"\x30" * (MAX_BYTES + 10))
        aia.routes["wrong.der"] = (200, {}, self.other_inter.der)
        aia.routes["to-metadata"] = (302, {"Location": "http://169.254.169.254/latest/"}, b"")
        aia.routes["to-inter"] = (301, {"Location": "/inter.der"}, b"")
        self.aia = aia

    def leaf(self, aia: str = "inter.der", **kw: object) -> Cert:
        sans = kw.pop("sans", ("localhost",))
        return issue("localhost", self.inter, ca=False, sans=sans,  # type: ignore[arg-type]
                     aia=self.aia.url(aia), **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def aia() -> Iterator[AiaServer]:
    server = AiaServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def pki(aia: AiaServer) -> PKI:
    return PKI(aia)


@pytest.fixture(scope="module")
def servers(pki: PKI, aia: AiaServer, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, Server]]:
    tmp = tmp_path_factory.mktemp("servers")
    leaf = pki.leaf()
    expired = pki.leaf(days=(-60, -1))
    other = pki.leaf(sans=("other.example",))
    selfsigned = issue("localhost", None, ca=False, sans=("localhost",))
    p7leaf, bigleaf = pki.leaf("inter.p7c"), pki.leaf("big")
    wrongleaf, redirleaf = pki.leaf("wrong.der"), pki.leaf("to-metadata")
    hopleaf = pki.leaf("to-inter")
    made = {
        "complete": Server("tls", tmp / "c", (leaf, pki.inter), leaf),
        "missing": Server("tls", tmp / "m", (leaf,), leaf),
        "missing_p7": Server("tls", tmp / "p", (p7leaf,), p7leaf),
        "missing_big": Server("tls", tmp / "b", (bigleaf,), bigleaf),
        "missing_wrong": Server("tls", tmp / "w", (wrongleaf,), wrongleaf),
        "missing_redirect": Server("tls", tmp / "r", (redirleaf,), redirleaf),
        "missing_hop": Server("tls", tmp / "h", (hopleaf,), hopleaf),
        "wrong_order": Server("tls", tmp / "o", (leaf, pki.root, pki.inter), leaf),
        "expired": Server("tls", tmp / "e", (expired, pki.inter), expired),
        "wrong_host": Server("tls", tmp / "x", (other, pki.inter), other),
        "self_signed": Server("tls", tmp / "s", (selfsigned,), selfsigned),
        "stall": Server("stall"),
        "reset": Server("reset"),
        "http": Server("http"),
    }
    yield made
    for s in made.values():
        s.close()


@pytest.fixture
def probe(servers: dict[str, Server], aia: AiaServer, tmp_path: Path) -> NetworkProbe:
    ports = (443, aia.port, *(s.port for s in servers.values()))
    return NetworkProbe(Policy(LOOPBACK, ports), timeout=1.5, connect_timeout=0.5,
                        cache=Cache(tmp_path / "cache"))


def check(probe: NetworkProbe, server: Server, pki: PKI, host: str = "localhost"):  # type: ignore[no-untyped-def]
    h = probe.handshake(host, server.port, trust=[pki.root.cert])
    now = datetime.now(UTC)
    report = live_report(h, now=now, trust=[pki.root.cert])
    return h, report


def codes(report) -> set[str]:  # type: ignore[no-untyped-def]
    return set(report.codes)


def test_complete_chain_is_trusted_and_accepted(probe, servers, pki) -> None:  # type: ignore[no-untyped-def]
    h, report = check(probe, servers["complete"], pki)
    assert h.status == "ok" and h.address == "127.0.0.1"
    assert h.chain == (pki.leaf_der if False else h.chain[0], pki.inter.der)
    assert len(h.chain) == 2 and h.protocol and h.protocol.startswith("TLS") and h.cipher
    assert h.ocsp_stapled is False and h.client_accepts is True
    assert report.source == f"https://localhost:{servers['complete'].port}"
    assert "chain.trusted" in codes(report) and "tls.connection" in codes(report)
    assert not report.has_errors, report.codes


def test_missing_intermediate_is_found_and_fetched(probe, servers, pki) -> None:  # type: ignore[no-untyped-def]
    h, report = check(probe, servers["missing"], pki)
    assert len(h.chain) == 1
    assert {"chain.incomplete", "tls.client_rejects"} <= codes(report)
    assert h.client_accepts is False and h.client_error
    pem = b"".join([__import__("ssl").DER_cert_to_PEM_cert(d).encode() for d in h.chain])
    offers = offer_intermediates(report, pem, probe, now=datetime.now(UTC))
    assert len(offers) == 1 and offers[0].status == "ok"
    assert offers[0].pem is not None and offers[0].pem.encode() == pki.inter.pem
    assert offers[0].subject == pki.inter.cert.subject.rfc4514_string()


@pytest.mark.parametrize(("server", "status"), [
    ("missing_p7", "ok"), ("missing_hop", "ok"), ("missing_big", "too_large"),
    ("missing_wrong", "not_issuer"), ("missing_redirect", "refused"),
])
def test_aia_downloads(probe, servers, pki, aia, server, status) -> None:  # type: ignore[no-untyped-def]
    h, report = check(probe, servers[server], pki)
    pem = b"".join([__import__("ssl").DER_cert_to_PEM_cert(d).encode() for d in h.chain])
    (offer,) = offer_intermediates(report, pem, probe, now=datetime.now(UTC))
    assert offer.status == status, offer
    if status == "ok":
        assert offer.pem is not None and offer.pem.encode() == pki.inter.pem
    else:
        assert offer.pem is None and offer.reason_ja and offer.reason_en
    if server == "missing_redirect":
        assert "169.254.169.254" in offer.reason_en and "metadata" in offer.reason_en
    for _path, headers in aia.requests:
        assert not {"Cookie", "Authorization"} & set(headers)


def test_fetched_intermediates_are_cached_by_url(servers, aia, pki, tmp_path) -> None:  # type: ignore[no-untyped-def]
    policy = Policy(LOOPBACK, (aia.port,))
    first = NetworkProbe(policy, cache=Cache(tmp_path / "shared"))
    before = len(aia.requests)
    assert first.fetch(aia.url("inter.der")).cached is False
    assert first.fetch(aia.url("inter.der")).cached is True
    # another worker (another process's Cache) finds it on disk
    second = NetworkProbe(policy, cache=Cache(tmp_path / "shared"))
    again = second.fetch(aia.url("inter.der"))
    assert again.cached is True and again.certificates == (pki.inter.der,)
    assert len(aia.requests) == before + 1
    # a day later it is fetched again
    late = Cache(tmp_path / "shared", clock=lambda: __import__("time").time() + 86_401)
    assert NetworkProbe(policy, cache=late).fetch(aia.url("inter.der")).cached is False


@pytest.mark.parametrize(("server", "expected", "client_accepts"), [
    ("wrong_order", {"chain.order"}, True),
    ("expired", {"cert.expired", "tls.client_rejects"}, False),
    ("wrong_host", {"cert.hostname_mismatch", "tls.client_rejects"}, False),
    ("self_signed", {"cert.self_signed", "tls.client_rejects"}, False),
])
def test_what_a_server_sends_is_judged(probe, servers, pki, server, expected, client_accepts) -> None:  # type: ignore[no-untyped-def]
    h, report = check(probe, servers[server], pki)
    assert h.status == "ok"
    assert expected <= codes(report), report.codes
    assert h.client_accepts is client_accepts


def test_wrong_order_is_sent_as_is(probe, servers, pki) -> None:  # type: ignore[no-untyped-def]
    h, _ = check(probe, servers["wrong_order"], pki)
    assert h.chain[1:] == (pki.root.der, pki.inter.der)


@pytest.mark.parametrize(("server", "status", "code"), [
    ("stall", "timeout", "tls.timeout"),
    ("reset", "handshake_failed", "tls.handshake_failed"),
    ("http", "not_tls", "tls.not_tls"),
])
def test_servers_that_do_not_shake_hands(probe, servers, pki, server, status, code) -> None:  # type: ignore[no-untyped-def]
    # a stalled server ends in the timeout finding: the check does not hang
    h, report = check(probe, servers[server], pki)
    assert h.status == status, h
    assert report.codes == (code,) and report.has_errors
    assert servers[server].accepted >= 1


def test_closed_port_is_unreachable(probe, pki) -> None:  # type: ignore[no-untyped-def]
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = NetworkProbe(Policy(LOOPBACK, (port,)), timeout=1.0)
    assert p.handshake("127.0.0.1", port).status == "unreachable"


def test_loopback_is_refused_without_the_allow_list(servers) -> None:  # type: ignore[no-untyped-def]
    port = servers["complete"].port
    p = NetworkProbe(Policy((), (port,)))
    h = p.handshake("localhost", port)
    assert h.status == "refused" and h.reason == "loopback"
    report = live_report(h, now=datetime.now(UTC))
    (f,) = report.findings
    assert f.code == "tls.refused" and "CERTDESK_PROBE_ALLOW" in f.message_en
    assert "CERTDESK_PROBE_ALLOW" in f.message and servers["complete"].accepted >= 0


def test_ports_outside_the_list_are_refused(servers) -> None:  # type: ignore[no-untyped-def]
    port = servers["complete"].port
    before = servers["complete"].accepted
    h = NetworkProbe(Policy(LOOPBACK, (443,))).handshake("127.0.0.1", port)
    assert h.status == "refused" and h.reason == "port"
    assert servers["complete"].accepted == before
    f = live_report(h, now=datetime.now(UTC), ports=(443,)).findings[0]
    assert str(port) in f.message_en and "CERTDESK_PROBE_PORTS" in f.message_en


def test_name_resolved_once_and_that_address_used(servers, pki) -> None:  # type: ignore[no-untyped-def]
    answers = [["127.0.0.1"], ["10.0.0.1"]]
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls) - 1, 1)]

    port = servers["complete"].port
    p = NetworkProbe(Policy(LOOPBACK, (port,), rebinding), timeout=1.5)
    h = p.handshake("www.rebind.test", port, trust=[pki.root.cert])
    assert calls == ["www.rebind.test"] and h.status == "ok" and h.address == "127.0.0.1"


def test_a_name_with_only_refused_addresses_is_refused() -> None:
    p = NetworkProbe(Policy(LOOPBACK, (443,), lambda h, p: ["10.1.2.3", "fd00::1"]))
    h = p.handshake("intranet.example", 443)
    assert (h.status, h.reason, h.detail) == ("refused", "private", "10.1.2.3")


REFUSED = [
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
    ("fd00::1", "private"), ("fc00::1", "private"), ("fd12:3456::1", "private"),
    ("100.64.0.1", "shared"), ("100.127.255.254", "shared"),
    ("169.254.1.1", "link_local"), ("fe80::1", "link_local"),
    ("169.254.169.254", "metadata"), ("169.254.170.2", "metadata"),
    ("100.100.100.200", "metadata"), ("fd00:ec2::254", "metadata"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"), ("192.0.2.1", "reserved"),
    ("198.18.0.1", "reserved"), ("0.1.2.3", "reserved"), ("2001:db8::1", "reserved"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"),
    ("::ffff:169.254.169.254", "metadata"), ("::ffff:192.168.0.1", "private"),
    ("64:ff9b::a00:1", "private"), ("2002:c0a8:101::1", "private"),
    ("fe80::1%eth0", "link_local"), ("not-an-address", "reserved"),
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_refusal_rules(address: str, reason: str) -> None:
    assert refusal(address) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111",
                                     "::ffff:93.184.216.34", "1.1.1.1"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(address) is None


@pytest.mark.parametrize(("address", "cidr"), [
    ("10.20.30.40", "10.20.0.0/16"), ("::ffff:10.20.30.40", "10.20.0.0/16"),
    ("fd00::5", "fd00::/8"), ("127.0.0.1", "127.0.0.0/8"),
])
def test_the_allow_list_lets_a_network_through(address: str, cidr: str) -> None:
    assert refusal(address) is not None
    assert refusal(address, parse_networks([cidr])) is None
    assert refusal("10.99.0.1", parse_networks([cidr])) is not None


@pytest.mark.parametrize(("url", "reason"), [
    ("https://127.0.0.1/inter.der", "scheme"),
    ("ldap://127.0.0.1/cn=ca", "scheme"),
    ("http://user:pw@127.0.0.1/inter.der", "credentials"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://10.0.0.1/ca.crt", "private"),
    ("http://127.0.0.1:22/ca.crt", "port"),
])
def test_aia_urls_that_are_refused(url: str, reason: str) -> None:
    f = NetworkProbe(Policy(LOOPBACK if reason == "port" else (), (443,))).fetch(url)
    assert (f.status, f.reason) == ("refused", reason)


def test_the_cache_is_safe_with_several_writers(tmp_path: Path) -> None:
    # several workers (threads here, each with its own Cache) write and read one URL: a
    # reader sees a whole body or nothing, never a part
    import threading

    bodies = [bytes([i]) * 40_000 for i in range(8)]
    seen: list[bytes | None] = []

    def work(i: int) -> None:
        cache = Cache(tmp_path)
        for _ in range(20):
            cache.put("http://ca.example/x.crt", bodies[i])
            seen.append(Cache(tmp_path).get("http://ca.example/x.crt"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen and all(b in bodies for b in seen)
    assert not [p for p in (tmp_path / "aia").iterdir() if p.name.startswith(".part-")]


def test_a_trickling_aia_download_ends_at_the_deadline() -> None:
    # one byte every 50 ms would go on for ever: the download stops at the probe's deadline
    server = Server("trickle")
    try:
        p = NetworkProbe(Policy(LOOPBACK, (server.port,)), timeout=0.5)
        f = p.fetch(f"http://127.0.0.1:{server.port}/inter.der")
        assert f.status == "timeout" and f.certificates == ()
    finally:
        server.close()


def test_an_odd_name_is_a_finding_not_a_crash() -> None:
    p = NetworkProbe(Policy(LOOPBACK, (443,)))
    h = p.handshake("a" * 70 + ".example", 443)
    assert h.status in ("unreachable", "handshake_failed", "refused")
