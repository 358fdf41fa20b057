"""通报 and 督办通知 drafted from the ledger, numbered, approved and frozen (docs/gongwen.md).

drafting.py        a first draft per kind from the data, through the kind's template
progress_data.py   调度情况通报: status and lights, overdue lists, targets, replies
inspection_data.py 明察暗访情况通报 (and 表扬 / 批评 通报 from the 红黑榜)
notice_data.py     督办通知 / 整改通知书 to one department
templates.py       the office's templates (``bulletin_templates``); defaults.py: the shipped ones
numbering.py       发文字号: next serial per 机关代字 and year, duplicates after a sync
store.py           草稿 → 待审核 → 已签发, versions (更正); frozen.py: the issued files
"""

from app.services.bulletins.drafting import BulletinDrafting
from app.services.bulletins.model import (
    BulletinAction,
    BulletinError,
    BulletinKind,
    BulletinState,
    Draft,
    DraftRequest,
    parse_kind,
)
from app.services.bulletins.numbering import DuplicateNumber, format_number
from app.services.bulletins.store import Bulletin, Bulletins, BulletinSummary, Issued
from app.services.bulletins.templates import BulletinTemplates, TemplateProblem

__all__ = [
    "Bulletin",
    "BulletinAction",
    "BulletinDrafting",
    "BulletinError",
    "BulletinKind",
    "BulletinState",
    "BulletinSummary",
    "BulletinTemplates",
    "Bulletins",
    "Draft",
    "DraftRequest",
    "DuplicateNumber",
    "Issued",
    "TemplateProblem",
    "format_number",
    "parse_kind",
]
