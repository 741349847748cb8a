"""The rooms of the codebase and the direction of their imports.

The contracts live in pyproject.toml ([tool.importlinter]); this module runs them, shows
that the checker really bites on an upward import, and checks what static analysis
cannot: what `import analyzers` and `import knowledge` load at run time, and that no
module name repeats its package's name as a prefix.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "knowledge", "analyzers")


def test_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_the_checker_refuses_an_upward_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A miniature of the layout in which knowledge imports the core: the same contract
    # must break, so a green run above means something.
    for pkg, body in {
        "bot": "from knowledge import x\n",
        "knowledge": "x = 1\n",
        "knowledge/upward.py": "import bot.desk\n",
        "bot/desk.py": "",
    }.items():
        path = tmp_path / (pkg if pkg.endswith(".py") else f"{pkg}/__init__.py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    config = tmp_path / "contracts.toml"
    config.write_text(textwrap.dedent("""
        [tool.importlinter]
        root_packages = ["bot", "knowledge"]

        [[tool.importlinter.contracts]]
        name = "knowledge never imports bot"
        type = "forbidden"
        source_modules = ["knowledge"]
        forbidden_modules = ["bot"]
    """))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m.split(".")[0] in ("bot", "knowledge")]:
        monkeypatch.delitem(sys.modules, name)
    assert lint_imports(config_filename=str(config), no_cache=True) == 1


@pytest.mark.parametrize(
    ("package", "must_not_load"),
    [
        ("analyzers", ("fugashi", "slack_bolt", "slack_sdk", "sqlalchemy", "bot", "knowledge")),
        ("knowledge", ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "bot", "analyzers")),
    ],
)
def test_libraries_import_light(package: str, must_not_load: tuple[str, ...]) -> None:
    code = (
        f"import sys, {package}\n"
        f"print(','.join(m for m in {must_not_load!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_no_module_repeats_its_package_name() -> None:
    offenders = []
    for top in PACKAGES:
        for init in (ROOT / top).rglob("__init__.py"):
            package = init.parent
            for module in package.glob("*.py"):
                if module.stem.startswith(f"{package.name}_"):
                    offenders.append(str(module.relative_to(ROOT)))
    assert offenders == []


def test_every_package_says_what_it_is_for() -> None:
    for top in PACKAGES:
        for init in (ROOT / top).rglob("__init__.py"):
            text = init.read_text(encoding="utf-8").lstrip()
            assert text.startswith('"""'), init
            doc = text[3:text.index('"""', 3)]
            assert len(doc.split()) >= 12, f"{init}: the docstring should say what the room is for"
