"""Live checks turned into reports, and the missing intermediate offered.

A Handshake from the injected Probe becomes a Report by the same analyzer as a paste
(the chain exactly as the server sent it, --host set to the host), plus `tls.*`
findings for what the handshake showed. For an incomplete chain (live or pasted) whose
top certificate names an AIA caIssuers URL, the Probe fetches it and this module keeps
only a certificate that really signed the top one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from analyzers.findings import CodeInfo, Finding
from bot.live import Fetched, Handshake, Probe

if TYPE_CHECKING:
    from cryptography import x509

    from analyzers import Report

Lang = Literal["ja", "en"]

# Finding codes of live checks. They are not in analyzers' REGISTRY (DESIGN.md's table
# does not list them yet); severities and FAQ links follow the same rules.
_DOWN = ("page-cannot-be-displayed", "intermittent-server-not-found")
LIVE_CODES: dict[str, CodeInfo] = {c.code: c for c in (
    CodeInfo("tls.refused", "error", "この宛先には接続しません(安全上の制限)。",
             "This target is not checked (a safety rule).", ()),
    CodeInfo("tls.unreachable", "error", "サーバーに接続できません。",
             "The server cannot be reached.", _DOWN),
    CodeInfo("tls.timeout", "error", "時間内に応答がありません。",
             "The server did not answer in time.", _DOWN),
    CodeInfo("tls.not_tls", "error", "このポートはTLS(SSL)で応答しません。",
             "The port does not answer with TLS (SSL).", ("enable-port-443-iis4", *_DOWN)),
    CodeInfo("tls.handshake_failed", "error", "TLSハンドシェイクが失敗しました。",
             "The TLS handshake failed.", _DOWN),
    CodeInfo("tls.client_rejects", "error", "標準的なクライアントはこの接続を拒否します。",
             "A standard client refuses this connection.", ("browser-untrusted-warning",)),
    CodeInfo("tls.connection", "info", "ハンドシェイクの内容(プロトコル、暗号スイート、OCSPステープリング)。",
             "What the handshake showed (protocol, cipher, OCSP stapling).", ()),
)}


def live_finding(code: str, message: str, message_en: str) -> Finding:
    info = LIVE_CODES[code]
    return Finding(code, info.severity, None, message, message_en, info.faq)


_REFUSAL: dict[str, tuple[str, str]] = {
    "loopback": ("ループバックアドレス", "a loopback address"),
    "private": ("プライベート(社内)アドレス", "a private (internal) address"),
    "shared": ("キャリアグレードNATの共有アドレス(100.64.0.0/10)", "a shared CGNAT address (100.64.0.0/10)"),
    "link_local": ("リンクローカルアドレス", "a link-local address"),
    "metadata": ("クラウドのメタデータサービスのアドレス", "a cloud metadata service address"),
    "multicast": ("マルチキャストアドレス", "a multicast address"),
    "reserved": ("予約済みアドレス", "a reserved address"),
    "unspecified": ("未指定アドレス(0.0.0.0 / ::)", "the unspecified address (0.0.0.0 / ::)"),
}


def refusal_text(reason: str, detail: str, ports: Sequence[int] = ()) -> tuple[str, str]:
    """Why a target is refused, in ja and en."""
    if reason == "port":
        allowed = ", ".join(str(p) for p in ports) or "443"
        return (f"ポート {detail} には接続しません。確認できるポート: {allowed}(CERTDESK_PROBE_PORTS)。",
                f"Port {detail} is not checked; allowed ports: {allowed} (CERTDESK_PROBE_PORTS).")
    if reason == "scheme":
        return (f"http 以外のURL({detail})からは取得しません。", f"Only http URLs are fetched, not {detail}.")
    if reason == "credentials":
        return ("認証情報を含むURLからは取得しません。", "URLs that carry credentials are not fetched.")
    if reason == "redirects":
        return ("リダイレクトが多すぎます。", "Too many redirects.")
    ja, en = _REFUSAL.get(reason, _REFUSAL["reserved"])
    where = f"({detail})" if detail else ""
    return (f"接続先{where}は{ja}のため、安全のため接続しません。社内のサーバーを確認するには、"
            "管理者が CERTDESK_PROBE_ALLOW にそのネットワーク(CIDR)を設定してください。",
            f"The address{' ' + detail if detail else ''} is {en}, so it is not checked, for "
            "safety. To check internal servers, an administrator lists the network (CIDR) in "
            "CERTDESK_PROBE_ALLOW.")


def _failure(h: Handshake, ports: Sequence[int]) -> Finding:
    where = f"{h.host}:{h.port}"
    if h.status == "refused":
        ja, en = refusal_text(h.reason, h.detail, ports)
        return live_finding("tls.refused", ja, en)
    if h.status == "timeout":
        return live_finding(
            "tls.timeout",
            f"{where} は時間内に応答しませんでした({h.reason})。ファイアウォールやサーバーの状態を確認してください。",
            f"{where} did not answer in time ({h.reason}). Check the firewall and the server.")
    if h.status == "not_tls":
        return live_finding(
            "tls.not_tls",
            f"{where} はTLSではなく別のプロトコル(平文のHTTPなど)で応答しました。"
            "このポートにSSL証明書が設定されているか確認してください。",
            f"{where} answered with something other than TLS (plain HTTP?). Check that the "
            "certificate is bound to this port.")
    if h.status == "unreachable":
        what_ja = "名前を解決できません" if h.reason == "dns" else "接続できません"
        what_en = "the name does not resolve" if h.reason == "dns" else "the connection failed"
        detail = f": {h.detail}" if h.detail else ""
        return live_finding("tls.unreachable", f"{where} に{what_ja}{detail}。",
                            f"{where}: {what_en}{detail}.")
    detail = h.detail or h.reason
    return live_finding(
        "tls.handshake_failed",
        f"{where} とのTLSハンドシェイクが失敗しました({detail})。サーバーが接続を切断しました。",
        f"The TLS handshake with {where} failed ({detail}): the server dropped the connection.")


def connection_summary(h: Handshake, lang: Lang) -> str:
    """One line: protocol, cipher, stapling, and whether a standard client accepts it."""
    ja = lang == "ja"
    bits = [h.protocol or "?", h.cipher or "?"]
    if ja:
        bits.append("OCSPステープリングあり" if h.ocsp_stapled else "OCSPステープリングなし")
        bits.append(f"サーバーが送った証明書 {len(h.chain)}枚")
        if h.client_accepts:
            bits.append("標準的なクライアントは接続を受け入れます")
        elif h.client_accepts is False:
            bits.append(f"標準的なクライアントは拒否します({h.client_error})")
    else:
        bits.append("OCSP stapled" if h.ocsp_stapled else "no OCSP stapling")
        bits.append(f"{len(h.chain)} certificate(s) sent")
        if h.client_accepts:
            bits.append("a standard client accepts it")
        elif h.client_accepts is False:
            bits.append(f"a standard client refuses it ({h.client_error})")
    return (f"{h.source} ({h.address}): " if h.address else f"{h.source}: ") + ", ".join(bits)


@dataclass(frozen=True)
class Offer:
    """The missing intermediate of one report, fetched, or why it could not be."""

    source: str  # the report it completes
    url: str
    status: str  # "ok", or a Fetched status, or "not_issuer"
    subject: str | None = None
    pem: str | None = None
    reason_ja: str = ""
    reason_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "subject": self.subject,
                "pem": self.pem, "message": self.reason_ja or None,
                "message_en": self.reason_en or None}


@dataclass(frozen=True)
class LiveCheck:
    handshake: Handshake
    report: Report
    offers: tuple[Offer, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The report's `check --json` line plus `connection` (and `intermediates`)."""
        out = self.report.to_dict()
        out["connection"] = self.handshake.to_dict()
        if self.offers:
            out["intermediates"] = [o.to_dict() for o in self.offers]
        return out


