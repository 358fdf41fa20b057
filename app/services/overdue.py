"""When a finding is overdue: the one rule, as SQL for the lists and as Python for the panes.

A finding's 整改 is *in time* when the department reported its 整改情况 by the 整改期限 and that
report is awaiting 复查 or was accepted (stage 待复查 or 已销号, ``reported_on <= rectify_by``):
the department did its part on time, the office's 复查 may come later. A finding is *overdue at
an as-of date* when it was found by then, is not 销号 by then, its 整改期限 is before that date,
and its 整改 was not in time. A failed 复查 (退回重改) puts it back to 整改中, and then the
report no longer counts: overdue again once the deadline has passed. Overdue time is counted in
working days everywhere (the office's ``WorkCalendar``).

Used by the findings list and the records list (``OVERDUE_FINDING_SQL``), 催办提醒, 红黑榜
(``ON_TIME_SQL``, ``LATE_SQL``), the 整改通知 and the finding and record panes (``is_overdue``).
See docs/inspections.md.
"""

from __future__ import annotations

from datetime import date

from app.domain.inspection import FindingStage

# Over a findings row ``f``: its 整改情况 was reported by the 整改期限 and awaits 复查 or
# passed it.
REPORTED_IN_TIME_SQL = (
    "(f.stage IN ('awaiting_recheck', 'closed') AND f.reported_on IS NOT NULL"
    " AND f.rectify_by IS NOT NULL AND f.reported_on <= f.rectify_by)"
)

# Overdue at :as_of.
OVERDUE_FINDING_SQL = (
    "(f.found_on <= :as_of AND f.rectify_by IS NOT NULL AND f.rectify_by < :as_of"
    " AND (f.rectified_on IS NULL OR f.rectified_on > :as_of)"
    f" AND NOT {REPORTED_IN_TIME_SQL})"
)

# 红黑榜: 销号 by :as_of and in time (销号 by the deadline, or reported by it).
ON_TIME_SQL = (
    "(f.rectified_on IS NOT NULL AND f.rectified_on <= :as_of"
    " AND (f.rectify_by IS NULL OR f.rectified_on <= f.rectify_by"
    f" OR {REPORTED_IN_TIME_SQL}))"
)

# 红黑榜: past the deadline at :as_of and not in time (still open, or 销号 late).
LATE_SQL = (
    "(f.rectify_by IS NOT NULL AND f.rectify_by < :as_of"
    " AND (f.rectified_on IS NULL OR f.rectified_on > f.rectify_by OR f.rectified_on > :as_of)"
    f" AND NOT {REPORTED_IN_TIME_SQL})"
)


def reported_in_time(
    stage: FindingStage, reported_on: date | None, rectify_by: date | None
) -> bool:
    return (
        stage in (FindingStage.AWAITING_RECHECK, FindingStage.CLOSED)
        and reported_on is not None
        and rectify_by is not None
        and reported_on <= rectify_by
    )


def is_overdue(
    *,
    rectify_by: date | None,
    rectified_on: date | None,
    as_of: date,
    stage: FindingStage,
    reported_on: date | None,
) -> bool:
    """``OVERDUE_FINDING_SQL`` for one finding (its found_on is taken to be by ``as_of``)."""
    if rectify_by is None or rectify_by >= as_of:
        return False
    if rectified_on is not None and rectified_on <= as_of:
        return False
    return not reported_in_time(stage, reported_on, rectify_by)
