"""Golden cases of issue 11 (real-world material): damage OpenSSL refuses, wrappings,
containers, one bad extension, non-strict DER, a cross-sign, a removed root."""

from __future__ import annotations

import base64
import json
from typing import Any

from corpus_cases import CLEAN, KEYS, Case, but
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pki import Issuer, build_cert, day, name, pem, rsa_key

DER = serialization.Encoding.DER
ONE = ["certificate"]


def real_cases(p: Any) -> list[Case]:
    c, k = p.certs, p.keys
    leaf = pem(c["leaf"])
    lines = leaf.strip("\n").split("\n")
    out: list[Case] = []

    def add(*args: Any, **kw: Any) -> None:
        out.append(Case(*args, **kw))

    def damaged(stem: str, data: str | bytes, code: str, note: str, **kw: Any) -> None:
        kw.setdefault("kinds", ONE)
        add(stem, data, [code], [*but(CLEAN, "pem.crlf", "pem.trailing_whitespace"), *KEYS],
            note, **kw)

    damaged("pem_blank_line_in_body", "\n".join([*lines[:5], "", *lines[5:]]) + "\n",
            "pem.blank_line", "an empty line inside the body (bc-java#758)")
    damaged("pem_blank_line_before_end", "\n".join([*lines[:-1], "", lines[-1]]) + "\n",
            "pem.blank_line", "an empty line before END (MoCOCrW#63)")
    damaged("pem_joined_by_spaces", " ".join(lines) + "\n", "pem.joined_lines",
            "every line break turned into a space")
    damaged("pem_cr_only", "\r".join(lines) + "\r", "pem.cr_only",
            "bare CR line endings (classic Mac); not the harmless CRLF")
    damaged("pem_double_quoted", '"' + leaf.strip("\n") + '"\n', "pem.quoted",
            "the block in double quotes")
    damaged("pem_json_string", json.dumps({"certificate": leaf}) + "\n", "pem.quoted",
            "PEM inside a JSON string with literal \\n", ext="json")
    damaged("pem_email_quoted_twice", "\n".join("> > " + line for line in lines) + "\n",
            "pem.quoted", "an e-mail reply quoted twice", ext="txt")
    damaged("pem_utf16_le_bom", leaf.encode("utf-16"), "pem.utf16",
            "Notepad 'Unicode' (UTF-16 LE with a BOM)", input="bytes")
    damaged("pem_utf16_le_no_bom", leaf.encode("utf-16-le"), "pem.utf16",
            "UTF-16 LE without a BOM", input="bytes")
    damaged("pem_glued_boundary", leaf.strip("\n") + pem(c["int"]), "pem.glued_boundary",
            "END and BEGIN on one line (simp_le#149)", kinds=["certificate", "certificate"])
    add("prose_quotes_boundaries", "My file starts with -----BEGIN CERTIFICATE----- and ends "
        "with -----END CERTIFICATE----- but IIS says 80093009\n", ["pem.none_found"],
        [*but(CLEAN, "pem.none_found")], "a question quoting the boundary lines is not a "
        "certificate", kinds=[], ext="txt")
    add("der_file_info", c["leaf"].public_bytes(DER), ["pem.der_file"],
        [*but(CLEAN, "pem.crlf"), *KEYS], "a binary DER .cer where PEM was expected",
        input="bytes", ext="cer", kinds=ONE)
    pfx = pkcs12.serialize_key_and_certificates(
        b"www", k["leaf"], c["leaf"], [c["int"]], serialization.NoEncryption())
    add("pkcs12_base64", base64.encodebytes(pfx).decode(), ["pkcs12.found"],
        ["pem.missing_headers", "pem.bad_der"], "a PFX pasted as base64: not to be wrapped "
        "in BEGIN PRIVATE KEY", ext="txt")

    # one undecodable extension (a truncated certificatePolicies) on a CA
    key = rsa_key()
    bad = x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.32"), b"\x30\x03\x02\x01")
    root = (x509.CertificateBuilder().subject_name(name("Broken Extension Root CA"))
            .issuer_name(name("Broken Extension Root CA")).public_key(key.public_key())
            .serial_number(0x77).not_valid_before(day(2020, 1, 1))
            .not_valid_after(day(2040, 1, 1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(bad, critical=False).sign(key, hashes.SHA256()))
    add("cert_unparsed_extension", pem(root), ["cert.unparsed_extension"],
        ["cert.self_signed", "cert.no_san", *KEYS], "a root whose certificatePolicies cannot "
        "be decoded: still a CA", kinds=ONE)

    # an explicit v1 version: strict DER refuses the encoded DEFAULT, OpenSSL reads it
    der = bytearray(c["leaf"].public_bytes(DER))
    at = der.find(bytes([0xA0, 0x03, 0x02, 0x01, 0x02]))
    der[at + 4] = 0
    add("cert_nonstrict_der", _pem_of(bytes(der)), ["cert.nonstrict_der"],
        ["pem.bad_der", *KEYS], "an explicitly encoded version (DER forbids encoding the "
        "DEFAULT): read by the lenient reader", kinds=ONE)

    # a cross-sign of a trusted root, and a chain to a root removed from Mozilla's store
    new_key, old_key, int_key = rsa_key(), rsa_key(), rsa_key()
    new_root = build_cert(name("certdesk New Root"), new_key.public_key(), None, new_key,
                          day(2020, 1, 1), day(2045, 1, 1), 0x31, ca=True)
    old_root = build_cert(name("certdesk Old Root"), old_key.public_key(), None, old_key,
                          day(2010, 1, 1), day(2035, 1, 1), 0x32, ca=True)
    cross = build_cert(name("certdesk New Root"), new_key.public_key(),
                       Issuer(old_key, old_root), old_key, day(2021, 1, 1), day(2030, 1, 1),
                       0x33, ca=True)
    issuing = build_cert(name("certdesk Issuing CA"), int_key.public_key(),
                         Issuer(new_key, new_root), new_key, day(2021, 1, 1),
                         day(2031, 1, 1), 0x34, ca=True)
    p.extra["new_root"] = pem(new_root)
    add("chain_cross_signed", pem(issuing) + pem(cross), ["chain.cross_signed",
        "chain.trusted"], ["chain.incomplete", "chain.unrelated", "chain.untrusted_root"],
        "an issuing CA and the cross-sign of the trusted new root by an old root",
        trust="new_root", kinds=["certificate", "certificate"])
    dst = x509.Name.from_rfc4514_string("CN=DST Root CA X3,O=Digital Signature Trust Co.")
    removed = (x509.CertificateBuilder().subject_name(name("certdesk Legacy Issuing CA"))
               .issuer_name(dst).public_key(int_key.public_key()).serial_number(0x35)
               .not_valid_before(day(2021, 1, 1)).not_valid_after(day(2031, 1, 1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .sign(old_key, hashes.SHA256()))
    add("chain_root_removed", pem(removed), ["chain.root_removed"],
        ["chain.incomplete", "chain.trusted"], "an intermediate issued by DST Root CA X3, "
        "which left Mozilla's store: the root was removed, no intermediate is missing",
        kinds=ONE)
    return out


def _pem_of(der: bytes) -> str:
    body = base64.encodebytes(der).decode().replace("\n", "")
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN CERTIFICATE-----", *rows, "-----END CERTIFICATE-----", ""])
