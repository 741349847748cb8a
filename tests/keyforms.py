"""One fresh private key rendered in every form people paste, with the strings of key
material that must never be kept (base64 and hex lines, JWK values, dump lines).

Keys are real (made with `cryptography` at import time of the caller, once per
process); the PuTTY, JWK and `openssl -text` layouts are rendered here from the key's
own numbers exactly as PuTTY and OpenSSL 3 write them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

NOW = datetime(2026, 6, 1, tzinfo=UTC)
_PEM = serialization.Encoding.PEM
_DER = serialization.Encoding.DER
_FMT = serialization.PrivateFormat
_NONE = serialization.NoEncryption()
WIDE_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"


@dataclass(frozen=True)
class KeyForm:
    name: str
    text: str
    secrets: tuple[str, ...]  # none of these may survive anywhere


@dataclass(frozen=True)
class Keys:
    rsa: rsa.RSAPrivateKey
    ec: ec.EllipticCurvePrivateKey
    ed: ed25519.Ed25519PrivateKey
    cert: x509.Certificate  # for the RSA key (PKCS#12) and as a negative case


@cache
def keys() -> Keys:
    r = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "keys.example.jp")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(r.public_key()).serial_number(4242)
        .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("keys.example.jp")]), False)
        .sign(r, hashes.SHA256())
    )
    return Keys(r, ec.generate_private_key(ec.SECP256R1()), ed25519.Ed25519PrivateKey.generate(),
                cert)


def b64_lines(data: bytes, width: int = 64) -> list[str]:
    s = base64.b64encode(data).decode()
    return [s[i : i + width] for i in range(0, len(s), width)]


def long_lines(text: str, *, skip_boundaries: bool = True) -> tuple[str, ...]:
    """The lines of 16+ characters (shorter ones can occur anywhere by chance)."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if len(s) >= 16 and not (skip_boundaries and ("BEGIN" in s or "END" in s)):
            out.append(s)
    return tuple(out)


def pem(key: object, fmt: serialization.PrivateFormat,
        enc: serialization.KeySerializationEncryption = _NONE) -> str:
    return key.private_bytes(_PEM, fmt, enc).decode()  # type: ignore[attr-defined]


def relabel(text: str, begin: str, end: str) -> str:
    lines = text.strip().splitlines()
    return "\n".join([begin, *lines[1:-1], end]) + "\n"


# -- openssl -text ------------------------------------------------------------------------


def _hex_block(n: int, size: int | None = None) -> list[str]:
    raw = n.to_bytes(size or (n.bit_length() + 7) // 8 or 1, "big")
    if size is None and raw[0] & 0x80:
        raw = b"\x00" + raw
    parts = [f"{b:02x}" for b in raw]
    rows = [parts[i : i + 15] for i in range(0, len(parts), 15)]
    return ["    " + ":".join(r) + (":" if i < len(rows) - 1 else "")
            for i, r in enumerate(rows)]


def rsa_text(key: rsa.RSAPrivateKey) -> tuple[str, tuple[str, ...]]:
    """`openssl pkey -text -noout` of an RSA key (OpenSSL 3 layout)."""
    priv = key.private_numbers()
    pub = priv.public_numbers
    out = [f"Private-Key: ({key.key_size} bit, 2 primes)", "modulus:", *_hex_block(pub.n),
           f"publicExponent: {pub.e} (0x{pub.e:x})"]
    secret: list[str] = []
    for label, value in (("privateExponent", priv.d), ("prime1", priv.p), ("prime2", priv.q),
                         ("exponent1", priv.dmp1), ("exponent2", priv.dmq1),
                         ("coefficient", priv.iqmp)):
        rows = _hex_block(value)
        out += [f"{label}:", *rows]
        secret += [r.strip() for r in rows if len(r.strip()) >= 16]
    return "\n".join(out) + "\n", tuple(secret)


def ec_text(key: ec.EllipticCurvePrivateKey) -> tuple[str, tuple[str, ...]]:
    priv = _hex_block(key.private_numbers().private_value, 32)
    point = key.public_key().public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint)
    out = ["Private-Key: (256 bit)", "priv:", *priv, "pub:",
           *_hex_block(int.from_bytes(point, "big"), len(point)),
           "ASN1 OID: prime256v1", "NIST CURVE: P-256"]
    return "\n".join(out) + "\n", tuple(r.strip() for r in priv if len(r.strip()) >= 16)


