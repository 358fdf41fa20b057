"""发文字号: assigned when issued, no gaps, restarting each year, one sequence per 机关代字, safe
when two issues meet in one database, and a duplicate detected after another laptop's changes
arrive (Repository.apply, as sync will deliver them)."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.services.bulletins import (
    BulletinDrafting,
    BulletinError,
    BulletinKind,
    Bulletins,
    DraftRequest,
    format_number,
)
from app.services.bulletins.numbering import check_code
from app.storage import Storage
from app.storage.changelog import read_changes
from tests.services.bulletins.conftest import ready_for_issue, supervisor
from tests.services.bulletins.ledger import AS_OF, LEAD

PROGRESS = DraftRequest(BulletinKind.PROGRESS, AS_OF)
NOTICE = DraftRequest(BulletinKind.NOTICE, AS_OF, department_name=LEAD)
TODAY = date(2022, 3, 1)


def _issue(drafting, bulletins, request=PROGRESS, on=date(2021, 9, 2)) -> str:
    bulletin_id = ready_for_issue(drafting, bulletins, request, today=min(on, TODAY))
    return bulletins.issue(bulletin_id, on=on, today=TODAY).bulletin.number


def test_numbers_are_consecutive_and_drafts_or_refusals_take_none(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    assert _issue(drafting, bulletins) == "滕政办督〔2021〕1号"
    # A draft that is never issued, one that is discarded, and one whose issue is refused
    # (its title ends with 。) consume nothing.
    bulletins.create(drafting.draft(PROGRESS), today=AS_OF)
    discarded = bulletins.create(drafting.draft(PROGRESS), today=AS_OF)
    bulletins.discard(discarded)
    draft = drafting.draft(PROGRESS)
    refused = bulletins.create(draft, today=AS_OF)
    bulletins.update(refused, replace(draft.document, title="关于调度情况的通报。"))
    bulletins.submit(refused, today=AS_OF)
    with pytest.raises(BulletinError, match="不能签发：标题末尾不加标点符号"):
        bulletins.issue(refused, on=date(2021, 9, 3), today=TODAY)
    assert _issue(drafting, bulletins, NOTICE, on=date(2021, 9, 3)) == "滕政办督〔2021〕2号"
    assert _issue(drafting, bulletins, on=date(2021, 9, 6)) == "滕政办督〔2021〕3号"
    serials = [
        row[0]
        for row in storage.db.execute(
            "SELECT serial FROM bulletins WHERE state = 'issued' ORDER BY serial"
        )
    ]
    assert serials == [1, 2, 3]


def test_numbers_restart_each_year_from_the_day_of_issue(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    assert _issue(drafting, bulletins, on=date(2021, 12, 30)) == "滕政办督〔2021〕1号"
    assert _issue(drafting, bulletins, on=date(2021, 12, 31)) == "滕政办督〔2021〕2号"
    assert _issue(drafting, bulletins, on=date(2022, 1, 4)) == "滕政办督〔2022〕1号"
    # A document issued late for the old year still continues that year's sequence.
    assert _issue(drafting, bulletins, on=date(2021, 12, 31)) == "滕政办督〔2021〕3号"


def test_each_code_has_its_own_sequence(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    assert _issue(drafting, bulletins) == "滕政办督〔2021〕1号"
    other = bulletins.create(drafting.draft(NOTICE), today=AS_OF)
    bulletins.set_code(other, " 滕政办督字 ")
    bulletins.submit(other, today=AS_OF)
    issued = bulletins.issue(other, on=date(2021, 9, 3), today=TODAY).bulletin
    assert (issued.number, issued.document.number) == ("滕政办督字〔2021〕1号", issued.number)
    assert _issue(drafting, bulletins, on=date(2021, 9, 6)) == "滕政办督〔2021〕2号"


@pytest.mark.parametrize("code", ["", "  ", "滕政办督〔2021〕", "TZ督", "滕政办 督", "滕政办督9"])
def test_a_code_that_cannot_make_a_number_is_refused(code: str) -> None:
    with pytest.raises(BulletinError, match="机关代字"):
        check_code(code)


def test_the_number_has_the_year_in_hexagonal_brackets_and_no_leading_zero() -> None:
    assert format_number("滕政办督", 2021, 7) == "滕政办督〔2021〕7号"
    assert format_number("滕政办督", 2021, 12) == "滕政办督〔2021〕12号"


def test_two_issues_at_once_in_one_database_get_two_numbers(
    ledger_path: Path, storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    waiting = [ready_for_issue(drafting, bulletins, PROGRESS) for _ in range(2)]
    storage.close()
    start = threading.Barrier(2)
    numbers: dict[str, str] = {}
    errors: list[BaseException] = []

    def issue(bulletin_id: str) -> None:
        opened = Storage.open(ledger_path, busy_timeout=60)
        try:
            service = Bulletins.for_storage(opened)
            start.wait()
            numbers[bulletin_id] = service.issue(
                bulletin_id, on=date(2021, 9, 2), today=TODAY
            ).bulletin.number
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            opened.close()

    threads = [threading.Thread(target=issue, args=(bulletin_id,)) for bulletin_id in waiting]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers.values()) == ["滕政办督〔2021〕1号", "滕政办督〔2021〕2号"]
    reopened = Storage.open(ledger_path)
    assert Bulletins.for_storage(reopened).duplicate_numbers() == []
    reopened.close()


def test_a_duplicate_number_from_another_laptop_is_detected(
    ledger_path: Path, storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    storage.close()
    # Laptop B starts from the same ledger (a copy with its own device id) ...
    other_path = ledger_path.with_name("other.sqlite")
    with (
        closing(sqlite3.connect(ledger_path)) as source,
        closing(sqlite3.connect(other_path)) as copy,
    ):
        source.backup(copy)
        copy.execute(
            "UPDATE meta SET value = 'laptop-b-0000000000000000000000' WHERE key = 'device_id'"
        )
        copy.commit()
    storage = Storage.open(ledger_path)
    other = Storage.open(other_path)
    forked = other.db.execute("SELECT MAX(seq) FROM changes").fetchone()[0]
    mine = Bulletins.for_storage(storage)
    theirs = Bulletins.for_storage(other)
    # ... and each laptop issues the next number before they sync.
    assert _issue(BulletinDrafting(storage.repository), mine) == "滕政办督〔2021〕1号"
    assert _issue(BulletinDrafting(other.repository), theirs, NOTICE) == "滕政办督〔2021〕1号"
    assert mine.duplicate_numbers() == []
    entries = list(read_changes(other.db, forked))
    assert {entry.table for entry in entries} >= {"bulletins", "bulletin_files"}
    storage.repository.apply(entries)

    [duplicate] = mine.duplicate_numbers()
    assert (duplicate.number, duplicate.code, duplicate.year, duplicate.serial) == (
        "滕政办督〔2021〕1号",
        "滕政办督",
        2021,
        1,
    )
    assert {d.kind for d in duplicate.documents} == {"progress", "notice"}
    assert {d.device for d in duplicate.documents} == {storage.device_id, other.device_id}
    assert "滕政办督〔2021〕1号" in duplicate.message and "重新编号" in duplicate.message
    # Both documents are kept; the next number on the merged ledger follows both.
    assert len(mine.list()) == 2
    assert _issue(BulletinDrafting(storage.repository), mine, on=date(2021, 9, 3)) == (
        "滕政办督〔2021〕2号"
    )
    other.close()


def test_versions_of_one_document_are_no_duplicate(
    storage: Storage, drafting: BulletinDrafting, bulletins: Bulletins
) -> None:
    supervisor(storage)
    first = ready_for_issue(drafting, bulletins, PROGRESS)
    bulletins.issue(first, on=date(2021, 9, 2), today=TODAY)
    second = bulletins.correct(first, today=TODAY)
    bulletins.submit(second, today=TODAY)
    corrected = bulletins.issue(second, on=date(2022, 1, 5), today=TODAY).bulletin
    assert corrected.number == "滕政办督〔2021〕1号"  # a 更正 keeps its number, even next year
    assert bulletins.duplicate_numbers() == []
    assert _issue(drafting, bulletins, on=date(2022, 1, 6)) == "滕政办督〔2022〕1号"
