"""Benchmark of `certdesk check` and the analyzer, measured in one run.

Run:  .venv/bin/python -m bench.bench_check [--quick]

(a) the marginal cost of one 3-certificate chain inside one `certdesk check` run:
    `check` over 1 copy vs 101 copies of the chain file, (t101 - t1) / 100, and the
    in-process cost of analyze() on the chain after warm-up;
(b) `openssl crl2pkcs7 -nocrl -certfile F | openssl pkcs7 -print_certs -text -noout`
    on the same file; requirement: (a) <= (b) / 5;
(c) a 1 MB paste (many certificates and chatter) analysed in under 1 s;
(d) time for 100, 200 and 400 blocks, to show it is linear;
(e) `import analyzers` does not load fugashi, SQLAlchemy or Slack.
Prints a markdown table; exits 1 when a requirement fails.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.timing import best

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "certs" / "fixtures"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
NOW_ARG = "2026-06-01T00:00:00Z"
FORBIDDEN = ("fugashi", "sqlalchemy", "slack_sdk", "slack_bolt", "bot", "knowledge")

Row = tuple[str, str, str, bool | None]  # metric, measured, requirement, pass



def chain_file(tmp: Path) -> Path:
    path = tmp / "chain.pem"
    path.write_bytes(b"".join((FIXTURES / f"{s}.pem").read_bytes()
                              for s in ("leaf", "int", "root")))
    return path


def run_check(files: list[Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "check", "--json", "--now", NOW_ARG, *map(str, files)],
        cwd=ROOT, capture_output=True, check=False,
    )
    lines = proc.stdout.decode().splitlines()
    if proc.returncode not in (0, 1) or len(lines) != len(files):
        raise RuntimeError(f"certdesk check failed ({proc.returncode}): "
                           f"{proc.stderr.decode()[-500:]}")
    json.loads(lines[-1])


def run_openssl(path: Path) -> None:
    subprocess.run(
        f"openssl crl2pkcs7 -nocrl -certfile '{path}' | "
        "openssl pkcs7 -print_certs -text -noout",
        shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def many_certs(n: int) -> str:
    """n distinct leaves under one CA plus the CA, each preceded by a line of chat."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    ca = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench CA")])

    def cert(subject: x509.Name, serial: int, is_ca: bool) -> str:
        c = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca)
             .public_key(key.public_key()).serial_number(serial)
             .not_valid_before(NOW - dt.timedelta(days=30))
             .not_valid_after(NOW + dt.timedelta(days=300))
             .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
             .sign(key, hashes.SHA256()))
        return c.public_bytes(serialization.Encoding.PEM).decode()

    name = lambda i: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"h{i}.example.jp")])  # noqa: E731
    blocks = [f"{i}番目の証明書です:\n{cert(name(i), 10_000 + i, False)}" for i in range(n - 1)]
    return "".join(blocks) + cert(ca, 1, True)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    runs = 2 if quick else 5
    from analyzers import analyze

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        chain = chain_file(tmp)
        text = chain.read_text()

        # (a) in-process, after warm-up (trust store, imports, caches)
        for _ in range(5):
            analyze(text, now=NOW)
        n = 50 if quick else 200
        per = []
        for _ in range(n):
            t0 = time.perf_counter()
            analyze(text, now=NOW)
            per.append(time.perf_counter() - t0)
        in_proc = statistics.median(per)
        # (a) through the command line: 1 copy vs 101 copies in one run
        copies = []
        for i in range(101):
            p = tmp / f"chain{i}.pem"
            p.write_bytes(chain.read_bytes())
            copies.append(p)
        try:
            t1 = best(lambda: run_check(copies[:1]), runs)
            t101 = best(lambda: run_check(copies), runs)
        except RuntimeError as exc:  # `certdesk check` missing or broken: say so, go on
            print(f"certdesk check: {exc}", file=sys.stderr)
            t1 = t101 = float("nan")
        marginal = max(t101 - t1, 0.0) / 100 if t1 == t1 else float("nan")
        # (b) openssl on the same file
        t_openssl = best(lambda: run_openssl(chain), max(runs, 10))
        ratio = marginal / t_openssl
        rows += [
            ("`certdesk check` 1 file (startup + 1 chain)", f"{t1 * 1000:.0f} ms", "", None),
            ("`certdesk check` 101 files", f"{t101 * 1000:.0f} ms", "", None),
            ("(a) marginal cost of one 3-cert chain (CLI)", f"{marginal * 1000:.2f} ms", "",
             None),
            ("(a) analyze() on the chain, in-process median", f"{in_proc * 1000:.2f} ms", "",
             None),
            ("(b) `openssl crl2pkcs7 -nocrl -certfile F \\| "
             "openssl pkcs7 -print_certs -text -noout`",
             f"{t_openssl * 1000:.1f} ms", "", None),
            ("(a)/(b) ratio", f"{ratio:.3f}", "<= 0.2", ratio <= 0.2),
        ]

        # (c) a 1 MB paste
        chunk = ("お世話になっております。チェーンを送ります。\n```\n" + text
                 + "```\nよろしくお願いします。\n")
        paste = chunk * (1_000_000 // len(chunk.encode()) + 1)
        analyze(paste[:50_000], now=NOW)
        t_mb = best(lambda: analyze(paste, now=NOW), max(runs // 2, 1))
        blocks = paste.count("-----BEGIN")
        rows.append((f"(c) 1 MB paste ({len(paste.encode()) // 1000} kB, {blocks} blocks)",
                     f"{t_mb * 1000:.0f} ms", "< 1000 ms", t_mb < 1.0))

        # (d) linear in the number of blocks
        sizes = (100, 200, 400)
        analyze(many_certs(50), now=NOW)  # warm-up: first-use costs are not per block
        t_blocks = {}
        for size in sizes:
            many = many_certs(size)
            t_blocks[size] = best(partial(analyze, many, now=NOW), 3)
            rows.append((f"(d) {size} blocks", f"{t_blocks[size] * 1000:.0f} ms "
                         f"({t_blocks[size] / size * 1e6:.0f} µs/block)", "", None))
        growth = t_blocks[400] / t_blocks[100]
        rows.append(("(d) time(400) / time(100)", f"{growth:.1f}",
                     "~4 linear (16 quadratic); < 8", growth < 8))

    # (e) a fresh interpreter: what `import analyzers` pulls in
    probe = ("import sys, time; t=time.perf_counter(); import analyzers; "
             "d=time.perf_counter()-t; "
             "print(round(d*1000), ','.join(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         check=True, text=True).stdout.split()
    loaded = set(out[1].split(",")) if len(out) > 1 else set()
    bad = sorted(loaded & set(FORBIDDEN))
    rows.append(("(e) `import analyzers` time", f"{out[0]} ms", "", None))
    rows.append(("(e) heavy modules loaded by `import analyzers`", ", ".join(bad) or "none",
                 "none of " + ", ".join(FORBIDDEN), not bad))

    print("| measure | result | requirement | pass |")
    print("|---|---|---|---|")
    for metric, value, req, ok in rows:
        mark = "" if ok is None else ("yes" if ok else "**NO**")
        print(f"| {metric} | {value} | {req} | {mark} |")
    return 0 if all(ok is not False for *_, ok in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
