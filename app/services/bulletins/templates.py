"""The office's drafting templates: one per kind, stored in ``bulletin_templates`` (synced).

A kind without a stored template uses the shipped default (defaults.py:
resources/bulletin_templates). Each kind's row has a fixed id
(``seed_id("bulletin-template", kind)``), the same on every laptop, so two laptops that both
edit a kind's template edit one row and the later edit wins after a sync (per field, like every
synced row) instead of leaving two templates of one kind. ``save`` checks the text first (the
template language, app/documents/templates.py): a template with a mistake is refused with the
line and nothing is stored. ``reset`` goes back to the default (the row is tombstoned).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.documents.templates import MAX_TEMPLATE_CHARS, TemplateError, parse
from app.services.bulletins.defaults import default_template
from app.services.bulletins.model import BulletinError, BulletinKind
from app.services.identity import read_current_user
from app.storage.migrations import seed_id

if TYPE_CHECKING:
    from app.storage import Repository

TABLE = "bulletin_templates"


@dataclass(frozen=True)
class StoredTemplate:
    kind: BulletinKind
    text: str
    default: bool  # the shipped one (nothing stored for this kind)
    updated_on: date | None = None
    updated_by: str = ""


def template_id(kind: BulletinKind) -> str:
    return seed_id("bulletin-template", kind.value)


class TemplateProblem(BulletinError):
    """A template that does not render: the message names the kind and the line."""

    def __init__(self, kind: BulletinKind, error: TemplateError) -> None:
        self.kind = kind
        self.line = error.line
        super().__init__(f"{kind.label}的{error}")


class BulletinTemplates:
    def __init__(self, repository: Repository) -> None:
        self.repo = repository

    def get(self, kind: BulletinKind) -> StoredTemplate:
        row = self.repo.get(TABLE, template_id(kind))
        if row is None or row["deleted"]:
            return StoredTemplate(kind, default_template(kind), default=True)
        return StoredTemplate(
            kind,
            row["text"],
            default=False,
            updated_on=date.fromisoformat(row["updated_on"]),
            updated_by=row["updated_by"],
        )

    def text(self, kind: BulletinKind) -> str:
        return self.get(kind).text

    def save(self, kind: BulletinKind, text: str, *, today: date | None = None) -> None:
        """Store the office's template for ``kind`` (checked first; refused: nothing stored)."""
        if len(text) > MAX_TEMPLATE_CHARS:
            raise BulletinError(f"模板太长（最多 {MAX_TEMPLATE_CHARS} 字）。")
        try:
            parse(text)
        except TemplateError as error:
            raise TemplateProblem(kind, error) from error
        values = {
            "kind": kind.value,
            "text": text,
            "updated_on": (today or date.today()).isoformat(),
            "updated_by": read_current_user(self.repo.db).name,
        }
        row_id = template_id(kind)
        with self.repo.transaction():
            row = self.repo.get(TABLE, row_id)
            if row is None:
                self.repo.insert(TABLE, values, row_id=row_id)
                return
            if row["deleted"]:
                self.repo.restore(TABLE, row_id)
            self.repo.update(TABLE, row_id, values)

    def reset(self, kind: BulletinKind) -> bool:
        """Use the shipped default again; False when it already was."""
        row = self.repo.get(TABLE, template_id(kind))
        if row is None or row["deleted"]:
            return False
        return self.repo.delete(TABLE, template_id(kind))
