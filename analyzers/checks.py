"""Per-object checks: validity, strength, self-signed, SAN, host name, CSR subject,
private keys, and whether certificates and keys/CSRs share a public key."""

from __future__ import annotations

import contextlib
import ipaddress
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import NameOID

from analyzers.findings import Finding, finding
from analyzers.objects import Parsed
from analyzers.signatures import csr_signature_valid

EXPIRY_WARNING = timedelta(days=30)
MAX_SANS_SHOWN = 5  # cert.hostname_mismatch lists a few SANs, then "… and N more"
# md2/md5/sha1 with RSA, ecdsa-with-SHA1, dsa-with-sha1, and their odd twins
WEAK_SIGNATURE_OIDS = {
    "1.2.840.113549.1.1.2": "MD2",
    "1.2.840.113549.1.1.3": "MD4",
    "1.2.840.113549.1.1.4": "MD5",
    "1.2.840.113549.1.1.5": "SHA-1",
    "1.3.14.3.2.29": "SHA-1",
    "1.2.840.10045.4.1": "SHA-1",
    "1.2.840.10040.4.3": "SHA-1",
    "1.3.14.3.2.27": "SHA-1",
}
# The FAQ's list of characters a CSR must not hold (DESIGN.md leaves out ".").
FORBIDDEN_CHARS = frozenset("!@#$%^*()~?><&/\\:;")
FREE_TEXT_OIDS = {NameOID.COMMON_NAME, NameOID.EMAIL_ADDRESS}


def _cn(p: Parsed) -> str:
    return str(p.fields.get("subject") or "(no subject)")


def _weak_key(p: Parsed) -> tuple[str, str] | None:
    kt, size = p.fields.get("key_type"), p.fields.get("key_size") or 0
    bad = p.extra.get("bad_key")
    if bad:  # an RSA key no library will use, whatever its size
        return f"RSA {size}ビット、{bad}", f"RSA {size}-bit, {bad}"
    if kt == "RSA" and size < 2048:
        return f"RSA {size}ビット", f"RSA {size}-bit"
    if kt == "EC" and size < 256:
        return f"EC {size}ビット", f"EC {size}-bit"
    if kt == "DSA":
        return f"DSA {size}ビット", f"DSA {size}-bit"
    return None


def certificate_checks(i: int, p: Parsed, now: datetime) -> list[Finding]:
    cert = p.cert  # None for a certificate only the lenient reader could read
    out: list[Finding] = []
    f = p.fields
    nb = datetime.fromisoformat(f["not_before"].replace("Z", "+00:00"))
    na = datetime.fromisoformat(f["not_after"].replace("Z", "+00:00"))
    name = _cn(p)
    out.extend(_reader_findings(i, p, name))
    if now > na:
        out.append(finding(
            "cert.expired", i,
            f"証明書({name})は{na:%Y-%m-%d}に有効期限が切れています。証明書を更新して"
            "新しい証明書をインストールしてください。",
            f"The certificate ({name}) expired on {na:%Y-%m-%d}. Renew it and install the "
            "new certificate."))
    elif now < nb:
        out.append(finding(
            "cert.not_yet_valid", i,
            f"証明書({name})は{nb:%Y-%m-%d}まで有効になりません。サーバーの時計を確認するか、"
            "有効になるまで待ってください。",
            f"The certificate ({name}) is not valid until {nb:%Y-%m-%d}. Check the server's "
            "clock, or wait until then."))
    elif na - now <= EXPIRY_WARNING:
        days = f["days_left"]
        out.append(finding(
            "cert.expiring_soon", i,
            f"証明書({name})の有効期限まであと{days}日です({na:%Y-%m-%d})。更新してください。",
            f"The certificate ({name}) expires in {days} days ({na:%Y-%m-%d}). Renew it."))
    dotted = (cert.signature_algorithm_oid.dotted_string if cert is not None
              else str(f.get("signature_algorithm")))
    weak = WEAK_SIGNATURE_OIDS.get(dotted)
    if weak is None and cert is not None and f.get("signature_algorithm") == "RSASSA-PSS":
        try:  # PSS carries its hash in the parameters
            h = cert.signature_hash_algorithm
            weak = "SHA-1" if h is not None and h.name in ("sha1", "md5") else None
        except Exception:
            weak = None
    if weak and not f.get("self_signed"):
        out.append(finding(
            "cert.weak_signature", i,
            f"証明書({name})の署名アルゴリズムは{weak}で、ブラウザーに信頼されません。"
            "SHA-256で再発行してください。",
            f"The certificate ({name}) is signed with {weak}, which browsers reject. Have it "
            "reissued with SHA-256."))
    wk = _weak_key(p)
    if wk:
        out.append(finding(
            "cert.weak_key", i,
            f"証明書({name})の鍵({wk[0]})は弱すぎます。RSA 2048ビット以上またはEC P-256以上の"
            "鍵でCSRを作り直し、再発行してください。",
            f"The certificate's ({name}) key ({wk[1]}) is too weak. Create a new CSR with an "
            "RSA 2048-bit or larger (or EC P-256) key and have it reissued."))
    end_entity = not f.get("is_ca") and not p.extra.get("root_like")
    if end_entity and f.get("self_signed"):
        out.append(finding(
            "cert.self_signed", i,
            f"証明書({name})は自己署名のサーバー証明書で、ブラウザーに信頼されません。"
            "CAが発行した証明書をインストールしてください。",
            f"The certificate ({name}) is a self-signed server certificate; browsers will not "
            "trust it. Install a certificate issued by a CA."))
    if end_entity and not p.extra.get("has_san", cert is not None and _has_san(cert)):
        out.append(finding(
            "cert.no_san", i,
            f"証明書({name})にsubjectAltName(SAN)がありません。現在のブラウザーはCNを見ないため、"
            "ホスト名を含むSAN付きで再発行してください。",
            f"The certificate ({name}) has no subjectAltName; browsers ignore the CN, so have "
            "it reissued with the host names as SANs."))
    return out


