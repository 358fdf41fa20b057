"""Numbered schema migrations.

Rules (see README, "添加数据库迁移"):
- never edit a step once released; add the next number instead;
- each step runs in one transaction together with its ``PRAGMA user_version`` bump and the
  sqlite-utils record of it having been applied;
- synced tables get a TEXT UUID ``id`` primary key and a ``deleted`` tombstone flag; rows are
  never hard-deleted;
- keep steps additive where possible, so a laptop on the previous version can still read the
  change batches of a newer one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET_NAME = "ducha_ledger"


class MigrationPlan:
    """A numbered sequence of migration steps on top of sqlite-utils ``Migrations``."""

    def __init__(self, name: str = MIGRATION_SET_NAME) -> None:
        self.migrations = Migrations(name)
        self.names: list[str] = []

    @property
    def latest(self) -> int:
        return len(self.names)

    def step(self, number: int, slug: str) -> Callable[[Callable[[Database], None]], Callable]:
        if number != self.latest + 1:
            raise ValueError(f"migration {number} registered after {self.latest}")
        name = f"{number:04d}_{slug}"

        def register(fn: Callable[[Database], None]) -> Callable[[Database], None]:
            def run(db: Database) -> None:
                fn(db)
                db.execute(f"PRAGMA user_version = {number}")

            self.migrations(name=name)(run)
            self.names.append(name)
            return fn

        return register


LEDGER_MIGRATIONS = MigrationPlan()


def _execute_all(db: Database, statements: str) -> None:
    # Not executescript(): it would COMMIT the migration's transaction half-way.
    for statement in statements.split(";"):
        if statement.strip():
            db.execute(statement)


@LEDGER_MIGRATIONS.step(1, "ledger_schema")
def _ledger_schema(db: Database) -> None:
    _execute_all(
        db,
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tbl TEXT NOT NULL,
            row_id TEXT NOT NULL,
            field TEXT NOT NULL,
            value TEXT,
            hlc TEXT NOT NULL,
            device TEXT NOT NULL,
            base_hlc TEXT
        );
        CREATE UNIQUE INDEX changes_field_version
            ON changes (tbl, row_id, field, hlc, device);
        CREATE INDEX changes_hlc ON changes (hlc);

        CREATE TABLE plans (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            doc_number TEXT,
            issuer TEXT,
            issued_on TEXT,
            source_name TEXT,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE areas (
            id TEXT PRIMARY KEY,
            plan_id TEXT NOT NULL REFERENCES plans (id),
            no INTEGER,
            title TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX areas_plan ON areas (plan_id, position);
        CREATE TABLE measures (
            id TEXT PRIMARY KEY,
            plan_id TEXT NOT NULL REFERENCES plans (id),
            area_id TEXT REFERENCES areas (id),
            no INTEGER,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX measures_plan ON measures (plan_id, position);
        CREATE INDEX measures_area ON measures (area_id, position);
        CREATE TABLE departments (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            is_group INTEGER NOT NULL DEFAULT 0 CHECK (is_group IN (0, 1)),
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX departments_name ON departments (name);
        CREATE TABLE department_aliases (
            id TEXT PRIMARY KEY,
            department_id TEXT NOT NULL REFERENCES departments (id),
            alias TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX department_aliases_department ON department_aliases (department_id);
        CREATE INDEX department_aliases_alias ON department_aliases (alias);
        CREATE TABLE assignments (
            id TEXT PRIMARY KEY,
            measure_id TEXT NOT NULL REFERENCES measures (id),
            department_id TEXT NOT NULL REFERENCES departments (id),
            role TEXT NOT NULL CHECK (role IN ('lead', 'responsible', 'cooperating')),
            raw_name TEXT,
            span_start INTEGER,
            span_end INTEGER,
            position INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX assignments_measure ON assignments (measure_id);
        CREATE INDEX assignments_department ON assignments (department_id, role);
        CREATE TABLE milestones (
            id TEXT PRIMARY KEY,
            measure_id TEXT NOT NULL REFERENCES measures (id),
            raw TEXT NOT NULL DEFAULT '',
            due TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('date', 'recurring', 'ongoing', 'period')),
            span_start INTEGER,
            span_end INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX milestones_measure ON milestones (measure_id);
        CREATE INDEX milestones_due ON milestones (due);
        CREATE TABLE targets (
            id TEXT PRIMARY KEY,
            measure_id TEXT NOT NULL REFERENCES measures (id),
            raw TEXT NOT NULL DEFAULT '',
            metric TEXT NOT NULL DEFAULT '',
            op TEXT CHECK (op IN ('>=', '<=', '=', '>', '<')),
            value REAL,
            unit TEXT NOT NULL DEFAULT '',
            span_start INTEGER,
            span_end INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX targets_measure ON targets (measure_id)
        """,
    )


