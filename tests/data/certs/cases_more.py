"""Golden cases beyond PEM damage: chat wrapping, validity and strength, host names,
chains, CSRs, key matching, private keys, bundles, DER, other labels and junk."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from corpus_cases import (
    CERT_OK,
    CHAIN_QUIET,
    CLEAN,
    CSR,
    FORMAT,
    KEYS,
    LONE_LEAF_NOT,
    MATCH,
    NOT_CERT,
    Case,
    _bare,
    _relabel,
    but,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import PrivateFormat
from pki import AIA_INT, AIA_ROOT, key_pem, openssl_csr, openssl_dh_params, pem, pub_pem

DER = serialization.Encoding.DER
ONE = ["certificate"]
# A trusted, complete chain must raise none of these.
CHAIN_GOOD_NOT = [*CLEAN, *CERT_OK, *KEYS, *CHAIN_QUIET, "chain.incomplete",
                  "chain.untrusted_root"]
KEY_ALONE_NOT = [*but(CLEAN, "pem.crlf"), *MATCH, *NOT_CERT, "csr.found"]


def more_cases(p: Any, broken_csr: Callable[[Any], bytes], p7: Callable[..., bytes]
               ) -> list[Case]:
    c, k, r = p.certs, p.keys, p.csrs
    leaf = pem(c["leaf"])
    out: list[Case] = []

    def add(*args: Any, **kw: Any) -> None:
        out.append(Case(*args, **kw))

    # ---- chat wrapping: none of it is damage --------------------------------------
    add("chat_text_around", "お世話になっております。サーバー証明書を貼ります。\n\n" + leaf
        + "\nよろしくお願いいたします。Thanks!\n", ["chain.incomplete"], LONE_LEAF_NOT,
        "Japanese and English chatter before and after the block", kinds=ONE, ext="txt")
    add("code_fence_lines", "これです:\n```\n" + leaf + "```\n", ["chain.incomplete"],
        LONE_LEAF_NOT, "a Slack code fence on lines of its own", kinds=ONE, ext="txt")
    add("code_fence_glued", "```" + leaf.strip() + "```", ["chain.incomplete"], LONE_LEAF_NOT,
        "Slack glues the fence to the BEGIN and END lines", kinds=ONE, ext="txt")
    add("slack_escapes", "&lt;https://www.example.jp&gt; の証明書です (Sample &amp; Co.)\n"
        "```\n" + leaf + "```\n", ["chain.incomplete"], LONE_LEAF_NOT,
        "Slack's &lt; &gt; &amp; escapes around the block", kinds=ONE, ext="txt")
    add("chat_chain_two_fences", "サーバー証明書:\n```\n" + leaf + "```\n中間証明書:\n```\n"
        + pem(c["int"]) + "```\n", ["chain.trusted"], CHAIN_GOOD_NOT,
        "leaf and intermediate in two fences with text between; private root trusted",
        trust="root", kinds=["certificate", "certificate"], ext="txt")

    # ---- validity against NOW = 2026-06-01 and strength ---------------------------
    def cert(name: str, must: list[str], not_: list[str], note: str, **kw: Any) -> None:
        kw.setdefault("kinds", ONE)
        add(name, pem(c[name]), must, [*CLEAN, *KEYS, *MATCH, *not_], note, **kw)

    cert("leaf_expired", ["cert.expired"], ["cert.not_yet_valid", "cert.expiring_soon",
                                             "cert.weak_key", "cert.weak_signature"],
         "notAfter 2026-03-01")
    cert("leaf_not_yet_valid", ["cert.not_yet_valid"], ["cert.expired", "cert.expiring_soon"],
         "notBefore 2026-07-01")
    cert("leaf_expiring_10d", ["cert.expiring_soon"], ["cert.expired", "cert.not_yet_valid"],
         "10 days left")
    cert("leaf_expiring_30d", ["cert.expiring_soon"], ["cert.expired"],
         "exactly 30 days left: '30 days or fewer' includes 30")
    cert("leaf_60d_left", [], ["cert.expiring_soon", "cert.expired"], "60 days left: fine")
    cert("leaf_sha1", ["cert.weak_signature"], ["cert.weak_key", "cert.self_signed",
                                                "cert.expired", "cert.no_san"],
         "sha1WithRSAEncryption from the intermediate (made with `openssl ca -md sha1`)")
    cert("leaf_md5", ["cert.weak_signature"], ["cert.weak_key", "cert.self_signed"],
         "md5WithRSAEncryption from the intermediate (made with `openssl ca -md md5`)")
    cert("leaf_rsa1024", ["cert.weak_key"], ["cert.weak_signature", "cert.expired"],
         "RSA 1024-bit leaf key, SHA-256 signature")
    cert("leaf_p192", ["cert.weak_key"], ["cert.weak_signature"], "EC P-192 leaf key")
    cert("leaf_dsa", ["cert.weak_key"], ["cert.weak_signature"], "DSA 2048 leaf key")
    cert("leaf_ec", [], ["cert.weak_key", "cert.weak_signature", "cert.no_san"],
         "EC P-256 leaf key: strong enough")
    cert("root_sha1", ["chain.root_included", "chain.untrusted_root"],
         ["cert.weak_signature", "cert.self_signed", "cert.no_san", "chain.incomplete"],
         "a self-signed SHA-1 root CA alone: weak_signature is only for certificates "
         "that are not self-signed, self_signed/no_san only for end-entity ones")
    cert("leaf_self_signed", ["cert.self_signed"],
         ["cert.no_san", "cert.weak_signature", "chain.incomplete", "chain.root_included",
          *CHAIN_QUIET], "a self-signed server certificate (CA:FALSE) with SANs")
    cert("leaf_no_san", ["cert.no_san"], ["cert.hostname_mismatch", "cert.self_signed"],
         "no subjectAltName extension; no host given")

    # ---- host names --------------------------------------------------------------
    for name, stem, host, bad in (
        ("host_match", "leaf", "www.example.jp", False),
        ("host_match_apex", "leaf", "example.jp", False),
        ("host_match_case", "leaf", "WWW.Example.JP", False),
        ("host_mismatch", "leaf", "mail.example.com", True),
        ("host_wildcard_match", "leaf_wildcard", "shop.example.jp", False),
        ("host_wildcard_two_levels", "leaf_wildcard", "a.b.example.jp", True),
        ("host_wildcard_apex", "leaf_wildcard", "example.jp", True),
        ("host_no_san_cn_only", "leaf_no_san", "www.example.jp", True),
    ):
        must = ["cert.hostname_mismatch"] if bad else []
        not_ = ["cert.expired", "cert.weak_key", *([] if bad else ["cert.hostname_mismatch"])]
        if stem == "leaf_no_san":
            must.append("cert.no_san")
        add(name, pem(c[stem]), must, [*CLEAN, *KEYS, *not_],
            f"host={host} against SANs of {stem} (the CN is not consulted)", host=host,
            kinds=ONE)

    # ---- chains (fixtures concatenated in order) ---------------------------------
    def chain(name: str, files: list[str], must: list[str], not_: list[str], note: str,
              **kw: Any) -> None:
        add(name, None, must, [*CLEAN, *KEYS, *not_], note, files=files, **kw)

    chain("chain_trusted", ["leaf", "int"], ["chain.trusted"],
          [*but(CHAIN_GOOD_NOT, *CLEAN, *KEYS), "chain.root_included"],
          "leaf + intermediate, private root given with --trust", trust="root",
          kinds=["certificate", "certificate"])
    chain("chain_full_trusted", ["leaf", "int", "root"],
          ["chain.trusted", "chain.root_included"], but(CHAIN_GOOD_NOT, *CLEAN, *KEYS),
          "leaf + intermediate + root, root trusted", trust="root",
          kinds=["certificate"] * 3)
    chain("chain_full_untrusted", ["leaf", "int", "root"],
          ["chain.root_included", "chain.untrusted_root"],
          [*CHAIN_QUIET, "chain.incomplete", "chain.trusted", *CERT_OK],
          "a complete chain to a private root nobody trusts")
    chain("chain_leaf_int_no_trust", ["leaf", "int"], ["chain.incomplete"],
          [*CHAIN_QUIET, "chain.trusted", "chain.untrusted_root", "chain.root_included"],
          "the intermediate's issuer is neither given nor trusted: name its AIA URL",
          mention={"chain.incomplete": AIA_ROOT})
    chain("chain_missing_intermediate", ["leaf"], ["chain.incomplete"],
          [*CHAIN_QUIET, "chain.trusted", "chain.untrusted_root", "chain.root_included"],
          "root trusted but the intermediate is missing: name the leaf's AIA caIssuers URL",
          trust="root", mention={"chain.incomplete": AIA_INT})
    chain("chain_leaf_root_no_intermediate", ["leaf", "root"],
          ["chain.incomplete", "chain.root_included"],
          [*CHAIN_QUIET, "chain.trusted", "chain.untrusted_root"],
          "the customer pasted the root but not the intermediate: the root is the chain's "
          "own (not unrelated), the intermediate is what is missing",
          mention={"chain.incomplete": AIA_INT})
    chain("chain_reversed", ["root", "int", "leaf"], ["chain.order"],
          ["chain.unrelated", "chain.duplicate", "chain.bad_signature", "chain.incomplete"],
          "root first, leaf last", trust="root")
    chain("chain_int_first", ["int", "leaf"], ["chain.order"],
          ["chain.unrelated", "chain.duplicate", "chain.bad_signature"],
          "intermediate before the leaf", trust="root")
    chain("chain_root_in_middle", ["leaf", "root", "int"], ["chain.order"],
          ["chain.unrelated", "chain.duplicate", "chain.bad_signature"],
          "the root between leaf and intermediate", trust="root")
    chain("chain_second_leaf_other_site", ["leaf", "int", "other_leaf"], ["chain.unrelated"],
          ["chain.order", "chain.duplicate", "chain.bad_signature"],
          "another site's certificate from another CA appended", trust="root")
    chain("chain_second_leaf_same_ca", ["leaf", "int", "leaf2"], ["chain.unrelated"],
          ["chain.order", "chain.duplicate", "chain.bad_signature"],
          "a second leaf from the same intermediate appended", trust="root")
    chain("chain_unrelated_ca", ["leaf", "int", "other_root"], ["chain.unrelated"],
          ["chain.order", "chain.duplicate", "chain.bad_signature"],
          "a root that issued none of the others", trust="root")
    chain("chain_duplicate_int", ["leaf", "int", "int"], ["chain.duplicate"],
          ["chain.unrelated", "chain.order", "chain.bad_signature"],
          "the intermediate twice", trust="root")
    chain("chain_duplicate_leaf", ["leaf", "leaf", "int"], ["chain.duplicate"],
          ["chain.unrelated", "chain.order", "chain.bad_signature"], "the leaf twice",
          trust="root")
    chain("chain_wrong_intermediate", ["leaf", "int_evil"], ["chain.bad_signature"],
          ["chain.order", "chain.duplicate", "chain.trusted"],
          "an intermediate with the right name and the wrong key", trust="root")

    for md in ("sha1", "md5"):
        chain(f"chain_{md}_leaf", [f"leaf_{md}", "int"], ["cert.weak_signature"],
              ["chain.bad_signature", "chain.order", "chain.unrelated", "chain.duplicate",
               "chain.incomplete", "cert.weak_key"],
              f"a {md.upper()}-signed leaf with its real intermediate: the link is weak, "
              "not wrong (chain.trusted left open: the verifier refuses SHA-1 and MD5)",
              trust="root")

    # A leaf problem must not be misread as a chain problem when the verifier says no.
    misread = ["chain.incomplete", "chain.untrusted_root", "chain.bad_signature",
               "chain.order", "chain.unrelated"]
    chain("chain_expired_leaf", ["leaf_expired", "int"], ["cert.expired"], misread,
          "an expired leaf in a complete, trusted chain: expired, not incomplete",
          trust="root")
    chain("chain_no_san_leaf", ["leaf_no_san", "int"], ["cert.no_san"], misread,
          "a leaf without SAN (which the verifier requires) in a trusted chain",
          trust="root")
    chain("chain_host_mismatch", ["leaf", "int"], ["cert.hostname_mismatch"], misread,
          "a trusted chain for another host name", trust="root", host="mail.example.com")
    glued = pem(c["leaf"]).rstrip("\n") + pem(c["int"])
    add("chain_glued_blocks", glued, [],
        [*but(FORMAT, "pem.malformed_boundary", "pem.trailing_whitespace"), "pem.none_found",
         *KEYS, "chain.order", "chain.unrelated"],
        "`cat leaf.pem int.pem` where leaf.pem had no final newline: END and BEGIN on one "
        "line; both certificates must still be read", trust="root",
        kinds=["certificate", "certificate"])

    # ---- CSRs ------------------------------------------------------------------------
    csr_not = [*CLEAN, *KEYS, *MATCH, *NOT_CERT]

    def csr(name: str, text: str | bytes, must: list[str], note: str, **kw: Any) -> None:
        kw.setdefault("kinds", ["csr"])
        add(name, text, ["csr.found", *must], [*csr_not, *but(CSR, "csr.found", *must)],
            note, **kw)

    csr("csr_clean", pem(r["leaf"]), [], "C=JP, ST=Tokyo, L=Chiyoda-ku, O=Sample Corporation")
    csr("csr_new_label", _relabel(pem(r["leaf"]), "NEW CERTIFICATE REQUEST"), [],
        "the NEW CERTIFICATE REQUEST label (IIS, old Netscape)")
    csr("csr_der", r["leaf"].public_bytes(DER), [], "a DER CSR upload", input="bytes",
        ext="csr")
    csr("csr_ec_comma_period", pem(r["ec"]), [],
        "O=Sample Co., Ltd. (comma and period are allowed), EC P-256")
    csr("csr_cn_email_symbols", pem(r["cn_email_symbols"]), [],
        "CN=*.example.jp and emailAddress=admin@example.jp are exempt from the rule")
    csr("csr_ampersand", pem(r["ampersand"]), ["csr.invalid_characters"], "O=Sample & Co.")
    csr("csr_japanese_org", pem(r["japanese_org"]), ["csr.invalid_characters"],
        "O=株式会社サンプル")
    csr("csr_ou_slash", pem(r["ou_slash"]), ["csr.invalid_characters"], "OU=IT/Security")
    csr("csr_bad_signature", _der_to_pem(broken_csr(r["leaf"]), "CERTIFICATE REQUEST"),
        ["csr.bad_signature"],
        "the last signature byte flipped: parses, does not verify")
    csr("csr_rsa1024", pem(r["rsa1024"]), ["csr.weak_key"], "RSA 1024-bit CSR")
    for md in ("sha1", "md5"):
        csr(f"csr_{md}", openssl_csr(k["leaf2"], "/C=JP/O=Sample Corporation/CN=www.example.jp",
                                     md), [],
            f"a CSR self-signed with {md.upper()} (`openssl req -{md}`): a valid signature")

    # ---- matching a certificate with a CSR or key --------------------------------------
    def match(name: str, text: str, must: list[str], note: str) -> None:
        other = "match.key_mismatch" if "match.key_match" in must else "match.key_match"
        not_ = [*CLEAN, other, "cert.expired", "cert.weak_key"]
        if "key.private_key" not in must:
            not_.append("key.private_key")
        add(name, text, must, not_, note)

    pk8, trad = PrivateFormat.PKCS8, PrivateFormat.TraditionalOpenSSL
    match("match_cert_csr", leaf + pem(r["leaf"]), ["match.key_match", "csr.found"],
          "the certificate and the CSR it was issued for")
    match("mismatch_cert_csr", leaf + pem(r["other"]), ["match.key_mismatch", "csr.found"],
          "the same subject, but the CSR holds a newer key (FAQ: does not match)")
    match("match_cert_key", leaf + key_pem(k["leaf"], pk8),
          ["match.key_match", "key.private_key"], "leaf + its PKCS#8 key")
    match("mismatch_cert_key", leaf + key_pem(k["leaf2"], trad),
          ["match.key_mismatch", "key.private_key"], "leaf + another RSA key")
    match("match_ec_cert_key", pem(c["leaf_ec"]) + key_pem(k["leaf_ec"], trad),
          ["match.key_match", "key.private_key"], "EC leaf + its EC PRIVATE KEY")
    match("match_cert_pubkey", leaf + pub_pem(k["leaf"]), ["match.key_match"],
          "leaf + its public key")
    match("mismatch_cert_pubkey", leaf + pub_pem(k["other_leaf"]), ["match.key_mismatch"],
          "leaf + another public key")

    add("match_chain_key", leaf + pem(c["int"]) + key_pem(k["leaf"], trad),
        ["match.key_match", "key.private_key"], [*CLEAN, "match.key_mismatch"],
        "leaf + intermediate + the leaf's key: only the leaf is compared with the key",
        trust="root")
    add("match_cert_encrypted_key", leaf + key_pem(k["leaf"], trad, b"pass phrase"),
        ["key.encrypted_private_key"], [*CLEAN, *MATCH],
        "an encrypted key cannot be compared without its pass phrase: no match finding")

    # ---- private keys alone: reported, never echoed ----------------------------------
    def key(name: str, text: str, code: str, note: str, ext: str = "key") -> None:
        # an encrypted key may also count as a private key (same handling); not vice versa
        not_ = [*KEY_ALONE_NOT, *(["key.encrypted_private_key"]
                                   if code == "key.private_key" else [])]
        add(name, text, [code], not_, note, ext=ext, kinds=["private_key"])

    key("key_rsa", key_pem(k["leaf2"], trad), "key.private_key", "BEGIN RSA PRIVATE KEY")
    key("key_ec", key_pem(k["leaf_ec"], trad), "key.private_key", "BEGIN EC PRIVATE KEY")
    key("key_pkcs8", key_pem(k["root"], pk8), "key.private_key",
        "BEGIN PRIVATE KEY (the root CA's key, no less)")
    key("key_encrypted_pkcs8", key_pem(k["int"], pk8, b"pass phrase"),
        "key.encrypted_private_key",
        "BEGIN ENCRYPTED PRIVATE KEY; key.private_key left open (same handling)")
    key("key_encrypted_legacy", key_pem(k["leaf"], trad, b"pass phrase"),
        "key.encrypted_private_key",
        "RSA PRIVATE KEY with Proc-Type/DEK-Info headers (openssl genrsa -aes256)")
    add("key_der_pkcs8", k["leaf_ec"].private_bytes(DER, pk8, serialization.NoEncryption()),
        ["key.private_key"], KEY_ALONE_NOT, "a DER PKCS#8 key uploaded as a file",
        input="bytes", ext="der", kinds=["private_key"])
    add("key_in_chat", "秘密鍵はこれです。\n```\n" + key_pem(k["leaf_dsa"], pk8) + "```\n",
        ["key.private_key"], KEY_ALONE_NOT, "a DSA PKCS#8 key pasted in a fence", ext="txt")

    # ---- bundles, DER, other labels ---------------------------------------------------
    two = [c["leaf"], c["int"]]
    p7_not = [*CLEAN, *KEYS, *CHAIN_QUIET, "chain.untrusted_root"]
    add("p7b_pem", p7(two, serialization.Encoding.PEM).decode(),
        ["pkcs7.found", "chain.incomplete"], p7_not,
        "BEGIN PKCS7 with leaf + intermediate; a SET has no order, so no chain.order",
        kinds_include=["certificate", "certificate"])
    add("p7b_der", p7(two, DER), ["pkcs7.found", "chain.trusted"], p7_not,
        "a DER .p7b as Windows exports it; root trusted", input="bytes", ext="p7b",
        trust="root", kinds_include=["certificate", "certificate"])
    add("der_leaf_cer", c["leaf"].public_bytes(DER), ["chain.incomplete"], LONE_LEAF_NOT,
        "a DER .cer upload", input="bytes", ext="cer", kinds=ONE)
    add("pem_utf8_bom", b"\xef\xbb\xbf" + leaf.encode(), ["chain.incomplete"],
        but(LONE_LEAF_NOT, "pem.leading_whitespace", "pem.nonascii"),
        "a UTF-8 BOM from Notepad before BEGIN (bytes); whitespace/nonascii left open",
        input="bytes", kinds=ONE)
    add("trusted_certificate", p.extra["trusted_leaf"], ["chain.incomplete"], LONE_LEAF_NOT,
        "OpenSSL's BEGIN TRUSTED CERTIFICATE (cert + trust settings)", kinds=ONE)
    add("x509_certificate_label", _relabel(leaf, "X509 CERTIFICATE"), ["chain.incomplete"],
        LONE_LEAF_NOT, "the old BEGIN X509 CERTIFICATE label", kinds=ONE)
    add("crl_pem", p.extra["crl"], [], [*CLEAN, *KEYS, *NOT_CERT, "csr.found"],
        "BEGIN X509 CRL from the intermediate", kinds=["crl"])
    add("crl_der", bytes.fromhex(p.extra["crl_der"]), [], [*CLEAN, *KEYS, *NOT_CERT],
        "a DER CRL", input="bytes", ext="crl", kinds=["crl"])
    add("public_key_alone", pub_pem(k["leaf"]), [], [*CLEAN, *KEYS, *MATCH, *NOT_CERT],
        "BEGIN PUBLIC KEY alone", kinds=["public_key"])
    add("unknown_label_dh", openssl_dh_params(), ["pem.unknown_label"],
        [*but(FORMAT, "pem.unknown_label"), *KEYS, *NOT_CERT], "BEGIN DH PARAMETERS")
    add("unknown_label_with_leaf", openssl_dh_params() + leaf,
        ["pem.unknown_label", "chain.incomplete"],
        [*but(CLEAN, "pem.unknown_label"), *KEYS, *CERT_OK],
        "DH parameters and a certificate", kinds_include=["certificate"])
    der = c["leaf"].public_bytes(DER)
    bare_not = [*but(CLEAN, "pem.missing_headers"), *KEYS, *CERT_OK]
    add("bare_base64_wrapped", _bare(der), ["pem.missing_headers"], bare_not,
        "the base64 body without BEGIN/END lines, 64 columns", kinds=ONE)
    add("bare_base64_one_line", _bare(der, None), ["pem.missing_headers"], bare_not,
        "one long unwrapped line of base64", kinds=ONE)

    # ---- nothing to analyse ------------------------------------------------------
    none_not = [*but(FORMAT, "pem.bad_der"), *KEYS, *NOT_CERT, "csr.found"]
    add("empty_text", "", ["pem.none_found"], none_not, "empty message", kinds=[], ext="txt")
    add("empty_bytes", b"", ["pem.none_found"], none_not, "empty upload", input="bytes",
        ext="bin", kinds=[])
    add("chat_only", "IISで証明書をインストールすると 'The Page Cannot Be Displayed' と"
        "表示されます。どうすればいいですか?\n", ["pem.none_found"], none_not,
        "a question with no certificate", ext="txt", kinds=[])
    junk = random.Random(20260601).randbytes(4096)
    add("binary_junk", junk, ["pem.none_found"], none_not, "4 KiB of random bytes",
        input="bytes", ext="bin")
    add("bare_base64_not_a_cert", _bare(junk[:900]), ["pem.none_found"], none_not,
        "base64 that is not a certificate must not be claimed as one")
    return out


def _der_to_pem(der: bytes, label: str) -> str:
    return _bare(der).join([f"-----BEGIN {label}-----\n", f"-----END {label}-----\n"])
