"""明察暗访 vocabulary: inspection plans and records, checklist verdicts, the 整改 workflow.

The workflow of a finding (问题), as the office runs it:

    待整改 ──开始整改──► 整改中 ──报整改情况──► 待复查 ──复查通过──► 已销号
      │                   ▲                      │
      └────报整改情况──────┼──────────────────────┘ (also straight from 待整改)
                          └────复查未通过（退回重改）

``FINDING_TRANSITIONS`` is the one table of legal moves; services refuse anything else.
"""

from __future__ import annotations

from enum import StrEnum


class RecordState(StrEnum):
    """An inspection record being written (saved as typed) or finished."""

    DRAFT = "draft"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "final": "已完成"}[self.value]


class Verdict(StrEnum):
    """The answer to one checklist item."""

    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_APPLICABLE = "na"

    @property
    def label(self) -> str:
        return {"pass": "符合", "partial": "基本符合", "fail": "不符合", "na": "不适用"}[self.value]


class AnswerSource(StrEnum):
    """Where a checklist item came from."""

    DEADLINE = "deadline"  # a milestone of the measure
    TARGET = "target"  # a quantified target of the measure
    PROMISE = "promise"  # a service promise in the measure's text (0.5个工作日, 免费, 无需提供…)
    TEMPLATE = "template"  # a reusable checklist template the office keeps
    CUSTOM = "custom"  # added by the inspector on the spot

    @property
    def label(self) -> str:
        return {
            "deadline": "完成时限",
            "target": "目标值",
            "promise": "服务承诺",
            "template": "检查模板",
            "custom": "自定义",
        }[self.value]


class Severity(StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    SERIOUS = "serious"

    @property
    def label(self) -> str:
        return {"minor": "一般", "major": "较重", "serious": "严重"}[self.value]


class FindingStage(StrEnum):
    """Where a finding is in the 整改 → 复查 → 销号 workflow (stored; not date-dependent)."""

    PENDING = "pending"
    RECTIFYING = "rectifying"
    AWAITING_RECHECK = "awaiting_recheck"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "pending": "待整改",
            "rectifying": "整改中",
            "awaiting_recheck": "待复查",
            "closed": "已销号",
        }[self.value]


class FindingAction(StrEnum):
    """What moves a finding from one stage to another."""

    START = "start"  # the department has taken it on
    REPORT = "report"  # the department's 整改情况 is in; a 复查 is due
    RECHECK_PASS = "recheck_pass"  # 复查通过: 销号
    RECHECK_FAIL = "recheck_fail"  # 复查未通过: 退回重改
    REOPEN = "reopen"  # the office withdraws a 销号 made in error

    @property
    def label(self) -> str:
        return {
            "start": "开始整改",
            "report": "报送整改情况",
            "recheck_pass": "复查通过，销号",
            "recheck_fail": "复查未通过，退回重改",
            "reopen": "撤销销号",
        }[self.value]


FINDING_TRANSITIONS: dict[tuple[FindingStage, FindingAction], FindingStage] = {
    (FindingStage.PENDING, FindingAction.START): FindingStage.RECTIFYING,
    (FindingStage.PENDING, FindingAction.REPORT): FindingStage.AWAITING_RECHECK,
    (FindingStage.RECTIFYING, FindingAction.REPORT): FindingStage.AWAITING_RECHECK,
    (FindingStage.AWAITING_RECHECK, FindingAction.RECHECK_PASS): FindingStage.CLOSED,
    (FindingStage.AWAITING_RECHECK, FindingAction.RECHECK_FAIL): FindingStage.RECTIFYING,
    (FindingStage.CLOSED, FindingAction.REOPEN): FindingStage.RECTIFYING,
}


def next_stage(stage: FindingStage, action: FindingAction) -> FindingStage | None:
    """The stage ``action`` leads to from ``stage``, or None when the move is not allowed."""
    return FINDING_TRANSITIONS.get((stage, action))


def allowed_actions(stage: FindingStage) -> list[FindingAction]:
    return [action for (start, action) in FINDING_TRANSITIONS if start is stage]


class UserRole(StrEnum):
    """Who is using this laptop (a setting until user accounts exist)."""

    INSPECTOR = "inspector"  # 督查员
    SUPERVISOR = "supervisor"  # 科长 / 审核人
    OFFICE = "office"  # 办公室: prints, numbers, files

    @property
    def label(self) -> str:
        return {"inspector": "督查员", "supervisor": "审核人（科长）", "office": "办公室"}[
            self.value
        ]


DEFAULT_METHODS = ("实地查看", "模拟办事", "电话暗访", "网上办事体验", "走访企业", "查阅资料")
DEFAULT_CATEGORIES = ("服务态度", "办事效率", "政策落实", "违规收费", "信息公开", "其他")
