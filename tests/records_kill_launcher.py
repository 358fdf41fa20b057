"""Test-only launcher: run ``main.py`` and SIGKILL this process on the Nth Repository.insert.

    python tests/records_kill_launcher.py N import-records --db PATH FILE.json

Used by tests/test_records_cli.py to kill an import part-way through (as a power cut or the task
manager would) and check the database is intact and all-or-nothing.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import main
from app.storage.repository import Repository

KILL_AT = int(sys.argv[1])
_calls = 0
_insert = Repository.insert


def _insert_then_maybe_die(self, *args, **kwargs):
    global _calls
    _calls += 1
    if _calls == KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)
    return _insert(self, *args, **kwargs)


Repository.insert = _insert_then_maybe_die

if __name__ == "__main__":
    sys.exit(main.main(sys.argv[2:]))
