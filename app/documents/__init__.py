"""公文 (official documents, GB/T 9704-2012): the model, the office profile, validation, JSON.

Renderers live in reports/ (reports/gongwen_docx.py: ``render_docx``). See docs/gongwen.md.
"""

from app.documents.model import (
    SCHEMA_VERSION,
    Attachment,
    Block,
    Figure,
    GongwenDocument,
    Heading,
    Paragraph,
    Table,
    format_date,
)
from app.documents.profile import DEFAULT_PROFILE, Fonts, OfficeProfile

__all__ = [
    "DEFAULT_PROFILE",
    "SCHEMA_VERSION",
    "Attachment",
    "Block",
    "Figure",
    "Fonts",
    "GongwenDocument",
    "Heading",
    "OfficeProfile",
    "Paragraph",
    "Table",
    "format_date",
]
