"""Tables copied one cell a line (tables.rebuild_cell_lines): rows rebuilt, a row short of cells
flagged, text that is not such a table left alone, and nothing lost (fuzzed)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.plan_import import parse_text
from app.plan_import.reader import read_source
from app.plan_import.tables import rebuild_cell_lines

HEADER = ["序号", "重点任务", "牵头单位", "责任单位", "完成时限"]


def test_rows_rebuilt_and_a_short_row_flagged(tmp_path) -> None:
    cells = [
        "某市2023年重点任务分工表",
        *HEADER,
        "1", "推行一网通办。", "市政务服务局", "市大数据局", "2023年6月底前",
        "2", "推进跨省通办。", "市政务服务局", "2023年9月底前",  # 责任单位 left empty
        "3", "加强信用监管。", "市市场监管局", "市发展改革委", "2023年12月底前",
        "各单位要按时报送进展。",
    ]  # fmt: skip
    path = tmp_path / "分工.txt"
    path.write_text("\n\n".join(cells), encoding="utf-8")
    source = read_source(path)
    lines = source.text.split("\n")
    assert "1\t推行一网通办。\t市政务服务局\t市大数据局\t2023年6月底前" in lines
    assert lines[-1] == "各单位要按时报送进展。"
    from app.plan_import import parse_file

    plan = parse_file(path)
    m = plan.measures
    assert [(x.no, x.lead, x.responsible) for x in m] == [
        (1, ["市政务服务局"], ["市大数据局"]),
        (2, ["市政务服务局"], []),
        (3, ["市市场监管局"], ["市发展改革委"]),
    ]
    # row 2's cells moved left: its time limit landed in 责任单位; said so, on that measure
    assert "table_row_cells" in [d.code for d in m[1].doubts]
    assert m[1].confidence != "high"
    assert m[0].confidence == "high" and m[2].confidence == "high"


def test_prose_and_tab_tables_are_left_alone() -> None:
    text = "某市工作方案\n一、重点任务\n1.推进改革。（市发展改革委负责）\n序号\t任务\t牵头单位\n"
    assert rebuild_cell_lines(text) is None
    # column names in running text, no rows after them
    assert rebuild_cell_lines("序号\n重点任务\n牵头单位\n说明文字。\n") is None


_LINE = st.one_of(
    st.sampled_from(["序号", "分类", "重点任务", "牵头单位", "责任单位", "完成时限", "事项"]),
    st.sampled_from(["1", "2", "3", "4", "", " "]),
    st.sampled_from(["推行一网通办。", "市大数据局", "2023年6月底前", "发展目标", "一、重点"]),
    st.text(alphabet="市局一、。1234年月\t ", max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=30))
def test_rebuild_never_fails_and_loses_nothing(lines: list[str]) -> None:
    text = "\n".join(lines)
    rebuilt = rebuild_cell_lines(text)
    if rebuilt is None:
        return
    out, spans = rebuilt
    for line in lines:
        assert line.strip() in out, (line, out)
    for start, end in spans:
        assert 0 <= start < end <= len(out)
    parse_text(out)
