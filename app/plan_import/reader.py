"""Reading plan documents into plain text.

``read_document(path)`` handles .txt (UTF-8, else GB18030/GBK/Big5 detected), .docx (paragraphs
and tables in reading order), .pdf with a text layer, and .doc/.wps through LibreOffice when it
is installed. The file's content decides the format when it disagrees with the extension.
A task table (任务分工表) in an .xlsx is read cell by cell (workbook.py, tables.py); other
workbooks (.xls, WPS .et, .ods) are refused with what to do instead (save as .xlsx), never as
"damaged".

Every failure is a ``PlanReadError`` whose message (Simplified Chinese) tells the user what to
do; no raw traceback escapes. Lines are separated by "\\n" in the returned text.

Limits (app/limits.py) are checked before a library sees the bytes: the file's size, the zip
package of a .docx, the page count of a PDF and the length of the text. ``progress(done, total)``
(app/progress.py), when given, is called a few dozen times and may raise ``Cancelled``, which
passes through unchanged.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from app import limits
from app.limits import LimitExceeded
from app.progress import Progress, part, report

from .lines import header_roles
from .model import ParseWarning, SourceDocument
from .pdf_layout import PdfPage, read_pages, rebuild
from .tables import MERGED_LEFT, grid_lines, rebuild_cell_lines
from .workbook import WorkbookError, workbook_text

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CONVERT_HINT = "请用 WPS 或 Word 打开该文件，“另存为” .docx 格式后再导入。"
# Workbooks: an .xlsx is read as a task table; the others get advice.
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xls", ".et", ".ods")
_WORKBOOK_STREAM = "Workbook".encode("utf-16-le")  # an .xls (BIFF8) file's main stream
_WORD_STREAM = "WordDocument".encode("utf-16-le")  # a .doc's


def _spreadsheet_advice(name: str) -> str:
    return (
        f"“{name}”是旧版 Excel、WPS 或 OpenDocument 表格，不能直接导入。"
        "如果这是任务分工表：在 Excel 或 WPS 表格中打开，“另存为” .xlsx 格式后再导入。"
        "如果方案正文另有 Word 或 PDF 文件，直接导入那个文件即可。"
    )


class PlanReadError(Exception):
    """A document could not be read; ``message`` is meant for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_document(path: str | Path, progress: Progress | None = None) -> str:
    """The text of a plan document. Raises ``PlanReadError`` with a Chinese message."""
    return read_source(path, progress).text


def read_source(path: str | Path, progress: Progress | None = None) -> SourceDocument:
    """The text of a plan document and what the reader knows about its structure (see
    ``SourceDocument``). Raises ``PlanReadError`` with a Chinese message."""
    path = Path(path)
    try:
        data = _read_bytes(path)
    except LimitExceeded as error:
        raise PlanReadError(error.message) from None
    except FileNotFoundError:
        raise PlanReadError(f"找不到文件：{path.name}") from None
    except IsADirectoryError:
        raise PlanReadError(f"“{path.name}”是文件夹，不是文件") from None
    except OSError as error:
        raise PlanReadError(f"无法打开文件“{path.name}”：{error.strerror or error}") from None
    if not data.strip():
        raise PlanReadError(f"文件“{path.name}”是空的")
    report(progress, 0, 1)
    suffix = path.suffix.lower()
    try:
        if _is_spreadsheet(data, suffix):
            source = _read_workbook(data, path, suffix, progress)
        elif data.startswith(b"%PDF"):
            source = _read_pdf(data, path, progress)
        elif data.startswith(b"PK"):
            source = SourceDocument(_read_zip(data, path, progress), "word")
        elif _packaged(data[:1024]):  # OLE (.doc, .wps) or RTF
            source = SourceDocument(_read_legacy(data, path, progress), "legacy")
        elif suffix in (".pdf", ".docx"):
            raise PlanReadError(f"文件“{path.name}”已损坏或不是 {suffix[1:].upper()} 文件")
        else:  # text; some .doc/.wps files are HTML or plain text saved with a Word extension
            source = SourceDocument(_decode_text(data, path.name), "text")
        limits.check_chars(path.name, len(source.text))
    except PlanReadError:
        raise
    except LimitExceeded as error:
        raise PlanReadError(error.message) from None
    except Exception as error:  # a library failing on a malformed file
        raise PlanReadError(
            f"无法读取文件“{path.name}”：文件可能已损坏（{type(error).__name__}）"
        ) from None
    if source.kind not in ("pdf", "workbook"):  # those build their text (and spans) themselves
        source.text = _tidy(source.text)
        _rebuild_tables(source)
    if not source.text.strip():
        raise PlanReadError(f"文件“{path.name}”中没有文字内容")
    report(progress, 1, 1)
    return source


