"""The order a Chinese reader expects: names sorted by pinyin, the way a directory is.

One key for every list that shows names (departments above all), in services and views alike,
so a list reads the same wherever it appears:

- digits first, by their value (2 before 10), then Latin letters (case-insensitive), then Chinese
  characters by pinyin syllable, then tone (北 bei3 < 人 ren2 < 石 shi2 < 市 shi4), character by
  character as in a dictionary; anything else last;
- full-width digits and letters count as their ASCII twins; spaces are ignored;
- total and stable: names that tie on all of that are ordered by code point, and only equal
  strings compare equal.

Readings come from pypinyin, which reads whole phrases (银行 yin hang, 行政 xing zheng,
重庆 chong qing). The few place and office names it still misreads are corrected in
``_READINGS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

from pypinyin import Style, lazy_pinyin

from app.domain.text import fold_width

T = TypeVar("T")
Token = tuple[int, int | str, int, str]
SortKey = tuple[tuple[Token, ...], str]

# Phrases pypinyin 0.55 reads wrongly in department and place names (checked one by one).
_READINGS = {
    "支行": ("zhi1", "hang2"),
    "长清": ("chang2", "qing1"),
    "长治": ("chang2", "zhi4"),
    "长葛": ("chang2", "ge2"),
    "长垣": ("chang2", "yuan2"),
    "长宁": ("chang2", "ning2"),
    "长岛": ("chang2", "dao3"),
    "单县": ("shan4", "xian4"),
}
_HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_TOKEN = re.compile(r"[0-9]+|[A-Za-z]|\S", re.ASCII)
_DIGITS, _LATIN, _HANZI, _OTHER = range(4)


@lru_cache(maxsize=16384)  # the same department names are sorted again and again
def sort_key(text: str) -> SortKey:
    """A key for ``sorted``: pinyin order, ties by code point (see the module docstring)."""
    tokens: list[Token] = []
    position = 0
    for run in _HAN.finditer(text):
        tokens.extend(_plain_tokens(text[position : run.start()]))
        tokens.extend(_han_tokens(run.group()))
        position = run.end()
    tokens.extend(_plain_tokens(text[position:]))
    return tuple(tokens), text


def collated(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """``items`` in pinyin order of ``key(item)`` (the item itself when no key is given)."""
    if key is None:
        return sorted(items, key=lambda item: sort_key(str(item)))
    return sorted(items, key=lambda item: sort_key(key(item)))


def _plain_tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKEN.finditer(fold_width(text)):
        token = match.group()
        if token.isascii() and token.isdigit():
            tokens.append((_DIGITS, int(token), len(token), token))
        elif token.isascii() and token.isalpha():
            tokens.append((_LATIN, token.lower(), 0, token))
        else:
            tokens.append((_OTHER, token, 0, token))
    return tokens


def _han_tokens(run: str) -> list[Token]:
    syllables = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True)
    if len(syllables) != len(run):  # a character without a reading: read one by one
        syllables = [
            (lazy_pinyin(ch, style=Style.TONE3, neutral_tone_with_five=True) or [ch])[0]
            for ch in run
        ]
    for phrase, reading in _READINGS.items():
        start = run.find(phrase)
        while start >= 0:
            syllables[start : start + len(phrase)] = reading
            start = run.find(phrase, start + len(phrase))
    tokens: list[Token] = []
    for ch, syllable in zip(run, syllables, strict=True):
        if syllable[-1:] in ("1", "2", "3", "4", "5") and syllable[:-1].isalpha():
            tokens.append((_HANZI, syllable[:-1], int(syllable[-1]), ch))
        else:  # pypinyin knows no reading: after every syllable, by code point
            tokens.append((_HANZI, "\uffff", 9, ch))
    return tokens
