"""Small text helpers shared by the parser: width folding, Chinese numerals, flattened text.

Every transformation here keeps offsets: ``fold`` maps one character to one character, and
``FlatText`` records, for each kept character, where it came from in the source.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII, ideographic space -> space, and a few look-alikes.
# One character to one character, so offsets survive folding.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update(
    {
        0x3000: 0x20,  # ideographic space
        0x00A0: 0x20,  # no-break space
        0xFE62: 0x2B,  # small plus ﹢
        0xFE30: 0x3A,  # presentation colon
        0xFE55: 0x3A,  # small colon ﹕
        0xFE52: 0x2E,  # small full stop ﹒ (1﹒ in a web copy)
        0xFE59: 0x28,  # small parentheses ﹙ ﹚
        0xFE5A: 0x29,
        0x2236: 0x3A,  # ratio ∶ typed as a colon
        # square brackets hold department groups too: [责任单位:…], 【牵头单位:…】
        0x5B: 0x28,
        0x5D: 0x29,
        0xFF3B: 0x28,
        0xFF3D: 0x29,
        0x3010: 0x28,
        0x3011: 0x29,
    }
)


_FOLD_STR = {chr(k): chr(v) for k, v in _FOLD.items()}
_NEEDS_FOLD = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD_STR) + "]")


@lru_cache(maxsize=4096)
def fold_short(text: str) -> str:
    """``fold`` for short strings met again and again (department names), memoized."""
    return text.translate(_FOLD)


def fold(text: str) -> str:
    """Fold full-width letters, digits and punctuation to ASCII; same length as the input."""
    if len(text) < 256:
        return text.translate(_FOLD)
    # Long texts: replace only the characters present (much faster than a full translate).
    # Each search resumes where the previous one stopped: every earlier occurrence of a
    # character to fold is gone by then, so the text is scanned once.
    found = _NEEDS_FOLD.search(text)
    while found is not None:
        ch = found.group()
        text = text.replace(ch, _FOLD_STR[ch])
        found = _NEEDS_FOLD.search(text, found.end())
    return text


CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUM_CHARS = "〇零○一二两三四五六七八九十百"

_CN_SMALL = "零一二三四五六七八九"


@lru_cache(maxsize=1024)  # numbers written in a plan repeat (6月, 一、): each is read once
def cn_to_int(text: str) -> int | None:
    """Chinese numeral to int: 一 -> 1, 十九 -> 19, 二十一 -> 21, 一百零二 -> 102, 二〇二一 -> 2021.

    ASCII digits are accepted too. Returns None for anything else.
    """
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if all(ch in CN_DIGITS for ch in text):
        # Digit by digit (years such as 二〇二一).
        value = 0
        for ch in text:
            value = value * 10 + CN_DIGITS[ch]
        return value
    total = 0
    current = 0
    seen = False
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
            seen = True
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
            seen = True
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
            seen = True
        else:
            return None
    return total + current if seen else None


def int_to_cn(value: int) -> str:
    """1 -> 一, 10 -> 十, 19 -> 十九, 21 -> 二十一 (for messages; 0 < value < 1000)."""
    if value <= 0:
        return str(value)
    if value < 10:
        return _CN_SMALL[value]
    if value < 20:
        return "十" + (_CN_SMALL[value - 10] if value > 10 else "")
    if value < 100:
        tens, ones = divmod(value, 10)
        return _CN_SMALL[tens] + "十" + (_CN_SMALL[ones] if ones else "")
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        if rest == 0:
            return _CN_SMALL[hundreds] + "百"
        middle = "零" if rest < 10 else ""
        tail = int_to_cn(rest) if rest >= 20 or rest < 10 else "一" + int_to_cn(rest)
        return _CN_SMALL[hundreds] + "百" + middle + tail
    return str(value)


_BLANKS = " \t\r\u3000\xa0"


Segment = tuple[int, int] | tuple[str, int]


class FlatText:
    """Stretches of source text with line breaks (and the blanks around them) removed.

    Chinese does not put spaces between words, so a paragraph wrapped across lines (PDF
    extraction) reads correctly once the breaks are dropped. The stretches (``ranges`` of the
    source) are joined with a single "\n", which no extractor matches across. ``raw`` keeps the
    source characters, ``norm`` is ``fold(raw)``; both have the same length, and ``src(i)`` gives
    the source offset of flat character ``i``. ``starts[k]`` is where range ``k`` begins in the
    flat text.

    A range may instead be a list of segments: ``(start, end)`` of the source, or
    ``(text, anchor)``: text that is not in the source (a table row's column labels), every
    character of which maps to the source offset ``anchor``.
    """

    __slots__ = ("_limit", "_runs", "_steps", "_targets", "norm", "raw", "starts")

    def __init__(
        self,
        source: str,
        start: int = 0,
        end: int | None = None,
        *,
        ranges: list[tuple[int, int] | list[Segment]] | None = None,
        folded: str | None = None,
    ) -> None:
        if ranges is None:
            ranges = [(start, len(source) if end is None else end)]
        if folded is None:
            folded = fold(source)
        raw_pieces: list[str] = []
        norm_pieces: list[str] = []
        runs: list[int] = []  # flat offset where each kept run begins
        targets: list[int] = []  # source offset of that run's first character
        steps: list[int] = []  # 1: follows the source; 0: synthetic, all at ``targets``
        starts: list[int] = []
        flat_len = 0
        for number, item in enumerate(ranges):
            segments: list[Segment] = item if isinstance(item, list) else [item]
            first = segments[0][1] if isinstance(segments[0][0], str) else segments[0][0]
            if number:
                raw_pieces.append("\n")
                norm_pieces.append("\n")
                runs.append(flat_len)
                targets.append(first)  # type: ignore[arg-type]
                steps.append(0)
                flat_len += 1
            starts.append(flat_len)
            if len(segments) == 1 and not isinstance(segments[0][0], str):
                # one stretch of the source (the usual block)
                piece_start, piece_end = segments[0]  # type: ignore[misc]
                kept = source[piece_start:piece_end]
                if "\n" not in kept:  # on one line: one run (see _pieces)
                    kept = kept.rstrip("\r")
                    if kept:
                        runs.append(flat_len)
                        targets.append(piece_start)  # type: ignore[arg-type]
                        steps.append(1)
                        raw_pieces.append(kept)
                        norm_pieces.append(folded[piece_start : piece_start + len(kept)])
                        flat_len += len(kept)
                    continue
            for segment in segments:
                if isinstance(segment[0], str):
                    text, anchor = segment
                    if text:
                        runs.append(flat_len)
                        targets.append(anchor)  # type: ignore[arg-type]
                        steps.append(0)
                        raw_pieces.append(text)
                        norm_pieces.append(fold(text))
                        flat_len += len(text)
                    continue
                for piece_start, kept in _pieces(source, segment[0], segment[1]):  # type: ignore[arg-type]
                    runs.append(flat_len)
                    targets.append(piece_start)
                    steps.append(1)
                    raw_pieces.append(kept)
                    norm_pieces.append(folded[piece_start : piece_start + len(kept)])
                    flat_len += len(kept)
        self.raw = "".join(raw_pieces)
        self.norm = "".join(norm_pieces)
        self._runs = runs
        self._targets = targets
        self._steps = steps
        self._limit = len(source)
        self.starts = starts

    def __len__(self) -> int:
        return len(self.raw)

    def src(self, index: int) -> int:
        """Source offset of flat character ``index`` (``index == len`` maps past the last one)."""
        if not self._runs:
            return 0
        if index >= len(self.raw):
            if not self.raw:
                return self._targets[0]
            return self.src(len(self.raw) - 1) + 1
        run = bisect_right(self._runs, index) - 1
        return self._targets[run] + (index - self._runs[run]) * self._steps[run]

    def shift(self, start: int, end: int) -> int | None:
        """``src(i) - i`` for every ``i`` in ``[start, end)`` if that is one straight stretch of
        the source (no line break or synthetic text inside), else None."""
        if not 0 <= start < end <= len(self.raw):
            return None
        run = bisect_right(self._runs, start) - 1
        next_run = self._runs[run + 1] if run + 1 < len(self._runs) else len(self.raw)
        if end <= next_run and self._steps[run]:
            return self._targets[run] - self._runs[run]
        return None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source span of the flat span ``[start, end)``."""
        if end <= start:
            point = min(self.src(start), self._limit)
            return (point, point)
        if start >= 0 and end <= len(self.raw):
            run = bisect_right(self._runs, start) - 1
            next_run = self._runs[run + 1] if run + 1 < len(self._runs) else len(self.raw)
            if end <= next_run and self._steps[run]:  # both ends in one run: one lookup
                first = self._targets[run] + (start - self._runs[run])
                return (first, min(first + (end - start), self._limit))
        first = min(self.src(start), self._limit)
        return (first, max(first, min(self.src(end - 1) + 1, self._limit)))


def _pieces(source: str, start: int, end: int) -> list[tuple[int, str]]:
    """The non-empty pieces of ``source[start:end]`` with line breaks and their blanks removed."""
    segment = source[start:end]
    if "\n" not in segment:
        kept = segment.rstrip("\r")
        return [(start, kept)] if kept else []
    pieces: list[tuple[int, str]] = []
    pos = start
    lines = segment.split("\n")
    last = len(lines) - 1
    for index, line in enumerate(lines):
        line_start = pos
        pos += len(line) + 1
        left = len(line) - len(line.lstrip(_BLANKS)) if index else 0
        kept = line[left:].rstrip(_BLANKS) if index < last else line[left:].rstrip("\r")
        if kept:
            pieces.append((line_start + left, kept))
    return pieces
