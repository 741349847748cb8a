"""Findings about the container an object came in: a DER file, a PKCS#12 bundle, a
PKCS#7 body under a CERTIFICATE label, an OCSP response."""

from __future__ import annotations

from analyzers.findings import Finding, finding
from analyzers.objects import Parsed

_CONVERT = {
    "certificate": ("openssl x509 -inform der -in FILE.cer -out FILE.pem", "CERTIFICATE"),
    "csr": ("openssl req -inform der -in FILE.csr -out FILE.pem", "CERTIFICATE REQUEST"),
    "pkcs7": ("openssl pkcs7 -inform der -in FILE.p7b -print_certs -out FILE.pem", "PKCS7"),
    "crl": ("openssl crl -inform der -in FILE.crl -out FILE.pem", "X509 CRL"),
    "public_key": ("openssl pkey -pubin -inform der -in FILE.der -out FILE.pem", "PUBLIC KEY"),
    "private_key": ("openssl pkey -inform der -in FILE.der -out FILE.pem", "PRIVATE KEY"),
}


def container_findings(i: int, p: Parsed) -> list[Finding]:
    out: list[Finding] = []
    if p.pkcs12:
        n = len(p.children)
        locked = p.fields.get("encrypted")
        ja_lock = ("パスワードで保護されているため、中身は確認していません。" if locked and not n
                   else f"証明書を{n}件取り出しました。")
        en_lock = ("It is password-protected, so its contents were not read. " if locked and not n
                   else f"{n} certificate(s) were read from it. ")
        out.append(finding(
            "pkcs12.found", i,
            "PKCS#12(PFX/.p12)ファイルです。証明書と秘密鍵をまとめたもので、秘密鍵を含みます。"
            f"{ja_lock}チャットに貼ったり送ったりせず、鍵は漏洩したものとして扱ってください。"
            "BEGIN/END行で囲んでもPEMにはなりません。証明書だけを取り出すには "
            "openssl pkcs12 -in FILE.pfx -clcerts -nokeys -out cert.pem、"
            "中間証明書は -cacerts -nokeys を使います。IISには「証明書のインポート」で"
            "そのまま読み込めます。",
            "This is a PKCS#12 (PFX/.p12) bundle: a certificate together with its private key. "
            f"{en_lock}Do not paste or send it; treat the key as exposed. Wrapping it in "
            "BEGIN/END lines does not make it PEM. To extract the certificate: openssl pkcs12 "
            "-in FILE.pfx -clcerts -nokeys -out cert.pem (intermediates: -cacerts -nokeys). "
            "IIS imports it as it is (Import certificate)."))
    elif p.other == "ocsp_response":
        status = p.extra.get("certificate_status") or p.extra.get("ocsp_status") or "?"
        out.append(finding(
            "pem.unknown_label", i,
            f"これはOCSPレスポンス(証明書の失効確認の応答、状態: {status})で、証明書ではありません。"
            "サーバーに設定する証明書は -----BEGIN CERTIFICATE----- のファイルです。",
            f"This is an OCSP response (a revocation status answer; status: {status}), not a "
            "certificate. The certificate to install is the -----BEGIN CERTIFICATE----- file."))
    elif p.relabelled is not None:
        n = len(p.children)
        out.append(finding(
            "pem.bad_der", i,
            f"ラベルは「{p.relabelled}」ですが、中身は証明書1件ではなくPKCS#7(.p7b)です。"
            f"展開して証明書{n}件を解析しました。ApacheやnginxにはPEMの証明書が必要です: "
            "openssl pkcs7 -in FILE -print_certs -out chain.pem で変換してください。",
            f"The label says \"{p.relabelled}\" but the body is a PKCS#7 bundle (.p7b), not "
            f"one certificate. It was expanded and its {n} certificate(s) analysed. Apache "
            "and nginx need PEM certificates: convert it with openssl pkcs7 -in FILE "
            "-print_certs -out chain.pem."))
    if p.der_file and not p.pkcs12 and p.other is None:
        cmd, label = _CONVERT.get(p.kind, _CONVERT["certificate"])
        out.append(finding(
            "pem.der_file", i,
            "バイナリのDER形式のファイルです(テキストのPEMではありません)。ApacheやnginxはPEM "
            f"(-----BEGIN {label}-----)を必要とします。変換: {cmd}",
            "This is a binary DER file, not PEM text. Apache and nginx expect PEM "
            f"(-----BEGIN {label}-----); convert it: {cmd}"))
    return out
