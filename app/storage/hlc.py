"""Hybrid logical clock (Kulkarni et al., 2014) for ordering field changes across laptops.

A timestamp has two encodings with the same order:

- text, ``"<wall ms, 13 digits>-<counter, 5 digits>"`` (``HLCTimestamp.encode``): what change
  entries carry between laptops (``ChangeEntry.hlc``) and what this module's API speaks;
- one 64-bit integer, ``wall_ms * 100_000 + counter`` (``HLCTimestamp.to_int``): what the change
  log stores (app/storage/changelog.py). Its decimal digits are the text without the dash, so
  ``1700000000000-00042`` is ``170000000000000042``; the counter stays below 100,000, so integer
  order is (wall ms, counter) order, and every wall time up to the year 2286 fits below 2**63.

String order equals time order, and so does integer order, in SQL as well as in Python. Ties
between devices are broken by device id, outside this module.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

COUNTER_LIMIT = 100_000
# A remote timestamp further ahead of our wall clock than this is not adopted (its laptop's clock
# is wrong); sync records it as-is and flags it instead of dragging every later local edit along.
MAX_DRIFT_MS = 5 * 60 * 1000


@dataclass(frozen=True, order=True)
class HLCTimestamp:
    wall_ms: int
    counter: int

    def encode(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:05d}"

    @classmethod
    def parse(cls, text: str) -> HLCTimestamp:
        wall, sep, counter = text.partition("-")
        if (
            not sep
            or len(wall) != 13
            or len(counter) != 5
            or not (wall.isascii() and wall.isdigit() and counter.isascii() and counter.isdigit())
        ):
            raise ValueError(f"not an HLC timestamp: {text!r}")
        return cls(int(wall), int(counter))

    def to_int(self) -> int:
        return self.wall_ms * COUNTER_LIMIT + self.counter

    @classmethod
    def from_int(cls, value: int) -> HLCTimestamp:
        if not 0 <= value < 10**18:
            raise ValueError(f"not an HLC timestamp: {value!r}")
        return cls(*divmod(value, COUNTER_LIMIT))


def hlc_to_int(text: str) -> int:
    """The stored form of a text timestamp (same order). As strict as ``HLCTimestamp.parse``,
    without building one (it runs once per entry merged)."""
    if len(text) == 19 and text[13] == "-" and text.isascii():
        wall, counter = text[:13], text[14:]
        if wall.isdigit() and counter.isdigit():
            return int(wall) * COUNTER_LIMIT + int(counter)
    raise ValueError(f"not an HLC timestamp: {text!r}")


def hlc_from_int(value: int) -> str:
    """The text form of a stored timestamp."""
    wall, counter = divmod(value, COUNTER_LIMIT)
    return f"{wall:013d}-{counter:05d}"


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridLogicalClock:
    """Monotonic timestamps that stay close to wall time. Thread-safe."""

    def __init__(self, last: str | None = None, wall: Callable[[], int] = _wall_ms) -> None:
        self._wall = wall
        self._last = HLCTimestamp.parse(last) if last else HLCTimestamp(0, 0)
        self._lock = threading.Lock()

    @property
    def last(self) -> str:
        return self._last.encode()

    def now(self) -> str:
        """A timestamp for a local event, greater than every one issued or observed before."""
        with self._lock:
            wall = self._wall()
            if wall > self._last.wall_ms:
                self._last = HLCTimestamp(wall, 0)
            else:
                self._last = self._bump(self._last.wall_ms, self._last.counter)
            return self._last.encode()

    def observe(self, remote: str) -> bool:
        """Merge a timestamp received from another device.

        Returns False (and leaves the clock alone) when the remote clock is more than
        ``MAX_DRIFT_MS`` ahead of ours, so the caller can flag it.
        """
        ts = HLCTimestamp.parse(remote)
        with self._lock:
            wall = self._wall()
            if ts.wall_ms > wall + MAX_DRIFT_MS:
                return False
            if ts > self._last:
                self._last = ts
            return True

    @staticmethod
    def _bump(wall_ms: int, counter: int) -> HLCTimestamp:
        if counter + 1 >= COUNTER_LIMIT:
            return HLCTimestamp(wall_ms + 1, 0)
        return HLCTimestamp(wall_ms, counter + 1)
