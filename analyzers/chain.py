"""Chain analysis: duplicates, issuer links by signature, order, unrelated certificates,
a missing intermediate, an included root, and trust.

Links are our own checks (`verify_directly_issued_by`, names looked up in a dict so
the work stays linear in the number of certificates). Trust is decided by
cryptography's verifier with the Store built once per trust set; its messages are too
coarse (the same error for a missing intermediate and an untrusted root), so the
precise code comes from our own walk and the verifier only confirms chain.trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.x509 import verification

from analyzers.findings import Finding, finding
from analyzers.removed import RemovedRoot, removed_roots
from analyzers.signatures import issued_by
from analyzers.trust import TrustRoots, issuer_der, sha256, spki_der, subject_der


@dataclass(frozen=True)
class ChainCert:
    index: int  # object index in the report
    cert: x509.Certificate
    is_ca: bool
    self_signed: bool
    aia_ca_issuers: tuple[str, ...]
    subject: str
    ordered: bool = True  # False inside a PKCS#7 bundle: a DER SET has no order


@dataclass
class ChainResult:
    findings: list[Finding]
    leaf: ChainCert | None
    path: list[ChainCert]


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    return issued_by(child, parent)


def _cn(c: ChainCert) -> str:
    return c.subject or "(no subject)"


def analyze_chain(
    certs: list[ChainCert], roots: Callable[[], TrustRoots], now: datetime
) -> ChainResult:
    out: list[Finding] = []
    # 1. duplicates (by fingerprint); later copies take no further part
    seen: dict[bytes, ChainCert] = {}
    uniq: list[ChainCert] = []
    for c in certs:
        fp = sha256(c.cert)
        first = seen.get(fp)
        if first is not None:
            out.append(finding(
                "chain.duplicate", c.index,
                f"オブジェクト{c.index}はオブジェクト{first.index}と同じ証明書です。"
                "重複を削除してください。",
                f"Object {c.index} is the same certificate as object {first.index}; "
                "remove the duplicate."))
            continue
        seen[fp] = c
        uniq.append(c)
    if not uniq:
        return ChainResult(out, None, [])

    # 2. issuer links, looked up by name and confirmed by signature
    by_subject: dict[bytes, list[ChainCert]] = {}
    for c in uniq:
        by_subject.setdefault(subject_der(c.cert), []).append(c)
    issuer_of: dict[int, ChainCert] = {}
    wrong_issuer: dict[int, ChainCert] = {}
    for c in uniq:
        if c.self_signed:
            continue
        candidates = [p for p in by_subject.get(issuer_der(c.cert), ()) if p is not c]
        good = next((p for p in candidates if _issued_by(c.cert, p.cert)), None)
        if good is not None:
            issuer_of[c.index] = good
        elif candidates:
            wrong_issuer[c.index] = candidates[0]

    # 3. the leaf: the first end-entity certificate, else the lowest CA
    issuers = {p.index for p in issuer_of.values()} | {p.index for p in wrong_issuer.values()}
    leaf = next((c for c in uniq if not c.is_ca), None)
    if leaf is None:
        leaf = next((c for c in uniq if c.index not in issuers), uniq[0])

    # 4. walk up from the leaf
    path, broken, cur = [leaf], False, leaf
    while not cur.self_signed:
        nxt = issuer_of.get(cur.index)
        if nxt is None and cur.index in wrong_issuer:
            nxt = wrong_issuer[cur.index]
            broken = True
            out.append(finding(
                "chain.bad_signature", cur.index,
                f"オブジェクト{cur.index}({_cn(cur)})の発行者名はオブジェクト{nxt.index}と一致しますが、"
                "その公開鍵で署名を検証できません。誤った中間証明書です。"
                "サーバー証明書と一緒に届いた正しい中間証明書を使用してください。",
                f"Object {cur.index} ({_cn(cur)}) names object {nxt.index} as its issuer, but "
                "its signature does not verify with that certificate's key: the wrong "
                "intermediate. Use the intermediate that came with your certificate."))
        if nxt is None and _bad_self_signature(cur, roots()):
            broken = True
            out.append(finding(
                "chain.bad_signature", cur.index,
                f"オブジェクト{cur.index}({_cn(cur)})は自分自身を発行者としていますが、"
                "自分の公開鍵で署名を検証できません。証明書が壊れているか改変されています。"
                "元の証明書を入手し直してください。",
                f"Object {cur.index} ({_cn(cur)}) names itself as its issuer, but its "
                "signature does not verify with its own key: the certificate is damaged or "
                "was altered. Get the original certificate again."))
        if nxt is None or nxt in path:
            break
        path.append(nxt)
        cur = nxt

    # 5. order: each certificate must be followed by its issuer
    indices = [c.index for c in path]
    if indices != sorted(indices) and any(c.ordered for c in path):
        order = " → ".join(str(i) for i in indices)
        out.append(finding(
            "chain.order", None,
            f"証明書がサーバー証明書→中間証明書→ルートの順に並んでいません。正しい順序は {order} "
            "(オブジェクト番号)です。",
            f"The certificates are not in leaf-to-root order; the right order is {order} "
            "(object numbers)."))

    # 6. certificates that are not on the path
    store = roots()
    on_path = {c.index for c in path}
    top = path[-1]
    path_keys = {(subject_der(c.cert), spki_der(c.cert)) for c in path}
    twins: dict[tuple[bytes, bytes], list[ChainCert]] = {}
    for c in uniq:  # the same name and key signed by another CA: either may lead to trust
        key = (subject_der(c.cert), spki_der(c.cert))
        if key in path_keys and c.index not in on_path:
            twins.setdefault(key, []).append(c)
    anchor = None if broken else _anchor(path, store, twins)
    incomplete = not broken and anchor is None and not top.self_signed
    for c in uniq:
        if c.index in on_path:
            continue
        if (subject_der(c.cert), spki_der(c.cert)) in path_keys or any(
                _issued_by(p.cert, c.cert) for p in path if not p.self_signed):
            # another copy of a certificate on the path (the same name and key, signed
            # by someone else: a cross-sign), or another issuer of one: it is on a path
            continue
        if incomplete and c.self_signed and c.is_ca and _may_be_beyond_gap(top, c, store):
            # A root pasted with a leaf whose intermediate is missing is most likely the
            # chain's own root beyond the gap: say it is included, not that it is unrelated.
            out.append(_root_included(c))
            continue
        what_ja, what_en = (
            ("ほかの証明書を発行していないCA証明書",
             "a CA certificate that issued none of the others")
            if c.is_ca else ("別のサーバー証明書", "another end-entity certificate"))
        out.append(finding(
            "chain.unrelated", c.index,
            f"オブジェクト{c.index}({_cn(c)})はオブジェクト{leaf.index}のチェーンに含まれない"
            f"{what_ja}です。取り除いてください。",
            f"Object {c.index} ({_cn(c)}) is {what_en}, not on the chain of object "
            f"{leaf.index}. Remove it."))

    if not broken:
        out.extend(_trust_verdict(path, leaf, uniq, anchor, store, now))
    return ChainResult(out, leaf, path)


def _bad_self_signature(c: ChainCert, store: TrustRoots) -> bool:
    """Self-issued (subject = issuer) but not self-signed, and no root of that name signed
    it either: the signature is broken."""
    try:
        if c.cert.subject != c.cert.issuer:
            return False
    except Exception:
        return False
    return not any(_issued_by(c.cert, r) for r in store.issuers_of(c.cert))


def _may_be_beyond_gap(top: ChainCert, root: ChainCert, store: TrustRoots) -> bool:
    """Can this self-signed CA be the chain's root, above the missing certificate?

    Its name is the top certificate's issuer, or it is a public root (any of which may
    have issued the missing intermediate), or it belongs to the organisation of the
    missing issuer. When the names say nothing (no organisation on either side), it is
    given the benefit of the doubt.
    """
    if root.cert.subject == top.cert.issuer or store.contains(root.cert):
        return True
    org = x509.NameOID.ORGANIZATION_NAME
    mine = {a.value for a in root.cert.subject.get_attributes_for_oid(org)}
    theirs = {a.value for a in top.cert.issuer.get_attributes_for_oid(org)}
    if not mine and not theirs:
        return not top.is_ca  # a CA's issuer is the very next certificate: not this one
    return bool(mine & theirs)


def _anchor(
    path: list[ChainCert], store: TrustRoots,
    twins: dict[tuple[bytes, bytes], list[ChainCert]],
) -> int | None:
    """Where the path meets the trust store: the first certificate that is a store root
    (the same certificate, or the same name and key: a cross-sign), or that a store
    root issued; a pasted twin of it (same name and key, another issuer) counts too."""
    for k, c in enumerate(path):
        more = twins.get((subject_der(c.cert), spki_der(c.cert)), ()) if twins else ()
        for cand in (c, *more):
            if store.contains(cand.cert):
                return k
            if not cand.self_signed and any(
                    _issued_by(cand.cert, r) for r in store.issuers_of(cand.cert)):
                return k
    return None


def _root_included(root: ChainCert) -> Finding:
    return finding(
        "chain.root_included", root.index,
        f"オブジェクト{root.index}({_cn(root)})は自己署名のルート証明書です。"
        "サーバーに設定する必要はありません(ブラウザーが持っています)。",
        f"Object {root.index} ({_cn(root)}) is a self-signed root; servers need not send it "
        "(clients already hold their roots).")


def _trust_verdict(
    path: list[ChainCert], leaf: ChainCert, pasted: list[ChainCert], anchor: int | None,
    store: TrustRoots, now: datetime,
) -> list[Finding]:
    out: list[Finding] = []
    top = path[-1]
    if top.self_signed and not (len(path) == 1 and not top.is_ca):
        out.append(_root_included(top))
    if anchor is None:
        if top.self_signed and len(path) == 1 and not top.is_ca:
            return out  # a lone self-signed server certificate: cert.self_signed says it all
        gone = removed_roots().root(top.cert) if top.self_signed else \
            removed_roots().issuer(top.cert)
        if gone is not None:
            out.append(_root_removed(top, gone))
        elif top.self_signed:
            out.append(finding(
                "chain.untrusted_root", top.index,
                f"ルート証明書 {_cn(top)} は信頼されたルート(Mozillaのルートと --trust)"
                "に含まれません。"
                "ブラウザーは警告を表示します。公的なCAの証明書を使用するか、"
                "プライベートCAのルートを利用者に配布してください。",
                f"The root {_cn(top)} is not in the trust store (Mozilla's roots plus --trust); "
                "browsers will warn. Use a publicly trusted CA, or distribute your private "
                "CA's root to the clients."))
        else:
            out.append(_incomplete(top))
        return out
    for at in path[anchor:]:
        if at.self_signed or not store.contains(at.cert):
            continue
        out.append(finding(
            "chain.cross_signed", at.index,
            f"オブジェクト{at.index}({_cn(at)})は信頼されたルート証明書 {_cn(at)} のクロス署名版"
            "(同じ名前と公開鍵を持ち、別のルートが署名したもの)です。クライアントは手元のルートで"
            "検証を終えるため、その先の証明書は不要です。",
            f"Object {at.index} ({_cn(at)}) is a cross-sign of the trusted root {_cn(at)} "
            "(the same name and key, signed by another root). Clients stop at the root they "
            "hold, so nothing above it is needed."))
    if _verifies(leaf, pasted, store, now) or (
            _private(path, anchor, store) and _own_path_ok(path[: anchor + 1], store, now)):
        out.append(finding(
            "chain.trusted", leaf.index,
            "チェーンは信頼されたルート証明書まで検証できました。",
            "The chain builds and verifies to a trusted root."))
    return out


def _incomplete(top: ChainCert) -> Finding:
    url = top.aia_ca_issuers[0] if top.aia_ca_issuers else None
    ja_url = f"中間証明書は {url} から入手できます。" if url else ""
    en_url = f" It can be fetched from {url}." if url else ""
    issuer = top.cert.issuer.rfc4514_string()
    return finding(
        "chain.incomplete", top.index,
        f"オブジェクト{top.index}の発行者({issuer})の証明書がありません。"
        f"中間証明書が不足しています。{ja_url}受け取った証明書をすべてインストールしてください。",
        f"The issuer of object {top.index} ({issuer}) is missing: an intermediate "
        f"certificate is missing.{en_url} Install every certificate you received.")


def _root_removed(top: ChainCert, gone: RemovedRoot) -> Finding:
    expired = gone.not_after <= gone.removed_on
    why_ja = f"(ルート自体の有効期限は{gone.not_after})" if expired else ""
    why_en = f" (the root itself expired on {gone.not_after})" if expired else ""
    return finding(
        "chain.root_removed", top.index,
        f"このチェーンのルート証明書 {gone.name} は、Mozillaのルートストアから削除されました"
        f"({gone.removed_on}ごろ、certifi {gone.removed_in}){why_ja}。中間証明書の不足では"
        "ありません。現在も信頼されているルートにつながる中間証明書(CAが配布している新しい"
        "チェーン)に入れ替えるか、証明書を再発行してください。",
        f"The chain's root {gone.name} was removed from Mozilla's root store (around "
        f"{gone.removed_on}, certifi {gone.removed_in}){why_en}. No intermediate is "
        "missing: replace the intermediates with the CA's current chain to a root that is "
        "still trusted, or have the certificate reissued.")


def _private(path: list[ChainCert], anchor: int, store: TrustRoots) -> bool:
    """True when the anchor is a root added with --trust, not one of Mozilla's."""
    from analyzers.trust import mozilla_roots

    at = path[anchor].cert
    moz = mozilla_roots()
    if moz.contains(at):
        return False
    return not any(_issued_by(at, r) for r in moz.issuers_of(at))


