"""The drafting templates the program ships, one per kind (the office may replace each).

They are the text files resources/bulletin_templates/<kind>.txt, exactly as the office sees them
in the template editor. The language: app/documents/templates.py; the line markup (【字段】, #, |):
app/documents/markup.py; the data each kind offers: docs/gongwen.md. A template the office saved
is stored in the ``bulletin_templates`` table; removing it brings the shipped one back (so an
improved default reaches every office that never edited its own).
"""

from __future__ import annotations

from functools import cache

from app.paths import RESOURCES_DIR
from app.services.bulletins.model import BulletinKind

TEMPLATE_FOLDER = RESOURCES_DIR / "bulletin_templates"


@cache
def default_template(kind: BulletinKind) -> str:
    return (TEMPLATE_FOLDER / f"{kind.value}.txt").read_text(encoding="utf-8")
