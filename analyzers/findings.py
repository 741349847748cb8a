"""Finding records and the registry of every finding code (see DESIGN.md "Finding codes").

Modelled after pkilint: a code is a stable dotted name with a fixed severity; the
registry is the single source of its descriptions and FAQ links, so a finding can
never carry a severity or FAQ link that disagrees with the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

# FAQ entry ids (knowledge/faq.toml); grouped here so a typo fails at import time.
FAQ_IDS: tuple[str, ...] = (
    "install-all-certificates",
    "deleted-pending-request-or-key",
    "certificate-or-key-invalid",
    "ip-vs-name-based-hosting",
    "page-cannot-be-displayed",
    "secure-and-nonsecure-items",
    "change-ip-address",
    "wrong-site-certificate",
    "browser-untrusted-warning",
    "schannel-80090304-invalid-password",
    "capi2-80093005-invalid-certificate",
    "capi2-80093009-certificate-invalid",
    "does-not-match-certificate-requested",
    "must-be-viewed-over-secure-channel",
    "intermittent-server-not-found",
    "backup-private-key-iis4",
    "import-apache-key-into-iis",
    "migrate-iis4-to-apache",
    "migrate-iis4-to-iis5",
    "improperly-formatted-der-message",
    "enable-port-443-iis4",
    "bad-digital-signature",
)

_FORMAT = ("capi2-80093005-invalid-certificate", "capi2-80093009-certificate-invalid")
_UNTRUSTED = ("browser-untrusted-warning",)
_CHAIN = ("browser-untrusted-warning", "install-all-certificates")


@dataclass(frozen=True)
class CodeInfo:
    code: str
    severity: Severity
    description_ja: str
    description_en: str
    faq: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    object: int | None  # index into Report.objects; None for input-wide findings
    message: str  # Japanese
    message_en: str
    faq: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "object": self.object,
            "message": self.message,
            "message_en": self.message_en,
            "faq": list(self.faq),
        }


_TABLE: tuple[CodeInfo, ...] = (
    CodeInfo("pem.none_found", "error",
             "証明書・CSR・鍵(PEM、DER、BASE64)が見つかりません。",
             "No PEM, DER or bare-base64 X.509 object was found.",
             (*_FORMAT, "improperly-formatted-der-message")),
    CodeInfo("pem.leading_whitespace", "error",
             "BEGIN/END行または本文の行頭に空白(タブ・全角スペースを含む)があります。",
             "Spaces, tabs or U+3000 before a BEGIN/END line or a body line.", _FORMAT),
    CodeInfo("pem.trailing_whitespace", "error",
             "BEGIN/END行または本文の行末に空白があります。",
             "Spaces or tabs after a BEGIN/END line or a body line.", _FORMAT),
    CodeInfo("pem.missing_end", "error",
             "BEGIN行に対応するEND行がありません。",
             "A BEGIN line with no END line.", _FORMAT),
    CodeInfo("pem.label_mismatch", "error",
             "BEGIN行とEND行のラベルが一致しません。",
             "The BEGIN and END labels differ.", _FORMAT),
    CodeInfo("pem.malformed_boundary", "error",
             "BEGIN/END行のダッシュの数や文字(全角・類似ダッシュ)、キーワードが正しくありません。",
             "Wrong number of dashes, lookalike dashes or a mangled BEGIN/END keyword.",
             _FORMAT),
    CodeInfo("pem.nonascii", "error",
             "ブロック内に全角文字・ゼロ幅スペース・ノーブレークスペースなどの非ASCII文字があります。",
             "Non-ASCII characters inside a block (full-width, zero-width or no-break).",
             _FORMAT),
    CodeInfo("pem.bad_base64", "error",
             "本文が正しいBASE64ではありません。",
             "The body is not valid base64.", _FORMAT),
    CodeInfo("pem.bad_der", "error",
             "本文はデコードできますが、ラベルが示す構造(DER)になっていません。",
             "The body decodes, but not to the structure its label names.",
             (*_FORMAT, "improperly-formatted-der-message")),
    # CRLF is harmless (Windows writes it); no FAQ entry is about it.
    CodeInfo("pem.crlf", "info",
             "改行コードがCRLFです(通常は問題ありません)。",
             "CRLF line endings (normally harmless).", ()),
    CodeInfo("pem.missing_headers", "warning",
             "BEGIN/END行のないBASE64の証明書です。復元して解析しました。",
             "Bare base64 of a certificate with no BEGIN/END lines; recovered and analysed.",
             _FORMAT),
    CodeInfo("pem.unknown_label", "warning",
             "このツールが扱わないラベルのPEMブロックです。",
             "A PEM label that is not an X.509 or key type this tool knows.",
             ("capi2-80093005-invalid-certificate",)),
    CodeInfo("cert.expired", "error",
             "証明書の有効期限が切れています。",
             "The certificate has expired.", (*_UNTRUSTED, "certificate-or-key-invalid")),
    CodeInfo("cert.not_yet_valid", "error",
             "証明書の有効期間がまだ始まっていません。",
             "The certificate is not yet valid.",
             (*_UNTRUSTED, "certificate-or-key-invalid")),
    CodeInfo("cert.expiring_soon", "warning",
             "証明書の有効期限まで30日以内です。",
             "The certificate expires in 30 days or fewer.", _UNTRUSTED),
    CodeInfo("cert.weak_signature", "error",
             "MD2・MD5・SHA-1の弱い署名が使われています。",
             "MD2, MD5 or SHA-1 signature on a certificate that is not self-signed.",
             (*_UNTRUSTED, "bad-digital-signature")),
    CodeInfo("cert.weak_key", "error",
             "鍵が弱すぎます(RSA 2048ビット未満、EC 256ビット未満、またはDSA)。",
             "RSA under 2048 bits, EC under 256 bits, or DSA.",
             ("certificate-or-key-invalid", *_UNTRUSTED)),
    CodeInfo("cert.self_signed", "warning",
             "自己署名のサーバー証明書(CAではない)です。",
             "A self-signed end-entity certificate (not a CA).", _UNTRUSTED),
    CodeInfo("cert.no_san", "warning",
             "サーバー証明書にsubjectAltName(SAN)がありません。",
             "An end-entity certificate with no subjectAltName.",
             ("wrong-site-certificate", *_UNTRUSTED)),
    CodeInfo("cert.hostname_mismatch", "error",
             "指定のホスト名が証明書のSANに含まれていません。",
             "The host name is not covered by the certificate's SANs.",
             ("wrong-site-certificate", *_UNTRUSTED)),
    CodeInfo("chain.order", "error",
             "証明書がサーバー証明書→中間→ルートの順に並んでいません。",
             "The certificates are not in leaf-to-root order.", _CHAIN),
    CodeInfo("chain.incomplete", "warning",
             "中間証明書が不足しています(最上位の証明書の発行者が見つかりません)。",
             "A missing intermediate: the top certificate's issuer is neither supplied "
             "nor a trusted root.", _CHAIN),
    CodeInfo("chain.root_included", "info",
             "自己署名のルート証明書が含まれています(サーバーから送る必要はありません)。",
             "A self-signed root is included (servers need not send it).",
             ("install-all-certificates",)),
    CodeInfo("chain.untrusted_root", "error",
             "チェーンの最上位のルート証明書が信頼されていません。",
             "The chain ends at a self-signed root that is not in the trust store.", _CHAIN),
    CodeInfo("chain.unrelated", "error",
             "チェーンに関係のない証明書が含まれています。",
             "A certificate that is not on the path from the first end-entity certificate "
             "to its root.", ("install-all-certificates", "wrong-site-certificate")),
    CodeInfo("chain.duplicate", "warning",
             "同じ証明書が2回以上含まれています。",
             "The same certificate appears more than once.", ("install-all-certificates",)),
    CodeInfo("chain.bad_signature", "error",
             "発行者名は一致しますが、次の証明書の鍵で署名を検証できません(誤った中間証明書)。",
             "The issuer name matches the next certificate but the signature does not "
             "verify with its key (the wrong intermediate).",
             ("bad-digital-signature", *_CHAIN)),
    CodeInfo("chain.trusted", "info",
             "チェーンは信頼されたルートまで検証できました。",
             "The chain builds and verifies to a trusted root.", ("install-all-certificates",)),
    CodeInfo("csr.found", "info",
             "CSR(証明書署名要求)です。証明書の代わりにCSRをインストールすることはできません。",
             "A CSR was given; it cannot be installed in place of a certificate.",
             ("does-not-match-certificate-requested",)),
    CodeInfo("csr.bad_signature", "error",
             "CSRの自己署名を検証できません。",
             "The CSR's self-signature does not verify.",
             ("improperly-formatted-der-message", "bad-digital-signature")),
    CodeInfo("csr.invalid_characters", "error",
             "CSRのサブジェクト(CNとemailAddress以外)に使用できない記号または非ASCII文字があります。",
             "Subject fields other than CN and emailAddress hold forbidden symbols or "
             "non-ASCII text.", ("improperly-formatted-der-message",)),
    CodeInfo("csr.weak_key", "error",
             "CSRの鍵が弱すぎます(RSA 2048ビット未満、EC 256ビット未満、またはDSA)。",
             "The CSR's key is too weak (RSA under 2048 bits, EC under 256 bits, or DSA).",
             ("certificate-or-key-invalid",)),
    CodeInfo("key.private_key", "error",
             "秘密鍵が貼り付けられました。漏洩したものとして扱ってください。",
             "A private key was pasted; treat it as exposed.",
             ("deleted-pending-request-or-key", "backup-private-key-iis4")),
    CodeInfo("key.encrypted_private_key", "warning",
             "暗号化された秘密鍵が貼り付けられました。",
             "An encrypted private key was pasted.",
             ("deleted-pending-request-or-key", "backup-private-key-iis4")),
    CodeInfo("match.key_match", "info",
             "証明書とCSR・鍵の公開鍵が一致します。",
             "The certificate and the CSR or key share the public key.",
             ("does-not-match-certificate-requested",)),
    CodeInfo("match.key_mismatch", "error",
             "証明書とCSR・鍵の公開鍵が一致しません。",
             "The certificate and the CSR or key do not share the public key.",
             ("does-not-match-certificate-requested", "certificate-or-key-invalid",
              "schannel-80090304-invalid-password")),
    # ---- the real-world certificates issue (DESIGN.md "Finding codes to add") ----
    CodeInfo("pem.blank_line", "error",
             "ブロックの本文の途中またはEND行の直前に空行があります。",
             "An empty line inside a block or before its END line.", _FORMAT),
    CodeInfo("pem.joined_lines", "error",
             "ブロックの改行がスペースに置き換わったか、失われています(復元して解析しました)。",
             "The line breaks of a block were turned into spaces or lost; recovered.", _FORMAT),
    CodeInfo("pem.glued_boundary", "error",
             "END行と次のBEGIN行が1行につながっています。",
             "An END line and the next BEGIN line run together on one line.", _FORMAT),
    CodeInfo("pem.quoted", "warning",
             "ブロックが引用符の中、または\\nを含む文字列(JSON・YAML・コード)の中にあります(復元しました)。",
             "The block is inside quotes or a string with literal \\n; recovered.", _FORMAT),
    CodeInfo("pem.utf16", "error",
             "テキストがUTF-16(メモ帳の「Unicode」)です(復元しました)。",
             "The text is UTF-16 (Notepad \"Unicode\"); recovered.", _FORMAT),
    CodeInfo("pem.cr_only", "error",
             "行末がCRだけ(古いMac形式)です。",
             "Lines end in a bare CR.", _FORMAT),
    CodeInfo("pem.der_file", "info",
             "PEMテキストではなくバイナリのDERファイルです(変換方法を案内します)。",
             "A binary DER file where PEM text is expected; how to convert.",
             ("improperly-formatted-der-message", *_FORMAT)),
    CodeInfo("pkcs12.found", "warning",
             "PKCS#12(PFX)ファイルです。秘密鍵を含むため、鍵の取り扱いに注意してください。",
             "A PKCS#12 / PFX bundle; it holds a private key.",
             ("backup-private-key-iis4", "import-apache-key-into-iis",
              "deleted-pending-request-or-key")),
    CodeInfo("cert.unparsed_extension", "warning",
             "デコードできない拡張があります(ほかの拡張は読み取りました)。",
             "An extension that cannot be decoded; the others are still read.",
             ("certificate-or-key-invalid",)),
    CodeInfo("cert.nonstrict_der", "warning",
             "証明書が厳密なDERの規則に違反しています(OpenSSLやブラウザーは受け付ける場合があります)。",
             "The certificate breaks strict DER; OpenSSL and browsers may still accept it.",
             ("certificate-or-key-invalid", "improperly-formatted-der-message")),
    CodeInfo("chain.cross_signed", "info",
             "チェーン内の証明書は、信頼されたルートのクロス署名版です。",
             "A certificate in the chain is a cross-sign of a root in the trust store.",
             ("install-all-certificates",)),
    CodeInfo("chain.root_removed", "error",
             "チェーンのルート証明書はMozillaのルートストアから削除されています。",
             "The chain leads to a root that has been removed from Mozilla's store.", _CHAIN),
    CodeInfo("pkcs7.found", "info",
             "PKCS#7ファイルを展開して証明書を取り出しました。",
             "A PKCS#7 bundle was expanded into its certificates.",
             ("install-all-certificates",)),
)

REGISTRY: Mapping[str, CodeInfo] = MappingProxyType({c.code: c for c in _TABLE})

assert len(REGISTRY) == len(_TABLE), "duplicate code in _TABLE"
assert all(f in FAQ_IDS for c in _TABLE for f in c.faq), "unknown FAQ id in REGISTRY"


def finding(code: str, obj: int | None, message: str, message_en: str) -> Finding:
    """Build a Finding whose severity and FAQ links come from the registry."""
    info = REGISTRY[code]
    return Finding(code, info.severity, obj, message, message_en, info.faq)