def ed25519_text(key: ed25519.Ed25519PrivateKey) -> tuple[str, tuple[str, ...]]:
    raw = key.private_bytes(serialization.Encoding.Raw, _FMT.Raw, _NONE)
    pub = key.public_key().public_bytes(serialization.Encoding.Raw,
                                        serialization.PublicFormat.Raw)
    priv = _hex_block(int.from_bytes(raw, "big"), 32)
    out = ["ED25519 Private-Key:", "priv:", *priv, "pub:",
           *_hex_block(int.from_bytes(pub, "big"), 32)]
    return "\n".join(out) + "\n", tuple(r.strip() for r in priv if len(r.strip()) >= 16)


# -- PuTTY .ppk (version 3, unencrypted) ----------------------------------------------------


def _string(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def _mpint(n: int) -> bytes:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big")
    return _string(raw)


def putty(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> tuple[str, tuple[str, ...]]:
    if isinstance(key, rsa.RSAPrivateKey):
        alg = b"ssh-rsa"
        p = key.private_numbers()
        public = _string(alg) + _mpint(p.public_numbers.e) + _mpint(p.public_numbers.n)
        private = _mpint(p.d) + _mpint(p.p) + _mpint(p.q) + _mpint(p.iqmp)
    else:
        alg = b"ssh-ed25519"
        pub = key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        public = _string(alg) + _string(pub)
        private = _string(key.private_bytes(serialization.Encoding.Raw, _FMT.Raw, _NONE))
    comment = b"key-20260601"
    mac = hmac.new(b"", _string(alg) + _string(b"none") + _string(comment) + _string(public)
                   + _string(private), hashlib.sha256).hexdigest()
    pub_lines = b64_lines(public)
    priv_lines = b64_lines(private)
    text = "\n".join([
        f"PuTTY-User-Key-File-3: {alg.decode()}", "Encryption: none",
        f"Comment: {comment.decode()}", f"Public-Lines: {len(pub_lines)}", *pub_lines,
        f"Private-Lines: {len(priv_lines)}", *priv_lines, f"Private-MAC: {mac}",
    ]) + "\n"
    return text, tuple(x for x in priv_lines if len(x) >= 16)


# -- JWK ------------------------------------------------------------------------------------


def _b64u(n: int, size: int | None = None) -> str:
    raw = n.to_bytes(size or (n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk_rsa(key: rsa.RSAPrivateKey) -> tuple[str, tuple[str, ...]]:
    p = key.private_numbers()
    private = {"d": _b64u(p.d), "p": _b64u(p.p), "q": _b64u(p.q), "dp": _b64u(p.dmp1),
               "dq": _b64u(p.dmq1), "qi": _b64u(p.iqmp)}
    members = ['  "kty": "RSA"', f'  "n": "{_b64u(p.public_numbers.n)}"',
               f'  "e": "{_b64u(p.public_numbers.e)}"',
               *(f'  "{k}": "{v}"' for k, v in private.items())]
    return "{\n" + ",\n".join(members) + "\n}\n", tuple(private.values())


def jwk_ec(key: ec.EllipticCurvePrivateKey) -> tuple[str, tuple[str, ...]]:
    n = key.private_numbers()
    d = _b64u(n.private_value, 32)
    x, y = _b64u(n.public_numbers.x, 32), _b64u(n.public_numbers.y, 32)
    return (f'{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}","d":"{d}"}}', (d,))


# -- every form -------------------------------------------------------------------------------


def forms() -> list[KeyForm]:
    k = keys()
    out: list[KeyForm] = []

    def add(name: str, text: str, secrets: tuple[str, ...] | None = None) -> None:
        out.append(KeyForm(name, text, secrets if secrets is not None else long_lines(text)))

    pkcs8 = pem(k.rsa, _FMT.PKCS8)
    add("pem-pkcs8", pkcs8)
    add("pem-pkcs1", pem(k.rsa, _FMT.TraditionalOpenSSL))
    add("pem-sec1", pem(k.ec, _FMT.TraditionalOpenSSL))
    add("pem-encrypted", pem(k.rsa, _FMT.PKCS8, serialization.BestAvailableEncryption(b"pw")))
    add("pem-openssh", pem(k.ed, _FMT.OpenSSH))
    add("label-typo", relabel(pkcs8, "-----BEGIN PRIVATEKEY-----", "-----END PRIVATEKEY-----"))
    add("label-lowercase", relabel(pkcs8, "-----begin private key-----",
                                   "-----end private key-----"))
    add("label-no-spaces", relabel(pkcs8, "-----BEGINPRIVATEKEY-----", "-----ENDPRIVATEKEY-----"))
    for dash in WIDE_DASHES:
        add(f"dashes-u{ord(dash):04x}", relabel(pkcs8, f"{dash * 5}BEGIN PRIVATE KEY{dash * 5}",
                                                f"{dash * 5}END PRIVATE KEY{dash * 5}"))
    add("label-fullwidth", relabel(pkcs8, "－－－－－ＢＥＧＩＮ ＰＲＩＶＡＴＥ ＫＥＹ－－－－－",
                                   "－－－－－ＥＮＤ ＰＲＩＶＡＴＥ ＫＥＹ－－－－－"))
    der = k.rsa.private_bytes(_DER, _FMT.PKCS8, _NONE)
    lines = b64_lines(der)
    add("bare-chat-first-line", "my key is " + "\n".join(lines) + "\n")
    add("bare-ja-first-line", "この鍵です " + "\n".join(lines) + "\nよろしく")
    # inside a longer base64 run, at every alignment (not at the run's start)
    # (the secrets are the key's own lines: the run is one line, and long_lines would skip
    # it whole when the random base64 happens to spell BEGIN or END, about 1 run in 170)
    for pad in ("Q", "QU", "QUF", "QUFB"):
        add(f"inside-run-{len(pad)}", pad + "".join(lines), tuple(x for x in lines if len(x) >= 16))
    add("lost-begin", "\n".join(lines) + "\n-----END PRIVATE KEY-----\n")
    add("der-pkcs1-bare", "\n".join(b64_lines(k.rsa.private_bytes(_DER, _FMT.TraditionalOpenSSL,
                                                                   _NONE))))
    add("der-sec1-bare", "\n".join(b64_lines(k.ec.private_bytes(_DER, _FMT.TraditionalOpenSSL,
                                                                 _NONE))))
    p12 = pkcs12.serialize_key_and_certificates(b"srv", k.rsa, k.cert, None,
                                                serialization.BestAvailableEncryption(b"pw"))
    add("pkcs12-base64", "\n".join(b64_lines(p12)) + "\n")
    hexed = der.hex()
    add("der-hex", "\n".join(hexed[i : i + 64] for i in range(0, len(hexed), 64)) + "\n")
    add("openssl-text-rsa", *rsa_text(k.rsa))
    add("openssl-text-ec", *ec_text(k.ec))
    add("openssl-text-ed25519", *ed25519_text(k.ed))
    add("putty-rsa", *putty(k.rsa))
    add("putty-ed25519", *putty(k.ed))
    add("jwk-rsa", *jwk_rsa(k.rsa))
    add("jwk-ec", *jwk_ec(k.ec))
    return out


def split_key(parts: int = 3) -> tuple[list[str], tuple[str, ...]]:
    """A PEM key cut into `parts` messages: BEGIN + lines, only lines, lines + END."""
    text = pem(keys().rsa, _FMT.PKCS8).strip().splitlines()
    body = text[1:-1]
    step = -(-len(body) // parts)
    chunks = [body[i : i + step] for i in range(0, len(body), step)]
    chunks[0] = [text[0], *chunks[0]]
    chunks[-1] = [*chunks[-1], text[-1]]
    return ["\n".join(c) for c in chunks], tuple(x for x in body if len(x) >= 16)


def certificate_pem() -> str:
    return keys().cert.public_bytes(_PEM).decode()


def csr_pem() -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csr.example.jp")])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(keys().ec,
                                                                          hashes.SHA256())
    return csr.public_bytes(_PEM).decode()
