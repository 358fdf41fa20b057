"""Stored 通报 and 督办通知: 草稿 → 待审核 → 已签发, versions (更正), frozen files.

A document is a series of versions (``series_id`` = the first version's id). A version is a
``bulletins`` row holding the ``GongwenDocument`` as versioned JSON (app/documents/json_io.py):

- 草稿 (draft): edited freely (``update``, ``set_code``); ``submit`` sends it for review;
  ``discard`` removes it (tombstone).
- 待审核 (review): ``send_back`` (to 草稿) or ``issue`` — both only by a supervisor (审核人,
  app/services/identity.py). Not editable: send it back first.
- 已签发 (issued): in one transaction the 发文字号 is assigned (numbering.py), the 成文日期 set to
  the day of issue, the document checked as an issued 公文 (``ensure_valid(issued=True)``),
  rendered to DOCX and PDF, the files stored content-addressed
  with their SHA-256 (frozen.py), and the 暗访 records it cites disclosed
  (``Inspections.disclose``). A refused or failed issue writes nothing and consumes no number.
  An issued version never changes: ``correct`` starts a new version (更正) from it, which keeps
  the number and goes through the same states; the old version and its files stay.

What a user may see follows the 暗访 rule: a draft citing a record the user may not see is "不存在"
for them (app/services/visibility.py: ``bulletin_visible``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.documents.json_io import DocumentFormatError, from_json, to_json
from app.documents.profile import DEFAULT_PROFILE, OfficeProfile
from app.documents.validation import DocumentInvalid, ensure_valid
from app.domain.inspection import UserRole
from app.files import explain_write_error, replace_file, write_new
from app.services.bulletins.frozen import FrozenFiles, Renderer, render_files
from app.services.bulletins.model import (
    SUPERVISOR_ACTIONS,
    TRANSITIONS,
    BulletinAction,
    BulletinError,
    BulletinKind,
    BulletinState,
    Draft,
)
from app.services.bulletins.numbering import (
    DuplicateNumber,
    check_code,
    duplicate_numbers,
    format_number,
    next_serial,
)
from app.services.identity import read_current_user
from app.services.visibility import bulletin_visible, viewer_of
from app.storage import WriteError
from app.storage.repository import new_id

if TYPE_CHECKING:
    from app.documents.model import GongwenDocument
    from app.storage import Repository, Storage

TABLE = "bulletins"
FILES_TABLE = "bulletin_files"
_NOT_FOUND = "该公文不存在或已删除。"
_COLUMNS = (
    "b.id, b.series_id, b.version, b.supersedes, b.kind, b.state, b.title, b.code, b.number,"
    " b.year, b.serial, b.source, b.cited, b.created_on, b.created_by, b.submitted_on,"
    " b.submitted_by, b.issued_on, b.issued_by"
)


@dataclass(frozen=True)
class FrozenFile:
    id: str
    format: str
    sha256: str
    size: int
    path: Path | None  # where the blob is on this laptop (None: an in-memory database)


@dataclass(frozen=True)
class BulletinSummary:
    id: str
    series_id: str
    version: int
    supersedes: str | None
    kind: BulletinKind | str  # a kind this release does not know stays its code
    state: BulletinState
    title: str
    code: str
    number: str
    year: int | None
    serial: int | None
    request: dict[str, Any]
    cited: tuple[str, ...]
    created_on: date
    created_by: str
    submitted_on: date | None
    submitted_by: str
    issued_on: date | None
    issued_by: str

    @property
    def kind_label(self) -> str:
        return self.kind.label if isinstance(self.kind, BulletinKind) else self.kind

    @property
    def correction(self) -> bool:
        """A 更正: a later version of an issued document."""
        return self.version > 1


@dataclass(frozen=True)
class Bulletin(BulletinSummary):
    document: GongwenDocument | None = None
    files: tuple[FrozenFile, ...] = ()

    def file(self, format: str) -> FrozenFile | None:
        return next((f for f in self.files if f.format == format), None)


@dataclass(frozen=True)
class Issued:
    """What ``issue`` did."""

    bulletin: Bulletin
    disclosed: tuple[str, ...]  # the 暗访 records made visible to everyone
    formats: tuple[str, ...]  # the files stored (docx and pdf)


class Bulletins:
    def __init__(
        self,
        repository: Repository,
        files: FrozenFiles,
        *,
        renderers: dict[str, Renderer] | None = None,
        profile: OfficeProfile = DEFAULT_PROFILE,
    ) -> None:
        self.repo = repository
        self.db = repository.db
        self.files = files
        self.renderers = renderers
        self.profile = profile

    @classmethod
    def for_storage(cls, storage: Storage, **options: Any) -> Bulletins:
        """With the frozen files beside the database (``<db file>.documents/``)."""
        return cls(storage.repository, FrozenFiles.for_storage(storage), **options)

    # ---- Drafts -----------------------------------------------------------------------------

    def create(self, draft: Draft, *, today: date | None = None) -> str:
        """Store a first draft (no number is consumed); returns the document's id."""
        content = _content(draft.document)
        row_id = new_id()
        self.repo.insert(
            TABLE,
            {
                "series_id": row_id,
                "version": 1,
                "supersedes": None,
                "kind": draft.kind.value,
                "state": BulletinState.DRAFT.value,
                "title": _title(draft.document),
                "code": draft.code.strip(),
                "number": "",
                "content": content,
                "source": json.dumps(draft.request.as_json(), ensure_ascii=False),
                "cited": json.dumps(list(dict.fromkeys(draft.cited))),
                "created_on": (today or date.today()).isoformat(),
                "created_by": read_current_user(self.db).name,
            },
            row_id=row_id,
        )
        return row_id

    def update(self, bulletin_id: str, document: GongwenDocument) -> None:
        """Replace a draft's text (the editor saves through this). Only drafts change."""
        with self.repo.transaction():
            row = self._row(bulletin_id)
            self._editable(row)
            values: dict[str, Any] = {"content": _content(document), "title": _title(document)}
            self.repo.update(TABLE, bulletin_id, values)

    def set_code(self, bulletin_id: str, code: str) -> None:
        """The 机关代字 the draft's 发文字号 will have (a 更正 keeps its number)."""
        with self.repo.transaction():
            row = self._row(bulletin_id)
            self._editable(row)
            if row["serial"] is not None:
                raise BulletinError(
                    f"这是“{row['number']}”的更正稿，沿用原文号，不能更改机关代字。"
                )
            self.repo.update(TABLE, bulletin_id, {"code": check_code(code)})

    def discard(self, bulletin_id: str) -> None:
        """Remove a draft or a document waiting for review (an issued one is never removed)."""
        with self.repo.transaction():
            row = self._row(bulletin_id)
            if row["state"] == BulletinState.ISSUED:
                raise BulletinError("已签发的公文不能删除；如有错误，请发更正（新版本）。")
            self.repo.delete(TABLE, bulletin_id)

    # ---- Moves ------------------------------------------------------------------------------

    def submit(self, bulletin_id: str, *, today: date | None = None) -> None:
        """送审: 草稿 → 待审核."""
        with self.repo.transaction():
            row = self._move(bulletin_id, BulletinAction.SUBMIT)
            self.repo.update(
                TABLE,
                row["id"],
                {
                    "state": BulletinState.REVIEW.value,
                    "submitted_on": (today or date.today()).isoformat(),
                    "submitted_by": read_current_user(self.db).name,
                },
            )

    def send_back(self, bulletin_id: str) -> None:
        """退回修改: 待审核 → 草稿 (a supervisor)."""
        with self.repo.transaction():
            row = self._move(bulletin_id, BulletinAction.SEND_BACK)
            self.repo.update(TABLE, row["id"], {"state": BulletinState.DRAFT.value})

    def issue(
        self, bulletin_id: str, *, on: date | None = None, today: date | None = None
    ) -> Issued:
        """签发 on ``on`` (default today): number, 成文日期, files, disclosure — all or nothing."""
        today = today or date.today()
        on = on or today
        if on > today:
            raise BulletinError("签发日期不能晚于今天。")
        placed: list[str] = []
        try:
            with self.repo.transaction():
                row = self._move(bulletin_id, BulletinAction.ISSUE)
                code = check_code(row["code"])
                if row["serial"] is not None:  # a 更正 keeps the number it corrects
                    year, serial = row["year"], row["serial"]
                else:
                    year, serial = on.year, next_serial(self.db, code, on.year)
                number = format_number(code, year, serial)
                document = self._document(row)
                print_date = document.print_date
                document = replace(
                    document,
                    number=number,
                    date=on,
                    print_date=print_date if print_date is not None and print_date >= on else None,
                )
                try:
                    ensure_valid(document, issued=True)
                except DocumentInvalid as invalid:
                    raise BulletinError(
                        "这份公文还有问题，不能签发："
                        + "；".join(p.message for p in invalid.problems)
                    ) from invalid
                rendered = self._render(document)
                for item in rendered:
                    if self.files.place(item):
                        placed.append(item.sha256)
                self.repo.update(
                    TABLE,
                    row["id"],
                    {
                        "state": BulletinState.ISSUED.value,
                        "code": code,
                        "year": year,
                        "serial": serial,
                        "number": number,
                        "content": _content(document),
                        "title": _title(document),
                        "issued_on": on.isoformat(),
                        "issued_by": read_current_user(self.db).name,
                    },
                )
                for item in rendered:
                    self.repo.insert(
                        FILES_TABLE,
                        {
                            "bulletin_id": row["id"],
                            "format": item.format,
                            "sha256": item.sha256,
                            "size": len(item.data),
                            "created_on": on.isoformat(),
                        },
                    )
                disclosed = self._disclose(_cited(row), on, today)
        except BaseException:
            for sha in placed:  # still ours alone: no committed row refers to them
                self.files.remove(sha)
            raise
        return Issued(self.get(bulletin_id), disclosed, tuple(item.format for item in rendered))

    def correct(self, bulletin_id: str, *, today: date | None = None) -> str:
        """更正: a new draft version of an issued document (same number); returns its id."""
        with self.repo.transaction():
            row = self._row(bulletin_id)
            if row["state"] != BulletinState.ISSUED:
                raise BulletinError("只有已签发的公文才需要更正；草稿可以直接修改。")
            versions = self.db.execute(
                "SELECT id, version, state FROM bulletins WHERE series_id = ? AND deleted = 0"
                " ORDER BY version",
                [row["series_id"]],
            ).fetchall()
            pending = [v for v in versions if v[2] != BulletinState.ISSUED]
            if pending:
                raise BulletinError(
                    f"这份公文已有一份未签发的更正稿（第 {pending[0][1]} 版），请在那份上修改。"
                )
            latest = max(v[1] for v in versions)
            if row["version"] != latest:
                raise BulletinError(f"请在最新的第 {latest} 版上更正。")
            row_id = new_id()
            self.repo.insert(
                TABLE,
                {
                    "series_id": row["series_id"],
                    "version": latest + 1,
                    "supersedes": row["id"],
                    "kind": row["kind"],
                    "state": BulletinState.DRAFT.value,
                    "title": row["title"],
                    "code": row["code"],
                    "year": row["year"],
                    "serial": row["serial"],
                    "number": row["number"],
                    "content": row["content"],
                    "source": row["source"],
                    "cited": row["cited"],
                    "created_on": (today or date.today()).isoformat(),
                    "created_by": read_current_user(self.db).name,
                },
                row_id=row_id,
            )
        return row_id

    # ---- Reading ----------------------------------------------------------------------------

    def get(self, bulletin_id: str) -> Bulletin:
        row = self._row(bulletin_id)
        summary = _summary(row)
        return Bulletin(
            **{name: getattr(summary, name) for name in summary.__dataclass_fields__},
            document=self._document(row),
            files=self._files(bulletin_id),
        )

    def list(
        self, *, kind: BulletinKind | None = None, state: BulletinState | None = None
    ) -> list[BulletinSummary]:
        """Every version the current user may see, newest first."""
        where = ["b.deleted = 0", bulletin_visible("b")]
        params: dict[str, Any] = viewer_of(self.db).params()
        if kind is not None:
            where.append("b.kind = :kind")
            params["kind"] = kind.value
        if state is not None:
            where.append("b.state = :state")
            params["state"] = state.value
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM bulletins b WHERE {' AND '.join(where)}"
            " ORDER BY COALESCE(b.issued_on, b.created_on) DESC, b.rowid DESC",
            params,
        )
        names = [d[0] for d in rows.description]
        return [_summary(dict(zip(names, row, strict=True))) for row in rows.fetchall()]

    def versions(self, bulletin_id: str) -> list[BulletinSummary]:
        """All versions of the document ``bulletin_id`` belongs to, oldest first."""
        series = self._row(bulletin_id)["series_id"]
        return sorted((s for s in self.list() if s.series_id == series), key=lambda s: s.version)

    def verify(self, bulletin_id: str) -> list[str]:
        """What is wrong with an issued version's stored files (empty: all whole)."""
        bulletin = self.get(bulletin_id)
        if bulletin.state != BulletinState.ISSUED:
            return []
        problems = []
        if not bulletin.files:
            problems.append("没有保存签发时的文件。")
        for item in bulletin.files:
            problem = self.files.problem(item.sha256, item.size)
            if problem:
                problems.append(f"{item.format.upper()} {problem}（SHA-256 {item.sha256[:12]}…）。")
        return problems

    def save_copy(
        self, bulletin_id: str, format: str, target: str | Path, *, replace: bool = False
    ) -> Path:
        """A copy of an issued version's frozen file, as a new file — or, with ``replace`` (the
        user agreed to replace ``target``), written in full and then put in its place."""
        bulletin = self.get(bulletin_id)
        item = bulletin.file(format)
        if item is None:
            raise BulletinError(f"这份公文没有签发时保存的 {format.upper()} 文件。")
        problem = self.files.problem(item.sha256, item.size)
        if problem:
            raise BulletinError(f"签发时保存的 {format.upper()} {problem}，不能导出。")
        data = self.files.path(item.sha256).read_bytes()
        path = Path(target)
        try:
            if replace:
                return replace_file(path, lambda handle: handle.write(data))
            return write_new(path, lambda handle: handle.write(data))
        except FileExistsError as error:
            raise BulletinError(f"“{path}”已存在，没有保存（不覆盖已有文件）。") from error
        except OSError as error:
            raise BulletinError(f"无法写入“{path}”：{explain_write_error(error)}") from error

    def unreferenced_files(self) -> list[Path]:
        """Stored blobs no ``bulletin_files`` row refers to: left by a process killed between
        placing an issue's files and committing it (harmless; safe to delete)."""
        referenced = {row[0] for row in self.db.execute("SELECT sha256 FROM bulletin_files")}
        return self.files.unreferenced(referenced)

    def duplicate_numbers(self) -> list[DuplicateNumber]:
        """发文字号 carried by two documents (after a sync with another laptop)."""
        return duplicate_numbers(self.db)

    # ---- Internals --------------------------------------------------------------------------

    def _row(self, bulletin_id: str) -> dict[str, Any]:
        cursor = self.db.execute(
            "SELECT b.* FROM bulletins b WHERE b.id = :id AND b.deleted = 0"
            f" AND {bulletin_visible('b')}",
            {"id": bulletin_id, **viewer_of(self.db).params()},
        )
        row = cursor.fetchone()
        if row is None:
            raise BulletinError(_NOT_FOUND)
        return dict(zip([d[0] for d in cursor.description], row, strict=True))

    def _move(self, bulletin_id: str, action: BulletinAction) -> dict[str, Any]:
        row = self._row(bulletin_id)
        state = BulletinState(row["state"])
        if (state, action) not in TRANSITIONS:
            raise BulletinError(_refusal(state, action))
        if action in SUPERVISOR_ACTIONS and read_current_user(self.db).role != UserRole.SUPERVISOR:
            raise BulletinError(
                f"只有审核人（科长）可以{action.label}。当前用户是"
                f"{read_current_user(self.db).label}，请由审核人操作。"
            )
        return row

    @staticmethod
    def _editable(row: dict[str, Any]) -> None:
        state = BulletinState(row["state"])
        if state is BulletinState.REVIEW:
            raise BulletinError("这份公文正在审核，不能修改；请审核人退回后再改。")
        if state is BulletinState.ISSUED:
            raise BulletinError("已签发的公文不能修改；如有错误，请发更正（新版本）。")

    def _document(self, row: dict[str, Any]) -> GongwenDocument:
        try:
            return from_json(row["content"])
        except DocumentFormatError as error:
            raise BulletinError(f"公文“{row['title']}”的内容无法读取：{error}") from error

    def _files(self, bulletin_id: str) -> tuple[FrozenFile, ...]:
        rows = self.db.execute(
            "SELECT id, format, sha256, size FROM bulletin_files WHERE bulletin_id = ?"
            " AND deleted = 0 ORDER BY format",
            [bulletin_id],
        ).fetchall()
        return tuple(
            FrozenFile(
                row_id,
                format,
                sha,
                size,
                self.files.path(sha) if self.files.root is not None else None,
            )
            for row_id, format, sha, size in rows
        )

    def _render(self, document: GongwenDocument) -> list[Any]:
        try:
            return render_files(document, self.profile, self.renderers)
        except DocumentInvalid as invalid:
            raise BulletinError("；".join(p.message for p in invalid.problems)) from invalid
        except (OSError, ValueError) as error:  # a figure that cannot be read, a font …
            raise BulletinError(f"生成签发文件时出错，没有签发：{error}") from error

    def _disclose(self, cited: list[str], on: date, today: date) -> tuple[str, ...]:
        """Disclose the cited 暗访 records not disclosed yet (as of the day of issue)."""
        if not cited:
            return ()
        from app.services.inspections import Inspections

        marks = ", ".join("?" for _ in cited)
        covert = [
            row[0]
            for row in self.db.execute(
                f"SELECT id FROM inspections WHERE id IN ({marks}) AND deleted = 0"
                " AND kind = 'covert' AND disclosed_on IS NULL ORDER BY checked_on, rowid",
                cited,
            )
        ]
        inspections = Inspections(self.repo)
        for record_id in covert:
            try:
                inspections.disclose(record_id, on, today=today)
            except WriteError as error:
                raise BulletinError(f"不能签发：引用的暗访记录无法公开（{error}）") from error
        return tuple(covert)