@LEDGER_MIGRATIONS.step(2, "progress_rounds_calendar")
def _progress_rounds_calendar(db: Database) -> None:
    _execute_all(
        db,
        """
        ALTER TABLE milestones ADD COLUMN completed_on TEXT;
        ALTER TABLE measures ADD COLUMN completed_on TEXT;
        CREATE INDEX milestones_measure_due ON milestones (measure_id, due);

        CREATE TABLE rounds (
            id TEXT PRIMARY KEY,
            plan_id TEXT REFERENCES plans (id),
            name TEXT NOT NULL,
            reply_due TEXT,
            created_on TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX rounds_name ON rounds (name);
        CREATE TABLE round_sheets (
            id TEXT PRIMARY KEY,
            round_id TEXT NOT NULL REFERENCES rounds (id),
            department_id TEXT NOT NULL REFERENCES departments (id),
            exported_on TEXT NOT NULL,
            item_count INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX round_sheets_round ON round_sheets (round_id, department_id);
        CREATE TABLE progress_files (
            id TEXT PRIMARY KEY,
            round_id TEXT NOT NULL REFERENCES rounds (id),
            department_id TEXT NOT NULL REFERENCES departments (id),
            file_name TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL,
            received_on TEXT NOT NULL,
            reporter TEXT,
            phone TEXT,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX progress_files_round ON progress_files (round_id, department_id);
        CREATE INDEX progress_files_sha ON progress_files (sha256);
        CREATE TABLE progress_reports (
            id TEXT PRIMARY KEY,
            round_id TEXT NOT NULL REFERENCES rounds (id),
            file_id TEXT REFERENCES progress_files (id),
            measure_id TEXT NOT NULL REFERENCES measures (id),
            milestone_id TEXT REFERENCES milestones (id),
            department_id TEXT NOT NULL REFERENCES departments (id),
            role TEXT CHECK (role IN ('lead', 'responsible', 'cooperating')),
            reported_on TEXT NOT NULL,
            state TEXT CHECK (state IN ('not_started', 'in_progress', 'done')),
            completed_on TEXT,
            progress TEXT NOT NULL DEFAULT '',
            problems TEXT NOT NULL DEFAULT '',
            next_steps TEXT NOT NULL DEFAULT '',
            reporter TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX progress_reports_measure ON progress_reports (measure_id, reported_on);
        CREATE INDEX progress_reports_round ON progress_reports (round_id, department_id);
        CREATE TABLE target_actuals (
            id TEXT PRIMARY KEY,
            target_id TEXT NOT NULL REFERENCES targets (id),
            value REAL NOT NULL,
            measured_on TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            report_id TEXT REFERENCES progress_reports (id),
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX target_actuals_target ON target_actuals (target_id, measured_on);
        CREATE TABLE holidays (
            id TEXT PRIMARY KEY,
            day TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
            note TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX holidays_day ON holidays (day)
        """,
    )


@LEDGER_MIGRATIONS.step(3, "inspections_findings")
def _inspections_findings(db: Database) -> None:
    # 明察暗访: an inspection of one measure, and the problems it found. A finding is open
    # from ``found_on`` (its inspection's date) until ``rectified_on``.
    _execute_all(
        db,
        """
        CREATE TABLE inspections (
            id TEXT PRIMARY KEY,
            measure_id TEXT NOT NULL REFERENCES measures (id),
            kind TEXT NOT NULL CHECK (kind IN ('open', 'covert')),
            checked_on TEXT NOT NULL,
            inspector TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX inspections_measure ON inspections (measure_id, checked_on);
        CREATE TABLE findings (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections (id),
            measure_id TEXT NOT NULL REFERENCES measures (id),
            department_id TEXT REFERENCES departments (id),
            description TEXT NOT NULL,
            found_on TEXT NOT NULL,
            rectify_by TEXT,
            rectified_on TEXT,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX findings_measure ON findings (measure_id, found_on);
        CREATE INDEX findings_inspection ON findings (inspection_id)
        """,
    )
