"""analyzers.keys: private key material found by what it is, in every form, in linear
time; redact() removes all of it; analyze() flags it; nothing else is touched."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from growth import assert_linear
from keyforms import (
    NOW,
    KeyForm,
    b64_lines,
    certificate_pem,
    csr_pem,
    forms,
    keys,
    split_key,
)

from analyzers import analyze, find_private_keys, has_analysable_content, redact
from analyzers.keys import encoded_runs
from analyzers.redact import redact_held
from bot.paste import gather_messages

FORMS = forms()
KEY_CODES = {"key.private_key", "key.encrypted_private_key"}
ENCRYPTED = {"pem-encrypted", "pkcs12-base64"}


def leaked(form: KeyForm, text: str) -> list[str]:
    return [s for s in form.secrets if s in text]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_every_form_is_found_removed_and_flagged(form: KeyForm) -> None:
    assert form.secrets, "a form without secrets tests nothing"
    text = f"この鍵で合っていますか?\n{form.text}\nよろしくお願いします"
    assert find_private_keys(text)
    out = redact(text)
    assert leaked(form, out) == []
    assert "[private key removed" in out
    assert out.startswith("この鍵で合っていますか?")
    assert has_analysable_content(text)
    report = analyze(text, now=NOW, source="message")
    assert report.private_key_found
    want = "key.encrypted_private_key" if form.name in ENCRYPTED else "key.private_key"
    assert want in report.codes
    assert "pem.none_found" not in report.codes


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_every_form_alone_and_with_crlf(form: KeyForm) -> None:
    for text in (form.text, form.text.replace("\n", "\r\n"), f"```\n{form.text}```"):
        assert leaked(form, redact(text)) == [], text[:40]


def test_a_key_inside_a_longer_base64_run_at_any_offset() -> None:
    der = keys().rsa.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption())
    key_b64 = base64.b64encode(der).decode()
    for pad in range(0, 9):
        junk = base64.b64encode(bytes(range(40))).decode().rstrip("=")[: 12 + pad]
        text = f"log: {junk}{key_b64} end"
        out = redact(text)
        for i in range(0, len(key_b64) - 16, 16):
            assert key_b64[i : i + 16] not in out, (pad, i)
        assert out.startswith("log: ") and out.endswith(" end")


def test_the_parts_of_a_split_key() -> None:
    parts, secrets = split_key()
    first, middle, last = parts
    for part in (first, last):  # BEGIN without END; END whose BEGIN is in another message
        assert find_private_keys(part)
        assert not [s for s in secrets if s in redact(part)]
    assert find_private_keys(middle) == []  # alone, it is only base64: the Desk holds it
    for text in (middle, "> " + middle.replace("\n", "\n> "), f"続きです\n{middle}\n以上"):
        assert len(encoded_runs(text)) == 1
        out, replaced = redact_held(text)
        assert replaced and not [s for s in secrets if s in out]
    assert redact_held(f"続きです\n{middle}\n以上")[0] == "続きです\n[private key removed]\n以上"
    for text in ("hello", "証明書です\nMIIBIjANBgkqhkiG9w0B", "", "12:30", "ありがとう"):
        assert encoded_runs(text) == [] and redact_held(text) == (text, False)
    # a certificate (PEM or bare base64) is not taken for the middle of a key
    body = "\n".join(certificate_pem().strip().splitlines()[1:-1])
    for text in (certificate_pem(), body, f"{certificate_pem()}\n{middle}"):
        out, _ = redact_held(text)
        assert body in out


def test_openssl_text_of_a_dump_pasted_from_its_middle() -> None:
    form = next(f for f in FORMS if f.name == "openssl-text-rsa")
    tail = form.text[form.text.index("privateExponent:") - 40 :]
    assert leaked(form, redact(tail)) == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")
@pytest.mark.parametrize("command", [["pkey", "-text", "-noout"], ["rsa", "-text", "-noout"],
                                     ["pkey", "-text"], ["ec", "-text", "-noout"]])
def test_real_openssl_text_output(command: list[str], tmp_path: Path) -> None:
    k = keys()
    key = k.ec if command[0] == "ec" else k.rsa
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path = tmp_path / "k.pem"
    path.write_bytes(pem)
    out = subprocess.run(["openssl", *command, "-in", str(path)], capture_output=True,
                         text=True, check=True).stdout
    hex_lines = [line.strip() for line in out.splitlines()
                 if line.startswith("    ") and len(line.strip()) >= 16]
    assert len(hex_lines) > 3
    text = "openssl の出力です\n" + out
    red = redact(text)
    assert [h for h in hex_lines if h in red] == []
    assert "privateExponent" not in red and "priv:" not in red
    assert "key.private_key" in analyze(text, now=NOW).codes


# -- no false positives -----------------------------------------------------------------------


def negatives() -> list[tuple[str, str]]:
    cert = certificate_pem()
    body = "".join(cert.strip().splitlines()[1:-1])
    der = keys().cert.public_bytes(serialization.Encoding.DER)
    faq = Path(__file__).resolve().parent.parent / "knowledge" / "faq.toml"
    out = [
        ("certificate", cert),
        ("csr", csr_pem()),
        ("certificate-base64", body),
        ("certificate-base64-lines", "\n".join(b64_lines(der))),
        ("certificate-hex", der.hex()),
        ("public-key", keys().rsa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()),
        ("openssh-public", keys().ed.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()),
        ("japanese", "秘密鍵をうっかり消してしまいました。証明書の再発行はできますか?"),
        ("prose", "How do I begin with a private key backup? Send the private key END to end."),
        ("mention", "-----BEGIN PRIVATE KEY----- で始まるファイルと -----END PRIVATE KEY----- "
                    "の間をコピーすればいいですか?"),
        ("json", '{"d": "2026-06-01", "p": "page", "id": "abcdefghijklmnopqrstuvwx"}'),
        ("jwk-public", '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",'
                       '"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}'),
        ("fingerprint", "SHA256 Fingerprint=" + ":".join(["AB"] * 32)),
        ("field-words", "privateExponent: とは何ですか?\nprime1: の意味は?"),
        ("faq", faq.read_text(encoding="utf-8")),
    ]
    if shutil.which("openssl"):
        dump = subprocess.run(["openssl", "x509", "-text", "-noout"], input=cert,
                              capture_output=True, text=True, check=True).stdout
        out.append(("certificate-text", dump))
        req = subprocess.run(["openssl", "req", "-text", "-noout"], input=csr_pem(),
                             capture_output=True, text=True, check=True).stdout
        out.append(("csr-text", req))
    return out


@pytest.mark.parametrize("case", negatives(), ids=lambda c: c[0])
def test_no_false_positive(case: tuple[str, str]) -> None:
    _, text = case
    assert find_private_keys(text) == []
    assert redact(text) == text
    assert not analyze(text, now=NOW).private_key_found


def test_a_certificate_beside_a_key_is_still_analysed() -> None:
    form = next(f for f in FORMS if f.name == "pem-pkcs8")
    text = f"{certificate_pem()}\n{form.text}"
    report = analyze(text, now=NOW)
    assert "match.key_match" in report.codes and "key.private_key" in report.codes
    out = redact(text)
    assert certificate_pem() in out and leaked(form, out) == []


# -- linear time ------------------------------------------------------------------------------

ADVERSARIAL = [
    "-", " ", "BEGIN", "-----BEGIN ", "---BEGIN", "-----BEGIN PRIVATE KEY-----\n",
    "-----END PRIVATE KEY-----\n", "- ", "-\n", "－", "A", "MIIE", "AgEA", "MAIBAA",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "020100", "3082", "privateExponent:\n",
    "    00:a1:\n", "Private-Key: \n", '"d":"', '"d": "AAAAAAAAAAAAAAAAAAAA", ',
    "Private-Lines: 2000\n", "PuTTY-User-Key-File-3: ", "BEGIN PRIVATE KEY ",
    "A" * 63 + "\n", "-BEGIN-", "==", "AAAA=",
]


@pytest.mark.parametrize("unit", ADVERSARIAL, ids=repr)
def test_detector_is_linear(unit: str) -> None:
    small = max(1, 2_000 // len(unit))
    assert_linear(find_private_keys, unit, small=small, label=f"find {unit!r}")


@pytest.mark.parametrize("unit", ["-", " ", "-----BEGIN PRIVATE KEY-----\nAAAA", "AgEA" * 8,
                                  "MIIE" + "-" * 30 + "\n"], ids=repr)
def test_redact_and_paste_grouping_are_linear(unit: str) -> None:
    small = max(1, 2_000 // len(unit))
    assert_linear(redact, unit, small=small, label=f"redact {unit!r}")
    assert_linear(lambda t: list(gather_messages(t.splitlines(keepends=True))), unit,
                  small=small, label=f"paste {unit!r}")
    assert_linear(lambda t: list(gather_messages([t])), unit, small=small,
                  label=f"one line {unit!r}")


def test_mixed_adversarial_text_is_linear() -> None:
    unit = "".join(ADVERSARIAL)
    assert_linear(find_private_keys, unit, small=4, label="mix")
    assert_linear(redact, unit, small=4, label="mix")
    assert_linear(redact_held, unit, small=4, label="held mix")


@pytest.mark.parametrize("unit", ["A" * 20 + "\n", "AAAA\n", "00:a1:b2\n", "- \n", "A"],
                         ids=repr)
def test_held_redaction_is_linear(unit: str) -> None:
    assert_linear(redact_held, unit, small=max(1, 2_000 // len(unit)), label=f"held {unit!r}")
