"""`certdesk check`: analyse PEM text, DER or PKCS#7 files (or stdin), or with --connect
the chain live servers send (through bot.probe), and report.

Exit codes (DESIGN.md): 0 no error-severity finding, 1 errors found, 2 usage or I/O
(with --connect: also a server that could not be checked at all).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

_MESSAGES = {
    "ja": {
        "bad_now": "--now の日時を解釈できません: {value}(例: 2026-06-01T00:00:00Z)",
        "read": "ファイルを読めません: {path}({error})",
        "trust": "--trust のファイルから証明書を読めません: {path}({error})",
        "stdin_twice": "標準入力(-)は1回だけ指定できます。",
        "nothing": "検査するファイルか --connect HOST を指定してください。",
        "offline": "--offline(CERTDESK_OFFLINE=1)のため --connect は使えません。",
        "bad_target": "--connect の指定を解釈できません: {value}(例: www.example.com、example.com:8443、https://example.com/)",
    },
    "en": {
        "bad_now": "cannot parse the --now timestamp: {value} (e.g. 2026-06-01T00:00:00Z)",
        "read": "cannot read the file: {path} ({error})",
        "trust": "cannot read certificates from the --trust file: {path} ({error})",
        "stdin_twice": "stdin (-) can be given only once.",
        "nothing": "give files to check or --connect HOST.",
        "offline": "--connect cannot be used with --offline (CERTDESK_OFFLINE=1).",
        "bad_target": "cannot read the --connect target: {value} (e.g. www.example.com, example.com:8443, https://example.com/)",
    },
}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check",
        help="証明書・CSR・チェーンを検査 / check certificates, CSRs and chains",
        description=(
            "PEMテキスト・DER・PKCS#7ファイルを解析します。"
            " Analyse PEM text, DER or PKCS#7 files. Exit 0: no errors, 1: errors, "
            "2: usage or I/O problem."
        ),
    )
    p.add_argument("--json", action="store_true", help="入力ごとに1行のJSON / one JSON line per input")
    p.add_argument("--now", metavar="ISO8601", help="基準日時 / pin the clock (default: now, UTC)")
    p.add_argument("--host", metavar="NAME", help="証明書が対象とすべきホスト名 / host name the certificate must cover")
    p.add_argument(
        "--trust", metavar="PEMFILE", action="append", default=[],
        help="追加で信頼するルート証明書(プライベートCA)/ extra trusted roots (a private CA); repeatable",
    )
    p.add_argument("--lang", choices=("ja", "en"), default=None,
                   help="表示言語 / report language (default: $CERTDESK_LANG or ja)")
    p.add_argument(
        "--connect", metavar="HOST[:PORT]", action="append", default=[],
        help="稼働中のサーバーが送るチェーンを検査(繰り返し可、https://host/path も可)"
             " / check the chain a live server sends (repeatable; https://host/path too)",
    )
    p.add_argument("--offline", action="store_true",
                   help="ネットワークに一切接続しない / no network access at all (also CERTDESK_OFFLINE=1)")
    p.add_argument("files", nargs="*", metavar="FILE", help="検査するファイル、または標準入力の - / files to check, or - for stdin")
    p.set_defaults(handler=run_check)


def _lang(args: argparse.Namespace) -> Literal["ja", "en"]:
    value = args.lang or os.environ.get("CERTDESK_LANG", "ja")
    return "en" if value.lower().startswith("en") else "ja"


def parse_now(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _fail(lang: str, key: str, **kw: object) -> int:
    print("certdesk check: " + _MESSAGES[lang][key].format(**kw), file=sys.stderr)
    return 2


def run_check(args: argparse.Namespace) -> int:
    lang = _lang(args)
    try:
        now = parse_now(args.now) if args.now else datetime.now(UTC)
    except ValueError:
        return _fail(lang, "bad_now", value=args.now)
    if args.files.count("-") > 1:
        return _fail(lang, "stdin_twice")

    from bot.config import Settings

    settings = Settings.from_env()
    offline = args.offline or settings.offline
    targets: list[tuple[str, int]] = []
    for value in args.connect:
        target = parse_target(value)
        if target is None:
            return _fail(lang, "bad_target", value=value)
        targets.append(target)
    if targets and offline:
        return _fail(lang, "offline")
    if not targets and not args.files:
        return _fail(lang, "nothing")

    inputs: list[tuple[str, bytes]] = []
    for path in args.files:
        try:
            data = sys.stdin.buffer.read() if path == "-" else _read(path)
        except OSError as exc:
            return _fail(lang, "read", path=path, error=exc.strerror or exc)
        inputs.append((path, data))

    from analyzers import analyze, load_trust_roots, render_report

    trust: Sequence[Any] = ()  # a TrustRoots when --trust is given
    for path in args.trust:  # one by one, to name the file that fails
        try:
            load_trust_roots([path])
        except (OSError, ValueError) as exc:
            error = exc.strerror if isinstance(exc, OSError) else exc
            return _fail(lang, "trust", path=path, error=error)
    if args.trust:
        trust = load_trust_roots(args.trust)  # Mozilla roots + these, one cached Store

    probe = None
    if not offline:
        from bot.probe import NetworkProbe

        probe = NetworkProbe.from_settings(settings)
    from bot.cli.output import write_trusted
    from bot.live_report import live_report, offer_intermediates, render_offer

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    any_errors = unchecked = False
    printed = 0

    def emit(report: Any, out: dict[str, Any], offers: Sequence[Any]) -> None:
        nonlocal printed
        if args.json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            if printed:
                print()
            text = render_report(report, lang, color=color)
            if color:  # the report escaped its own data; its colours must pass
                write_trusted(sys.stdout, text + "\n")
                sys.stdout.flush()
            else:
                print(text, flush=True)
            for offer in offers:
                print(render_offer(offer, lang), flush=True)
        printed += 1

    extra_roots = _extra_roots(args.trust)
    for host, port in targets:
        assert probe is not None
        h = probe.handshake(host, port, trust=extra_roots)
        report = live_report(h, now=now, trust=trust, ports=settings.probe_ports)
        offers: tuple[Any, ...] = ()
        if h.status == "ok":
            offers = offer_intermediates(report, _pem_of(h.chain), probe, now=now)
        else:
            unchecked = True
        any_errors = any_errors or report.has_errors
        out = report.to_dict()
        out["connection"] = h.to_dict()
        if offers:
            out["intermediates"] = [o.to_dict() for o in offers]
        emit(report, out, offers)
    for source, data in inputs:
        report = analyze(data, now=now, host=args.host, trust=trust, source=source)
        any_errors = any_errors or report.has_errors
        offers = offer_intermediates(report, data, probe, now=now) if probe else ()
        out = report.to_dict()
        if offers:
            out["intermediates"] = [o.to_dict() for o in offers]
        emit(report, out, offers)
    if unchecked:
        return 2  # a server that could not be checked is an I/O problem
    return 1 if any_errors else 0


def parse_target(value: str) -> tuple[str, int] | None:
    """HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/path -> (host, port)."""
    from urllib.parse import urlsplit

    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port or 443
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username:
        return None
    host = parts.hostname.rstrip(".")
    if not host or any(c.isspace() for c in host):
        return None
    return host, port


def _extra_roots(paths: Sequence[str]) -> list[Any]:
    from cryptography import x509

    roots: list[Any] = []
    for path in paths:
        roots.extend(x509.load_pem_x509_certificates(_read(path)))
    return roots


def _pem_of(chain: Sequence[bytes]) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return b"".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM) for d in chain)


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()
