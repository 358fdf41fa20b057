"""Baseline for the startup benchmark: the least a PySide6 app can do to show a main window.

Prints ``shown <epoch seconds>`` once the window has been shown, like ``main.py
--report-startup`` does, then quits.
"""

import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 720)
window.show()
QTimer.singleShot(0, lambda: print(f"shown {time.time():.6f}", flush=True))
QTimer.singleShot(0, window.close)
sys.exit(app.exec())
