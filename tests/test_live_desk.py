"""Live checks from chat and the command line: the Desk with a real probe against the
loopback servers of test_probe, `certdesk check --connect`, and finding the servers a
message asks about."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_probe import LOOPBACK, PKI, aia, pki, servers  # noqa: F401  (fixtures)
from tls_servers import AiaServer, Server

from bot.desk import Desk
from bot.livestep import LiveStep
from bot.probe import NetworkProbe
from bot.probe.aia import Cache
from bot.probe.safety import Policy
from bot.store import Store
from bot.targets import RateLimiter, Target, find_targets
from bot.types import Incoming
from knowledge import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]
UNTRUSTED_SITE = "browser-untrusted-warning"


@pytest.fixture
def live_desk(kb: KnowledgeBase, servers: dict[str, Server], aia: AiaServer, pki: PKI,
              tmp_path: Path) -> Desk:
    ports = (443, aia.port, *(s.port for s in servers.values()))
    probe = NetworkProbe(Policy(LOOPBACK, ports), timeout=1.5, connect_timeout=0.5,
                         cache=Cache(tmp_path / "cache"))
    store = Store(f"sqlite:///{tmp_path / 'live.db'}")
    store.upgrade()
    step = LiveStep(probe, ports=ports, limiter=RateLimiter(4, 600.0), trust=[pki.root.cert])
    return Desk(kb, store, live=step)


def say(desk: Desk, text: str, user: str = "U1", transport: str = "slack"):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return desk.handle(Incoming(text=text, now=datetime.now(UTC), user=user, channel="C1",
                                thread="t1", transport=transport))  # type: ignore[arg-type]


def test_a_url_with_a_warning_gets_the_live_check_and_the_untrusted_entry(
    live_desk: Desk, servers: dict[str, Server], pki: PKI
) -> None:
    port = servers["missing"].port
    reply = say(live_desk, f"https://localhost:{port}/shop で証明書の警告が出ます")
    assert reply.lang == "ja" and len(reply.live) == 1
    check = reply.live[0]
    assert check.handshake.source == f"https://localhost:{port}"
    assert "chain.incomplete" in check.report.codes
    assert reply.answer is not None and reply.answer.id == UNTRUSTED_SITE
    assert reply.escalation is None
    (offer,) = check.offers
    assert offer.status == "ok" and offer.pem is not None
    assert offer.pem.strip() in reply.text and "SSLCertificateChainFile" in reply.text
    assert "ssl_certificate" in reply.text and "IIS" in reply.text
    assert f"https://localhost:{port}" in reply.text


def test_explicit_requests_in_both_languages(live_desk: Desk, servers: dict[str, Server]) -> None:
    port = servers["complete"].port
    en = say(live_desk, f"check localhost:{port}")
    assert en.lang == "en" and len(en.live) == 1 and en.live[0].handshake.status == "ok"
    assert "chain.trusted" in en.live[0].report.codes and en.escalation is None
    assert "a standard client accepts it" in en.text
    ja = say(live_desk, f"127.0.0.1:{servers['expired'].port} をチェックして", user="U2")
    assert "cert.expired" in ja.live[0].report.codes and "標準的なクライアントは拒否します" in ja.text


def test_a_refused_target_is_explained(kb: KnowledgeBase, servers: dict[str, Server]) -> None:
    desk = Desk(kb, None, live=LiveStep(NetworkProbe(Policy((), (servers["complete"].port, 443)))))
    reply = say(desk, f"check 127.0.0.1:{servers['complete'].port}")
    assert reply.live[0].report.codes == ("tls.refused",)
    assert "CERTDESK_PROBE_ALLOW" in reply.text and "loopback" in reply.text
    reply = say(desk, "check 10.0.0.8:443")
    assert "private" in reply.text


def test_at_most_three_hosts_and_a_rate_limit_in_slack(
    live_desk: Desk, servers: dict[str, Server]
) -> None:
    ports = [servers[k].port for k in ("complete", "expired", "wrong_host", "self_signed")]
    text = " ".join(f"check localhost:{p}" for p in ports)
    reply = say(live_desk, text, user="U3")
    assert len(reply.live) == 3 and "live_too_many" in reply.notices
    assert "At most 3 servers" in reply.text
    again = say(live_desk, text, user="U3")  # 4 per window: one left
    assert len(again.live) == 1 and "live_rate_limited" in again.notices
    # the terminal is one person at a keyboard: no rate limit there
    term = say(live_desk, text, user="U3", transport="terminal")
    assert len(term.live) == 3


def test_offline_desk_says_so_and_touches_nothing(kb: KnowledgeBase) -> None:
    desk = Desk(kb, None, live=LiveStep(None))
    reply = say(desk, "check www.example.co.jp")
    assert reply.live == () and "live_offline" in reply.notices
    assert "CERTDESK_OFFLINE" in reply.text


def test_a_pasted_incomplete_chain_gets_its_intermediate(
    live_desk: Desk, servers: dict[str, Server], pki: PKI
) -> None:
    leaf = pki.leaf()
    reply = say(live_desk, "このチェーンを見てください\n" + leaf.pem.decode())
    assert "chain.incomplete" in reply.reports[0].codes and reply.live == ()
    (offer,) = reply.offers
    assert offer.status == "ok" and offer.pem is not None and offer.pem.encode() == pki.inter.pem
    assert offer.pem.strip() in reply.text


@pytest.mark.parametrize(("text", "expected"), [
    ("https://www.example.co.jp で証明書の警告が出ます", [Target("www.example.co.jp", 443)]),
    ("www.example.co.jp をチェックして", [Target("www.example.co.jp", 443)]),
    ("check example.com:8443", [Target("example.com", 8443)]),
    ("Chrome says not secure for shop.example.com", [Target("shop.example.com", 443)]),
    ("expired cert on https://a.example:993/x and b.example.org",
     [Target("a.example", 993), Target("b.example.org", 443)]),
    ("check https://[2001:db8::1]:8443/", [Target("2001:db8::1", 8443)]),
    ("www.example.co.jp は素敵なサイトです", []),  # no certificate question
    ("https://www.example.com/", []),
    ("server.crt をチェックして", []),  # a file, not a host
    ("証明書をチェックして", []),
    ("check this please", []),
])
def test_targets_in_messages(text: str, expected: list[Target]) -> None:
    assert find_targets(text) == expected


def test_next_to_a_paste_only_explicit_requests_count() -> None:
    assert find_targets("この証明書は www.example.com 用です", pasted=True) == []
    assert find_targets("check www.example.com", pasted=True) == [Target("www.example.com", 443)]


def test_target_finding_is_linear() -> None:
    from growth import assert_linear

    # long runs of host-like characters, with and without a question word
    assert_linear(lambda text: find_targets(text), "a" * 50 + ".b" * 25 + " 証明書 check ",
                  small=40, label="hosts")
    assert_linear(lambda text: find_targets(text), "check " + "a-" * 60, small=40, label="dashes")


# ---- the command line ---------------------------------------------------------------


def certdesk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "CERTDESK_OFFLINE": "0", **env}
    return subprocess.run([sys.executable, "-m", "bot", "check", *args], capture_output=True,
                          text=True, cwd=REPO, env=full, timeout=60)


@pytest.fixture
def cli_env(servers: dict[str, Server], aia: AiaServer, tmp_path: Path) -> dict[str, str]:
    ports = ",".join(str(p) for p in (443, aia.port, *(s.port for s in servers.values())))
    return {"CERTDESK_PROBE_ALLOW": "127.0.0.0/8", "CERTDESK_PROBE_PORTS": ports,
            "CERTDESK_PROBE_TIMEOUT": "1.5", "CERTDESK_CACHE_DIR": str(tmp_path / "c")}


def test_check_connect_json(servers: dict[str, Server], pki: PKI, cli_env: dict[str, str],
                            tmp_path: Path) -> None:
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.pem)
    c, m, s = servers["complete"].port, servers["missing"].port, servers["stall"].port
    p = certdesk("--json", "--trust", str(root), "--connect", f"localhost:{c}",
                 "--connect", f"https://localhost:{m}/path", env=cli_env)
    assert p.returncode == 1, p.stderr  # the missing intermediate is an error for clients
    first, second = (json.loads(line) for line in p.stdout.splitlines())
    assert first["source"] == f"https://localhost:{c}"
    assert first["connection"]["client_accepts"] is True
    assert first["connection"]["protocol"].startswith("TLS")
    assert "chain.trusted" in {f["code"] for f in first["findings"]}
    assert second["source"] == f"https://localhost:{m}"
    assert "chain.incomplete" in {f["code"] for f in second["findings"]}
    (offer,) = second["intermediates"]
    assert offer["status"] == "ok" and offer["pem"].encode() == pki.inter.pem
    ok = certdesk("--trust", str(root), "--connect", f"localhost:{c}", env=cli_env)
    assert ok.returncode == 0 and f"https://localhost:{c}" in ok.stdout
    stalled = certdesk("--json", "--connect", f"localhost:{s}", env=cli_env)
    assert stalled.returncode == 2
    assert json.loads(stalled.stdout)["findings"][0]["code"] == "tls.timeout"


def test_check_connect_offline_and_bad_targets(cli_env: dict[str, str]) -> None:
    p = certdesk("--offline", "--connect", "example.com", env=cli_env)
    assert p.returncode == 2 and "--offline" in p.stderr and not p.stdout
    p = certdesk("--connect", "example.com", env={**cli_env, "CERTDESK_OFFLINE": "1"})
    assert p.returncode == 2
    p = certdesk("--connect", "ftp://example.com", env=cli_env)
    assert p.returncode == 2 and "--connect" in p.stderr


def test_check_file_with_incomplete_chain_offers_the_intermediate(
    pki: PKI, cli_env: dict[str, str], tmp_path: Path
) -> None:
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(pki.leaf().pem)
    p = certdesk("--json", str(leaf), env=cli_env)
    out = json.loads(p.stdout)
    assert out["intermediates"][0]["pem"].encode() == pki.inter.pem
    offline = certdesk("--json", "--offline", str(leaf), env=cli_env)
    assert "intermediates" not in json.loads(offline.stdout)


def test_terminal_chat_checks_a_server(servers: dict[str, Server], cli_env: dict[str, str],
                                       tmp_path: Path) -> None:
    port = servers["missing"].port
    full = {**os.environ, "CERTDESK_OFFLINE": "0", **cli_env}
    p = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--no-log"],
        input=f"https://localhost:{port}/ で証明書の警告が出ます\n", capture_output=True,
        text=True, cwd=tmp_path, env=full, timeout=120)
    assert p.returncode == 0, p.stderr
    assert f"https://localhost:{port}" in p.stdout and "chain.incomplete" in p.stdout
    assert "-----BEGIN CERTIFICATE-----" in p.stdout and "SSLCertificateChainFile" in p.stdout
    assert "ブラウザーから信頼されないものがあるというメッセージが表示されます。" in p.stdout


def test_settings_for_live_checks() -> None:
    from bot.config import DEFAULT_PROBE_PORTS, Settings

    s = Settings.from_env({"CERTDESK_PROBE_PORTS": "443, 9000-9002,x,70000",
                           "CERTDESK_PROBE_ALLOW": "10.0.0.0/8, fd00::/8",
                           "CERTDESK_PROBE_TIMEOUT": "30", "CERTDESK_PROBE_RATE": "3/60",
                           "CERTDESK_OFFLINE": "1", "CERTDESK_CACHE_DIR": "/tmp/cd"})
    assert s.probe_ports == (443, 9000, 9001, 9002)
    assert s.probe_allow == ("10.0.0.0/8", "fd00::/8")
    assert s.probe_timeout == 5.0  # never more than 5 s per host
    assert s.probe_rate == (3, 60.0) and s.offline and str(s.resolved_cache_dir) == "/tmp/cd"
    d = Settings.from_env({})
    assert d.probe_ports == DEFAULT_PROBE_PORTS == (443, 8443, 465, 587, 636, 993, 995)
    assert d.probe_allow == () and not d.offline and d.probe_timeout == 5.0
    assert LiveStep.from_settings(s, NetworkProbe.from_settings(s)).probe is None  # offline