def _reader_findings(i: int, p: Parsed, name: str) -> list[Finding]:
    out: list[Finding] = []
    if p.nonstrict:
        out.append(finding(
            "cert.nonstrict_der", i,
            f"証明書({name})は厳密なDERの規則に違反しています(空のRDN、重複した属性、秒のない"
            "UTCTime、SETの順序、明示的なv1など)。OpenSSLやブラウザーは受け付ける場合がありますが、"
            "受け付けないソフトウェアもあります。ファイルの破損ではないため、コピーし直しても直りません。"
            "問題が出る場合はCAに再発行を依頼してください。",
            f"The certificate ({name}) breaks strict DER rules (an empty RDN, duplicate "
            "attributes, UTCTime without seconds, SET order, an explicit v1 version...). "
            "OpenSSL and browsers may still accept it; other software may not. The file is "
            "not damaged, so copying it again will not help; if software refuses it, ask the "
            "CA to reissue it."))
    for ext in p.extra.get("unparsed") or ():
        shown = "" if ext == "?" else f" ({ext})"
        out.append(finding(
            "cert.unparsed_extension", i,
            f"証明書({name})の拡張{shown}をデコードできませんでした。ほかの拡張は読み取りました。"
            "この拡張を厳密に検査するソフトウェアは証明書を拒否する場合があります。",
            f"An extension{shown} of the certificate ({name}) cannot be decoded; the others "
            "were still read. Software that checks it strictly may refuse the certificate."))
    return out


def _has_san(cert: x509.Certificate) -> bool:
    try:
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return False
    except Exception:  # present but unreadable: it is there, so no cert.no_san
        return True
    return True


def csr_checks(i: int, p: Parsed) -> list[Finding]:
    csr = p.csr
    assert csr is not None
    name = _cn(p)
    out = [finding(
        "csr.found", i,
        f"CSR(証明書署名要求: {name})です。CSRは証明書の代わりにインストールできません"
        "(「does not match the certificate requested」の原因)。CAに送り、発行された証明書を"
        "インストールしてください。",
        f"This is a CSR (certificate signing request: {name}). A CSR cannot be installed in "
        "place of a certificate (the cause of \"does not match the certificate requested\"); "
        "send it to the CA and install the certificate it issues.")]
    if not csr_signature_valid(csr):
        out.append(finding(
            "csr.bad_signature", i,
            "CSRの署名を検証できません。CSRが壊れているか改変されています。作り直してください。",
            "The CSR's signature does not verify: it is damaged or was edited. Create it again."))
    bad: list[str] = []
    try:
        attrs = list(csr.subject)
    except Exception:
        attrs = []
    for attr in attrs:
        if attr.oid in FREE_TEXT_OIDS:
            continue
        value = attr.value if isinstance(attr.value, str) else attr.value.decode("latin-1")
        chars = sorted({c for c in value if c in FORBIDDEN_CHARS or not c.isascii()})
        if chars:
            bad.append(f"{attr.oid._name}={value!r} ({' '.join(chars)})")
    if bad:
        listed = "; ".join(bad)
        out.append(finding(
            "csr.invalid_characters", i,
            f"CSRのサブジェクトに使用できない文字があります: {listed}。"
            "記号(! @ # $ % ^ * ( ) ~ ? > < & / \\ : ;)や全角文字を使わずに"
            "CSRを作り直してください。",
            f"The CSR's subject holds characters that are not allowed: {listed}. Create the "
            "CSR again without symbols (! @ # $ % ^ * ( ) ~ ? > < & / \\ : ;) or non-ASCII text."))
    wk = _weak_key(p)
    if wk:
        out.append(finding(
            "csr.weak_key", i,
            f"CSRの鍵({wk[0]})は弱すぎます。"
            "RSA 2048ビット以上またはEC P-256以上の鍵で作り直してください。",
            f"The CSR's key ({wk[1]}) is too weak. Create it again with an RSA 2048-bit or "
            "larger (or EC P-256) key."))
    return out


