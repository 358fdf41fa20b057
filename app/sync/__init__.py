"""Sync by shared folder: immutable per-device journal files, merged by per-field LWW.

``sync(storage, share)`` (engine.py) sends and receives; ``FolderShare`` (share.py) is the one
carrier built so far; journal.py is the file format (docs/sync-format.md).
"""

from app.sync.engine import ShareFormatError, SyncReport, sync
from app.sync.share import FolderShare, Share

__all__ = ["FolderShare", "Share", "ShareFormatError", "SyncReport", "sync"]
