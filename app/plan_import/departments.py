"""Departments: finding who is named for a measure.

Finding (``find_groups``) works on a measure's text and recognizes:

* labelled groups, in parentheses or not: （牵头部门：X、Y；责任部门：Z）,
  牵头单位/责任单位/配合单位, half-width brackets and colons, "：" typed where "；" was meant;
* verb groups in parentheses: （X、Y负责） (the first listed leads), （X牵头，Y参与）,
  （X会同Y负责）, （X指导，Y负责）;
* bare lists at the end of a sentence: （X、Y） -- the first leads when the document says so once
  ("排在第一位的部门为牵头部门，下同"), otherwise all are responsible and a warning is raised.

A parenthesis covers the text since the previous group (or the measure's start): when a measure
has several groups, each group's names carry the span of the clause it covers.

What a name looks like is decided in names.py; the plan's department directory, learned from the
names found, is in directory.py (both re-exported here).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .directory import (
    Directory,
    DirectoryNote,
    Written,
    build_directory,
    city_prefixes,
    directory_from_tally,
    merge,
    rename,
    split_alias,
)
from .model import Role
from .names import (
    NAME_TRIM,
    ORG_SUFFIX,
    is_group_name,
    looks_like_department,
    split_alternatives,
    split_written,
)
from .textutil import fold

__all__ = [
    "Directory",
    "DirectoryNote",
    "Group",
    "NameRef",
    "Written",
    "build_directory",
    "city_prefixes",
    "directory_from_tally",
    "find_groups",
    "first_listed_leads",
    "is_group_name",
    "looks_like_department",
    "merge",
    "rename",
    "split_alias",
    "split_written",
]

# ---------------------------------------------------------------------------------------------
# Groups in a measure's text

_ROLE_LABEL = re.compile(
    r"(?=[牵主责承落实具配参协完时分联])"  # a cheap first-character gate
    r"(?P<label>(?P<word>牵头|主办|主责|责任|承办|落实|实施|具体负责|配合|参与|协办|协助|协同|参加)"
    # 牵头责任单位 / 协同责任单位 (an 安徽省 重点工作 list): the role is the first word
    r"(?:责任)?(?:部门|单位|处室|科室)|牵头(?=\s*:)"
    r"|完成时限|完成时间|完成期限|时间节点|时限|责任领导|(?:牵头)?负责领导|牵头领导"
    r"|分管(?:省|市|县|区)?领导|责任人|联系人)\s*:"
)
_LABEL_BEFORE_COLON = re.compile(_ROLE_LABEL.pattern + "$")
_LABEL_ROLE: dict[str, Role] = {
    "牵头": "lead",
    "主办": "lead",
    "主责": "lead",
    "责任": "responsible",
    "承办": "responsible",
    "落实": "responsible",
    "实施": "responsible",
    "具体负责": "responsible",
    "配合": "cooperating",
    "参与": "cooperating",
    "协办": "cooperating",
    "协助": "cooperating",
    "协同": "cooperating",
    "参加": "cooperating",
}
_FIRST_LEADS = re.compile(r"(?:排在|排名|列)第一(?:位|个)?的?(?:部门|单位)?(?:为|是)牵头")
_VERB_CLAUSE = re.compile(
    r"^(?P<names>.+?)(?:按职责分工|按照职责分工|按职责|依职责|分别|共同|具体)?"
    r"(?P<verb>牵头负责|牵头|负责|参与|配合|协助|协同|指导|落实)$"
)
_WITH = re.compile(
    r"^(?P<a>.+?)会同(?P<b>.+?)(?:按职责分工|按职责|共同)?(?:负责|落实|推进|实施|办理)?$"
)
_CONJ = re.compile(r"[和及与]")
# 等 ending a list, before the groups it sums up or a conjunction: 财政部等和各有关省级人民政府,
# 能源局等省有关部门和各地级以上市人民政府, 发展改革委等相关部门.
_ETC_TAIL = re.compile(
    r"等(?=$|[和及与]|(?:省|市|县|区|国家|国务院|中央|省级|市级|县级|区级)?"
    r"(?:相关|有关|部门|单位|各|其他|其它))"
)


@dataclass(slots=True)
class NameRef:
    """A department name inside a group.

    ``raw`` is the name exactly as written at ``[start, end)`` of the scanned text; ``name`` is
    it without blanks and without a trailing 〈alternative name〉, which goes to ``aliases``.
    """

    raw: str
    role: Role
    start: int
    end: int
    aliases: tuple[str, ...] = ()
    name: str = ""


# A name as found in a group: (raw, role, start, end, name, aliases), as in ``NameRef``.
Found = tuple[str, Role, int, int, str, tuple[str, ...]]


@dataclass(slots=True)
class Group:
    """One department group: where it is, what it covers, and the names it gives.

    The names are kept as found, with offsets from ``base``: plans repeat the same groups, whose
    parse is shared, and the parser reads them as they are. ``names`` gives them as ``NameRef``.
    """

    start: int
    end: int
    covers: tuple[int, int] = (0, 0)
    found: tuple[Found, ...] = ()
    base: int = 0
    kind: str = "label"  # "label" | "verb" | "bare"
    doubtful: str = ""  # a warning to raise about this group (Chinese)

    @property
    def names(self) -> list[NameRef]:
        base = self.base
        return [
            NameRef(raw, role, start + base, end + base, aliases, name)
            for raw, role, start, end, name, aliases in self.found
        ]


def first_listed_leads(text: str, *, folded: bool = False) -> bool:
    """Whether the document says once that the first listed department leads."""
    if "第一" not in text:
        return False
    return bool(_FIRST_LEADS.search(text if folded else fold(text)))


_PAREN = re.compile(r"[()\n]")
_FLAT_PAIR = re.compile(r"\([^()\n]*\)")


def _paren_segments(norm: str) -> list[tuple[int, int]]:
    """Top-level bracketed segments ``[start, end)`` including the brackets (nesting allowed).

    A line break ("\n", which separates blocks in the parser's flat text) closes everything: a
    bracket left open runs to the end of its block, and counts only if it holds a role label.
    """
    # The usual text has only flat pairs "(…)" on one line: when every bracket belongs to one,
    # those pairs are the segments (the scan below would find the same).
    pairs = [m.span() for m in _FLAT_PAIR.finditer(norm)]
    if norm.count("(") == len(pairs) == norm.count(")"):
        return pairs
    segments: list[tuple[int, int]] = []
    depth = 0
    start = -1
    for match in _PAREN.finditer(norm):
        ch = match.group()
        index = match.start()
        if ch == "(":
            if depth == 0:
                start = index
            depth += 1
        elif ch == ")":
            if depth:
                depth -= 1
                if depth == 0:
                    segments.append((start, index + 1))
        elif depth:
            if _ROLE_LABEL.search(norm, start, index):
                segments.append((start, index))
            depth = 0
    if depth and _ROLE_LABEL.search(norm, start):
        segments.append((start, len(norm)))
    return segments


_NAME_PIECE = re.compile(r"[^、,;/\n]+")
_BRACKETED_PIECE = re.compile(r"(?:[^、,;/\n(]|\([^()\n]*\))+")
# Bare kinds of local government that finish a list started by 各: 各区、县级市 is one group
# (the districts and county-level cities), not 各区 and a department called 县级市.
_ADMIN_UNITS = frozenset(
    {"县级市", "县", "区", "市", "县区", "县市区", "市区", "镇", "乡", "街道", "乡镇", "镇街"}
    | {"开发区", "园区"}
)


def _pieces(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """The list items of ``norm[start:end]``: split at 、 , ; / outside brackets (各县(市、区)人民
    政府 is one name), with 各区、县级市 kept together."""
    finder = _BRACKETED_PIECE if "(" in norm[start:end] else _NAME_PIECE
    spans = [m.span() for m in finder.finditer(norm, start, end)]
    merged: list[tuple[int, int]] = []
    for at, stop in spans:
        if merged and norm[at:stop].strip() in _ADMIN_UNITS:
            first = norm[merged[-1][0] : merged[-1][1]].strip()
            if first.startswith("各") and len(first) <= 8 and norm[merged[-1][1]] == "、":
                merged[-1] = (merged[-1][0], stop)
                continue
        merged.append((at, stop))
    return merged


_WS = re.compile(r"\s+")
_DATE_LIKE = re.compile(r"\d\s*[年月日]|[年月]底|年内|长期|持续")


_WORD = re.compile(r"[^ \t\u3000]+")
_NOT_NAMES = frozenset({"部门", "单位", "等", "等部门", "等单位"})
# One name found in a piece of a list: (as written, start, end relative to the piece, name
# without its alternative names, the alternative names).
_PieceName = tuple[str, int, int, str, tuple[str, ...]]


@lru_cache(maxsize=4096)
def _piece_names(text_norm: str, raw: str) -> tuple[_PieceName, ...]:
    """The names in one piece of a list (``text_norm`` = fold(``raw``), between separators).

    Plans name the same departments again and again, so each distinct piece is parsed once.
    """
    if _DATE_LIKE.search(text_norm):
        return ()  # a time limit written among the names
    etc = _ETC_TAIL.search(text_norm) if "等" in text_norm else None
    if etc:
        rest = etc.end()
        while rest < len(raw) and text_norm[rest] in "和及与":
            rest += 1  # 财政部等和各有关省级人民政府
        parts = [(0, etc.start()), (rest, len(raw))]
    else:
        parts = [(0, len(raw))]
    added: list[_PieceName] = []
    for part_start, part_end in parts:
        written = raw[part_start:part_end]
        trimmed = written.strip(NAME_TRIM)
        if not trimmed:
            continue
        src_start = part_start + written.find(trimmed)
        src_end = src_start + len(trimmed)
        spaced = " " in trimmed or "\t" in trimmed or "\u3000" in trimmed
        if spaced:
            # "市发改委 市财政局": names separated by blanks, when each part is a name.
            words = [(m.start(), m.group()) for m in _WORD.finditer(trimmed)]
            if len(words) > 1 and all(looks_like_department(w) for _, w in words):
                for offset, word in words:
                    at = src_start + offset
                    added.append((word, at, at + len(word), *split_alternatives(word)))
                continue
        text = _WS.sub("", trimmed) if spaced else trimmed
        if text in _NOT_NAMES:
            continue
        # "X和Y": two departments joined by a conjunction, when each half is one.
        if ("和" in text or "及" in text or "与" in text) and text == trimmed:
            halves = _CONJ.split(text)
            # a generic group's own 和 stays (相关部门和专营单位), unless a new 各 group follows
            if (not is_group_name(text) or all(h.startswith("各") for h in halves[1:])) and all(
                (len(h) >= 3 or h.startswith("各")) and looks_like_department(h) for h in halves
            ):
                offset = src_start
                for half in halves:
                    added.append((half, offset, offset + len(half), *split_alternatives(half)))
                    offset += len(half) + 1
                continue
        added.append((trimmed, src_start, src_end, *split_alternatives(text)))
    return tuple(added)


def _names_in(
    norm: str, raw: str, start: int, end: int, role: Role, out: list[NameRef]
) -> list[NameRef]:
    """Split ``[start, end)`` into department names; handles 等 / 等相关部门 tails."""
    added: list[NameRef] = []
    for at, piece_end in _pieces(norm, start, end):
        for written, a, b, name, aliases in _piece_names(norm[at:piece_end], raw[at:piece_end]):
            added.append(NameRef(written, role, at + a, at + b, aliases, name))
    out.extend(added)
    return added


@lru_cache(maxsize=1024)
def _label_group(norm: str, raw: str) -> tuple[Found, ...] | None:
    """The names of a labelled group's text (offsets into it); None if it holds no label.

    Plans repeat the same groups often, so each distinct group is parsed once."""
    labels = list(_ROLE_LABEL.finditer(norm))
    if not labels:
        return None
    names: list[Found] = []
    for index, label in enumerate(labels):
        value_end = labels[index + 1].start() if index + 1 < len(labels) else len(norm)
        word = label.group("word") or ("牵头" if label.group("label") == "牵头" else None)
        if word is None:
            continue  # 时限, 责任领导 …: not departments
        role = _LABEL_ROLE[word]
        for at, piece_end in _pieces(norm, label.end(), value_end):
            for written, a, b, name, aliases in _piece_names(norm[at:piece_end], raw[at:piece_end]):
                names.append((written, role, at + a, at + b, name, aliases))
    return tuple(names)


_CLAUSE_SEP = re.compile(r"[,;]")


def _verb_group(
    norm: str, raw: str, start: int, end: int, first_leads: bool
) -> tuple[list[NameRef], str, str] | None:
    """Parse （X、Y负责） style contents; None if it is not a department group."""
    clauses: list[tuple[int, int]] = []
    pos = start
    for match in _CLAUSE_SEP.finditer(norm[start:end]):
        clauses.append((pos, start + match.start()))
        pos = start + match.end()
    clauses.append((pos, end))
    parsed: list[tuple[str, list[NameRef]]] = []  # (kind, names)
    for c_start, c_end in clauses:
        text = norm[c_start:c_end]
        if not text.strip():
            continue
        if _FIRST_LEADS.search(text) or "下同" in text:
            continue
        lead_strip = len(text) - len(text.lstrip(" 由"))
        c_start += lead_strip
        text = norm[c_start:c_end].rstrip()
        c_end = c_start + len(text)
        scratch: list[NameRef] = []
        with_match = _WITH.match(text)
        verb_match = _VERB_CLAUSE.match(text)
        if with_match:
            _names_in(norm, raw, c_start, c_start + with_match.end("a"), "lead", scratch)
            b_start = c_start + with_match.start("b")
            _names_in(norm, raw, b_start, c_start + with_match.end("b"), "cooperating", scratch)
            parsed.append(("with", scratch))
        elif verb_match:
            verb = verb_match.group("verb")
            names_end = c_start + verb_match.end("names")
            if verb in ("牵头", "牵头负责", "指导"):
                kind, role = "lead", "lead"
            elif verb in ("参与", "配合", "协助", "协同"):
                kind, role = "coop", "cooperating"
            else:
                kind, role = "duty", "responsible"
            _names_in(norm, raw, c_start, names_end, role, scratch)  # type: ignore[arg-type]
            parsed.append((kind, scratch))
        else:
            _names_in(norm, raw, c_start, c_end, "responsible", scratch)
            parsed.append(("bare", scratch))
    all_names = [n for _, names in parsed for n in names]
    if not all_names or not all(looks_like_department(n.name) for n in all_names):
        return None
    kinds = {kind for kind, _ in parsed}
    has_lead = bool(kinds & {"lead", "with"})
    result: list[NameRef] = []
    doubtful = ""
    promoted = False
    # （X、Y，各区、县级市负责）: a list cut by a comma before its verb is one list of duties
    listed = not has_lead and "duty" in kinds and kinds <= {"bare", "duty"}
    for kind, names in parsed:
        for index, ref in enumerate(names):
            role = ref.role
            if listed and kind == "bare":
                if not promoted and index == 0:
                    role = "lead"  # the first listed leads
                    promoted = True
            elif kind == "duty" and not has_lead and not promoted and index == 0:
                role = "lead"  # （X、Y负责）: the first listed leads
                promoted = True
            elif kind == "bare" and kinds == {"bare"} and not promoted and index == 0:
                if first_leads:
                    role = "lead"
                    promoted = True
                else:
                    doubtful = "部门列表未注明牵头部门，已全部记为责任部门"
            result.append(NameRef(ref.raw, role, ref.start, ref.end, ref.aliases, ref.name))
    kind = "bare" if kinds == {"bare"} else "verb"
    return result, kind, doubtful


def _free_standing(norm: str, start: int, end: int) -> bool:
    """A verb or bare group must end a sentence (or start one), not sit inside a phrase."""
    before = start - 1
    while before >= 0 and norm[before] in " \t":
        before -= 1
    after = end
    while after < len(norm) and norm[after] in " \t":
        after += 1
    return (before < 0 or norm[before] in "。;)\n") or (
        after >= len(norm) or norm[after] in "。;(\n"
    )


_VERB_HINT = re.compile(r"负责|牵头|参与|配合|协助|协同|指导|会同|落实")


def _unbracketed_labels(norm: str, text: str, segments: list[tuple[int, int]]) -> list[Group]:
    """Labels written outside brackets: "牵头单位：X；责任单位：Y" on its own.

    Every label ends with a colon, so only colons outside the bracketed ``segments`` are
    looked at: those in the gap after segment ``index`` (-1: before the first), up to the next.
    """
    groups: list[Group] = []
    pos = 0
    for index in range(-1, len(segments)):
        gap_start = segments[index][1] if index >= 0 else 0
        gap_end = segments[index + 1][0] if index + 1 < len(segments) else len(norm)
        colon = norm.find(":", max(gap_start, pos), gap_end)
        while colon >= 0:
            label = _LABEL_BEFORE_COLON.search(norm, max(0, colon - 8), colon + 1)
            if label is None or (label.group("word") is None and label.group("label") != "牵头"):
                # not a role (时限： outside brackets is read by the deadline extractor)
                colon = norm.find(":", max(colon + 1, pos), gap_end)
                continue
            here = label.start()
            run_end = norm.find("\n", here)
            run_end = len(norm) if run_end < 0 else run_end
            if index + 1 < len(segments):
                run_end = min(run_end, segments[index + 1][0])
            stop = norm.find("。", label.end(), run_end)
            if stop >= 0:
                run_end = stop
            found = _label_group(norm[here:run_end], text[here:run_end]) or ()
            groups.append(Group(here, run_end, found=found, base=here))
            pos = run_end
            colon = norm.find(":", max(colon + 1, pos), gap_end)
    return groups


def find_groups(text: str, *, first_leads: bool = False, norm: str | None = None) -> list[Group]:
    """Department groups in ``text`` (one measure, or blocks joined by "\n"), in order.

    Each group's ``covers`` is the clause it covers: from the previous group's end (or the
    start of its block) to its own start. ``norm`` may pass ``fold(text)`` if known.
    """
    if norm is None:
        norm = fold(text)
    groups: list[Group] = []
    segments = _paren_segments(norm)
    colons = 0  # inside the bracketed segments
    for seg_start, seg_end in segments:
        inner_start = seg_start + 1
        inner_end = seg_end - 1 if norm[seg_end - 1] == ")" else seg_end
        inner_colons = norm.count(":", inner_start, inner_end)
        if inner_colons:
            colons += inner_colons
            found = _label_group(norm[inner_start:inner_end], text[inner_start:inner_end])
            if found is not None:
                groups.append(Group(seg_start, seg_end, found=found, base=inner_start))
                continue
        if inner_end - inner_start < 3 or not _free_standing(norm, seg_start, seg_end):
            continue
        if not (
            _VERB_HINT.search(norm, inner_start, inner_end)
            or norm.find("、", inner_start, inner_end) >= 0
            or ORG_SUFFIX.search(norm, inner_start, inner_end)
        ):
            continue
        parsed = _verb_group(norm, text, inner_start, inner_end, first_leads)
        if parsed is not None:
            names, kind, doubtful = parsed
            found = tuple((n.raw, n.role, n.start, n.end, n.name, n.aliases) for n in names)
            groups.append(Group(seg_start, seg_end, found=found, kind=kind, doubtful=doubtful))
    bracketed = len(groups)  # in order already
    if norm.count(":") > colons:
        groups.extend(_unbracketed_labels(norm, text, segments))
    groups.extend(_prose_groups(norm, text, segments))
    if len(groups) > bracketed:
        groups.sort(key=lambda g: g.start)
    previous_end = 0
    for group in groups:
        if group.kind == "prose":  # covers its own sentence, after the names
            previous_end = group.end
            continue
        block_start = norm.rfind("\n", previous_end, group.start) + 1
        group.covers = (max(previous_end, block_start), group.start)
        previous_end = group.end
    return groups


# ---- Departments named in running prose -------------------------------------------------------
# "市政务服务局牵头，市大数据局参与，6月底前……；市市场监管局会同市税务局负责……。": clauses that
# are names and a verb, or names 会同 names 负责 …, outside any bracket. Each run of such clauses
# is a group; it covers its sentence, from its names to the next 。 or ；.

_PROSE_VERB = re.compile(r"牵头负责|牵头|会同|指导|参与|配合|协助|负责")
_PROSE_CLAUSE_END = re.compile(r"[,;。\n:()]")
_PROSE_SENTENCE_END = re.compile(r"[;。\n]")
_PROSE_ONLY = re.compile(
    r"^(?:由)?(?P<names>.+?)(?:按职责分工|按照职责分工|按职责|依职责|分别|共同|具体)?"
    r"(?P<verb>牵头负责|牵头|指导|负责|参与|配合|协助)$"
)
_PROSE_WITH = re.compile(
    r"^(?:由)?(?P<a>.+?)会同(?P<b>.+?)(?:按职责分工|按照职责分工|共同)?(?:牵头负责|负责)"
    # 由发展改革委会同中央农办、农业部等部门研究提出落实意见 (国办函〔2014〕31号)
    r"|^由(?P<a2>[^,;。]+?)会同(?P<b2>[^,;。]+?等(?:有关|相关)?(?:部门|单位))"
    r"(?=研究|组织|制定|提出|落实|推进|实施|开展)"
)
_PROSE_DUTY = re.compile(r"^(?:由)?(?P<names>.+?)(?:牵头负责|负责)(?=.)")
_ROLE_WORDS = re.compile(r"牵头|责任|配合|参与|协办|主办|会同|指导")
_GROUP_START = re.compile(
    r"各|有关|相关|市直|县直|区直|省直|全市|全省|其他|其它|国务院有关|国家有关"
)
_PROSE_ROLES: dict[str, Role] = {
    "牵头负责": "lead",
    "牵头": "lead",
    "指导": "lead",
    "负责": "responsible",
    "参与": "cooperating",
    "配合": "cooperating",
    "协助": "cooperating",
}


def _prose_names(norm: str, raw: str, start: int, end: int, role: Role) -> list[NameRef] | None:
    """The names of ``[start, end)`` if every one looks like a department, else None."""
    scratch: list[NameRef] = []
    _names_in(norm, raw, start, end, role, scratch)
    if not scratch or not all(
        looks_like_department(n.name)
        and not _ROLE_WORDS.search(n.name)
        and "的" not in n.name
        and (not is_group_name(n.name) or _GROUP_START.match(n.name))
        for n in scratch
    ):
        return None
    return scratch


def _prose_clause(
    norm: str, raw: str, start: int, end: int
) -> tuple[list[NameRef], bool, int] | None:
    """A clause naming departments: (names, whether the clause is only names and a verb, where
    the names and their verb end)."""
    text = norm[start:end]
    only = _PROSE_ONLY.match(text)
    if only:
        names = _prose_names(
            norm,
            raw,
            start + only.start("names"),
            start + only.end("names"),
            _PROSE_ROLES[only.group("verb")],
        )
        if names is not None:
            return names, True, end
    with_match = _PROSE_WITH.match(text)
    if with_match:
        a, b = ("a", "b") if with_match.group("a") is not None else ("a2", "b2")
        leads = _prose_names(
            norm, raw, start + with_match.start(a), start + with_match.end(a), "lead"
        )
        helpers = _prose_names(
            norm, raw, start + with_match.start(b), start + with_match.end(b), "cooperating"
        )
        if leads is not None and helpers is not None:
            return leads + helpers, False, start + with_match.end()
    duty = _PROSE_DUTY.match(text)
    if duty:
        names = _prose_names(
            norm, raw, start + duty.start("names"), start + duty.end("names"), "responsible"
        )
        if names is not None and not all(is_group_name(n.name) for n in names):
            return names, False, start + duty.end()
    return None


def _prose_groups(norm: str, raw: str, segments: list[tuple[int, int]]) -> list[Group]:
    """Departments named in running prose, outside the bracketed ``segments``."""
    if not _PROSE_VERB.search(norm):
        return []
    starts = [a for a, _ in segments]  # in order, not overlapping
    sentence_ends = [m.start() for m in _PROSE_SENTENCE_END.finditer(norm)]
    groups: list[Group] = []
    pending: list[tuple[int, int, list[NameRef]]] = []  # clauses of the group being read

    def close() -> None:
        if not pending:
            return
        names = [n for _, _, clause in pending for n in clause]
        if not any(n.role == "lead" for n in names):
            first = names[0]
            names[0] = NameRef(first.raw, "lead", first.start, first.end, first.aliases, first.name)
        start, end = pending[0][0], pending[-1][1]
        at = bisect_left(sentence_ends, end)  # the next 。； or line break
        stop = sentence_ends[at] if at < len(sentence_ends) else None
        sentence_end = stop + (norm[stop] != "\n") if stop is not None else len(norm)
        found = tuple((n.raw, n.role, n.start, n.end, n.name, n.aliases) for n in names)
        group = Group(start, end, found=found, kind="prose")
        group.covers = (start, sentence_end)
        groups.append(group)
        pending.clear()

    done = 0
    for verb in _PROSE_VERB.finditer(norm):
        at = verb.start()
        if at < done:
            continue
        inside = bisect_right(starts, at) - 1
        if inside >= 0 and at < segments[inside][1]:
            continue  # a bracket's group, read by the bracket rules
        clause_start = at
        while clause_start > 0 and not _PROSE_CLAUSE_END.match(norm, clause_start - 1):
            clause_start -= 1
            if at - clause_start > 60:
                break
        # bounded: a clause longer than 80 characters is not read (and the scan stays linear)
        found_end = _PROSE_CLAUSE_END.search(norm, verb.end(), clause_start + 81)
        clause_end = found_end.start() if found_end else min(len(norm), clause_start + 81)
        if clause_end - clause_start > 80 or clause_start == at:
            continue
        while clause_start < at and norm[clause_start] in " \t":
            clause_start += 1
        parsed = _prose_clause(norm, raw, clause_start, clause_end)
        done = clause_end
        if parsed is None:
            close()
            continue
        names, only, names_end = parsed
        joined = bool(pending) and norm[pending[-1][1] : clause_start].strip() == ","
        if pending and not joined:
            close()
        pending.append((clause_start, names_end, names))
        if not only:
            close()
    close()
    return groups