def private_key_checks(i: int | None, p: Parsed) -> list[Finding]:
    if p.fields.get("encrypted"):
        return [finding(
            "key.encrypted_private_key", i,
            "暗号化された秘密鍵が貼り付けられました。内容は表示・保存していません。パスフレーズが"
            "弱ければ解読されるおそれがあるため、鍵を作り直して証明書の再発行を検討してください。"
            "秘密鍵はチャットに貼らず、安全な場所にバックアップしてください。",
            "An encrypted private key was pasted. It is not shown or stored. If its passphrase "
            "is weak it can be cracked: consider a new key and a reissued certificate. Never "
            "paste private keys into chat; back them up somewhere safe.")]
    return [finding(
        "key.private_key", i,
        "秘密鍵が貼り付けられました。内容は表示・保存していません。この鍵は漏洩したものとして扱い、"
        "新しい鍵でCSRを作り直して証明書を再発行してください。秘密鍵はチャットに貼らないでください。",
        "A private key was pasted. It is not shown or stored. Treat this key as exposed: "
        "create a new key and CSR and have the certificate reissued. Never paste private "
        "keys into chat.")]


def match_checks(objects: list[tuple[int, Parsed]], leaf: int | None) -> list[Finding]:
    """Certificate vs CSR / private key / public key in the same input."""
    certs = [(i, p) for i, p in objects if p.kind == "certificate" and p.spki]
    if not certs:
        return []
    leaf_i = leaf if leaf is not None else certs[0][0]
    out = []
    for i, p in objects:
        if p.kind not in ("csr", "private_key", "public_key") or not p.spki:
            continue
        what_ja = {"csr": "CSR", "private_key": "秘密鍵", "public_key": "公開鍵"}[p.kind]
        what_en = {"csr": "CSR", "private_key": "private key", "public_key": "public key"}[p.kind]
        hit = next((ci for ci, c in certs if c.spki == p.spki), None)
        if hit is not None:
            out.append(finding(
                "match.key_match", i,
                f"{what_ja}(オブジェクト{i})と証明書(オブジェクト{hit})の公開鍵は一致します。",
                f"The {what_en} (object {i}) and the certificate (object {hit}) share the "
                "public key."))
        else:
            out.append(finding(
                "match.key_mismatch", i,
                f"{what_ja}(オブジェクト{i})と証明書(オブジェクト{leaf_i})の公開鍵が一致しません。"
                "この証明書はこの鍵から作られたものではありません。"
                "対応する秘密鍵を使うか、この鍵のCSRで証明書を再発行してください。",
                f"The {what_en} (object {i}) and the certificate (object {leaf_i}) do not share "
                "the public key: the certificate was not made from this key. Use the matching "
                "key, or have the certificate reissued from this key's CSR."))
    return out


def host_matches(host: str, sans: tuple[str, ...]) -> bool:
    """RFC 6125 matching: case-insensitive, one left-most wildcard label, IPs exactly."""
    h = host.strip().rstrip(".").lower()
    try:
        ip = ipaddress.ip_address(h.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        return any(s == str(ip) for s in sans)
    with contextlib.suppress(UnicodeError):
        h = h.encode("idna").decode("ascii")
    for san in sans:
        s = san.rstrip(".").lower()
        if s == h:
            return True
        if s.startswith("*.") and "." in h:
            label, rest = h.split(".", 1)
            if label and rest == s[2:] and rest.count(".") >= 1:
                return True
    return False


def hostname_checks(leaf_i: int, p: Parsed, hosts: list[str]) -> list[Finding]:
    sans = tuple(p.fields.get("sans") or ())
    out = []
    for host in hosts:
        if host_matches(host, sans):
            continue
        shown = ", ".join(sans[:MAX_SANS_SHOWN])
        more = len(sans) - MAX_SANS_SHOWN
        listed = (shown + (f" … ほか{more}件" if more > 0 else "")) if sans else "なし"
        listed_en = (shown + (f" … and {more} more" if more > 0 else "")) if sans else "none"
        out.append(finding(
            "cert.hostname_mismatch", leaf_i,
            f"ホスト名 {host} は証明書(オブジェクト{leaf_i})のSAN({listed})に含まれていません。"
            "別のサイトの証明書か、名前が足りない証明書です。正しいホスト名の証明書を取得してください。",
            f"The host name {host} is not covered by the certificate's (object {leaf_i}) SANs "
            f"({listed_en}): it is another site's certificate, or it lacks that name. Get a "
            "certificate for the right host name."))
    return out
