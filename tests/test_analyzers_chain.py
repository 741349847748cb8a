"""Chain findings: order, links by signature, duplicates, unrelated, incomplete, root, trust."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_analyzers_pki import NOW, Issued, make_cert, pki, rsa_key

from analyzers import Report, analyze, load_trust_roots


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}


def run(*certs: Issued, trust: tuple[Issued, ...] = (), host: str | None = None) -> Report:
    return analyze("".join(c.pem for c in certs), now=NOW, trust=[t.cert for t in trust],
                   host=host)


CHAIN_CODES = {
    "chain.order", "chain.incomplete", "chain.root_included", "chain.untrusted_root",
    "chain.unrelated", "chain.duplicate", "chain.bad_signature", "chain.trusted",
}


def test_full_chain_with_trusted_private_root() -> None:
    root, inter, leaf = pki()
    r = run(leaf, inter, root, trust=(root,))
    assert codes(r) & CHAIN_CODES == {"chain.root_included", "chain.trusted"}
    assert not r.has_errors
    assert r.certificates_checked == 3
    assert [o.kind for o in r.objects] == ["certificate"] * 3


def test_root_not_in_store_is_untrusted() -> None:
    root, inter, leaf = pki()
    r = run(leaf, inter, root)
    assert codes(r) & CHAIN_CODES == {"chain.root_included", "chain.untrusted_root"}
    untrusted = next(f for f in r.findings if f.code == "chain.untrusted_root")
    assert untrusted.object == 2 and untrusted.severity == "error"


def test_leaf_and_intermediate_verify_to_trusted_root() -> None:
    root, inter, leaf = pki()
    assert codes(run(leaf, inter, trust=(root,))) & CHAIN_CODES == {"chain.trusted"}


@pytest.mark.parametrize("order", [(1, 0), (0, 2, 1), (2, 1, 0), (1, 2, 0)])
def test_wrong_order_is_reported_with_the_right_order(order: tuple[int, ...]) -> None:
    chain = pki()[::-1]  # leaf, inter, root
    r = run(*(chain[i] for i in order), trust=(pki()[0],))
    found = codes(r)
    assert "chain.order" in found
    assert "chain.unrelated" not in found and "chain.incomplete" not in found
    f = next(f for f in r.findings if f.code == "chain.order")
    right = " → ".join(str(order.index(i)) for i in sorted(order))
    assert right in f.message and right in f.message_en


def test_leaf_alone_is_incomplete_and_names_the_aia_url() -> None:
    _, _, leaf = pki()
    r = run(leaf)
    assert codes(r) == {"chain.incomplete"}
    f = r.findings[0]
    assert f.severity == "warning" and f.object == 0
    assert "http://ca.example.net/inter.crt" in f.message
    assert "http://ca.example.net/inter.crt" in f.message_en
    assert "browser-untrusted-warning" in f.faq


def test_duplicate_certificate() -> None:
    root, inter, leaf = pki()
    r = run(leaf, inter, inter, trust=(root,))
    assert codes(r) & CHAIN_CODES == {"chain.duplicate", "chain.trusted"}
    assert next(f for f in r.findings if f.code == "chain.duplicate").object == 2


def test_second_leaf_and_foreign_ca_are_unrelated() -> None:
    root, inter, leaf = pki()
    other = make_cert("shop.example.org", issuer=inter)
    stranger = make_cert("Stranger CA", ca=True, key=rsa_key("stranger"))
    r = run(leaf, other, inter, stranger, trust=(root,))
    unrelated = sorted(f.object or 0 for f in r.findings if f.code == "chain.unrelated")
    assert unrelated == [1, 3]
    assert "chain.order" not in codes(r)
    assert "chain.trusted" in codes(r)


def test_wrong_intermediate_with_the_same_name_is_a_bad_signature() -> None:
    root, _inter, leaf = pki()
    impostor = make_cert("Test Intermediate CA", issuer=root, ca=True, key=rsa_key("impostor"))
    r = run(leaf, impostor, root, trust=(root,))
    found = codes(r)
    assert "chain.bad_signature" in found
    assert not found & {"chain.unrelated", "chain.trusted", "chain.incomplete"}
    f = next(f for f in r.findings if f.code == "chain.bad_signature")
    assert "bad-digital-signature" in f.faq


def test_lone_self_signed_server_certificate() -> None:
    cert = make_cert("selfsigned.example.com", key=rsa_key("self"))
    r = run(cert)
    assert codes(r) == {"cert.self_signed"}


def test_expired_leaf_is_not_trusted() -> None:
    root, inter, _ = pki()
    old = make_cert("old.example.com", issuer=inter, not_before=NOW - timedelta(days=400),
                    not_after=NOW - timedelta(days=1))
    r = run(old, inter, trust=(root,))
    assert "cert.expired" in codes(r)
    assert "chain.trusted" not in codes(r)


def test_intermediate_and_root_without_leaf() -> None:
    root, inter, _ = pki()
    r = run(root, inter, trust=(root,))
    # the lowest CA starts the path; the root follows it, so the order is wrong
    assert {"chain.order", "chain.root_included"} <= codes(r)
    assert "chain.unrelated" not in codes(r)


def test_mozilla_roots_do_not_trust_a_private_root() -> None:
    _root, inter, leaf = pki()
    r = run(leaf, inter)
    assert codes(r) & CHAIN_CODES == {"chain.incomplete"}


def test_trust_roots_object_and_pem_files(tmp_path: Path) -> None:
    root, inter, leaf = pki()
    path = tmp_path / "private-root.pem"
    path.write_text(root.pem)
    roots = load_trust_roots([str(path)])
    assert load_trust_roots([str(path)]) is roots  # cached
    assert len(roots) > 100 and roots.contains(root.cert)
    r = analyze(leaf.pem + inter.pem, now=NOW, trust=roots)
    assert "chain.trusted" in codes(r)
    assert not load_trust_roots().contains(root.cert)


def test_mozilla_roots_load_without_warnings() -> None:
    # pytest runs with filterwarnings=error: certifi's serial-0 roots must not leak one
    from analyzers import trust

    trust._mozilla_roots.cache_clear()
    trust._load_cached.cache_clear()
    roots = load_trust_roots()
    assert len(roots) > 100
