"""A compact human report (ja/en) for `certdesk check` and the terminal chat.

Everything taken from the input (subjects, SANs, URLs, file names, messages quoting them)
is shown with its control characters escaped; the only escape sequences in a report are
its own colours."""

from __future__ import annotations

from typing import Literal

from analyzers.findings import Finding
from analyzers.report import ObjectInfo, Report
from analyzers.text import escape_controls

_COLORS = {"error": "\033[1;31m", "warning": "\033[33m", "info": "\033[36m"}
_RESET = "\033[0m"
_SEV = {
    "ja": {"error": "エラー", "warning": "警告", "info": "情報"},
    "en": {"error": "ERROR", "warning": "WARN", "info": "info"},
}
_MARK = {"error": "✖", "warning": "▲", "info": "・"}
_KIND = {
    "ja": {
        "certificate": "証明書",
        "csr": "CSR",
        "private_key": "秘密鍵",
        "public_key": "公開鍵",
        "pkcs7": "PKCS#7",
        "crl": "CRL",
        "unknown": "不明",
    },
    "en": {
        "certificate": "certificate",
        "csr": "CSR",
        "private_key": "private key",
        "public_key": "public key",
        "pkcs7": "PKCS#7",
        "crl": "CRL",
        "unknown": "unknown",
    },
}


def _object_lines(o: ObjectInfo, lang: Literal["ja", "en"]) -> list[str]:
    ja = lang == "ja"
    head = f"#{o.index} {_KIND[lang][o.kind]}"
    if o.subject:
        head += f"  {o.subject}"
    if o.parent is not None:
        head += f"  (PKCS#7 #{o.parent})"
    lines = [head]
    if o.issuer and o.kind == "certificate":
        lines.append(("   発行者: " if ja else "   issuer: ") + o.issuer)
    if o.not_after and o.kind == "certificate":
        left = o.days_left
        span = f"{o.not_before[:10] if o.not_before else '?'} – {o.not_after[:10]}"
        if left is not None:
            span += f" (残り{left}日)" if ja else f" ({left} days left)"
        lines.append(("   有効期間: " if ja else "   valid: ") + span)
    bits = []
    if o.key_type:
        bits.append(f"{o.key_type} {o.key_size or ''}".strip())
    if o.signature_algorithm:
        bits.append(o.signature_algorithm)
    if o.is_ca:
        bits.append("CA")
    if o.self_signed:
        bits.append("自己署名" if ja else "self-signed")
    if o.encrypted:
        bits.append("暗号化" if ja else "encrypted")
    if bits:
        lines.append("   " + ", ".join(bits))
    if o.sans:
        lines.append("   SAN: " + ", ".join(o.sans[:10]) + (" …" if len(o.sans) > 10 else ""))
    if o.sha256:
        lines.append("   SHA-256: " + o.sha256)
    elif o.public_key_sha256:
        label = "   公開鍵SHA-256: " if ja else "   public key SHA-256: "
        lines.append(label + o.public_key_sha256)
    if o.aia_ca_issuers:
        lines.append("   caIssuers: " + ", ".join(o.aia_ca_issuers))
    return lines


def _finding_line(f: Finding, lang: Literal["ja", "en"], color: bool) -> str:
    sev = f"{_MARK[f.severity]} {_SEV[lang][f.severity]}"
    if color:
        sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
    text = f.message if lang == "ja" else f.message_en
    return f"  {sev} " + escape_controls(f"[{f.code}] {text}")


def render_report(
    report: Report,
    lang: Literal["ja", "en"],
    *,
    color: bool = False,
    header: bool = True,
    max_objects: int | None = None,
) -> str:
    """Objects with their details, each followed by its findings; then a summary line.
    `header=False` leaves out the "== source ==" line (a chat message needs no name);
    `max_objects` shows only that many objects and input-wide findings (a chat reply to a
    paste of thousands of blocks must stay readable); the summary still counts them all."""
    lang = "en" if lang == "en" else "ja"
    out = [escape_controls(f"== {report.source} ==")] if header else []
    by_object: dict[int | None, list[Finding]] = {}
    for f in report.findings:
        by_object.setdefault(f.object, []).append(f)
    shown = report.objects if max_objects is None else report.objects[:max_objects]
    for o in shown:
        out.extend(escape_controls(line) for line in _object_lines(o, lang))
        out.extend(_finding_line(f, lang, color) for f in by_object.get(o.index, ()))
    hidden = len(report.objects) - len(shown)
    if hidden:
        out.append(
            f"… ほか{hidden}個のオブジェクト" if lang == "ja" else f"… and {hidden} more objects"
        )
    rest = by_object.get(None, [])
    if max_objects is not None:
        rest = rest[:max_objects]
    if rest:
        out.append("全体:" if lang == "ja" else "overall:")
        out.extend(_finding_line(f, lang, color) for f in rest)
    counts = {
        s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")
    }
    if lang == "ja":
        summary = (
            f"結果: エラー{counts['error']}件、警告{counts['warning']}件、情報{counts['info']}件"
        )
        ok = "エラーはありません。" if not counts["error"] else ""
    else:
        summary = (
            f"result: {counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info"
        )
        ok = "No errors." if not counts["error"] else ""
    out.append(summary + (" " + ok if ok else ""))
    return "\n".join(out)
