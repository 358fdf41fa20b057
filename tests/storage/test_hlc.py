from __future__ import annotations

import pytest

from app.storage.hlc import (
    COUNTER_LIMIT,
    MAX_DRIFT_MS,
    HLCTimestamp,
    HybridLogicalClock,
    hlc_from_int,
    hlc_to_int,
)


class FakeWall:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_timestamps_increase_even_when_the_wall_clock_stands_still_or_goes_back() -> None:
    wall = FakeWall(1_700_000_000_000)
    clock = HybridLogicalClock(wall=wall)
    first = clock.now()
    second = clock.now()
    wall.ms -= 60_000  # the laptop's clock was set back a minute
    third = clock.now()
    assert first < second < third
    assert HLCTimestamp.parse(third).wall_ms == 1_700_000_000_000


def test_follows_the_wall_clock_when_it_moves_forward() -> None:
    wall = FakeWall(1_700_000_000_000)
    clock = HybridLogicalClock(wall=wall)
    clock.now()
    wall.ms += 5
    assert clock.now() == f"{1_700_000_000_005:013d}-00000"


def test_counter_overflow_moves_to_the_next_millisecond() -> None:
    clock = HybridLogicalClock(f"{1_700_000_000_000:013d}-{COUNTER_LIMIT - 1:05d}", FakeWall(0))
    assert HLCTimestamp.parse(clock.now()) == HLCTimestamp(1_700_000_000_001, 0)


def test_string_order_is_time_order() -> None:
    stamps = [HLCTimestamp(w, c) for w in (9, 10, 1_000_000) for c in (0, 9, 10, 99_999)]
    assert sorted(stamps, key=HLCTimestamp.encode) == sorted(stamps)


def test_observe_adopts_a_later_remote_time_but_not_a_far_future_one() -> None:
    wall = FakeWall(1_700_000_000_000)
    clock = HybridLogicalClock(wall=wall)
    ahead = HLCTimestamp(wall.ms + 1_000, 7).encode()
    assert clock.observe(ahead)
    assert clock.now() > ahead
    far = HLCTimestamp(wall.ms + MAX_DRIFT_MS + 60_000, 0).encode()
    assert not clock.observe(far)
    assert clock.now() < far


MALFORMED = [
    "",
    "123",
    "1700000000000-1",
    "abc-00000",
    "1700000000000:00000",
    "17000000000_0-00001",
    " 700000000000-00001",
    "１７００００００００００００-00001",  # full-width digits
]


@pytest.mark.parametrize("text", MALFORMED)
def test_parse_rejects_malformed_timestamps(text: str) -> None:
    with pytest.raises(ValueError):
        HLCTimestamp.parse(text)
    with pytest.raises(ValueError):
        hlc_to_int(text)


def test_the_integer_form_keeps_the_order_and_comes_back_as_the_text() -> None:
    stamps = ["0000000000000-00000", "1700000000000-00042", "1700000000000-99999",
              "1700000000001-00000", "9999999999999-99999"]  # fmt: skip
    assert [hlc_to_int(s) for s in stamps] == sorted(hlc_to_int(s) for s in stamps)
    assert [hlc_from_int(hlc_to_int(s)) for s in stamps] == stamps
    assert hlc_to_int("1700000000000-00042") == 170000000000000042 < 2**63
