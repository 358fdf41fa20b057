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


# Fixed ids for the rows step 4 seeds into synced tables: every laptop seeds the same rows, so
# after a sync they are one row each (uuid5 of a fixed namespace and "<list>:<name>").
SEED_NAMESPACE = "6f1c1e8e-2b7a-4d7c-9a51-3c1f0d1e6a40"
SEED_VOCABULARY = {
    "method": ("实地查看", "模拟办事", "电话暗访", "网上办事体验", "走访企业", "查阅资料"),
    "category": ("服务态度", "办事效率", "政策落实", "违规收费", "信息公开", "其他"),
}
# 红黑榜: points deducted per finding by severity, extra by category, credit for 整改 on time.
SEED_SCORE_RULES = (
    ("base", "", 100.0),
    ("severity", "minor", -1.0),
    ("severity", "major", -3.0),
    ("severity", "serious", -5.0),
    ("category", "违规收费", -2.0),
    ("on_time", "", 1.0),
    ("overdue", "", -2.0),
)


def seed_id(kind: str, key: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.UUID(SEED_NAMESPACE), f"{kind}:{key}"))


@LEDGER_MIGRATIONS.step(4, "inspection_workspace")
def _inspection_workspace(db: Database) -> None:
    # 明察暗访 as a workspace (docs/inspections.md): 督查方案 with their scope and feedback,
    # 交办事项 as measures of a plan of kind 'assigned', guided checklists, evidence files,
    # the 整改 → 复查 → 销号 workflow of findings, editable lists and 红黑榜 rules.
    _execute_all(
        db,
        """
        ALTER TABLE plans ADD COLUMN kind TEXT NOT NULL DEFAULT 'plan'
            CHECK (kind IN ('plan', 'assigned'));
        ALTER TABLE measures ADD COLUMN source TEXT;
        ALTER TABLE measures ADD COLUMN assigned_by TEXT;
        ALTER TABLE measures ADD COLUMN assigned_on TEXT;

        CREATE TABLE inspection_plans (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('open', 'covert')),
            starts_on TEXT,
            ends_on TEXT,
            methods TEXT NOT NULL DEFAULT '[]',
            sites TEXT NOT NULL DEFAULT '[]',
            inspectors TEXT NOT NULL DEFAULT '[]',
            conclusion TEXT NOT NULL DEFAULT '',
            concluded_on TEXT,
            created_on TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX inspection_plans_period ON inspection_plans (starts_on, ends_on);
        CREATE TABLE inspection_plan_scope (
            id TEXT PRIMARY KEY,
            inspection_plan_id TEXT NOT NULL REFERENCES inspection_plans (id),
            measure_id TEXT REFERENCES measures (id),
            department_id TEXT REFERENCES departments (id),
            deleted INTEGER NOT NULL DEFAULT 0,
            CHECK (measure_id IS NOT NULL OR department_id IS NOT NULL)
        );
        CREATE INDEX inspection_plan_scope_plan ON inspection_plan_scope (inspection_plan_id);
        CREATE TABLE inspection_feedback (
            id TEXT PRIMARY KEY,
            inspection_plan_id TEXT NOT NULL REFERENCES inspection_plans (id),
            department_id TEXT NOT NULL REFERENCES departments (id),
            fed_back_on TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX inspection_feedback_plan ON inspection_feedback (inspection_plan_id);

        ALTER TABLE inspections ADD COLUMN inspection_plan_id TEXT REFERENCES inspection_plans (id);
        ALTER TABLE inspections ADD COLUMN method TEXT NOT NULL DEFAULT '';
        ALTER TABLE inspections ADD COLUMN department_id TEXT REFERENCES departments (id);
        ALTER TABLE inspections ADD COLUMN state TEXT NOT NULL DEFAULT 'final'
            CHECK (state IN ('draft', 'final'));
        ALTER TABLE inspections ADD COLUMN disclosed_on TEXT;
        ALTER TABLE inspections ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
        CREATE INDEX inspections_plan ON inspections (inspection_plan_id, checked_on);
        CREATE INDEX inspections_checked ON inspections (checked_on);

        CREATE TABLE checklist_templates (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE checklist_template_items (
            id TEXT PRIMARY KEY,
            template_id TEXT NOT NULL REFERENCES checklist_templates (id),
            position INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            op TEXT CHECK (op IN ('>=', '<=', '=', '>', '<')),
            value REAL,
            unit TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX checklist_template_items_template
            ON checklist_template_items (template_id, position);
        CREATE TABLE checklist_answers (
            id TEXT PRIMARY KEY,
            inspection_id TEXT NOT NULL REFERENCES inspections (id),
            position INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL
                CHECK (source IN ('deadline', 'target', 'promise', 'template', 'custom')),
            ref_id TEXT,
            text TEXT NOT NULL,
            expected TEXT NOT NULL DEFAULT '',
            op TEXT CHECK (op IN ('>=', '<=', '=', '>', '<')),
            value REAL,
            unit TEXT NOT NULL DEFAULT '',
            verdict TEXT CHECK (verdict IN ('pass', 'partial', 'fail', 'na')),
            measured REAL,
            measured_text TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            finding_id TEXT REFERENCES findings (id),
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX checklist_answers_inspection ON checklist_answers (inspection_id, position);

        ALTER TABLE findings ADD COLUMN category TEXT NOT NULL DEFAULT '其他';
        ALTER TABLE findings ADD COLUMN severity TEXT NOT NULL DEFAULT 'minor'
            CHECK (severity IN ('minor', 'major', 'serious'));
        ALTER TABLE findings ADD COLUMN rectify_workdays INTEGER;
        ALTER TABLE findings ADD COLUMN stage TEXT NOT NULL DEFAULT 'pending'
            CHECK (stage IN ('pending', 'rectifying', 'awaiting_recheck', 'closed'));
        ALTER TABLE findings ADD COLUMN rectification TEXT NOT NULL DEFAULT '';
        ALTER TABLE findings ADD COLUMN reported_on TEXT;
        UPDATE findings SET stage = 'closed' WHERE rectified_on IS NOT NULL;
        CREATE INDEX findings_department ON findings (department_id, found_on);
        CREATE INDEX findings_due ON findings (rectify_by);
        CREATE INDEX findings_found ON findings (found_on);
        CREATE TABLE finding_events (
            id TEXT PRIMARY KEY,
            finding_id TEXT NOT NULL REFERENCES findings (id),
            happened_on TEXT NOT NULL,
            stage TEXT NOT NULL
                CHECK (stage IN ('pending', 'rectifying', 'awaiting_recheck', 'closed')),
            action TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            actor TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX finding_events_finding ON finding_events (finding_id, happened_on);
        CREATE TABLE rechecks (
            id TEXT PRIMARY KEY,
            finding_id TEXT NOT NULL REFERENCES findings (id),
            checked_on TEXT NOT NULL,
            inspector TEXT NOT NULL DEFAULT '',
            result TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
            note TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX rechecks_finding ON rechecks (finding_id, checked_on);

        CREATE TABLE evidence (
            id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            original_name TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL DEFAULT '',
            captured_at TEXT,
            gps_lat REAL,
            gps_lon REAL,
            file_modified_at TEXT,
            imported_at TEXT NOT NULL,
            inspection_id TEXT REFERENCES inspections (id),
            answer_id TEXT REFERENCES checklist_answers (id),
            finding_id TEXT REFERENCES findings (id),
            recheck_id TEXT REFERENCES rechecks (id),
            note TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX evidence_sha ON evidence (sha256);
        CREATE INDEX evidence_inspection ON evidence (inspection_id);
        CREATE INDEX evidence_finding ON evidence (finding_id);

        CREATE TABLE vocabulary (
            id TEXT PRIMARY KEY,
            list TEXT NOT NULL CHECK (list IN ('method', 'category', 'site')),
            name TEXT NOT NULL,
            position INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX vocabulary_list ON vocabulary (list, position);
        CREATE TABLE score_rules (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL
                CHECK (kind IN ('base', 'severity', 'category', 'on_time', 'overdue')),
            key TEXT NOT NULL DEFAULT '',
            points REAL NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        )
        """,
    )
    # Raw inserts (no change-log entries): every laptop seeds the same rows with the same ids,
    # so there is nothing to exchange; an edit of a seeded row is logged like any other.
    for list_name, names in SEED_VOCABULARY.items():
        for position, name in enumerate(names, start=1):
            db.execute(
                "INSERT INTO vocabulary (id, list, name, position) VALUES (?, ?, ?, ?)",
                [seed_id(list_name, name), list_name, name, position],
            )
    for kind, key, points in SEED_SCORE_RULES:
        db.execute(
            "INSERT INTO score_rules (id, kind, key, points) VALUES (?, ?, ?, ?)",
            [seed_id(f"score-{kind}", key), kind, key, points],
        )


