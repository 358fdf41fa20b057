"""调度 rounds: one progress sheet out to each department, the filled-in sheets back in.

A round ("2021年7月调度") belongs to a plan and has a reply deadline. ``export_sheets`` writes
one .xlsx per department (reports/progress_sheet.py) listing the department's items: each live
milestone of its measures, each measure without milestones, each target. ``import_files``
validates every returned file completely before anything is written; a batch with any error
applies nothing. A valid batch lands in one repository transaction: progress_files,
progress_reports, target_actuals, and completion dates reported by lead departments.

A row the department left blank (none of its own cells filled) is 未填报: nothing is written for
it, and ``replies``/``missing_report`` list it beside the missing and late files. A filled row
must be complete.

Re-importing the same bytes changes nothing. A different file from a department that already
replied in this round is a correction: for each row it fills in, the earlier report or target
value is tombstoned and replaced; a row it leaves blank keeps the earlier one (completion dates
already set stay; an earlier completion stands).
"""

from app.services.progress.checks import parse_date, parse_number
from app.services.progress.model import (
    Addressee,
    Addressees,
    FileOutcome,
    FileStatus,
    ImportIssue,
    ImportReport,
    MissingReport,
    ProgressError,
    ReplyStatus,
    RoundInfo,
    SheetItem,
    item_line,
)
from app.services.progress.service import ProgressService

__all__ = [
    "Addressee",
    "Addressees",
    "FileOutcome",
    "FileStatus",
    "ImportIssue",
    "ImportReport",
    "MissingReport",
    "ProgressError",
    "ProgressService",
    "ReplyStatus",
    "RoundInfo",
    "SheetItem",
    "item_line",
    "parse_date",
    "parse_number",
]
