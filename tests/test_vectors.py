"""Real certificates no one here wrote: every x509 file of the `cryptography_vectors`
package (NIST PKITS included) and its PKCS#7 bundles must give a well-formed report
without a crash or a leaked warning, and a few known files must be read right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from analyzer_checks import NOW, analyze_quietly, assert_well_formed
from cryptography import x509
from cryptography.hazmat.primitives import hashes

cryptography_vectors = pytest.importorskip("cryptography_vectors")
VECTORS = Path(cryptography_vectors.__file__).resolve().parent
SKIP_SUFFIXES = {".py", ".pyc", ".typed"}


def vector_files() -> Iterator[Path]:
    for folder in ("x509", "pkcs7"):
        for p in sorted((VECTORS / folder).rglob("*")):
            if p.is_file() and p.suffix not in SKIP_SUFFIXES and "__pycache__" not in p.parts:
                yield p


FILES = list(vector_files())
IDS = [str(p.relative_to(VECTORS)) for p in FILES]


def test_vector_inventory() -> None:
    # A package change that drops most files should not pass quietly.
    assert len(FILES) > 1500, len(FILES)
    assert any("PKITS_data" in i for i in IDS)
    suffixes = {p.suffix for p in FILES}
    assert {".pem", ".der", ".crt", ".crl", ".p7b"} <= suffixes, suffixes


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_vector_gives_a_well_formed_report(path: Path) -> None:
    data = path.read_bytes()
    report = analyze_quietly(data, source=path.name)
    assert_well_formed(report, source=path.name)


def _fingerprints(pem: bytes) -> list[str]:
    return [c.fingerprint(hashes.SHA256()).hex() for c in x509.load_pem_x509_certificates(pem)]


def _cert_fps(path: str) -> tuple[list[str], list[str]]:
    """(sha256 of certificate objects in report order, codes)."""
    report = analyze_quietly((VECTORS / path).read_bytes(), now=NOW)
    d = assert_well_formed(report)
    fps = [str(o["sha256"]).replace(":", "").lower() for o in d["objects"]
           if o["kind"] == "certificate"]
    return fps, list(report.codes)


def test_chain_file_yields_both_certificates_in_order() -> None:
    path = "x509/cryptography.io.chain.pem"
    fps, _ = _cert_fps(path)
    assert fps == _fingerprints((VECTORS / path).read_bytes())
    assert len(fps) == 2


def test_chain_with_garbage_yields_both_certificates_in_order() -> None:
    path = "x509/cryptography.io.chain_with_garbage.pem"
    fps, codes = _cert_fps(path)
    assert fps == _fingerprints((VECTORS / "x509/cryptography.io.chain.pem").read_bytes())
    assert "pem.none_found" not in codes


@pytest.mark.parametrize("path", ["x509/cryptography.io.with_garbage.pem",
                                  "x509/cryptography.io.pem"])
def test_text_around_the_pem_still_yields_its_certificate(path: str) -> None:
    fps, codes = _cert_fps(path)
    assert fps == _fingerprints((VECTORS / "x509/cryptography.io.pem").read_bytes())
    assert "pem.none_found" not in codes


def test_old_x509_certificate_label_is_known() -> None:
    fps, codes = _cert_fps("x509/cryptography.io.old_header.pem")
    assert len(fps) == 1 and "pem.unknown_label" not in codes


def test_encrypted_legacy_key_next_to_certificate() -> None:
    fps, codes = _cert_fps("x509/cryptography.io.with_headers.pem")
    assert len(fps) == 1
    assert "key.encrypted_private_key" in codes


def test_pkits_der_certificate() -> None:
    path = "x509/PKITS_data/certs/GoodCACert.crt"
    fps, codes = _cert_fps(path)
    der = (VECTORS / path).read_bytes()
    assert fps == [x509.load_der_x509_certificate(der).fingerprint(hashes.SHA256()).hex()]
    assert "pem.none_found" not in codes


def test_der_pkcs7_bundle_is_expanded() -> None:
    path = VECTORS / "pkcs7/amazon-roots.p7b"
    report = analyze_quietly(path.read_bytes())
    d = assert_well_formed(report)
    kinds = [o["kind"] for o in d["objects"]]
    assert "pkcs7.found" in report.codes
    assert kinds.count("certificate") == 2, kinds  # Amazon Root CA 2 and 3


def test_csr_and_private_key_files() -> None:
    csr = analyze_quietly((VECTORS / "x509/requests/rsa_sha256.pem").read_bytes())
    assert [o.kind for o in csr.objects] == ["csr"] and "csr.found" in csr.codes
    bad = analyze_quietly((VECTORS / "x509/requests/invalid_signature.pem").read_bytes())
    assert "csr.bad_signature" in bad.codes
    key = analyze_quietly((VECTORS / "x509/custom/ca/ca_key.pem").read_bytes())
    assert "key.private_key" in key.codes


def test_md2_root_is_not_a_weak_signature() -> None:
    # weak_signature is for certificates that are not self-signed; a root's own
    # signature is never checked by clients. OpenSSL 3 cannot verify MD2 at all, so
    # "self-signed" has to be decided without the signature (subject == issuer).
    _, codes = _cert_fps("x509/verisign_md2_root.pem")
    assert "cert.weak_signature" not in codes
    assert "chain.incomplete" not in codes  # its issuer is itself, not a missing CA
