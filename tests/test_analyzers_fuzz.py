"""Property tests for the scanner and analyzer: whatever people paste, analyze() returns
a well-formed report, redact() never lets key material through, and the work grows
linearly with the number of blocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from analyzer_checks import NOW, analyze_quietly, assert_well_formed
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from growth import growth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzers import analyze, redact

CERTS = Path(__file__).resolve().parent / "data" / "certs"
SEEDS = [(CERTS / p).read_text("utf-8") for p in (
    "fixtures/leaf.pem", "fixtures/int.pem", "cases/csr_clean.pem", "cases/key_rsa.key",
    "cases/key_encrypted_legacy.key", "cases/p7b_pem.pem", "cases/crl_pem.pem",
    "cases/chat_chain_two_fences.txt", "cases/match_cert_key.pem",
)]
KEYS = [(CERTS / p).read_text("utf-8") for p in (
    "cases/key_rsa.key", "cases/key_ec.key", "cases/key_pkcs8.key",
    "cases/key_encrypted_pkcs8.key", "cases/key_encrypted_legacy.key",
)]
CERT_PEM = (CERTS / "fixtures/leaf.pem").read_text("utf-8")

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Characters that steer the scanner into its interesting branches.
NASTY = [*"-=/+ \t\r\n`&;<>", "\u3000", "\u00a0", "\u200b", "\ufeff", "－", "—", "–",
                                     "‐", "Ａ", "ｚ", "０", "BEGIN ", "END ", "-----",
                                     "-----BEGIN CERTIFICATE-----\n", "-----END ",
                                     "PRIVATE KEY-----", "&amp;", "&lt;", "```"]
PEMISH = st.lists(st.sampled_from(
    [*NASTY, *"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"]),
    max_size=400).map("".join)


def _says_something(data: str | bytes, **kw: Any) -> dict[str, Any]:
    """Well-formed, and never silent: no object found means at least one finding."""
    d = assert_well_formed(analyze_quietly(data, **kw))
    assert d["objects"] or d["findings"]
    return d


def _insert(line: str, s: str) -> str:
    return line[: len(line) // 2] + s + line[len(line) // 2:]


@SETTINGS
@given(st.one_of(st.text(max_size=2000), PEMISH))
def test_arbitrary_text_never_raises(text: str) -> None:
    _says_something(text)


@SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _says_something(data)


# ---- mutated real PEMs ---------------------------------------------------------------

@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "space", "dash", "truncate",
                                   "crlf", "indent"]))
        i = draw(st.integers(0, max(len(text) - 1, 0)))
        ch = draw(st.one_of(st.sampled_from(NASTY), st.characters()))
        if op == "flip":
            text = text[:i] + ch + text[i + 1:]
        elif op == "insert":
            text = text[:i] + ch + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1:]
        elif op == "space":
            text = text[:i] + draw(st.sampled_from([" ", "\t", "\u3000", "\u00a0"])) + text[i:]
        elif op == "dash":
            text = text.replace("-", draw(st.sampled_from(["－", "—", "–", "‐", "--", ""])),
                                draw(st.integers(1, 12)))
        elif op == "truncate":
            text = text[:i]
        elif op == "crlf":
            text = text.replace("\n", "\r\n")
        else:
            text = "\n".join("  " + line for line in text.split("\n"))
    return text


@SETTINGS
@given(mutated(), st.booleans())
def test_mutated_pems_never_raise(text: str, as_bytes: bool) -> None:
    _says_something(text.encode("utf-8", "surrogatepass") if as_bytes else text)


CLEAN_CERTS = [(CERTS / "fixtures" / f"{s}.pem").read_text("utf-8") for s in ("leaf", "int")]


@SETTINGS
@given(st.lists(st.sampled_from(CLEAN_CERTS), min_size=1, max_size=3), st.data())
def test_whitespace_damage_is_looked_past(pems: list[str], data: st.DataObject) -> None:
    """Indentation, trailing blanks, CRLF, U+3000 and invisible characters in the body
    never lose a certificate: the same certificates come out, in order."""
    expected = [c.fingerprint(hashes.SHA256()).hex()
                for c in x509.load_pem_x509_certificates("".join(pems).encode())]
    out = []
    for line in "".join(pems).splitlines():
        boundary = line.startswith("-----")
        lead = data.draw(st.sampled_from(["", "", " ", "  ", "\t", "\u3000"]))
        trail = data.draw(st.sampled_from(["", "", " ", "\t", "  "]))
        if not boundary and data.draw(st.booleans()):
            line = _insert(line, data.draw(st.sampled_from(["\u200b", "\u00a0", "\ufeff"])))
        out.append(lead + line + trail)
    text = data.draw(st.sampled_from(["\n", "\r\n"])).join(out) + "\n"
    text = data.draw(st.sampled_from(["{}", "```\n{}```", "```{}```", "証明書です:\n{}よろしく"])
                     ).format(text)
    d = _says_something(text)
    got = [str(o["sha256"]).replace(":", "").lower() for o in d["objects"]
           if o["kind"] == "certificate"]
    assert got == expected
    codes = {f["code"] for f in d["findings"]}
    assert not codes & {"pem.none_found", "pem.bad_base64", "pem.bad_der", "pem.missing_end"}


@SETTINGS
@given(mutated(), st.sampled_from(["www.example.jp", "例え.jp", "", "*", "a" * 300]))
def test_mutated_pems_with_host_never_raise(text: str, host: str) -> None:
    _says_something(text, host=host)


# ---- redaction -----------------------------------------------------------------------

def _body_lines(block: str) -> list[str]:
    return [s.strip() for s in block.splitlines()[1:-1]
            if len(s.strip()) >= 16 and ":" not in s]


def _damage(block: str, how: str) -> str:
    if how == "crlf":
        return block.replace("\n", "\r\n")
    if how == "indent":
        return "".join("    " + line for line in block.splitlines(keepends=True))
    if how == "trailing":
        return "".join(line.rstrip("\n") + "  \n" for line in block.splitlines(keepends=True))
    if how == "fence":
        return "```" + block.strip() + "```"
    return block


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(KEYS), st.text(max_size=200), st.text(max_size=200),
       st.sampled_from(["plain", "crlf", "indent", "trailing", "fence"]), st.booleans())
def test_redact_never_leaks_key_lines(key: str, before: str, after: str, how: str,
                                      with_cert: bool) -> None:
    text = before + "\n" + _damage(key, how) + "\n" + (CERT_PEM if with_cert else "") + after
    out = redact(text)
    for line in _body_lines(key):
        assert line[:40] not in out
    if with_cert:
        assert _body_lines(CERT_PEM)[3] in out  # certificates are not secrets


# ---- linear in the number of blocks -----------------------------------------------------

def _many_certs(n: int) -> str:
    """n distinct EC leaves under one CA, then the CA: a long but plausible paste."""
    key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bulk Test CA")])
    start = NOW - dt.timedelta(days=10)

    def cert(subject: x509.Name, serial: int, ca: bool) -> str:
        c = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
             .public_key(key.public_key()).serial_number(serial)
             .not_valid_before(start).not_valid_after(start + dt.timedelta(days=200))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
             .sign(key, hashes.SHA256()))
        return c.public_bytes(serialization.Encoding.PEM).decode()

    leaves = [cert(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"host{i}.example.jp")]),
                   1000 + i, False) for i in range(n)]
    return "".join(f"{i}番目:\n{p}" for i, p in enumerate(leaves)) + cert(ca_name, 1, True)


def test_block_scan_is_linear() -> None:
    small, large = 25, 200
    n_small = sum(o.kind == "certificate" for o in analyze(_many_certs(small), now=NOW).objects)
    report = analyze(_many_certs(large), now=NOW)
    n_large = sum(o.kind == "certificate" for o in report.objects)
    assert (n_small, n_large) == (small + 1, large + 1)  # every block read, none merged
    # Linear is ~8x, quadratic ~64x (tests/growth.py).
    ratio = growth(lambda t: analyze(t, now=NOW), _many_certs(small), _many_certs(large))
    assert ratio < 32, ratio


def test_one_megabyte_paste() -> None:
    pems = [(CERTS / "fixtures" / f"{s}.pem").read_text() for s in ("leaf", "int", "leaf2")]
    chunk = ("お世話になっております。証明書と中間証明書を送ります。\n```\n" + "".join(pems)
             + "```\nThanks, サポート担当\n")
    text = chunk * (1_000_000 // len(chunk.encode()) + 1)
    assert len(text.encode()) >= 1_000_000
    report = analyze(text, now=NOW)
    assert_well_formed(report)
    assert sum(o.kind == "certificate" for o in report.objects) == text.count("BEGIN CERT")
    # Its speed (< 1 s) is measured in bench/bench_check.py, not asserted here.
