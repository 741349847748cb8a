"""`certdesk check`: output per input in order, --json lines, options and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_analyzers_pki import make_cert, pki

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-06-01T12:00:00Z"


def check(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "CERTDESK_LANG"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True, text=True, cwd=REPO, env=full_env, timeout=60,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root, inter, leaf = pki()
    d = tmp_path_factory.mktemp("check")
    out = {
        "chain": d / "chain.pem", "root": d / "root.pem", "leaf_der": d / "leaf.cer",
        "csr_text": d / "notes.txt",
    }
    out["chain"].write_text(leaf.pem + inter.pem)
    out["root"].write_text(root.pem)
    out["leaf_der"].write_bytes(leaf.der)
    out["csr_text"].write_text("これは証明書ではありません\n")
    return out


def test_json_lines_in_input_order_and_exit_codes(files: dict[str, Path]) -> None:
    p = check("--json", "--now", NOW, "--trust", str(files["root"]), str(files["chain"]),
              str(files["leaf_der"]))
    assert p.returncode == 0, p.stderr
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert [d["source"] for d in lines] == [str(files["chain"]), str(files["leaf_der"])]
    assert {f["code"] for f in lines[0]["findings"]} == {"chain.trusted"}
    assert {f["code"] for f in lines[1]["findings"]} == {"chain.incomplete", "pem.der_file"}


def test_errors_exit_one(files: dict[str, Path]) -> None:
    p = check("--json", "--now", NOW, "--host", "other.example.org", str(files["chain"]))
    assert p.returncode == 1
    codes = {f["code"] for f in json.loads(p.stdout)["findings"]}
    assert "cert.hostname_mismatch" in codes
    p = check("--json", str(files["csr_text"]))
    assert p.returncode == 1 and json.loads(p.stdout)["findings"][0]["code"] == "pem.none_found"


def test_now_pins_the_clock(files: dict[str, Path]) -> None:
    p = check("--json", "--now", "2031-01-01T00:00:00+09:00", str(files["leaf_der"]))
    assert p.returncode == 1
    assert "cert.expired" in {f["code"] for f in json.loads(p.stdout)["findings"]}


def test_stdin_and_human_output_in_both_languages(files: dict[str, Path]) -> None:
    data = files["chain"].read_bytes()
    ja = check("--now", NOW, "-", stdin=data, env={"CERTDESK_LANG": "ja", "NO_COLOR": "1"})
    assert ja.returncode == 0
    assert "証明書" in ja.stdout and "chain.incomplete" in ja.stdout and "\033[" not in ja.stdout
    en = check("--lang", "en", "--now", NOW, "-", stdin=data)
    assert "certificate" in en.stdout and "result:" in en.stdout
    env_en = check("--now", NOW, "-", stdin=data, env={"CERTDESK_LANG": "en"})
    assert "result:" in env_en.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("/nonexistent/cert.pem",),
        ("--now", "yesterday", "x.pem"),
        ("--trust", "/nonexistent/root.pem", "x.pem"),
        ("-", "-"),
        (),
    ],
)
def test_usage_and_io_problems_exit_two(args: tuple[str, ...], files: dict[str, Path]) -> None:
    p = check(*args, stdin=b"")
    assert p.returncode == 2
    assert p.stderr.strip()
    assert not p.stdout.strip()


def test_trust_file_without_certificates_exits_two(files: dict[str, Path]) -> None:
    p = check("--trust", str(files["csr_text"]), str(files["chain"]))
    assert p.returncode == 2 and "--trust" in p.stderr


def test_missing_file_message_in_english(files: dict[str, Path]) -> None:
    p = check("--lang", "en", "/nonexistent/cert.pem")
    assert p.returncode == 2 and "cannot read the file" in p.stderr


def test_cli_main_in_process(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    expired = make_cert("late.example.com", issuer=pki()[1],
                        not_after=pki()[0].cert.not_valid_before_utc)
    path = files["chain"].parent / "expired.pem"
    path.write_text(expired.pem)
    assert main(["check", "--json", "--now", NOW, str(path)]) == 1
    d = json.loads(capsys.readouterr().out)
    assert "cert.expired" in {f["code"] for f in d["findings"]}
