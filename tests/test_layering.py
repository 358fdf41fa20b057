"""app/ is the domain, storage and services layer: it must never import Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_under_app_imports_qt() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] in {"PySide6", "ui"}
        )
        for path in (ROOT / "app").rglob("*.py")
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert offenders == {}, f"app/ must not import Qt or ui/: {offenders}"


def test_importing_every_app_module_loads_no_qt() -> None:
    # Catches indirect imports too (a dependency that pulls Qt in).
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "app").rglob("*.py")
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_reports_import_no_qt() -> None:
    for path in (ROOT / "reports").rglob("*.py"):
        assert not {n for n in _imported_modules(path) if n.startswith("PySide6")}, path


def test_the_first_window_does_not_wait_for_the_storage_stack() -> None:
    """Startup shows the window first and opens the database on a worker: keep it that way."""
    code = (
        "import sys, ui.application\n"
        "print(sorted(m for m in ('sqlite_utils', 'openpyxl', 'docx', 'pypdf', 'reportlab')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.stdout.strip() == "[]"


def test_the_pages_built_at_startup_do_not_load_the_file_formats() -> None:
    """Every page is built when the database opens; Excel, Word and PDF libraries load when a
    file is first written or read (the 通报 page pulled openpyxl in through 调度 drafting)."""
    code = (
        "import sys\n"
        "import ui.pages.ledger_page, ui.pages.inspections_page, ui.pages.bulletins_page\n"
        "import ui.pages.sync_page, app.services.context\n"
        "print(sorted(m for m in ('openpyxl', 'docx', 'reportlab', 'pdfplumber')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.stdout.strip() == "[]"
