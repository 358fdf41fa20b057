"""File types by name for Qt's file dialogs: resources/mime/packages/ducha-taizhang.xml.

Qt's own file dialog shows each file's type; for a name no MIME glob matches (a ledger's
.sqlite, its -wal and -shm) Qt's MIME database reads the file to guess. Opening and closing the
running ledger — or its -shm — from this process drops every POSIX lock the process holds on it
(Linux and macOS close semantics); another program that then opens and closes the database
believes it is the last user and deletes -wal and -shm under the app, and every later save
fails. With these globs the type comes from the name alone and no file is opened.

Must run before Qt's MIME database is first used (``create_application`` calls it first).
Only the XDG data directories are read this way (Linux, BSD); Windows locks per handle and is
not affected.
"""

from __future__ import annotations

import os
import sys

from app.paths import RESOURCES_DIR

DEFAULT_XDG_DATA_DIRS = "/usr/local/share:/usr/share"  # the XDG spec's default when unset


def register_file_types() -> None:
    """Put the app's MIME globs first in XDG_DATA_DIRS (once; the other folders stay)."""
    if sys.platform == "win32":
        return
    ours = str(RESOURCES_DIR)
    current = os.environ.get("XDG_DATA_DIRS") or DEFAULT_XDG_DATA_DIRS
    if ours not in current.split(os.pathsep):
        os.environ["XDG_DATA_DIRS"] = os.pathsep.join([ours, current])
