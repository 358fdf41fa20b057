"""Our own PDFs on screen and on paper: a page preview (QtPdf) and printing them.

``PdfPreview`` shows PDF bytes (reports/gongwen_pdf.py renders them) page under page, fitted to
the width; ``print_pdf`` draws each page of a PDF onto a ``QPrinter`` — the printer's own margins
switched off (the PDF carries the 公文's margins), A4, double-sided along the long edge by default
so the "— N —" page numbers of facing pages line up; ``preview_and_print`` is the print preview
dialog around it. Pages are rasterised at most at ``PRINT_DPI``: enough for 3号 text, and an A4
page stays ~35 MB in memory instead of ~550 MB at a printer's 1200 dpi.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from ui.widgets.sizing import fit_to_screen

PRINT_DPI = 300
PREVIEW_SIZE = (1000, 820)  # two A4 pages side by side are readable


def load_pdf(data: bytes, parent=None) -> tuple[QPdfDocument, QBuffer]:
    """A ``QPdfDocument`` reading ``data`` (keep the returned buffer alive with it)."""
    document = QPdfDocument(parent)
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document, buffer


class PdfPreview(QWidget):
    """The pages of a PDF, or a message in their place (``show_message``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setObjectName("previewMessage")
        self._layout = QStackedLayout(self)
        self._layout.addWidget(self.view)
        self._layout.addWidget(self.message)
        self._document: QPdfDocument | None = None
        self._buffer: QBuffer | None = None
        self.data = b""
        self.show_message("")

    def page_count(self) -> int:
        return self._document.pageCount() if self._document is not None else 0

    def show_pdf(self, data: bytes) -> None:
        old = (self._document, self._buffer)
        self._document, self._buffer = load_pdf(data, self)
        self.data = data
        self.view.setDocument(self._document)
        self._layout.setCurrentWidget(self.view)
        for item in old:
            if item is not None:
                item.deleteLater()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self._layout.setCurrentWidget(self.message)


def make_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)  # the PDF's page is the paper: no second set of margins
    printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
    return printer


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Print every page of the PDF ``data`` on ``printer``; returns the number of pages."""
    document, buffer = load_pdf(data)
    try:
        count = document.pageCount()
        if count == 0:
            raise ValueError("PDF 没有可打印的页面。")
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("打印机无法开始打印，请检查打印机是否连接、是否有纸。")
        try:
            for page in range(count):
                if page:
                    printer.newPage()
                _draw_page(painter, printer, document, page)
        finally:
            painter.end()
        return count
    finally:
        document.close()
        buffer.close()


def _draw_page(painter: QPainter, printer: QPrinter, document: QPdfDocument, page: int) -> None:
    target = printer.paperRect(QPrinter.Unit.DevicePixel)
    points = document.pagePointSize(page)
    dpi = min(printer.resolution(), PRINT_DPI)
    size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
    image = document.render(page, size)
    # The page keeps its proportions, centred (A4 on A4 fills the paper exactly).
    scale = min(target.width() / points.width(), target.height() / points.height())
    width, height = points.width() * scale, points.height() * scale
    origin = QPointF(
        target.x() + (target.width() - width) / 2, target.y() + (target.height() - height) / 2
    )
    painter.drawImage(QRectF(origin.x(), origin.y(), width, height), image)


def preview_and_print(data: bytes, parent: QWidget | None, title: str) -> int:
    """The print preview of the PDF ``data``; printing from it. The pages printed (0: not)."""
    printer = make_printer()
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"打印预览 — {title}")
    fit_to_screen(dialog, *PREVIEW_SIZE)
    problems: list[str] = []
    pages = [0]

    def paint(target: QPrinter) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages[0] = print_pdf(data, target)
        except (OSError, ValueError) as problem:
            problems.append(str(problem))
        finally:
            QGuiApplication.restoreOverrideCursor()

    dialog.paintRequested.connect(paint)
    printed = dialog.exec() == QPrintPreviewDialog.DialogCode.Accepted
    if problems:
        raise OSError(problems[-1])
    return pages[0] if printed else 0
