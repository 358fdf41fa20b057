"""Reading plan documents into plain text.

``read_document(path)`` handles .txt (UTF-8, else GB18030/GBK/Big5 detected), .docx (paragraphs
and tables in reading order), .pdf with a text layer, and .doc/.wps through LibreOffice when it
is installed. The file's content decides the format when it disagrees with the extension.

Every failure is a ``PlanReadError`` whose message (Simplified Chinese) tells the user what to
do; no raw traceback escapes. Lines are separated by "\\n" in the returned text.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CONVERT_HINT = "请用 WPS 或 Word 打开该文件，“另存为” .docx 格式后再导入。"


class PlanReadError(Exception):
    """A document could not be read; ``message`` is meant for the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_document(path: str | Path) -> str:
    """The text of a plan document. Raises ``PlanReadError`` with a Chinese message."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PlanReadError(f"找不到文件：{path.name}") from None
    except IsADirectoryError:
        raise PlanReadError(f"“{path.name}”是文件夹，不是文件") from None
    except OSError as error:
        raise PlanReadError(f"无法打开文件“{path.name}”：{error.strerror or error}") from None
    if not data.strip():
        raise PlanReadError(f"文件“{path.name}”是空的")
    suffix = path.suffix.lower()
    try:
        if data.startswith(b"%PDF"):
            text = _read_pdf(data)
        elif data.startswith(b"PK"):
            text = _read_zip(data, path)
        elif data.startswith(_OLE_MAGIC) or data.lstrip().startswith(b"{\\rtf"):
            text = _read_legacy(data, path)
        elif suffix in (".pdf", ".docx"):
            raise PlanReadError(f"文件“{path.name}”已损坏或不是 {suffix[1:].upper()} 文件")
        elif suffix in (".doc", ".wps"):
            # Some .doc files are HTML or plain text saved with a Word extension.
            text = _decode_text(data, path.name)
        else:
            text = _decode_text(data, path.name)
    except PlanReadError:
        raise
    except Exception as error:  # a library failing on a malformed file
        raise PlanReadError(
            f"无法读取文件“{path.name}”：文件可能已损坏（{type(error).__name__}）"
        ) from None
    text = _tidy(text)
    if not text.strip():
        raise PlanReadError(f"文件“{path.name}”中没有文字内容")
    return text


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


def _read_zip(data: bytes, path: Path) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise PlanReadError(f"文件“{path.name}”已损坏，无法打开") from None
    if "word/document.xml" in names:
        return _read_docx(data)
    if "content.xml" in names:  # OpenDocument (.odt) or a newer .wps variant
        return _read_legacy(data, path)
    raise PlanReadError(f"不支持的文件格式：“{path.name}”。{_CONVERT_HINT}")


def _read_docx(data: bytes) -> str:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise PlanReadError("缺少 python-docx 组件，无法读取 .docx 文件") from None
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []

    def walk(parent: Any) -> None:  # an lxml element
        for child in parent.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                lines.extend(_table_lines(Table(child, document)))
            elif tag in ("sdt", "sdtContent", "customXml"):  # content controls wrap paragraphs
                walk(child)

    walk(document.element.body)
    return "\n".join(lines)


def _table_lines(table: Any) -> list[str]:
    """Rows in order; cells of a row joined by tabs (merged cells once)."""
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

_PAGE_NUMBER = re.compile(r"[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d{1,4})?[-—–\s]*")
_ITEM_START = re.compile(
    r"\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]"
    r"|\d{1,3}\s*(?:[、．]|\.(?!\d))|附\s*件|抄\s*送)"
)


def _read_pdf(data: bytes) -> str:
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
    pages: list[str] = []
    for page in reader.pages:
        try:
            pages.append(page.extract_text() or "")
        except Exception:
            pages.append("")
    if not "".join(pages).strip():
        raise PlanReadError(
            "PDF 中没有可提取的文字（可能是扫描件或图片），请先用 OCR 软件识别为文字，"
            "或改用 .docx 原文件导入"
        )
    return "\n".join(_unwrap(page) for page in pages)


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)


def _unwrap(page: str) -> str:
    """Join lines that a PDF wrapped inside a paragraph; drop bare page numbers."""
    lines = [ln.rstrip() for ln in page.split("\n")]
    lines = [ln for ln in lines if not _PAGE_NUMBER.fullmatch(ln)]
    widths = sorted(_width(ln) for ln in lines if ln.strip())
    if not widths:
        return ""
    full = widths[int(len(widths) * 0.9)] if len(widths) > 4 else widths[-1]
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out and not _ITEM_START.match(line):
            out[-1] += line.lstrip()
        else:
            out.append(line)
        stripped = out[-1].rstrip()
        joining = (
            _width(line) >= 0.85 * full and bool(stripped) and stripped[-1] not in "。）)：:；;"
        )
    return "\n".join(out)


# -- .doc / .wps / .rtf / .odt through LibreOffice --------------------------------------------


def _read_legacy(data: bytes, path: Path) -> str:
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
        try:
            subprocess.run(
                [
                    office,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    str(tmp_path),
                    str(source),
                ],
                capture_output=True,
                timeout=180,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            raise PlanReadError(f"用 LibreOffice 转换“{path.name}”失败。{_CONVERT_HINT}") from None
        converted = tmp_path / "source.docx"
        if not converted.exists():
            raise PlanReadError(f"用 LibreOffice 转换“{path.name}”失败。{_CONVERT_HINT}")
        return _read_docx(converted.read_bytes())
