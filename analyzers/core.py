"""analyze(): the one entry point. It never raises: any surprise becomes a finding."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from cryptography import x509

from analyzers.chain import ChainCert, analyze_chain
from analyzers.checks import (
    certificate_checks,
    csr_checks,
    hostname_checks,
    match_checks,
    private_key_checks,
)
from analyzers.containers import container_findings
from analyzers.decode import decode_bytes
from analyzers.findings import Finding, finding
from analyzers.keys import find_private_keys
from analyzers.messages import defect_findings, input_findings
from analyzers.objects import Parsed, _parse_unlabelled, parse_block
from analyzers.report import ObjectInfo, Report
from analyzers.scan import Block, first_der_element, scan_text
from analyzers.text import hosts_outside, slack_unescape
from analyzers.trust import TrustRoots, load_trust_roots

_KIND_EN = {"certificate": "certificate", "csr": "CSR", "pkcs7": "PKCS#7 bundle", "crl": "CRL",
            "public_key": "public key", "private_key": "private key", "unknown": "data"}
_KIND_JA = {"certificate": "証明書", "csr": "CSR", "pkcs7": "PKCS#7", "crl": "CRL",
            "public_key": "公開鍵", "private_key": "秘密鍵", "unknown": "データ"}


def analyze(
    data: str | bytes,
    *,
    now: datetime,
    host: str | None = None,
    trust: Sequence[x509.Certificate] = (),
    source: str = "-",
) -> Report:
    """Analyse chat text (str, Slack-unescaped) or a file (bytes: PEM, DER, PKCS#7, junk).

    `trust` adds roots (a private CA) to certifi's Mozilla roots; a TrustRoots from
    load_trust_roots() is used as it is (it already holds them).
    """
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        with warnings.catch_warnings():
            # user input with serial 0, odd encodings...: warnings must not escape as
            # errors (pytest runs with filterwarnings=error) nor reach the user.
            warnings.simplefilter("ignore")
            roots: Callable[[], TrustRoots]
            if isinstance(trust, TrustRoots):  # from load_trust_roots(): use as it is
                roots = partial(lambda t: t, trust)
            else:
                roots = partial(_roots, tuple(trust))
            return _analyze(data, now, host, roots, source)
    except Exception as exc:  # last line of defence: the analysis never raises
        return Report(source, (), (finding(
            "pem.bad_der", None,
            f"入力を解析できませんでした({type(exc).__name__})。ファイルの形式を確認してください。",
            f"The input could not be analysed ({type(exc).__name__}). Check the file's format."),))


_CONTROL_BYTES = bytes([*range(9), *range(14, 32)])


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    if not sample or sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) // 20


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for enc in ("utf-8-sig", "cp932"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _parse_der_file(data: bytes, now: datetime) -> Parsed | None:
    block = Block(None, data, 0, len(data), encoding="der")
    p = _parse_unlabelled(block, now)
    if p is None:
        first = first_der_element(data)
        if first != data:  # trailing bytes after the object (a newline, padding)
            block.der = first
            p = _parse_unlabelled(block, now)
    return p


def certificates_by_index(data: str | bytes, *, now: datetime) -> dict[int, x509.Certificate]:
    """The certificates analyze() read from the same input, by their object index (for a
    caller that needs the certificate behind a finding, such as the missing-intermediate
    fetch). Never raises: unreadable input gives {}."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            flat, _text, _blocks, _crlf, _flags = _parse_all(data, now)
    except Exception:
        return {}
    return {i: p.cert for i, p, _ in flat if p.kind == "certificate" and p.cert is not None}


def _parse_all(
    data: str | bytes, now: datetime
) -> tuple[list[tuple[int, Parsed, int | None]], str | None, list[Block], bool, set[str]]:
    parsed: list[Parsed] = []
    text: str | None = None
    crlf = False
    flags: set[str] = set()
    if isinstance(data, bytes):
        utf16 = decode_bytes(data) if b"\x00" in data[:4096] else None
        if utf16 is not None:
            text = utf16[0]
            flags.add("utf16")
        elif data[:1] == b"\x30" and (p := _parse_der_file(data, now)) is not None:
            p.der_file = True
            parsed.append(p)
        elif _looks_binary(data):
            if data[:1] == b"\x30":
                bad = Parsed("unknown", encoding="der", bad_der="unreadable DER")
                parsed.append(bad)
        else:
            text = _decode_text(data)
    else:
        text = slack_unescape(data)
    blocks: list[Block] = []
    if text is not None:
        result = scan_text(text)
        crlf, blocks = result.crlf and "cr_only" not in result.flags, result.blocks
        flags |= result.flags
        for block in blocks:
            q = parse_block(block, now)
            if q is not None:
                parsed.append(q)

    # flatten: a PKCS#7 bundle is followed by its certificates
    flat: list[tuple[int, Parsed, int | None]] = []
    for p in parsed:
        at = len(flat)
        flat.append((at, p, None))
        for child in p.children:
            flat.append((len(flat), child, at))
    return flat, text, blocks, crlf, flags


def _analyze(
    data: str | bytes, now: datetime, host: str | None,
    roots: Callable[[], TrustRoots], source: str,
) -> Report:
    flat, text, blocks, crlf, flags = _parse_all(data, now)

    findings: list[Finding] = []
    infos: list[ObjectInfo] = []
    for i, p, parent in flat:
        infos.append(p.info(i, parent))
        try:
            findings.extend(_object_findings(i, p, now))
        except Exception as exc:  # one odd object must not hide the others
            findings.append(_unreadable(i, exc))

    certs = [(i, p) for i, p, _ in flat if p.kind == "certificate" and p.cert is not None]
    leaf_index: int | None = None
    if certs:
        try:
            chain = analyze_chain(
                [ChainCert(i, p.cert,
                           bool(p.fields.get("is_ca") or p.extra.get("root_like")),
                           bool(p.fields.get("self_signed")),
                           tuple(p.fields.get("aia_ca_issuers") or ()),
                           str(p.fields.get("subject") or ""),
                           ordered=p.encoding != "pkcs7")
                 for i, p in certs if p.cert is not None],
                roots, now)
        except Exception as exc:  # a certificate too odd to link: say so, keep the rest
            findings.append(_unreadable(certs[0][0], exc))
        else:
            findings.extend(chain.findings)
            if chain.leaf is not None:
                leaf_index = chain.leaf.index
    findings.extend(match_checks([(i, p) for i, p, _ in flat], leaf_index))

    hosts: list[str] = []
    if leaf_index is not None:
        if host:
            hosts = [host]
        elif isinstance(data, str) and text:  # chat text: hosts the person mentioned
            hosts = hosts_outside(text, blocks)
    if hosts and leaf_index is not None:
        leaf = next(p for i, p in certs if i == leaf_index)
        if not leaf.fields.get("is_ca"):
            if not host:
                hosts = _not_in_certificates(hosts, certs)
            findings.extend(hostname_checks(leaf_index, leaf, hosts))

    # key material the parsed objects do not account for: a -text dump, PuTTY, JWK,
    # a mangled label, DER inside a longer base64 run
    key_spans = find_private_keys(text) if text else []
    if key_spans and not any(p.kind == "private_key" or p.pkcs12 for _, p, _ in flat):
        findings.extend(private_key_checks(None, Parsed("private_key")))
    findings.extend(input_findings(frozenset(flags)))
    if crlf:
        findings.append(finding(
            "pem.crlf", None,
            "改行コードがCRLF(Windows形式)です。通常は問題ありません。",
            "CRLF (Windows) line endings; normally harmless."))
    if not flat and not key_spans:
        findings.append(finding(
            "pem.none_found", None,
            "証明書・CSR・鍵が見つかりませんでした。-----BEGIN CERTIFICATE----- で始まり "
            "-----END CERTIFICATE----- で終わる部分をすべて貼り付けるか、"
            "ファイルを添付してください。",
            "No certificate, CSR or key was found. Paste everything from -----BEGIN "
            "CERTIFICATE----- to -----END CERTIFICATE-----, or attach the file."))
    return Report(source, tuple(infos), tuple(findings))


def key_material_report(source: str = "message") -> Report:
    """The report for text that is key material and nothing else (the middle of a key
    split over several messages): key.private_key with its exposure advice."""
    return Report(source, (), tuple(private_key_checks(None, Parsed("private_key"))))


def _unreadable(i: int, exc: Exception) -> Finding:
    return finding(
        "pem.bad_der", i,
        f"オブジェクト{i}の一部を解析できませんでした({type(exc).__name__})。"
        "ファイルが壊れているか、このツールが扱えない形式です。",
        f"Part of object {i} could not be analysed ({type(exc).__name__}); the file is "
        "damaged or uses a form this tool cannot read.")


def _roots(trust: tuple[x509.Certificate, ...]) -> TrustRoots:
    return load_trust_roots().plus(trust)


def _not_in_certificates(hosts: list[str], certs: list[tuple[int, Parsed]]) -> list[str]:
    """Drop hosts that appear inside a pasted certificate (AIA, CRL and CPS URLs, names):
    `openssl x509 -text` output around a PEM mentions them, the person did not."""
    ders = [p.cert.tbs_certificate_bytes.lower() for _, p in certs if p.cert is not None]
    return [h for h in hosts if not any(h.encode("ascii", "ignore") in d for d in ders)]


def _object_findings(i: int, p: Parsed, now: datetime) -> list[Finding]:
    out: list[Finding] = []
    if p.block is not None:
        out.extend(f for f in defect_findings(i, p.block, p.kind)
                   if not (f.code == "pem.missing_headers" and (p.pkcs12 or p.other)))
    out.extend(container_findings(i, p))
    if p.pkcs12 or p.other:
        if p.pkcs12:
            out.extend(private_key_checks(i, p))
        return out
    kind_ja = _KIND_JA.get(p.kind, "データ")
    if p.unknown_label and p.kind == "unknown":
        out.append(finding(
            "pem.unknown_label", i,
            f"ラベル「{p.label}」はこのツールが扱う種類(証明書・CSR・鍵・PKCS#7・CRL)ではありません。",
            f"The label \"{p.label}\" is not a kind this tool knows (certificate, CSR, key, "
            "PKCS#7, CRL)."))
    if p.bad_der is not None and p.actual_kind is not None:
        actual_ja = _KIND_JA.get(p.actual_kind, "データ")
        actual_en = _KIND_EN.get(p.actual_kind, "data")
        out.append(finding(
            "pem.bad_der", i,
            f"ラベルは「{p.label}」ですが、中身は{kind_ja}ではなく{actual_ja}です。"
            "正しいファイル(証明書なら -----BEGIN CERTIFICATE----- のファイル)を使ってください。",
            f"The label says \"{p.label}\" but the body is a {actual_en}, not a "
            f"{_KIND_EN.get(p.kind, 'data')}. Use the right file (for a certificate, the "
            "-----BEGIN CERTIFICATE----- one)."))
    elif p.bad_der is not None:
        out.append(finding(
            "pem.bad_der", i,
            f"本文はデコードできましたが、{kind_ja}の構造(DER)になっていません。"
            "ファイルが壊れているか、別の種類のデータです。受け取ったファイルをもう一度コピーしてください。",
            f"The body decodes, but is not a valid {_KIND_EN.get(p.kind, 'object')} (DER). The file "
            "is damaged or holds something else; copy the file you received again."))
    if p.kind == "certificate" and (p.cert is not None or p.nonstrict):
        out.extend(certificate_checks(i, p, now))
    elif p.kind == "csr" and p.csr is not None:
        out.extend(csr_checks(i, p))
    elif p.kind == "private_key":
        out.extend(private_key_checks(i, p))
    elif p.kind == "pkcs7" and p.bad_der is None and (p.block is None or p.block.der):
        n = len(p.children)
        out.append(finding(
            "pkcs7.found", i,
            f"PKCS#7ファイルから証明書を{n}件取り出しました。",
            f"The PKCS#7 bundle was expanded into {n} certificate(s)."))
    return out
