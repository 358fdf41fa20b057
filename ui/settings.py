"""User settings, declared once with their defaults (stored with QSettings, never pickled)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "DuchaTaizhang"
APPLICATION = "DuchaTaizhang"


class AppSettings:
    GEOMETRY = "main_window/geometry"
    STATE = "main_window/state"
    PAGE = "main_window/page"
    # One key per file-dialog purpose (ui/widgets/file_dialogs.py: FilePurpose), e.g.
    # "last_folder/ledger_excel": the folder the user last chose for it. No default: the dialog
    # then opens in the Documents folder.
    LAST_FOLDER = "last_folder/{purpose}"
    SYNC_SHARE = "sync/share_folder"  # the 同步 page's shared folder ("" until chosen)
    SYNC_ON_START = "sync/on_start"  # sync once the database is open (off by default)
    SYNC_ON_EXIT = "sync/on_exit"  # sync before the window closes (off by default)

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._settings = qsettings or QSettings(ORGANIZATION, APPLICATION)

    def window_geometry(self) -> QByteArray | None:
        value = self._settings.value(self.GEOMETRY)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_geometry(self, geometry: QByteArray) -> None:
        self._settings.setValue(self.GEOMETRY, geometry)

    def window_state(self) -> QByteArray | None:
        value = self._settings.value(self.STATE)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_state(self, state: QByteArray) -> None:
        self._settings.setValue(self.STATE, state)

    def current_page(self) -> str:
        return str(self._settings.value(self.PAGE, "ledger"))

    def set_current_page(self, page: str) -> None:
        self._settings.setValue(self.PAGE, page)

    def last_folder(self, purpose: str) -> Path | None:
        value = self._settings.value(self.LAST_FOLDER.format(purpose=purpose))
        return Path(value) if isinstance(value, str) and value else None

    def set_last_folder(self, purpose: str, folder: Path) -> None:
        self._settings.setValue(self.LAST_FOLDER.format(purpose=purpose), str(folder))

    def sync_share(self) -> Path | None:
        value = self._settings.value(self.SYNC_SHARE)
        return Path(value) if isinstance(value, str) and value else None

    def set_sync_share(self, folder: Path) -> None:
        self._settings.setValue(self.SYNC_SHARE, str(folder))

    def _flag(self, key: str) -> bool:
        return str(self._settings.value(key, "false")).lower() in ("true", "1")

    def sync_on_start(self) -> bool:
        return self._flag(self.SYNC_ON_START)

    def set_sync_on_start(self, on: bool) -> None:
        self._settings.setValue(self.SYNC_ON_START, on)

    def sync_on_exit(self) -> bool:
        return self._flag(self.SYNC_ON_EXIT)

    def set_sync_on_exit(self, on: bool) -> None:
        self._settings.setValue(self.SYNC_ON_EXIT, on)

    def sync(self) -> None:
        self._settings.sync()
