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
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import verification

from analyzers.findings import Finding, finding
from analyzers.signatures import issued_by
from analyzers.trust import TrustRoots


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
        fp = c.cert.fingerprint(hashes.SHA256())
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
        by_subject.setdefault(c.cert.subject.public_bytes(), []).append(c)
    issuer_of: dict[int, ChainCert] = {}
    wrong_issuer: dict[int, ChainCert] = {}
    for c in uniq:
        if c.self_signed:
            continue
        candidates = [p for p in by_subject.get(c.cert.issuer.public_bytes(), ()) if p is not c]
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
    on_path = {c.index for c in path}
    top = path[-1]
    incomplete = (
        not broken
        and not top.self_signed
        and not any(_issued_by(top.cert, r) for r in roots().issuers_of(top.cert))
    )
    for c in uniq:
        if c.index in on_path:
            continue
        if incomplete and c.self_signed and c.is_ca:
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
        out.extend(_trust_verdict(path, leaf, roots, now))
    return ChainResult(out, leaf, path)


def _root_included(root: ChainCert) -> Finding:
    return finding(
        "chain.root_included", root.index,
        f"オブジェクト{root.index}({_cn(root)})は自己署名のルート証明書です。"
        "サーバーに設定する必要はありません(ブラウザーが持っています)。",
        f"Object {root.index} ({_cn(root)}) is a self-signed root; servers need not send it "
        "(clients already hold their roots).")


def _trust_verdict(
    path: list[ChainCert], leaf: ChainCert, roots: Callable[[], TrustRoots], now: datetime
) -> list[Finding]:
    out: list[Finding] = []
    top = path[-1]
    store = roots()
    anchored = False
    if top.self_signed:
        if len(path) == 1 and not top.is_ca:
            # a lone self-signed server certificate: cert.self_signed says it all
            return out
        out.append(_root_included(top))
        anchored = store.contains(top.cert)
        if not anchored:
            out.append(finding(
                "chain.untrusted_root", top.index,
                f"ルート証明書 {_cn(top)} は信頼されたルート(Mozillaのルートと --trust)"
                "に含まれません。"
                "ブラウザーは警告を表示します。公的なCAの証明書を使用するか、"
                "プライベートCAのルートを利用者に配布してください。",
                f"The root {_cn(top)} is not in the trust store (Mozilla's roots plus --trust); "
                "browsers will warn. Use a publicly trusted CA, or distribute your private "
                "CA's root to the clients."))
            return out
    else:
        anchored = any(_issued_by(top.cert, r) for r in store.issuers_of(top.cert))
        if not anchored:
            url = top.aia_ca_issuers[0] if top.aia_ca_issuers else None
            ja_url = f"中間証明書は {url} から入手できます。" if url else ""
            en_url = f" It can be fetched from {url}." if url else ""
            issuer = top.cert.issuer.rfc4514_string()
            out.append(finding(
                "chain.incomplete", top.index,
                f"オブジェクト{top.index}の発行者({issuer})の証明書がありません。"
                f"中間証明書が不足しています。{ja_url}受け取った証明書をすべてインストールしてください。",
                f"The issuer of object {top.index} ({issuer}) is missing: an intermediate "
                f"certificate is missing.{en_url} Install every certificate you received."))
            return out
    if anchored and _verifies(path, leaf, store, now):
        out.append(finding(
            "chain.trusted", leaf.index,
            "チェーンは信頼されたルート証明書まで検証できました。",
            "The chain builds and verifies to a trusted root."))
    return out


def _verifies(path: list[ChainCert], leaf: ChainCert, store: TrustRoots, now: datetime) -> bool:
    """Real path validation by cryptography (time, signatures, CA constraints)."""
    try:
        builder = (
            verification.PolicyBuilder()
            .store(store.store())
            .time(now)
            .extension_policies(
                ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=verification.ExtensionPolicy.permit_all(),
            )
        )
        verifier = builder.build_client_verifier()
        verifier.verify(leaf.cert, [c.cert for c in path[1:]])
    except Exception:  # VerificationError, or a policy the verifier cannot express
        return False
    return True
