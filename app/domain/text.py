"""Text as the office reads it: full-width digits and letters folded, stray spaces gone.

The plan's own words stay stored as written (re-importing compares them with the document);
these helpers only shape what is shown or exported. The parser has its own offset-keeping fold
(app/plan_import/textutil.py); this one is for short display strings and needs no parser.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII; the ideographic and no-break spaces -> space.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20})
# Only digits and Latin letters in a deadline phrase: Chinese punctuation (，（）) stays full-width.
_DEADLINE_WIDTH = {
    cp: cp - 0xFEE0
    for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def fold_width(text: str) -> str:
    """Full-width letters, digits and punctuation as ASCII (Ａ１， -> A1,); same length."""
    return text.translate(_WIDTH)


@lru_cache(maxsize=4096)  # a plan repeats the same few phrases ("6月底前") hundreds of times
def deadline_text(raw: str | None) -> str:
    """A 时限 phrase as displayed and exported: " 6月底前", "６月底前" and "6 月底前" all read
    "6月底前". Digits and letters are folded to half width and every space is dropped (a
    Chinese phrase has none of its own); Chinese punctuation is kept."""
    if not raw:
        return ""
    return _SPACES.sub("", raw.translate(_DEADLINE_WIDTH))
