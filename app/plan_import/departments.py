"""Departments: finding who is named for a measure, and the plan's department directory.

Finding (``find_groups``) works on a measure's text and recognizes:

* labelled groups, in parentheses or not: （牵头部门：X、Y；责任部门：Z）,
  牵头单位/责任单位/配合单位, half-width brackets and colons, "：" typed where "；" was meant;
* verb groups in parentheses: （X、Y负责） (the first listed leads), （X牵头，Y参与）,
  （X会同Y负责）, （X指导，Y负责）;
* bare lists at the end of a sentence: （X、Y） -- the first leads when the document says so once
  ("排在第一位的部门为牵头部门，下同"), otherwise all are responsible and a warning is raised.

A parenthesis covers the text since the previous group (or the measure's start): when a measure
has several groups, each group's names carry the span of the clause it covers.

The directory (``Directory``) is a plain value: canonical names with the other ways the document
writes them. ``build_directory`` learns it from the names found (市 prefix or not, 〈…〉 alternative
names, an abbreviation written once); ``merge`` and ``split_alias`` are pure edits for the UI.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .model import DepartmentEntry, Role
from .textutil import fold, fold_short

# ---------------------------------------------------------------------------------------------
# Name checks

_ORG_SUFFIX = re.compile(
    r"(?:局|委|办|厅|部|署|中心|院|会|室|行|处|所|站|队|组|团|联|社|街道|街|镇|乡|园区|开发区|新区"
    r"|政府|公司|集团|单位|部门|机构|办事处|管委会|海关|馆|校|台|庭|司|科|企业|委员会|工委|党委|法院"
    r"|检察院|银行|支行|分行|分局|办公室|专营单位)$"
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
    return bool(_ORG_SUFFIX.search(base)) or is_group_name(folded)


# ---------------------------------------------------------------------------------------------
# Groups in a measure's text

_ROLE_LABEL = re.compile(
    r"(?=[牵主责承落实具配参协完时分联])"  # a cheap first-character gate
    r"(?P<label>(?P<word>牵头|主办|主责|责任|承办|落实|实施|具体负责|配合|参与|协办|协助|协同|参加)"
    r"(?:部门|单位|处室|科室)|牵头(?=\s*:)"
    r"|完成时限|完成时间|完成期限|时间节点|时限|责任领导|牵头领导|分管领导|责任人|联系人)\s*:"
)
_COLON = re.compile(":")
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
_ETC_TAIL = re.compile(r"等(?=$|相关|有关|部门|单位|各|其他|其它)")


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


@dataclass(slots=True)
class Group:
    """One department group: where it is, what it covers, and the names it gives."""

    start: int
    end: int
    covers: tuple[int, int] = (0, 0)
    names: list[NameRef] = field(default_factory=list)
    kind: str = "label"  # "label" | "verb" | "bare"
    doubtful: str = ""  # a warning to raise about this group (Chinese)


def first_listed_leads(text: str, *, folded: bool = False) -> bool:
    """Whether the document says once that the first listed department leads."""
    if "第一" not in text:
        return False
    return bool(_FIRST_LEADS.search(text if folded else fold(text)))


_PAREN = re.compile(r"[()\n]")


def _paren_segments(norm: str) -> list[tuple[int, int]]:
    """Top-level bracketed segments ``[start, end)`` including the brackets (nesting allowed).

    A line break ("\n", which separates blocks in the parser's flat text) closes everything: a
    bracket left open runs to the end of its block, and counts only if it holds a role label.
    """
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


_TRIM = " \t\u3000、,，;；:：。.．"


_WS = re.compile(r"\s+")


def _clean(raw: str) -> str:
    return _WS.sub("", raw).strip(_TRIM)


_ANGLE_ALT = re.compile(r"〈([^〈〉]+)〉$")
_PAREN_ALT = re.compile(r"[(（]([^()（）]+)[)）]$")


def _split_alias(name: str) -> tuple[str, tuple[str, ...]]:
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


_NAME_PIECE = re.compile(r"[^、,;/\n]+")
_DATE_LIKE = re.compile(r"\d\s*[年月日]|[年月]底|年内|长期|持续")


def split_written(written: str) -> tuple[str, tuple[str, ...]]:
    """A name as written -> (name, alternative names).

    市政府办公室〈市外办〉 -> ("市政府办公室", ("市外办",)).
    """
    return _split_alias(_clean(written))


_WORD = re.compile(r"[^ \t\u3000]+")
_NOT_NAMES = frozenset({"部门", "单位", "等", "等部门", "等单位"})


def _names_in(
    norm: str, raw: str, start: int, end: int, role: Role, out: list[NameRef]
) -> list[NameRef]:
    """Split ``[start, end)`` into department names; handles 等 / 等相关部门 tails."""
    added: list[NameRef] = []
    for piece in _NAME_PIECE.finditer(norm, start, end):
        piece_start, piece_end = piece.span()
        text_norm = piece.group()
        if _DATE_LIKE.search(text_norm):
            continue  # a time limit written among the names
        etc = _ETC_TAIL.search(text_norm) if "等" in text_norm else None
        if etc:
            parts = [(piece_start, piece_start + etc.start()), (piece_start + etc.end(), piece_end)]
        else:
            parts = [(piece_start, piece_end)]
        for part_start, part_end in parts:
            written = raw[part_start:part_end]
            trimmed = written.strip(_TRIM)
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
                        name, aliases = _split_alias(word)
                        at = src_start + offset
                        added.append(NameRef(word, role, at, at + len(word), aliases, name))
                    continue
            text = _WS.sub("", trimmed) if spaced else trimmed
            if text in _NOT_NAMES:
                continue
            # "X和Y": two departments joined by a conjunction, when each half is one.
            if ("和" in text or "及" in text or "与" in text) and text == trimmed:
                halves = _CONJ.split(text)
                if not is_group_name(text) and all(
                    len(h) >= 3 and looks_like_department(h) for h in halves
                ):
                    offset = src_start
                    for half in halves:
                        name, aliases = _split_alias(half)
                        added.append(NameRef(half, role, offset, offset + len(half), aliases, name))
                        offset += len(half) + 1
                    continue
            name, aliases = _split_alias(text)
            added.append(NameRef(trimmed, role, src_start, src_end, aliases, name))
    out.extend(added)
    return added


_Parsed = tuple[tuple[str, Role, int, int, tuple[str, ...], str], ...] | None


def _label_group(
    norm: str, raw: str, start: int, end: int, memo: dict[str, _Parsed] | None = None
) -> list[NameRef] | None:
    """Names of a labelled group. Plans repeat the same group often: ``memo`` (one per document)
    keeps each distinct group's parse."""
    key = raw[start:end]
    if memo is None or key not in memo:
        found = _parse_label_group(norm[start:end], key)
        parsed: _Parsed = (
            None
            if found is None
            else tuple((n.raw, n.role, n.start, n.end, n.aliases, n.name) for n in found)
        )
        if memo is not None:
            memo[key] = parsed
    else:
        parsed = memo[key]
    if parsed is None:
        return None
    return [NameRef(r, role, a + start, b + start, al, n) for r, role, a, b, al, n in parsed]


def _parse_label_group(norm: str, raw: str) -> list[NameRef] | None:
    start, end = 0, len(norm)
    labels = list(_ROLE_LABEL.finditer(norm, start, end))
    if not labels:
        return None
    names: list[NameRef] = []
    for index, label in enumerate(labels):
        value_end = labels[index + 1].start() if index + 1 < len(labels) else end
        word = label.group("word") or ("牵头" if label.group("label") == "牵头" else None)
        if word is None:
            continue  # 时限, 责任领导 …: not departments
        _names_in(norm, raw, label.end(), value_end, _LABEL_ROLE[word], names)
    return names


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
    for kind, names in parsed:
        for index, ref in enumerate(names):
            role = ref.role
            if kind == "duty" and not has_lead and not promoted and index == 0:
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


def find_groups(text: str, *, first_leads: bool = False, norm: str | None = None) -> list[Group]:
    """Department groups in ``text`` (one measure, or blocks joined by "\n"), in order.

    Each group's ``covers`` is the clause it covers: from the previous group's end (or the
    start of its block) to its own start. ``norm`` may pass ``fold(text)`` if known.
    """
    if norm is None:
        norm = fold(text)
    memo: dict[str, _Parsed] = {}
    groups: list[Group] = []
    segments = _paren_segments(norm)
    for seg_start, seg_end in segments:
        inner_start = seg_start + 1
        inner_end = seg_end - 1 if norm[seg_end - 1 : seg_end] == ")" else seg_end
        if norm.find(":", inner_start, inner_end) >= 0:
            names = _label_group(norm, text, inner_start, inner_end, memo)
            if names is not None:
                groups.append(Group(seg_start, seg_end, names=names, kind="label"))
                continue
        if inner_end - inner_start < 3 or not _free_standing(norm, seg_start, seg_end):
            continue
        if not (
            _VERB_HINT.search(norm, inner_start, inner_end)
            or norm.find("、", inner_start, inner_end) >= 0
            or _ORG_SUFFIX.search(norm, inner_start, inner_end)
        ):
            continue
        parsed = _verb_group(norm, text, inner_start, inner_end, first_leads)
        if parsed is not None:
            names, kind, doubtful = parsed
            groups.append(Group(seg_start, seg_end, names=names, kind=kind, doubtful=doubtful))
    # Labels written outside brackets: "牵头单位：X；责任单位：Y" on its own. Every label ends
    # with a colon, so only colons outside the bracketed groups are looked at.
    seg_starts = [a for a, _ in segments]
    pos = 0
    for colon in _COLON.finditer(norm):
        here = colon.start()
        index = bisect_right(seg_starts, here) - 1
        if here < pos or (index >= 0 and here < segments[index][1]):
            continue
        label = _LABEL_BEFORE_COLON.search(norm, max(0, here - 8), here + 1)
        if label is None or (label.group("word") is None and label.group("label") != "牵头"):
            continue  # not a role (时限： outside brackets is read by the deadline extractor)
        here = label.start()
        run_end = norm.find("\n", here)
        run_end = len(norm) if run_end < 0 else run_end
        if index + 1 < len(segments):
            run_end = min(run_end, segments[index + 1][0])
        stop = norm.find("。", label.end(), run_end)
        if stop >= 0:
            run_end = stop
        names = _label_group(norm, text, here, run_end, memo) or []
        groups.append(Group(here, run_end, names=names, kind="label"))
        pos = run_end
    groups.sort(key=lambda g: g.start)
    previous_end = 0
    for group in groups:
        block_start = norm.rfind("\n", previous_end, group.start) + 1
        group.covers = (max(previous_end, block_start), group.start)
        previous_end = group.end
    return groups


# ---------------------------------------------------------------------------------------------
# The directory


@dataclass(slots=True)
class Directory:
    """Canonical department names and the written forms that map to them.

    A plain value: ``entries`` in order of first appearance; ``lookup`` maps every folded
    written form (canonical name or alias) to the canonical name.
    """

    entries: list[DepartmentEntry] = field(default_factory=list)

    @property
    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for entry in self.entries:
            table.setdefault(fold(entry.name), entry.name)
            for alias in entry.aliases:
                table.setdefault(fold(alias), entry.name)
        return table

    def canonical(self, name: str) -> str:
        """The canonical name for a written form (the form itself if unknown)."""
        return self.lookup.get(fold(_clean(name)), name)

    def entry(self, name: str) -> DepartmentEntry | None:
        canonical = self.canonical(name)
        for entry in self.entries:
            if entry.name == canonical:
                return entry
        return None

    def to_json(self) -> list[dict[str, object]]:
        return [e.to_json() for e in self.entries]


@dataclass(slots=True)
class Written:
    """One written occurrence of a department name, as collected by the parser."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class DirectoryNote:
    """Something the directory inferred (``code``, Chinese ``message``, names involved)."""

    code: str
    message: str
    names: tuple[str, ...] = ()


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _abbreviates(short: str, long: str) -> bool:
    """枣庄市住房公积金滕州分中心 abbreviates 枣庄市住房公积金管理中心滕州分中心."""
    return (
        len(short) >= 6
        and len(short) < len(long)
        and len(short) >= 0.6 * len(long)
        and short[:2] == long[:2]
        and short[-2:] == long[-2:]
        and _is_subsequence(short, long)
    )


def _lcs(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def city_prefixes(issuer: str) -> tuple[str, ...]:
    """滕州市人民政府 -> ("滕州市", "滕州"): prefixes that a department name may carry or drop."""
    match = re.match(r"^(.{2,6}?[市县区])", fold(issuer))
    if not match:
        return ()
    city = match.group(1)
    return (city, city[:-1]) if len(city) > 2 else (city,)


def _forms(name: str, cities: Sequence[str]) -> set[str]:
    forms = {name}
    if name.startswith("市") and len(name) > 3:
        forms.add(name[1:])
    for city in cities:
        if name.startswith(city) and len(name) - len(city) >= 2:
            rest = name[len(city) :]
            forms.add(rest)
            forms.add("市" + rest if not rest.startswith("市") else rest)
    return forms


_PAIRWISE_LIMIT = 64


def build_directory(
    written: Iterable[Written], *, cities: Sequence[str] = ()
) -> tuple[Directory, list[DirectoryNote]]:
    """Learn the directory from the names as written, in order of appearance.

    Unified: a name with and without the 市 (or city) prefix; a 〈…〉 alternative name with its
    department; an abbreviation that keeps the full name's start and end. Suspiciously similar
    names that are not unified are reported as notes, for the user to merge if they are one.
    """
    order: dict[str, str] = {}  # folded -> first written form
    counts: dict[str, int] = {}
    alternative: set[str] = set()  # 〈…〉 names: never canonical
    union = _Union()
    for item in written:
        key = fold_short(item.name)
        if key not in order:
            order[key] = item.name
            counts[key] = 0
            union.find(key)
        counts[key] += 1
        for alias in item.aliases:
            alias_key = fold_short(alias)
            if alias_key not in order:
                order[alias_key] = alias
                counts[alias_key] = 0
            alternative.add(alias_key)
            union.union(key, alias_key)
    notes: list[DirectoryNote] = []
    keys = list(order)
    first_seen = {key: index for index, key in enumerate(keys)}
    groups = {k for k in keys if is_group_name(k)}
    by_form: dict[str, list[str]] = {}
    for key in keys:
        for form in _forms(key, cities):
            by_form.setdefault(form, []).append(key)
    for members in by_form.values():
        for other in members[1:]:
            if (members[0] in groups) == (other in groups):
                union.union(members[0], other)
    plain = [k for k in keys if k not in groups and k not in alternative]
    # Abbreviations keep the full name's first two and last two characters.
    buckets: dict[tuple[str, str], list[str]] = {}
    for key in plain:
        if len(key) >= 6:
            buckets.setdefault((key[:2], key[-2:]), []).append(key)
    for bucket in buckets.values():
        if len(bucket) > _PAIRWISE_LIMIT:
            continue  # not a real plan's directory; comparing all pairs would be quadratic
        for short in bucket:
            for long in bucket:
                if _abbreviates(short, long) and union.find(short) != union.find(long):
                    union.union(long, short)
                    notes.append(
                        DirectoryNote(
                            "department_abbreviation",
                            f"已将“{order[short]}”视为“{order[long]}”的简称，请核对",
                            (order[short], order[long]),
                        )
                    )
    similar: dict[tuple[str, str], list[str]] = {}
    for key in plain:
        if len(key) >= 6:
            similar.setdefault((key[:3], key[-2:]), []).append(key)
    for bucket in similar.values():
        if len(bucket) > _PAIRWISE_LIMIT:
            continue
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if union.find(a) != union.find(b) and _lcs(a, b) >= 0.75 * max(len(a), len(b)):
                    notes.append(
                        DirectoryNote(
                            "department_similar",
                            f"“{order[a]}”与“{order[b]}”可能是同一部门的不同写法，未自动合并",
                            (order[a], order[b]),
                        )
                    )
    clusters: dict[str, list[str]] = {}
    for key in keys:
        clusters.setdefault(union.find(key), []).append(key)
    entries: list[DepartmentEntry] = []
    for members in clusters.values():
        candidates = [k for k in members if k not in alternative] or members
        canonical = max(
            candidates,
            key=lambda k: (counts[k], k.startswith("市"), len(k), -first_seen[k]),
        )
        aliases = [order[k] for k in members if k != canonical]
        entries.append(
            DepartmentEntry(order[canonical], aliases, is_group=is_group_name(canonical))
        )
    entries.sort(key=lambda e: min(first_seen[fold_short(n)] for n in [e.name, *e.aliases]))
    return Directory(entries), notes


def merge(directory: Directory, keep: str, other: str) -> Directory:
    """A new directory where ``other`` (and its aliases) become aliases of ``keep``."""
    keep_entry = directory.entry(keep)
    other_entry = directory.entry(other)
    if keep_entry is None or other_entry is None or keep_entry is other_entry:
        return Directory([_copy(e) for e in directory.entries])
    merged = DepartmentEntry(
        keep_entry.name,
        _unique([*keep_entry.aliases, other_entry.name, *other_entry.aliases]),
        keep_entry.is_group and other_entry.is_group,
    )
    entries = []
    for entry in directory.entries:
        if entry is keep_entry:
            entries.append(merged)
        elif entry is not other_entry:
            entries.append(_copy(entry))
    return Directory(entries)


def split_alias(directory: Directory, alias: str) -> Directory:
    """A new directory where ``alias`` is taken out of its entry and stands as its own name."""
    key = fold(_clean(alias))
    entries: list[DepartmentEntry] = []
    split_out: DepartmentEntry | None = None
    for entry in directory.entries:
        kept = [a for a in entry.aliases if fold(a) != key]
        if len(kept) != len(entry.aliases):
            written = next(a for a in entry.aliases if fold(a) == key)
            split_out = DepartmentEntry(written, [], is_group_name(written))
            entries.append(DepartmentEntry(entry.name, kept, entry.is_group))
            entries.append(split_out)
        else:
            entries.append(_copy(entry))
    return Directory(entries)


def rename(directory: Directory, name: str, new_canonical: str) -> Directory:
    """A new directory where the entry of ``name`` uses ``new_canonical`` (one of its forms)."""
    entries: list[DepartmentEntry] = []
    target = directory.entry(name)
    for entry in directory.entries:
        if entry is target and new_canonical != entry.name:
            aliases = _unique([entry.name, *[a for a in entry.aliases if a != new_canonical]])
            entries.append(DepartmentEntry(new_canonical, aliases, entry.is_group))
        else:
            entries.append(_copy(entry))
    return Directory(entries)


def _copy(entry: DepartmentEntry) -> DepartmentEntry:
    return DepartmentEntry(entry.name, list(entry.aliases), entry.is_group)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