@LEDGER_MIGRATIONS.step(5, "bulletins")
def _bulletins(db: Database) -> None:
    # 通报 and 督办通知 (docs/gongwen.md): the office's drafting templates per kind, the documents
    # through 草稿 → 待审核 → 已签发 with their versions (更正), and the frozen files of an issued
    # version (content-addressed beside the database, like evidence). ``kind`` and ``format``
    # carry no CHECK: a later release may add kinds and formats, and a laptop on this release
    # must still accept them when they arrive by sync.
    _execute_all(
        db,
        """
        CREATE TABLE bulletin_templates (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            updated_on TEXT NOT NULL,
            updated_by TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX bulletin_templates_kind ON bulletin_templates (kind);
        CREATE TABLE bulletins (
            id TEXT PRIMARY KEY,
            series_id TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            supersedes TEXT REFERENCES bulletins (id),
            kind TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'review', 'issued')),
            title TEXT NOT NULL DEFAULT '',
            code TEXT NOT NULL DEFAULT '',
            year INTEGER,
            serial INTEGER,
            number TEXT NOT NULL DEFAULT '',
            content TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '{}',
            cited TEXT NOT NULL DEFAULT '[]',
            created_on TEXT NOT NULL,
            created_by TEXT NOT NULL DEFAULT '',
            submitted_on TEXT,
            submitted_by TEXT NOT NULL DEFAULT '',
            issued_on TEXT,
            issued_by TEXT NOT NULL DEFAULT '',
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX bulletins_series ON bulletins (series_id, version);
        CREATE INDEX bulletins_number ON bulletins (code, year, serial);
        CREATE INDEX bulletins_state ON bulletins (state, kind);
        CREATE TABLE bulletin_files (
            id TEXT PRIMARY KEY,
            bulletin_id TEXT NOT NULL REFERENCES bulletins (id),
            format TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            created_on TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX bulletin_files_bulletin ON bulletin_files (bulletin_id);
        CREATE INDEX bulletin_files_sha ON bulletin_files (sha256)
        """,
    )