WHERE_IT_GOES = {
    "ja": "設置先: Apache は SSLCertificateChainFile(2.4.8以降は SSLCertificateFile のフルチェーンファイル)に、"
          "nginx は ssl_certificate のファイルでサーバー証明書の後ろに連結し、"
          "IIS は「中間証明機関」ストアにインポートします。",
    "en": "Where it goes: Apache SSLCertificateChainFile (2.4.8+: the full-chain file of "
          "SSLCertificateFile); nginx: append it after the server certificate in the "
          "ssl_certificate file; IIS: import it into the Intermediate Certification Authorities store.",
}


def live_report(
    h: Handshake, *, now: datetime, trust: Sequence[x509.Certificate] = (),
    ports: Sequence[int] = (),
) -> Report:
    from cryptography import x509 as _x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from analyzers import Report, analyze

    if h.status != "ok":
        return Report(h.source, (), (_failure(h, ports),))
    pem = "".join(
        _x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM).decode() for d in h.chain
    )
    report = analyze(pem.encode(), now=now, host=h.host.strip("[]"), trust=trust, source=h.source)
    extra: list[Finding] = []
    if h.client_accepts is False:
        extra.append(live_finding(
            "tls.client_rejects",
            f"標準的なTLSクライアント(Pythonの既定設定、Mozillaのルート)はこの接続を拒否します: {h.client_error}",
            f"A standard TLS client (Python's defaults, Mozilla's roots) refuses this connection: "
            f"{h.client_error}"))
    extra.append(live_finding("tls.connection", connection_summary(h, "ja"),
                              connection_summary(h, "en")))
    return replace(report, findings=(*report.findings, *extra))


