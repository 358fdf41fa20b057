"""Window sizes that fit the screen they open on (inspectors' laptops are often 1366×768)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_to_screen(widget: QWidget, width: int, height: int, share: float = 0.92) -> None:
    """Resize to ``width``×``height``, or to ``share`` of the available screen if smaller."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, int(available.width() * share))
        height = min(height, int(available.height() * share))
    widget.resize(width, height)