def _rebuild_tables(source: SourceDocument) -> None:
    """Tables copied one cell a line (from a web page) rebuilt into rows (tables.py), with a
    note for the user, and one for each row that had fewer cells than columns."""
    rebuilt = rebuild_cell_lines(source.text)
    if rebuilt is None:
        return
    source.text, doubtful = rebuilt
    source.notes.append(
        ParseWarning(
            "table_cells_rebuilt",
            "原文中的表格每格占一行（多见于从网页复制的表格），已按表头重新拼成表格行，"
            "请对照原表核对各项措施的部门和时限",
        )
    )
    for span in doubtful:
        source.notes.append(
            ParseWarning(
                "table_row_cells",
                "这一行的格数少于表头的列数（原表中可能有空格），各格已按顺序填入前面的列，"
                "请核对部门和时限是否错位",
                span[0],
                span=span,
            )
        )


def _read_workbook(
    data: bytes, path: Path, suffix: str, progress: Progress | None
) -> SourceDocument:
    """A task table in an .xlsx/.xlsm (workbook.py); other workbooks get advice."""
    if not data.startswith(b"PK") or suffix in (".ods", ".et", ".xls"):
        raise PlanReadError(_spreadsheet_advice(path.name))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_xlsx = "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise PlanReadError(f"文件“{path.name}”已损坏，无法打开") from None
    if not is_xlsx:  # an .ods
        raise PlanReadError(_spreadsheet_advice(path.name))
    try:
        text = workbook_text(data, path.name, progress)
    except WorkbookError as error:
        raise PlanReadError(error.message) from None
    return SourceDocument(_tidy(text), "workbook")


def _is_spreadsheet(data: bytes, suffix: str) -> bool:
    """An Excel/WPS/LibreOffice workbook, by its content, or by its name when the content
    cannot tell (a damaged workbook gets the same advice: it must be opened in Excel anyway)."""
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the directory only: cheap
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return suffix in _SPREADSHEET_SUFFIXES
        if "word/document.xml" in names:
            return False
        if "xl/workbook.xml" in names:
            return True
        if "content.xml" in names and "mimetype" in names:
            with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("mimetype") as entry:
                mimetype = entry.read(100)  # bounded: the entry may claim to be anything
            return b"spreadsheet" in mimetype
        return suffix in _SPREADSHEET_SUFFIXES
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data[:1_000_000]:
            return False  # a password first: that message comes from _read_legacy
        if _WORD_STREAM in data:
            return False  # a .doc/.wps, whatever its name
        return suffix in _SPREADSHEET_SUFFIXES or _WORKBOOK_STREAM in data
    return False


