"""Department groups and the department directory."""

from __future__ import annotations

import pytest

from app.plan_import import Directory, build_directory, merge, rename, split_alias
from app.plan_import.departments import (
    Written,
    find_groups,
    is_group_name,
    looks_like_department,
)
from app.plan_import.model import DepartmentEntry


def _directory() -> Directory:
    directory, _ = build_directory(
        [
            Written("市商务和投资促进局"),
            Written("商务和投资促进局"),
            Written("市政府办公室", ("市外办",)),
            Written("市财政局"),
            Written("市直相关部门"),
        ]
    )
    return directory


def test_build_directory() -> None:
    directory = _directory()
    assert [(e.name, e.aliases, e.is_group) for e in directory.entries] == [
        ("市商务和投资促进局", ["商务和投资促进局"], False),
        ("市政府办公室", ["市外办"], False),
        ("市财政局", [], False),
        ("市直相关部门", [], True),
    ]
    assert directory.canonical("商务和投资促进局") == "市商务和投资促进局"
    assert directory.canonical("市外办") == "市政府办公室"
    assert directory.canonical("未知单位") == "未知单位"


def test_city_prefix_unified() -> None:
    directory, _ = build_directory(
        [Written("滕州市自然资源局"), Written("市自然资源局"), Written("市自然资源局")],
        cities=("滕州市", "滕州"),
    )
    assert [(e.name, e.aliases) for e in directory.entries] == [
        ("市自然资源局", ["滕州市自然资源局"])
    ]


def test_distinct_groups_stay_distinct() -> None:
    directory, _ = build_directory([Written("市直相关部门"), Written("市直各相关部门")])
    assert [(e.name, e.is_group) for e in directory.entries] == [
        ("市直相关部门", True),
        ("市直各相关部门", True),
    ]


def test_merge_and_split_are_pure() -> None:
    directory = _directory()
    merged = merge(directory, "市财政局", "市政府办公室")
    assert merged.entry("市外办") is not None
    assert merged.canonical("市外办") == "市财政局"
    assert merged.entry("市财政局") == DepartmentEntry(
        "市财政局", ["市政府办公室", "市外办"], False
    )
    # The original is untouched.
    assert directory.canonical("市外办") == "市政府办公室"
    split = split_alias(merged, "市政府办公室")
    assert split.canonical("市政府办公室") == "市政府办公室"
    assert split.canonical("市外办") == "市财政局"
    assert merged.canonical("市政府办公室") == "市财政局"
    renamed = rename(directory, "市商务和投资促进局", "商务和投资促进局")
    assert renamed.entry("市商务和投资促进局") == DepartmentEntry(
        "商务和投资促进局", ["市商务和投资促进局"], False
    )
    assert merge(directory, "市财政局", "不存在").entries == directory.entries


def test_name_checks() -> None:
    for name in [
        "市直相关部门",
        "各镇街",
        "各有关省级人民政府",
        "市政府相关部门",
        "相关部门和专营单位",
    ]:
        assert is_group_name(name), name
    for name in ["市财政局", "北辛街道", "市委组织部", "人民银行滕州市支行", "市直机关工委"]:
        assert not is_group_name(name), name
        assert looks_like_department(name), name
    assert not looks_like_department("张三同志")
    assert not looks_like_department("居民身份证电子信息")


def test_non_department_parentheses_are_ignored() -> None:
    text = (
        "推动“电子两证”（居民身份证电子信息、电子营业执照）全面应用，推送至主管部门（单位），"
        "实行“承诺制＋容缺办”（含）。（牵头部门：市行政审批服务局）"
    )
    groups = find_groups(text)
    assert len(groups) == 1
    assert [(n.role, n.name) for n in groups[0].names] == [("lead", "市行政审批服务局")]


def test_alternative_name_in_brackets() -> None:
    (group,) = find_groups("（牵头部门：市政府办公室〈市大数据局〉、市大数据中心）")
    first, second = group.names
    assert (first.name, first.aliases, first.raw) == (
        "市政府办公室",
        ("市大数据局",),
        "市政府办公室〈市大数据局〉",
    )
    assert second.name == "市大数据中心"


@pytest.mark.parametrize(
    ("text", "lead", "responsible", "cooperating"),
    [
        (
            "（国家发展改革委牵头，各有关部门按职责分工负责）",
            ["国家发展改革委"],
            ["各有关部门"],
            [],
        ),
        ("（国家发展改革委、财政部等按职责分工负责）", ["国家发展改革委"], ["财政部"], []),
        (
            "（牵头单位：市发改委  市财政局；责任单位：市税务局 市人社局）",
            ["市发改委", "市财政局"],
            ["市税务局", "市人社局"],
            [],
        ),
        ("（牵头部门：市政府办公室（市外办）、市商务局）", ["市政府办公室", "市商务局"], [], []),
        ("（市发展改革委和市财政局负责）", ["市发展改革委"], ["市财政局"], []),
        (
            "（牵头单位：市人力资源和社会保障局、市自然资源和规划局）",
            ["市人力资源和社会保障局", "市自然资源和规划局"],
            [],
            [],
        ),
        ("(市发改委牵头;市财政局、市税务局配合)", ["市发改委"], [], ["市财政局", "市税务局"]),
        (
            "（由市应急局牵头，市公安局、市消防救援支队参与）",
            ["市应急局"],
            [],
            ["市公安局", "市消防救援支队"],
        ),
        ("（牵头单位：市发改委；完成时限：2022年6月底前）", ["市发改委"], [], []),
    ],
)
def test_group_forms(
    text: str, lead: list[str], responsible: list[str], cooperating: list[str]
) -> None:
    names: dict[str, list[str]] = {"lead": [], "responsible": [], "cooperating": []}
    for group in find_groups("推进改革。" + text):
        for ref in group.names:
            names[ref.role].append(ref.name)
    assert (names["lead"], names["responsible"], names["cooperating"]) == (
        lead,
        responsible,
        cooperating,
    )
