"""Names shared by the storage layer: which tables sync, and the bookkeeping tables.

The column lists themselves live in the numbered migrations (app/storage/migrations.py) and are
read back from SQLite at run time, so there is one source of truth for each column.
"""

from __future__ import annotations

# Every table whose rows are edited by people and exchanged between laptops. Order matters:
# a table comes after the tables its foreign keys point to (export and replay follow it).
SYNCED_TABLES: tuple[str, ...] = (
    "plans",
    "areas",
    "measures",
    "departments",
    "department_aliases",
    "assignments",
    "milestones",
    "targets",
    "rounds",
    "round_sheets",
    "progress_files",
    "progress_reports",
    "target_actuals",
    "holidays",
    "inspections",
    "findings",
    # v4: the 明察暗访 workspace
    "inspection_plans",
    "inspection_plan_scope",
    "inspection_feedback",
    "checklist_templates",
    "checklist_template_items",
    "checklist_answers",
    "finding_events",
    "rechecks",
    "evidence",
    "vocabulary",
    "score_rules",
    # v5: 通报 and 督办通知 (docs/gongwen.md)
    "bulletin_templates",
    "bulletins",
    "bulletin_files",
)

CHANGES_TABLE = "changes"
META_TABLE = "meta"
TOMBSTONE_COLUMN = "deleted"
ID_COLUMN = "id"

ROLES = ("lead", "responsible", "cooperating")
MILESTONE_KINDS = ("date", "recurring", "ongoing", "period")
COMPARATORS = (">=", "<=", "=", ">", "<")
REPORT_STATES = ("not_started", "in_progress", "done")
HOLIDAY_KINDS = ("holiday", "workday")
INSPECTION_KINDS = ("open", "covert")
