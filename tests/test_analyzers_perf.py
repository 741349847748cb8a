"""Cost grows linearly with the paste: in its size, in hostile runs of one character,
and in the number of blocks. Measured by growth between two sizes (tests/growth.py);
absolute figures are in bench/bench_check.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from growth import assert_linear
from test_analyzers_pki import NOW, pki

from analyzers import analyze, has_analysable_content, hosts_in_text, redact

# (unit, repetitions at the small size); the large size is 16 times more, about 1 MB.
HOSTILE = [
    ("-", 62_500),
    ("--ab", 15_625),
    ("-- BEGIN x " * 100 + "\n", 60),
    ("a.", 31_250),
    ("MII", 20_800),
    ("BEGIN PRIVATE KEY ", 3_500),
    ("\u3000", 62_500),
    ("-----BEGIN", 6_250),
    ("- ", 31_250),
    ("> ", 31_250),  # e-mail quote markers (analyzers.decode)
    ("\\n-----BEGIN X ", 300),  # escaped newlines next to boundaries (a block each)
    ('"-----BEGIN CERTIFICATE----- ab \\n', 150),  # quotes, prose, escapes: many blocks
]
FUNCTIONS: dict[str, Callable[[str], object]] = {
    "analyze": lambda t: analyze(t, now=NOW),
    "redact": redact,
    "hosts_in_text": hosts_in_text,
    "has_analysable_content": has_analysable_content,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize(("unit", "small"), HOSTILE, ids=[u[:12] for u, _ in HOSTILE])
def test_hostile_runs_cost_linear_time(name: str, unit: str, small: int) -> None:
    assert_linear(FUNCTIONS[name], unit, small=small, label=f"{name}({unit[:12]!r})")


def test_cost_is_linear_in_the_size_of_a_real_paste() -> None:
    _root, inter, leaf = pki()
    unit = "チェーンです www.example.com\n```\n" + leaf.pem + inter.pem + "```\n"
    assert_linear(FUNCTIONS["analyze"], unit, small=20, factor=8, label="paste")
    assert_linear(redact, unit, small=20, factor=8, label="redact paste")


def test_cost_is_linear_in_the_number_of_blocks() -> None:
    _, _, leaf = pki()
    assert_linear(FUNCTIONS["analyze"], leaf.pem + "next\n", small=50, factor=8, label="blocks")
