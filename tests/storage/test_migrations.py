from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from app.storage import NewerSchemaError, Storage
from app.storage.export import export_tables
from app.storage.migrations import LEDGER_MIGRATIONS, MigrationPlan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def _plan_with_extra_steps(*, fail_in_step_2: bool = False) -> MigrationPlan:
    """The real migrations followed by two test-only steps."""
    plan = MigrationPlan()
    for number, name in enumerate(LEDGER_MIGRATIONS.names, start=1):
        migration = next(m for m in LEDGER_MIGRATIONS.migrations._migrations if m.name == name)
        plan.migrations(name=name)(migration.fn)
        plan.names.append(name)
        assert plan.latest == number
    base = LEDGER_MIGRATIONS.latest

    @plan.step(base + 1, "add_notes")
    def _add_notes(db: Database) -> None:
        db.execute("ALTER TABLE plans ADD COLUMN notes TEXT")

    @plan.step(base + 2, "add_flag")
    def _add_flag(db: Database) -> None:
        db.execute("ALTER TABLE plans ADD COLUMN flag INTEGER")
        if fail_in_step_2:
            raise RuntimeError("disk full")

    return plan


def test_a_new_database_is_at_the_latest_version(storage: Storage) -> None:
    assert storage.schema_version == LEDGER_MIGRATIONS.latest
    applied = [m.name for m in LEDGER_MIGRATIONS.migrations.applied(storage.db)]
    assert applied == LEDGER_MIGRATIONS.names


def test_steps_must_be_numbered_in_order() -> None:
    plan = MigrationPlan("test")
    with pytest.raises(ValueError):
        plan.step(2, "skipped_one")


def test_upgrade_backs_up_first_and_keeps_the_data(db_path: Path) -> None:
    storage = Storage.open(db_path)
    plan_id = storage.repository.insert("plans", {"title": "旧方案"})
    storage.close()

    upgraded = Storage.open(db_path, migrations=_plan_with_extra_steps())
    assert upgraded.schema_version == LEDGER_MIGRATIONS.latest + 2
    assert upgraded.repository.get("plans", plan_id)["title"] == "旧方案"
    assert "notes" in upgraded.db["plans"].columns_dict
    upgraded.close()

    backups = list(db_path.parent.glob(f"{db_path.stem}.v{LEDGER_MIGRATIONS.latest}-backup-*"))
    assert len(backups) == 1
    backup = Storage.open(backups[0])
    assert backup.repository.get("plans", plan_id)["title"] == "旧方案"
    assert "notes" not in backup.db["plans"].columns_dict
    backup.close()


def test_a_failing_step_rolls_back_with_its_version_bump(db_path: Path) -> None:
    Storage.open(db_path).close()
    with pytest.raises(RuntimeError, match="disk full"):
        Storage.open(db_path, migrations=_plan_with_extra_steps(fail_in_step_2=True))
    # Step 1 of the extra ones committed; step 2 left no trace: no column, no version bump.
    assert _user_version(db_path) == LEDGER_MIGRATIONS.latest + 1
    db = Database(db_path)
    assert "notes" in db["plans"].columns_dict
    assert "flag" not in db["plans"].columns_dict
    db.close()


def test_no_backup_for_a_brand_new_database(db_path: Path) -> None:
    Storage.open(db_path).close()
    assert [p.name for p in db_path.parent.iterdir() if "backup" in p.name] == []


def test_a_database_from_a_newer_version_is_refused_unchanged(db_path: Path) -> None:
    Storage.open(db_path, migrations=_plan_with_extra_steps()).close()
    before = db_path.read_bytes()
    with pytest.raises(NewerSchemaError, match="请先升级督查台账"):
        Storage.open(db_path)
    assert db_path.read_bytes() == before


def test_unknown_applied_migrations_are_refused_even_at_the_same_version(db_path: Path) -> None:
    Storage.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('ducha_ledger', '0099_from_the_future', 'now')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError, match="0099_from_the_future"):
        Storage.open(db_path)