def _content(document: GongwenDocument) -> str:
    text = to_json(document)
    try:
        from_json(text)  # what is stored must read back
    except DocumentFormatError as error:
        raise BulletinError(f"公文内容无法保存：{error}") from error
    return text


def _title(document: GongwenDocument) -> str:
    return document.title.replace("\n", "").strip()


def _cited(row: dict[str, Any]) -> list[str]:
    try:
        value = json.loads(row["cited"] or "[]")
    except ValueError:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _summary(row: dict[str, Any]) -> BulletinSummary:
    try:
        kind: BulletinKind | str = BulletinKind(row["kind"])
    except ValueError:
        kind = row["kind"]
    try:
        request = json.loads(row["source"] or "{}")
    except ValueError:
        request = {}
    return BulletinSummary(
        id=row["id"],
        series_id=row["series_id"],
        version=row["version"],
        supersedes=row["supersedes"],
        kind=kind,
        state=BulletinState(row["state"]),
        title=row["title"],
        code=row["code"],
        number=row["number"],
        year=row["year"],
        serial=row["serial"],
        request=request if isinstance(request, dict) else {},
        cited=tuple(_cited(row)),
        created_on=date.fromisoformat(row["created_on"]),
        created_by=row["created_by"],
        submitted_on=date.fromisoformat(row["submitted_on"]) if row["submitted_on"] else None,
        submitted_by=row["submitted_by"],
        issued_on=date.fromisoformat(row["issued_on"]) if row["issued_on"] else None,
        issued_by=row["issued_by"],
    )


def _refusal(state: BulletinState, action: BulletinAction) -> str:
    if state is BulletinState.ISSUED:
        return f"这份公文已签发，不能再{action.label}；如有错误，请发更正（新版本）。"
    if action is BulletinAction.ISSUE:
        return "草稿要先送审，由审核人审核后签发。"
    if action is BulletinAction.SUBMIT:
        return "这份公文已在审核中。"
    return "只有待审核的公文可以退回修改。"
