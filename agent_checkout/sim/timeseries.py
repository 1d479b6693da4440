"""Throughput, errors, latency and queues over virtual time, at a chosen resolution.

A run of a million sessions spans weeks of virtual minutes, so the figures are kept in columns
of machine numbers (``array``), eight bytes a figure, rather than an object per bucket.
"""

from __future__ import annotations

from array import array

#: Each column: its name and type code (``q`` a 64-bit count, ``d`` a float of seconds).
COLUMNS = (
    ("arrivals", "q"),
    ("ended", "q"),
    ("orders", "q"),
    ("calls", "q"),
    ("errors", "q"),
    ("latency_total", "d"),
    ("latency_max", "d"),
    ("queue_max", "q"),
    ("in_flight_max", "q"),
)


class TimeSeries:
    """One bucket per ``resolution`` virtual seconds, from the first that saw any event to the
    last (those between are zero)."""

    def __init__(self, resolution: float = 60.0) -> None:
        if resolution <= 0:
            raise ValueError("resolution must be positive")
        self.resolution = resolution
        self._first: int | None = None  # the index of the first bucket held
        self._columns = {name: array(code) for name, code in COLUMNS}
        self.in_flight = 0

    def _slot(self, seconds: float) -> int:
        """The position of the bucket holding ``seconds``, adding zero buckets to reach it."""
        index = int(seconds // self.resolution)
        if self._first is None:
            self._first = index
        if index < self._first:  # earlier than anything held (virtual time never goes back)
            for name, code in COLUMNS:
                self._columns[name][0:0] = array(code, [0] * (self._first - index))
            self._first = index
        slot = index - self._first
        held = len(self._columns["arrivals"])
        if slot >= held:
            for name, code in COLUMNS:
                self._columns[name].extend(array(code, [0] * (slot + 1 - held)))
        return slot

    def arrived(self, seconds: float) -> None:
        slot, columns = self._slot(seconds), self._columns
        columns["arrivals"][slot] += 1
        self.in_flight += 1
        peaks = columns["in_flight_max"]
        peaks[slot] = max(peaks[slot], self.in_flight)

    def ended(self, seconds: float) -> None:
        self._columns["ended"][self._slot(seconds)] += 1
        self.in_flight -= 1

    def ordered(self, seconds: float) -> None:
        self._columns["orders"][self._slot(seconds)] += 1

    def served(self, seconds: float, response_seconds: float, failed: bool, queue: int) -> None:
        slot, columns = self._slot(seconds), self._columns
        columns["calls"][slot] += 1
        columns["errors"][slot] += failed
        columns["latency_total"][slot] += response_seconds
        latency_max, queue_max = columns["latency_max"], columns["queue_max"]
        latency_max[slot] = max(latency_max[slot], response_seconds)
        queue_max[slot] = max(queue_max[slot], queue)

    def rows(self) -> list[dict]:
        """Every bucket from the first to the last, empty ones included, for charting."""
        if self._first is None:
            return []
        c = self._columns
        return [
            {
                "start_seconds": round((self._first + slot) * self.resolution, 3),
                "arrivals": c["arrivals"][slot],
                "sessions_ended": c["ended"][slot],
                "orders": c["orders"][slot],
                "calls": c["calls"][slot],
                "errors": c["errors"][slot],
                "latency_mean_ms": round(1000 * c["latency_total"][slot] / c["calls"][slot], 3)
                if c["calls"][slot]
                else 0.0,
                "latency_max_ms": round(1000 * c["latency_max"][slot], 3),
                "queue_max": c["queue_max"][slot],
                "in_flight_max": c["in_flight_max"][slot],
            }
            for slot in range(len(c["arrivals"]))
        ]