def test_the_released_v1_fixture_opens_and_keeps_its_rows(tmp_path: Path) -> None:
    """tests/fixtures/schema_v1.sqlite was written by release 0.1.0; it must stay readable."""
    path = tmp_path / "v1.sqlite"
    shutil.copy(FIXTURES / "schema_v1.sqlite", path)
    storage = Storage.open(path)
    tables = export_tables(storage)
    assert storage.schema_version == LEDGER_MIGRATIONS.latest
    assert list(tmp_path.glob("v1.v1-backup-*.sqlite")), "upgrading must back up first"
    assert storage.device_id == "fixture-schema-v1-device-0000001"
    assert [row["title"] for row in tables["plans"].values()] == [
        "滕州市深入优化营商环境创新突破行动落实方案"
    ]
    assert len(tables["measures"]) == 3
    assert sum(row["deleted"] for row in tables["measures"].values()) == 1
    assert storage.db["changes"].count > 0
    storage.close()


def _schema(db: Database) -> dict[str, str]:
    return {
        name: " ".join(sql.split())
        for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index')"
            " AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        )
    }


def test_the_released_v3_fixture_upgrades_to_the_workspace_schema(tmp_path: Path) -> None:
    """schema_v3.sqlite was written by the v3 release: findings keep their meaning in v4."""
    path = tmp_path / "v3.sqlite"
    shutil.copy(FIXTURES / "schema_v3.sqlite", path)
    storage = Storage.open(path)
    assert storage.schema_version == LEDGER_MIGRATIONS.latest
    assert list(tmp_path.glob("v3.v3-backup-*.sqlite")), "upgrading must back up first"
    tables = export_tables(storage)
    findings = sorted(tables["findings"].values(), key=lambda row: row["found_on"])
    # The open one waits for 整改; the one the office confirmed rectified is 已销号.
    assert [(row["stage"], row["rectified_on"]) for row in findings] == [
        ("pending", None),
        ("closed", "2021-07-15"),
    ]
    assert all(row["category"] == "其他" and row["severity"] == "minor" for row in findings)
    inspections = sorted(tables["inspections"].values(), key=lambda row: row["checked_on"])
    assert [(row["kind"], row["state"], row["inspector"]) for row in inspections] == [
        ("open", "final", "张三"),
        ("covert", "final", "李四、王五"),
    ]
    assert all(row["kind"] == "plan" for row in tables["plans"].values())
    assert len(tables["rounds"]) == 1
    # The same schema as a database created by this release, and the same seeded lists.
    fresh = Storage.open(tmp_path / "fresh.sqlite")
    assert _schema(storage.db) == _schema(fresh.db)
    assert export_tables(fresh)["vocabulary"] == tables["vocabulary"]
    assert export_tables(fresh)["score_rules"] == tables["score_rules"]
    fresh.close()
    storage.close()


def test_seeded_lists_have_the_same_ids_on_every_laptop(tmp_path: Path) -> None:
    first, second = Storage.open(tmp_path / "a.sqlite"), Storage.open(tmp_path / "b.sqlite")
    assert first.device_id != second.device_id
    for table in ("vocabulary", "score_rules"):
        assert export_tables(first)[table] == export_tables(second)[table]
    names = [
        row["name"]
        for row in sorted(
            export_tables(first)["vocabulary"].values(), key=lambda r: (r["list"], r["position"])
        )
        if row["list"] == "category"
    ]
    assert names == ["服务态度", "办事效率", "政策落实", "违规收费", "信息公开", "其他"]
    first.close()
    second.close()


def test_the_seeded_lists_match_the_domain_defaults(storage: Storage) -> None:
    from app.domain.inspection import DEFAULT_CATEGORIES, DEFAULT_METHODS

    rows = export_tables(storage)["vocabulary"].values()
    by_list: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        by_list.setdefault(row["list"], []).append((row["position"], row["name"]))
    assert tuple(name for _, name in sorted(by_list["method"])) == DEFAULT_METHODS
    assert tuple(name for _, name in sorted(by_list["category"])) == DEFAULT_CATEGORIES