def offer_intermediates(
    report: Report, data: str | bytes, probe: Probe, *, now: datetime
) -> tuple[Offer, ...]:
    """For a chain.incomplete finding whose certificate names a caIssuers URL: fetch it and
    keep the certificate that really signed it (name and signature both checked)."""
    from cryptography import x509 as _x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from analyzers import certificates_by_index
    from analyzers.signatures import issued_by

    gaps = [f.object for f in report.findings if f.code == "chain.incomplete" and f.object is not None]
    if not gaps:
        return ()
    certs = certificates_by_index(data, now=now)
    objects = {o.index: o for o in report.objects}
    out: list[Offer] = []
    for index in gaps[:1]:
        top = certs.get(index)
        info = objects.get(index)
        urls = info.aia_ca_issuers if info is not None and info.aia_ca_issuers else ()
        if top is None or not urls:
            continue
        url = urls[0]
        fetched: Fetched = probe.fetch(url)
        if fetched.status != "ok":
            ja, en = _fetch_failure(fetched)
            out.append(Offer(report.source, url, fetched.status, reason_ja=ja, reason_en=en))
            continue
        issuer = None
        for der in fetched.certificates:
            try:
                cand = _x509.load_der_x509_certificate(der)
            except ValueError:
                continue
            if cand.subject == top.issuer and issued_by(top, cand):
                issuer = cand
                break
        if issuer is None:
            out.append(Offer(
                report.source, url, "not_issuer",
                reason_ja=f"{url} の証明書はこの証明書を発行したものではありません(署名が一致しません)。",
                reason_en=f"The certificate at {url} did not sign this certificate (the signature does not match)."))
            continue
        out.append(Offer(report.source, url, "ok", issuer.subject.rfc4514_string(),
                         issuer.public_bytes(Encoding.PEM).decode()))
    return tuple(out)


def _fetch_failure(f: Fetched) -> tuple[str, str]:
    if f.status == "refused":
        ja, en = refusal_text(f.reason, f.detail)
    elif f.status == "too_large":
        ja, en = "64KBを超えるため取得しません。", "It is larger than 64 KB, so it was not fetched."
    elif f.status == "timeout":
        ja, en = "時間内に取得できませんでした。", "It could not be fetched in time."
    elif f.status == "http_error":
        ja, en = f"HTTPエラー {f.reason} が返りました。", f"The server answered HTTP {f.reason}."
    elif f.status == "unreadable":
        ja, en = "証明書(DER・PKCS#7・PEM)として読めません。", "It is not a certificate (DER, PKCS#7 or PEM)."
    else:
        detail = f"({f.detail})" if f.detail else ""
        ja, en = f"取得できませんでした{detail}。", f"It could not be fetched{(' ' + detail) if detail else ''}."
    return (f"中間証明書を {f.url} から取得できません: {ja}", f"The intermediate at {f.url} could not be fetched: {en}")


def render_offer(offer: Offer, lang: Lang) -> str:
    """Plain text: the subject, the PEM in a code block, and where it goes."""
    if offer.status != "ok" or not offer.pem:
        return offer.reason_en if lang == "en" else offer.reason_ja
    head = (f"不足している中間証明書を {offer.url} から取得しました(署名を確認済み): {offer.subject}"
            if lang == "ja" else
            f"The missing intermediate, fetched from {offer.url} (signature verified): {offer.subject}")
    return f"{head}\n```\n{offer.pem.rstrip()}\n```\n{WHERE_IT_GOES[lang]}"
