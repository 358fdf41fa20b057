"""调度 rounds: one progress sheet out to each department, the filled-in sheets back in.

A round ("2021年7月调度") belongs to a plan and has a reply deadline. ``export_sheets`` writes
one .xlsx per department (reports/progress_sheet.py) listing the department's items: each live
milestone of its measures, each measure without milestones, each target. ``import_files``
validates every returned file completely before anything is written; a batch with any error
applies nothing. A valid batch lands in one repository transaction: progress_files,
progress_reports, target_actuals, and completion dates reported by lead departments.

Re-importing the same bytes changes nothing. A different file from a department that already
replied in this round is a correction: its earlier reports and target values are tombstoned and
replaced (completion dates already set stay; an earlier completion stands).
"""

from app.services.progress.checks import parse_date, parse_number
from app.services.progress.model import (
    Addressee,
    Addressees,
    FileOutcome,
    FileStatus,
    ImportIssue,
    ImportReport,
    ProgressError,
    ReplyStatus,
    RoundInfo,
    SheetItem,
)
from app.services.progress.service import ProgressService

__all__ = [
    "Addressee",
    "Addressees",
    "FileOutcome",
    "FileStatus",
    "ImportIssue",
    "ImportReport",
    "ProgressError",
    "ProgressService",
    "ReplyStatus",
    "RoundInfo",
    "SheetItem",
    "parse_date",
    "parse_number",
]
