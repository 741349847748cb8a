"""Speed: a 1 MB paste in under a second, and no quadratic cost in the number of blocks."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from test_analyzers_pki import NOW, pki

from analyzers import analyze, has_analysable_content, hosts_in_text, redact


def best_of(n: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def test_one_megabyte_paste_under_a_second() -> None:
    _root, inter, leaf = pki()
    unit = "チェーンです www.example.com\n```\n" + leaf.pem + inter.pem + "```\n"
    text = unit * (1_000_000 // len(unit) + 1)
    assert len(text) >= 1_000_000
    analyze(text[:10_000], now=NOW)  # warm up imports and the trust store
    assert best_of(2, lambda: analyze(text, now=NOW)) < 1.0
    assert best_of(2, lambda: redact(text)) < 1.0


def test_hostile_megabyte_inputs_stay_fast() -> None:
    hostile = [
        "-" * 1_000_000,
        "--ab" * 250_000,
        ("-- BEGIN x " * 100 + "\n") * 1000,
        "a." * 500_000,
        "MII" * 333_000,
        "BEGIN PRIVATE KEY " * 55_000,
        "\u3000" * 1_000_000,
    ]
    fns: tuple[Callable[[str], object], ...] = (
        lambda t: analyze(t, now=NOW), redact, hosts_in_text, has_analysable_content)
    for text in hostile:
        for fn in fns:
            assert best_of(1, partial(fn, text)) < 1.0, text[:20]


def test_cost_is_linear_in_the_number_of_blocks() -> None:
    _, _, leaf = pki()
    small = (leaf.pem + "next\n") * 100
    large = small * 4
    analyze(small, now=NOW)
    t_small = best_of(3, lambda: analyze(small, now=NOW))
    t_large = best_of(3, lambda: analyze(large, now=NOW))
    assert t_large < t_small * 4 * 2.0  # 4x the blocks: about 4x the time, never 16x


def test_marginal_cost_of_a_three_certificate_chain_is_small() -> None:
    root, inter, leaf = pki()
    data = (leaf.pem + inter.pem + root.pem).encode()
    analyze(data, now=NOW, trust=[root.cert])
    per_run = best_of(20, lambda: analyze(data, now=NOW, trust=[root.cert]))
    assert per_run < 0.02  # openssl crl2pkcs7 | openssl pkcs7 -print_certs: ~10 ms+