def _own_path_ok(path: list[ChainCert], store: TrustRoots, now: datetime) -> bool:
    """OpenSSL's view for a private anchor: every link signed, every certificate in its
    validity period, every issuer a CA. (cryptography also applies its web-PKI CA
    profile to the anchor, which a private root made by `openssl req -x509` fails.)"""
    for i, c in enumerate(path):
        if not c.cert.not_valid_before_utc <= now <= c.cert.not_valid_after_utc:
            return False
        if _unknown_critical(c.cert):
            return False
        if i and not c.is_ca and not _v1(c.cert):
            return False
    return True


# Critical extensions OpenSSL knows how to process; any other critical one fails a path.
_KNOWN_CRITICAL = frozenset({
    "2.5.29.15", "2.5.29.19", "2.5.29.37", "2.5.29.17", "2.5.29.18", "2.5.29.30",
    "2.5.29.32", "2.5.29.33", "2.5.29.36", "2.5.29.54", "2.5.29.14", "2.5.29.35",
    "1.3.6.1.5.5.7.1.1", "2.5.29.31", "2.5.29.46", "1.3.6.1.5.5.7.1.24"})


def _unknown_critical(cert: x509.Certificate) -> bool:
    try:
        return any(e.critical and e.oid.dotted_string not in _KNOWN_CRITICAL
                   for e in cert.extensions)
    except Exception:
        return False


