"""暗访 confidentiality through every path: services, the ledger filter, the CLI, every export.

One covert record (in a plan whose inspector is 张三) with a finding, a checklist answer, a 复查
and evidence, and one open record. Each path is asked whether the covert finding shows; the open
one always must (so no path passes by showing nothing).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import pytest

import main
from app.domain.inspection import UserRole
from app.domain.ledger import InspectionKind
from app.services.finding_list import FindingFilter
from app.services.findings import FindingDraft
from app.services.status import LedgerFilter
from app.storage import Storage, WriteError
from app.storage.changelog import entry_count, read_changes
from tests.services.workspace import TODAY, Workspace

AS_OF = date(2021, 9, 20)
COVERT_PROBLEM = "综合窗口无人值守"
OPEN_PROBLEM = "台账资料不全"


class Scene:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.ws = ws = Workspace(Storage.open(path))
        ws.as_user("科长甲", UserRole.SUPERVISOR)
        self.covert_measure = ws.measure(title="优化综合窗口", lead="市行政审批服务局")
        self.open_measure = ws.measure(title="规范中介服务", lead="市发展改革局")
        self.plan = ws.plan(
            inspectors=("张三", "李四"),
            name="九月政务服务暗访",
            measure_ids=(self.covert_measure,),
        )
        ws.as_user("张三")
        self.covert = ws.record(
            self.covert_measure,
            FindingDraft(COVERT_PROBLEM, rectify_by=date(2021, 9, 15)),
            kind=InspectionKind.COVERT,
            plan=self.plan,
        )
        self.open = ws.record(
            self.open_measure,
            FindingDraft(OPEN_PROBLEM, rectify_by=date(2021, 9, 15)),
            kind=InspectionKind.OPEN,
        )
        [self.covert_finding] = ws.findings_of(self.covert)
        [self.open_finding] = ws.findings_of(self.open)
        findings = ws.services.findings
        findings.report(self.covert_finding, "已整改", date(2021, 9, 13), today=TODAY)
        findings.recheck(self.covert_finding, date(2021, 9, 14), passed=False, today=TODAY)
        repo = ws.storage.repository
        answer = repo.insert(
            "checklist_answers",
            {"inspection_id": self.covert, "source": "custom", "text": "窗口是否有人值守"},
        )
        recheck = ws.db.execute("SELECT id FROM rechecks").fetchone()[0]
        for parent in (
            {"inspection_id": self.covert},
            {"answer_id": answer},
            {"finding_id": self.covert_finding},
            {"recheck_id": recheck},
        ):
            repo.insert(
                "evidence",
                {"sha256": "a" * 64, "size": 1, "imported_at": "2021-09-10T10:00:00", **parent},
            )

    @property
    def services(self):
        return self.ws.services

    def view_as(self, name: str, role: UserRole) -> None:
        self.ws.as_user(name, role)

    def close(self) -> None:
        self.ws.storage.close()

    def cli(self, *args: str) -> dict:
        out = io.StringIO()
        with redirect_stdout(out):
            assert main.main([*args, "--db", str(self.path)]) == 0
        return json.loads(out.getvalue())


@pytest.fixture
def scene(tmp_path: Path):
    made = Scene(tmp_path / "ledger.sqlite")
    yield made
    made.close()


# Each path: (covert shown, open shown) for the current user.
Path_ = Callable[[Scene], tuple[bool, bool]]


def _detail(s: Scene) -> tuple[bool, bool]:
    def problems(measure: str) -> set[str]:
        detail = s.services.details.measure(measure, as_of=AS_OF)
        return {f.description for entry in detail.inspections for f in entry.findings}

    return COVERT_PROBLEM in problems(s.covert_measure), OPEN_PROBLEM in problems(s.open_measure)


def _records(s: Scene) -> tuple[bool, bool]:
    get = s.services.inspections.get
    return get(s.covert) is not None, get(s.open) is not None


def _open_counts(s: Scene) -> tuple[bool, bool]:
    counts = s.services.inspections.open_by_measure(as_of=AS_OF)
    total = s.services.inspections.open_count(as_of=AS_OF)
    assert total == sum(counts.values())
    return s.covert_measure in counts, s.open_measure in counts


def _finding_list(s: Scene) -> tuple[bool, bool]:
    finding_list = s.services.finding_list
    query = finding_list.query(FindingFilter(), as_of=AS_OF)
    ids = {row.id for row in finding_list.rows(query)}
    counts = finding_list.count(query)
    assert counts["total"] == len(ids)
    assert counts["overdue"] == len(ids)  # both are past their 整改期限 at AS_OF
    covert_only = finding_list.query(FindingFilter(kind=InspectionKind.COVERT), as_of=AS_OF)
    assert finding_list.count(covert_only)["total"] == (s.covert_finding in ids)
    return s.covert_finding in ids, s.open_finding in ids


def _finding_detail(s: Scene) -> tuple[bool, bool]:
    get = s.services.findings.get
    return get(s.covert_finding) is not None, get(s.open_finding) is not None


def _plans(s: Scene) -> tuple[bool, bool]:
    listed = {plan.id for plan in s.services.inspection_plans.list()}
    assert (s.services.inspection_plans.get(s.plan) is not None) == (s.plan in listed)
    return s.plan in listed, True


def _reminders(s: Scene) -> tuple[bool, bool]:
    items = [
        item.raw for group in s.services.reminders.collect(as_of=AS_OF) for item in group.items
    ]
    return f"整改：{COVERT_PROBLEM}" in items, f"整改：{OPEN_PROBLEM}" in items


def _scores(s: Scene) -> tuple[bool, bool]:
    ranking = s.services.scores.ranking(date(2021, 9, 1), date(2021, 9, 30))
    findings = {row.department: row.findings for row in ranking.rows}
    return findings["市行政审批服务局"] == 1, findings["市发展改革局"] == 1


def _ledger_filter(s: Scene) -> tuple[bool, bool]:
    status = s.services.status
    query = status.query(LedgerFilter(open_findings=True), as_of=AS_OF)
    ids = {row.id for row in status.rows(query)}
    assert status.count(query)["total"] == len(ids)  # the count agrees: nothing leaks
    assert status.contains(query, s.covert_measure) == (s.covert_measure in ids)
    return s.covert_measure in ids, s.open_measure in ids


def _cli_findings(s: Scene) -> tuple[bool, bool]:
    ids = {f["id"] for f in s.cli("findings", "--as-of", AS_OF.isoformat())["findings"]}
    return s.covert_finding in ids, s.open_finding in ids


def _cli_status(s: Scene) -> tuple[bool, bool]:
    measures = s.cli("status", "--as-of", AS_OF.isoformat())["measures"]
    counts = {m["id"]: m["open_findings"] for m in measures}
    return counts[s.covert_measure] == 1, counts[s.open_measure] == 1


def _cli_export(s: Scene) -> tuple[bool, bool]:
    dump = s.cli("export")
    tables = dump["tables"]
    covert_rows = [
        s.covert in tables["inspections"],
        s.covert_finding in tables["findings"],
        bool(tables["checklist_answers"]),
        bool(tables["rechecks"]),
        bool(tables["finding_events"]),
        len(tables["evidence"]) == 4,
        s.plan in tables["inspection_plans"],
        bool(tables["inspection_plan_scope"]),
    ]
    assert len(set(covert_rows)) == 1, covert_rows  # all or nothing
    # The change count leaves out the hidden rows' entries too.
    logged = entry_count(s.ws.db)
    assert (dump["change_count"] == logged) == covert_rows[0]
    text = json.dumps(dump, ensure_ascii=False)
    assert (COVERT_PROBLEM in text) == covert_rows[0]
    return covert_rows[0], s.open_finding in tables["findings"]


def _excel_ledger(s: Scene) -> tuple[bool, bool]:
    from openpyxl import load_workbook

    out = s.path.with_name(f"ledger-{s.ws.services.identity.current().role}.xlsx")
    out.unlink(missing_ok=True)
    code = main.main(
        ["export-ledger", "--db", str(s.path), "--out", str(out), "--as-of", AS_OF.isoformat()]
    )
    assert code == 0
    cells = " ".join(
        str(cell.value)
        for sheet in load_workbook(out).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )
    return COVERT_PROBLEM in cells, OPEN_PROBLEM in cells


PATHS: dict[str, Path_] = {
    "detail pane": _detail,
    "record": _records,
    "open counts": _open_counts,
    "findings list": _finding_list,
    "finding detail": _finding_detail,
    "plans": _plans,
    "reminders": _reminders,
    "scores": _scores,
    "ledger filter": _ledger_filter,
    "cli findings": _cli_findings,
    "cli status": _cli_status,
    "cli export": _cli_export,
    "excel ledger": _excel_ledger,
}

VIEWERS = [
    ("张三", UserRole.INSPECTOR, True),  # an inspector of the plan
    ("李四", UserRole.INSPECTOR, True),  # the other one
    ("王五", UserRole.INSPECTOR, False),  # an inspector of another team
    ("科长乙", UserRole.SUPERVISOR, True),
    ("办公室甲", UserRole.OFFICE, False),
    ("", UserRole.INSPECTOR, False),  # no user set on this laptop: not its creator
]


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize(("name", "role", "sees"), VIEWERS)
def test_each_path_shows_a_covert_record_only_to_whom_may_see_it(
    scene: Scene, path: str, name: str, role: UserRole, sees: bool
) -> None:
    scene.view_as(name, role)
    assert PATHS[path](scene) == (sees, True)


@pytest.mark.parametrize("path", list(PATHS))
def test_disclosing_the_record_makes_it_visible_everywhere(scene: Scene, path: str) -> None:
    scene.view_as("王五", UserRole.INSPECTOR)
    assert PATHS[path](scene) == (False, True)
    with pytest.raises(WriteError, match="不存在"):  # who cannot see it cannot disclose it
        scene.services.inspections.disclose(scene.covert, AS_OF, today=TODAY)
    scene.view_as("科长乙", UserRole.SUPERVISOR)
    scene.services.inspections.disclose(scene.covert, date(2021, 9, 18), today=TODAY)
    scene.view_as("王五", UserRole.INSPECTOR)
    assert PATHS[path](scene) == (True, True)


def test_who_cannot_see_a_finding_cannot_act_on_it(scene: Scene) -> None:
    scene.view_as("王五", UserRole.INSPECTOR)
    before = scene.ws.change_count()
    findings = scene.services.findings
    attempts = [
        lambda: findings.start(scene.covert_finding, AS_OF, today=TODAY),
        lambda: findings.report(scene.covert_finding, "已整改", AS_OF, today=TODAY),
        lambda: findings.recheck(scene.covert_finding, AS_OF, passed=True, today=TODAY),
        lambda: findings.edit(scene.covert_finding, FindingDraft("改")),
        lambda: findings.add(scene.covert, FindingDraft("再加一个")),
        lambda: scene.services.inspections.rectify(scene.covert_finding, AS_OF, today=TODAY),
        lambda: scene.services.inspection_plans.conclude(scene.plan, "结论", AS_OF, today=TODAY),
    ]
    for attempt in attempts:
        with pytest.raises(WriteError, match="不存在"):  # nothing says it is there
            attempt()
    assert scene.ws.change_count() == before
    with pytest.raises(WriteError, match="不存在"):
        scene.ws.record(scene.covert_measure, plan=scene.plan)


def test_a_fresh_install_sees_its_own_covert_records_and_no_one_elses(tmp_path: Path) -> None:
    """No user set: a 暗访 record made on this laptop is visible here, not on another laptop,
    and not to a named user who is not on it."""
    laptop = Workspace(Storage.open(tmp_path / "a.sqlite"))
    measure = laptop.measure()
    covert = laptop.record(
        measure, FindingDraft("问题"), kind=InspectionKind.COVERT, inspector="张三、李四"
    )
    assert laptop.services.inspections.get(covert) is not None
    assert laptop.services.inspections.last_inspector() == "张三、李四"

    other = Workspace(Storage.open(tmp_path / "b.sqlite"))  # another laptop, after a sync
    other.storage.repository.apply(read_changes(laptop.db))
    assert other.db.execute("SELECT COUNT(*) FROM inspections").fetchone()[0] == 1
    assert other.services.inspections.get(covert) is None
    assert other.services.finding_list.findings(as_of=TODAY) == []
    assert other.services.inspections.last_inspector() == ""
    other.as_user("李四")  # named on the record (it has no plan)
    assert other.services.inspections.get(covert) is not None

    laptop.as_user("王五")  # this laptop's user says who they are: the name decides now
    assert laptop.services.inspections.get(covert) is None
    laptop.as_user("张三")
    assert laptop.services.inspections.get(covert) is not None
    laptop.storage.close()
    other.storage.close()


def test_the_creator_of_a_covert_record_sees_it(storage: Storage) -> None:
    ws = Workspace(storage).as_user("赵六")  # records for colleagues, not named on it
    covert = ws.record(ws.measure(), kind=InspectionKind.COVERT, inspector="张三")
    assert ws.services.inspections.get(covert).inspector == "张三"
    ws.as_user("张三")
    assert ws.services.inspections.get(covert) is not None
    ws.as_user("王五")
    assert ws.services.inspections.get(covert) is None


def test_the_current_user_is_a_local_setting_and_is_checked(storage: Storage) -> None:
    ws = Workspace(storage)
    identity = ws.services.identity
    assert identity.current().name == "" and identity.current().role is UserRole.INSPECTOR
    before = ws.change_count()
    identity.set("张三", "审核人")
    assert identity.current().role is UserRole.SUPERVISOR
    assert ws.change_count() == before  # meta is not synced: no change-log entries
    with pytest.raises(WriteError, match="不认识的身份"):
        identity.set(role="boss")
    with pytest.raises(WriteError, match="顿号"):
        identity.set("张三、李四")
    assert identity.current().name == "张三"
