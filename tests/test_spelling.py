"""English typos are read as the FAQ's own words, and nothing else is respelt."""

from __future__ import annotations

import pytest

from knowledge import Matcher, load_kb
from knowledge.spelling import MAX_RESPELT, Speller, english_words


@pytest.fixture(scope="module")
def speller() -> Speller:
    s = Speller()
    s.learn([
        "The certificate or key is invalid.",
        "There are secure and non-secure items on the page.",
        "How do I back up the private key file? Move the folder to the older server.",
        "Import the keyset into Key Manager; the email with the attachments arrived.",
    ])
    return s


@pytest.mark.parametrize(("typed", "read"), [
    ("Getting a warnnig: the certifcate is invaild", "Getting a warnnig: the certificate is invalid"),
    ("certificat or kye invaild?", "certificate or kye invalid?"),  # "kye": too short
    ("Certifcate problem", "certificate problem"),  # a capital at the start of a sentence
    ("where is the privte key", "where is the private key"),  # one edit in 6 letters
    ("the atachmnets did not arrive", "the attachments did not arrive"),  # two in 11
])
def test_typos_become_the_faqs_words(speller: Speller, typed: str, read: str) -> None:
    assert speller.respell(typed) == read


@pytest.mark.parametrize("text", [
    "a folder of invoices",  # real words, though "folder" is one edit from "older"
    "My email signature does not show up in Gmail.",  # a name within a sentence
    "OpenSSL and certifcateX and SSLCertifcate",  # capitals inside a word: identifiers
    "see www.certifcate.com and certifcate.pem and /etc/certifcate/ and a_certifcate",
    "証明書がinvaildと言われます",  # a Latin word glued to Japanese is still a word...
])
def test_real_words_names_and_identifiers_stay(speller: Speller, text: str) -> None:
    expected = text.replace("invaild", "invalid") if "invaild" in text else text
    assert speller.respell(text) == expected


def test_two_words_equally_near_is_no_answer() -> None:
    s = Speller()
    s.learn(["cancel the parcel"])
    assert s.nearest("marcel") is None  # one edit from both: neither is the reading
    assert s.nearest("cancek") == "cancel"


def test_an_empty_faq_respells_nothing() -> None:
    assert Speller().respell("certifcate invaild") == "certifcate invaild"


def test_real_english_words_list() -> None:
    words = english_words()
    assert {"folder", "invoices", "renewal", "sweater"} <= words
    assert not {"instal", "accidently", "certifcate"} & words  # listed, but as misspellings
    assert len(words) > 40_000


def test_a_long_paste_looks_up_a_bounded_number_of_words(speller: Speller,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = Speller.nearest
    monkeypatch.setattr(Speller, "nearest", lambda self, w: calls.append(w) or real(self, w))
    text = " ".join(f"zqxwv{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(500))
    assert speller.respell(text) == text
    assert len(calls) == MAX_RESPELT


def test_the_seed_faq_answers_an_english_question_with_typos() -> None:
    m = Matcher(load_kb())
    typed = m.match("Getting a warnnig that the certifcate or key is invaild. What does it mean?")
    plain = m.match("Getting a warning that the certificate or key is invalid. What does it mean?")
    assert typed.answered and typed.entry is not None
    assert typed.entry.id == plain.entry.id == "certificate-or-key-invalid"  # type: ignore[union-attr]
    assert typed.score == pytest.approx(plain.score)
