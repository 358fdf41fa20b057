"""The plan's department directory: canonical names and the other ways the document writes them.

The directory (``Directory``) is a plain value. ``build_directory`` learns it from the names found
(市 prefix or not, 〈…〉 alternative names, an abbreviation written once); ``merge`` and
``split_alias`` are pure edits for the UI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .model import DepartmentEntry
from .names import clean_name, is_group_name
from .textutil import fold, fold_short


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
            table.setdefault(fold_short(entry.name), entry.name)
            for alias in entry.aliases:
                table.setdefault(fold_short(alias), entry.name)
        return table

    def canonical(self, name: str) -> str:
        """The canonical name for a written form (the form itself if unknown)."""
        return self.lookup.get(fold(clean_name(name)), name)

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
    """Length of the longest common subsequence, bit-parallel: one row of the classic table is
    kept in the bits of ``row`` (Crochemore et al. 2001), a few integer operations per char."""
    masks: dict[str, int] = {}
    for index, ch in enumerate(b):
        masks[ch] = masks.get(ch, 0) | (1 << index)
    full = (1 << len(b)) - 1
    row = full
    for ch in a:
        matched = row & masks.get(ch, 0)
        row = ((row + matched) | (row - matched)) & full
    return len(b) - row.bit_count()


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
    tally: dict[tuple[str, tuple[str, ...]], int] = {}
    for item in written:
        pair = (item.name, tuple(item.aliases))
        tally[pair] = tally.get(pair, 0) + 1
    return directory_from_tally(tally, cities=cities)


def directory_from_tally(
    tally: Mapping[tuple[str, tuple[str, ...]], int], *, cities: Sequence[str] = ()
) -> tuple[Directory, list[DirectoryNote]]:
    """``build_directory`` from the distinct written forms, (name, aliases) -> times written,
    in order of first appearance: the same result, with each form looked at once."""
    order: dict[str, str] = {}  # folded -> first written form
    counts: dict[str, int] = {}
    alternative: set[str] = set()  # 〈…〉 names: never canonical
    union = _Union()
    for (name, aliases), times in tally.items():
        key = fold_short(name)
        if key not in order:
            order[key] = name
            counts[key] = 0
            union.find(key)
        counts[key] += times
        for alias in aliases:
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
    # Clusters (and so entries) come in order of their first written form, as ``keys`` do.
    clusters: dict[str, list[str]] = {}
    for key in keys:
        clusters.setdefault(union.find(key), []).append(key)
    entries: list[DepartmentEntry] = []
    for members in clusters.values():
        if len(members) == 1:
            entries.append(DepartmentEntry(order[members[0]], [], is_group_name(members[0])))
            continue
        candidates = [k for k in members if k not in alternative] or members
        canonical = max(
            candidates,
            key=lambda k: (counts[k], k.startswith("市"), len(k), -first_seen[k]),
        )
        aliases = [order[k] for k in members if k != canonical]
        entries.append(
            DepartmentEntry(order[canonical], aliases, is_group=is_group_name(canonical))
        )
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
    key = fold(clean_name(alias))
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
