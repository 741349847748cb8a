"""Properties of redact() and the scanner that must hold around any chat text."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_analyzers_pki import NOW, pki

from analyzers import analyze, redact

# chat-like text: Japanese, ASCII, whitespace and the odd dash or backtick
chatter = st.text(
    alphabet=st.sampled_from(list("証明書鍵です。 abcXYZ019-`>\n\t\u3000:&;")), max_size=60
)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(before=chatter, after=chatter)
def test_redact_never_keeps_key_lines(before: str, after: str) -> None:
    key = pki()[2].key_pem
    out = redact(f"{before}\n{key}{after}")
    for line in key.splitlines()[1:-1]:
        assert line not in out
    assert "[private key removed" in out


@SETTINGS
@given(before=chatter, after=chatter, crlf=st.booleans())
def test_a_certificate_in_chatter_is_always_found(before: str, after: str, crlf: bool) -> None:
    pem = pki()[2].pem
    if crlf:
        pem = pem.replace("\n", "\r\n")
    r = analyze(f"{before}\n{pem}\n{after}", now=NOW)
    subjects = [o.subject for o in r.objects if o.kind == "certificate"]
    assert "CN=www.example.com" in subjects
    json.dumps(r.to_dict(), ensure_ascii=False)


@SETTINGS
@given(cut=st.integers(min_value=0, max_value=1400), junk=chatter)
def test_any_truncation_or_splice_gives_a_report(cut: int, junk: str) -> None:
    pem = pki()[2].pem
    r = analyze(pem[:cut] + junk + pem[cut:], now=NOW)
    assert r.findings or r.objects
    for f in r.findings:
        assert f.message and f.message_en
