"""Sheets out: one workbook per department of a round, all written or none, nothing overwritten.

File names are "<round>-<department>.xlsx" made safe by ``app.files.safe_name``; the round part is
shortened first (to ``ROUND_PART_BYTES``), so that a long round name still leaves the
department's name readable, and the whole name fits every common disk. A name already taken in
the folder is never reused for a new sheet — the file there may be a department's filled-in
reply — unless it is a sheet this run wrote and nobody has changed since (``WrittenFiles``): the
sheet then gets the first free name "<…>（2）.xlsx", "<…>（3）.xlsx", … and ``SheetExport.kept``
lists it, so the CLI and the dialog can say which files were left alone.

The whole export is one repository transaction (with the round's creation, when the CLI creates
it in the same run) and one ``FileBatch``: every sheet is written under a temporary name first,
and the sheets are moved into place only when all were written; any failure (a full disk, an
unwritable folder, an exception in the 5th sheet, a failed commit) leaves no round_sheets rows, no
new round and none of the files (``ProgressError`` with a Chinese message for disk errors).
A process killed while the files are being moved into place (after every sheet was written,
before the commit) leaves sheets whose round is not in the database — importing one says so —
and a kill before that leaves only temporary ``.~ducha-….tmp`` files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, overload

from app import __version__
from app.files import FileBatch, WrittenFiles, explain_write_error, safe_name, shorten
from app.services.progress.model import Addressee, ProgressError
from reports.progress_sheet import ProgressSheet, write_sheet

if TYPE_CHECKING:
    from app.services.progress.service import ProgressService

SUFFIX = ".xlsx"
ROUND_PART_BYTES = 60  # at most 20 Chinese characters of the round's name in a file name


@dataclass(frozen=True)
class PlannedSheet:
    """Which file a department's sheet goes to."""

    department_id: str
    department_name: str
    wanted: str  # the usual name, "2021年7月调度-市税务局.xlsx"
    name: str  # the name it gets
    kept: bool = False  # a file called ``wanted`` is in the folder and stays untouched
    replaces: bool = False  # replaces this run's own, unchanged sheet of that name


@dataclass(frozen=True)
class SheetExport(Sequence[Path]):
    """What an export wrote; a sequence of the written paths, in the order of the addressees."""

    round_id: str
    folder: Path
    sheets: Sequence[PlannedSheet]

    @property
    def paths(self) -> list[Path]:
        return [self.folder / sheet.name for sheet in self.sheets]

    @property
    def kept(self) -> list[PlannedSheet]:
        """Sheets saved under a new name because a file of the usual name was there."""
        return [sheet for sheet in self.sheets if sheet.kept]

    @overload
    def __getitem__(self, index: int) -> Path: ...
    @overload
    def __getitem__(self, index: slice) -> list[Path]: ...
    def __getitem__(self, index: int | slice) -> Path | list[Path]:
        return self.paths[index]

    def __len__(self) -> int:
        return len(self.sheets)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)


def sheet_stem(round_name: str, department_name: str) -> str:
    return f"{shorten(round_name.strip(), ROUND_PART_BYTES)}-{department_name.strip()}"


def plan_names(
    round_name: str, addressees: Sequence[Addressee], folder: Path, written: WrittenFiles
) -> list[PlannedSheet]:
    """A file name for each addressee's sheet in ``folder`` (see the module docstring)."""
    try:
        present = {name.casefold(): name for name in os.listdir(folder)}
    except OSError:  # no such folder yet (or not readable: then writing fails clearly)
        present = {}
    taken: set[str] = set()  # names given to earlier sheets of this export (case-folded)
    planned = []
    for addressee in addressees:
        stem = sheet_stem(round_name, addressee.name)
        wanted = name = safe_name(stem, SUFFIX, folder=folder)
        counter, replaces = 1, False
        while True:
            key = name.casefold()
            if key not in taken:
                existing = present.get(key)
                if existing is None:
                    break
                if existing == name and written.owns(folder / name):
                    replaces = True
                    break
            counter += 1
            name = safe_name(stem, f"（{counter}）{SUFFIX}", folder=folder)
        taken.add(name.casefold())
        planned.append(
            PlannedSheet(
                department_id=addressee.id,
                department_name=addressee.name,
                wanted=wanted,
                name=name,
                kept=wanted.casefold() in present and name != wanted,
                replaces=replaces,
            )
        )
    return planned


def export_sheets(
    service: ProgressService,
    start: Callable[[], str],
    out_dir: str | Path,
    exported_on: date,
    departments: Collection[str] | None,
) -> SheetExport:
    """Write the round's sheets; ``start()`` runs first inside the transaction and gives the
    round's id (it may create the round)."""
    folder = Path(out_dir)
    repo = service.repo
    try:
        with FileBatch(folder) as batch, repo.transaction():
            round_id = start()
            info = service.get_round(round_id)
            catalog = service._catalog(info)
            plan_title = service._plan_title(catalog.plan_id)
            addressees = [
                addressee
                for addressee in catalog.addressees().departments
                if departments is None or addressee.id in departments
            ]
            planned = plan_names(info.name, addressees, folder, service.written)
            recorded = {
                department_id: sheet_id
                for sheet_id, department_id in service.db.execute(
                    "SELECT id, department_id FROM round_sheets WHERE round_id = ? AND deleted = 0",
                    [round_id],
                )
            }
            for sheet in planned:
                items = catalog.items(sheet.department_id)
                content = ProgressSheet(
                    round_id=info.id,
                    round_name=info.name,
                    reply_due=info.reply_due,
                    plan_id=catalog.plan_id,
                    plan_title=plan_title,
                    department_id=sheet.department_id,
                    department_name=sheet.department_name,
                    exported_on=exported_on,
                    rows=[item.to_row() for item in items],
                    app_version=__version__,
                )
                batch.add(sheet.name, partial(write_sheet, content), replace=sheet.replaces)
                values = {"exported_on": exported_on.isoformat(), "item_count": len(items)}
                if sheet.department_id in recorded:
                    repo.update("round_sheets", recorded[sheet.department_id], values)
                else:
                    repo.insert(
                        "round_sheets",
                        {"round_id": round_id, "department_id": sheet.department_id, **values},
                    )
            batch.publish()
    except OSError as error:
        raise ProgressError(
            f"无法在“{folder}”中写入填报表：{explain_write_error(error)}"
        ) from error
    result = SheetExport(round_id, folder, planned)
    for path in result.paths:
        service.written.record(path)
    return result
