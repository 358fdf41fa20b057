#!/usr/bin/env python3
"""Set up and run 督查台账 on a fresh machine.

    python3 dev.py run [ARGS...]   set up, then start the app (ARGS go to main.py, e.g. --db PATH)
    python3 dev.py test [ARGS...]  set up, then lint and run every test headless (ARGS go to pytest)

Windows: ``py dev.py run`` / ``py dev.py test``. Standard library only: this runs before the
project's environment exists.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".dev-installed"
MIN_PYTHON = (3, 11)

# Debian/Ubuntu packages Qt needs to start (offscreen too), and a font with Chinese glyphs.
SYSTEM_PACKAGES_BASE = [
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libglib2.0-0",
    "libx11-6",
    "libxcb1",
    "libxkbcommon0",
    "libdbus-1-3",
    "fonts-wqy-microhei",
]
# For tests only (dev.py test installs them when root; otherwise their tests skip and say how):
# LibreOffice lays the generated Word files out independently of our code (tests/reports), the
# Debian TrueType faces with full GB2312 stand in for 仿宋/宋体/楷体 there, poppler renders pages.
SYSTEM_PACKAGES_TEST = [
    "libreoffice-writer-nogui",
    "fonts-arphic-gbsn00lp",
    "fonts-arphic-gkai00mp",
    "fonts-arphic-uming",
    "poppler-utils",
]
# The xcb platform plugin, for a real window on an X display.
SYSTEM_PACKAGES_WINDOW = [
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
]


def log(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def fail(message: str, code: int = 1) -> None:
    print(f"[dev.py] {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


# ---- System packages ---------------------------------------------------------------------------


def is_debian_like() -> bool:
    return sys.platform.startswith("linux") and Path("/etc/debian_version").exists()


def installed_debian_packages(names: list[str]) -> set[str]:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *names],
        capture_output=True,
        text=True,
        check=False,
    )
    present = set()
    for line in result.stdout.splitlines():
        name, _, status = line.partition(" ")
        if status.strip() == "installed":
            present.add(name.split(":")[0])
    return present


def missing_system_packages(names: list[str]) -> list[str]:
    present = installed_debian_packages(names)
    return [name for name in names if name not in present]


def apt_command(packages: list[str]) -> list[str]:
    return ["apt-get", "install", "-y", "--no-install-recommends", *packages]


def ensure_system_packages(names: list[str], *, required: bool = True) -> None:
    """Install the missing ``names`` when root; otherwise stop with the apt line (or, for
    packages that are not ``required``, print it and go on)."""
    if not is_debian_like() or shutil.which("dpkg-query") is None:
        return
    missing = missing_system_packages(names)
    if not missing:
        return
    if os.geteuid() != 0:
        line = "sudo apt-get update && sudo " + " ".join(apt_command(missing))
        if not required:
            log(
                "optional test packages are missing (their tests will skip); to install:"
                f"\n    {line}"
            )
            return
        fail(
            "缺少 Qt 和中文字体所需的系统软件包。请先运行下面这行命令，再重试：\n"
            f"Missing system packages; run this, then try again:\n\n    {line}\n"
        )
    log(f"installing system packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(apt_command(missing), check=True, env=env)


# ---- Virtual environment -----------------------------------------------------------------------


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def install_fingerprint() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def needs_install() -> bool:
    if not venv_python().exists():
        return True
    return not STAMP.exists() or STAMP.read_text().strip() != install_fingerprint()


def ensure_venv() -> Path:
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        fail(f"需要 Python {wanted} 或更高版本（当前 {sys.version.split()[0]}）。")
    python = venv_python()
    if not python.exists():
        log(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    if needs_install():
        log("installing the project and its test tools into .venv (first run takes a few minutes)")
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "-q", "-e", f"{ROOT}[test]"], check=True, cwd=ROOT)
        STAMP.write_text(install_fingerprint())
    return python


# ---- Commands ----------------------------------------------------------------------------------


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def command_run(args: list[str]) -> int:
    ensure_system_packages(SYSTEM_PACKAGES_BASE + SYSTEM_PACKAGES_WINDOW)
    python = ensure_venv()
    if not has_display():
        fail(
            "没有图形显示（DISPLAY 未设置），无法打开窗口。在无显示器的服务器上可以这样运行：\n"
            "No display; on a headless server run:\n\n    xvfb-run -a python3 dev.py run\n",
            code=2,
        )
    return subprocess.run([str(python), str(ROOT / "main.py"), *args], cwd=ROOT).returncode


def command_test(args: list[str]) -> int:
    ensure_system_packages(SYSTEM_PACKAGES_BASE)
    ensure_system_packages(SYSTEM_PACKAGES_TEST, required=False)
    python = ensure_venv()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    steps = [
        ("ruff check", [str(python), "-m", "ruff", "check", "."]),
        ("ruff format --check", [str(python), "-m", "ruff", "format", "--check", "."]),
        ("pytest", [str(python), "-m", "pytest", *args]),
    ]
    failed = []
    for name, command in steps:
        log(name)
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        # pytest exits 5 when it collected nothing: that is a failure here too.
        if code != 0:
            failed.append(f"{name} (exit {code})")
    if failed:
        log("FAILED: " + ", ".join(failed))
        return 1
    log("all checks passed")
    return 0


COMMANDS = {"run": command_run, "test": command_test}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
