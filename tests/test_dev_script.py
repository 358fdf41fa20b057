"""dev.py is the first thing a new machine runs; its decisions are tested without installing."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
assert _spec and _spec.loader
dev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev)


def _fake_dpkg(installed: set[str]):
    def run(command, **kwargs):
        assert command[0] == "dpkg-query"
        lines = [f"{name} installed" for name in command[3:] if name in installed]
        return subprocess.CompletedProcess(command, 1, stdout="\n".join(lines) + "\n", stderr="")

    return run


def test_missing_packages_are_the_ones_dpkg_does_not_report(monkeypatch) -> None:
    monkeypatch.setattr(dev.subprocess, "run", _fake_dpkg({"libegl1", "libgl1"}))
    missing = dev.missing_system_packages(["libegl1", "libgl1", "fonts-wqy-microhei"])
    assert missing == ["fonts-wqy-microhei"]


def test_without_root_it_prints_the_exact_apt_line_and_stops(monkeypatch, capsys) -> None:
    monkeypatch.setattr(dev, "is_debian_like", lambda: True)
    monkeypatch.setattr(dev.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(dev.subprocess, "run", _fake_dpkg(set()))
    monkeypatch.setattr(dev.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as stopped:
        dev.ensure_system_packages(["libegl1", "fonts-wqy-microhei"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert (
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends"
        " libegl1 fonts-wqy-microhei" in err
    )


def test_as_root_it_installs_only_what_is_missing(monkeypatch) -> None:
    calls: list[list[str]] = []
    dpkg = _fake_dpkg({"libegl1"})

    def run(command, **kwargs):
        if command[0] == "dpkg-query":
            return dpkg(command, **kwargs)
        calls.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(dev, "is_debian_like", lambda: True)
    monkeypatch.setattr(dev.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(dev.subprocess, "run", run)
    monkeypatch.setattr(dev.os, "geteuid", lambda: 0)
    dev.ensure_system_packages(["libegl1", "fonts-wqy-microhei"])
    assert calls[-1] == dev.apt_command(["fonts-wqy-microhei"])


def test_the_project_is_reinstalled_only_when_pyproject_changes(tmp_path, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    venv = tmp_path / ".venv"
    python = venv / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setattr(dev, "VENV", venv)
    monkeypatch.setattr(dev, "STAMP", venv / ".dev-installed")
    monkeypatch.setattr(dev.os, "name", "posix")
    assert dev.needs_install()
    dev.STAMP.write_text(dev.install_fingerprint())
    assert not dev.needs_install()
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\ndependencies=['y']\n")
    assert dev.needs_install()


def test_ci_and_readme_use_the_two_commands() -> None:
    assert "python3 dev.py test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_section = readme.split("\n## ", 2)[1]
    assert "python3 dev.py run" in first_section and "python3 dev.py test" in first_section


def test_optional_test_packages_only_print_the_apt_line_without_root(monkeypatch, capsys) -> None:
    monkeypatch.setattr(dev, "is_debian_like", lambda: True)
    monkeypatch.setattr(dev.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(dev.subprocess, "run", _fake_dpkg(set()))
    monkeypatch.setattr(dev.os, "geteuid", lambda: 1000)
    dev.ensure_system_packages(["libreoffice-writer-nogui"], required=False)  # no SystemExit
    assert "apt-get install -y --no-install-recommends libreoffice-writer-nogui" in (
        capsys.readouterr().out
    )


def test_dev_test_asks_for_libreoffice_and_the_stand_in_fonts() -> None:
    assert {"libreoffice-writer-nogui", "fonts-arphic-gbsn00lp", "fonts-arphic-gkai00mp"} <= set(
        dev.SYSTEM_PACKAGES_TEST
    )
