"""A small 明察暗访 scene for the page's tests, written through the services in the past.

Three measures, a 暗访 plan of 张三 with one record and one problem, and two 明察 records by 李四
with two problems; the page looks at 2021-10-08 (AS_OF), when the 暗访 problem (due 9-15) and the
fee problem (5 working days after 9-20: 9-27) are overdue and the 台账 problem (due 12-31) is not.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate

from app.domain.inspection import Severity, UserRole
from app.domain.ledger import InspectionKind
from app.services.findings import FindingDraft
from app.storage import Storage
from tests.services.workspace import TODAY, Workspace
from ui.changes import ChangeNotifier
from ui.models.lazy_table import LazyTableModel
from ui.pages.inspections_page import InspectionsPage

AS_OF = date(2021, 10, 8)
COVERT_PROBLEM = "综合窗口无人值守"
LEDGER_PROBLEM = "台账资料不全"
FEE_PROBLEM = "违规收取工本费"
PLAN_NAME = "2021年9月政务服务暗访"


class Scene:
    def __init__(self, storage: Storage) -> None:
        self.ws = ws = Workspace(storage)
        self.services = ws.services
        ws.as_user("科长甲", UserRole.SUPERVISOR)
        self.window_measure = ws.measure(title="优化综合窗口", lead="市行政审批服务局")
        self.agency_measure = ws.measure(title="规范中介服务", lead="市发展改革局")
        self.fee_measure = ws.measure(title="公开收费目录", lead="市市场监管局")
        self.approval = ws.department("市行政审批服务局")
        self.reform = ws.department("市发展改革局")
        self.market = ws.department("市市场监管局")
        self.plan = ws.plan(
            inspectors=("张三",), name=PLAN_NAME, measure_ids=(self.window_measure,)
        )
        ws.as_user("张三")
        self.covert = ws.record(
            self.window_measure,
            FindingDraft(COVERT_PROBLEM, category="服务态度", rectify_by=date(2021, 9, 15)),
            kind=InspectionKind.COVERT,
            plan=self.plan,
            checked_on=date(2021, 9, 10),
        )
        ws.as_user("李四")
        self.agency = ws.record(
            self.agency_measure,
            FindingDraft(
                LEDGER_PROBLEM,
                category="政策落实",
                severity=Severity.MAJOR,
                rectify_by=date(2021, 12, 31),
            ),
            checked_on=date(2021, 9, 14),
            inspector="李四",
        )
        self.fee = ws.record(
            self.fee_measure,
            FindingDraft(
                FEE_PROBLEM, category="违规收费", severity=Severity.SERIOUS, rectify_workdays=5
            ),
            checked_on=date(2021, 9, 20),
            inspector="李四",
        )
        [self.covert_finding] = ws.findings_of(self.covert)
        [self.ledger_finding] = ws.findings_of(self.agency)
        [self.fee_finding] = ws.findings_of(self.fee)
        ws.as_user("科长甲", UserRole.SUPERVISOR)

    def page(self, qtbot) -> InspectionsPage:
        notifier = ChangeNotifier(self.services.repository)
        page = InspectionsPage(self.services, notifier)
        page._notifier = notifier  # kept alive with the page
        qtbot.addWidget(page)
        page.resize(1240, 700)
        page.show()
        page.filters.as_of.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
        return page


def all_cells(model: LazyTableModel, column: int) -> list[str]:
    """Every row's text in ``column``, fetching the whole list (tests only)."""
    while model.canFetchMore():
        model.fetchMore()
    return [model.cell(row, column) for row in range(model.rowCount())]


def run_dialog(monkeypatch, cls: type, fill: Any) -> list:
    """Patch ``cls.exec``: ``fill(dialog)`` plays the user, then the dialog is accepted; the
    dialogs seen are returned (in a list filled as they open)."""
    seen: list = []

    def exec_(dialog) -> int:
        seen.append(dialog)
        if fill(dialog) is False:
            dialog.reject()
            return 0
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


__all__ = ["AS_OF", "TODAY", "Scene", "all_cells", "run_dialog"]
