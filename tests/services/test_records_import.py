"""Records files (docs/records-json.md): the required shape, upserts by id, errors that name the
entry, all-or-nothing, and a reader that only ever raises RecordsFileError (fuzzed)."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.inspection import FindingStage, UserRole
from app.services.records_import import RecordsImport
from app.services.records_json import (
    MAX_RECORDS_DEPTH,
    MAX_RECORDS_ENTRIES,
    MAX_RECORDS_FILE_BYTES,
    MAX_RECORDS_STRING_CHARS,
    RecordsFileError,
    parse_records,
)
from app.storage import Storage
from tests.services.workspace import TODAY, Workspace


class Fixture:
    """A ledger with one measure (lead 市行政审批服务局, alias 审批局) and a records file for it."""

    def __init__(self, storage: Storage) -> None:
        self.ws = Workspace(storage).as_user("张三")
        self.measure = self.ws.measure(title="优化综合窗口")
        department = self.ws.department("市行政审批服务局")
        storage.repository.insert(
            "department_aliases", {"department_id": department, "alias": "审批局"}
        )
        self.department = department

    def document(self) -> dict:
        return {
            "format": "ducha-records",
            "version": 1,
            "plans": [
                {
                    "id": "plan-2021-09",
                    "name": "2021年9月政务服务暗访",
                    "mode": "covert",
                    "starts_on": "2021-09-20",
                    "ends_on": "2021-09-30",
                    "methods": ["模拟办事", "电话暗访"],
                    "sites": ["市政务服务中心 综合窗口"],
                    "inspectors": ["张三", "李四"],
                    "measures": [self.measure],
                    "departments": ["审批局"],
                    "conclusion": "综合窗口服务有待改进。",
                    "concluded_on": "2021-10-08",
                    "feedback": [{"department": "市行政审批服务局", "fed_back_on": "2021-10-09"}],
                }
            ],
            "inspections": [
                {
                    "id": "insp-1",
                    "measure_id": self.measure,
                    "plan_id": "plan-2021-09",
                    "kind": "covert",
                    "checked_on": "2021-09-30",
                    "inspectors": ["张三", "李四"],
                    "place": "市政务服务中心",
                    "summary": "模拟办理营业执照",
                    "method": "模拟办事",
                    "answers": [
                        {
                            "id": "ans-1",
                            "source": "promise",
                            "text": "0.5个工作日内办结",
                            "op": "<=",
                            "value": 0.5,
                            "unit": "个工作日",
                            "measured": 2,
                            "verdict": "fail",
                            "finding_id": "f-1",
                            "evidence": [
                                {
                                    "id": "ev-1",
                                    "sha256": "ab" * 32,
                                    "original_name": "窗口.jpg",
                                    "size": 123456,
                                    "media_type": "image/jpeg",
                                    "captured_at": "2021-09-30T09:12:00",
                                    "gps_lat": 35.08,
                                    "gps_lon": 117.15,
                                }
                            ],
                        }
                    ],
                    "findings": [
                        {
                            "id": "f-1",
                            "description": "办理时间超过承诺时限",
                            "category": "办事效率",
                            "severity": "major",
                            "department": "审批局",
                            "rectify_within_workdays": 3,
                        },
                        {
                            "id": "f-2",
                            "description": "要求提供已取消的证明材料",
                            "category": "政策落实",
                            "severity": "minor",
                            "department": "市行政审批服务局",
                            "rectify_by": "2021-10-15",
                            "reports": [
                                {"id": "rep-1", "reported_on": "2021-10-08", "text": "已取消"}
                            ],
                            "rechecks": [
                                {
                                    "id": "chk-1",
                                    "checked_on": "2021-10-11",
                                    "inspector": "李四",
                                    "result": "pass",
                                }
                            ],
                        },
                    ],
                }
            ],
        }

    def run(self, document: dict | bytes):
        data = document if isinstance(document, bytes) else json.dumps(document).encode()
        services = self.ws.services
        return RecordsImport(services.repository, services.holidays.calendar()).import_bytes(
            data, today=TODAY
        )

    def snapshot(self) -> tuple:
        db = self.ws.db
        return (
            db.execute("SELECT COUNT(*), MAX(seq) FROM changes").fetchone(),
            db.execute("PRAGMA integrity_check").fetchone()[0],
        )


@pytest.fixture
def fx(storage: Storage) -> Fixture:
    return Fixture(storage)


def test_the_required_shape_is_accepted(fx: Fixture) -> None:
    """Exactly the keys the issue names, nothing more."""
    minimal = {
        "format": "ducha-records",
        "version": 1,
        "inspections": [
            {
                "id": "i-1",
                "measure_id": fx.measure,
                "kind": "open",
                "checked_on": "2021-09-30",
                "inspectors": ["张三"],
                "place": "市政务服务中心",
                "summary": "查阅台账",
                "findings": [
                    {
                        "id": "p-1",
                        "description": "台账不全",
                        "category": "其他",
                        "severity": "minor",
                        "department": "审批局",
                        "rectify_within_workdays": 1,
                    },
                    {
                        "id": "p-2",
                        "description": "未公示",
                        "category": "信息公开",
                        "severity": "serious",
                        "department": "市行政审批服务局",
                        "rectify_by": "2021-10-20",
                    },
                ],
            }
        ],
    }
    summary = fx.run(minimal)
    assert summary.added["inspections"] == 1 and summary.added["findings"] == 2
    rows = {row.id: row for row in fx.ws.services.finding_list.findings(as_of=TODAY)}
    assert rows["p-1"].rectify_by == date(2021, 10, 8)  # National Day skipped
    assert rows["p-2"].rectify_by == date(2021, 10, 20)
    assert {row.department for row in rows.values()} == {"市行政审批服务局"}


def test_a_full_file_lands_whole_and_again_changes_nothing(fx: Fixture) -> None:
    summary = fx.run(fx.document())
    assert summary.added == {
        "plans": 1,
        "feedback": 1,
        "inspections": 1,
        "answers": 1,
        "findings": 2,
        "reports": 1,
        "rechecks": 1,
        "evidence": 1,
    }
    services = fx.ws.services
    plan = services.inspection_plans.get("plan-2021-09")
    assert plan.inspectors == ("张三", "李四") and plan.department_ids == (fx.department,)
    assert plan.measure_ids == (fx.measure,) and plan.record_count == 1
    assert [f.fed_back_on for f in plan.feedback] == [date(2021, 10, 9)]
    record = services.inspections.get("insp-1")
    assert record.inspector == "张三、李四" and record.method == "模拟办事"
    closed = services.findings.get("f-2")
    assert closed.stage is FindingStage.CLOSED and closed.rectified_on == date(2021, 10, 11)
    assert closed.rectification == "已取消"
    answer = fx.ws.db.execute(
        "SELECT verdict, measured, finding_id FROM checklist_answers WHERE id = 'ans-1'"
    ).fetchone()
    assert answer == ("fail", 2.0, "f-1")
    before = fx.snapshot()
    again = fx.run(fx.document())
    assert sum(again.added.values()) == sum(again.updated.values()) == 0
    assert fx.snapshot() == before  # not one change-log entry


def test_an_upsert_updates_what_the_file_gives_and_moves_the_workflow_on(fx: Fixture) -> None:
    fx.run(fx.document())
    document = fx.document()
    finding = document["inspections"][0]["findings"][0]
    finding["severity"] = "serious"
    finding.pop("category")  # not given: stays 办事效率
    finding["reports"] = [{"id": "rep-2", "reported_on": "2021-10-12", "text": "压缩办理时限"}]
    finding["rechecks"] = [
        {"id": "chk-2", "checked_on": "2021-10-13", "inspector": "张三", "result": "fail"}
    ]
    summary = fx.run(document)
    assert summary.updated["findings"] == 1 and summary.added["rechecks"] == 1
    detail = fx.ws.services.findings.get("f-1")
    assert (detail.severity.value, detail.category) == ("serious", "办事效率")
    assert detail.stage is FindingStage.RECTIFYING  # 退回重改
    assert detail.rectification == "压缩办理时限"


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda d: d.update(format="other"), "", "不是督查记录文件"),
        (lambda d: d.update(version=2), "", "版本是 2"),
        (lambda d: d["inspections"][0].update(extra=1), "inspections[0]（编号 insp-1）", "extra"),
        (
            lambda d: d["inspections"][0]["findings"][0].update(department="市不存在局"),
            "inspections[0]（编号 insp-1）.findings[0]（编号 f-1）.department",
            "不在部门名录中",
        ),
        (
            lambda d: d["inspections"][0]["findings"][1].update(category="卫生"),
            "findings[1]（编号 f-2）",
            "类别“卫生”不在问题类别列表中",
        ),
        (
            lambda d: d["inspections"][0]["findings"][0].update(rectify_by="2021-10-01"),
            "findings[0]（编号 f-1）",
            "只能填一种",
        ),
        (
            lambda d: d["inspections"][0].update(checked_on="2021-9-30"),
            "inspections[0]（编号 insp-1）.checked_on",
            "YYYY-MM-DD",
        ),
        (
            lambda d: d["inspections"][0].update(measure_id="no-such-measure"),
            "inspections[0]（编号 insp-1）",
            "该措施不存在",
        ),
        (
            lambda d: d["inspections"][0].update(kind="open"),
            "inspections[0]（编号 insp-1）.kind",
            "kind 应为 covert",
        ),
        (
            lambda d: d["inspections"][0]["findings"][1]["rechecks"][0].update(
                checked_on="2021-10-01"
            ),
            "rechecks[0]（编号 chk-1）",
            "不能“复查通过，销号”",
        ),
        (
            lambda d: d["inspections"][0]["findings"][1].update(id="f-1"),
            "findings[1]（编号 f-1）",
            "编号 f-1 与",
        ),
        (
            lambda d: d["inspections"][0]["answers"][0].update(finding_id="f-9"),
            "answers[0]（编号 ans-1）.finding_id",
            "不是这条检查记录的问题",
        ),
        (
            lambda d: d["plans"][0].update(methods=["夜访"]),
            "plans[0]（编号 plan-2021-09）",
            "检查方式“夜访”不在列表中",
        ),
        (
            lambda d: d["plans"][0]["feedback"][0].update(fed_back_on="2021-10-01"),
            "feedback[0].fed_back_on",
            "不能早于督查结论",
        ),
        (
            lambda d: d["inspections"][0].update(checked_on="2022-01-05"),
            "inspections[0]（编号 insp-1）",
            "检查日期不能晚于今天",
        ),
        (
            lambda d: d["inspections"][0]["answers"][0]["evidence"][0].update(sha256="xyz"),
            "evidence[0]（编号 ev-1）.sha256",
            "SHA-256",
        ),
    ],
)
def test_a_bad_entry_is_named_and_nothing_changes(fx: Fixture, change, where, message) -> None:
    document = fx.document()
    change(document)
    before = fx.snapshot()
    with pytest.raises(RecordsFileError) as raised:
        fx.run(document)
    assert message in str(raised.value)
    assert where in raised.value.where or where in str(raised.value)
    assert fx.snapshot() == before
    assert fx.ws.db.execute("SELECT COUNT(*) FROM inspections").fetchone()[0] == 0


def test_a_hidden_covert_record_cannot_be_overwritten(fx: Fixture) -> None:
    fx.run(fx.document())
    fx.ws.as_user("王五")
    document = fx.document()
    del document["plans"]
    document["inspections"][0]["summary"] = "改写"
    before = fx.snapshot()
    with pytest.raises(RecordsFileError, match="无权查看的暗访记录"):
        fx.run(document)
    assert fx.snapshot() == before
    fx.ws.as_user("科长", UserRole.SUPERVISOR)
    assert fx.run(document).updated["inspections"] == 1


def test_a_closed_finding_is_not_rewritten(fx: Fixture) -> None:
    fx.run(fx.document())
    document = fx.document()
    document["inspections"][0]["findings"][1]["description"] = "改写描述"
    with pytest.raises(RecordsFileError, match="已销号"):
        fx.run(document)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "不是有效的 JSON"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[1, 2]", "应为一个对象"),
        (b'{"format": "ducha-records", "version": 1, "version": 1}', "出现了两次"),
        (b'{"format": "ducha-records", "version": 1, "inspections": [NaN]}', "NaN"),
        (b'{"format": "ducha-records", "version": 1, "x": "\\ud800"}', "无效的字符"),
        (b"[" * (MAX_RECORDS_DEPTH + 1) + b"]" * (MAX_RECORDS_DEPTH + 1), "嵌套太深"),
        (b"[" * 100_000, "JSON"),
        (
            json.dumps({"format": "ducha-records", "version": 1, "x": "长" * 30_000}).encode(),
            "太长",
        ),
        (
            json.dumps(
                {"format": "ducha-records", "version": 1, "inspections": [{}] * 60_000}
            ).encode(),
            "条目太多",
        ),
        (b" " * (MAX_RECORDS_FILE_BYTES + 1), "文件太大"),
    ],
)
def test_the_reader_refuses_bad_files_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(RecordsFileError, match=message):
        parse_records(data)


def test_the_limits_are_sane() -> None:
    assert MAX_RECORDS_STRING_CHARS >= 10_000 and MAX_RECORDS_ENTRIES >= 10_000
    assert MAX_RECORDS_FILE_BYTES >= 10 * 1024 * 1024


# ---- Fuzzing: any bytes, any mutation of a valid file -------------------------------------


@pytest.fixture(scope="module")
def fuzz_fixture(tmp_path_factory):
    storage = Storage.open(tmp_path_factory.mktemp("fuzz") / "ledger.sqlite")
    yield Fixture(storage)
    storage.close()


def _import_or_refuse(fx: Fixture, data: bytes) -> None:
    before = fx.snapshot()
    savepoint = fx.ws.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
    try:
        fx.run(data)
    except RecordsFileError as error:
        assert str(error)  # a message for the user
        assert fx.snapshot() == before, "a refused file changed the database"
        return
    # Accepted: undo it so that the next example starts from the same database.
    assert fx.ws.db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] >= savepoint
    _reset(fx)


def _reset(fx: Fixture) -> None:
    db = fx.ws.db
    db.execute("BEGIN IMMEDIATE")
    db.execute("DROP TRIGGER IF EXISTS temp.guard_dummy")
    for table in (
        "evidence",
        "rechecks",
        "finding_events",
        "checklist_answers",
        "findings",
        "inspections",
        "inspection_feedback",
        "inspection_plan_scope",
        "inspection_plans",
    ):
        db.execute(f"DROP TRIGGER IF EXISTS temp.guard_{table}_delete")
        db.execute(f"DELETE FROM {table}")
        for log_table in ("changes", "field_clock", "history"):  # so that the snapshot
            db.execute(  # is comparable
                f"DELETE FROM {log_table} WHERE table_key ="
                f" (SELECT key FROM log_tables WHERE name = '{table}')"
            )
    db.execute("COMMIT")
    from app.storage.database import _install_write_guard

    _install_write_guard(db)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_only_ever_give_a_records_error(fuzz_fixture: Fixture, data) -> None:
    _import_or_refuse(fuzz_fixture, data)


def _mutations():
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=False),
        st.text(max_size=30),
        st.sampled_from(["2021-10-01", "2021-02-30", "审批局", "covert", "pass", "f-1", ""]),
    )
    return st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(["set", "drop", "dup"]), scalars),
        min_size=1,
        max_size=6,
    )


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _mutate(document: dict, mutations) -> dict:
    document = copy.deepcopy(document)
    for pick, how, scalar in mutations:
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = paths[pick % len(paths)]
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if how == "set":
            parent[last] = scalar
        elif how == "drop":
            del parent[last]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        else:
            parent[f"{last}_copy"] = copy.deepcopy(parent[last])
    return document


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(_mutations())
def test_mutated_files_import_whole_or_change_nothing(fuzz_fixture: Fixture, mutations) -> None:
    document = _mutate(fuzz_fixture.document(), mutations)
    _import_or_refuse(fuzz_fixture, json.dumps(document, ensure_ascii=False).encode())
