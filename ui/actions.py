"""Action ids in one registry: menus, shortcuts and tests refer to actions by id."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


class ActionId(StrEnum):
    IMPORT_PLAN = "import_plan"
    EXPORT_JSON = "export_json"
    MERGE_DATABASE = "merge_database"
    EXPORT_DATABASE_COPY = "export_database_copy"
    DEPARTMENTS = "departments"
    ROUNDS = "rounds"
    HOLIDAYS = "holidays"
    EXPORT_LEDGER = "export_ledger"
    NEW_ASSIGNED = "new_assigned"
    NEW_INSPECTION_PLAN = "new_inspection_plan"
    CURRENT_USER = "current_user"
    FINDING_CATEGORIES = "finding_categories"
    INSPECTION_METHODS = "inspection_methods"
    SCORE_RULES = "score_rules"
    QUIT = "quit"
    PAGE_LEDGER = "page_ledger"
    PAGE_INSPECTIONS = "page_inspections"
    PAGE_BULLETINS = "page_bulletins"
    PAGE_STATISTICS = "page_statistics"
    PAGE_SYNC = "page_sync"
    HELP = "help"
    ABOUT = "about"


@dataclass(frozen=True)
class ActionSpec:
    text: str
    shortcut: QKeySequence | QKeySequence.StandardKey | None = None
    tip: str = ""


ACTION_SPECS: dict[ActionId, ActionSpec] = {
    ActionId.IMPORT_PLAN: ActionSpec(
        "导入实施方案(&I)…", QKeySequence("Ctrl+I"), "解析实施方案文件，核对后存入工作台账"
    ),
    ActionId.EXPORT_JSON: ActionSpec(
        "导出数据(&E)…", QKeySequence("Ctrl+E"), "把整个数据库导出为 JSON 文件"
    ),
    ActionId.MERGE_DATABASE: ActionSpec(
        "从数据库文件合并(&M)…",
        None,
        "合并同事的数据库文件中的全部修改（先复制到本机，只读，不改动原文件）",
    ),
    ActionId.EXPORT_DATABASE_COPY: ActionSpec(
        "导出数据库副本(&C)…", None, "把本机数据库的副本写到所选文件夹，供同事合并"
    ),
    ActionId.DEPARTMENTS: ActionSpec(
        "部门名录(&D)…", QKeySequence("Ctrl+Shift+D"), "合并、拆分、改名各方案中出现的部门名称"
    ),
    ActionId.ROUNDS: ActionSpec(
        "调度(&R)…", QKeySequence("Ctrl+R"), "发放进展填报表、导入各部门报回的表格、查看报送情况"
    ),
    ActionId.HOLIDAYS: ActionSpec(
        "节假日安排(&H)…", None, "录入国务院公布的放假和调休安排（计算工作日用）"
    ),
    ActionId.EXPORT_LEDGER: ActionSpec(
        "导出工作台账 Excel(&X)…", QKeySequence("Ctrl+Shift+E"), "按截至日期导出整个工作台账"
    ),
    ActionId.NEW_ASSIGNED: ActionSpec(
        "新建交办事项(&A)…",
        None,
        "领导批示、热线投诉等不来自文件的任务：指定责任部门、完成期限和目标，像措施一样跟踪",
    ),
    ActionId.NEW_INSPECTION_PLAN: ActionSpec(
        "新建督查方案(&N)…", None, "制定一次明察或暗访：督查对象、检查方式、期间和人员"
    ),
    ActionId.CURRENT_USER: ActionSpec(
        "当前用户(&U)…", None, "本机使用者的姓名和身份（决定能看到哪些暗访记录）"
    ),
    ActionId.FINDING_CATEGORIES: ActionSpec("问题类别(&C)…", None, "编辑发现问题的类别列表"),
    ActionId.INSPECTION_METHODS: ActionSpec("检查方式(&M)…", None, "编辑检查方式列表"),
    ActionId.SCORE_RULES: ActionSpec(
        "红黑榜计分规则(&S)…", None, "按严重程度、类别扣分，按期整改加分"
    ),
    ActionId.QUIT: ActionSpec("退出(&X)", QKeySequence("Ctrl+Q")),
    ActionId.PAGE_LEDGER: ActionSpec("工作台账(&L)", QKeySequence("Ctrl+1")),
    ActionId.PAGE_INSPECTIONS: ActionSpec("明察暗访(&I)", QKeySequence("Ctrl+2")),
    ActionId.PAGE_BULLETINS: ActionSpec("通报(&B)", QKeySequence("Ctrl+3")),
    ActionId.PAGE_STATISTICS: ActionSpec("统计分析(&S)", QKeySequence("Ctrl+4")),
    ActionId.PAGE_SYNC: ActionSpec("同步(&Y)", QKeySequence("Ctrl+5")),
    ActionId.HELP: ActionSpec(
        "使用指南(&G)", QKeySequence("F1"), "各页面的用途、主要工作流程和快捷键"
    ),
    ActionId.ABOUT: ActionSpec("关于督查台账(&A)"),
}


class ActionRegistry:
    def __init__(self, parent: QWidget) -> None:
        self._actions: dict[ActionId, QAction] = {}
        for action_id, spec in ACTION_SPECS.items():
            action = QAction(spec.text, parent)
            action.setObjectName(action_id.value)
            if spec.shortcut is not None:
                action.setShortcut(spec.shortcut)
            if spec.tip:
                action.setStatusTip(spec.tip)
            self._actions[action_id] = action

    def __getitem__(self, action_id: ActionId) -> QAction:
        return self._actions[action_id]
