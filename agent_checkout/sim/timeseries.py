"""Throughput, errors, latency and queues over virtual time, at a chosen resolution."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Bucket:
    arrivals: int = 0
    ended: int = 0
    orders: int = 0
    calls: int = 0
    errors: int = 0
    latency_total: float = 0.0
    latency_max: float = 0.0
    queue_max: int = 0
    in_flight_max: int = 0


class TimeSeries:
    """One :class:`Bucket` per ``resolution`` virtual seconds that saw any event."""

    def __init__(self, resolution: float = 60.0) -> None:
        if resolution <= 0:
            raise ValueError("resolution must be positive")
        self.resolution = resolution
        self._buckets: dict[int, Bucket] = {}
        self.in_flight = 0

    def at(self, seconds: float) -> Bucket:
        index = int(seconds // self.resolution)
        bucket = self._buckets.get(index)
        if bucket is None:
            bucket = self._buckets[index] = Bucket()
        return bucket

    def arrived(self, seconds: float) -> None:
        bucket = self.at(seconds)
        bucket.arrivals += 1
        self.in_flight += 1
        bucket.in_flight_max = max(bucket.in_flight_max, self.in_flight)

    def ended(self, seconds: float) -> None:
        self.at(seconds).ended += 1
        self.in_flight -= 1

    def served(self, seconds: float, response_seconds: float, failed: bool, queue: int) -> None:
        bucket = self.at(seconds)
        bucket.calls += 1
        bucket.errors += failed
        bucket.latency_total += response_seconds
        bucket.latency_max = max(bucket.latency_max, response_seconds)
        bucket.queue_max = max(bucket.queue_max, queue)

    def rows(self) -> list[dict]:
        """Every bucket from the first to the last, empty ones included, for charting."""
        if not self._buckets:
            return []
        rows = []
        for index in range(min(self._buckets), max(self._buckets) + 1):
            b = self._buckets.get(index, Bucket())
            rows.append(
                {
                    "start_seconds": round(index * self.resolution, 3),
                    "arrivals": b.arrivals,
                    "sessions_ended": b.ended,
                    "orders": b.orders,
                    "calls": b.calls,
                    "errors": b.errors,
                    "latency_mean_ms": round(1000 * b.latency_total / b.calls, 3)
                    if b.calls
                    else 0.0,
                    "latency_max_ms": round(1000 * b.latency_max, 3),
                    "queue_max": b.queue_max,
                    "in_flight_max": b.in_flight_max,
                }
            )
        return rows