def _v1(cert: x509.Certificate) -> bool:
    return cert.version == x509.Version.v1


def _verifies(leaf: ChainCert, pasted: list[ChainCert], store: TrustRoots,
              now: datetime) -> bool:
    """Real path validation by cryptography (time, signatures, CA constraints), with every
    pasted certificate offered as an intermediate so it builds its own path."""
    others = [c.cert for c in pasted if c is not leaf]
    if _unknown_critical(leaf.cert):
        return False  # OpenSSL refuses it too (a CT precertificate's poison extension)
    for ca_policy in (verification.ExtensionPolicy.webpki_defaults_ca(), _LENIENT_CA):
        try:
            builder = (
                verification.PolicyBuilder()
                .store(store.store())
                .time(now)
                .extension_policies(
                    ca_policy=ca_policy,
                    ee_policy=verification.ExtensionPolicy.permit_all(),
                )
            )
            builder.build_client_verifier().verify(leaf.cert, others)
        except Exception:  # VerificationError, or a policy the verifier cannot express
            continue
        return True
    return False


# OpenSSL's CA profile: basicConstraints must be there; keyUsage, AKI and the rest may be
# missing (a root from `openssl req -x509` has no keyUsage).
_LENIENT_CA = verification.ExtensionPolicy.permit_all().require_present(
    x509.BasicConstraints, verification.Criticality.AGNOSTIC, None)