# The compact change log (step 6): what one text row per field became. docs/sync-format.md.
COMPACT_LOG_SCHEMA = """
    CREATE TABLE log_tables (
        key INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE log_fields (
        tbl INTEGER NOT NULL,
        key INTEGER NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (tbl, key),
        UNIQUE (tbl, name)
    ) WITHOUT ROWID;
    CREATE TABLE log_devices (
        key INTEGER PRIMARY KEY,
        device TEXT NOT NULL UNIQUE,
        max_hlc INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY,
        table_key INTEGER NOT NULL,
        row_key BLOB NOT NULL,
        field_key INTEGER NOT NULL,
        hlc INTEGER NOT NULL,
        device_key INTEGER NOT NULL,
        base_hlc INTEGER
    );
    CREATE TABLE field_clock (
        table_key INTEGER NOT NULL,
        row_key BLOB NOT NULL,
        field_key INTEGER NOT NULL,
        hlc INTEGER NOT NULL,
        device_key INTEGER NOT NULL,
        base_hlc INTEGER,
        PRIMARY KEY (table_key, row_key, field_key)
    ) WITHOUT ROWID;
    CREATE TABLE history (
        table_key INTEGER NOT NULL,
        row_key BLOB NOT NULL,
        field_key INTEGER NOT NULL,
        hlc INTEGER NOT NULL,
        device_key INTEGER NOT NULL,
        value,
        PRIMARY KEY (table_key, row_key, field_key, hlc, device_key)
    ) WITHOUT ROWID;
    CREATE TABLE pending_entries (
        tbl TEXT NOT NULL,
        row_id TEXT NOT NULL,
        field TEXT NOT NULL,
        value,
        hlc TEXT NOT NULL,
        device TEXT NOT NULL,
        base_hlc TEXT,
        PRIMARY KEY (tbl, row_id, field, hlc, device)
    ) WITHOUT ROWID;
    CREATE TABLE sync_sent (
        seq INTEGER PRIMARY KEY,
        first_local_seq INTEGER NOT NULL,
        last_local_seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL
    );
    CREATE TABLE sync_applied (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        PRIMARY KEY (device, seq)
    ) WITHOUT ROWID;
    CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY,
        tbl TEXT NOT NULL,
        row_id TEXT NOT NULL,
        field TEXT NOT NULL,
        kept_value,
        kept_hlc TEXT NOT NULL,
        kept_device TEXT NOT NULL,
        lost_value,
        lost_hlc TEXT NOT NULL,
        lost_device TEXT NOT NULL,
        UNIQUE (tbl, row_id, field, lost_hlc, lost_device, kept_hlc, kept_device)
    );
    CREATE TABLE sync_blobs (
        sha256 TEXT PRIMARY KEY
    ) WITHOUT ROWID
"""
# Notes on the columns: ``row_key`` and ``value`` have no type affinity (BLOB, none), so a UUID's
# 16 bytes stay a BLOB, any other id stays TEXT, and a value keeps its own type (NULL, INTEGER,
# REAL, TEXT) exactly as it was written. ``pending_entries`` holds entries that arrived before the
# rows they need (a row's other fields, a parent row): not in the log yet, applied as soon as a
# later ``apply`` brings what they wait for. ``sync_*``: this laptop's state of sync through a
# share (app/sync/, docs/sync-format.md): batches written, batches applied, conflicts found,
# evidence files known to be on the share.
# ``changes.seq`` is not AUTOINCREMENT: records are never deleted, so the next seq is always past
# every earlier one.


@LEDGER_MIGRATIONS.step(6, "compact_change_log")
def _compact_change_log(db: Database) -> None:
    from app.storage.log_migration import compact_text_log

    db.execute("ALTER TABLE changes RENAME TO changes_text")
    _execute_all(db, COMPACT_LOG_SCHEMA)
    compact_text_log(db, "changes_text")
    db.execute("DROP TABLE changes_text")