def _packaged(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a PDF, zip, OLE or RTF document (else: text)."""
    return head.startswith((b"%PDF", b"PK", _OLE_MAGIC)) or head.lstrip().startswith(b"{\\rtf")


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refused before reading when over the limit for its kind: a text file
    is refused at a smaller size than a .docx or PDF, which may carry pictures."""
    with path.open("rb") as stream:
        head = stream.read(1024)
    if _packaged(head):
        return limits.read_bytes_limited(path, limits.MAX_PLAN_FILE_BYTES, "实施方案文件")
    return limits.read_bytes_limited(path, limits.MAX_PLAN_TEXT_BYTES, "纯文本方案文件")


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return text.replace("\x0b", "\n").replace("\x0c", "\n")


# -- plain text ----------------------------------------------------------------------------


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(2, len(sample) // 200)


# Private-use, control and rarely used CJK extension characters: decoding in the wrong encoding
# (GB18030 read as Big5, say) produces them in numbers; real plan text hardly ever does.
_SUSPICIOUS = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff"
    "\u3400-\u4dbf\U00020000-\U0003ffff]"
)


def _plausible(text: str) -> bool:
    """Decoded text that is not mojibake: few private-use, control or rare CJK characters."""
    if not text.strip():
        return False
    sample = text[:20000]
    return len(_SUSPICIOUS.findall(sample)) <= len(sample) // 100


def _decode_text(data: bytes, name: str) -> str:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    if _looks_binary(data):
        raise PlanReadError(f"“{name}”不是文本文件，无法作为方案导入（支持 .txt、.docx、.pdf）")
    try:
        return data.decode("utf-8")  # valid UTF-8 is practically never something else
    except UnicodeDecodeError:
        pass
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text
    guessed = _guess_encoding(data)
    if guessed is not None:
        return guessed
    raise PlanReadError(f"无法识别“{name}”的文字编码，请另存为 UTF-8 编码的文本或 .docx 文件")


def _guess_encoding(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: the decode chain above covers UTF-8 and GB18030/GBK
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    return text if _plausible(text) else None


# -- docx ----------------------------------------------------------------------------------


def _read_zip(data: bytes, path: Path, progress: Progress | None) -> str:
    try:
        limits.check_package(data, path.name, limits.DOCX_LIMITS, part(progress, 0.0, 0.2))
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError):
        raise PlanReadError(f"文件“{path.name}”已损坏，无法打开") from None
    if "word/document.xml" in names:
        return _docx_text(data, path, progress)
    if "content.xml" in names:  # OpenDocument (.odt) or a newer .wps variant
        return _read_legacy(data, path, progress)
    raise PlanReadError(f"不支持的文件格式：“{path.name}”。{_CONVERT_HINT}")


_WALK_STEP = 500  # body elements between two progress reports


def _docx_text(data: bytes, path: Path, progress: Progress | None) -> str:
    """The text of a .docx whose package ``check_package`` has passed."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise PlanReadError("缺少 python-docx 组件，无法读取 .docx 文件") from None
    document = docx.Document(io.BytesIO(data))
    report(progress, 1, 2)
    body = document.element.body
    total = len(body) or 1
    walking = part(progress, 0.5, 1.0)
    lines: list[str] = []
    seen = [0, 0]  # top-level elements walked, characters collected

    def add(texts: list[str]) -> None:
        lines.extend(texts)
        seen[1] += sum(len(text) + 1 for text in texts)
        if seen[1] > limits.MAX_PLAN_CHARS:  # stop early: the rest need not be read
            limits.check_chars(path.name, seen[1])

    def walk(parent: Any, top: bool) -> None:  # an lxml element
        for child in parent.iterchildren():
            if top:
                seen[0] += 1
                if seen[0] % _WALK_STEP == 0:
                    report(walking, seen[0], total)
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                add([Paragraph(child, document).text])
            elif tag == "tbl":
                add(_table_lines(Table(child, document)))
            elif tag in ("sdt", "sdtContent", "customXml"):  # content controls wrap paragraphs
                walk(child, False)

    walk(body, True)
    return "\n".join(lines)


def _table_lines(table: Any) -> list[str]:
    """Rows in order. A task table (a header row naming its columns) is read as a grid
    (tables.py: areas, merged cells and continuation rows); any other table row by row, the
    cells of a row joined by tabs (merged cells once)."""
    grid: list[list[object]] = []
    for row in table.rows:
        cells: list[object] = []
        left = None
        for cell in row.cells:
            if cell._tc is left:
                cells.append(MERGED_LEFT)
                continue
            left = cell._tc
            cells.append("\n".join(p.text for p in cell.paragraphs))
        grid.append(cells)
    if any(header_roles([c for c in row if isinstance(c, str)]) for row in grid):
        return grid_lines(grid)
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append("".join(p.text.strip() for p in cell.paragraphs))
        if len(cells) == 1:
            lines.extend(p.text for p in row.cells[0].paragraphs)
        elif any(cells):
            lines.append("\t".join(cells))
    return lines


# -- pdf -----------------------------------------------------------------------------------


def _read_pdf(data: bytes, path: Path, progress: Progress | None) -> SourceDocument:
    """The PDF's paragraphs rebuilt from its layout (pdf_layout.py): pypdf answers whether it is
    encrypted and how many pages it has (cheaply, before anything is drawn), pdfplumber gives
    every character with its position."""
    try:
        from pypdf import PdfReader
    except ImportError:
        raise PlanReadError("缺少 pypdf 组件，无法读取 PDF 文件") from None
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception:
        raise PlanReadError("PDF 文件已损坏，无法打开") from None
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except Exception:
            unlocked = 0
        if not unlocked:
            raise PlanReadError("PDF 文件已加密（设置了打开密码），请先解除密码保护后再导入")
    try:
        count = len(reader.pages)
    except Exception:
        raise PlanReadError("PDF 文件已损坏，无法打开") from None
    if count > limits.MAX_PDF_PAGES:
        raise PlanReadError(
            f"PDF 文件“{path.name}”共 {limits.count_text(count)} 页，超过实施方案的上限"
            f" {limits.count_text(limits.MAX_PDF_PAGES)} 页，未读取。"
            "请确认选择的是实施方案本身，或把方案分成几个文件分别导入。"
        )
    try:
        import pdfplumber  # noqa: F401 - checked here for a clear message
    except ImportError:
        raise PlanReadError("缺少 pdfplumber 组件，无法读取 PDF 文件") from None
    chars = [0]

    def on_page(index: int, pages: list[PdfPage]) -> None:
        report(progress, index, count)
        if pages:
            chars[0] += len(pages[-1].chars)
            if chars[0] > limits.MAX_PLAN_CHARS:  # stop early: the rest need not be read
                limits.check_chars(path.name, chars[0])

    pages = read_pages(data, on_page)
    built = rebuild(pages)
    if not built.text.strip():
        raise PlanReadError(
            "PDF 中没有可提取的文字（可能是扫描件或图片），请先用 OCR 软件识别为文字，"
            "或改用 .docx 原文件导入"
        )
    notes = [ParseWarning(n.code, n.message, n.span[0], span=n.span) for n in built.notes]
    if built.pages_without_text:
        listed = "、".join(str(n) for n in built.pages_without_text[:20])
        more = "等" if len(built.pages_without_text) > 20 else ""
        notes.insert(
            0,
            ParseWarning(
                "pdf_pages_without_text",
                f"PDF 第 {listed}{more} 页（共 {len(built.pages_without_text)} 页）没有可提取的文字"
                "（可能是扫描页或图片），这些页上的内容没有导入；请对照原文核对，"
                "或改用 .docx 原文件导入",
            ),
        )
    return SourceDocument(built.text, "pdf", notes, built.paragraphs, count)


# -- .doc / .wps / .rtf / .odt through LibreOffice --------------------------------------------


_CONVERT_TIMEOUT = 180.0  # seconds; LibreOffice converts a plan in about one


def _read_legacy(data: bytes, path: Path, progress: Progress | None = None) -> str:
    if _ENCRYPTED_PACKAGE in data[:1_000_000]:
        raise PlanReadError(f"文件“{path.name}”已加密（设置了打开密码），请先解除密码保护后再导入")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise PlanReadError(
            f"无法直接读取“{path.name}”（{path.suffix or '旧版 Word'} 格式）："
            "本机未安装 LibreOffice。" + _CONVERT_HINT
        )
    with tempfile.TemporaryDirectory(prefix="plan-import-") as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / ("source" + (path.suffix.lower() or ".doc"))
        source.write_bytes(data)
        profile = (tmp_path / "profile").as_uri()
        command = [
            office,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(tmp_path),
            str(source),
        ]
        if not _convert(command, part(progress, 0.0, 0.5)):
            raise PlanReadError(f"用 LibreOffice 转换“{path.name}”失败。{_CONVERT_HINT}")
        converted = tmp_path / "source.docx"
        if not converted.exists():
            raise PlanReadError(f"用 LibreOffice 转换“{path.name}”失败。{_CONVERT_HINT}")
        return _read_zip(converted.read_bytes(), path, part(progress, 0.5, 1.0))


def _convert(command: list[str], progress: Progress | None) -> bool:
    """Run LibreOffice; False when it cannot start or overruns. Cancelling kills it."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    started = time.monotonic()
    try:
        while True:
            try:
                process.wait(timeout=0.25)
                return True
            except subprocess.TimeoutExpired:
                elapsed = time.monotonic() - started
                if elapsed > _CONVERT_TIMEOUT:
                    return False
                report(progress, round(elapsed), round(_CONVERT_TIMEOUT))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
