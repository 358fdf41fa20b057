"""User settings, declared once with their defaults (stored with QSettings, never pickled)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "DuchaTaizhang"
APPLICATION = "DuchaTaizhang"


class AppSettings:
    GEOMETRY = "main_window/geometry"
    STATE = "main_window/state"
    PAGE = "main_window/page"

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

    def sync(self) -> None:
        self._settings.sync()
