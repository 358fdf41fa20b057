"""Department names: whether a string looks like one, and the parts of a name as written.

Shared by the group finder (departments.py) and the directory (directory.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .textutil import fold_short

ORG_SUFFIX = re.compile(
    r"(?:局|委|办|厅|部|署|中心|院|会|室|行|处|所|站|队|组|团|联|社|街道|街|镇|乡|园区|开发区|新区"
    r"|政府|公司|集团|单位|部门|机构|办事处|管委会|海关|馆|校|台|庭|司|科|企业|委员会|工委|党委|法院"
    r"|检察院|银行|支行|分行|分局|办公室|专营单位|专班|指挥部)$"
)
_GROUP = re.compile(
    r"^(?:各|全市各|全省各|市直(?:各|相关|有关|部门|单位)|市各|市政府各|县直|区直|其他|其它)"
    r"|相关|有关|(?:各|等)(?:部门|单位)$"
)
_SENTENCE_PUNCT = re.compile(r"[。，,；;：:！!？?“”\"]")


@lru_cache(maxsize=4096)
def is_group_name(name: str) -> bool:
    """Generic groups such as 市直相关部门, 各镇街, 各有关省级人民政府 (kept as groups)."""
    return bool(_GROUP.search(fold_short(name)))


_TRAILING_ALT = re.compile(r"〈[^〉]*〉$|\([^()]*\)$")


@lru_cache(maxsize=4096)
def looks_like_department(name: str) -> bool:
    """A plausible department or group name (ends like an organization, no sentence punctuation)."""
    folded = fold_short(name)
    if not 2 <= len(folded) <= 40 or _SENTENCE_PUNCT.search(folded):
        return False
    base = _TRAILING_ALT.sub("", folded) or folded
    return bool(ORG_SUFFIX.search(base)) or is_group_name(folded)


NAME_TRIM = " \t\u3000、,，;；:：。.．"  # what surrounds a name in a list
_WS = re.compile(r"\s+")


def clean_name(raw: str) -> str:
    """A name as written without blanks and the punctuation around it."""
    return _WS.sub("", raw).strip(NAME_TRIM)


_ANGLE_ALT = re.compile(r"〈([^〈〉]+)〉$")
_PAREN_ALT = re.compile(r"[(（]([^()（）]+)[)）]$")


def split_alternatives(name: str) -> tuple[str, tuple[str, ...]]:
    """市政府办公室〈市大数据局〉 -> ("市政府办公室", ("市大数据局",)).

    X（Y） likewise, when Y is itself a department name.
    """
    if not name.endswith(("〉", ")", "）")):
        return name, ()
    aliases: list[str] = []
    while True:
        match = _ANGLE_ALT.search(name)
        if match:
            aliases.insert(0, match.group(1))
            name = name[: match.start()]
            continue
        match = _PAREN_ALT.search(name)
        if match and len(name) - len(match.group(0)) >= 3:
            inner = match.group(1)
            if looks_like_department(inner) and len(inner) >= 3:
                aliases.insert(0, inner)
                name = name[: match.start()]
                continue
        break
    return name, tuple(aliases)


@lru_cache(maxsize=4096)
def split_written(written: str) -> tuple[str, tuple[str, ...]]:
    """A name as written -> (name, alternative names).

    市政府办公室〈市外办〉 -> ("市政府办公室", ("市外办",)).
    """
    return split_alternatives(clean_name(written))
